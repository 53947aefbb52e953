"""The documentation stays true: generated rule pages are current, links resolve, SARIF help exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urlsplit

import pytest

from ctxlint.rules.registry import all_metadata
from tests.conftest import REPO

DOCS = REPO / "docs"
# [text](target) and [text]: target, outside fenced code blocks and inline code.
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_rule_docs", REPO / "scripts" / "gen_rule_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]


def prose(text: str) -> str:
    """The text outside fenced code blocks and inline code spans, where links are links."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
            continue
        if fence is not None:
            if match and match.group(2).startswith(fence) and not line[match.end():].strip():
                fence = None
            continue
        out.append(re.sub(r"(`+)(?:(?!\1).)+?\1", "", line))
    return "\n".join(out)


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, duplicates numbered."""
    anchors: set[str] = set()
    for line in prose(text).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).lower()).replace(" ", "-")
        candidate, n = slug, 1
        while candidate in anchors:
            candidate, n = f"{slug}-{n}", n + 1
        anchors.add(candidate)
    return anchors


def relative_links(path: Path) -> list[str]:
    text = prose(path.read_text(encoding="utf-8"))
    targets = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
    return [t for t in targets if not urlsplit(t).scheme and not t.startswith("mailto:")]


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in heading_anchors(resolved.read_text("utf-8")):
            broken.append(f"{target} (no such heading)")
    return broken


def test_rule_pages_are_current() -> None:
    stale = load_generator().stale_pages()
    assert not stale, f"stale rule pages {stale}; run: python scripts/gen_rule_docs.py"


def test_stale_check_notices_an_edited_page(tmp_path: Path) -> None:
    """The staleness check itself can fail: a changed, a missing and a left-over page are all found."""
    generator = load_generator()
    generator.write_pages(tmp_path)
    assert generator.stale_pages(tmp_path) == []
    (tmp_path / "CTX101.md").write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "CTX104.md").unlink()
    (tmp_path / "CTX999.md").write_text("a rule that no longer exists\n", encoding="utf-8")
    assert generator.stale_pages(tmp_path) == ["CTX101.md", "CTX104.md", "CTX999.md"]


def test_one_page_per_rule() -> None:
    pages = {p.stem for p in (DOCS / "rules").glob("CTX*.md")}
    assert pages == set(all_metadata())


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(path: Path) -> None:
    assert not broken_links(path), broken_links(path)


def test_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("# Real heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](real.md) [ok](real.md#real-heading) [ok](https://example.com/x.md)\n"
        "[gone](missing.md) [bad anchor](real.md#nope)\n"
        "```\n[in a fence](not-a-link.md)\n```\n`[inline](code.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(page) == ["missing.md (no such file)", "real.md#nope (no such heading)"]


def test_sarif_help_uri_points_to_an_existing_rule_page() -> None:
    from ctxlint.rules.registry import REPOSITORY_URL

    prefix = f"{REPOSITORY_URL}/blob/main/"
    for meta in all_metadata().values():
        assert meta.help_uri.startswith(prefix), meta.help_uri
        page = REPO / meta.help_uri.removeprefix(prefix)
        assert page.is_file(), f"{meta.id}: helpUri {meta.help_uri} names a page that does not exist"
        assert page.name == f"{meta.id}.md"


def test_package_metadata_names_the_same_repository() -> None:
    import tomllib

    from ctxlint.rules.registry import REPOSITORY_URL

    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Repository"] == REPOSITORY_URL
    assert urls["Documentation"].startswith(REPOSITORY_URL + "/")
