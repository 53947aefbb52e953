"""duplicated-instruction: the same instruction twice, in one file or across loaded files.

Units compared: instruction lines (exact match after normalisation), lines and paragraphs of at
least ``min-words-near`` words (near match: Jaccard of word 3-shingles >= ``similarity``), and whole
code blocks of three or more lines. Files are compared with themselves and within each agent's
start-up set; a file reached twice through symlinks is one file.

Similar is not the same. What two matching units do *not* share decides:
* lines that differ only by substituted tokens (`DATABASE_URL` vs `REDIS_URL`, one URL vs another)
  are distinct items of one list written to one template: each carries its own information. Only a
  substituted number that merely counts the items ("Step 2", "Step 3") says nothing new;
* a line whose meaning comes from where it stands — a nested item under a different parent, a
  labelled entry (`**telemetry/**: …`) or a line that starts with an anaphor ("Such tests …") in a
  different section — describes a different subject, unless a whole run of lines was copied;
* lines that look like code (unfenced JSON or call chains) are not instructions.

Separately: a code block that repeats commands listed earlier in the file, and a CLAUDE.md that
repeats most of the AGENTS.md next to it (without importing it) get one finding each.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.secrets import clip
from ctxlint.measure.tokens import count_text
from ctxlint.model import Fix, RawFinding, Severity, TextEdit, fix
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.rules.registry import RuleContext, detector

TABLE_OR_RULE = re.compile(r"^\s*(?:\|.*|[-=*_|:\s]+)$")
MAX_POSTINGS = 64  # shingles shared by more units than this say nothing about a pair
ITEM = re.compile(r"^(\s*)(?:[-*+]|(\d+)[.)])\s")
# A line of code outside a fence: a JSON member, a call chain, a closing bracket, an opening block.
CODE_LINE = re.compile(r"""^\s*(?:"[^"]+"\s*:|[.})\]]|//|/\*|<\\?/?[A-Za-z]|(?:const|let|var|export|import|return|def|"""
                       r"""class|function)\b)|(?:[{(\[,;]|=>|->)\s*$""")
# A labelled entry: `- **Service keywords**: …`, `- **`telemetry/`**: …`, `` - `API_KEY`: … ``, `3. **Update:** …`
LABEL = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*(?:(?:\*\*[^*]{1,60}?\*\*|__[^_]{1,60}?__|`[^`]{1,60}`|"
                   r"\*\*`[^`]{1,60}`\*\*)\s*(?::|\s[-–—]\s)|\*\*[^*]{1,60}?:\*\*)")
# A line that refers back to its section ("Such tests are …", "These run …", "It is …")
ANAPHOR = re.compile(r"^(?:such|these|this|those|they|it|its|their|them|both|here|there|the same)\b")
# Tokens compared when aligning two near-duplicate lines: code spans and URLs whole, then words
TOKEN = re.compile(r"`[^`]+`|https?://\S+|[^\s`]+")
# An emphasis prefix does not change the instruction: "IMPORTANT: run `make test`" repeats "run `make test`"
EMPHASIS_PREFIX = re.compile(r"^(?:important|note|critical|warning|nb|tip|reminder)\s*[:!\-–—]+\s*")
INTEGER = re.compile(r"^#?(\d+)[.,:;)]*$")
SHELL_INFOS = {"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "ps1", "cmd", "fish", ""}
COMMAND_SPAN = re.compile(r"`([^`\n]{6,})`")
COMMAND_HEAD = re.compile(r"^(?:[A-Z_]+=\S+\s+)*(?:\$\s*)?[a-z][\w.-]*\s+\S")


@dataclass(frozen=True, slots=True)
class Unit:
    """A line, paragraph or code block compared for repetition."""

    file: InstructionFile
    line: int
    end_line: int
    norm: str  # normalised text (exact-match key)
    raw: str  # the text as written (first line for paragraphs)
    kind: str  # line | paragraph | code
    shingles: frozenset[tuple[str, ...]]
    context: tuple[str, ...] = ()  # enclosing headings, and the parent item of a nested item
    bound: bool = False  # its meaning depends on its context (nested, labelled, anaphoric)
    ordinal: int = 0  # position in its list (the number of an ordered item)
    tokens: tuple[str, ...] = field(default=(), compare=False)  # for aligning near-duplicates
    step: bool = False  # an item of a numbered list: a step of a procedure


@dataclass(slots=True)
class Pair:
    """A later unit that repeats an earlier one, and how."""

    first: Unit
    copy: Unit
    similarity: float
    counter: bool = False  # the two differ only by a number that counts the items
    parallel: bool = False  # same words, different subject: kept only inside a copied run


def _shingles(norm: str) -> frozenset[tuple[str, ...]]:
    """Word 3-grams (the whole text when it has fewer than three words)."""
    words = norm.split()
    if len(words) < 3:
        return frozenset((tuple(words),))
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _instruction_line(f: InstructionFile, number: int, raw: str) -> bool:
    stripped = raw.strip()
    if not stripped or number <= f.doc.front_matter_end_line or in_code_or_comment(f, number):
        return False
    if stripped.startswith(("#", "<!--", ">", "```", "~~~")) or TABLE_OR_RULE.match(stripped):
        return False
    # A lead-in ("**Expected output**: all packages build:") introduces what follows; repeated before
    # two different blocks it is structure, not a repeated instruction.
    return not stripped.endswith(":")


def _tokens(raw: str) -> tuple[str, ...]:
    text = ITEM.sub("", raw, count=1)
    return tuple(t.strip("*_~.,;:!?()[]\"'").lower() or t for t in TOKEN.findall(text))


def _list_context(doc_lines: list[str]) -> tuple[dict[int, int], dict[int, str], dict[int, str]]:
    """Per list-item line: its ordinal in its list, the text of its parent item (nested items), and the
    lead-in line its list hangs from ("**Create mode** (from a template):")."""
    ordinal: dict[int, int] = {}
    parent: dict[int, str] = {}
    lead: dict[int, str] = {}
    stack: list[tuple[int, int, int]] = []  # (indent, line, count of items seen at this indent)
    lead_in = ""
    previous = ""  # the last non-blank line
    for number, raw in enumerate(doc_lines, start=1):
        m = ITEM.match(raw)
        stripped = raw.strip()
        if m is None:
            if stripped.startswith("#") or (stripped and not raw[:1].isspace() and stack):
                stack.clear()  # a heading or an unindented paragraph ends the list
            if stripped:
                previous = stripped
            continue
        if not stack:
            lead_in = normalise(previous) if previous.endswith((":", "：", "**", ")")) else ""
        previous = stripped
        if lead_in:
            lead[number] = lead_in
        indent = len(m.group(1).expandtabs(4))
        while stack and stack[-1][0] > indent:
            stack.pop()
        if stack and stack[-1][0] == indent:
            count = stack[-1][2] + 1
            stack[-1] = (indent, number, count)
        else:
            count = 1
            stack.append((indent, number, count))
        ordinal[number] = int(m.group(2)) if m.group(2) else count
        if len(stack) > 1:
            parent[number] = normalise(doc_lines[stack[-2][1] - 1])
    return ordinal, parent, lead


def _units(f: InstructionFile, min_words: int, min_near: int) -> list[Unit]:
    doc = f.doc
    units: list[Unit] = []
    paragraph: list[tuple[int, str]] = []
    ordinals, parents, leads = _list_context(doc.lines)

    def context(number: int) -> tuple[str, ...]:
        section = doc.section_at(number)
        heads = (*(section.path if section else ()), *((leads[number],) if number in leads else ()))
        return (*heads, parents[number]) if number in parents else heads

    def flush() -> None:
        if len(paragraph) > 1:
            norm = " ".join(normalise(r) for _, r in paragraph)
            if len(norm.split()) >= min_near:
                first = paragraph[0][0]
                units.append(Unit(f, first, paragraph[-1][0], norm, paragraph[0][1].strip(), "paragraph",
                                  _shingles(norm), context(first)))
        paragraph.clear()

    for number, raw in enumerate(doc.lines, start=1):
        if not _instruction_line(f, number, raw) or CODE_LINE.search(raw):
            flush()
            continue
        if ITEM.match(raw):
            flush()  # a list item starts its own unit; its continuation lines join it
        paragraph.append((number, raw))
        norm = EMPHASIS_PREFIX.sub("", normalise(raw))
        n_words = len(norm.split())
        if n_words >= min_words:
            bound = number in parents or bool(LABEL.match(raw)) or bool(ANAPHOR.match(norm))
            step = bool((m := ITEM.match(raw)) and m.group(2))
            units.append(Unit(f, number, number, norm, raw.strip(), "line",
                              _shingles(norm) if n_words >= min_near else frozenset(), context(number),
                              bound, ordinals.get(number, 0), _tokens(raw), step))
    flush()
    for block in doc.code_blocks:
        body = [line.strip() for line in block.content.split("\n") if line.strip()]
        if len(body) >= 3:
            units.append(Unit(f, block.start_line, block.end_line, "\n".join(body), body[0], "code", frozenset()))
    # a paragraph before its own lines, so a repeated paragraph is one finding, not one per line
    return sorted(units, key=lambda u: (u.line, u.kind != "paragraph"))


def _same_file(a: InstructionFile, b: InstructionFile) -> bool:
    return a is b or a.source.real == b.source.real


def _span(line: int, end: int) -> str:
    return f"line {line}" if line == end else f"lines {line}-{end}"


def _groups(project: InstructionProject) -> list[list[InstructionFile]]:
    """Each file alone, then each agent's start-up set (imported files first, so the finding lands on
    the importer's own repetition); one copy of each real file per group."""
    groups: list[list[InstructionFile]] = [[f] for f in project.files]
    seen: set[tuple[str, ...]] = set()
    for load in project.loads.values():
        entries = sorted((e for e in load.entries if not e.dropped), key=lambda e: -e.depth)
        files: list[InstructionFile] = []
        for e in entries:
            m = project.by_path(e.path)
            if m is not None and not any(_same_file(m, x) for x in files):
                files.append(m)
        key = tuple(x.source.real for x in files)
        if len(files) > 1 and key not in seen:
            seen.add(key)
            groups.append(files)
    return groups


def _match(
    units: list[Unit], similarity: float
) -> Iterator[tuple[Unit, Unit, float]]:
    """(first, later copy, similarity) for every unit that repeats an earlier one."""
    exact: dict[tuple[str, str], Unit] = {}
    postings: dict[str, dict[tuple[str, ...], list[int]]] = {}  # kind -> shingle -> units having it
    for index, unit in enumerate(units):
        earlier = exact.get((unit.kind, unit.norm))
        if earlier is not None and not (_same_file(earlier.file, unit.file) and earlier.line == unit.line):
            yield earlier, unit, 1.0
            continue
        exact.setdefault((unit.kind, unit.norm), unit)
        if unit.shingles:
            shared: dict[int, int] = {}  # earlier unit -> shingles in common (a plain dict: Counter.update is slow)
            of_kind = postings.setdefault(unit.kind, {})
            for sh in unit.shingles:
                post = of_kind.setdefault(sh, [])
                if len(post) <= MAX_POSTINGS:
                    for other in post:
                        shared[other] = shared.get(other, 0) + 1
                post.append(index)
            best: tuple[float, int] | None = None
            for other, n in shared.items():
                o = units[other]
                if _same_file(o.file, unit.file) and o.line <= unit.line <= o.end_line:
                    continue
                jaccard = n / (len(o.shingles) + len(unit.shingles) - n)
                # ties go to the earliest unit: set order varies with the hash seed, findings must not
                if jaccard >= similarity and (best is None or (-jaccard, other) < (-best[0], best[1])):
                    best = (jaccard, other)
            if best is not None:
                yield units[best[1]], unit, best[0]


def _substitutions(first: Unit, copy: Unit) -> list[tuple[str, str]] | None:
    """The tokens one line swaps for another when the two are the same template filled differently
    (no token added or dropped), else None."""
    if first.kind != "line" or copy.kind != "line" or not first.tokens or not copy.tokens:
        return None
    matcher = difflib.SequenceMatcher(None, first.tokens, copy.tokens, autojunk=False)
    swaps: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op != "replace" or i2 - i1 != j2 - j1:
            return None
        swaps.extend(zip(first.tokens[i1:i2], copy.tokens[j1:j2], strict=True))
    return swaps


def _classify(first: Unit, copy: Unit, sim: float) -> Pair | None:
    """A repetition worth reporting, or None when the two only share a shape."""
    pair = Pair(first, copy, sim)
    swaps = _substitutions(first, copy)
    if swaps:
        numbers = [(INTEGER.match(a), INTEGER.match(b)) for a, b in swaps]
        counts = first.ordinal and copy.ordinal and all(
            a and b and int(b.group(1)) - int(a.group(1)) == copy.ordinal - first.ordinal for a, b in numbers)
        if not counts:
            return None  # the same template filled with different names, URLs or values
        pair.counter = True
    different_place = not _same_file(first.file, copy.file) or first.context != copy.context
    # two procedures may share a step ("3. set up the namespace" in the import and the create flow)
    pair.parallel = different_place and copy.kind == "line" and (copy.bound or (copy.step and first.step))
    return pair


def _runs(pairs: list[Pair], order: dict[tuple[str, int], int]) -> list[list[Pair]]:
    """Consecutive copies of consecutive (or the same) originals: one copied block, one finding."""
    runs: list[list[Pair]] = []
    for p in sorted(pairs, key=lambda p: (p.copy.file.path, p.copy.line)):
        if runs:
            last = runs[-1][-1]
            nxt = order.get((p.copy.file.path, p.copy.line), -2)
            adjacent = (last.copy.kind == p.copy.kind == "line" and last.copy.file is p.copy.file
                        and order.get((last.copy.file.path, last.copy.line), -9) + 1 == nxt)
            first_step = (order.get((p.first.file.path, p.first.line), -2)
                          - order.get((last.first.file.path, last.first.line), -9))
            if adjacent and (first_step == 1 or (first_step == 0 and last.counter and p.counter)):
                runs[-1].append(p)
                continue
        runs.append([p])
    return runs


def _kept(run: list[Pair]) -> bool:
    """A line that repeats only because parallel lists share an entry is not a copy; a copied run of
    several lines is, whatever each line says."""
    if not any(p.parallel for p in run):
        return True
    return len(run) >= 3 or (len(run) >= 2 and not all(p.parallel for p in run))


def _finding(run: list[Pair]) -> RawFinding:
    head, tail = run[0], run[-1]
    f = head.copy.file
    first = head.first
    same_file = _same_file(first.file, f)
    line, end = head.copy.line, tail.copy.end_line
    span = _span(line, end)
    tokens = count_text("\n".join(f.doc.lines[line - 1 : end]))
    origin_end = max(p.first.end_line for p in run)
    origin = _span(first.line, origin_end) if same_file else f"{first.file.path}:{first.line}"
    edits: tuple[TextEdit, ...] = ()
    if head.counter:
        message = (f"{span} repeat {origin} with only the item number changed: \"{clip(head.copy.raw, 80)}\""
                   if len(run) > 1 else f"near-duplicate of {origin} with only the item number changed: "
                                        f"\"{clip(head.copy.raw, 80)}\"")
    elif len(run) > 1:
        message = f"{span} repeat {origin}: \"{clip(head.copy.raw, 80)}\""
    else:
        what = {"line": "", "paragraph": "paragraph ", "code": "code block "}[head.copy.kind]
        kind = "duplicate" if head.similarity >= 1.0 else f"near-duplicate ({head.similarity:.0%} similar)"
        message = f"{what}{kind} of {origin}: \"{clip(head.copy.raw, 80)}\""
        if (same_file and head.copy.kind == "line" and head.similarity >= 1.0 and first.raw == head.copy.raw
                and f.doc.section_at(first.line) == f.doc.section_at(head.copy.line)):
            edits = (TextEdit(line, line, ""),)
    how: Fix
    if not same_file:
        how = fix("keep-one-copy", span=span, path=f.path, first=first.file.path)
    elif head.counter:
        how = fix("numbered-repeat", span=span)
    elif not edits and f.doc.section_at(first.line) != f.doc.section_at(head.copy.line):
        how = fix("delete-repeat", "state-once", span=span, where=origin)
    else:
        how = fix("delete-repeat", span=span, where=origin)
    return RawFinding(
        line=line,
        end_line=end,
        path=f.path,
        message=message,
        fix=how,
        tokens_wasted=tokens if f.always_loaded_by else 0,
        edits=edits,
        # a run that grows is a new finding: a baseline of the shorter run must not hide the new copy
        content_key=f"{head.copy.kind}:" + "\n".join(p.copy.norm for p in run),
    )


def _commands(f: InstructionFile) -> Iterator[tuple[int, str, int]]:
    """(line, command, where) for every shell command the file spells out; ``where`` is the first line
    of the code block holding it, or of the section of an inline `command` (a list of commands)."""
    doc = f.doc
    for block in doc.code_blocks:
        info = block.info.split()[0].lower() if block.info.split() else ""
        if info not in SHELL_INFOS:
            continue
        cwd = ""  # after `cd server/` the same command runs in another project: a different command
        for offset, raw in enumerate(block.content.split("\n"), start=1):
            text = raw.strip().removeprefix("$ ")
            if text.startswith("cd ") and len(text.split()) == 2:
                cwd = text.split()[1].strip("/") + "/"
                continue
            if text and not text.startswith("#") and COMMAND_HEAD.match(text):
                yield block.start_line + offset, cwd + " ".join(text.split()), block.start_line
    for span in doc.inline_code:
        text = span.text.strip().removeprefix("$ ")
        if COMMAND_HEAD.match(text) and not doc.line_in_code(span.line):
            section = doc.section_at(span.line)
            yield span.line, " ".join(text.split()), -(section.start_line if section else 1)


def _repeated_commands(f: InstructionFile, min_commands: int, reported: set[tuple[str, int]]
                       ) -> Iterator[RawFinding]:
    """A command block that repeats most of an earlier list or block of commands (a "Common commands"
    recap of the CI steps). Commands shared by different procedures (`git checkout main` before two
    different workflows) come from scattered places and do not count."""
    first_seen: dict[str, tuple[int, int]] = {}  # command -> (line, where)
    per_where: dict[int, set[str]] = {}
    repeats: dict[tuple[int, int], list[tuple[int, str, int]]] = {}  # (block, origin) -> repeats
    for line, command, where in sorted(_commands(f)):
        per_where.setdefault(where, set()).add(command)
        earlier = first_seen.get(command)
        if where > 0 and earlier is not None and earlier[1] != where:
            repeats.setdefault((where, earlier[1]), []).append((line, command, earlier[0]))
        first_seen.setdefault(command, (line, where))
    for (block, origin), found in repeats.items():
        if len(found) < min_commands or len(found) < 0.6 * len(per_where[origin]) or (f.path, block) in reported:
            continue  # a block copied whole is reported as a duplicate code block
        first, last = found[0][0], found[-1][0]
        origins = sorted({e for _, _, e in found})
        tokens = sum(count_text(c) for _, c, _ in found)
        yield RawFinding(
            line=first,
            end_line=last,
            path=f.path,
            message=(f"{len(found)} commands in lines {first}-{last} repeat the commands already given at "
                     f"{_lines(origins)} (\"{clip(found[0][1], 60)}\")"),
            fix=fix("commands-once", first=first, last=last),
            tokens_wasted=tokens if f.always_loaded_by else 0,
            content_key=f"commands:{found[0][1]}",
        )


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:6])) + ("…" if len(numbers) > 6 else "")
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}"


def _interop(project: InstructionProject, ctx: RuleContext, units_of: Callable[[InstructionFile], list[Unit]]
             ) -> Iterator[RawFinding]:
    """A CLAUDE.md that repeats most of the AGENTS.md next to it, without importing it."""
    by_dir: dict[str, dict[str, InstructionFile]] = {}
    for f in project.files:
        name = os.path.basename(f.path)
        if name in ("CLAUDE.md", "AGENTS.md"):
            by_dir.setdefault(os.path.dirname(f.path), {})[name] = f
    for pair in by_dir.values():
        claude, agents = pair.get("CLAUDE.md"), pair.get("AGENTS.md")
        if claude is None or agents is None or _same_file(claude, agents):
            continue
        if any(os.path.basename(i.target) == "AGENTS.md" and not i.in_code for i in claude.doc.imports):
            continue  # already `@AGENTS.md`: line-level findings cover what it repeats
        mine = [u for u in units_of(claude) if u.kind == "line"]
        theirs = [u for u in units_of(agents) if u.kind == "line"]
        if len(mine) < 3:
            continue
        repeated = {copy.line for _, copy, _ in _match([*theirs, *mine], ctx["similarity"])
                    if copy.file is claude}
        share = len(repeated) / len(mine)
        if share <= ctx["interop-share"]:
            continue
        own = [u.line for u in mine if u.line not in repeated]
        tokens = sum(count_text(claude.doc.lines[n - 1]) for n in sorted(repeated))
        keep = (f"lines {', '.join(map(str, own[:10]))}{'…' if len(own) > 10 else ''}" if own
                else "nothing else")
        yield RawFinding(
            line=1,
            path=claude.path,
            severity=None if share >= ctx["interop-warn-share"] else Severity.INFO,
            message=(f"{claude.path} repeats {len(repeated)} of its {len(mine)} instruction lines ({share:.0%}) "
                     f"from {agents.path}; the two copies will drift apart"),
            fix=fix("claude-imports-agents", claude=claude.path, keep=keep),
            tokens_wasted=tokens if claude.always_loaded_by else 0,
            content_key=f"interop:{agents.path}",
        )


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    cache: dict[int, list[Unit]] = {}

    def units_of(f: InstructionFile) -> list[Unit]:  # each file's units, computed once
        if id(f) not in cache:
            cache[id(f)] = _units(f, ctx["min-words"], ctx["min-words-near"])
        return cache[id(f)]

    reported: set[tuple[str, int]] = set()
    for group in _groups(project):
        units: list[Unit] = []
        for f in group:
            units.extend(units_of(f))
        order = {(u.file.path, u.line): i for i, u in enumerate(u for u in units if u.kind == "line")}
        pairs = [p for first, copy, sim in _match(units, ctx["similarity"])
                 if (p := _classify(first, copy, sim)) is not None]
        for run in _runs(pairs, order):
            f = run[0].copy.file
            lines = [n for p in run for n in range(p.copy.line, p.copy.end_line + 1)]
            if not _kept(run) or any((f.path, n) in reported for n in lines):
                continue
            reported.update((f.path, n) for n in lines)
            yield _finding(run)
    for f in project.files:
        yield from _repeated_commands(f, ctx["min-repeated-commands"], reported)
    yield from _interop(project, ctx, units_of)
