"""The statusline's text: a kept summary (``live.status``) and the fill the agent reports, as one line.

Imported on the statusline's every run: plain functions of plain data, nothing else imported.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: the statusline does not import typing (see ctxlint/__init__.py)
if TYPE_CHECKING:
    from typing import Any

FULL = 0.95  # above this share of the usable window, auto-compaction is a few requests away
SEP = " · "

GREEN, YELLOW, RED, RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"


def render(data: dict[str, Any] | None, fill: int | None, color: bool) -> str:
    """``ctx 62% · 64K to compact · $1.84 · avoidable $0.31 (measured $0.20) · <nudge>``: the fill of
    the usable window, the room before auto-compaction, the spend, the avoidable part, one nudge."""
    data = data or {}
    fill = fill if fill is not None else _int(data.get("fill"))
    usable = _int(data.get("usable"))
    parts: list[str] = []
    nudges = _dict(data.get("fill_nudges"))
    fill_nudge = None
    if fill is not None and usable:
        share = fill / usable
        ratio = _num(data.get("fill_ratio")) or 0.8
        tint = RED if share >= ratio else YELLOW if share >= 0.6 else GREEN
        parts.append(_paint(f"ctx {int(share * 100)}%", tint, color))
        room = usable - fill
        parts.append(f"{short(room)} to compact" if room > 0 else "compacting")
        fill_nudge = nudges.get("full") if share >= FULL else nudges.get("fill") if share >= ratio else None
    elif not data:
        return ""
    spend = _num(data.get("spend_usd"))
    tokens = _int(data.get("tokens"))
    if spend is not None:
        parts.append(usd(spend))
    elif tokens:
        parts.append(f"{short(tokens)} tokens")
    avoidable = avoidable_words(data.get("avoidable"))
    if avoidable:
        parts.append(avoidable)
    budget = data.get("budget")
    said = next((x for x in ((budget or [None])[0] if isinstance(budget, list) else None, fill_nudge, data.get("nudge"))
                 if isinstance(x, str) and x), None)
    if said:
        parts.append(_paint(said, YELLOW, color))
    return SEP.join(parts)


def avoidable_words(by_basis: Any) -> str | None:
    """``avoidable $0.31 (measured $0.20)``: measured and modelled waste, never added without saying
    which; tokens (estimated, unpriced) when the agent records no usage."""
    basis = _dict(by_basis)
    measured, modelled, estimated = (_dict(basis.get(b)) for b in ("measured", "modelled", "estimated"))
    m = _num(measured.get("usd")) or 0.0
    total = m + (_num(modelled.get("usd")) or 0.0)
    if total >= 0.005:
        if m >= 0.005 and total - m >= 0.005:
            return f"avoidable {usd(total)} (measured {usd(m)})"
        return f"avoidable {usd(total)} ({'measured' if m >= 0.005 else 'modelled'})"
    tokens = sum(_int(x.get("tokens")) or 0 for x in (measured, modelled, estimated))
    return f"avoidable ~{short(tokens)} tokens" if tokens >= 1000 else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _paint(text: str, tint: str, color: bool) -> str:
    return f"{tint}{text}{RESET}" if color else text


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def usd(value: float) -> str:
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


def short(n: float) -> str:
    """A token count for a narrow line: 812, 27K, 1.2M."""
    if n >= 999_500:
        return f"{n / 1e6:.1f}M"
    if n >= 1000:
        return f"{n / 1e3:.0f}K"
    return f"{n:.0f}"
