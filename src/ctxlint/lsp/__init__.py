"""The language server (`ctxlint lsp`): the check's findings in an editor, on the unsaved text."""
