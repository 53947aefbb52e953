"""No network at run time: the guard works, and a real subprocess run with sockets blocked succeeds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NetworkBlocked

REPO = Path(__file__).resolve().parents[1]

SITECUSTOMIZE = '''
import socket
def _refuse(*args, **kwargs):
    raise OSError("ctxlint test: network access attempted")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''


def test_guard_blocks_outside_connections() -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)


def test_cli_runs_with_every_socket_blocked(tmp_path: Path) -> None:
    """A fresh interpreter whose sockets all fail, with an empty token cache (so the tokenizer loads)."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "CTXLINT_CACHE_DIR": str(tmp_path / "cache"),
           "TIKTOKEN_CACHE_DIR": str(tmp_path / "tiktoken")}
    for args in (["examples/", "--format", "json"], ["rules"], ["explain", "CTX201"]):
        proc = subprocess.run([sys.executable, "-m", "ctxlint", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        assert "network access attempted" not in proc.stderr
