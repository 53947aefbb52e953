"""local-file-committed: personal files and home paths in shared instruction files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector

HOME_PREFIXES = ("/Users/", "/home/", "Users\\")
HOME = re.compile(r"(?:(?<![\w/])|(?<=file://))(/Users/|/home/|C:\\\\?Users\\\\?)([A-Za-z0-9._-]{2,40})(?=[/\\])")
GENERIC_USERS = {"user", "username", "you", "me", "runner", "ubuntu", "node", "app", "root", "USER", "your-name",
                 "yourname", "name", "example", "john", "jane", "foo", "dev", "vscode", "codespace", "home", "agent",
                 "computeruse", "coder", "jovyan", "gitpod", "developer", "ec2-user", "admin", "app-user", "builder"}
LOCAL_ROLES = ("claude-local", "agents-local")  # CLAUDE.local.md, AGENTS.local.md (Roo Code)
CONTAINER_HINT = re.compile(r"(?i)(docker|container|podman|devcontainer|image|mount|-v\s)")


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    local = file.role in LOCAL_ROLES
    if local and (file.git_tracked or file.git_ignored is False):
        state = "is tracked by git" if file.git_tracked else "is not git-ignored"
        name = file.path.rsplit("/", 1)[-1]
        if file.doc.text.strip():
            yield RawFinding(line=1, message=f"{name} holds personal preferences but {state}",
                             fix=fix("untrack", name=name), content_key="local")
        else:
            # An empty one leaks nothing yet; it only invites the next person's preferences into git.
            yield RawFinding(line=1, message=f"{name} is empty but {state}: the next preferences written "
                                             "there would be shared", fix=fix("untrack", name=name),
                             content_key="local", severity=Severity.INFO)
    if file.git_tracked is False or local or file.context_only:
        return
    generic = set(ctx.data["generic_users"])
    # A path on another machine — inside a container, on a production or CI server — is a deployment fact,
    # not someone's personal home directory.
    elsewhere = re.compile(ctx.data["elsewhere"], re.I)
    for number, raw in enumerate(file.doc.lines, start=1):
        found = list(HOME.finditer(raw))
        if not found:
            continue
        around = " ".join(w for w in raw.split() if not any(p in w for p in HOME_PREFIXES))
        if elsewhere.search(around):  # the words around the path, not the path itself (`deploy.sh`)
            continue
        for m in found:
            user = m.group(2)
            if user in generic or user.startswith(("<", "$", "{")):
                continue
            masked = user[0] + "…"
            yield RawFinding(
                line=number,
                message=f"absolute home path `{m.group(1)}{masked}/…` in a shared file",
                fix=fix("relative-path", line=number),
                content_key=f"home:{number}",
            )
            break
