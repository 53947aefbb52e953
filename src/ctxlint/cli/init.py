"""`ctxlint init`: a commented configuration, a baseline for today's findings, and the pre-commit and
GitHub workflow snippets for this repository, pinned to the ctxlint being run.

Nothing existing is overwritten: a repository that already has a configuration keeps it. The pin
follows docs/releasing.md: ctxlint is installed from its Git repository, so the snippets name a
revision: the tag of the running ctxlint when it sits exactly on one, else its full commit SHA,
found in pip's record of a ``git+`` install (``direct_url.json``) or in the checkout it runs from.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from ctxlint._runtime.git import run_git
from ctxlint.cli.common import fail, guarded, note

BASELINE = ".ctxlint-baseline.json"
PLACEHOLDER_SHA = "<full-commit-sha>"
PLACEHOLDER_REPO = "https://github.com/OWNER/ctxlint"


@dataclass(frozen=True, slots=True)
class Pin:
    """Where the running ctxlint comes from: its repository URL and the revision to pin."""

    repo_url: str  # https://github.com/OWNER/ctxlint
    rev: str  # vX.Y.Z, a 40-hex SHA, or PLACEHOLDER_SHA
    known: bool  # False: placeholders the user must fill in

    @property
    def action(self) -> str:
        """``OWNER/ctxlint`` for ``uses:``."""
        match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?/?", self.repo_url)
        return match.group(1) if match else "OWNER/ctxlint"


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = run_git(cwd, *args, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.decode(errors="replace").strip()
    return out if done.returncode == 0 and out else None


def _https(url: str) -> str:
    """``git@github.com:o/r.git`` and ``https://github.com/o/r.git`` -> ``https://github.com/o/r``."""
    url = re.sub(r"^git@([^:]+):", r"https://\1/", url.strip())
    url = re.sub(r"^ssh://git@", "https://", url)
    return re.sub(r"\.git/?$", "", url.removeprefix("git+"))


def _from_checkout(directory: Path) -> Pin | None:
    """The pin of a ctxlint source checkout holding ``directory`` (its top level has src/ctxlint), or None:
    a virtual environment inside some other repository must not pin that repository's commit."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top is None or not (Path(top) / "src" / "ctxlint" / "__init__.py").is_file():
        return None
    commit = _git(directory, "rev-parse", "HEAD")
    if commit is None or not re.fullmatch(r"[0-9a-f]{40}", commit):
        return None
    tag = _git(directory, "describe", "--tags", "--exact-match", "HEAD")
    remote = _git(directory, "remote", "get-url", "origin")
    url = _https(remote) if remote else PLACEHOLDER_REPO
    return Pin(url, tag if tag and re.fullmatch(r"v\d+\.\d+\.\d+", tag) else commit, True)


def ctxlint_pin() -> Pin:
    """The revision of the running ctxlint: the checkout it runs from (a source tree or an editable
    install), else pip's record of a ``git+`` install; placeholders when neither is known."""
    from importlib import metadata

    pin = _from_checkout(Path(__file__).resolve().parent)
    if pin is not None:
        return pin
    try:
        record = metadata.distribution("ctxlint").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        record = None
    data = json.loads(record) if record else {}
    vcs = data.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and re.fullmatch(r"[0-9a-f]{40}", str(vcs.get("commit_id", ""))):
        return Pin(_https(str(data.get("url", ""))), str(vcs["commit_id"]), True)
    return Pin(PLACEHOLDER_REPO, PLACEHOLDER_SHA, False)


# --- the configuration -------------------------------------------------------------------------------


def config_text(toml: bool) -> str:
    """Every top-level key, commented out at its default, with one line on what it does; valid as is."""
    from ctxlint.rules.registry import registry

    options = {o.name: o.default for o in registry()["CTX101"].meta.options}
    lines = [
        ("ctxlint configuration: every key is optional, and the values shown are the defaults.", None),
        ("Reference: docs/configuration.md; the rules and their options: `ctxlint rules`, `ctxlint explain ID`.", None),
        ("", None),
        ("Rules to run and to skip: ids (CTX101), names (instruction-file-too-long) or prefixes", None),
        ("(CTX1 = every instruction-file rule, CTX2 = every transcript rule); no select = every rule.", None),
        (None, ("select", '["CTX1", "CTX2"]', "[CTX1, CTX2]")),
        (None, ("ignore", "[]", "[]")),
        ("Exit 1 when a finding at or above this severity remains: error, warning, info or never.", None),
        (None, ("fail-on", '"warning"', "warning")),
        ("Paths not to check (globs, relative to the directory checked, or file names).", None),
        (None, ("exclude", "[]", "[]")),
        ("How many requests a session has, to turn tokens per request into tokens per session.", None),
        (None, ("requests-per-session", "150", "150")),
    ]
    out: list[str] = []
    for comment, key in lines:
        if comment is not None:
            out.append(f"# {comment}".rstrip())
        elif key is not None:
            name, toml_value, yaml_value = key
            out.append(f"# {name} = {toml_value}" if toml else f"# {name}: {yaml_value}")
    out.append("")
    out.append("# Rules for one file pattern, and options of one rule (by id or name), for example:")
    if toml:
        out += ["# [tool.ctxlint.per-file-ignores]", '# "docs/AGENTS.md" = ["CTX101"]',
                "# [tool.ctxlint.rules.instruction-file-too-long]",
                *(f"# {k} = {json.dumps(v)}" for k, v in options.items()),
                '# severity = "warning"']
        return "[tool.ctxlint]\n" + "\n".join(out) + "\n"
    out += ["# per-file-ignores:", '#   "docs/AGENTS.md": [CTX101]', "# rules:", "#   instruction-file-too-long:",
            *(f"#     {k}: {json.dumps(v)}" for k, v in options.items()), "#     severity: warning"]
    return "\n".join(out) + "\n"


def existing_config(root: Path) -> Path | None:
    from ctxlint.config import CONFIG_FILES, find_config

    found = find_config(root)
    if found is not None:
        return found
    return next((root / name for name in CONFIG_FILES[:2] if (root / name).exists()), None)


# --- the snippets -------------------------------------------------------------------------------------


def snippets(pin: Pin, baseline: bool) -> str:
    hook_args = f"\n        args: [--baseline, {BASELINE}]" if baseline else ""
    with_baseline = f"\n        with:\n          baseline: {BASELINE}" if baseline else ""
    pre_commit = (f"# .pre-commit-config.yaml\nrepos:\n  - repo: {pin.repo_url}\n    rev: {pin.rev}\n"
                  f"    hooks:\n      - id: ctxlint{hook_args}\n")
    workflow = ("# .github/workflows/ctxlint.yml\nname: ctxlint\non: pull_request\npermissions:\n"
                "  contents: read\njobs:\n  ctxlint:\n    runs-on: ubuntu-latest\n    steps:\n"
                f"      - uses: actions/checkout@v4\n      - uses: {pin.action}@{pin.rev}{with_baseline}\n")
    return pre_commit + "\n" + workflow


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--pyproject", is_flag=True, help="Add a [tool.ctxlint] table to pyproject.toml instead of .ctxlint.yaml.")
@click.option("--baseline", is_flag=True, help=f"Record today's findings in {BASELINE}, so only new ones fail.")
@guarded
def init(directory: str, pyproject: bool, baseline: bool) -> None:
    """Set up ctxlint here: a commented config, a baseline, the pre-commit and workflow snippets."""
    from ctxlint.instructions.files import repo_root

    if not os.path.isdir(directory):
        fail(f"{directory}: no such directory")
    root = repo_root(Path(directory).resolve())
    shown = os.path.relpath(root)
    here = "this repository" if shown == "." else shown

    def where(name: str) -> str:
        return os.path.normpath(os.path.join(shown, name))
    # From the repository's root, the baseline records paths as pre-commit and the Action report them.
    os.chdir(root)

    existing = existing_config(root)
    if existing is not None:
        note(f"keeping the existing configuration {existing.name}")
    elif pyproject:
        target = root / "pyproject.toml"
        before = target.read_text(encoding="utf-8") if target.exists() else ""
        separator = "" if not before or before.endswith("\n\n") else "\n" if before.endswith("\n") else "\n\n"
        with open(target, "a", encoding="utf-8") as fh:  # appended: the rest of the file is left as it is
            fh.write(separator + config_text(toml=True))
        note(f"added a commented [tool.ctxlint] table to {where(target.name)}")
    else:
        from ctxlint._runtime.fsutil import atomic_write_text

        target = root / ".ctxlint.yaml"
        atomic_write_text(str(target), config_text(toml=False))
        note(f"wrote a commented configuration to {where(target.name)}")

    from ctxlint.config import resolve_config
    from ctxlint.core.run import run_check

    report = run_check(["."], resolve_config(["."], None, False))
    baseline_path = root / BASELINE
    if baseline:
        from ctxlint.core.baseline import write_baseline

        write_baseline(report, baseline_path)
        count = len(report.findings)
        note(f"recorded {count} finding{'' if count == 1 else 's'} in "
                   f"{where(BASELINE)}; commit it, and only new ones will fail")
    elif report.findings:
        count = len(report.findings)
        note(f"{here} has {count} finding{'' if count == 1 else 's'} today; "
                   f"`ctxlint init --baseline` records them in {BASELINE} so that only new ones fail")
    elif not report.summary.files:
        note(f"nothing to check in {here} yet (no instruction files or transcripts)")

    pin = ctxlint_pin()
    if not pin.known:
        note("this ctxlint was not installed from a Git revision: replace OWNER and "
                   f"{PLACEHOLDER_SHA} below (docs/releasing.md)")
    sys.stdout.write(snippets(pin, baseline or baseline_path.exists()))
