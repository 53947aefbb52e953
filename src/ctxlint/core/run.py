"""The engine: discover -> parse once -> run enabled rules -> stamp -> filter -> Report.

Rules never format output and reporters never know rule internals: this module is the only place
that knows both sides. It stamps every finding with its rule's id, name and severity (so a rule
cannot mislabel itself), applies selection, per-file ignores, inline suppressions and the baseline,
masks secrets, and computes the summary.
"""

from __future__ import annotations

import fnmatch
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctxlint import __version__
from ctxlint.config import Config
from ctxlint.model import (
    FileResult,
    Finding,
    RawFinding,
    Report,
    Severity,
    Source,
    SourceKind,
    Summary,
    fingerprint,
)
from ctxlint.rules.registry import Registered, RuleContext, registry

if TYPE_CHECKING:
    from ctxlint.instructions.project import InstructionProject


class NothingToCheck(Exception):
    """No input could be checked at all (exit 2)."""


@dataclass(slots=True)
class Inputs:
    """What the given paths hold: instruction files per repository, transcripts, unreadable paths."""

    instruction_groups: dict[str, list[Source]] = field(default_factory=dict)  # repo root -> sources
    # repo root -> real paths given explicitly. The whole project is still built (cross-file rules
    # such as duplicates need CLAUDE.md *and* AGENTS.md), but only these files are reported.
    focus: dict[str, set[str]] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)
    # Found in a directory without opening them (.jsonl): dropped when reading shows they are not transcripts.
    unchecked: set[str] = field(default_factory=set)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def display_path(path: str | Path) -> str:
    """Paths as the user sees them: relative to the current directory when inside it, posix."""
    p = os.path.abspath(path)
    if os.sep == "/":  # abspath and getcwd are normalised: inside means a prefix
        from ctxlint._runtime.fsutil import inside

        rel = inside(p, os.getcwd())
        return p if rel is None else rel
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive on Windows
        return Path(p).as_posix()
    return Path(p if rel.startswith("..") else rel).as_posix()


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(path, pat) or fnmatch.fnmatch(Path(path).name, pat) for pat in patterns)


def classify(paths: list[str], config: Config) -> Inputs:
    from ctxlint.instructions.discover import discover_instructions, instruction_agent, repo_root
    from ctxlint.transcripts.discover import find_transcripts

    inputs = Inputs()
    seen_real: set[str] = set()
    covered_roots: set[str] = set()

    def add_instruction(source: Source, root: Path) -> None:
        if source.real in seen_real:
            return  # reached twice (symlink, or given twice): parsed, counted, reported once
        seen_real.add(source.real)
        inputs.instruction_groups.setdefault(str(root), []).append(source)

    seen_transcripts: set[tuple[int, int]] = set()

    def add_transcript(path: str) -> None:
        # One stat instead of realpath's lstat per path component: a history folder has thousands of
        # files. The same file given twice, through a symlink or a hard link, is read once.
        try:
            st = os.stat(path)
        except OSError:
            inputs.transcripts.append(path)  # reading it reports the error (CTX001)
            return
        if (st.st_dev, st.st_ino) not in seen_transcripts:
            seen_transcripts.add((st.st_dev, st.st_ino))
            inputs.transcripts.append(path)

    for given in paths:
        p = Path(given)
        if p.is_dir():
            # A directory covers everything in it: no focus for its repository.
            covered_roots.add(str(p.resolve()))
        if not os.path.lexists(p):
            inputs.unreadable.append((display_path(p), "no such file or directory"))
            continue
        if p.is_dir():
            # A directory is checked as a project of its own: the agent is started there.
            root = p.resolve()
            for src in discover_instructions(p, config.exclude):
                shown = display_path(p / src.path)
                also = tuple(display_path(p / a) for a in src.aliases)
                add_instruction(replace(src, path=shown, aliases=also), root)
            for t in find_transcripts(str(p), check_jsonl=False):
                if not _excluded(display_path(t), config.exclude):
                    add_transcript(t)
                    if t.endswith(".jsonl"):
                        inputs.unchecked.add(t)
            continue
        if not p.is_file():
            inputs.unreadable.append((display_path(p), "not a regular file (FIFO, device or broken link)"))
            continue
        root = repo_root(p.parent)
        agent = instruction_agent(p.absolute(), root)
        if agent is not None:
            try:
                size = p.stat().st_size
            except OSError:
                size = 0
            add_instruction(
                Source(display_path(p), os.path.realpath(p), SourceKind.INSTRUCTIONS, agent, size), root
            )
            inputs.focus.setdefault(str(root), set()).add(os.path.realpath(p))
            continue
        from ctxlint.transcripts import detect_format  # here: a lone instruction file never needs it

        try:
            fmt = detect_format(str(p))
        except OSError as exc:
            inputs.unreadable.append((display_path(p), exc.strerror or exc.__class__.__name__))
            continue
        if fmt is None:
            inputs.unreadable.append(
                (display_path(p), "neither an agent instruction file nor a transcript ctxlint can read")
            )
            continue
        add_transcript(str(p))
    for covered in covered_roots:
        inputs.focus.pop(covered, None)
    for focused in list(inputs.focus):
        for src in discover_instructions(Path(focused), config.exclude):
            shown = display_path(Path(focused) / src.path)
            if src.real not in seen_real:
                add_instruction(replace(src, path=shown), Path(focused))
    return inputs


# ---------------------------------------------------------------------------------------------
# Stamping: the engine gives every raw finding its rule's identity.


def stamp(
    rule: Registered,
    raw: RawFinding,
    path: str,
    config: Config,
    *,
    line_text: str | None = None,
) -> Finding:
    meta = rule.meta
    severity = config.severity_for(meta.id) or raw.severity or meta.severity
    content = raw.content_key or (line_text.strip() if line_text else None) or raw.message
    return Finding(
        rule_id=meta.id,
        rule_name=meta.name,
        severity=severity,
        path=raw.path or path,
        line=max(1, raw.line),
        end_line=max(raw.end_line or raw.line, raw.line, 1),
        message=raw.message,
        fix=raw.fix if raw.fix is not None else meta.fix.splitlines()[0] if meta.fix else None,
        tokens_wasted=max(0, int(raw.tokens_wasted)),
        cost_wasted_usd=raw.cost_wasted_usd,
        fingerprint=fingerprint(meta.id, raw.path or path, content),
        kind=meta.kind,
        column=raw.column,
        edits=raw.edits,
        data=raw.data,
    )


def diagnostic(rule_id: str, path: str, message: str, line: int = 1, **data: Any) -> Finding:
    meta = registry()[rule_id].meta
    return Finding(
        rule_id=rule_id,
        rule_name=meta.name,
        severity=meta.severity,
        path=path,
        line=line,
        end_line=line,
        message=message,
        fix=meta.fix.splitlines()[0] if meta.fix else None,
        tokens_wasted=0,
        cost_wasted_usd=None,
        fingerprint=fingerprint(rule_id, path, message),
        kind="diagnostic",
        data=dict(data),
    )


def _dedupe_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Same rule, path and content twice (e.g. two identical vague lines): number the repeats."""
    seen: Counter[str] = Counter()
    out: list[Finding] = []
    for f in sorted(findings, key=Finding.sort_key):
        n = seen[f.fingerprint]
        seen[f.fingerprint] += 1
        out.append(f if n == 0 else replace(f, fingerprint=fingerprint(f.rule_id, f.path, f"{f.fingerprint}#{n}")))
    return out


# ---------------------------------------------------------------------------------------------
# Instruction files


def _rule_context(rule: Registered, config: Config) -> RuleContext:
    return RuleContext(rule.meta, config.options_for(rule.meta.id))


def check_instructions(
    project: InstructionProject, config: Config, enabled: list[str]
) -> dict[str, list[Finding]]:
    """Findings per instruction file path (suppressions applied, CTX003/CTX004 added)."""
    from ctxlint.core.suppress import parse_directives, unused

    reg = registry()
    per_path: dict[str, list[Finding]] = {f.path: [] for f in project.files}
    docs = {f.path: f.doc for f in project.files}

    def line_text(path: str, line: int) -> str | None:
        doc = docs.get(path)
        if doc is None or not 1 <= line <= len(doc.lines):
            return None
        return doc.lines[line - 1]

    def collect(rule: Registered, raws: Iterable[RawFinding], default_path: str) -> None:
        for raw in raws:
            path = raw.path or default_path
            per_path.setdefault(path, []).append(
                stamp(rule, raw, path, config, line_text=line_text(path, raw.line))
            )

    for rule_id in enabled:
        rule = reg[rule_id]
        if rule.meta.kind != "instructions" or rule.check is None:
            continue
        ctx = _rule_context(rule, config)
        if rule.scope == "file":
            for file in project.files:
                collect(rule, rule.check(file, project, ctx), file.path)
        elif rule.scope == "project":
            root_path = project.files[0].path if project.files else ""
            collect(rule, rule.check(project, ctx), root_path)

    # Inline suppressions, then the audit of the suppressions themselves.
    for file in project.files:
        supp = parse_directives(file.doc)
        if not supp.directives:
            continue
        kept = [f for f in per_path.get(file.path, []) if not supp.suppresses(f.rule_id, f.line)]
        for line, message in unused(supp):
            kept.append(diagnostic("CTX003", file.path, message, line))
        for d in supp.directives:
            for token in d.unknown:
                kept.append(diagnostic("CTX004", file.path, f"unknown rule {token!r} in `ctxlint-{d.kind}`", d.line))
        per_path[file.path] = kept
    return per_path


# ---------------------------------------------------------------------------------------------
# Filtering shared by every kind of finding


def _filter(findings: list[Finding], config: Config, enabled: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        if f.rule_id not in enabled:
            continue
        if config.per_file_ignores and _per_file_ignored(f, config):
            continue
        out.append(f)
    return out


def _per_file_ignored(f: Finding, config: Config) -> bool:
    base = config.root or os.getcwd()
    try:
        rel = Path(os.path.relpath(os.path.abspath(f.path), base)).as_posix()
    except ValueError:
        rel = f.path
    for glob, rules in config.per_file_ignores:
        if f.rule_id in rules and (fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(f.path, glob)):
            return True
    return False


def _mask(findings: list[Finding]) -> list[Finding]:
    from ctxlint.measure.secrets import mask

    out = []
    for f in findings:
        message, fix = mask(f.message), mask(f.fix) if f.fix else f.fix
        out.append(f if (message, fix) == (f.message, f.fix) else replace(f, message=message, fix=fix))
    return out


# ---------------------------------------------------------------------------------------------
# Transcripts


def _transcript_results(
    paths: list[str],
    config: Config,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[FileResult]:
    from ctxlint.core.audit import audit_file

    if not paths:
        return []
    workers = jobs or config.jobs or os.cpu_count() or 1
    # Size-balanced: largest first, handed out as workers free up, so no worker idles behind a giant.
    sizes = {p: _size(p) for p in paths}
    ordered = sorted(paths, key=sizes.__getitem__, reverse=True)
    results: dict[str, FileResult] = {}
    if workers <= 1 or len(ordered) == 1:
        for i, p in enumerate(ordered, 1):
            results[p] = audit_file(p, config)
            if progress:
                progress(i, len(ordered))
    else:
        from functools import partial

        from ctxlint._runtime.pool import imap_unordered
        from ctxlint.core.audit import audit_files, prepare

        prepare(config)
        done = 0
        batches = _batches(ordered, [sizes[p] for p in ordered], workers)
        for index, batch_results in imap_unordered(partial(audit_files, config=config), batches, workers):
            for p, result in zip(batches[index], batch_results, strict=True):
                results[p] = result
            done += len(batches[index])
            if progress:
                progress(done, len(ordered))
    return [results[p] for p in paths]


BATCH_BYTES = 2 * 1024 * 1024
MIN_BATCH_BYTES = 128 * 1024


def _batches(ordered: list[str], sizes: list[int], workers: int) -> list[list[str]]:
    """Files (largest first) in tasks of about ``BATCH_BYTES``: a small session is a few ms of work, so
    one task per file spent a tenth of the pool's time on task hand-offs. The largest files still go
    first and one per task, and a task never grows past a quarter of a worker's share of the work
    left, so the last tasks are small and no worker idles behind a long one at the end."""
    remaining = sum(sizes)
    batches: list[list[str]] = []
    current: list[str] = []
    filled = 0
    for path, size in zip(ordered, sizes, strict=True):
        current.append(path)
        filled += size
        if filled >= min(BATCH_BYTES, max(MIN_BATCH_BYTES, remaining // (4 * workers))):
            batches.append(current)
            remaining -= filled
            current, filled = [], 0
    if current:
        batches.append(current)
    return batches


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------------


def run_check(
    paths: list[str],
    config: Config,
    *,
    jobs: int | None = None,
    with_load_graph: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    registry()
    enabled_list = config.enabled_rules()
    enabled = set(enabled_list)
    inputs = classify(paths, config)

    files: list[FileResult] = []
    findings: list[Finding] = []
    startup: dict[str, int] = {}
    load_graph: dict[str, Any] | None = None
    load_graph_text: list[str] = []
    token_counter: str | None = None

    for path, reason in inputs.unreadable:
        files.append(FileResult(path=path, kind="unknown", agent=None))
        findings.append(diagnostic("CTX001", path, f"cannot check {path}: {reason}"))

    if inputs.instruction_groups:
        from ctxlint.instructions.build import build_project
        from ctxlint.instructions.loadgraph import load_graph_json, render_load_graph
        from ctxlint.measure.tokens import EXACT_COUNTER

        token_counter = EXACT_COUNTER
        load_graph = {}
        for root, sources in inputs.instruction_groups.items():
            project = build_project(sources, Path(root), config.requests_per_session,
                                    git_status="CTX119" in enabled)
            built = {f.source.real for f in project.files}
            for src in sources:
                if src.real not in built:
                    files.append(FileResult(path=src.path, kind="instructions", agent=src.agent))
                    findings.append(diagnostic("CTX001", src.path, f"cannot read {src.path}"))
            per_path = check_instructions(project, config, enabled_list)
            focus = inputs.focus.get(root)
            if focus:
                shown = {f.path for f in project.files if f.source.real in focus}
                per_path = {p: v for p, v in per_path.items() if p in shown}
            for f in project.files:
                if focus and f.source.real not in focus:
                    continue
                files.append(
                    FileResult(
                        path=f.path,
                        kind="instructions",
                        agent=f.source.agent,
                        tokens=f.tokens,
                        token_counter=EXACT_COUNTER,
                    )
                )
            for found in per_path.values():
                findings.extend(found)
            for agent, load in project.loads.items():
                if load.entries:
                    startup[agent] = startup.get(agent, 0) + load.tokens
            graph = load_graph_json(project)
            if graph:
                load_graph[display_path(root)] = graph
            if with_load_graph:
                load_graph_text.append(render_load_graph(project))

    price_table: str | None = None
    results = _transcript_results(inputs.transcripts, config, jobs, progress)
    input_tokens = 0
    spend: float | None = None
    for path, result in zip(inputs.transcripts, results, strict=True):
        if result.kind == "transcript" and result.agent == "unknown" and path in inputs.unchecked:
            continue  # a .jsonl file found in a directory that is not a transcript: never reported
        files.append(result)
        findings.extend(result.findings)
        result.findings = []
        if result.session:
            price_table = result.session.get("price_table") or price_table
            s = result.session
            input_tokens += (
                int(s.get("input_tokens") or 0)
                + int(s.get("cache_creation_input_tokens") or 0)
                + int(s.get("cache_read_input_tokens") or 0)
            )
            if s.get("cost_usd") is not None:
                spend = (spend or 0.0) + float(s["cost_usd"])

    checked = [f for f in files if f.kind != "unknown"]
    if not checked:
        reasons = "; ".join(f"{p}: {r}" for p, r in inputs.unreadable) or "no instruction files or transcripts found"
        raise NothingToCheck(f"nothing to check ({reasons})")

    findings = _mask(_dedupe_fingerprints(_filter(findings, config, enabled | {"CTX001"})))
    summary = summarise(findings, len(checked))
    summary.startup_tokens = startup
    summary.input_tokens = input_tokens
    summary.cost_usd = spend
    return Report(
        ctxlint_version=__version__,
        files=files,
        findings=findings,
        summary=summary,
        root=display_path(os.getcwd()),
        load_graph=load_graph,
        load_graph_text="\n".join(load_graph_text) if with_load_graph else None,
        price_table=price_table,
        token_counter=token_counter,
    )


def summarise(findings: list[Finding], file_count: int) -> Summary:
    by_sev = Counter(f.severity.label for f in findings)
    by_rule = Counter(f.rule_id for f in findings)
    costs = [f.cost_wasted_usd for f in findings if f.cost_wasted_usd is not None]
    return Summary(
        files=file_count,
        findings=len(findings),
        by_severity={s.label: by_sev.get(s.label, 0) for s in sorted(Severity, reverse=True)},
        by_rule=dict(sorted(by_rule.items())),
        tokens_wasted=sum(f.tokens_wasted for f in findings if f.kind != "instructions"),
        instruction_tokens_per_request=sum(f.tokens_wasted for f in findings if f.kind == "instructions"),
        cost_wasted_usd=round(sum(costs), 6) if costs else None,
    )


def exit_code(report: Report, fail_on: Severity | None) -> int:
    if fail_on is None:
        return 0
    return 1 if any(f.severity >= fail_on for f in report.findings) else 0
