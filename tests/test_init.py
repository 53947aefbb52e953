"""`ctxlint init` (issue 22.7): a commented configuration that never replaces one, a baseline on
request, and pre-commit and workflow snippets that load, pinned to this ctxlint's revision."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from ctxlint.cli.init import PLACEHOLDER_SHA, ctxlint_pin
from ctxlint.config import load_config, parse_config
from tests.test_cli import run
from tests.test_docs_snippets import HOOK_IDS, check_jsonschema

REPO = Path(__file__).resolve().parents[1]
LONG = "# Project\n" + "".join(f"- Step {i}: run `make step{i}` and check the report.\n" for i in range(420))  # over CTX101 warn-lines


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text(LONG)
    (tmp_path / "docs").mkdir()
    return tmp_path


def test_init_writes_a_commented_yaml_config_and_offers_a_baseline(repo: Path) -> None:
    result = run(["init"], repo / "docs")  # from a subdirectory: the repository's root is set up
    assert result.exit_code == 0, result.output
    written = (repo / ".ctxlint.yaml").read_text()
    assert written.startswith("# ctxlint configuration") and "# fail-on: warning" in written
    assert load_config(repo / ".ctxlint.yaml") == load_config(repo / ".ctxlint.yaml")  # loads: defaults
    uncommented = "\n".join(line.removeprefix("# ") for line in written.splitlines() if line.startswith("# ")
                            and re.match(r"# [a-z][\w-]*:|#   ", line))
    parse_config(yaml.safe_load(uncommented), "uncommented")  # every example key and option is real
    assert "ctxlint: wrote a commented configuration to ../.ctxlint.yaml" in result.stderr
    assert "this repository" not in result.stderr and "has 1 finding today; `ctxlint init --baseline`" in result.stderr
    assert not (repo / ".ctxlint-baseline.json").exists()


def test_init_never_replaces_a_configuration(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ctxlint]\nselect = ["CTX1"]\n')
    before = (repo / "pyproject.toml").read_bytes()
    result = run(["init", "--pyproject"], repo)
    assert "keeping the existing configuration pyproject.toml" in result.stderr
    assert (repo / "pyproject.toml").read_bytes() == before and not (repo / ".ctxlint.yaml").exists()
    (repo / "pyproject.toml").unlink()
    (repo / ".ctxlint.yml").write_text("select: [CTX1]\n")
    assert "keeping the existing configuration .ctxlint.yml" in run(["init"], repo).stderr
    assert (repo / ".ctxlint.yml").read_text() == "select: [CTX1]\n"


def test_init_pyproject_appends_a_valid_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = run(["init", "--pyproject"], repo)
    assert "added a commented [tool.ctxlint] table to pyproject.toml" in result.stderr
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "x"\n\n[tool.ctxlint]\n')
    assert tomllib.loads(text)["tool"]["ctxlint"] == {}
    examples = "\n".join(line.removeprefix("# ") for line in text.split("[tool.ctxlint]\n")[1].splitlines()
                         if re.match(r"# ([\w-]+ = |\[tool|\")", line))
    table = tomllib.loads("[tool.ctxlint]\n" + examples)["tool"]["ctxlint"]
    parse_config(table, "uncommented")


def test_init_baseline_records_todays_findings(repo: Path) -> None:
    result = run(["init", "--baseline"], repo)
    assert "recorded 1 finding in .ctxlint-baseline.json" in result.stderr
    assert run(["check", "--baseline", ".ctxlint-baseline.json"], repo).exit_code == 0
    assert run(["check"], repo).exit_code == 1
    assert "args: [--baseline, .ctxlint-baseline.json]" in result.stdout
    assert "baseline: .ctxlint-baseline.json" in result.stdout


def test_init_snippets_load_and_are_pinned(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from pre_commit.clientlib import load_config as load_pre_commit

    out = run(["init", "--baseline"], repo).stdout
    pre_commit, workflow = out.split("\n\n# .github/")
    scratch = tmp_path_factory.mktemp("snippets")
    (scratch / ".pre-commit-config.yaml").write_text(pre_commit)
    hooks = load_pre_commit(str(scratch / ".pre-commit-config.yaml"))["repos"][0]
    assert [h["id"] for h in hooks["hooks"]] == ["ctxlint"] and {"ctxlint"} <= HOOK_IDS
    (scratch / "ctxlint.yml").write_text("# .github/" + workflow)
    checked = check_jsonschema("vendor.github-workflows", [scratch / "ctxlint.yml"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    expected = head.stdout.strip() if head.returncode == 0 else PLACEHOLDER_SHA
    assert hooks["rev"] == ctxlint_pin().rev == expected  # this checkout's commit (or a tag on it)
    assert f"ctxlint@{expected}" in workflow


def test_the_pin_comes_from_a_git_install_record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Installed with `pip install git+https://…@SHA` (no checkout to ask): pip's direct_url.json."""
    import json
    from importlib import metadata

    import ctxlint.cli.init as init_module

    sha = "0123456789abcdef0123456789abcdef01234567"
    record = json.dumps({"url": "https://github.com/acme/ctxlint.git", "vcs_info": {"vcs": "git", "commit_id": sha}})

    class Dist:
        def read_text(self, name: str) -> str | None:
            return record if name == "direct_url.json" else None

    monkeypatch.setattr(init_module, "__file__", str(tmp_path / "site-packages" / "ctxlint" / "cli" / "init.py"))
    monkeypatch.setattr(metadata, "distribution", lambda name: Dist())
    pin = ctxlint_pin()
    assert (pin.repo_url, pin.rev, pin.action) == ("https://github.com/acme/ctxlint", sha, "acme/ctxlint")
    record = json.dumps({"url": "file:///somewhere", "dir_info": {}})
    assert ctxlint_pin().rev == PLACEHOLDER_SHA and not ctxlint_pin().known
