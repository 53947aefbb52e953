"""The coach as one self-contained HTML file: inline SVG charts, no scripts, no external requests.

Charts: context fill over requests for the costliest sessions (with the window, the 80% line and
compaction markers), avoidable tokens by habit, and the weekly trend (spend bars, waste-share line).
Every string that comes from a transcript or the file system is secret-masked and escaped. Readable
on a laptop and in print (``@media print``). Each chart carries ``data-series`` / ``data-points``
attributes so tests (and people) can check what was drawn.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ctxlint.coach.aggregate import compact_tokens, trend
from ctxlint.coach.instructions import instruction_sentence
from ctxlint.measure.secrets import mask
from ctxlint.reporters.coach import (
    basis_split,
    habit_figures,
    plural,
    question,
    session_figures,
    session_name,
    spend,
)

CSS = """
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--accent:#0969da;--warn:#cf222e;--amber:#9a6700}
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:var(--fg);
background:var(--bg)}
main{max-width:1120px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:24px;margin:0 0 2px}h2{font-size:18px;margin:34px 0 6px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:18px 0 2px}
p{margin:6px 0}.muted{color:var(--muted)}.small{font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:18px 0 6px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card b{display:block;font-size:22px;line-height:1.3}
.card.alert b{color:var(--warn)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);margin:8px 0}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;font-weight:600;font-size:13px}th.num{text-align:right}td.num{text-align:right;white-space:nowrap}
td.fix{min-width:320px}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff1f3;padding:1px 4px;border-radius:4px;
overflow-wrap:anywhere}
.chart{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 8px 4px;margin:8px 0 14px}
svg{display:block;width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.legend{font-size:12px;color:var(--muted);margin:2px 4px 6px}.legend span{margin-right:16px;white-space:nowrap}
.sw{display:inline-block;width:14px;height:3px;margin-right:5px;vertical-align:middle}
.sw.dash{background:repeating-linear-gradient(90deg,var(--warn) 0 4px,transparent 4px 7px)}
.eg{color:var(--muted);font-size:12px;margin-top:3px}
.bar{display:inline-block;height:8px;background:var(--warn);border-radius:2px;vertical-align:middle}
footer{margin-top:36px;color:var(--muted);font-size:12px}
details.habit{background:#fff;border:1px solid var(--line);border-radius:8px;margin:6px 0;padding:0}
details.habit>summary{cursor:pointer;padding:8px 12px;list-style-position:outside;margin-left:14px}
details.habit>div{padding:4px 14px 10px 26px;border-top:1px solid #eaeef2}
details.session{margin:6px 0}details.session>summary{cursor:pointer}
details.session ul{margin:4px 0 6px;padding-left:18px}
table.outcomes td:first-child{white-space:nowrap}
.q{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px;margin:4px 0}
.seg-measured{fill:#cf222e}.seg-modelled{fill:#bf8700}.seg-estimated{fill:#8c959f}
@media print{
  @page{margin:14mm}
  body{background:#fff;font-size:11px}main{max-width:none;padding:0}
  .card,.chart,table,tr{break-inside:avoid}h2{break-after:avoid}
  .chart,.card,table{border-color:#999}
  a{color:inherit;text-decoration:none}
}
"""
COLORS = ["#0969da", "#8250df", "#1a7f37", "#bf3989", "#9a6700", "#0a7ea4", "#cf222e", "#57606a"]
WIDTH = 1060


def e(value: Any) -> str:
    """Mask secrets, then escape for HTML text and attributes."""
    return html.escape(mask(str(value)), quote=True)


def usd(v: Any) -> str:
    return "unpriced" if v is None else f"${float(v):,.2f}"


def rich(text: Any) -> str:
    """A fix or rule text: masked, escaped, its Markdown `code` spans shown as code (no raw backticks)."""
    parts = re.split(r"`([^`\n]+)`", mask(str(text)))
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts))


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    mag = 10 ** (len(str(int(value))) - 1)
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * mag >= value:
            return float(m * mag)
    return float(10 * mag)


def _ticks(top: float) -> int:
    """How many equal intervals split ``top`` into round numbers (250k -> 5 × 50k)."""
    for k in (4, 5, 6, 3):
        step = top / k
        mag = 10 ** (len(str(int(step))) - 1) if step >= 1 else 1
        if round(step / mag, 6) in (1, 2, 2.5, 5, 10):
            return k
    return 4


def fill_chart(session: dict[str, Any], color: str, width: int = WIDTH, height: int = 240) -> str:
    """Context fill per main-thread request, with the window line, the 80% line and compactions."""
    t = session["timeline"]
    series = [int(v) for v in t["context"]]
    step = int(t.get("step") or 1)
    window = int(session.get("context_window") or t.get("window") or 0)
    top = _nice_top(max([window * 1.04, *series, 1]))
    n = len(series)
    left, right, pad_top, pad_bottom = 64, 16, 12, 30
    w, h = width - left - right, height - pad_top - pad_bottom

    def x(i: float) -> float:
        return left + (w * i / (n - 1) if n > 1 else w / 2)

    def y(v: float) -> float:
        return pad_top + h * (1 - v / top)

    compactions = [int(c) for c in t.get("compactions") or []]
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" data-series="context" data-points="{n}" '
             f'data-step="{step}" data-window="{window}" data-compactions="{len(compactions)}" '
             f'data-usable="{int(session.get("usable_window") or t.get("usable") or window)}" '
             f'aria-label="context fill per request of {e(session_name(session))}">']
    ticks = _ticks(top)
    for k in range(ticks + 1):  # horizontal grid + y labels
        v = top * k / ticks
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eaeef2"/>')
        parts.append(f'<text x="{left - 8}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#57606a">'
                     f'{compact_tokens(v)}</text>')
    usable = int(session.get("usable_window") or t.get("usable") or window)
    if window:
        # the same window model as check's CTX206: 80% of the usable window (where the agent compacts)
        lines = [(window, "window", "", "#cf222e")]
        if usable and usable != window:
            lines.append((usable, "auto-compact", ' stroke-dasharray="1 3"', "#9a6700"))
        lines.append((int(usable * 0.8), "80%", ' stroke-dasharray="5 4"', "#cf222e"))
        for value, label, dash, tone in lines:
            yy = y(value)
            parts.append(f'<line x1="{left}" x2="{left + w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{tone}" '
                         f'stroke-width="1.2"{dash} data-line="{label}" data-value="{value}"/>')
            parts.append(f'<text x="{left + w - 4}" y="{yy - 4:.1f}" font-size="11" text-anchor="end" '
                         f'fill="{tone}">{label} {compact_tokens(value)}</text>')
    for c in compactions:
        cx = x(min(max(c, 0), max(n - 1, 0)))
        parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{pad_top}" y2="{pad_top + h}" stroke="#9a6700" '
                     f'stroke-width="1.2" stroke-dasharray="2 3" data-marker="compaction"/>')
        parts.append(f'<path d="M{cx - 5:.1f},{pad_top} L{cx + 5:.1f},{pad_top} L{cx:.1f},{pad_top + 8}Z" '
                     f'fill="#9a6700"/>')
    if n:
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))
        area = f"{x(0):.1f},{y(0):.1f} {pts} {x(n - 1):.1f},{y(0):.1f}"
        parts.append(f'<polygon points="{area}" fill="{color}" fill-opacity="0.08"/>')
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8" stroke-linejoin="round" '
                     f'data-series="context" data-points="{n}" points="{pts}"/>')
    parts.append(f'<line x1="{left}" x2="{left + w}" y1="{pad_top + h}" y2="{pad_top + h}" stroke="#8c959f"/>')
    for k in range(6):
        i = (n - 1) * k / 5 if n > 1 else 0
        parts.append(f'<text x="{x(i):.1f}" y="{height - 10}" font-size="11" text-anchor="middle" fill="#57606a">'
                     f'{int(i * step) + 1:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def weekly_chart(weeks: list[dict[str, Any]], width: int = WIDTH, height: int = 260) -> str:
    """Spend per ISO week (bars; input tokens when unpriced) and the share of it that was avoidable (line)."""
    weeks = [w for w in weeks if w["week"] != "unknown"]
    if not weeks:
        return '<p class="muted">no dated sessions</p>'
    priced = any(w.get("cost_usd") for w in weeks)
    key = "cost_usd" if priced else "input_tokens"
    values = [float(w.get(key) or 0.0) for w in weeks]
    shares = [float(w.get("waste_share") or 0.0) for w in weeks]
    top = _nice_top(max([*values, 1e-09]) * 1.05)
    share_top = max(0.05, min(1.0, _nice_top(max([*shares, 0.0]) * 100 * 1.05) / 100))
    left, right, pad_top, pad_bottom = 64, 56, 14, 44
    w, h = width - left - right, height - pad_top - pad_bottom
    n = len(weeks)
    slot = w / n
    bw = max(min(slot * 0.7, 40), 1.0)

    def y(v: float) -> float:
        return pad_top + h * (1 - v / top)

    def ys(v: float) -> float:
        return pad_top + h * (1 - v / share_top)

    label = (lambda v: usd(v).replace(".00", "")) if priced else compact_tokens
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" data-series="weekly" data-points="{n}" '
             f'aria-label="weekly spend and avoidable share">']
    ticks = _ticks(top)
    for k in range(ticks + 1):
        v = top * k / ticks
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eaeef2"/>')
        parts.append(f'<text x="{left - 8}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#57606a">'
                     f'{e(label(v))}</text>')
    share_ticks = _ticks(share_top * 100)
    for k in range(share_ticks + 1):
        v = share_top * k / share_ticks
        parts.append(f'<text x="{left + w + 8}" y="{ys(v) + 4:.1f}" font-size="11" fill="#cf222e">{v:.0%}</text>')
    parts.append(f'<g data-series="weekly-{"spend" if priced else "input-tokens"}" data-points="{n}">')
    for i, (wk, v) in enumerate(zip(weeks, values, strict=True)):
        cx = left + slot * (i + 0.5)
        parts.append(f'<rect x="{cx - bw / 2:.1f}" y="{y(v):.1f}" width="{bw:.1f}" height="{max(y(0) - y(v), 0):.1f}" '
                     f'fill="#0969da" fill-opacity="{0.85 if wk.get("sessions") else 0.3}" data-week="{e(wk["week"])}">'
                     f'<title>{e(wk["week"])}: {wk.get("sessions", 0)} sessions, {e(usd(wk.get("cost_usd")))}, '
                     f'{wk.get("tokens_wasted", 0):,} tokens avoidable</title></rect>')
    parts.append("</g>")
    # The share only exists for weeks with sessions: the line joins those weeks, empty weeks are gaps.
    active = [i for i, wk in enumerate(weeks) if wk.get("sessions") or wk.get("input_tokens")]
    runs: list[list[int]] = []
    for i in active:  # one line per run of consecutive weeks with sessions: no line across an empty week
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts.append(f'<g data-series="weekly-waste-share" data-points="{len(active)}" data-runs="{len(runs)}">')
    for run in runs:
        if len(run) > 1:
            pts = " ".join(f"{left + slot * (i + 0.5):.1f},{ys(shares[i]):.1f}" for i in run)
            parts.append(f'<polyline fill="none" stroke="#cf222e" stroke-width="1.6" stroke-opacity="0.8" '
                         f'points="{pts}"/>')
    parts.append("</g>")
    for i in active:
        parts.append(f'<circle cx="{left + slot * (i + 0.5):.1f}" cy="{ys(shares[i]):.1f}" r="3" fill="#cf222e"/>')
    every = max(1, -(-n // 12))
    for i, wk in enumerate(weeks):
        if i % every == 0:
            parts.append(f'<text x="{left + slot * (i + 0.5):.1f}" y="{height - 24}" font-size="11" '
                         f'text-anchor="middle" fill="#57606a">{e(wk["week"])}</text>')
    parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#8c959f"/>')
    parts.append("</svg>")
    return "".join(parts)


def _n(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _card(label: str, value: str, note: str = "", alert: bool = False) -> str:
    extra = f"<span class='muted small'>{note}</span>" if note else ""
    return f"<div class='card{' alert' if alert else ''}'><span class='label'>{label}</span><b>{value}</b>{extra}</div>"


def habit_bars(habits: list[dict[str, Any]], ranked_by: str, width: int = WIDTH) -> str:
    """One bar per habit on the ranking measure (dollars where priced, else tokens), split by basis
    (measured, modelled, estimated) so a counterfactual saving never looks like a measured one."""
    if not habits:
        return '<p class="muted">nothing to show</p>'
    key = "cost_by_basis" if ranked_by == "cost" else "by_basis"
    total = "cost_wasted_usd" if ranked_by == "cost" else "tokens_wasted"
    bar_h, gap, label_w, note_w = 22, 8, 290, 250
    height = len(habits) * (bar_h + gap) + gap
    top = max(float(h[total]) for h in habits) or 1.0
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" data-series="waste-by-rule" data-points="{len(habits)}" '
             f'data-measure="{ranked_by}" aria-label="avoidable {"dollars" if ranked_by == "cost" else "tokens"} '
             'by habit">']
    for i, h in enumerate(habits):
        yy = gap + i * (bar_h + gap)
        label = f"{h['rule_id']} {h['name']}"
        parts.append(f'<text x="{label_w - 10}" y="{yy + 15}" font-size="12.5" text-anchor="end" fill="#1f2328">'
                     f'{e(label if len(label) <= 40 else label[:39] + "…")}</text>')
        x = float(label_w)
        split = h.get(key) or {"measured": h[total]}
        parts.append(f'<g data-value="{float(h[total]):g}">')
        for basis in ("measured", "modelled", "estimated"):
            value = float(split.get(basis) or 0.0)
            if value <= 0:
                continue
            bw = max((width - label_w - note_w) * value / top, 1.5)
            parts.append(f'<rect x="{x:.1f}" y="{yy}" width="{bw:.1f}" height="{bar_h}" class="seg-{basis}" '
                         f'data-basis="{basis}" data-value="{value:g}"><title>{basis}</title></rect>')
            x += bw
        parts.append("</g>")
        parts.append(f'<text x="{x + 8:.1f}" y="{yy + 15}" font-size="12" fill="#57606a">'
                     f'{e(_bar_note(h, ranked_by))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bar_note(h: dict[str, Any], ranked_by: str) -> str:
    """A bar's figures, short enough for the room beside it: '$3.53 · 20M tokens (+13.6M unpriced)'."""
    if not h["tokens_wasted"] and h.get("cost_wasted_usd"):
        return habit_figures(h, ranked_by)
    tokens = f"{compact_tokens(h['tokens_wasted'])} tokens"
    if ranked_by != "cost":
        return f"{tokens} · {usd(h['cost_wasted_usd'])}"
    unpriced = f" (+{compact_tokens(h['unpriced_tokens'])} unpriced)" if h.get("unpriced_tokens") else ""
    return f"{usd(h['cost_wasted_usd'])} · {tokens}{unpriced}"


def _outcome_rows(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = ["<table class='outcomes' data-table='outcomes'><tr><th></th><th class='num'>loops</th>"
           "<th class='num'>commits · pushes · PRs · passing tests</th>"
           "<th class='num'>sessions: completed / open / no edits</th>"
           "<th class='num'>per loop</th><th class='num'>per session</th><th class='num'>avoidable</th></tr>"]
    for name, b in rows:
        out.append(f"<tr><td>{name}</td><td class='num'><b>{b['loops']:,}</b></td>"
                   f"<td class='num'>{b['commits']:,} · {b['pushes']:,} · {b['pull_requests']:,} · "
                   f"{b['test_passes']:,}</td>"
                   f"<td class='num'>{b['sessions']:,}: {b['completed']} / {b['open']} / {b['no-edits']}</td>"
                   f"<td class='num'>{_tok(b['tokens_per_loop'])} · {_money(b['cost_per_loop'])}</td>"
                   f"<td class='num'>{_tok(b['tokens_per_session'])} · {_money(b['cost_per_session'])}</td>"
                   f"<td class='num'>{b['avoidable_share']:.0%}</td></tr>")
    out.append("</table>")
    return out


def _tok(v: Any) -> str:
    return "–" if v is None else compact_tokens(v)


def _money(v: Any) -> str:
    return "–" if v is None else usd(v)


def _short(project: Any) -> str:
    return str(project or "?").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or "?"


DRILL_CHART_POINTS = 120  # a drill-down session's chart: enough to see the shape, small enough for 1,000 sessions


def _thin(session: dict[str, Any]) -> dict[str, Any]:
    """A session's timeline cut to DRILL_CHART_POINTS (keeping each bucket's peak), for the drill-down charts."""
    t = session["timeline"]
    series = [int(v) for v in t["context"]]
    k = max(1, -(-len(series) // DRILL_CHART_POINTS))
    if k == 1:
        return session
    thin = {**t, "context": [max(series[i: i + k]) for i in range(0, len(series), k)],
            "step": int(t.get("step") or 1) * k, "compactions": [c // k for c in t.get("compactions") or []]}
    return {**session, "timeline": thin}


def render(data: dict[str, Any]) -> str:
    t, w = data["totals"], data["waste"]
    table = t.get("price_table") or "no price table"
    split = basis_split(w.get("by_basis") or {})
    out = ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "img-src data:\">",
           f"<title>ctxlint coach · {e(data.get('period', ''))}</title><style>{CSS}</style></head><body><main>",
           "<h1>ctxlint coach</h1>",
           f"<p class='muted'>{e(data.get('period', ''))} · {t['sessions']:,} sessions · prices: {e(table)} "
           "(API-equivalent) · about habits and outcomes, not people</p>",
           "<div class='cards'>",
           _card("sessions", f"{t['sessions']:,}", f"{t['files']:,} files incl. subagents"),
           _card("requests", f"{t.get('requests', 0):,}"),
           _card("input tokens", compact_tokens(t["input_tokens_all"]),
                 f"cache read {compact_tokens(t.get('cache_read_input_tokens', 0))}"),
           _card("spend", usd(t["cost_usd"]), e(spend(t).removeprefix(usd(t["cost_usd"])).strip(" ()") or table),
                 ),
           _card("avoidable", compact_tokens(w["tokens"]),
                 f"{w['share_of_input']:.1%} of input · {usd(w['cost_usd'])}" + (f"<br>{e(split)}" if split else ""),
                 alert=w["tokens"] > 0)]
    o = data.get("outcomes")
    if o and o["totals"]["sessions"]:
        b = o["totals"]
        out.append(_card("completed loops", f"{b['loops']:,}",
                         f"{_tok(b['tokens_per_loop'])} tokens · {_money(b['cost_per_loop'])} per loop"))
    out.append("</div>")

    if o and o["totals"]["sessions"]:
        out.append("<h2>What the tokens bought</h2>")
        out.append("<p class='muted'>Completed loops: a commit made, a push, a pull request opened, a test run passing "
                   "after edits (outcomes of one change are one loop). A session with edits and none of these is "
                   "<i>open</i>, not failed. Both denominators: per completed loop and per session. For the system — "
                   "projects and weeks — never per person.</p>")
        rows = [("<b>all</b>", o["totals"]), *((f"<code>{e(_short(p['project']))}</code>", p) for p in o["by_project"][:15])]
        out += _outcome_rows(rows)
        weeks = [x for x in o["by_week"] if x["week"] != "unknown"]
        if weeks:
            out.append("<h3>By week</h3>")
            out += _outcome_rows([(e(x["week"]), x) for x in weeks[-16:]])
        if o.get("spikes"):
            out.append("<h3>Worth a look</h3><p class='muted small'>Far above the project's own median per loop: "
                       "questions to look at, not verdicts.</p>")
            for spike in o["spikes"][:8]:
                names = "; ".join(e(session_name(x)) for x in spike["sessions"][:3])
                out.append(f"<div class='q' data-spike='{e(spike['kind'])}'>? {e(question(spike))}"
                           f"<div class='eg'>Sessions: {names}</div></div>")

    habits = data.get("habits") or []
    ranked_by = data.get("habits_ranked_by") or "tokens"
    sessions = data.get("sessions") or []
    by_key = {x.get("key"): x for x in sessions if x.get("key")}
    charted: dict[str, int] = {}
    out.append("<h2>Habits that cost the most</h2>")
    out.append(f"<p class='muted'>Avoidable {'dollars' if ranked_by == 'cost' else 'tokens'} by habit "
               "(<span style='color:#cf222e'>measured</span> · <span style='color:#bf8700'>modelled</span> · "
               "<span style='color:#8c959f'>estimated</span>). Each token is attributed to one finding. Fix the first one "
               "first; open a habit to see where it happened.</p>")
    out.append("<div class='chart'>" + habit_bars(habits, ranked_by) + "</div>")
    for i, h in enumerate(habits, 1):
        hsplit = basis_split(h.get("by_basis") or {})
        out.append(f"<details class='habit' data-rule='{e(h['rule_id'])}'><summary><b>{i}. <code>{e(h['rule_id'])}</code> "
                   f"{e(h['name'])}</b> — {e(habit_figures(h, ranked_by))}{f' ({e(hsplit)})' if hsplit else ''} · "
                   f"{_n(h['findings'], 'finding')} in {_n(h['sessions'], 'session')}</summary><div>")
        out.append(f"<p class='eg'>{e(h.get('summary') or '')}</p><p><b>Fix:</b> {rich(h.get('fix') or '')}</p>")
        if h.get("example_fix") and h["example_fix"] != h.get("fix"):
            where = f" in {e(session_name(h['example_session']))}" if h.get("example_session") else ""
            out.append(f"<p class='eg'>e.g.{where}: {rich(h['example_fix'])}</p>")
        for x in h.get("sessions_list") or []:
            health = by_key.get(x.get("key"))
            link = ""
            if health and health.get("timeline"):
                n = charted.setdefault(x["key"], len(charted))
                link = f" · <a href='#fill-{n}'>context fill</a>"
            out.append(f"<details class='session'><summary>{e(session_name(x))} — "
                       f"{e(session_figures(x['tokens'], x['cost_usd']))}{link}</summary><ul>")
            for f in x["findings"]:
                out.append(f"<li>line {f['line']}: {e(f['quote'])} <span class='eg'>({e(f['basis'])})</span>"
                           f"<div class='eg'><code>{e(f['command'])}</code></div></li>")
            if x.get("more_findings"):
                out.append(f"<li class='muted'>… and {_n(x['more_findings'], 'more finding')}</li>")
            out.append("</ul></details>")
        if h.get("more_sessions"):
            out.append(f"<p class='muted small'>… and {_n(h['more_sessions'], 'more session')} "
                       "(<code>--format json</code> lists the findings of every session).</p>")
        out.append("</div></details>")

    costliest = [x for x in data.get("costliest") or [] if x.get("timeline")]
    legend = ("<p class='legend'><span><i class='sw' style='background:#cf222e'></i>context window</span>"
              "<span><i class='sw' style='background:#9a6700'></i>auto-compact (usable window)</span>"
              "<span><i class='sw dash'></i>80% of the usable window</span>"
              "<span>▼ compaction</span><span>x: API request · y: tokens sent</span></p>")
    if costliest:
        chosen = "dollars" if data.get("costliest_chosen_by") == "cost" else "tokens (some sessions are unpriced)"
        out.append(f"<h2>Context fill of the costliest sessions</h2><p class='muted small'>Chosen by {chosen}.</p>")
        out.append(legend)
        for i, x in enumerate(costliest[:3]):
            out.append(_fill_block(x, COLORS[i % len(COLORS)], "h3"))

    weekly = trend(data.get("weekly") or [])
    if weekly:
        out.append("<h2>Weekly trend</h2>")
        out.append("<p class='legend'><span><i class='sw' style='background:#0969da;height:10px'></i>"
                   "API-equivalent spend per ISO week</span><span><i class='sw' style='background:#cf222e'></i>"
                   "avoidable share of input (right axis; no line across weeks without sessions)</span></p>")
        out.append("<div class='chart'>" + weekly_chart(weekly) + "</div>")

    if sessions:
        hot = sum(1 for x in sessions if (x.get("peak_fill") or 0) >= 0.8)
        out.append("<h2>Context health</h2>")
        out.append(f"<p class='muted'>{hot} of {len(sessions)} sessions reached 80% of the usable window (where the "
                   "agent compacts: the figure <code>ctxlint check</code>'s CTX206 uses).</p>")
        out.append("<table><tr><th>session</th><th class='num'>requests</th><th class='num'>peak fill</th>"
                   "<th class='num'>compactions</th><th class='num'>&gt; 80%</th><th>outcome</th>"
                   "<th class='num'>avoidable</th></tr>")
        for x in sessions[:15]:
            fill = x.get("peak_fill")
            tone = "#cf222e" if (fill or 0) >= 0.8 else "#9a6700" if (fill or 0) >= 0.6 else "#8c959f"
            bar = (f"<span class='bar' style='width:{min(fill, 1.0) * 60:.0f}px;background:{tone}'></span> "
                   if fill else "")
            outcome = f"{x.get('status', '')}" + (f" ({_n(x['loops'], 'loop')})" if x.get("loops") else "")
            out.append(f"<tr><td>{e(session_name(x))}</td><td class='num'>{x['requests']:,}</td>"
                       f"<td class='num'>{bar}{f'{fill:.0%}' if fill is not None else '?'}</td>"
                       f"<td class='num'>{x['compactions']}</td><td class='num'>{x['requests_above_80pct']:,}</td>"
                       f"<td>{e(outcome)}</td><td class='num'>{int(x.get('tokens_wasted') or 0):,}</td></tr>")
        out.append("</table>")

    if charted:
        out.append("<h2>Context fill, session by session</h2><p class='muted small'>Every session of the habits above; "
                   "open one (or follow its “context fill” link).</p>" + legend)
        for key, n in charted.items():
            x = _thin(by_key[key])
            out.append(f"<details class='session' id='fill-{n}'><summary>{e(session_name(x))} · "
                       f"{x['requests']:,} requests · peak {_fill_of(x)}</summary>"
                       + _fill_block(x, COLORS[n % len(COLORS)], None) + "</details>")

    if data.get("by_project"):
        out.append("<h2>Projects</h2><table><tr><th>project</th><th class='num'>sessions</th>"
                   "<th class='num'>requests</th><th class='num'>spend</th><th class='num'>avoidable tokens</th></tr>")
        for p in data["by_project"][:15]:
            out.append(f"<tr><td><code>{e(p['project'])}</code></td><td class='num'>{p['sessions']}</td>"
                       f"<td class='num'>{p['requests']:,}</td><td class='num'>{usd(p['cost_usd'] if p.get('priced', 1) else None)}</td>"
                       f"<td class='num'>{p['tokens_wasted']:,}</td></tr>")
        out.append("</table>")

    if data.get("instructions"):
        out.append("<h2>What the instruction files really cost</h2><ul>")
        for item in data["instructions"]:
            out.append(f"<li><code>{e(item['project'])}</code>: {e(instruction_sentence(item))}</li>")
        out.append("</ul>")
        if data["instructions"][0].get("assumption"):
            out.append(f"<p class='muted small'>Assumption: {e(data['instructions'][0]['assumption'])}.</p>")

    out.append(f"<footer>Generated by ctxlint. Token figures come from the transcripts' reported usage "
               f"(de-duplicated per API request); item sizes are measured from context growth or estimated. Dollars "
               f"are API-equivalent list prices from {e(table)}, not a bill.</footer></main></body></html>")
    return "\n".join(out) + "\n"


def _fill_of(x: dict[str, Any]) -> str:
    return f"{x['peak_context_tokens']:,} ({x['peak_fill']:.0%} of usable)" if x.get("peak_fill") is not None else "?"


def _fill_block(x: dict[str, Any], color: str, heading: str | None) -> str:
    step = int(x["timeline"].get("step") or 1)
    sampled = f" · every point is the peak of {step} requests" if step > 1 else ""
    title = f"<{heading}>{e(session_name(x))}</{heading}>" if heading else ""
    return (f"{title}<p class='muted small'>{e(x.get('agent') or '')} · {x['requests']:,} requests · peak "
            f"{_fill_of(x)} · {plural(x['compactions'], 'compaction')} · "
            f"{plural(x['requests_above_80pct'], 'request')} above 80% of the usable window · {usd(x['cost_usd'])}"
            f" · <code>{e(x.get('command') or '')}</code>{sampled}</p><div class='chart'>{fill_chart(x, color)}</div>")
