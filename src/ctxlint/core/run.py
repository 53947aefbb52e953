"""The check pipeline: inputs -> instruction projects and transcript audits -> findings -> filters ->
Report. Rules never format output and reporters never know rule internals: this is the one module
that sees both sides of a run."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctxlint import __version__
from ctxlint._runtime.fsutil import display_path, remove_stale_temps
from ctxlint._runtime.timeguard import FileTimeout, time_limit
from ctxlint.config import Config
from ctxlint.core.audit import audit_paths
from ctxlint.core.filters import selected
from ctxlint.core.findings import (
    UNKNOWN_RULE,
    UNREADABLE,
    UNUSED_SUPPRESSION,
    dedupe_fingerprints,
    diagnostic,
    stamp,
    summarise,
)
from ctxlint.core.inputs import classify
from ctxlint.errors import NothingToCheck
from ctxlint.instructions.files import repo_root
from ctxlint.model import FileResult, Finding, FixTarget, RawFinding, Report, Severity
from ctxlint.rules.registry import Registered, RuleContext, registry
from ctxlint.transcripts.session_facts import counted_once

if TYPE_CHECKING:
    from ctxlint.instructions.project import InstructionProject


def _rule_context(rule: Registered, config: Config) -> RuleContext:
    return RuleContext(rule.meta, config.options_for(rule.meta.id))


def _instruction_claims() -> list[tuple[str, str]]:
    """The order and kind of the instruction rules' token claims (``rules/attribution.yaml``)."""
    from ctxlint.rules.attribution import CLAIM_KINDS
    from ctxlint.rules.registry import shared_data

    rows = shared_data("attribution").get("instructions") or []
    out = [(str(r["rule"]), str(r["claims"])) for r in rows]
    bad = [kind for _, kind in out if kind not in CLAIM_KINDS]
    if bad:
        raise ValueError(f"rules/attribution.yaml: unknown claim kind {bad[0]!r}")
    return out


def _run_rules(rules: list[tuple[Registered, RuleContext]], *subject: Any) -> list[tuple[Registered, RawFinding]]:
    """Every finding of ``rules`` on ``subject`` (a file and its project, or the project)."""
    return [(rule, raw) for rule, ctx in rules if rule.check is not None for raw in rule.check(*subject, ctx)]


def check_instructions(
    project: InstructionProject, config: Config, enabled: list[str]
) -> dict[str, list[Finding]]:
    """Findings per instruction file path (suppressions applied, CTX003/CTX004 added), each removable
    token attributed to one finding. Files above the working directory (an ancestor's CLAUDE.md) are
    part of the loads but never reported."""
    from ctxlint.core.suppress import parse_directives, unused  # only files with directives need it
    from ctxlint.rules.attribution import attribute_instructions

    reg = registry()
    every = [*project.files, *project.skills, *project.unloaded]
    reported = [f for f in every if not f.context_only]
    per_path: dict[str, list[Finding]] = {f.path: [] for f in reported}
    docs = {f.path: f.doc for f in every}

    def line_text(path: str, line: int) -> str | None:
        doc = docs.get(path)
        if doc is None or not 1 <= line <= len(doc.lines):
            return None
        return doc.lines[line - 1]

    def collect(found: Iterable[tuple[Registered, RawFinding]], default_path: str) -> None:
        for rule, raw in found:
            path = raw.path or default_path
            per_path.setdefault(path, []).append(
                stamp(rule, raw, path, config, line_text=line_text(path, raw.line))
            )

    def guarded(path: str, run: Callable[[], list[tuple[Registered, RawFinding]]]) -> None:
        """``run``'s findings, or, past the per-file time guard, a CTX001 finding instead of a hang."""
        limit = config.timeout_per_file
        try:
            with time_limit(limit):
                found = run()
        except FileTimeout:
            per_path.setdefault(path, []).append(diagnostic(
                UNREADABLE, path, f"analysis of {path} stopped after {limit:g} s "
                "(raise timeout-per-file in the config to allow more)"))
            return
        collect(found, path)

    rules = [reg[r] for r in enabled if reg[r].meta.kind == "instructions" and reg[r].check is not None]
    file_rules = [(rule, _rule_context(rule, config)) for rule in rules if rule.scope == "file"]
    project_rules = [(rule, _rule_context(rule, config)) for rule in rules if rule.scope == "project"]
    for file in project.files:
        if file.context_only:
            continue
        if file.doc.parse_error:  # the rules ran on what could be parsed: say what is missing
            per_path.setdefault(file.path, []).append(diagnostic(
                UNREADABLE, file.path, f"{file.path} could not be parsed whole ({file.doc.parse_error}); "
                "findings that need its structure may be missing"))
        guarded(file.path, partial(_run_rules, file_rules, file, project))
    if project_rules:
        guarded(reported[0].path if reported else "", partial(_run_rules, project_rules, project))

    for context in (f for f in every if f.context_only):
        per_path.pop(context.path, None)
    # Inline suppressions, then the audit of the suppressions themselves.
    for file in reported:
        supp = parse_directives(file.doc)
        if not supp.directives:
            continue
        kept = [f for f in per_path.get(file.path, []) if not supp.suppresses(f.rule_id, f.line)]
        for line, message in unused(supp):
            kept.append(diagnostic(UNUSED_SUPPRESSION, file.path, message, line))
        for d in supp.directives:
            for token in d.unknown:
                kept.append(diagnostic(UNKNOWN_RULE, file.path, f"unknown rule {token!r} in `ctxlint-{d.kind}`", d.line))
        per_path[file.path] = kept
    ordered = [f for found in per_path.values() for f in found]
    attributed = iter(attribute_instructions(ordered, project, _instruction_claims()))
    return {path: [next(attributed) for _ in found] for path, found in per_path.items()}


def run_check(
    paths: list[str],
    config: Config | None = None,
    *,
    jobs: int | None = None,
    with_load_graph: bool = False,
    progress: Callable[[int, int], None] | None = None,
    texts: Mapping[str, str] | None = None,
) -> Report:
    """Check ``paths``. ``texts`` maps an instruction file's real path to the text to check instead of
    the file's (an editor's unsaved buffer: the language server checks what the user sees)."""
    config = config or Config()
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
        findings.append(diagnostic(UNREADABLE, path, f"cannot check {path}: {reason}"))

    if inputs.instruction_groups:
        from ctxlint.instructions.build import build_project
        from ctxlint.instructions.loadgraph import load_graph_json, render_load_graph
        from ctxlint.measure.tokens import EXACT_COUNTER

        token_counter = EXACT_COUNTER
        load_graph = {}
        for root, sources in inputs.instruction_groups.items():
            project = build_project(sources, Path(root), config.requests_per_session,
                                    git_status="CTX119" in enabled, texts=texts, home=Path.home(),
                                    timeout=config.timeout_per_file)
            # --fix stays inside the repository of the checked path (not the working directory)
            fix_root = os.path.realpath(repo_root(Path(root)))
            for folder in sorted({os.path.dirname(s.real) for s in sources}):
                remove_stale_temps(folder)  # what a --fix killed mid-write left beside a file
            listed = [f for f in (*project.files, *project.skills, *project.unloaded) if not f.context_only]
            built = {f.source.real for f in listed}
            for src in sources:
                if src.real not in built:
                    files.append(FileResult(path=src.path, kind="instructions", agent=src.agent))
                    reason = project.unreadable.get(src.real, "cannot be read")
                    findings.append(diagnostic(UNREADABLE, src.path, f"cannot check {src.path}: {reason}"))
            per_path = check_instructions(project, config, enabled_list)
            focus = inputs.focus.get(root)
            if focus:
                shown = {f.path for f in project.files if f.source.real in focus}
                per_path = {p: v for p, v in per_path.items() if p in shown}
            for f in listed:
                if focus and f.source.real not in focus:
                    continue
                files.append(
                    FileResult(
                        path=f.path,
                        kind="instructions",
                        agent=f.source.agent,
                        tokens=f.tokens,
                        token_counter=EXACT_COUNTER,
                        fix_target=FixTarget(fix_root, f.digest) if f.editable and f.digest else None,
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
    results = audit_paths(inputs.transcripts, config, jobs, progress)
    input_tokens = 0
    spend: float | None = None
    sessions: list[dict[str, Any]] = []
    for path, result in zip(inputs.transcripts, results, strict=True):
        if result.kind == "transcript" and result.agent == "unknown" and path in inputs.unchecked:
            continue  # a .jsonl file found in a directory that is not a transcript: never reported
        files.append(result)
        findings.extend(result.findings)
        result.findings = []
        if result.session:
            price_table = result.session.get("price_table") or price_table
            sessions.append(result.session)
    # A resumed Codex rollout copies the requests of the session it resumed: counted once when both are here.
    for s in counted_once(sessions):
        input_tokens += (
            int(s.get("input_tokens") or 0)
            + int(s.get("cache_creation_input_tokens") or 0)
            + int(s.get("cache_read_input_tokens") or 0)
        )
        if s.get("cost_usd") is not None:
            spend = (spend or 0.0) + float(s["cost_usd"])

    checked = [f for f in files if f.kind != "unknown"]
    if not checked and inputs.unreadable:
        # Every path given was wrong (missing, not a regular file, not checkable): a usage error.
        # Directories with nothing in them are not: the report is empty (see Report.nothing_to_check).
        reasons = "; ".join(f"{p}: {r}" for p, r in inputs.unreadable)
        raise NothingToCheck(f"nothing to check ({reasons})")

    findings = dedupe_fingerprints(selected(findings, config, enabled | {UNREADABLE}))
    summary = summarise(findings, len(checked), load_graph=load_graph)
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


def exit_code(report: Report, fail_on: Severity | None) -> int:
    if fail_on is None:
        return 0
    return 1 if any(f.severity >= fail_on for f in report.findings) else 0
