"""Text files as editors write them: UTF-8 (with or without a BOM), UTF-16 and UTF-32 with a BOM.

Windows tools (PowerShell's ``Out-File``, Notepad's "Unicode") write instruction files as UTF-16
with a byte-order mark; read as UTF-8 such a file became "R u n   ` m a k e" and its tokens were
miscounted. A file that is not text at all (an image or an archive saved as CLAUDE.md) is
``NotText``: the check reports it as unreadable instead of counting the bytes as tokens.

``Encoding`` remembers how a file was stored, so ``--fix`` writes it back the same way.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# UTF-32 LE first: its BOM (FF FE 00 00) starts with the UTF-16 LE one (FF FE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF = 8192  # bytes looked at for NULs and control characters
_CONTROLS = frozenset(range(32)) - {9, 10, 12, 13, 27}  # tab, newline, form feed, CR, ESC occur in text
_MAX_NOISE = 0.10  # more than this share of control or undecodable characters: not text ...
_MIN_NOISE = 8  # ... unless there are only a few (a short Latin-1 file)


class NotText(ValueError):
    """The bytes are not text ctxlint can read; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Encoding:
    """How a text file is stored: the codec and the byte-order mark it starts with (b"" for none)."""

    codec: str = "utf-8"
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec, "surrogateescape" if self.codec == "utf-8" else "strict")


UTF8 = Encoding()


def decode(data: bytes, errors: str = "replace") -> tuple[str, Encoding]:
    """The text of ``data`` and how it was stored; ``NotText`` for a binary file.

    A BOM decides the codec. Without one the file must be UTF-8-ish text: no NUL byte, and few
    control or undecodable characters. A stray Latin-1 byte is not fatal: ``errors="replace"``
    shows it as U+FFFD (for reading), ``"surrogateescape"`` keeps it (for ``--fix``, which must
    write back every byte it did not mean to change).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), Encoding(codec, bom)
            except UnicodeDecodeError:
                raise NotText(f"starts with a {codec.upper()} byte-order mark but is not {codec.upper()} text") \
                    from None
    head = data[:_SNIFF]
    if b"\0" in head:
        raise NotText("binary file (NUL bytes; UTF-16 or UTF-32 text needs a byte-order mark)")
    try:
        return data.decode("utf-8"), UTF8
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    sample = text[:_SNIFF]
    noise = sum(1 for ch in sample if ord(ch) in _CONTROLS or "\udc80" <= ch <= "\udcff")
    if noise > _MIN_NOISE and noise / len(sample) > _MAX_NOISE:
        raise NotText("binary file (not UTF-8, UTF-16 or UTF-32 text)")
    return data.decode("utf-8", errors), UTF8
