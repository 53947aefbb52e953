"""The terminal report: findings grouped by file, each with its fix, then a summary.

    CLAUDE.md:1: CTX101 instruction-file-too-long [warning] 412 lines > 200 (≈ 2,100 tokens/request)
      fix: Cut content the agent can discover itself ...

Colours only on a TTY (the CLI decides); no rich dependency so start-up stays fast.
"""

from __future__ import annotations

from itertools import groupby

from ctxlint.model import Finding, Report, Severity

COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _usd(value: float | None) -> str:
    if value is None:
        return ""
    return f"${value:,.2f}" if value >= 0.01 else f"${value:.4f}"


def _waste(f: Finding) -> str:
    if not f.tokens_wasted:
        return ""
    if f.kind == "instructions":
        return f" (≈ {f.tokens_wasted:,} tokens/request)"
    cost = _usd(f.cost_wasted_usd)
    return f" (≈ {f.tokens_wasted:,} tokens wasted{', ' + cost if cost else ''})"


def session_block(session: dict[str, object]) -> list[str]:
    s = session
    models = ", ".join(str(m) for m in s.get("models") or []) or "unknown model"  # type: ignore[attr-defined]
    lines = [
        f"  session: {s.get('agent')} · {models} · {s.get('started_at') or '?'} → {s.get('ended_at') or '?'}",
        "  requests: {r:,} · input {i:,} · cache write {cw:,} · cache read {cr:,} · output {o:,}".format(
            r=int(s.get("requests") or 0),  # type: ignore[call-overload]
            i=int(s.get("input_tokens") or 0),  # type: ignore[call-overload]
            cw=int(s.get("cache_creation_input_tokens") or 0),  # type: ignore[call-overload]
            cr=int(s.get("cache_read_input_tokens") or 0),  # type: ignore[call-overload]
            o=int(s.get("output_tokens") or 0),  # type: ignore[call-overload]
        ),
    ]
    window = s.get("context_window")
    peak = int(s.get("peak_context_tokens") or 0)  # type: ignore[call-overload]
    fill = f" ({peak / int(window):.0%} of {int(window):,})" if window else ""  # type: ignore[call-overload]
    cost = s.get("cost_usd")
    lines.append(
        f"  peak context {peak:,}{fill} · compactions {s.get('compactions', 0)} · subagents {s.get('subagents', 0)}"
        + (f" · cost {_usd(float(cost))} (API-equivalent)" if isinstance(cost, (int, float)) else " · cost unpriced")
    )
    return lines


def render(report: Report, *, color: bool = False, quiet: bool = False) -> str:
    out: list[str] = []
    if report.load_graph_text:
        out.append(report.load_graph_text.rstrip())
        out.append("")
    sessions = {f.path: f.session for f in report.files if f.session}
    shown_sessions: set[str] = set()
    for path, group in groupby(sorted(report.findings, key=Finding.sort_key), key=lambda f: f.path):
        if not quiet and path in sessions:
            out.append(_c(path, "1", color))
            out.extend(session_block(sessions[path] or {}))
            shown_sessions.add(path)
        for f in group:
            sev = _c(f"[{f.severity.label}]", COLORS[f.severity], color)
            out.append(f"{f.path}:{f.line}: {_c(f.rule_id, '1', color)} {f.rule_name} {sev} {f.message}{_waste(f)}")
            if f.fix and not quiet:
                out.append(f"  fix: {f.fix}")
    if not quiet:
        for path, session in sessions.items():
            if path not in shown_sessions and session:
                out.append(_c(path, "1", color))
                out.extend(session_block(session))
    if out:
        out.append("")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def _removable(tokens: int) -> str:
    return f" ({tokens:,} removable by the fixes)" if tokens else ""


def summary_line(report: Report) -> str:
    s = report.summary
    sev = ", ".join(f"{n} {name}" for name, n in s.by_severity.items() if n) or "no findings"
    parts = [f"{s.files} file(s) checked", f"{s.findings} finding(s) ({sev})"]
    if s.tokens_wasted:
        cost = _usd(s.cost_wasted_usd)
        parts.append(f"{s.tokens_wasted:,} tokens wasted" + (f" ({cost})" if cost else ""))
    if s.input_tokens:
        parts.append(f"of {s.input_tokens:,} input tokens" + (f" ({_usd(s.cost_usd)})" if s.cost_usd else ""))
    line = " · ".join(parts)
    if s.startup_tokens:
        per_agent = ", ".join(f"{agent} {tokens:,} tokens" + _removable(s.instruction_tokens_per_request.get(agent, 0))
                              for agent, tokens in sorted(s.startup_tokens.items()))
        line += f"\ninstruction files paid on every request before the first prompt: {per_agent}"
    if report.baseline_suppressed:
        line += f"\n{report.baseline_suppressed} finding(s) hidden by the baseline"
    return line
