"""`ctxlint lsp` (issue 22.6) driven over stdio by pygls's own client, as an editor would: open a
document, get the CLI's findings as diagnostics (config and suppressions honoured, unsaved text
checked), ask for code actions (the fix, the disable directive), hover a rule id."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from ctxlint.lsp.analysis import Replacement, replacement
from ctxlint.model import TextEdit

SRC = Path(__file__).resolve().parents[1] / "src"
TEXT = ("# Rules\n"
        "- Run `make test` before every commit.\n"
        "- Write clean code.\n"
        "- Run `make test` before every commit.\n")


class Editor:
    """A pygls client with the server started as `python -m ctxlint lsp`, collecting diagnostics."""

    def __init__(self) -> None:
        self.client = LanguageClient("test-editor", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.published = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.published.set()

    async def start(self, root: Path, cache: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC), "CTXLINT_CACHE_DIR": str(cache)}
        await self.client.start_io(sys.executable, "-m", "ctxlint", "lsp", cwd=str(root), env=env)
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=root.as_uri()))
        self.client.initialized(types.InitializedParams())

    async def next_diagnostics(self, act: Callable[[], None], uri: str) -> list[types.Diagnostic]:
        self.published.clear()
        act()
        await asyncio.wait_for(self.published.wait(), 30)
        return self.diagnostics[uri]

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def drive(root: Path, cache: Path, script: Callable[[Editor], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        editor = Editor()
        await editor.start(root, cache)
        try:
            return await script(editor)
        finally:
            await editor.stop()

    return asyncio.run(main())


def open_params(uri: str, text: str) -> types.DidOpenTextDocumentParams:
    return types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text))


def test_diagnostics_code_actions_and_hover_over_stdio(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    claude = repo / "CLAUDE.md"
    claude.write_text(TEXT)
    (repo / ".ctxlint.yaml").write_text("rules:\n  vague-directive:\n    severity: warning\n")
    uri = claude.as_uri()

    async def script(editor: Editor) -> None:
        client = editor.client
        opened = await editor.next_diagnostics(lambda: client.text_document_did_open(open_params(uri, TEXT)), uri)
        by_rule = {d.code: d for d in opened}
        assert set(by_rule) == {"CTX104", "CTX108"}
        dup = by_rule["CTX104"]
        assert dup.range.start.line == 3 and dup.severity == types.DiagnosticSeverity.Warning
        assert dup.source == "ctxlint" and dup.message.startswith('duplicate of line 2: "- Run `make test`')
        assert by_rule["CTX108"].severity == types.DiagnosticSeverity.Warning  # the config's severity

        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=dup.range,
            context=types.CodeActionContext(diagnostics=[dup])))
        titles = [a.title for a in actions or [] if isinstance(a, types.CodeAction)]
        assert titles == ["Fix CTX104 duplicated-instruction", "Disable CTX104 for this line"]
        fix, disable = [a for a in actions or [] if isinstance(a, types.CodeAction)]
        assert fix.is_preferred and fix.edit is not None and fix.edit.changes is not None
        (delete,) = fix.edit.changes[uri]
        assert (delete.range.start.line, delete.range.end.line, delete.new_text) == (3, 4, "")  # all of line 4
        assert disable.edit is not None and disable.edit.changes is not None
        assert disable.edit.changes[uri][0].new_text == "<!-- ctxlint-disable-next-line CTX104 -->\n"

        # The unsaved buffer is what is checked: the directive suppresses, as on the command line.
        lines = TEXT.splitlines()
        edited = "\n".join([*lines[:3], "<!-- ctxlint-disable-next-line CTX104 -->", lines[3]]) + "\n"
        changed = await editor.next_diagnostics(lambda: client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)])), uri)
        assert [d.code for d in changed] == ["CTX108"]
        assert claude.read_text() == TEXT  # nothing written

        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=3, character=36)))
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert hover.contents.value.startswith("**CTX104 duplicated-instruction (instructions")
        assert "Why it matters:" in hover.contents.value
        nothing = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=2)))
        assert nothing is None

    drive(repo, tmp_path / "cache", script)


def test_a_broken_configuration_is_one_diagnostic_on_the_first_line(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "AGENTS.md").write_text(TEXT)
    (tmp_path / ".ctxlint.yaml").write_text("selct: [CTX1]\n")
    uri = (tmp_path / "AGENTS.md").as_uri()

    async def script(editor: Editor) -> list[types.Diagnostic]:
        return await editor.next_diagnostics(
            lambda: editor.client.text_document_did_open(open_params(uri, TEXT)), uri)

    (problem,) = drive(tmp_path, tmp_path / "cache", script)
    assert problem.range.start.line == 0 and problem.severity == types.DiagnosticSeverity.Error
    assert "unknown key 'selct'; did you mean 'select'?" in problem.message


@pytest.mark.parametrize(("edit", "expected"), [
    (TextEdit(2, 2, ""), Replacement((1, 0), (2, 0), "")),
    (TextEdit(2, 3, "one"), Replacement((1, 0), (3, 0), "one\n")),
    (TextEdit(4, 4, ""), Replacement((2, 5), (3, 5), "")),  # the last line: the newline before it goes
    (TextEdit(4, 4, "new"), Replacement((3, 0), (3, 5), "new")),
])
def test_whole_line_edits_become_editor_ranges(edit: TextEdit, expected: Replacement) -> None:
    assert replacement(edit, ["# One", "line2", "line3", "last!"]) == expected


def test_the_vs_code_client_in_the_docs_starts_this_server() -> None:
    import json
    import re

    from ctxlint.cli.main import main

    text = (SRC.parent / "docs" / "editors.md").read_text(encoding="utf-8")
    manifest = json.loads(re.search(r"`package.json`:\n\n```json\n(.*?)```", text, re.S).group(1))  # type: ignore[union-attr]
    assert manifest["main"] == "extension.js" and "vscode-languageclient" in manifest["dependencies"]
    script = re.search(r"`extension.js`:\n\n```js\n(.*?)```", text, re.S).group(1)  # type: ignore[union-attr]
    assert '{ command: "ctxlint", args: ["lsp"] }' in script
    assert "lsp" in main.commands
