"""A rule is defined in one place: its id, name and fix texts in rules/CTXnnn.yaml; its detector (one
module, named after the id) yields facts and names its fix templates; the engine stamps the rest."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from ctxlint.errors import RuleDataError
from ctxlint.model import fix
from ctxlint.rules import registry as reg

RULES_PACKAGE = Path(reg.__file__).parent


def _modules() -> dict[str, Path]:
    return {f"CTX{p.name[3:6]}": p for p in sorted(RULES_PACKAGE.glob("*/ctx[0-9][0-9][0-9]_*.py"))}


def _strings(path: Path) -> list[str]:
    """Every string literal of a module (docstrings included), not its comments."""
    return [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _values(data: Any) -> set[str]:
    if isinstance(data, dict):
        return {v for x in data.values() for v in _values(x)}
    if isinstance(data, list):
        return {v for x in data for v in _values(x)}
    return {data} if isinstance(data, str) else set()


def test_every_rule_has_one_detector_module_and_every_module_a_rule() -> None:
    metas = {rid: m for rid, m in reg.all_metadata().items() if m.kind != "diagnostic"}
    assert sorted(_modules()) == sorted(metas)
    assert all(reg.registry()[rid].check is not None for rid in metas)


def test_detectors_do_not_repeat_rule_ids() -> None:
    """The id is the module's name: no detector writes an id as a string (its message, its docstring)."""
    found = {path.name: ids for path in _modules().values()
             if (ids := sorted({i for s in _strings(path) for i in re.findall(r"CTX\d{3}", s)}))}
    assert found == {}


def test_every_fix_template_is_named_by_its_detector_and_every_name_exists() -> None:
    for rule_id, path in _modules().items():
        meta = reg.all_metadata()[rule_id]
        source = path.read_text(encoding="utf-8")
        strings = set(_strings(path)) | _values(meta.data)
        dynamic = "ctx.meta.fixes" in source  # a detector that looks its template up by a computed name
        for name in meta.fixes:
            base = name.removesuffix("-at-root")
            assert name in strings or base in strings or dynamic, f"{rule_id}: fix template {name!r} is never used"
        for name in re.findall(r"\bfix\(\s*\"([\w-]+)\"", source):
            assert name in meta.fixes or name == reg.DOCUMENTED, f"{rule_id}: no fix template {name!r}"


def _meta(fixes: dict[str, Any]) -> reg.RuleMeta:
    raw = {"id": "CTX999", "name": "x", "kind": "transcript", "severity": "info", "basis": "measured", "summary": "s", "why": "w",
           "fix": "Do the\n  documented thing.", "fixes": fixes}
    return reg._parse_meta(raw, "CTX999.yaml")


def test_fix_text_joins_fills_and_picks_the_agents_text() -> None:
    meta = _meta({"a": "delete line {line:,}", "b": "; then {what}",
                  "per-agent": {"claude-code": "run /clear", "codex": "start a new session (/new)"},
                  "suffix": {"claude-code": "; use Grep", "codex": ""}})
    assert meta.fix_text(fix("a", "b", line=1200, what="test")) == "delete line 1,200; then test"
    assert meta.fix_text(fix("per-agent"), "codex") == "start a new session (/new)"
    assert meta.fix_text(fix("per-agent"), "gemini") == "run /clear"  # other agents: Claude Code's
    assert meta.fix_text(fix("a", "suffix", line=3), "codex") == "delete line 3"  # an empty text is a text
    assert meta.fix_text(fix(reg.DOCUMENTED)) == "Do the documented thing."
    with pytest.raises(RuleDataError, match="no fix template 'missing'"):
        meta.fix_text(fix("missing"))


@pytest.mark.parametrize("fixes", [{"a": "{unclosed"}, {"a": {"codex": "no Claude Code text"}},
                                   {"a": {"claude-code": "x", "cursor": "y"}}, {"documented": "reserved"}, ["a"]])
def test_malformed_fix_templates_are_rule_data_errors(fixes: Any) -> None:
    with pytest.raises(RuleDataError):
        _meta(fixes)
