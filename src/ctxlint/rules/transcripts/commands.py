"""Reading shell commands the way the transcript rules need: what a command reads and what it writes.
Pure functions, no I/O."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

READERS = frozenset(("cat", "bat", "batcat", "less", "more", "nl", "head", "tail", "sed"))
# A ">" not after a descriptor number or "&" (2>, &> redirect other streams). Written with the ">" first
# and the look back after it, so the regex engine jumps from one ">" to the next instead of trying the
# look back at every character of the command.
REDIRECT = re.compile(r">(?<![0-9&]>)>?\s*([^\s|;&]+)")
SED_RANGE = re.compile(r"^(\d+)(?:,(\d+|\$))?p$")  # words() has taken the quotes off
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


# Commands that print nothing of their own: `cd repo && cat f` is still a read of f.
SILENT = frozenset(("cd", "pushd", "popd", "export", "set", "unset", "true", ":"))
# Words that mark a command as possibly printing a file (the fast test before parsing).
READER_WORD = re.compile(r"(?:^|[\s;|&(/])(?:cat|bat|batcat|less|more|nl|head|tail|sed)\s")


def split_commands(command: str) -> list[list[str]] | None:
    """The top-level commands of a shell line (joined by ``;``, ``&&``, ``||`` or newlines), each as
    its pipeline stages; quotes are respected. None for a heredoc or an unbalanced quote: a script,
    not a simple read."""
    if "<<" in command:
        return None
    commands: list[list[str]] = []
    stages: list[str] = []
    current: list[str] = []
    quote = ""
    i, n = 0, len(command)
    while i < n:
        c = command[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < n:
                current.append(c)
                i += 1
                c = command[i]
            current.append(c)
        elif c in "'\"":
            quote = c
            current.append(c)
        elif c == "\\" and i + 1 < n:
            current.append(command[i : i + 2])
            i += 1
        elif c in ";\n" or (c in "&|" and command[i + 1 : i + 2] == c):
            stages.append("".join(current).strip())
            commands.append([x for x in stages if x])
            stages, current = [], []
            i += 1 if c in ";\n" else 2
            continue
        elif c == "|":
            stages.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    if quote:
        return None
    stages.append("".join(current).strip())
    commands.append([x for x in stages if x])
    return [c for c in commands if c]


# Five transcript rules ask what the same shell commands read: each distinct command is parsed once
# (the answer is immutable, and the cache's size bounds its memory).
@lru_cache(maxsize=4096)
def file_reads(command: str) -> tuple[FileRead, ...]:
    """The file a shell command prints into the context, with the line range printed: one command
    (`cd` and the like aside) whose pipeline starts with cat/head/tail/sed -n/nl/bat/less of one
    file and goes on only through stages that keep the text as it is (head, tail, `sed -n 'a,bp'`,
    nl, `cat -n`). A filter (`grep`, `awk`, `cut`, ...) is a search through the file, not a read of
    it; a redirection writes; several files or several printing commands are not one file's text."""
    if READER_WORD.search(" " + command[:400]) is None:
        return ()  # most commands are not a file print: decided without parsing
    commands = split_commands(command)
    if commands is None:
        return ()
    printing = [c for c in commands if not (words(c[0])[:1] and words(c[0])[0] in SILENT)]
    if len(printing) != 1:
        return ()
    stages = printing[0]
    if REDIRECT.search(stages[-1]) or (len(stages) == 1 and REDIRECT.search(stages[0])):
        return ()
    read = _first_stage(words(stages[0]))
    if read is None:
        return ()
    path, first, last = read
    for stage in stages[1:]:
        narrowed = _narrow(words(stage), first, last)
        if narrowed is None:
            return ()
        first, last = narrowed
    return (FileRead(path, first, last),)


def _first_stage(w: list[str]) -> tuple[str, int, int | None] | None:
    """(path, first line, last line) printed by a reader command of one file; None for anything else."""
    if not w:
        return None
    tool = w[0].rsplit("/", 1)[-1]
    args = [a for a in w[1:] if not a.startswith("-") and not a.startswith(("2>", "&>"))]
    first, last = 1, None
    if tool in ("cat", "bat", "batcat", "less", "more", "nl"):
        if tool == "cat" and any(a.startswith("-") and set(a[1:]) - {"n"} for a in w[1:]):
            return None  # cat -A / -vet show control characters: a different view, not the text
        targets = args
    elif tool in ("head", "tail"):
        count = _count_option(w)
        if count is None:
            return None
        targets = [a for a in args if not a.lstrip("+-").isdigit()]
        if tool == "head":
            last = count
        else:
            first = -count
    elif tool == "sed" and "-n" in w:
        script = next((a for a in w[1:] if SED_RANGE.match(a)), None)
        if script is None:
            return None
        first, last = _sed_range(script)
        targets = [a for a in args if a != script]
    else:
        return None
    if len(targets) != 1:
        return None  # several files at once: a dump, not a read (repo-dump handles it)
    target = targets[0]
    if any(ch in target for ch in "*?$<>") or target in (".", ".."):
        return None
    return target, first, last


def _count_option(w: list[str]) -> int | None:
    """The line count of head/tail (10 by default); None for a byte count (`-c`) or a follow (`-f`)."""
    n = 10
    for i, a in enumerate(w[1:], start=1):
        if a in ("-n", "--lines") and i + 1 < len(w) and w[i + 1].lstrip("+-").isdigit():
            n = int(w[i + 1].lstrip("+-"))
        elif a.startswith("-n") and a[2:].lstrip("+-").isdigit():
            n = int(a[2:].lstrip("+-"))
        elif a.startswith("-") and a[1:].isdigit():
            n = int(a[1:])
        elif a.startswith(("-c", "--bytes", "-f", "-F", "--follow")):
            return None
    return n


def _sed_range(script: str) -> tuple[int, int | None]:
    m = SED_RANGE.match(script)
    assert m is not None
    return int(m.group(1)), None if m.group(2) == "$" else int(m.group(2) or m.group(1))


def _narrow(w: list[str], first: int, last: int | None) -> tuple[int, int | None] | None:
    """The file lines still printed after a later pipeline stage keeps part of the text; None when the
    stage changes the text (a filter) or the range can no longer be placed in the file."""
    if not w:
        return None
    tool = w[0].rsplit("/", 1)[-1]
    if tool == "nl" or (tool == "cat" and all(a == "-n" for a in w[1:])):
        return first, last  # numbers added, every line kept
    if tool == "sed" and "-n" in w:
        script = next((a for a in w[1:] if SED_RANGE.match(a)), None)
        if script is None or first < 0:
            return None
        a, b = _sed_range(script)
        lo = first + a - 1
        hi = None if b is None else first + b - 1
        if last is not None:
            hi = last if hi is None else min(hi, last)
        return lo, hi
    if tool in ("head", "tail"):
        count = _count_option(w)
        if count is None:
            return None
        if tool == "head":
            if first < 0:
                return None
            return first, first + count - 1 if last is None else min(last, first + count - 1)
        if last is None:
            return (-count, None) if first == 1 or (first < 0 and -first >= count) else None
        return max(first, last - count + 1), last
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


SCRIPT_NAME_RE = re.compile(r"[\w.-]*[A-Za-z_-][\w-]*\.[A-Za-z][\w]{0,9}\b")


def script_names(command: str) -> set[str]:
    """File names (``name.ext``) a script mentions: what a script that writes files may have written."""
    return {m.group(0) for m in SCRIPT_NAME_RE.finditer(command) if not m.group(0).startswith(".")}


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
