"""A rule explained in plain text: what it checks, why (with its public sources), examples, the fix, options."""

from __future__ import annotations

from ctxlint.rules.registry import RuleMeta


def explain_text(meta: RuleMeta) -> str:
    """What `ctxlint explain` prints and the language server's hover shows."""
    out = [f"{meta.id} {meta.name} ({meta.kind}, default severity {meta.severity.label}"
           f"{', fixable' if meta.fixable else ''})", "", meta.summary, "", "What it checks:", meta.description,
           "", "Why it matters:", meta.why]
    if meta.sources:
        out += ["", "Sources:", *[f"  - {s}" for s in meta.sources]]
    if meta.example_fires:
        out += ["", "Example that fires:", *[f"    {line}" for line in meta.example_fires.splitlines()]]
    if meta.example_passes:
        out += ["", "Example that passes:", *[f"    {line}" for line in meta.example_passes.splitlines()]]
    out += ["", "Fix:", meta.fix]
    if meta.options:
        out += ["", "Options (set in [tool.ctxlint.rules." + meta.id + "] or .ctxlint.yaml):"]
        out += [f"  {o.name} ({o.type}, default {o.default!r}): {o.description}" for o in meta.options]
    else:
        out += ["", "Options: none"]
    return "\n".join(out)
