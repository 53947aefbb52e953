"""secret-in-instructions: credentials in a committed instruction file (never echoed).

A provider's key format (`sk-proj-…`, `ghp_…`, `AKIA…`, a private key) is a credential wherever it
appears. A match by field name only (`"password": "…"`, `postgres://user:pass@host`) is one unless
its surroundings show a local development default: a connection to localhost or a compose service
(`@db:5432`), or a line or code block about localhost, an emulator or example accounts
(`test@example.com` on 127.0.0.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.markdown import Document
from ctxlint.measure.secrets import SecretMatch, find_secrets
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector

HOST = re.compile(r"@\[?([A-Za-z0-9_.:-]+?)\]?(?::\d+)?(?:[/?#\s\"'`]|$)")


def _surroundings(doc: Document, line: int) -> str:
    """The code block holding the line, else the line and two on each side."""
    for block in doc.code_blocks:
        if block.start_line <= line <= block.end_line:
            return "\n".join(doc.lines[block.start_line - 1 : block.end_line])
    return "\n".join(doc.lines[max(0, line - 3) : line + 2])


@lru_cache(maxsize=4)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def _local_default(doc: Document, text: str, match: SecretMatch, line: int, data: dict[str, Any]) -> bool:
    if match.kind not in data["generic_kinds"]:
        return False  # a provider key format is a real credential wherever it is written
    if match.kind == "connection-string-password":
        host = HOST.match(text, match.end)
        if host is not None:
            name = host.group(1).lower()
            if "." not in name or name in data["local_hosts"]:
                return True  # `@localhost`, `@127.0.0.1`, `@db`: a local or compose-network service
    return _any_of(tuple(data["local_context"])).search(_surroundings(doc, line)) is not None


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    text = file.doc.text
    for match in find_secrets(text, reported=True):
        line = text.count("\n", 0, match.start) + 1
        if _local_default(file.doc, text, match, line, ctx.data):
            continue
        article = "an" if match.kind[0] in "aeiou" else "a"  # an aws-access-key-id, a github-token
        yield RawFinding(
            line=line,
            message=f"{article} {match.kind} is written in the file (value not shown)",
            fix=fix("rotate"),
            content_key=f"{match.kind}:{line}",
        )
