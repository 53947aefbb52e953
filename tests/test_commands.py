"""What a shell command prints of a file (rules/transcripts/commands.file_reads) and what a script writes."""

from __future__ import annotations

import pytest

from ctxlint.rules.transcripts.commands import FileRead, file_reads, script_names, split_commands


@pytest.mark.parametrize(("command", "expected"), [
    ("cat src/a.py", FileRead("src/a.py", 1, None)),
    ("cd /repo && cat src/a.py", FileRead("src/a.py", 1, None)),  # cd prints nothing
    ("head -50 src/x.py", FileRead("src/x.py", 1, 50)),
    ("sed -n 10,20p f.py", FileRead("f.py", 10, 20)),
    ("cat -n src/x.py | head -30", FileRead("src/x.py", 1, 30)),
    ("nl -ba pkg/job.go | sed -n '290,340p'", FileRead("pkg/job.go", 290, 340)),
    ("sed -n '1,999p' i18n.py | nl -ba | sed -n '1,260p'", FileRead("i18n.py", 1, 260)),  # relative to the range
    ("sed -n '260,999p' i18n.py | nl -ba | sed -n '260,999p'", FileRead("i18n.py", 519, 999)),
    ("tail -100 logs/api.log 2>/dev/null | tail -50", FileRead("logs/api.log", -50, None)),
    ("cat 'my file.md'", FileRead("my file.md", 1, None)),
])
def test_reads_of_one_file(command: str, expected: FileRead) -> None:
    assert file_reads(command) == (expected,)


@pytest.mark.parametrize("command", [
    "grep -n foo src/a.py",  # a search, not a read
    "tail -200 api.log 2>/dev/null | grep -E 'err|chat' | tail -20",  # a filter in the pipe
    "cat /x/HANDOFF.md 2>/dev/null || echo NO; cat /x/JOURNAL.md",  # two printing commands
    "ls -la docs && echo '---' && sed -n '1,200p' docs/a.md",
    "cat > notes.txt <<EOF\nhi\nEOF",  # a heredoc writes
    "cat f.py > g.py",  # a redirection writes
    "sed -n '1,40p' AGENTS.md | cat -vet",  # control characters shown: another view
    "cat a.py b.py",  # several files: a dump (repo-dump's)
    "head -c 100 f",  # bytes, not lines
    "tail -f server.log",  # follows a live file
])
def test_not_a_read_of_one_file(command: str) -> None:
    assert file_reads(command) == ()


def test_commands_split_on_separators_outside_quotes() -> None:
    assert split_commands("echo 'a; b' && grep \"x|y\" f | head -3; ls") == [
        ["echo 'a; b'"], ['grep "x|y" f', "head -3"], ["ls"]]
    assert split_commands("python - <<'PY'\nprint(1)\nPY") is None
    assert split_commands("echo 'unbalanced") is None


def test_a_script_names_the_files_it_may_write() -> None:
    script = "python - <<'PY'\nfrom pathlib import Path\np = Path('specs/001/research.md')\np.write_text('x')\nPY"
    assert "research.md" in script_names(script)
