"""local-file-committed: personal files and home paths in shared instruction files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector

HOME = re.compile(r"(?:(?<![\w/])|(?<=file://))(/Users/|/home/|C:\\\\?Users\\\\?)([A-Za-z0-9._-]{2,40})(?=[/\\])")
GENERIC_USERS = {"user", "username", "you", "me", "runner", "ubuntu", "node", "app", "root", "USER", "your-name",
                 "yourname", "name", "example", "john", "jane", "foo", "dev", "vscode", "codespace", "home", "agent",
                 "computeruse", "coder", "jovyan", "gitpod", "developer", "ec2-user", "admin", "app-user", "builder"}
CONTAINER_HINT = re.compile(r"(?i)(docker|container|podman|devcontainer|image|mount|-v\s)")


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if file.role == "claude-local" and (file.git_tracked or file.git_ignored is False):
        state = "is tracked by git" if file.git_tracked else "is not git-ignored"
        yield RawFinding(line=1, message=f"CLAUDE.local.md holds personal preferences but {state}",
                         fix=fix("untrack"),
                         content_key="local")
    if file.git_tracked is False or file.role == "claude-local":
        return
    for number, raw in enumerate(file.doc.lines, start=1):
        if CONTAINER_HINT.search(raw):
            continue  # paths inside a container image are not anyone's home directory
        for m in HOME.finditer(raw):
            user = m.group(2)
            if user in GENERIC_USERS or user.startswith(("<", "$", "{")):
                continue
            masked = user[0] + "…"
            yield RawFinding(
                line=number,
                message=f"absolute home path `{m.group(1)}{masked}/…` in a shared file",
                fix=fix("relative-path", line=number),
                content_key=f"home:{number}",
            )
            break
