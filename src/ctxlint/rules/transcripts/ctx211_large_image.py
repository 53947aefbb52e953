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
    large: dict[int, list[tuple[Item, int]]] = {}  # line -> the large images of that message
    for item in a.items:
        tokens = _image_tokens(item)
        if tokens:
            per_segment.setdefault(item.segment, []).append(item)
            if tokens > ctx["max-image-tokens"]:
                large.setdefault(item.line, []).append((item, tokens))
    for line, images in large.items():
        # Every image of a message is carried: each has its own claim (a message can hold several).
        claims = tuple(a.claim(f"image:{line}:{n}", tokens, item.r0) for n, (item, tokens) in enumerate(images))
        costs = [c.cost_usd for c in claims]
        k = a.carried(images[0][0])
        total = sum(tokens for _, tokens in images)
        what = (f"an image of ~{total:,} tokens" if len(images) == 1 else
                f"{len(images)} images of ~{total // len(images):,} tokens each ({total:,} in all) in one message")
        yield RawFinding(
            line=line,
            message=f"{what} {'was' if len(images) == 1 else 'were'} carried by {k} requests",
            fix=fix("crop"),
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=claims,
            content_key=f"{line}",
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
