"""Reading shell commands the way the transcript rules need: what a command reads and what it writes.
Pure functions, no I/O."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

READERS = frozenset(("cat", "bat", "batcat", "less", "more", "nl", "head", "tail", "sed"))
REDIRECT = re.compile(r"(?<![0-9&])>>?\s*([^\s|;&]+)")
SED_RANGE = re.compile(r"^(\d+)(?:,(\d+|\$))?p$")
PIPE_SPLIT = re.compile(r"\s*(?:\|\||&&|;|\|)\s*")


@dataclass(frozen=True, slots=True)
class FileRead:
    """A file range a shell command prints into the context."""

    path: str
    first: int  # 1-based first line, 1 for whole files
    last: int | None  # None = to the end


def segments(command: str) -> list[str]:
    return [s for s in PIPE_SPLIT.split(command.strip()) if s]


@lru_cache(maxsize=4096)
def _words(part: str) -> tuple[str, ...]:
    if not any(c in part for c in "'\"\\"):
        return tuple(part.split())  # nothing to unquote: shlex would give the same, 20× slower
    try:
        return tuple(shlex.split(part, posix=True))
    except ValueError:
        return tuple(part.split())


def words(part: str) -> list[str]:
    return list(_words(part))


def file_reads(command: str) -> list[FileRead]:
    """Files a shell command prints into the context: cat/head/tail/sed -n/nl/bat/less of one file."""
    first_word = command.split(None, 1)[0] if command.strip() else ""
    if not any(c in first_word for c in "|&;'\"\\") and first_word.rsplit("/", 1)[-1] not in READERS:
        return []  # most commands are not a file print: decided without splitting the pipeline
    parts = segments(command)
    if not parts:
        return []
    w = words(parts[0])
    reads: list[FileRead] = []
    if not w:
        return reads
    tool = w[0].rsplit("/", 1)[-1]
    args = [a for a in w[1:] if not a.startswith("-")]
    last_line: int | None = None
    first_line = 1
    if tool in ("cat", "bat", "batcat", "less", "more", "nl"):
        targets = args
    elif tool in ("head", "tail"):
        n = 10
        for i, a in enumerate(w[1:], start=1):
            if a in ("-n", "--lines") and i + 1 < len(w) and w[i + 1].lstrip("+-").isdigit():
                n = int(w[i + 1].lstrip("+-"))
            elif a.startswith("-n") and a[2:].lstrip("+-").isdigit():
                n = int(a[2:].lstrip("+-"))
            elif a.startswith("-") and a[1:].isdigit():
                n = int(a[1:])
        targets = [a for a in args if not a.lstrip("+-").isdigit()]
        if tool == "head":
            last_line = n
        else:
            first_line, last_line = -n, None
    elif tool == "sed" and "-n" in w:
        script = next((a for a in w[1:] if SED_RANGE.match(a.strip("'\""))), None)
        if script is None:
            return reads
        m = SED_RANGE.match(script.strip("'\""))
        assert m is not None
        first_line = int(m.group(1))
        last_line = None if m.group(2) == "$" else int(m.group(2) or m.group(1))
        targets = [a for a in args if a != script and not SED_RANGE.match(a.strip("'\""))]
    else:
        return reads
    # `nl -ba f | sed -n '300,350p'` or `cat f | head -50`: the pipe narrows what is printed.
    if len(parts) > 1 and tool in ("cat", "nl", "bat"):
        narrowed = _pipe_range(parts[1])
        if narrowed is not None:
            first_line, last_line = narrowed
    for t in targets:
        if any(ch in t for ch in "*?$<>") or t in (".", ".."):
            continue
        reads.append(FileRead(t, first_line, last_line))
    if len(reads) > 1:
        return []  # several files at once: a dump, not a read (repo-dump handles it)
    return reads


def _pipe_range(part: str) -> tuple[int, int | None] | None:
    w = words(part)
    if not w:
        return None
    if w[0] == "sed" and "-n" in w:
        for a in w[1:]:
            m = SED_RANGE.match(a.strip("'\""))
            if m:
                return int(m.group(1)), None if m.group(2) == "$" else int(m.group(2) or m.group(1))
    if w[0] == "head":
        for i, a in enumerate(w[1:], start=1):
            if a == "-n" and i + 1 < len(w) and w[i + 1].isdigit():
                return 1, int(w[i + 1])
            if a.startswith("-") and a[1:].isdigit():
                return 1, int(a[1:])
    return None


def is_edit_command(command: str) -> list[str]:
    """Paths a shell command modifies in place (sed -i, perl -pi, redirections, tee, mv/cp onto)."""
    out: list[str] = []
    if not ("sed" in command or "perl" in command or "tee" in command):
        return [m.group(1) for m in REDIRECT.finditer(command)] if ">" in command else out
    for part in segments(command):
        w = words(part)
        if not w:
            continue
        tool = w[0].rsplit("/", 1)[-1]
        if (tool == "sed" and any(a.startswith("-i") for a in w[1:])) or (tool == "perl" and any("i" in a for a in w[1:] if a.startswith("-"))):
            out.extend(a for a in w[1:] if (not a.startswith("-") and "/" in a) or a.endswith((".py", ".ts", ".js", ".md", ".go", ".rs", ".json")))
        elif tool == "tee":
            out.extend(a for a in w[1:] if not a.startswith("-"))
    out.extend(m.group(1) for m in REDIRECT.finditer(command))
    return out


# What a line of shell starts with before the program that runs: the directory, the environment,
# wrappers. `cd app && FOO=1 timeout 60 npm run build` runs `npm run build`.
_PREFIX_WORDS = frozenset(("sudo", "nohup", "time", "env", "exec", "command", "builtin", "nice", "stdbuf"))
_SKIPPED = frozenset(("cd", "pushd", "popd", "set", "export", "source", ".", "sleep", "echo", "true", "unset", "trap",
                      "ulimit", "umask", "shopt", "local", "declare"))
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = re.compile(r"^(?:ba|z)?sh\s+-l?c\s+|^(?:powershell(?:\.exe)?|pwsh)\s+(?:-\w+\s+)*?-Command\s+", re.I)


def command_family(command: str, subcommand_programs: tuple[str, ...] = ()) -> str:
    """The program a shell command runs, with its subcommand for programs that have them (`git add`,
    `npm run build`, `pkill`): comments, `cd …`, environment assignments and wrappers skipped. Empty
    when the command runs nothing recognisable."""
    text = _WRAPPERS.sub("", command.strip()).strip("'\"")
    lines = [ln.strip() for ln in text.replace("\\\n", " ").splitlines()]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        for part in segments(line):
            w = [x for x in words(part) if x not in ("(", ")", "{", "}")]
            while w:
                if w[0] in _PREFIX_WORDS or _ASSIGNMENT.match(w[0]):
                    w = w[1:]
                elif w[0] == "timeout":  # timeout [options] DURATION COMMAND
                    rest = w[1:]
                    while rest and rest[0].startswith("-"):
                        rest = rest[2:] if rest[0] in ("-s", "-k", "--signal", "--kill-after") else rest[1:]
                    w = rest[1:]
                else:
                    break
            if not w or w[0].rsplit("/", 1)[-1] in _SKIPPED:
                continue
            program = w[0].rsplit("/", 1)[-1].removesuffix(".exe")
            if program.startswith("python") and "-m" in w[1:-1]:
                return f"{program} -m {w[w.index('-m') + 1]}"
            if program in subcommand_programs:
                sub = next((x for x in w[1:] if not x.startswith("-")), "")
                if program in ("npm", "pnpm", "yarn", "bun", "uv", "poetry") and sub in ("run", "exec", "x") \
                        and len(w) > w.index(sub) + 1:
                    sub = f"{sub} {w[w.index(sub) + 1]}"
                return f"{program} {sub}".strip()
            return program
    return ""
