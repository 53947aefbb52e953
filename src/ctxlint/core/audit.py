"""The per-file transcript pipeline: read -> session facts -> transcript rules -> attribution ->
stamped findings, as one picklable ``audit_file(path, config) -> FileResult``; ``audit_paths``
maps it over many files on the worker pool.

``audit_file`` is pure with respect to its inputs (reads one file, returns plain data), so the
reduction over files is a simple merge of FileResults.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, TypeVar

from ctxlint._runtime.fsutil import display_path
from ctxlint._runtime.timeguard import FileTimeout, time_limit
from ctxlint.config import Config
from ctxlint.core.findings import MALFORMED, UNREADABLE, diagnostic, stamp
from ctxlint.model import Basis, FileResult, Finding, RawFinding

if TYPE_CHECKING:
    from ctxlint.rules.registry import Registered, RuleContext
    from ctxlint.transcripts.events import Transcript
    from ctxlint.transcripts.session_facts import SessionSummary

T = TypeVar("T")
R = TypeVar("R")

CTX002_MESSAGE = "{n:,} record(s) could not be read and were skipped (first at line(s) {lines}; {reasons})"


@lru_cache(maxsize=1)
def _attribution_priority() -> list[str]:
    from ctxlint.rules.registry import shared_data

    try:
        data = shared_data("attribution")
    except OSError:
        return []
    priority = data.get("priority", data) if isinstance(data, dict) else data
    return [str(x) for x in priority] if isinstance(priority, list) else []


def _transcript_rules(config: Config) -> list[Registered]:
    """The enabled rules that have a transcript detector."""
    from ctxlint.rules.registry import registry

    reg = registry()
    return [reg[r] for r in config.enabled_rules() if reg[r].meta.kind == "transcript" and reg[r].check is not None]


_contexts_of: tuple[Config, list[tuple[Registered, RuleContext]]] | None = None


def _rule_contexts(config: Config) -> list[tuple[Registered, RuleContext]]:
    """The enabled transcript detectors with their options, built once per config (not per file: a
    history folder has thousands of files). Detectors only read their context."""
    global _contexts_of
    if _contexts_of is None or _contexts_of[0] is not config:
        from ctxlint.rules.registry import RuleContext

        _contexts_of = (config, [(rule, RuleContext(rule.meta, config.options_for(rule.meta.id)))
                                 for rule in _transcript_rules(config)])
    return _contexts_of[1]


def prepare(config: Config) -> None:
    """Import and load, once, what ``audit_file`` needs: the readers, the analysis, the enabled
    transcript detectors, the persisted price rates and the attribution order.

    Called in the parent before the worker pool starts: forked workers inherit it all instead of
    each paying for the imports again.
    """
    from ctxlint.measure.pricing import load_rates_cache
    from ctxlint.rules import attribution  # noqa: F401
    from ctxlint.transcripts import analysis, session_facts  # noqa: F401
    from ctxlint.transcripts.reading import _readers

    _readers()
    _rule_contexts(config)  # reading .check imports each detector module
    load_rates_cache()
    _attribution_priority()


def audit_file(path: str, config: Config | None = None) -> FileResult:
    """Read one transcript, compute its session facts and its findings (attributed, stamped).

    A per-file time guard (``timeout-per-file``, default 600 s) turns a pathological file into a
    CTX001 finding instead of a hang; the rest of the run goes on.
    """
    config = config or Config()
    try:
        with time_limit(config.timeout_per_file):
            return _audit(path, config)
    except FileTimeout:
        shown = display_path(path)
        result = FileResult(path=shown, kind="unknown", agent=None)
        result.findings.append(
            diagnostic(UNREADABLE, shown, f"analysis of {shown} stopped after {config.timeout_per_file:g} s "
                       "(raise timeout-per-file in the config to allow more)")
        )
        return result


def _audit(path: str, config: Config) -> FileResult:
    from ctxlint.transcripts.reading import read_transcript

    shown = display_path(path)
    try:
        transcript = read_transcript(path)
    except OSError as exc:
        result = FileResult(path=shown, kind="unknown", agent=None)
        result.findings.append(diagnostic(UNREADABLE, shown, f"cannot read {shown}: {exc.strerror or exc}"))
        return result
    return audit_transcript(transcript, shown, config)


def audit_transcript(transcript: Transcript, shown: str, config: Config) -> FileResult:
    """The facts and findings of a transcript already read (``shown`` is its path as reports show it):
    what ``audit_file`` gives for the file, and what a live session's audit gives for the part of it
    read so far (``ctxlint.live``)."""
    from ctxlint.transcripts.session_facts import summarise

    summary = summarise(transcript)
    facts = summary.facts
    facts.setdefault("session_id", transcript.session_id)
    facts.setdefault("project", transcript.cwd)
    facts.setdefault("is_subagent", transcript.is_subagent_file)
    facts["title"] = session_title(summary.first_prompt) if summary.first_prompt else None
    result = FileResult(
        path=shown,
        kind="transcript",
        agent=transcript.agent,
        session=facts,
        timeline=context_timeline(summary),
    )
    findings: list[Finding] = []
    if transcript.malformed:
        lines = ", ".join(str(n) for n in transcript.malformed_first_lines)
        reasons = ", ".join(f"{k} ×{v}" for k, v in sorted(transcript.malformed_reasons.items()))
        result.diagnostics.append(
            {
                "rule_id": MALFORMED,
                "count": transcript.malformed,
                "first_lines": list(transcript.malformed_first_lines),
                "reasons": dict(transcript.malformed_reasons),
            }
        )
        findings.append(
            diagnostic(
                MALFORMED,
                shown,
                CTX002_MESSAGE.format(n=transcript.malformed, lines=lines, reasons=reasons),
                transcript.malformed_first_lines[0] if transcript.malformed_first_lines else 1,
            )
        )

    from ctxlint.transcripts.agents import applicable, records_of

    records = transcript.records if transcript.records is not None else records_of(transcript.agent)
    rules: list[tuple[Registered, RuleContext]] = []
    skipped: list[tuple[Registered, RuleContext]] = []
    for rule, ctx in _rule_contexts(config):
        # A rule needing data this agent's store does not record is skipped, never run on guesses.
        (rules if applicable(rule.meta.requires, records) else skipped).append((rule, ctx))
    facts["skipped_rules"] = [rule.meta.id for rule, _ in skipped]
    if rules and transcript.events:
        from ctxlint.rules.attribution import attribute
        from ctxlint.transcripts.analysis import analyse

        analysis = analyse(transcript)
        raw: list[tuple[str, RawFinding]] = []
        by_id = {rule.meta.id: rule for rule, _ in rules}
        for rule, ctx in rules:
            assert rule.check is not None
            raw.extend((rule.meta.id, rf) for rf in rule.check(analysis, ctx))
        cap = analysis.total_input_tokens
        contexts = analysis.contexts
        estimated = not analysis.records_usage
        for rule_id, rf in attribute(raw, _attribution_priority(), cap, contexts, cap_cost_usd=summary.spend_usd):
            if estimated:  # sizes from the text alone: say so, and never price them as if exact
                rf = replace(rf, basis=Basis.ESTIMATED, cost_wasted_usd=None)
            findings.append(stamp(by_id[rule_id], rf, shown, config, agent=transcript.agent))
    result.findings = findings
    return result


TITLE_CHARS = 80


def session_title(prompt: str) -> str:
    """A session's name for people: its first typed prompt, secrets masked *before* it is cut (a cut
    secret would no longer match its pattern), at most ``TITLE_CHARS`` characters."""
    from ctxlint.measure.secrets import mask

    text = mask(prompt)
    if len(text) <= TITLE_CHARS:
        return text
    cut = text.rfind(" ", 0, TITLE_CHARS - 1)
    return text[: cut if cut > TITLE_CHARS // 2 else TITLE_CHARS - 1].rstrip(" ,;:.") + "…"


def audit_paths(
    paths: list[str],
    config: Config | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    sizes: Sequence[int] | None = None,
) -> list[FileResult]:
    """``audit_file`` of every path, in the order given, on ``jobs`` worker processes (default: the
    config's, else one per core), balanced on ``sizes`` (default: each file's size, or a database
    session's estimate; a caller that already listed the sessions passes them)."""
    if not paths:
        return []
    config = config or Config()
    results: list[FileResult | None] = [None] * len(paths)
    if sizes is None:
        from ctxlint.transcripts.stores import sizes as sizes_of

        sizes = sizes_of(paths)
    done = on_pool(partial(audit_file, config=config), paths, list(sizes), config, jobs=jobs)
    for count, (index, result) in enumerate(done, 1):
        results[index] = result
        if progress:
            progress(count, len(paths))
    return [r for r in results if r is not None]


def on_pool(fn: Callable[[T], R], items: Sequence[T], sizes: Sequence[int], config: Config, *,
            jobs: int | None = None) -> Iterator[tuple[int, R]]:
    """``(index, fn(items[index]))`` for every item, in completion order, on ``jobs`` worker processes
    (default: the config's, else one per core) in size-balanced batches; in this process when one
    worker or one item is all there is. What the workers need is loaded here first (``prepare``), so
    each forked worker inherits it. Model prices first met in a worker come back with its results
    and are persisted once, here: workers never write the cache."""
    from ctxlint.measure import pricing

    workers = jobs or config.jobs or os.cpu_count() or 1
    if workers <= 1 or len(items) <= 1:
        for index, item in enumerate(items):
            yield index, fn(item)
        pricing.save_new_rates({})
        return
    from ctxlint._runtime.pool import balanced_batches, imap_unordered

    prepare(config)
    batches = balanced_batches(sizes, workers)
    tasks = [[items[i] for i in batch] for batch in batches]
    from_workers: dict[str, Any] = {}
    for b, (results, rates) in imap_unordered(partial(_batch, fn), tasks, workers):
        from_workers.update(rates)
        for index, result in zip(batches[b], results, strict=True):
            yield index, result
    pricing.save_new_rates(from_workers)


def _batch(fn: Callable[[T], R], items: list[T]) -> tuple[list[R], dict[str, Any]]:
    """One task of the pool: ``fn`` of each item, and the model prices this worker computed."""
    from ctxlint.measure import pricing

    return [fn(item) for item in items], pricing.take_new_rates()


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------


def context_timeline(summary: SessionSummary, max_points: int = 400) -> dict[str, Any]:
    """Context fill of every main-thread request (downsampled by max), with compaction positions."""
    context, compactions, clears = summary.contexts, summary.compactions, summary.clears
    step = max(1, -(-len(context) // max_points))
    if step > 1:
        # keep the peak of each bucket so the chart never hides how full the context got
        context = [max(context[i : i + step]) for i in range(0, len(context), step)]
        compactions = [c // step for c in compactions]
        clears = [c // step for c in clears]
    return {"context": context, "step": step, "compactions": compactions, "clears": clears,
            "window": summary.facts.get("context_window"), "usable": summary.facts.get("usable_window")}
