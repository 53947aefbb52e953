"""Secrets are found, and never echoed by any output format."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ctxlint.measure.secrets import find_secrets, mask

PLANTED = {
    "aws-access-key-id": "AKIAZ7QWERTYUIOPASDF",
    "github-token": "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2,
    "gitlab-token": "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0",
    "openai-api-key": "sk-proj-" + "Zq8r3LkP0vXw9TnB2mYc7HdJ4sGf6Ae1",
    "anthropic-api-key": "sk-ant-api03-" + "Qw3rTy8uIo9pAs1dFg2hJk4lZx5cVb6nM7",
    "slack-token": "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "google-api-key": "AIza" + "SyD3f8kLm2nP4qR6sT8uV0wX2yZ4aB6cD8e",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "connection-string-password": "postgres://admin:Sup3rS3cretPw@db.internal:5432/app",
    "private-key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq1w2e3r4t5y6u7i8o9p0\n-----END RSA PRIVATE KEY-----",
}
SECRET_PARTS = {"aws-access-key-id": "QWERTYUIOPASDF", "github-token": "a1B2c3D4e5F6g7H8i9J0",
                "gitlab-token": "x9Y8z7W6v5U4t3S2r1Q0", "openai-api-key": "Zq8r3LkP0vXw9TnB2mYc7HdJ4sGf6Ae1",
                "anthropic-api-key": "Qw3rTy8uIo9pAs1dFg2hJk4lZx5cVb6nM7", "slack-token": "AbCdEfGhIjKlMnOp",
                "google-api-key": "SyD3f8kLm2nP4qR6sT8uV0wX2yZ4aB6cD8e", "jwt": "dozjgNryP4J3jVmNHl0w5N",
                "connection-string-password": "Sup3rS3cretPw", "private-key": "MIIEowIBAAKCAQEAq1w2e3r4t5y6u7i8o9p0"}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_each_kind_is_found_and_masked(kind: str) -> None:
    text = f"config: {PLANTED[kind]} end"
    assert kind in {m.kind for m in find_secrets(text)}
    assert SECRET_PARTS[kind] not in mask(text)


@pytest.mark.parametrize("text", ["sk-test-key", "YOUR_API_KEY", "${OPENAI_API_KEY}", "password = \"changeme\"",
                                  "token: <your-token>", "AKIAIOSFODNN7EXAMPLE", "xxxxxxxxxxxxxxxxxxxx",
                                  '"password": "optional"', 'password="proxy-pass"', "apiKey = 'AIzaSyC...'"])
def test_placeholders_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == []


@pytest.mark.slow  # seconds on two cores; CI runs the slow tests too
def test_hints_never_hide_a_match() -> None:
    """A pattern runs only on text holding one of its hints: that must never lose a secret."""
    from .conftest import CORPUS

    texts = [f"x {value} y" for value in PLANTED.values()]
    texts += [t.upper() for t in texts] + [t.lower() for t in texts]
    texts += ["PAſSWORD = 'Zq8r3LkP0vXw9TnB'", "Aws_Secret_Access_Key: " + "A" * 20 + "b" * 20,
              'CLIENT_SECRET="k9Vh2Lm4Qp7Rt1Wz"', "ApiKey: 'Zq8r3LkP0vXw9TnBaa'"]
    if CORPUS.is_dir():  # real files too, where the shared corpus sits beside the project (not on CI)
        files = sorted((CORPUS / "instructions").glob("*"))[:400] + sorted((CORPUS / "transcripts").glob("*/*"))[:40]
        texts += [f.read_text(encoding="utf-8", errors="replace")[:200_000] for f in files if f.is_file()]
        assert len(texts) > 50
    for text in texts:
        assert find_secrets(text) == find_secrets(text, use_hints=False), text[:80]
    assert find_secrets("PAſSWORD = 'Zq8r3LkP0vXw9TnB'"), "the long s is folded like (?i) folds it"


def test_adversarial_inputs_are_fast() -> None:
    for text in ("a" * 1_000_000, "sk-" * 300_000, "eyJ" * 300_000, "-----BEGIN " * 90_000,
                 "password=\"" + "a" * 1_000_000, "x://" + "a:" * 400_000):
        start = time.perf_counter()
        find_secrets(text)
        assert time.perf_counter() - start < 2.0


def test_no_format_echoes_a_secret(tmp_path: Path) -> None:
    """Plant every kind in an instruction file and in a transcript; grep every format's output."""
    from click.testing import CliRunner

    from ctxlint.cli.main import main
    from tests.transcript_builder import build

    (tmp_path / ".git").mkdir()
    secrets_text = "\n".join(f"- {kind}: {value}" for kind, value in PLANTED.items())
    (tmp_path / "CLAUDE.md").write_text("# Setup\n" + secrets_text + "\n")
    files = build({"agent": "claude-code", "steps": [
        {"prompt": "deploy with " + PLANTED["openai-api-key"] + " and " + PLANTED["github-token"]},
        {"bash": "cat .env", "tokens": 12000}, {"requests": 3}]})
    for name, text in files.items():
        # the secret also sits in a command and in the evidence of a large output
        text = text.replace("cat .env", "cat .env && echo " + PLANTED["aws-access-key-id"])
        (tmp_path / name).write_text(text)
    outputs = []
    for fmt in ("text", "json", "github", "sarif", "markdown"):
        result = CliRunner().invoke(main, [str(tmp_path), "--format", fmt, "--fail-on", "never"])
        outputs.append(result.output)
    blob = "\n".join(outputs)
    assert "CTX112" in blob
    for kind, part in SECRET_PARTS.items():
        assert part not in blob, f"{kind} leaked"
    json.loads(outputs[1])


def test_a_pattern_ignores_case_exactly_when_its_compiled_form_does() -> None:
    """Patterns compile on first use; whether hints are tested against the lower-cased text is read
    from the source's leading flags, and must agree with what re makes of it."""
    import re

    from ctxlint.measure.secrets import _patterns

    patterns, *_ = _patterns()
    assert patterns and all(p.folded == bool(re.compile(p.source).flags & re.IGNORECASE) for p in patterns)
