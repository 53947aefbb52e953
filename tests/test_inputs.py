"""ONE discovery for check, coach and export: the link policy, one dedup rule, one exclude rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ctxlint.config import Config
from ctxlint.core.inputs import classify, instruction_sources, transcript_files, transcript_inputs
from ctxlint.errors import InputError
from ctxlint.team.export import discover
from tests.transcript_builder import build

SESSION = build({"agent": "claude-code", "steps": [{"prompt": "Fix the login bug"}, {"requests": 2}]})["session.jsonl"]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository, and beside it a folder with a private note and a transcript history."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    _write(root, {"AGENTS.md": "# Agents\n", "history/s1.jsonl": SESSION})
    _write(tmp_path / "outside", {"notes.md": "# private\n", "history/s9.jsonl": SESSION})
    return root


def test_a_file_linked_out_of_the_tree_is_not_read_when_walking(repo: Path) -> None:
    (repo / "CLAUDE.md").symlink_to(repo.parent / "outside" / "notes.md")
    (repo / "history" / "s9.jsonl").symlink_to(repo.parent / "outside" / "history" / "s9.jsonl")
    assert [s.path for s in instruction_sources(repo)] == ["AGENTS.md"]
    assert [os.path.basename(p) for p in transcript_files(str(repo))] == ["s1.jsonl"]


def test_a_directory_linked_out_of_the_tree_is_not_walked(repo: Path) -> None:
    (repo / "more").symlink_to(repo.parent / "outside", target_is_directory=True)
    assert [s.path for s in instruction_sources(repo)] == ["AGENTS.md"]
    assert [os.path.basename(p) for p in transcript_files(str(repo))] == ["s1.jsonl"]


def test_links_inside_the_repository_are_followed_even_from_a_subdirectory(repo: Path) -> None:
    _write(repo, {"docs/guide.md": "# guide\n", "pkg/README.md": "x\n"})
    (repo / "pkg" / "CLAUDE.md").symlink_to(repo / "docs" / "guide.md")  # outside pkg/, inside the repository
    assert [s.path for s in instruction_sources(repo / "pkg")] == ["CLAUDE.md"]


def test_a_path_given_explicitly_is_used_whatever_it_links_to(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "CLAUDE.md").symlink_to(repo.parent / "outside" / "notes.md")
    (repo / "s9.jsonl").symlink_to(repo.parent / "outside" / "history" / "s9.jsonl")
    inputs = classify(["CLAUDE.md", "s9.jsonl"], Config())
    assert [s.path for group in inputs.instruction_groups.values() for s in group if s.path == "CLAUDE.md"]
    assert inputs.transcripts == ["s9.jsonl"]
    assert [t.path for t in transcript_inputs([str(repo / "s9.jsonl")])] == [str(repo / "s9.jsonl")]


def test_a_file_reached_several_ways_counts_once(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    os.link(repo / "AGENTS.md", repo / "CLAUDE.md")  # a hard link: the same file
    (repo / "history" / "again.jsonl").symlink_to(repo / "history" / "s1.jsonl")
    os.link(repo / "history" / "s1.jsonl", repo / "history" / "hard.jsonl")
    sources = instruction_sources(repo)
    assert [(s.path, s.aliases) for s in sources] == [("AGENTS.md", ("CLAUDE.md",))]
    assert len(transcript_files(str(repo))) == 1
    inputs = classify([".", "AGENTS.md", "history/s1.jsonl", "history/hard.jsonl"], Config())
    assert sum(len(g) for g in inputs.instruction_groups.values()) == 1
    assert len(inputs.transcripts) == 1
    assert len(transcript_inputs(["history", "history/again.jsonl", "."])) == 1
    assert len(discover(["history", "."])) == 1


def test_one_exclude_rule_for_check_coach_and_export(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(repo, {"vendor/lib/CLAUDE.md": "# vendored\n", "vendor/s2.jsonl": SESSION})
    monkeypatch.chdir(repo.parent)  # the patterns are relative to the given directory, not to here
    exclude = ("vendor/*",)
    inputs = classify([str(repo)], Config(exclude=exclude))
    assert sorted(os.path.basename(s.path) for g in inputs.instruction_groups.values() for s in g) == ["AGENTS.md"]
    # A repository walk takes sessions only from agents' stores: history/ is not one (see
    # test_a_repository_walk_takes_sessions_only_from_agent_stores); the folder given itself is searched.
    assert inputs.transcripts == []
    inside = classify([str(repo / "history")], Config(exclude=exclude)).transcripts
    assert [os.path.basename(p) for p in inside] == ["s1.jsonl"]
    assert [os.path.basename(t.path) for t in transcript_inputs([str(repo)], exclude)] == ["s1.jsonl"]
    assert [t.rel for t in discover([str(repo)], exclude)] == ["history/s1.jsonl"]
    assert [os.path.basename(t.path) for t in transcript_inputs([str(repo)], ("s1.jsonl",))] == ["s2.jsonl"]


def test_a_missing_path_is_an_input_error_for_coach_and_export(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        transcript_inputs([str(tmp_path / "missing")])
    with pytest.raises(InputError):
        discover([str(tmp_path / "missing")])
