"""Instruction files as editors write them (issue 22.4): UTF-16/UTF-32 with a BOM are read as text,
a binary file named CLAUDE.md is unreadable (CTX001) instead of a giant CTX101, --fix writes a file
back in its own encoding."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from ctxlint._runtime.textio import Encoding, NotText, decode
from tests.test_cli import run

TEXT = "# Rules\n\nRun `make test` before every commit.\nRun `make test` before every commit.\n"


@pytest.mark.parametrize(("codec", "bom"), [
    ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE),
])
def test_a_bom_decides_the_encoding(codec: str, bom: bytes) -> None:
    text, encoding = decode(bom + TEXT.encode(codec))
    assert text == TEXT and encoding == Encoding(codec, bom)
    assert encoding.encode(text) == bom + TEXT.encode(codec)


@pytest.mark.parametrize(("data", "reason"), [
    (bytes(range(256)) * 40, "binary file (NUL bytes"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 40, "binary file (not UTF-8"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "not UTF-16-LE text"),  # a lone surrogate
])
def test_binary_data_is_not_text(data: bytes, reason: str) -> None:
    with pytest.raises(NotText, match=reason.replace("(", r"\(")):
        decode(data)


def test_a_stray_latin1_byte_is_not_fatal() -> None:
    text, _ = decode("# Règles\nUse ruff.\n".encode("latin-1"))
    assert text == "# R\ufffdgles\nUse ruff.\n"
    kept, _ = decode("# Règles\n".encode("latin-1"), errors="surrogateescape")  # --fix writes it back as it was
    assert kept.encode("utf-8", "surrogateescape") == b"# R\xe8gles\n"


def test_a_utf16_claude_md_is_checked_as_text(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_bytes(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"))
    data = json.loads(run(["CLAUDE.md", "--format", "json", "--select", "CTX104"], tmp_path).stdout)
    assert [f["message"] for f in data["findings"]] == ['duplicate of line 3: "Run `make test` before every commit."']
    assert data["files"][0]["tokens"] < 30  # not the doubled count of a UTF-16 file read as bytes


def test_fix_writes_a_utf16_file_back_as_utf16(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "CLAUDE.md"
    path.write_bytes(codecs.BOM_UTF16_BE + TEXT.replace("\n", "\r\n").encode("utf-16-be"))
    run([".", "--select", "CTX104", "--fix"], tmp_path)
    fixed = "# Rules\r\n\r\nRun `make test` before every commit.\r\n"
    assert path.read_bytes() == codecs.BOM_UTF16_BE + fixed.encode("utf-16-be")


def test_a_binary_claude_md_is_unreadable_not_a_huge_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_bytes(bytes(range(256)) * 2000)
    result = run([".", "--format", "json"], tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["message"]) for f in findings] == [
        ("CTX001", "cannot check CLAUDE.md: binary file (NUL bytes; UTF-16 or UTF-32 text needs a byte-order mark)")]
