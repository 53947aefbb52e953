"""`ctxlint lsp`: a language server (pygls) for agent instruction files.

* Diagnostics when a document opens, changes (after a short pause in typing) and is saved: the
  findings `ctxlint check FILE` reports, computed on the unsaved text (``analysis.check_buffer``).
  Saving a configuration file re-checks every open document.
* Code actions on a finding: its fix when it carries one (``--fix``'s edit; an unsafe one says so),
  and ``<!-- ctxlint-disable-next-line RULE -->`` above its line.
* Hover on a rule id or name in the text: ``ctxlint explain``.

Start-up imports only pygls and this module; the check pipeline loads with the first document.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ctxlint import __version__
from ctxlint.lsp import analysis
from ctxlint.model import Finding, Severity
from ctxlint.rules.registry import HELP_URI

SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
DEBOUNCE_S = 0.3  # a pause in typing before a changed buffer is checked again
CONFIG_NAMES = (".ctxlint.yaml", ".ctxlint.yml", "pyproject.toml")


def _range(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(start=types.Position(line=start[0], character=start[1]),
                       end=types.Position(line=end[0], character=end[1]))


def diagnostic(f: Finding, lines: list[str]) -> types.Diagnostic:
    first = max(f.line, 1) - 1
    last = min(max(f.end_line, f.line, 1), max(len(lines), 1)) - 1
    end_char = len(lines[last]) if last < len(lines) else 0
    message = f.message + (f"\nfix: {f.fix}" if f.fix else "")
    return types.Diagnostic(
        range=_range((first, (f.column or 1) - 1 if f.column and last == first else 0), (last, end_char)),
        message=message,
        severity=SEVERITY[f.severity],
        code=f.rule_id,
        code_description=types.CodeDescription(href=HELP_URI.format(id=f.rule_id)),
        source="ctxlint",
        data={"rule": f.rule_name, "fingerprint": f.fingerprint},
    )


class CtxlintServer(LanguageServer):
    """The server and what it remembers per document: the findings of its last check."""

    def __init__(self) -> None:
        super().__init__("ctxlint", __version__)
        self.findings: dict[str, list[Finding]] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}

    def lint(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri)
        if path is None or not analysis.is_instruction_file(path):
            return
        lines = document.source.splitlines()
        result = analysis.check_buffer(path, document.source)
        if isinstance(result, analysis.Problem):
            self.findings[uri] = []
            shown = [types.Diagnostic(range=_range((0, 0), (0, len(lines[0]) if lines else 0)),
                                      message=result.message, severity=types.DiagnosticSeverity.Error,
                                      source="ctxlint")]
        else:
            self.findings[uri] = result
            shown = [diagnostic(f, lines) for f in result]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=shown))

    def lint_later(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        async def later() -> None:
            await asyncio.sleep(DEBOUNCE_S)
            self.pending.pop(uri, None)
            self.lint(uri)

        self.pending[uri] = asyncio.ensure_future(later())


def build_server() -> CtxlintServer:
    server = CtxlintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CtxlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CtxlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CtxlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri.rsplit("/", 1)[-1] in CONFIG_NAMES:  # new configuration: every open document again
            for open_uri in list(ls.workspace.text_documents):
                ls.lint(open_uri)
        else:
            ls.lint(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CtxlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.findings.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: CtxlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        # split, not splitlines: a final newline leaves an empty last line, so whole-line ranges end there
        lines = ls.workspace.get_text_document(uri).source.split("\n")
        first, last = params.range.start.line + 1, params.range.end.line + 1
        actions: list[types.CodeAction] = []
        for f in ls.findings.get(uri, []):
            if f.end_line < first or f.line > last:
                continue
            shown = [d for d in params.context.diagnostics if d.code == f.rule_id and d.source == "ctxlint"]
            for unsafe in (False, True):
                edits = [e for e in f.edits if e.unsafe == unsafe]
                if edits and f.kind == "instructions":
                    title = f"Fix {f.rule_id} {f.rule_name}" + (" (may change meaning)" if unsafe else "")
                    actions.append(_action(title, uri, [analysis.replacement(e, lines) for e in edits], shown,
                                           preferred=not unsafe))
            directive = analysis.disable_next_line(f, lines)
            if directive is not None:
                actions.append(_action(f"Disable {f.rule_id} for this line", uri, [directive], shown, preferred=False))
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CtxlintServer, params: types.HoverParams) -> types.Hover | None:
        lines = ls.workspace.get_text_document(params.text_document.uri).source.splitlines()
        line = params.position.line
        if line >= len(lines):
            return None
        rule = analysis.rule_at(lines[line], params.position.character)
        if rule is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=analysis.explanation(rule)))

    return server


def _action(title: str, uri: str, edits: list[analysis.Replacement], diagnostics: list[Any],
            *, preferred: bool) -> types.CodeAction:
    text_edits = [types.TextEdit(range=_range(e.start, e.end), new_text=e.text) for e in edits]
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=diagnostics or None,
                            is_preferred=preferred, edit=types.WorkspaceEdit(changes={uri: text_edits}))


def serve() -> None:
    """Speak LSP on stdin/stdout until the client says exit."""
    build_server().start_io()
