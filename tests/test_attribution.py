"""Attribution: each wasted token goes to one finding, and a session's waste never exceeds its input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxlint.core.audit import audit_file
from ctxlint.core.findings import waste_by_basis
from ctxlint.model import Basis, Claim, RawFinding
from ctxlint.rules.attribution import attribute
from ctxlint.rules.registry import RuleContext, registry, shared_data
from ctxlint.transcripts.analysis import analyse
from ctxlint.transcripts.reading import read_transcript
from tests.conftest import CORPUS as CORPUS_ROOT
from tests.transcript_builder import build

CORPUS = CORPUS_ROOT / "transcripts"
CASES = Path(__file__).parent / "cases"
PRIORITY = [str(r) for r in shared_data("attribution")["priority"]]


def _finding(*claims: Claim, cost: float | None = None) -> RawFinding:
    return RawFinding(line=1, message="m", claims=claims, tokens_wasted=sum(c.tokens for c in claims),
                      cost_wasted_usd=cost)


def test_priority_file_lists_every_transcript_rule_once() -> None:
    transcript_rules = {r for r, e in registry().items() if e.meta.kind == "transcript"}
    assert len(PRIORITY) == len(set(PRIORITY))
    assert set(PRIORITY) == transcript_rules
    assert PRIORITY.index("CTX204") < PRIORITY.index("CTX203") < PRIORITY.index("CTX201") < PRIORITY.index("CTX202")


def test_the_more_specific_rule_keeps_a_shared_claim_and_the_other_finding_is_dropped() -> None:
    shared = Claim("item:40:c1", 9_000, 0.09)
    out = attribute([("CTX202", _finding(shared)), ("CTX204", _finding(shared))], PRIORITY, 10**9)
    assert [r for r, _ in out] == ["CTX204"]
    assert out[0][1].tokens_wasted == 9_000


def test_a_finding_keeps_the_claims_nobody_else_took_and_is_recomputed() -> None:
    a, b = Claim("item:1:x", 1_000, 0.01), Claim("item:2:y", 3_000, 0.03)
    # a whole re-print that is also large is the repeat's (repeated-read before oversized-tool-output)
    out = dict(attribute([("CTX202", _finding(a, b)), ("CTX201", _finding(b))], PRIORITY, 10**9))
    assert out["CTX201"].tokens_wasted == 3_000
    assert out["CTX202"].tokens_wasted == 1_000
    assert out["CTX202"].cost_wasted_usd == pytest.approx(0.01)
    assert [c.key for c in out["CTX202"].claims] == ["item:1:x"]


def test_findings_come_back_in_input_order() -> None:
    f1, f2 = _finding(Claim("k1", 10)), _finding(Claim("k2", 20))
    out = attribute([("CTX212", f1), ("CTX204", f2)], PRIORITY, 10**9)
    assert [r for r, _ in out] == ["CTX212", "CTX204"]


def test_findings_without_claims_are_kept_as_they_are() -> None:
    f = RawFinding(line=3, message="cache rebuilt", cost_wasted_usd=0.5)
    assert attribute([("CTX210", f)], PRIORITY, 0) == [("CTX210", f)]


def test_total_is_scaled_to_the_cap() -> None:
    out = attribute([("CTX201", _finding(Claim("a", 600, 0.6))), ("CTX202", _finding(Claim("b", 600, 0.6)))],
                    PRIORITY, 1_000, cap_cost_usd=0.5)
    assert sum(f.tokens_wasted for _, f in out) <= 1_000
    assert sum(f.cost_wasted_usd or 0 for _, f in out) <= 0.5 + 1e-12


def test_the_ledger_never_grants_more_than_a_request_sent() -> None:
    contexts = [10_000, 10_000, 10_000]
    fill = Claim("fill:0", 3 * 9_000, None, 0, 3, 9_000, floor=0)
    item = Claim("item:5:c", 3 * 4_000, None, 0, 3, 4_000)
    out = dict(attribute([("CTX206", _finding(fill)), ("CTX202", _finding(item))], PRIORITY, 10**9, contexts))
    assert out["CTX202"].tokens_wasted == 12_000  # more specific: claimed first
    assert out["CTX206"].tokens_wasted == 3 * 6_000  # only the room left on each request


_claims = st.lists(st.tuples(st.sampled_from(["k1", "k2", "k3", "k4", "k5"]), st.integers(0, 50_000),
                             st.integers(0, 4), st.integers(0, 5), st.integers(0, 20_000)), max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PRIORITY), _claims), max_size=8), st.integers(0, 200_000),
       st.lists(st.integers(0, 60_000), min_size=5, max_size=5))
def test_no_key_twice_and_never_above_the_cap(raw: list[tuple[str, list[Any]]], cap: int,
                                              contexts: list[int]) -> None:
    findings = []
    for rule, specs in raw:
        claims = tuple(Claim(k, per * max(0, r1 - r0), 0.001 * per, r0, max(r0, r1), per) for k, per, r0, r1, _ in specs)
        findings.append((rule, _finding(*claims)))
    out = attribute(findings, PRIORITY, cap, contexts)
    keys = [c.key for _, f in out for c in f.claims]
    assert len(keys) == len(set(keys))
    assert sum(f.tokens_wasted for _, f in out) <= cap
    # the ledger: ranged claims never get more than the requests they name sent in total
    ranged = sum(c.tokens for _, f in out for c in f.claims if c.per_request > 0)
    assert ranged <= sum(contexts)


def run_rules(path: Path) -> tuple[list[tuple[str, RawFinding]], int, list[int]]:
    t = read_transcript(str(path))
    a = analyse(t)
    raw: list[tuple[str, RawFinding]] = []
    for rule_id, entry in registry().items():
        if entry.meta.kind != "transcript" or entry.check is None:
            continue
        raw.extend((rule_id, f) for f in entry.check(a, RuleContext(entry.meta, entry.meta.default_options)))
    return raw, a.total_input_tokens, [u.context_tokens for u in a.requests]


def _check_invariant(path: Path) -> None:
    raw, cap, contexts = run_rules(path)
    out = attribute(raw, PRIORITY, cap, contexts)
    total = sum(f.tokens_wasted for _, f in out)
    assert total <= cap, f"{path.name}: waste {total:,} > input {cap:,}"
    keys = [c.key for _, f in out for c in f.claims]
    assert len(keys) == len(set(keys)), f"{path.name}: a claim counted twice"
    assert sum(c.tokens for _, f in out for c in f.claims if c.per_request > 0) <= sum(contexts)
    for _, f in out:
        assert f.tokens_wasted >= 0
        assert f.cost_wasted_usd is None or f.cost_wasted_usd >= 0


CORPUS_FILES = sorted(p for d in ("claude-code", "codex", "gemini", "aider") for p in (CORPUS / d).glob("*")
                      if p.suffix in (".jsonl", ".json", ".md")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="shared corpus not available")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:70])
def test_invariant_on_every_corpus_transcript(path: Path) -> None:
    _check_invariant(path)


def _scenario_cases() -> list[Any]:
    out = []
    for f in sorted(CASES.glob("CTX2*.yaml")):
        for i, case in enumerate(yaml.safe_load(f.read_text(encoding="utf-8"))["cases"]):
            if "scenario" in case:
                out.append(pytest.param(case["scenario"], id=f"{f.stem}-{i}"))
    return out


def _check_basis(path: Path) -> None:
    """The stamped findings of a file: measured and modelled waste are each within the spend and
    together make the total; every modelled saving says so; a file without usage is estimated, unpriced."""
    result = audit_file(str(path))
    s = result.session or {}
    spent = sum(int(s.get(k) or 0) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))
    findings = [f for f in result.findings if f.kind == "transcript"]
    split = waste_by_basis(findings)
    assert sum(v["tokens_wasted"] for v in split.values()) == sum(f.tokens_wasted for f in findings) <= max(spent, 0)
    for f in findings:
        if f.basis is Basis.MODELLED and f.tokens_wasted:
            assert "modelled" in f.message, f.message
        if not s.get("requests"):
            assert f.basis is Basis.ESTIMATED and f.cost_wasted_usd is None


@pytest.mark.parametrize("scenario", _scenario_cases())
def test_invariant_on_every_fixture(scenario: dict[str, Any], tmp_path: Path) -> None:
    for name, text in build(scenario).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        _check_invariant(path)
        _check_basis(path)


def test_a_transcript_without_usage_is_estimated_and_unpriced(tmp_path: Path) -> None:
    """An agent that records no usage: whatever the rules find is an estimate, never priced as exact."""
    steps = [{"prompt": "Read the parser"}, {"requests": 3}, {"compact": True}, {"requests": 3}, {"compact": True},
             {"requests": 3}, {"compact": True}, {"requests": 3}]
    files = build({"agent": "claude-code", "steps": steps})
    path = tmp_path / "session.jsonl"
    lines = []
    for line in files["session.jsonl"].splitlines():
        record = json.loads(line)
        usage = record["message"].get("usage") if isinstance(record.get("message"), dict) else None
        if usage:  # the requests are there, their usage is not recorded
            record["message"]["usage"] = {k: 0 for k, v in usage.items() if isinstance(v, int)}
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings = [f for f in audit_file(str(path)).findings if f.kind == "transcript"]
    assert findings and all(f.basis is Basis.ESTIMATED and f.cost_wasted_usd is None for f in findings)


def test_a_large_whole_file_reprint_is_reported_as_the_repeat(tmp_path: Path) -> None:
    """Held-out (Codex): `cat docs/prd.md` then `nl -ba docs/prd.md` four seconds later, both ~11k tokens.
    The second print is a re-read of a complete copy; reported only as an oversized output, its fix
    ("read a range") would be wrong for a document the task needed whole once."""
    steps = [{"prompt": "Validate the PRD for completeness"}, {"bash": "cat docs/prd.md", "tokens": 9_500},
             {"bash": "nl -ba docs/prd.md", "tokens": 11_000}, {"requests": 6}]
    for name, text in build({"agent": "codex", "steps": steps}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        by_rule = {f.rule_id: f for f in audit_file(str(tmp_path / name)).findings if f.severity.label != "info"}
        assert "CTX201" in by_rule and "nl -ba" not in (by_rule["CTX202"].message if "CTX202" in by_rule else "")
        assert "docs/prd.md` re-read 1×" in by_rule["CTX201"].message
