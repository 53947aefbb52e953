"""Attribute every wasted token to at most one finding, and never more waste than was spent (transcripts),
or more removable tokens than a file holds (instruction files, ``attribute_instructions``).

Findings claim the items they are about (``Claim``). Walking the rules from the most specific to
the most general (``rules/attribution.yaml``: repo-dump before unscoped-search before
oversized-tool-output ...), each claim key goes to the first finding that claims it. Claims that
say which requests carry the waste go through a per-request ledger: on request *i* the granted
tokens never exceed what that request actually sent (its context minus the claim's floor minus what
earlier findings already took). A finding left with nothing is dropped: its waste is reported by a
more specific one. Finally the session total is capped by its input tokens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ctxlint.model import Claim, Finding, RawFinding

if TYPE_CHECKING:
    from ctxlint.instructions.project import InstructionFile, InstructionProject


def attribute(
    findings: list[tuple[str, RawFinding]],
    priority: list[str],
    cap_tokens: int,
    contexts: list[int] | None = None,
    cap_cost_usd: float | None = None,
) -> list[tuple[str, RawFinding]]:
    """Give each claim key to the first finding (in ``priority`` order) that claims it, recompute every
    finding's tokens and dollars from the claims it kept, drop findings left with nothing, then scale so
    the total never exceeds ``cap_tokens`` (the session's input tokens) nor ``cap_cost_usd`` (its spend).

    ``contexts`` (each main-thread request's context size) turns on the per-request ledger: the claims
    on one request never add up to more than that request sent. Findings come back in input order.
    """
    order = {rule_id: i for i, rule_id in enumerate(priority)}
    ranked = sorted(enumerate(findings), key=lambda x: (order.get(x[1][0], len(order)), x[0]))
    used = [0] * len(contexts) if contexts is not None else []
    taken: set[str] = set()
    kept: list[tuple[int, str, RawFinding]] = []
    for index, (rule_id, f) in ranked:
        if not f.claims:
            kept.append((index, rule_id, f))
            continue
        granted: list[Claim] = []
        for c in f.claims:
            if c.key in taken:
                continue
            g = _grant(c, contexts, used)
            if g.tokens > 0:
                granted.append(g)
                taken.add(c.key)
        if not granted:
            continue  # every token it is about is already reported by a more specific finding
        tokens = sum(c.tokens for c in granted)
        costs = [c.cost_usd for c in granted]
        cost = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
        kept.append((index, rule_id, replace(f, claims=tuple(granted), tokens_wasted=tokens, cost_wasted_usd=cost)))
    total = sum(f.tokens_wasted for _, _, f in kept)
    if total > cap_tokens >= 0:
        factor = cap_tokens / total if total else 0.0
        kept = [(i, r, replace(f, tokens_wasted=int(f.tokens_wasted * factor),
                               cost_wasted_usd=None if f.cost_wasted_usd is None else f.cost_wasted_usd * factor))
                for i, r, f in kept]
    if cap_cost_usd is not None:
        spent = sum(f.cost_wasted_usd or 0.0 for _, _, f in kept)
        if spent > cap_cost_usd >= 0:
            factor = cap_cost_usd / spent
            kept = [(i, r, f if f.cost_wasted_usd is None else replace(f, cost_wasted_usd=f.cost_wasted_usd * factor))
                    for i, r, f in kept]
    kept.sort(key=lambda x: x[0])
    return [(r, f) for _, r, f in kept]


def _grant(c: Claim, contexts: list[int] | None, used: list[int]) -> Claim:
    if contexts is None or c.r0 < 0 or c.per_request <= 0:
        return c
    total = 0
    for i in range(max(0, c.r0), min(c.r1, len(contexts))):
        room = contexts[i] - c.floor - used[i]
        g = min(c.per_request, room) if room > 0 else 0
        used[i] += g
        total += g
    if total == c.tokens:
        return c
    cost = None if c.cost_usd is None else (c.cost_usd * total / c.tokens if c.tokens else 0.0)
    return replace(c, tokens=total, cost_usd=cost)


# ---------------------------------------------------------------------------------------------
# Instruction files: each removable token of a file counted once

LINES = "lines"  # the tokens of the finding's lines, up to its own figure
FILE = "file"  # the whole file named by data["file"] (else the finding's own)
EXCESS = "excess"  # what is still above data["budget"] in the file after the claims before it
AGENT_EXCESS = "agent-excess"  # what is still above data["budget"] in the start-up load of data["agents"]
CLAIM_KINDS = (LINES, FILE, EXCESS, AGENT_EXCESS)


def attribute_instructions(
    findings: list[Finding], project: InstructionProject, order: list[tuple[str, str]]
) -> list[Finding]:
    """Give every removable token of the project's instruction files to one finding.

    ``order`` (``rules/attribution.yaml``) lists the rules from the most specific claim to the most
    general, with what each claims. A line claimed by a pasted dump is not claimed again by the section
    holding it; a file's "too long" excess is what stays above the budget after those specific cuts, and
    an agent's "too much at start" excess is what stays above its budget after every cut in the files
    it loads. Each finding's ``tokens_wasted`` becomes what it was granted; findings come back in order.
    """
    kinds = dict(order)
    rank = {rule_id: i for i, (rule_id, _) in enumerate(order)}
    taken_lines: dict[str, set[int]] = {}
    taken: dict[str, int] = {}  # path -> tokens granted in that file so far
    out = list(findings)
    ranked = sorted(range(len(findings)), key=lambda i: (rank.get(findings[i].rule_id, len(rank)), i))
    for i in ranked:
        f = findings[i]
        if f.kind != "instructions" or f.tokens_wasted <= 0:
            continue
        kind = kinds.get(f.rule_id, LINES)
        if kind == AGENT_EXCESS:
            agents = f.data.get("agents") or [""]
            load = project.loads.get(str(agents[0]))  # agents that share a finding load the same files
            if load is None:
                granted = 0
            else:
                cut = sum(min(e.tokens, taken.get(e.path, 0)) for e in load.entries if not e.dropped)
                granted = max(0, load.tokens - cut - int(f.data.get("budget", 0)))
        else:
            path = str(f.data.get("file", f.path))
            file = project.by_path(path)
            if file is None:
                granted = 0
            elif kind == EXCESS:
                granted = max(0, file.tokens - taken.get(path, 0) - int(f.data.get("budget", 0)))
            elif kind == FILE:
                granted = max(0, file.tokens - taken.get(path, 0))
                taken_lines.setdefault(path, set()).update(range(1, len(file.doc.lines) + 1))
            else:
                granted = _grant_lines(file, f.line, f.end_line, taken_lines.setdefault(path, set()))
            granted = min(granted, f.tokens_wasted)
            taken[path] = taken.get(path, 0) + granted
        granted = min(granted, f.tokens_wasted)
        if granted != f.tokens_wasted:
            out[i] = replace(f, tokens_wasted=granted)
    return out


def _grant_lines(file: InstructionFile, start: int, end: int, taken: set[int]) -> int:
    """Tokens of the lines ``start..end`` of ``file`` that no earlier finding took (and take them)."""
    lines = range(max(1, start), min(end, len(file.doc.lines)) + 1)
    free = [n for n in lines if n not in taken]
    taken.update(free)
    if len(free) == len(lines):
        return 1 << 62  # all free: the finding's own figure stands
    from ctxlint.measure.tokens import count_text

    return count_text("\n".join(file.doc.lines[n - 1] for n in free)) if free else 0
