"""large-image: big images, or many images in one segment."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import Image, ToolResult


def _image_tokens(item: Item) -> int:
    e = item.event
    if isinstance(e, Image):
        return e.tokens_est  # the vision formula from the image header: exact, unlike a scaled share
    if isinstance(e, ToolResult):
        return e.image_tokens
    return 0


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    per_segment: dict[int, list[Item]] = {}
    for item in a.items:
        tokens = _image_tokens(item)
        if tokens:
            per_segment.setdefault(item.segment, []).append(item)
            if tokens > ctx["max-image-tokens"]:
                claim = a.claim(f"image:{item.line}", tokens, item.r0)
                yield RawFinding(
                    line=item.line,
                    message=f"an image of ~{tokens:,} tokens was carried by {a.carried(item)} requests",
                    fix=fix("crop"),
                    tokens_wasted=claim.tokens,
                    cost_wasted_usd=claim.cost_usd,
                    claims=(claim,),
                    content_key=f"{item.line}",
                )
    for segment, items in per_segment.items():
        total = sum(_image_tokens(i) for i in items)
        if len(items) > ctx["max-images"] or total > ctx["max-segment-tokens"]:
            yield RawFinding(
                line=items[0].line,
                message=(f"{len(items)} images ({total:,} tokens) in one segment "
                         f"(lines {items[0].line}-{items[-1].line})"),
                fix=fix("fewer-images"),
                content_key=f"segment:{segment}",
            )
