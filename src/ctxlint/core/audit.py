"""The per-file transcript pipeline: read -> session facts -> transcript rules -> attribution ->
stamped findings, as one picklable ``audit_file(path, config) -> FileResult``; ``audit_paths``
maps it over many files on the worker pool.

``audit_file`` is pure with respect to its inputs (reads one file, returns plain data), so the
reduction over files is a simple merge of FileResults.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ctxlint._runtime.fsutil import display_path
from ctxlint.config import Config
from ctxlint.core.findings import MALFORMED, UNREADABLE, diagnostic, stamp
from ctxlint.model import FileResult, Finding, RawFinding

if TYPE_CHECKING:
    from ctxlint.rules.registry import Registered, RuleContext
    from ctxlint.transcripts.session_facts import SessionSummary

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


class FileTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise FileTimeout after ``seconds`` (main thread of a process only; else no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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


def audit_files(paths: list[str], config: Config | None = None) -> list[FileResult]:
    """``audit_file`` of each path, in order: one task of the engine's worker pool."""
    return [audit_file(path, config) for path in paths]


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
    from ctxlint.transcripts.session_facts import summarise

    shown = display_path(path)
    try:
        transcript = read_transcript(path)
    except OSError as exc:
        result = FileResult(path=shown, kind="unknown", agent=None)
        result.findings.append(diagnostic(UNREADABLE, shown, f"cannot read {shown}: {exc.strerror or exc}"))
        return result

    summary = summarise(transcript)
    facts = summary.facts
    facts.setdefault("session_id", transcript.session_id)
    facts.setdefault("project", transcript.cwd)
    facts.setdefault("is_subagent", transcript.is_subagent_file)
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

    rules = _rule_contexts(config)
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
        contexts = [u.context_tokens for u in analysis.requests]
        for rule_id, rf in attribute(raw, _attribution_priority(), cap, contexts, cap_cost_usd=summary.spend_usd):
            findings.append(stamp(by_id[rule_id], rf, shown, config))
    result.findings = findings
    return result


def audit_paths(
    paths: list[str],
    config: Config | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    """``audit_file`` of every path, in the order given, on ``jobs`` worker processes (default: the
    config's, else one per core)."""
    if not paths:
        return []
    config = config or Config()
    workers = jobs or config.jobs or os.cpu_count() or 1
    # Size-balanced: largest first, handed out as workers free up, so no worker idles behind a giant.
    sizes = {p: _size(p) for p in paths}
    ordered = sorted(paths, key=sizes.__getitem__, reverse=True)
    results: dict[str, FileResult] = {}
    if workers <= 1 or len(ordered) == 1:
        for i, p in enumerate(ordered, 1):
            results[p] = audit_file(p, config)
            if progress:
                progress(i, len(ordered))
    else:
        from functools import partial

        from ctxlint._runtime.pool import imap_unordered

        prepare(config)
        done = 0
        batches = _batches(ordered, [sizes[p] for p in ordered], workers)
        for index, batch_results in imap_unordered(partial(audit_files, config=config), batches, workers):
            for p, result in zip(batches[index], batch_results, strict=True):
                results[p] = result
            done += len(batches[index])
            if progress:
                progress(done, len(ordered))
    return [results[p] for p in paths]


BATCH_BYTES = 2 * 1024 * 1024
MIN_BATCH_BYTES = 128 * 1024


def _batches(ordered: list[str], sizes: list[int], workers: int) -> list[list[str]]:
    """Files (largest first) in tasks of about ``BATCH_BYTES``: a small session is a few ms of work, so
    one task per file spent a tenth of the pool's time on task hand-offs. The largest files still go
    first and one per task, and a task never grows past a quarter of a worker's share of the work
    left, so the last tasks are small and no worker idles behind a long one at the end."""
    remaining = sum(sizes)
    batches: list[list[str]] = []
    current: list[str] = []
    filled = 0
    for path, size in zip(ordered, sizes, strict=True):
        current.append(path)
        filled += size
        if filled >= min(BATCH_BYTES, max(MIN_BATCH_BYTES, remaining // (4 * workers))):
            batches.append(current)
            remaining -= filled
            current, filled = [], 0
    if current:
        batches.append(current)
    return batches


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


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
            "window": summary.facts.get("context_window")}
