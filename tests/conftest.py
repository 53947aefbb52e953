"""Shared test setup: no network, an isolated cache, and the shared corpus location."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from click.testing import Result

REPO = Path(__file__).resolve().parents[1]
# The shared corpus (not on CI): beside the project, or wherever CTXLINT_CORPUS says (a worktree).
CORPUS = Path(os.environ.get("CTXLINT_CORPUS") or REPO.parent / "shared" / "corpus")


class NetworkBlocked(RuntimeError):
    pass


def _is_local(address: object) -> bool:
    return isinstance(address, (str, bytes))  # an AF_UNIX path


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ctxlint must never touch the network: any connection but a Unix socket fails the test."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:
        if not _is_local(address):
            raise NetworkBlocked(f"network access attempted: {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if not _is_local(address):
            raise NetworkBlocked(f"network access attempted: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        raise NetworkBlocked(f"name lookup attempted: {host!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One cache directory for the session, never the user's; each test starts with the cache on."""
    from ctxlint._runtime import cache

    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("CTXLINT_NO_CACHE", raising=False)
    cache.reset()
    yield
    cache.reset()


def corpus_dir(kind: str) -> Path:
    path = CORPUS / kind
    if not path.is_dir():
        pytest.skip(f"shared corpus not available at {path}")
    return path



def cli_in(cwd: Path, args: list[str], stdin: bytes | None = None) -> Result:
    """Run the ctxlint CLI in-process with ``cwd`` as the working directory (and ``stdin`` as its input)."""
    from click.testing import CliRunner

    from ctxlint.cli.main import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)
