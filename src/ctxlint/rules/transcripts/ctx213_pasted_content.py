"""pasted-content: a user message with a very large paste."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.measure.secrets import clip
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import Prompt

INCLUDE_MARK = "--- Content from referenced files ---"
INCLUDED_FILE = re.compile(r"^Content from @(\S+?):$", re.M)
AT_REF = re.compile(r"@[\w./~*-]+")


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    for item in a.items:
        p = item.event
        if not isinstance(p, Prompt) or p.is_meta or p.command or item.tokens <= ctx["max-tokens"]:
            continue
        claim = a.item_claim(item, item.tokens - ctx["keep-tokens"])
        head = " ".join(clip(p.text, 60).split())
        message = (f"a user message of {item.tokens:,} tokens ({p.chars:,} characters, starting "
                   f"\"{head}…\") was carried by {a.carried(item)} requests")
        how = fix("excerpt")
        included = INCLUDED_FILE.findall(p.text)
        if included:
            # Not a paste: Gemini CLI expanded an @-reference (often a whole directory, `@dir/**`).
            refs = sorted(set(AT_REF.findall(p.text.split(INCLUDE_MARK, 1)[0])))
            ref = f"`{refs[0]}`" if refs else "an @-reference"
            more = "at least " if len(p.text) < p.chars else ""  # the reader caps prompt text: a lower bound
            message = (f"{ref} expanded {more}{len(included)} file(s) into one user message of {item.tokens:,} tokens "
                       f"({p.chars:,} characters), carried by {a.carried(item)} requests")
            how = fix("reference-files", ref=ref)
        yield RawFinding(
            line=p.line,
            message=message,
            fix=how,
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            content_key=f"{p.line}",
        )
