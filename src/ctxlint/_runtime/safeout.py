"""What ctxlint prints cannot act on the terminal or on the CI runner that shows it.

Everything ctxlint writes holds strings an attacker may choose: a file name in a pull request, a key
of its ``.ctxlint.yaml``, a line of a transcript. Two things read that output besides people:

* **terminals** obey control characters: ESC starts sequences that clear the screen, set the window
  title or write the clipboard (OSC 52); CR and backspace overwrite what was printed; the bidi
  controls (U+202A–U+202E, U+2066–U+2069) reorder what is shown. Every one of them (C0 but tab and
  newline, DEL, C1, bidi controls, U+2028/U+2029) becomes a visible escape such as ``\\x1b``;
* **the GitHub Actions runner** reads every line of stdout and stderr for workflow commands:
  ``::cmd props::data`` at the start of a line (after blanks) and the legacy ``##[cmd props]data``
  anywhere in a line (actions/runner ``ActionCommand.TryParseV2`` and ``TryParse``). A forged
  ``::add-mask::`` hides log text, ``::stop-commands::`` turns annotations off, ``::warning``
  forges findings. A line that is not one of ctxlint's own commands never starts with ``::`` and
  never holds ``##[``: the colons and the bracket are percent-escaped as actions/toolkit escapes
  command data (``%3A``, ``%5B``), which the runner leaves as they are in plain lines.

Two layers: ``one_line`` for each user-controlled string placed into a line (newlines too become
``\\n``, so a string cannot start a line of its own), and a whole-output pass (``terminal_text``,
``json_text``) at the point where text leaves the process, so a string a reporter forgot is still
made harmless.
"""

from __future__ import annotations

import re

# C0 (tab and newline are handled by the caller), DEL, C1, the bidi and line-separator controls
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_IN_FIELD = re.compile(f"[\n{_CONTROLS}]")
_IN_TEXT = re.compile(f"[{_CONTROLS}]")
_IN_COLOURED_TEXT = re.compile(f"\x1b\\[[0-9;]{{0,32}}m|[{_CONTROLS}]")  # SGR colour sequences are ctxlint's own
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}
_COMMAND_LINE = re.compile(r"^([^\S\n]*)::", re.M)  # the runner trims any leading white space
_LEGACY_COMMAND = "##["


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    if len(char) > 1:
        return char  # a colour sequence ctxlint wrote itself
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` (a path, a key, a quote) as printable characters on one line: every control
    character, newlines included, becomes a visible escape; workflow commands cannot start in it."""
    if _IN_FIELD.search(text):
        text = _IN_FIELD.sub(_visible, text)
    return text.replace(_LEGACY_COMMAND, "##%5B") if _LEGACY_COMMAND in text else text


def plain_line(line: str) -> str:
    """A line of output that must not be a workflow command: a leading ``::`` is escaped."""
    return _COMMAND_LINE.sub(r"\1%3A%3A", line)


def terminal_text(text: str, *, colour: bool = False, commands: bool = False) -> str:
    """A whole text output (report, diff, message) as it may reach a terminal or a CI log: control
    characters but newline and tab made visible (``colour`` keeps SGR colour sequences), ``##[``
    escaped, and no line led by ``::`` unless ``commands`` (the ``github`` format, whose reporter
    writes its own commands and escapes everything in them)."""
    text = (_IN_COLOURED_TEXT if colour else _IN_TEXT).sub(_visible, text)
    if _LEGACY_COMMAND in text:
        text = text.replace(_LEGACY_COMMAND, "##%5B")
    return text if commands else plain_line(text)


_JSON_UNSAFE = re.compile(f"[{_CONTROLS}]|##\\[")


def _json_escape(match: re.Match[str]) -> str:
    found = match.group(0)
    return "##\\u005b" if found == _LEGACY_COMMAND else f"\\u{ord(found):04x}"


def json_text(text: str) -> str:
    """A JSON document (JSON, SARIF) as it may reach a terminal or a CI log: the same value, with the
    characters a terminal or the runner would act on written as ``\\uXXXX`` escapes. (A JSON
    encoder already escapes C0; DEL, C1, the bidi controls and ``##[`` it leaves as they are.)
    Outside strings JSON holds none of them, so only string contents change their spelling."""
    return _JSON_UNSAFE.sub(_json_escape, text)
