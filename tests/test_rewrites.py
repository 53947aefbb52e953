"""What repeated-read asks of the commands between two reads of a file (rules/transcripts/rewrites)."""

from __future__ import annotations

from ctxlint.rules.patterns import AnyOf, any_of
from ctxlint.rules.registry import registry
from ctxlint.rules.transcripts.rewrites import Paths, Rewrites


class Counting:
    """An AnyOf that counts the texts it is asked about."""

    def __init__(self, inner: AnyOf) -> None:
        self.inner = inner
        self.asked: list[str] = []

    def matches(self, text: str) -> bool:
        self.asked.append(text)
        return self.inner.matches(text)


def _rewrites() -> tuple[Rewrites, Counting, Counting]:
    data = registry()["CTX201"].meta.data
    invalidate = Counting(any_of(tuple(data["invalidate"])))
    installs = Counting(any_of(tuple(data["package_managers"])))
    return Rewrites(invalidate, installs, Paths("/repo")), invalidate, installs  # type: ignore[arg-type]


def test_paths_are_made_absolute_against_the_session_directory() -> None:
    paths = Paths("/repo")
    assert paths.norm("src/app.py") == paths.norm("./src/../src/app.py") == "/repo/src/app.py"
    assert paths.norm("/etc/hosts") == "/etc/hosts"
    assert Paths(None).norm("a/./b") == "a/b"


def test_a_command_that_may_rewrite_any_file_cuts_every_earlier_read() -> None:
    r, _, _ = _rewrites()
    r.add(10, "ls src", False)
    r.add(20, "git checkout main", False)
    r.add(30, "pytest -q", False)
    assert r.last_rewrite(0, "/repo/src/app.py", manifest=False) == 20
    assert r.last_rewrite(2, "/repo/src/app.py", manifest=False) == 0  # only commands from index 2 on


def test_package_managers_rewrite_only_manifests() -> None:
    r, _, _ = _rewrites()
    r.add(10, "npm install left-pad", False)
    assert r.last_rewrite(0, "/repo/src/app.py", manifest=False) == 0
    assert r.last_rewrite(0, "/repo/package.json", manifest=True) == 10


def test_in_place_edits_and_redirections_rewrite_the_files_they_name() -> None:
    r, _, _ = _rewrites()
    r.add(10, "sed -i 's/a/b/' src/app.py", False)
    r.add(20, "echo x > notes.md", False)
    r.add(30, "sed -i 's/a/b/' src/other.py", True)  # an edit tool's own call: its paths were handled as it ran
    assert r.last_rewrite(0, "/repo/src/app.py", manifest=False) == 10
    assert r.last_rewrite(0, "/repo/notes.md", manifest=False) == 20
    assert r.last_rewrite(0, "/repo/src/other.py", manifest=False) == 0


def test_each_command_is_asked_once_however_many_files_ask() -> None:
    r, invalidate, installs = _rewrites()
    for line in range(5):
        r.add(line + 1, f"make test{line}", False)
    for name in ("a.py", "b.py", "package.json", "c.py"):
        r.last_rewrite(0, f"/repo/{name}", manifest=name == "package.json")
    assert len(invalidate.asked) == 5 and len(installs.asked) == 5
