"""Issue 23.2: no secret leaves ctxlint, whole or cut. Twelve kinds are planted in an instruction file
and in a transcript (prompts, commands, tool outputs), each placed so that the quotes rules take
(60 to 120 characters) cut it in half; then every output is searched for each secret and for its
first eight characters: every check format, the coach in every format, the exported tables, the
baseline file and every file of the cache directory."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint._runtime import cache
from ctxlint.cli.main import main
from ctxlint.measure.secrets import clip, find_secrets, mask
from tests.transcript_builder import _text, build

# kind -> (how it is written, the secret itself)
SECRETS: dict[str, tuple[str, str]] = {}


def _plant(kind: str, written: str, secret: str | None = None) -> None:
    SECRETS[kind] = (written, secret or written)


_plant("aws-access-key-id", "AKIAZ7QWERTYUIOPASDF")
# for a key with a public prefix (ghp_, sk-proj-, xoxb-…) the secret searched for is what follows it
_plant("github-token", "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2, "a1B2c3D4e5F6g7H8i9J0" * 2)
_plant("gitlab-token", "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0", "x9Y8z7W6v5U4t3S2r1Q0")
_plant("openai-api-key", "sk-proj-" + "Zq8r3LkP0vXw9TnB2mYc7HdJ4sGf6Ae1", "Zq8r3LkP0vXw9TnB2mYc7HdJ4sGf6Ae1")
_plant("anthropic-api-key", "sk-ant-api03-" + "Qw3rTy8uIo9pAs1dFg2hJk4lZx5cVb6nM7", "Qw3rTy8uIo9pAs1dFg2hJk4lZx5cVb6nM7")
_plant("slack-token", "xoxb-" + "2417803961-7730418290-AbCdEfGhIjKlMnOp", "2417803961-7730418290-AbCdEfGhIjKlMnOp")
_plant("google-api-key", "AIza" + "SyD3f8kLm2nP4qR6sT8uV0wX2yZ4aB6cD8e")
_plant("stripe-key", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc")
_plant("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")
_plant("connection-string-password", "postgres://deploy:Vq7Lm2Xp9Rt4@db.internal:5432/app", "Vq7Lm2Xp9Rt4")
_plant("credential-assignment", "PGPASSWORD=Hk4Zr8Wq2Ny6 psql -h db.internal", "Hk4Zr8Wq2Ny6")
_plant("mysql-password", "mysql -u admin -pTm3Jv7Bx1Qs5 shop", "Tm3Jv7Bx1Qs5")
_plant("private-key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq1w2e3r4t5y6u7i8o9p0\n-----END RSA PRIVATE KEY-----",
       "MIIEowIBAAKCAQEAq1w2e3r4t5y6u7i8o9p0")


def _needles() -> dict[str, list[str]]:
    return {kind: [secret, secret[:8]] for kind, (_, secret) in SECRETS.items()}


def _at(prefix: str, cut: int, written: str) -> str:
    """``prefix`` padded so that ``written`` starts a few characters before ``cut``."""
    return prefix.ljust(cut - 6, ".") + written


def _instruction_file() -> str:
    lines = ["# Deploy", ""]
    for kind, (written, _) in SECRETS.items():
        if "\n" in written:
            lines += ["```", written, "```", "", "```", written, "```", ""]  # a pasted key, twice
            continue
        # CTX104 quotes 80 characters of a duplicated line: the secret starts just before the cut
        line = _at(f"- For {kind} on staging use", 80, written)
        lines += [line, line]
    return "\n".join(lines) + "\n"


HISTORY = ".claude/projects/-home-dev-repo"


def _transcript() -> dict[str, str]:
    steps: list[dict[str, object]] = [{"prompt": "Deploy the service to staging"}]
    for written, _ in SECRETS.values():
        one_line = written.replace("\n", " ")
        # CTX213 quotes 60 characters of a pasted prompt, CTX208 of a new task's prompt
        steps.append({"prompt": _at("Here is the log", 60, one_line) + "\n" + _text(11000, "log")})
        steps.append({"requests": 2})
        # CTX202 quotes 120 characters of a command and 80 or 100 in its fix
        steps.append({"bash": _at("curl -sS https://api.example.com/v1/deploy", 120, one_line), "tokens": 12000})
        steps.append({"bash": _at("deploy --env staging --verbose", 80, one_line), "tokens": 12000})
        # CTX209 quotes 100 characters of a failing call's output, 80 of its command
        for _ in range(3):
            steps.append({"bash": _at("./release.sh", 80, one_line), "error": True, "tokens": 60,
                          "output": _at("error: rejected", 100, one_line)})
        steps.append({"requests": 1})
    return build({"agent": "claude-code", "steps": steps})


@pytest.fixture()
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "CLAUDE.md").write_text(_instruction_file())
    # Sessions committed in an agent's store: a repository walk takes them from there
    for name, text in _transcript().items():
        (repo / HISTORY / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / HISTORY / name).write_text(text)
    return repo


def _invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


def _files_under(directory: Path) -> str:
    """Every file under ``directory`` as text; Parquet tables read back with pyarrow."""
    out = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            out.append(json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False))
        else:
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def test_no_output_file_or_cache_holds_a_secret(planted: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    outputs: dict[str, str] = {}
    for fmt in ("text", "json", "github", "sarif", "markdown"):
        outputs[f"check {fmt}"] = _invoke([".", "--format", fmt, "--fail-on", "never", "--no-group"], planted,
                                          monkeypatch)
    outputs["statistics"] = _invoke([".", "--statistics", "--fail-on", "never"], planted, monkeypatch)
    _invoke([".", "--write-baseline", str(tmp_path / "baseline.json"), "--fail-on", "never"], planted, monkeypatch)
    outputs["baseline"] = (tmp_path / "baseline.json").read_text()
    for fmt in ("text", "json", "html", "markdown"):
        outputs[f"coach {fmt}"] = _invoke(["coach", HISTORY, "--format", fmt], planted, monkeypatch)
    outputs["coach again (cached)"] = _invoke(["coach", HISTORY, "--format", "json"], planted, monkeypatch)
    if importlib.util.find_spec("pyarrow") is not None:  # the team extras
        for fmt in ("jsonl", "parquet"):
            _invoke(["export", HISTORY, "-o", str(tmp_path / f"tables-{fmt}"), "--format", fmt], planted,
                    monkeypatch)
            outputs[f"export {fmt}"] = _files_under(tmp_path / f"tables-{fmt}")
    cache.reset()  # closes the cache file, so everything written is on disk
    outputs["cache"] = _files_under(tmp_path / "cache")

    checked = outputs["check json"]
    assert "CTX112" in checked and "CTX104" in checked  # the file's secrets and its duplicated lines
    for rule in ("CTX202", "CTX209", "CTX213"):  # the transcript's quotes
        assert rule in checked, rule
    assert "[masked " in outputs["cache"]  # the coach cached its findings, masked
    leaks = [(where, kind, needle) for where, text in outputs.items()
             for kind, needles in _needles().items() for needle in needles if needle in text]
    assert leaks == []


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_a_cut_secret_is_masked_before_the_cut(kind: str) -> None:
    written, secret = SECRETS[kind]
    text = "quoted: " + written + " and more"
    for limit in range(8, len(text) + 2):
        quoted = clip(text, limit)
        assert secret[:8] not in quoted, (limit, quoted)
    assert secret not in mask(text)


@pytest.mark.parametrize(("kind", "shortest"), [("private-key", len("-----BEGIN RSA PRIVATE KEY-----\n") + 16),
                                               ("jwt", len("eyJhbGciOiJIUzI1NiJ9.eyJ") + 8)])
def test_a_secret_a_reader_cut_at_the_end_of_its_text_is_still_masked(kind: str, shortest: int) -> None:
    """A reader keeps only the head of a long tool output: a key or token cut there is still masked."""
    written, secret = SECRETS[kind]
    for keep in range(shortest, len(written)):
        head = "output: " + written[:keep]
        assert secret[:8] not in mask(head), (keep, mask(head))


@pytest.mark.parametrize("text", ["PGPASSWORD=postgres psql -h localhost", "DB_PASSWORD=changeme", "max_tokens=4000",
                                  "password=${DB_PASSWORD}", "mysql -u root -p mydb", "TOKEN_LIMIT=<your-token>",
                                  "postgres://postgres:postgres@localhost:5432/dev", "compass=northwest"])
def test_local_defaults_and_placeholders_stay_readable(text: str) -> None:
    assert mask(text) == text
    assert find_secrets(text) == []


@pytest.mark.parametrize("kind", ["credential-assignment", "mysql-password"])
def test_masked_only_shapes_are_not_ctx112_findings(kind: str) -> None:
    written, _ = SECRETS[kind]
    assert [m.kind for m in find_secrets(written)] == [kind]
    assert find_secrets(written, reported=True) == []


def test_rules_quote_through_clip() -> None:
    """A rule that quotes a cut piece of text in a message (``f"…{raw[:60]}…"``) would cut a key in
    half before any mask sees it: quotes go through ``clip``, which masks first."""
    import ast

    rules = Path(__file__).resolve().parents[2] / "src" / "ctxlint" / "rules"
    cut_quotes = []
    for path in sorted(rules.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hashed = {id(n) for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg == "content_key"
                  for n in ast.walk(k.value)}  # a fingerprint's content is hashed, never shown
        for node in ast.walk(tree):
            if not isinstance(node, ast.FormattedValue) or id(node) in hashed:
                continue
            value = node.value
            while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                value = value.func.value  # raw[:60].strip()
            if (isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice)
                    and value.slice.lower is None and isinstance(value.slice.upper, ast.Constant)
                    and isinstance(value.slice.upper.value, int) and value.slice.upper.value >= 20):
                cut_quotes.append(f"{path.relative_to(rules)}:{node.lineno}")
    assert cut_quotes == []
