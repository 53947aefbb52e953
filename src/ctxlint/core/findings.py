"""Findings as reports show them: the engine stamps each detector's raw finding with its rule's
identity (so a rule cannot mislabel itself), numbers repeated fingerprints, and totals a run.

A finding's message and fix are made safe as the finding is made (``shown``): secrets masked and
control characters written out, so no report, cache entry, baseline or exported table can hold
either, wherever the finding goes next."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from ctxlint.config import Config
from ctxlint.model import Basis, Finding, RawFinding, Severity, Summary, fingerprint
from ctxlint.rules.registry import Registered, registry

# The diagnostics the engine itself reports (rules/CTX00n.yaml).
UNREADABLE = "CTX001"
MALFORMED = "CTX002"
UNUSED_SUPPRESSION = "CTX003"
UNKNOWN_RULE = "CTX004"


def shown(text: str) -> str:
    """A message or fix as every output may hold it: secrets masked (``measure.secrets``), control
    characters and line breaks as visible escapes (``_runtime.safeout``)."""
    from ctxlint._runtime.safeout import one_line
    from ctxlint.measure.secrets import mask

    return one_line(mask(text))


def _shown_data(data: Any) -> Any:
    """A finding's data (what a live nudge names: a file, a command) made safe as its message is."""
    if isinstance(data, str):
        return shown(data)
    if isinstance(data, dict):
        return {key: _shown_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_shown_data(value) for value in data]
    return data


def stamp(
    rule: Registered,
    raw: RawFinding,
    path: str,
    config: Config,
    *,
    line_text: str | None = None,
    agent: str | None = None,
) -> Finding:
    """``raw`` as a finding of ``rule``: its id, name and severity, the fix written from the rule's
    templates (``agent`` picks an agent's own text), and a fingerprint of its content."""
    meta = rule.meta
    severity = config.severity_for(meta.id) or raw.severity or meta.severity
    content = raw.content_key or (line_text.strip() if line_text else None) or raw.message
    basis = raw.basis or meta.basis
    message = raw.message
    if basis is Basis.MODELLED and raw.tokens_wasted > 0 and "modelled" not in message:
        # A counterfactual saving is never shown as if it had been measured (detectors say what the
        # model assumes; this is the floor for one that does not).
        message += " (modelled saving)"
    return Finding(
        rule_id=meta.id,
        rule_name=meta.name,
        severity=severity,
        path=raw.path or path,
        line=max(1, raw.line),
        end_line=max(raw.end_line or raw.line, raw.line, 1),
        message=shown(message),
        fix=shown(meta.fix_text(raw.fix, agent)) if raw.fix is not None else meta.fix.splitlines()[0] if meta.fix
        else None,
        tokens_wasted=max(0, int(raw.tokens_wasted)),
        cost_wasted_usd=raw.cost_wasted_usd,
        fingerprint=fingerprint(meta.id, raw.path or path, content),
        kind=meta.kind,
        column=raw.column,
        edits=raw.edits,
        data=_shown_data(raw.data),
        basis=basis,
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
        message=shown(message),
        fix=meta.fix.splitlines()[0] if meta.fix else None,
        tokens_wasted=0,
        cost_wasted_usd=None,
        fingerprint=fingerprint(rule_id, path, message),
        kind="diagnostic",
        data=dict(data),
    )


def dedupe_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Same rule, path and content twice (e.g. two identical vague lines): number the repeats."""
    seen: Counter[str] = Counter()
    out: list[Finding] = []
    for f in sorted(findings, key=Finding.sort_key):
        n = seen[f.fingerprint]
        seen[f.fingerprint] += 1
        out.append(f if n == 0 else replace(f, fingerprint=fingerprint(f.rule_id, f.path, f"{f.fingerprint}#{n}")))
    return out


def removable_per_request(findings: list[Finding], load_graph: dict[str, Any] | None) -> dict[str, int]:
    """Per agent: the instruction tokens the findings remove from every request, never more than the
    agent loads. A finding counts for the agents that load its file at start (``data["file"]`` names the
    file when it is not the finding's own: CTX107's imported file), capped by what each loads of that
    file; a finding about agents' whole load (``data["agents"]``, CTX102) counts for those agents only.
    Each token is already attributed to one finding (``rules.attribution.attribute_instructions``)."""
    per_file: Counter[str] = Counter()
    per_agent: Counter[tuple[str, str]] = Counter()  # (finding path, agent)
    for f in findings:
        if f.kind != "instructions" or f.tokens_wasted <= 0:
            continue
        if "agents" in f.data:
            for agent in f.data["agents"]:
                per_agent[(f.path, str(agent))] += f.tokens_wasted
        else:
            per_file[str(f.data.get("file", f.path))] += f.tokens_wasted
    out: Counter[str] = Counter()
    for agents in (load_graph or {}).values():
        for agent, load in agents.items():
            files = [e for e in load.get("files", []) if not e.get("dropped")]
            removable = sum(min(int(e["tokens"]), per_file[e["path"]]) for e in files)
            removable += sum(per_agent[(e["path"], agent)] for e in files)
            out[agent] += min(int(load.get("tokens", 0)), removable)
    return {agent: n for agent, n in sorted(out.items())}


def waste_by_basis(findings: list[Finding], load_graph: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Transcript waste (tokens, dollars) and instruction tokens per request (per agent), per basis:
    measured waste is never added to a modelled saving without saying which is which."""
    out: dict[str, dict[str, Any]] = {}
    for basis in Basis:
        mine = [f for f in findings if f.basis is basis]
        costs = [f.cost_wasted_usd for f in mine if f.cost_wasted_usd is not None and f.kind != "instructions"]
        out[basis.value] = {
            "findings": len(mine),
            "tokens_wasted": sum(f.tokens_wasted for f in mine if f.kind != "instructions"),
            "cost_wasted_usd": round(sum(costs), 6) if costs else None,
            "instruction_tokens_per_request": removable_per_request(mine, load_graph),
        }
    return out


def summarise(
    findings: list[Finding], file_count: int, *, like: Summary | None = None, load_graph: dict[str, Any] | None = None
) -> Summary:
    """The totals of ``findings``; the run's own figures (start-up tokens, input tokens, spend) are
    carried over from ``like``, the summary of the run these findings were kept from. ``load_graph`` (the
    report's) caps each agent's removable instruction tokens by what it loads."""
    by_sev = Counter(f.severity.label for f in findings)
    by_rule = Counter(f.rule_id for f in findings)
    costs = [f.cost_wasted_usd for f in findings if f.cost_wasted_usd is not None]
    summary = Summary(
        files=file_count,
        findings=len(findings),
        by_severity={s.label: by_sev.get(s.label, 0) for s in sorted(Severity, reverse=True)},
        by_rule=dict(sorted(by_rule.items())),
        tokens_wasted=sum(f.tokens_wasted for f in findings if f.kind != "instructions"),
        instruction_tokens_per_request=removable_per_request(findings, load_graph),
        cost_wasted_usd=round(sum(costs), 6) if costs else None,
        by_basis=waste_by_basis(findings, load_graph),
    )
    if like is not None:
        summary.startup_tokens, summary.input_tokens, summary.cost_usd = like.startup_tokens, like.input_tokens, \
            like.cost_usd
    return summary
