"""The terminal report: the findings by importance, each with its fix, repeated ones folded; the
transcripts' sessions; a summary.

    CLAUDE.md:1: CTX101 instruction-file-too-long [warning] 412 lines > 200 (≈ 2,100 tokens/request)
      fix: Cut content the agent can discover itself ...
    CLAUDE.md:74: CTX104 duplicated-instruction [warning] 9 findings on lines 74–82 (≈ 963 tokens/request)
      line 74: near-duplicate (95% similar) of line 73: ...

Colours only on a TTY (the CLI decides); no rich dependency so start-up stays fast.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ctxlint.core.fixes import fixability
from ctxlint.model import Finding, Report, Severity
from ctxlint.reporters.check.order import Group, grouped, ordered

COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _usd(value: float | None) -> str:
    if value is None:
        return ""
    return f"${value:,.2f}" if value >= 0.01 else f"${value:.4f}"


def _waste(f: Finding) -> str:
    if not f.tokens_wasted:
        # some waste is dollars only (a cache rebuilt at the write price): still say it and its basis
        return f" ({_usd(f.cost_wasted_usd)} wasted, {f.basis})" if f.cost_wasted_usd else ""
    basis = "" if f.basis == "modelled" and "modelled" in f.message else f", {f.basis}"  # said once is enough
    if f.kind == "instructions":
        return f" (≈ {f.tokens_wasted:,} tokens/request{basis})"
    cost = _usd(f.cost_wasted_usd)
    return f" (≈ {f.tokens_wasted:,} tokens wasted{', ' + cost if cost else ''}{basis})"


def basis_split(report: Report) -> str:
    """'measured 12,000, modelled 340,000' (or 'all measured'): a waste total's parts by basis, so a
    counterfactual saving is never read as measured waste."""
    parts = [(b, int(v.get("tokens_wasted") or 0)) for b, v in report.summary.by_basis.items()]
    parts = [p for p in parts if p[1]]
    if len(parts) < 2:
        return f"all {parts[0][0]}" if parts else ""
    return ", ".join(f"{b} {n:,}" for b, n in parts)


def _count(value: object) -> str:
    """A session figure, or "unknown" where the agent's store does not record it (None)."""
    return f"{value:,}" if isinstance(value, int) else "unknown"


def session_block(session: dict[str, object]) -> list[str]:
    s = session
    models = ", ".join(str(m) for m in s.get("models") or []) or "unknown model"  # type: ignore[attr-defined]
    lines = [
        f"  session: {s.get('agent')} · {models} · {s.get('started_at') or '?'} → {s.get('ended_at') or '?'}",
        f"  requests: {_count(s.get('requests'))} · input {_count(s.get('input_tokens'))} · cache write "
        f"{_count(s.get('cache_creation_input_tokens'))} · cache read {_count(s.get('cache_read_input_tokens'))} · "
        f"output {_count(s.get('output_tokens'))}",
    ]
    if s.get("input_tokens") is None and isinstance(s.get("input_tokens_including_cache"), int):
        lines[-1] += f" · all input {_count(s['input_tokens_including_cache'])} (no cache split recorded)"
    window = s.get("context_window")
    peak = s.get("peak_context_tokens")
    fill = f" ({peak / int(window):.0%} of {int(window):,})" if window and isinstance(peak, int) else ""  # type: ignore[call-overload]
    cost = s.get("cost_usd")
    lines.append(
        f"  peak context {_count(peak)}{fill} · compactions {s.get('compactions', 0)} · subagents {s.get('subagents', 0)}"
        + (f" · cost {_usd(float(cost))} (API-equivalent)" if isinstance(cost, (int, float)) else " · cost unpriced")
        + (f" · the agent's own price {_usd(float(own))}" if isinstance(own := s.get("agent_cost_usd"), (int, float))
           and not isinstance(cost, (int, float)) else "")
    )
    if s.get("basis") == "estimated":
        lines.append("  sizes estimated from the stored text: the agent records no input per request")
    return lines


def _finding_line(f: Finding, color: bool) -> str:
    sev = _c(f"[{f.severity.label}]", COLORS[f.severity], color)
    return f"{f.path}:{f.line}: {_c(f.rule_id, '1', color)} {f.rule_name} {sev} {f.message}{_waste(f)}"


def _group_lines(group: Group, color: bool, quiet: bool) -> list[str]:
    """One finding as before; a group as a header (count, lines, total waste), its first member and fix."""
    f = group.first
    if len(group.findings) == 1:
        return [_finding_line(f, color)] + ([f"  fix: {f.fix}"] if f.fix and not quiet else [])
    first_line, last_line = group.lines
    severity = max(g.severity for g in group.findings)
    sev = _c(f"[{severity.label}]", COLORS[severity], color)
    total = replace(f, tokens_wasted=group.tokens_wasted, cost_wasted_usd=_total_cost(group))
    out = [f"{f.path}:{f.line}: {_c(f.rule_id, '1', color)} {f.rule_name} {sev} "
           f"{len(group.findings)} findings on lines {first_line}–{last_line}{_waste(total)}",
           f"  line {f.line}: {f.message}"]
    if not quiet:
        if f.fix:
            out.append(f"  fix: {f.fix}")
        out.append(f"  … and {len(group.findings) - 1} more like it (--no-group lists each)")
    return out


def _total_cost(group: Group) -> float | None:
    costs = [f.cost_wasted_usd for f in group.findings if f.cost_wasted_usd is not None]
    return sum(costs) if costs else None


def render(report: Report, *, color: bool = False, quiet: bool = False, sort: str = "severity",
           group: bool = True) -> str:
    """Findings by importance (or ``sort``), repeated ones folded (unless ``group=False``), then the
    transcripts' session blocks and the summary. ``quiet``: the findings only."""
    if not report.summary.files and not report.findings:
        return ""  # nothing to check: the CLI says so on stderr
    out: list[str] = []
    if report.load_graph_text and not quiet:
        out.append(report.load_graph_text.rstrip())
        out.append("")
    for g in grouped(report.findings, sort, group=group):
        out.extend(_group_lines(g, color, quiet))
    if quiet:
        return "\n".join(out) + "\n" if out else ""
    sessions = [(f.path, f.session) for f in report.files if f.session]
    for path, session in sessions:
        if out:
            out.append("")
        out.append(_c(path, "1", color))
        out.extend(session_block(session))
    if out:
        out.append("")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def _removable(tokens: int) -> str:
    return f" ({tokens:,} removable by the fixes)" if tokens else ""


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def summary_line(report: Report) -> str:
    s = report.summary
    sev = ", ".join(plural(n, name, "info" if name == "info" else None)
                    for name, n in s.by_severity.items() if n) or "no findings"
    parts = [f"{plural(s.files, 'file')} checked", f"{plural(s.findings, 'finding')} ({sev})"
             if s.findings else "no findings"]
    safe = sum(1 for f in report.findings if fixability(f) == "safe")
    unsafe = sum(1 for f in report.findings if fixability(f) == "unsafe")
    if safe:
        parts.append(f"{safe:,} fixable with --fix")
    if unsafe:
        parts.append(f"{unsafe:,} {'more ' if safe else ''}fixable with --fix --unsafe-fixes")
    if s.tokens_wasted:
        cost = _usd(s.cost_wasted_usd)
        split = basis_split(report)
        parts.append(f"{s.tokens_wasted:,} tokens wasted" + (f" ({cost})" if cost else "") + (f" [{split}]" if split else ""))
    if s.input_tokens:
        parts.append(f"of {s.input_tokens:,} input tokens" + (f" ({_usd(s.cost_usd)})" if s.cost_usd else ""))
    line = " · ".join(parts)
    if s.startup_tokens:
        per_agent = ", ".join(f"{agent} {tokens:,} tokens" + _removable(s.instruction_tokens_per_request.get(agent, 0))
                              for agent, tokens in sorted(s.startup_tokens.items()))
        line += f"\ninstruction files paid on every request before the first prompt: {per_agent}"
    if report.baseline_suppressed:
        line += f"\n{plural(report.baseline_suppressed, 'finding')} hidden by the baseline"
    return line


def statistics(report: Report, sort: str = "severity") -> str:
    """One row per rule, like ``ruff --statistics``: count, rule, severity, fixable, tokens."""
    rows = statistics_rows(report, sort)
    table = [(f"{r['count']:,}", r["code"], r["name"], r["severity"],
              {"safe": "[*]", "unsafe": "[-]"}.get(r["fixable"] or "", ""), r["tokens"]) for r in rows]
    widths = [max((len(row[i]) for row in table), default=0) for i in range(6)]
    lines = [f"{row[0]:>{widths[0]}}  " + "  ".join(v.ljust(w) for v, w in zip(row[1:], widths[1:], strict=True))
             for row in table]
    lines = [line.rstrip() for line in lines]
    if any(r["fixable"] for r in rows):
        lines.append("[*] fixable with --fix, [-] with --fix --unsafe-fixes")
    return "\n".join([*lines, "", summary_line(report)]) + "\n" if lines else summary_line(report) + "\n"


def statistics_rows(report: Report, sort: str = "severity") -> list[dict[str, Any]]:
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    groups = sorted((Group(tuple(ordered(fs, sort))) for fs in by_rule.values()),
                    key=lambda g: (-len(g.findings), g.first.rule_id) if sort == "file" else g.sort_key(sort))
    rows = []
    for g in groups:
        f = g.first
        kinds = {fixability(x) for x in g.findings}
        instructions = all(x.kind == "instructions" for x in g.findings)
        tokens = g.tokens_wasted
        rows.append({
            "code": f.rule_id, "name": f.rule_name, "count": len(g.findings),
            "severity": max(x.severity for x in g.findings).label,
            "fixable": "safe" if "safe" in kinds else "unsafe" if "unsafe" in kinds else None,
            "tokens_wasted": tokens,
            "tokens": "" if not tokens else f"≈ {tokens:,} tokens/request" if instructions else f"≈ {tokens:,} tokens wasted",
        })
    return rows
