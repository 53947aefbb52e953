"""The errors a user can fix. Each is a ``CtxlintError``: the CLI prints its message on one line and
exits with code 2 (never a traceback); anything else that escapes is an internal error."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` that ``word`` is a near miss of (a typo), if any."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return close[0] if close else None


class CtxlintError(Exception):
    """An error the user can fix; its message says what and where, on one line."""


class ConfigError(CtxlintError):
    """A configuration problem; the message names the file and the key."""


class InputError(CtxlintError):
    """A path given on the command line that does not exist or cannot be read."""


class NothingToCheck(CtxlintError):
    """No input could be checked at all."""


class BaselineError(CtxlintError):
    """A baseline file that cannot be read or written."""


class GitDiffError(CtxlintError):
    """``--diff-base`` could not ask git what changed."""


class ExportError(CtxlintError):
    """A problem with ``ctxlint export``'s options or output directory."""


class RuleDataError(CtxlintError):
    """The rule metadata (``rules/*.yaml``) is missing or malformed: a broken installation."""
