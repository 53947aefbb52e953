"""The coach as one self-contained HTML file: inline SVG charts, no scripts, no external requests.

Charts: context fill over requests for the costliest sessions (with the window, the 80% line and
compaction markers), avoidable tokens by habit, and the weekly trend. Every string that comes from a
transcript is escaped and secret-masked. Readable on a laptop and in print.
"""

from __future__ import annotations

import html
from typing import Any

from ctxlint.secrets import mask

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#57606a}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;min-width:170px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de;border-radius:8px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num{text-align:right;white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;padding:1px 4px;border-radius:4px}
svg{background:#fff;border:1px solid #d0d7de;border-radius:8px;display:block;margin:8px 0}
.legend span{margin-right:14px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
@media print{body{background:#fff}main{padding:0}.card,svg,table{break-inside:avoid}}
"""
COLORS = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df"]


def e(value: Any) -> str:
    return html.escape(mask(str(value)), quote=True)


def usd(v: Any) -> str:
    return "unpriced" if v is None else f"${float(v):,.2f}"


def fill_chart(session: dict[str, Any], color: str, width: int = 1040, height: int = 220) -> str:
    t = session["timeline"]
    series: list[int] = list(t["context"])
    window = session.get("context_window") or t.get("window") or max(series or [1])
    top = max(window, max(series or [0])) * 1.05
    n = max(len(series), 2)
    left, right, pad_top, pad_bottom = 60, 10, 10, 24
    w, h = width - left - right, height - pad_top - pad_bottom

    def x(i: float) -> float:
        return left + w * i / (n - 1)

    def y(v: float) -> float:
        return pad_top + h * (1 - v / top)

    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" data-series="context" '
             f'data-points="{len(series)}" aria-label="context fill of {e(session["path"])}">']
    for frac, label, dash in ((1.0, "window", ""), (0.8, "80%", "4 3")):
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(window * frac):.1f}" y2="{y(window * frac):.1f}" '
                     f'stroke="#cf222e" stroke-width="1" stroke-dasharray="{dash}" data-line="{label}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(window * frac) + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#cf222e">{label}</text>')
    for c in t.get("compactions") or []:
        parts.append(f'<line x1="{x(c):.1f}" x2="{x(c):.1f}" y1="{pad_top}" y2="{pad_top + h}" stroke="#9a6700" '
                     f'stroke-dasharray="2 2" data-marker="compaction"/>')
    parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{points}"/>')
    parts.append(f'<text x="{left}" y="{height - 6}" font-size="10" fill="#57606a">request 1</text>')
    parts.append(f'<text x="{left + w}" y="{height - 6}" font-size="10" fill="#57606a" text-anchor="end">request '
                 f'{len(series) * int(t.get("step") or 1):,}</text>')
    parts.append(f'<text x="6" y="{pad_top + 10}" font-size="10" fill="#57606a">{int(top):,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: list[tuple[str, float, str]], name: str, width: int = 1040) -> str:
    if not rows:
        return '<p class="muted">nothing to show</p>'
    bar_h, gap, label_w = 20, 6, 300
    height = len(rows) * (bar_h + gap) + gap
    top = max(v for _, v, _ in rows) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" data-series="{name}" '
             f'data-points="{len(rows)}">']
    for i, (label, value, note) in enumerate(rows):
        yy = gap + i * (bar_h + gap)
        bw = (width - label_w - 160) * value / top
        parts.append(f'<text x="{label_w - 8}" y="{yy + 14}" font-size="12" text-anchor="end">{e(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{yy}" width="{max(bw, 1):.1f}" height="{bar_h}" fill="{COLORS[i % 5]}"/>')
        parts.append(f'<text x="{label_w + bw + 6:.1f}" y="{yy + 14}" font-size="12">{e(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(data: dict[str, Any]) -> str:
    t, w = data["totals"], data["waste"]
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           f"<title>ctxlint coach</title><style>{CSS}</style></head><body><main>",
           "<h1>ctxlint coach</h1>",
           f"<p class='muted'>{e(data.get('period', ''))} · prices: {e(t.get('price_table') or 'none')} · "
           "habits and outcomes, not people</p>",
           "<div class='cards'>",
           f"<div class='card'>sessions<b>{t['sessions']:,}</b></div>",
           f"<div class='card'>requests<b>{t.get('requests', 0):,}</b></div>",
           f"<div class='card'>input tokens<b>{t['input_tokens_all']:,}</b></div>",
           f"<div class='card'>API-equivalent<b>{usd(t['cost_usd'])}</b></div>",
           f"<div class='card'>avoidable<b>{w['tokens']:,}</b>{w['share_of_input']:.1%} of input · {usd(w['cost_usd'])}</div>",
           "</div>"]
    out.append("<h2>Habits that cost the most</h2>")
    out.append(bar_chart([(f"{h['rule_id']} {h['name']}", h["tokens_wasted"],
                           f"{h['tokens_wasted']:,} tokens · {usd(h['cost_wasted_usd'])}") for h in data["habits"]],
                         "waste-by-rule"))
    out.append("<table><tr><th>#</th><th>habit</th><th>tokens</th><th>$</th><th>seen</th><th>the fix</th></tr>")
    for i, h in enumerate(data["habits"], 1):
        out.append(f"<tr><td>{i}</td><td><code>{e(h['rule_id'])}</code> {e(h['name'])}</td>"
                   f"<td class='num'>{h['tokens_wasted']:,}</td><td class='num'>{usd(h['cost_wasted_usd'])}</td>"
                   f"<td class='num'>{h['findings']} in {h['sessions']} session(s)</td><td>{e(h['fix'])}</td></tr>")
    out.append("</table>")
    if data.get("costliest"):
        out.append("<h2>Context fill of the costliest sessions</h2>")
        out.append("<p class='legend muted'><span><i class='sw' style='background:#cf222e'></i>window / 80% line</span>"
                   "<span><i class='sw' style='background:#9a6700'></i>compaction</span></p>")
        for i, s in enumerate(data["costliest"][:3]):
            fill = f"{s['peak_fill']:.0%}" if s.get("peak_fill") is not None else "?"
            out.append(f"<p><code>{e(s['path'])}</code> · {s['requests']:,} requests · peak {s['peak_context_tokens']:,} "
                       f"({fill}) · {s['compactions']} compaction(s) · {usd(s['cost_usd'])}</p>")
            out.append(fill_chart(s, COLORS[i % 5]))
    if data.get("weekly"):
        out.append("<h2>Weekly trend</h2>")
        out.append(bar_chart([(wk["week"], wk["input_tokens"],
                               f"{usd(wk['cost_usd'])} · {wk['tokens_wasted']:,} avoidable ({wk['waste_share']:.1%})")
                              for wk in data["weekly"]], "weekly"))
    if data.get("by_project"):
        out.append("<h2>Projects</h2><table><tr><th>project</th><th>sessions</th><th>requests</th><th>spend</th>"
                   "<th>avoidable tokens</th></tr>")
        for p in data["by_project"][:15]:
            out.append(f"<tr><td><code>{e(p['project'])}</code></td><td class='num'>{p['sessions']}</td>"
                       f"<td class='num'>{p['requests']:,}</td><td class='num'>{usd(p['cost_usd'])}</td>"
                       f"<td class='num'>{p['tokens_wasted']:,}</td></tr>")
        out.append("</table>")
    if data.get("instructions"):
        out.append("<h2>What the instruction files really cost</h2><table><tr><th>project</th><th>agent</th>"
                   "<th>tokens/request</th><th>requests</th><th>tokens</th><th>$</th></tr>")
        for i in data["instructions"]:
            out.append(f"<tr><td><code>{e(i['project'])}</code></td><td>{e(i['agent'])}</td>"
                       f"<td class='num'>{i['tokens_per_request']:,}</td><td class='num'>{i['requests']:,}</td>"
                       f"<td class='num'>{i['tokens']:,}</td><td class='num'>{usd(i['cost_usd'])}</td></tr>")
        out.append("</table>")
    out.append("<p class='muted'>Generated by ctxlint. Token figures come from the transcripts' reported usage; "
               "item sizes are measured from context growth or estimated.</p></main></body></html>")
    return "\n".join(out) + "\n"
