"""parse_markdown: structure, imports, comments, robustness (never raises) and speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxlint.markdown import parse_markdown
from tests.conftest import CORPUS

SAMPLE = """---
paths: ["src/**"]
---
# Title
Use @AGENTS.md and @docs/a.md, plus @~/prefs.md.
Mail me at a@b.com. Install @types/node. Decorate with @pytest.fixture.
See `@docs/in-code.md` for x. Text <!-- note @docs/hidden.md --> more.
<!-- block comment -->
## Sub
- [x] done
- [ ] todo
```bash
@docs/fenced.md
```

    indented code

[link](docs/x.md) and <https://e.com>
### Deeper
End with @docs/last.md.
"""


def test_front_matter_sections_blocks_and_lists() -> None:
    doc = parse_markdown(SAMPLE, "CLAUDE.md")
    assert doc.parse_error is None
    assert doc.front_matter == {"paths": ["src/**"]}
    assert doc.front_matter_end_line == 3
    assert [(s.heading, s.level, s.start_line, s.path) for s in doc.sections] == [
        ("Title", 1, 4, ("Title",)),
        ("Sub", 2, 9, ("Title", "Sub")),
        ("Deeper", 3, 19, ("Title", "Sub", "Deeper")),
    ]
    assert doc.sections[1].end_line == len(doc.lines)
    fenced, indented = doc.code_blocks
    assert (fenced.start_line, fenced.end_line, fenced.info, fenced.content, fenced.fenced) == (
        12, 14, "bash", "@docs/fenced.md", True)
    assert (indented.start_line, indented.end_line, indented.fenced) == (16, 16, False)
    assert [(i.line, i.text, i.checkbox) for i in doc.list_items] == [(10, "done", "x"), (11, "todo", " ")]
    assert doc.section_at(13) is not None and doc.section_at(13).heading == "Sub"  # type: ignore[union-attr]


def test_comments_block_vs_inline() -> None:
    doc = parse_markdown(SAMPLE, "CLAUDE.md")
    inline, block = doc.html_comments
    assert (inline.start_line, inline.block, inline.inline, inline.column) == (7, False, True, 36)
    assert (block.start_line, block.block, block.inline) == (8, True, False)
    assert doc.line_in_comment(8) and not doc.line_in_comment(7)
    multi = parse_markdown("# A\n<!--\nhidden\nlines\n-->\ntext\n<!-- x --> trailing\n", "CLAUDE.md")
    assert [(c.start_line, c.end_line, c.block) for c in multi.html_comments] == [(2, 5, True), (7, 7, False)]


def test_links_and_inline_code() -> None:
    doc = parse_markdown(SAMPLE, "CLAUDE.md")
    assert [(link.line, link.target) for link in doc.links] == [(18, "docs/x.md"), (18, "https://e.com")]
    assert [(c.line, c.column, c.text) for c in doc.inline_code] == [(7, 5, "@docs/in-code.md")]
    spans = parse_markdown("a ``code `with` tick`` b `x` c ```unclosed", "x.md").inline_code
    assert [c.text for c in spans] == ["code `with` tick", "x"]


def test_imports() -> None:
    doc = parse_markdown(SAMPLE, "CLAUDE.md")
    got = [(i.line, i.target, i.in_code, i.pathlike) for i in doc.imports]
    assert got == [
        (5, "AGENTS.md", False, True),
        (5, "docs/a.md", False, True),  # trailing comma stripped
        (5, "~/prefs.md", False, True),  # home import
        (6, "types/node", False, False),  # npm scope: not a path
        (6, "pytest.fixture", False, False),  # decorator: not a path
        (7, "docs/in-code.md", True, True),  # in a code span: recorded, never expanded
        (13, "docs/fenced.md", True, True),  # in a fence
        (20, "docs/last.md", False, True),  # trailing period stripped
    ]
    # e-mail addresses, `user@host`, front matter and HTML comments never import
    assert not any("b.com" in i.target or "hidden" in i.target for i in doc.imports)


def test_crlf_bom_and_bad_front_matter() -> None:
    doc = parse_markdown("\ufeff---\r\nkey: [unclosed\r\n---\r\n# H\r\nbody @x.md\r\n", "AGENTS.md")
    assert doc.newline == "\r\n"
    assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
    assert doc.front_matter is None and doc.front_matter_error is not None
    assert doc.lines == ["---", "key: [unclosed", "---", "# H", "body @x.md"]
    assert [i.target for i in doc.imports] == ["x.md"]
    scalar = parse_markdown("---\njust a string\n---\n", "x.mdc")
    assert scalar.front_matter is None and scalar.front_matter_error


def test_unclosed_fence_runs_to_the_end() -> None:
    doc = parse_markdown("# A\n```\n@a.md\nstill code\n", "CLAUDE.md")
    assert doc.code_blocks[0].end_line == 4
    assert all(i.in_code for i in doc.imports)


def test_edge_inputs_never_raise() -> None:
    for text in ("", "\n", "\x00\x00@a.md\x00", "#", "---", "---\n", "```", "<!--", "<!-- -->" * 1000,
                 "x" * 1_000_000, "@" * 10_000, "`" * 10_001, "- [x]\n" * 5000, "\ud800 lone surrogate @a.md",
                 "[" * 5000 + "](" * 5000, ">" * 3000 + " quote"):
        doc = parse_markdown(text, "CLAUDE.md")
        assert doc.parse_error is None, (text[:20], doc.parse_error)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*"#-*`@<!>[]()~/.: \n\t\r\x00ab1|_=+\\\"'{}", "```", "<!--", "-->", "---\n",
                                  "\ufeff", "é", "    ", "- [x] ", "@a.md", "a@b.com"]),
                max_size=300).map("".join))
def test_fuzz_never_raises(text: str) -> None:
    doc = parse_markdown(text, "CLAUDE.md")
    assert doc.parse_error is None
    n = len(doc.lines)
    for block in doc.code_blocks:
        assert 1 <= block.start_line <= block.end_line <= max(n, 1)
    for imp in doc.imports:
        assert 1 <= imp.line <= n and imp.target
    for c in doc.html_comments:
        assert 1 <= c.start_line <= c.end_line


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_fuzz_any_unicode(text: str) -> None:
    assert parse_markdown(text, "AGENTS.md").parse_error is None


def test_largest_corpus_file_parses_fast() -> None:
    files = sorted((CORPUS / "instructions").glob("*"), key=lambda p: p.stat().st_size, reverse=True)
    if not files:
        return
    text = files[0].read_text(encoding="utf-8", errors="replace")
    parse_markdown(text, "warm-up.md")  # loads the grammar once
    best = min(_timed(text) for _ in range(3))
    # Target: well under 50 ms on an idle machine (tree-sitter is ~80% of it); generous here for busy CI.
    assert best < 0.25, f"{files[0].name} ({len(text):,} chars) took {best * 1000:.1f} ms"


def _timed(text: str) -> float:
    start = time.perf_counter()
    parse_markdown(text, "AGENTS.md")
    return time.perf_counter() - start


def test_every_corpus_file_parses() -> None:
    for path in (CORPUS / "instructions").glob("*"):
        doc = parse_markdown(path.read_text(encoding="utf-8", errors="replace"), path.name)
        assert doc.parse_error is None, path.name


def test_cached_block_structure_gives_the_same_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Warm runs replay tree-sitter's block facts from the cache: every Document is the same as a
    fresh parse, the cache holds offsets only (never text), and a damaged entry is parsed again.
    Committed files (the example and every instruction file of the rule case files), and the shared
    corpus where it is present."""
    import sqlite3

    import yaml

    from ctxlint import markdown
    from ctxlint._runtime import cache

    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path))
    cache.reset()
    tests = Path(__file__).parent
    texts = [((tests.parent / "examples" / "CLAUDE.md").read_text(encoding="utf-8"), "CLAUDE.md")]
    for case_file in sorted((tests / "cases").glob("CTX1*.yaml")):
        for case in yaml.safe_load(case_file.read_text(encoding="utf-8"))["cases"]:
            texts += [(text, name) for name, text in (case.get("files") or {}).items() if name.endswith((".md", ".mdc"))]
    if (CORPUS / "instructions").is_dir():
        texts += [(f.read_text(encoding="utf-8", errors="replace"), f.name) for f in sorted((CORPUS / "instructions").glob("*"))]
    cache.disable()
    fresh = [parse_markdown(text, name) for text, name in texts]
    cache.reset()
    cold = [parse_markdown(text, name) for text, name in texts]
    calls = 0
    real = markdown._block_facts

    def counted(data: bytes) -> markdown.BlockFacts:
        nonlocal calls
        calls += 1
        return real(data)

    monkeypatch.setattr(markdown, "_block_facts", counted)
    cache.reset()
    warm = [parse_markdown(text, name) for text, name in texts]
    assert calls == 0, "a warm run parsed again"
    assert warm == cold == fresh

    con = sqlite3.connect(tmp_path / cache.FILE_NAME)
    blobs = [bytes(row[0]) for row in con.execute("SELECT value FROM entries WHERE kind = 'markdown'")]
    assert len(blobs) >= len({t for t, _ in texts if t.strip()}) > 20
    phrase = next(line for text, _ in texts for line in text.splitlines() if len(line) > 40).encode()
    assert not any(phrase in blob for blob in blobs), "the cache must not hold file text"
    # an entry whose ranges do not fit its text is parsed again
    con.execute("UPDATE entries SET value = ? WHERE kind = 'markdown'", (markdown_facts_out_of_range(),))
    con.commit()
    con.close()
    cache.reset()
    assert [parse_markdown(text, name) for text, name in texts] == fresh
    assert calls == len(blobs)


def markdown_facts_out_of_range() -> bytes:
    return b"[[[1,1,[0,1000000000]]],[],[],[]]"
