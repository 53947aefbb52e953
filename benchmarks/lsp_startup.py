"""How long `ctxlint lsp` takes to answer an editor: from starting the process to the `initialize`
answer, and to the first diagnostics of an opened CLAUDE.md (examples/CLAUDE.md, 213 lines), set
beside a pre-commit-style `ctxlint check` of the same file in a fresh process.

    python benchmarks/lsp_startup.py [--runs 7]

Each figure is the median of ``--runs`` fresh processes, with the cache warm (as on every run after
the first). Needs pygls (the `lsp` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "CLAUDE.md"


async def one_session(env: dict[str, str]) -> tuple[float, float]:
    client = LanguageClient("bench", "1")
    published = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        published.set()

    start = time.perf_counter()
    await client.start_io(sys.executable, "-m", "ctxlint", "lsp", cwd=str(REPO), env=env)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    initialized = time.perf_counter() - start
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=EXAMPLE.as_uri(), language_id="markdown", version=1, text=EXAMPLE.read_text(encoding="utf-8"))))
    await published.wait()
    diagnosed = time.perf_counter() - start
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return initialized, diagnosed


def check_once(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ctxlint", "check", str(EXAMPLE), "--fail-on", "never"], cwd=REPO, env=env,
                   capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "CTXLINT_CACHE_DIR": cache}
        check_once(env)  # warm the cache
        sessions = [asyncio.run(one_session(env)) for _ in range(args.runs)]
        checks = [check_once(env) for _ in range(args.runs)]
    print(f"lsp initialize answered:      {statistics.median(s[0] for s in sessions):.2f} s")
    print(f"lsp first diagnostics:        {statistics.median(s[1] for s in sessions):.2f} s")
    print(f"`ctxlint check` of the file:  {statistics.median(checks):.2f} s")


if __name__ == "__main__":
    main()
