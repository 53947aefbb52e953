"""Every snippet in the README and docs/ is copy-paste true.

* YAML blocks name their file in a first-line comment (`# .github/workflows/ctxlint.yml`) and are
  checked as that file: workflows and GitLab CI against their published JSON schemas (vendored by
  check-jsonschema, offline), pre-commit configurations by pre-commit's own loader and against
  `.pre-commit-hooks.yaml`, ctxlint configurations by ctxlint's own parser.
* The action's inputs named in a workflow exist in action.yml; the action's own shell steps run here
  against examples/ with the inputs set, as GitHub would run them.
* Sample outputs (blocks that start with `$ ctxlint`) are what ctxlint prints today.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ctxlint.config import parse_config
from tests.conftest import REPO, cli_in

DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
HOOK_IDS = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
SHA = "0123456789abcdef0123456789abcdef01234567"
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w-]*)")
PINNED = re.compile(rf"^(<full-commit-sha>|{SHA}|v\d+\.\d+\.\d+)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    info: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def file_name(self) -> str:
        first = self.text.splitlines()[0] if self.text else ""
        return first[1:].strip() if first.startswith("#") else ""


def fenced_blocks(path: Path) -> list[Block]:
    """Fenced code blocks, indented ones (inside list items) included, with the indent removed."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match.groups()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence) and not lines[j].strip().strip(fence[0])):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        blocks.append(Block(path, i + 1, info, "\n".join(body)))
        i = j + 1
    return blocks


ALL_BLOCKS = [block for path in DOCS for block in fenced_blocks(path)]
YAML_BLOCKS = [b for b in ALL_BLOCKS if b.info in ("yaml", "yml")]
WORKFLOWS = [b for b in YAML_BLOCKS if b.file_name.startswith(".github/workflows/")]
SAMPLES = [b for b in ALL_BLOCKS if b.text.startswith("$ ctxlint ")]


def concrete(text: str) -> str:
    """The snippet as a user fills it in: their repository and a real commit."""
    return text.replace("<full-commit-sha>", SHA).replace("OWNER/", "example-org/")


def ids(blocks: list[Block]) -> list[str]:
    return [b.where for b in blocks]


def check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )


# --- every YAML block is a known kind of file -------------------------------------------------------

KNOWN_FILES = (".github/workflows/", ".pre-commit-config.yaml", ".gitlab-ci.yml", ".ctxlint.yaml", "teams.yaml")


def test_the_docs_have_snippets_of_each_kind() -> None:
    """Guards the extraction itself: a parser that finds nothing would make every test below pass."""
    assert len(WORKFLOWS) >= 5 and len(SAMPLES) >= 3
    names = {b.file_name for b in YAML_BLOCKS}
    assert {".pre-commit-config.yaml", ".gitlab-ci.yml", ".ctxlint.yaml", "teams.yaml"} <= names


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=ids(YAML_BLOCKS))
def test_yaml_block_names_its_file(block: Block) -> None:
    assert block.file_name.startswith(KNOWN_FILES), (
        f"{block.where}: start the block with a comment naming its file ({', '.join(KNOWN_FILES)})"
    )
    yaml.safe_load(concrete(block.text))


# --- GitHub workflows ----------------------------------------------------------------------------


def test_workflows_match_the_github_workflow_schema(tmp_path: Path) -> None:
    files = []
    for n, block in enumerate(WORKFLOWS):
        files.append(tmp_path / f"{n}-{block.path.stem}-{block.line}.yml")
        files[-1].write_text(concrete(block.text), encoding="utf-8")
    result = check_jsonschema("vendor.github-workflows", files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@c\n"
                      "        wiht: {paths: .}\n", encoding="utf-8")
    assert check_jsonschema("vendor.github-workflows", [broken]).returncode == 1


def ctxlint_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    return [step for step in steps if str(step.get("uses", "")).split("@")[0].endswith("/ctxlint")]


@pytest.mark.parametrize("block", WORKFLOWS, ids=ids(WORKFLOWS))
def test_workflow_uses_the_action_as_documented(block: Block) -> None:
    workflow = yaml.safe_load(block.text)
    for step in ctxlint_steps(workflow):
        repo, _, ref = step["uses"].partition("@")
        assert repo == "OWNER/ctxlint", f"{block.where}: {repo} (see docs/releasing.md)"
        assert PINNED.match(ref), f"{block.where}: pin a full commit SHA or a release tag, not {ref!r}"
        unknown = set(step.get("with", {})) - set(ACTION["inputs"])
        assert not unknown, f"{block.where}: the action has no input {sorted(unknown)}"


def test_ci_docs_list_every_action_input_and_output() -> None:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    listed = text.split("\nInputs: ", 1)[1].split("\n\n", 1)[0]
    for name in [*ACTION["inputs"], *ACTION["outputs"]]:
        assert f"`{name}`" in listed, f"docs/ci.md does not list the action's {name!r}"


INSTALL = re.compile(r"\bpipx? install\b(.*)")


def test_no_snippet_installs_ctxlint_from_pypi() -> None:
    """ctxlint is not published: `pip install ctxlint` would install nothing, or someone else's package."""
    for path in DOCS:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in INSTALL.finditer(line):
                command = re.split(r"&&|\|\||;|\|", match.group(1))[0]
                words = command.replace("`", " ").replace('"', " ").replace("'", " ").split()
                bare = [w for i, w in enumerate(words)  # `ctxlint[team] @ git+https://…` is a direct reference
                        if re.fullmatch(r"ctxlint(\[[\w,]+\])?([<>=~!].*)?", w) and words[i + 1:i + 2] != ["@"]]
                assert not bare, f"{path.relative_to(REPO)}:{n}: {line.strip()} (see docs/releasing.md)"


def test_action_yml_matches_the_github_action_schema() -> None:
    result = check_jsonschema("vendor.github-actions", [REPO / "action.yml"])
    assert result.returncode == 0, result.stdout + result.stderr


# --- pre-commit ------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", [b for b in YAML_BLOCKS if b.file_name == ".pre-commit-config.yaml"],
                         ids=lambda b: b.where)
def test_pre_commit_snippet_loads_and_names_real_hooks(block: Block, tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config, load_manifest

    load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    config_file = tmp_path / ".pre-commit-config.yaml"
    config_file.write_text(concrete(block.text), encoding="utf-8")
    config = load_config(str(config_file))
    ours = [repo for repo in config["repos"] if str(repo["repo"]).endswith("/ctxlint")]
    assert ours, block.where
    for repo in ours:
        assert PINNED.match(str(repo["rev"])) or repo["rev"] == SHA, block.where
        for hook in repo["hooks"]:
            assert hook["id"] in HOOK_IDS, f"{block.where}: no hook {hook['id']!r} in .pre-commit-hooks.yaml"


# --- GitLab, ctxlint configuration, team mapping --------------------------------------------------


def test_gitlab_snippets_match_the_gitlab_ci_schema(tmp_path: Path) -> None:
    blocks = [b for b in YAML_BLOCKS if b.file_name == ".gitlab-ci.yml"]
    files = []
    for n, block in enumerate(blocks):
        files.append(tmp_path / f"{n}.gitlab-ci.yml")
        files[-1].write_text(concrete(block.text), encoding="utf-8")
    result = check_jsonschema("vendor.gitlab-ci", files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_configuration_snippets_are_valid_configurations() -> None:
    checked = 0
    for block in ALL_BLOCKS:
        if block.info == "toml" and "[tool.ctxlint" in block.text:
            parse_config(tomllib.loads(block.text)["tool"]["ctxlint"], block.where)
            checked += 1
        elif block.info == "yaml" and block.file_name == ".ctxlint.yaml":
            parse_config(yaml.safe_load(block.text), block.where)
            checked += 1
    from ctxlint.rules.registry import all_metadata

    # the configuration page's two, the budget page's two (docs/live.md), and the options block of every
    # rule page that has options
    assert checked == 2 + 2 + sum(1 for meta in all_metadata().values() if meta.options)


def test_team_mapping_snippets_load(tmp_path: Path) -> None:
    from ctxlint.team.tables import TeamMap

    for block in [b for b in YAML_BLOCKS if b.file_name == "teams.yaml"]:
        mapping = tmp_path / "teams.yaml"
        mapping.write_text(block.text, encoding="utf-8")
        assert TeamMap.load(str(mapping)).team_for("alice/x.jsonl") == "payments", block.where


# --- shell snippets --------------------------------------------------------------------------------


def parse_command_line(line: str) -> None:
    """Parse a `ctxlint …` command line as the CLI would, without running it (click errors raise)."""
    import click

    from ctxlint.cli.main import main

    words = shlex.split(re.split(r"&&|\|\||>>|\|", line)[0], comments=True)[1:]
    name = next((w for w in words if not w.startswith("-")), None)
    if name in main.commands:
        command, rest = main.commands[name], words[words.index(name) + 1:]
    else:  # `ctxlint PATH...` is `ctxlint check PATH...`
        command, rest = main.commands["check"], words
    command.make_context(command.name, rest, parent=click.Context(main, info_name="ctxlint"))


SHELL_LINES = [(b.where, line.strip()) for b in ALL_BLOCKS if b.info in ("sh", "bash")
               for line in b.text.splitlines() if line.strip().startswith("ctxlint")]


@pytest.mark.parametrize(("where", "line"), SHELL_LINES, ids=[f"{w} {line}" for w, line in SHELL_LINES])
def test_shell_snippets_use_real_commands_and_options(where: str, line: str) -> None:
    parse_command_line(line)


def test_command_line_check_rejects_an_unknown_option() -> None:
    import click

    assert len(SHELL_LINES) >= 5
    with pytest.raises(click.UsageError):
        parse_command_line("ctxlint check . --no-such-option")
    with pytest.raises(click.UsageError):
        parse_command_line("ctxlint coach --format pdf")


# --- sample outputs --------------------------------------------------------------------------------


def normalised(line: str) -> str:
    """Figures a new price table may change are compared by shape, not value."""
    line = re.sub(r"genai-prices \S+", "genai-prices N", line.rstrip())
    return re.sub(r"\$\d[\d,.]*", "$N", line)


@pytest.mark.parametrize("block", SAMPLES, ids=ids(SAMPLES))
def test_sample_output_is_real(block: Block) -> None:
    """Each shown line is a line ctxlint prints now; a line ending in "…" is a prefix; "…" skips.
    ``< FILE`` at the end of the command is its standard input (an agent's JSON for the live commands)."""
    command, *shown = block.text.splitlines()
    args = shlex.split(command)[2:]
    stdin = None
    if len(args) >= 2 and args[-2] == "<":
        stdin, args = (REPO / args[-1]).read_bytes(), args[:-2]
    result = cli_in(REPO, args, stdin)
    assert result.exit_code in (0, 1), result.output
    printed = [normalised(line) for line in result.output.splitlines()]
    for line in shown:
        want = normalised(line)
        if not want or want == "…":
            continue
        if want.endswith("…"):
            assert any(p.startswith(want[:-1].rstrip()) for p in printed), f"{block.where}: {line!r} not printed"
        else:
            assert want in printed, f"{block.where}: {line!r} not printed"


# --- the composite action's shell steps ------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def resolve(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.action_path":
            return str(REPO)
        step_output = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if step_output:
            return outputs.get(step_output.group(1), {}).get(step_output.group(2), "")
        raise AssertionError(f"action.yml uses an expression this test cannot evaluate: {expr}")

    return EXPRESSION.sub(one, value)


def read_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def run_action(tmp_path: Path, given: dict[str, str], skip: tuple[str, ...] = ("install",)) -> tuple[
        dict[str, dict[str, str]], list[subprocess.CompletedProcess[str]]]:
    """Run the action's `run:` steps in order, as a runner would, with GitHub's files and variables.

    The install step is replaced by a `ctxlint` on PATH that runs this checkout (it needs the package
    index; the slow test below runs it for real).
    """
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | given
    shim = tmp_path / "bin" / "ctxlint"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ctxlint "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    outputs: dict[str, dict[str, str]] = {"install": {"ctxlint": str(shim)}}
    summary = tmp_path / "summary.md"
    runs = []
    for n, step in enumerate(ACTION["runs"]["steps"]):
        if "run" not in step or step.get("id") in skip:
            continue
        assert step["shell"] == "bash"
        output_file = tmp_path / f"output-{n}"
        output_file.touch()
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO / "src"),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(tmp_path),
            **{key: resolve(str(value), inputs, outputs) for key, value in step.get("env", {}).items()},
        }
        assert "${{" not in step["run"], "inputs must reach the script through env only"
        # `shell: bash` runs as `bash --noprofile --norc -eo pipefail {0}` on GitHub's runners.
        runs.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=REPO, env=env,
                                   capture_output=True, text=True, timeout=300))
        outputs[step.get("id", f"step{n}")] = read_outputs(output_file)
    return outputs, runs


def test_action_steps_report_examples(tmp_path: Path) -> None:
    outputs, runs = run_action(tmp_path, {
        "paths": "examples/CLAUDE.md\nexamples/session.jsonl\n",  # one per line
        "sarif-file": str(tmp_path / "ctxlint.sarif"),
        "args": "--select CTX1,CTX2",
    })
    check, final = runs
    assert check.returncode == 0, check.stderr
    assert outputs["run"]["exit-code"] == "1"  # examples/ has warnings
    assert "::warning file=examples/CLAUDE.md" in check.stdout  # annotations for the log
    assert outputs["run"]["sarif-file"] == str(tmp_path / "ctxlint.sarif")
    assert '"version": "2.1.0"' in (tmp_path / "ctxlint.sarif").read_text(encoding="utf-8")
    assert "CTX204" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert final.returncode == 1  # the job fails with ctxlint's exit code


def test_action_steps_pass_with_fail_on_never(tmp_path: Path) -> None:
    outputs, runs = run_action(tmp_path, {"paths": "examples/CLAUDE.md", "fail-on": "never",
                                          "step-summary": "false"})
    assert outputs["run"]["exit-code"] == "0"
    assert not (tmp_path / "summary.md").exists()
    assert [r.returncode for r in runs] == [0, 0]


def test_action_steps_fail_on_a_usage_error(tmp_path: Path) -> None:
    outputs, runs = run_action(tmp_path, {"paths": "no-such-dir"})
    assert outputs["run"]["exit-code"] == "2"
    assert "::error title=ctxlint::" in runs[0].stdout
    assert runs[-1].returncode == 2


@pytest.mark.slow
def test_action_install_step_builds_ctxlint(tmp_path: Path) -> None:
    """The install step for real: a virtual environment, `pip install` of this checkout, `--version`.

    No package index: the new environment sees this one's dependencies through a path entry, and pip
    builds without isolation from the hatchling installed here.
    """
    import sysconfig

    venv_dir = tmp_path / "ctxlint-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True)
    purelib = subprocess.run([str(venv_dir / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    output_file = tmp_path / "output"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"} | {
        "GITHUB_OUTPUT": str(output_file), "RUNNER_TEMP": str(tmp_path), "ACTION_PATH": str(REPO),
        "INPUT_PYTHON": sys.executable, "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
    }
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    from ctxlint import __version__

    assert __version__ in result.stdout
    ctxlint = read_outputs(output_file)["ctxlint"]
    assert Path(ctxlint).is_file() and Path(ctxlint).parent.parent == venv_dir
