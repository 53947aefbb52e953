"""The check pipeline: inputs -> instruction projects and transcript audits -> findings -> filters ->
Report. Rules never format output and reporters never know rule internals: this is the one module
that sees both sides of a run."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctxlint import __version__
from ctxlint._runtime.fsutil import display_path
from ctxlint.config import Config
from ctxlint.core.audit import audit_paths
from ctxlint.core.filters import selected
from ctxlint.core.findings import (
    UNKNOWN_RULE,
    UNREADABLE,
    UNUSED_SUPPRESSION,
    dedupe_fingerprints,
    diagnostic,
    mask_findings,
    stamp,
    summarise,
)
from ctxlint.core.inputs import classify
from ctxlint.errors import NothingToCheck
from ctxlint.model import FileResult, Finding, RawFinding, Report, Severity
from ctxlint.rules.registry import Registered, RuleContext, registry

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
                if not file.context_only:
                    collect(rule, rule.check(file, project, ctx), file.path)
        elif rule.scope == "project":
            root_path = reported[0].path if reported else ""
            collect(rule, rule.check(project, ctx), root_path)

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
                                    git_status="CTX119" in enabled, texts=texts, home=Path.home())
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
    if not checked and inputs.unreadable:
        # Every path given was wrong (missing, not a regular file, not checkable): a usage error.
        # Directories with nothing in them are not: the report is empty (see Report.nothing_to_check).
        reasons = "; ".join(f"{p}: {r}" for p, r in inputs.unreadable)
        raise NothingToCheck(f"nothing to check ({reasons})")

    findings = mask_findings(dedupe_fingerprints(selected(findings, config, enabled | {UNREADABLE})))
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
