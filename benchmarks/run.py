"""The benchmark runner: one run prints every figure the README quotes.

    python benchmarks/run.py                # generates benchmarks/data first if missing
    python benchmarks/run.py --big-mib 500  # also the single 500 MiB transcript (peak RSS)

Measured, each in a fresh process, wall time and peak RSS (``/usr/bin/time``):
  (a) baseline: every line of every file parsed with orjson in one process per core
  (b) ``ctxlint check`` on the Claude Code tree and the Codex tree
  (c) ``ctxlint coach`` cold (empty cache) and warm
  (d) ``ctxlint`` on a repository of ~10 instruction files, including interpreter start-up
  (e) ccusage 20 (Rust) on the same Claude tree, when Node is present (ratio ctxlint / ccusage)
  (f) with --big-mib: ``ctxlint check`` of one large transcript (bounded memory)
  (g) ``ctxlint check`` and ``coach`` of an OpenCode database (a SQLite-backed store: the same real
      sessions as rows; throughput over the database file's size)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
OUT = HERE / "out"
MIB = 1024 * 1024
CTXLINT = [sys.executable, "-m", "ctxlint"]


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.jsonl"))


def as_installed(env: dict[str, str] | None = None) -> dict[str, str]:
    """Measured as installed: a wheel install has byte-compiled modules, so the runner compiles the
    package once and never lets PYTHONDONTWRITEBYTECODE (set in some sandboxes) make each run recompile it."""
    return {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of ``cmd`` in a fresh process."""
    env = as_installed(env)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name, *cmd]
        start = time.perf_counter()
        proc = subprocess.run(full, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        parts = tf.read().split()
    rss = int(parts[-1]) / 1024 if parts else float("nan")
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
    return wall, rss, proc.returncode


BASELINE = r"""
import os, sys, orjson
from concurrent.futures import ProcessPoolExecutor
def parse(path):
    n = 0
    with open(path, 'rb') as fh:
        for line in fh:
            try:
                orjson.loads(line); n += 1
            except orjson.JSONDecodeError:
                pass
    return n
files = [os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith('.jsonl')]
files.sort(key=os.path.getsize, reverse=True)
with ProcessPoolExecutor(os.cpu_count()) as pool:
    print(sum(pool.map(parse, files, chunksize=1)))
"""


def instruction_repo(dest: Path) -> Path:
    """A repository with 10 instruction files (permissively licensed corpus files, renamed)."""
    corpus = Path(os.environ.get("CTXLINT_CORPUS") or HERE.parents[1] / "shared" / "corpus") / "instructions"
    layout = {
        "CLAUDE.md": "anthropics__claude-code-action__CLAUDE.md",
        "AGENTS.md": "astral-sh__ruff__AGENTS.md",
        "GEMINI.md": "firebase__firebase-tools__GEMINI.md",
        ".github/copilot-instructions.md": "excalidraw__excalidraw__.github__copilot-instructions.md",
        ".cursor/rules/general.mdc": "ArcadeAI__cli-agent-template__.cursor__rules__general.mdc",
        "packages/api/AGENTS.md": "charmbracelet__crush__AGENTS.md",
        "packages/web/CLAUDE.md": "brianfunk__numberstring__CLAUDE.md",
        ".claude/rules/testing.md": "anthropics__anthropic-sdk-typescript__CLAUDE.md",
        "docs/CLAUDE.md": "anthropics__claude-quickstarts__CLAUDE.md",
        "tools/AGENTS.md": "biomejs__biome__AGENTS.md",
    }
    dest.mkdir(parents=True, exist_ok=True)
    (dest / ".git").mkdir(exist_ok=True)
    for rel, name in layout.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        src = corpus / name
        target.write_bytes(src.read_bytes() if src.exists() else b"# Instructions\n\nRun `make test`.\n")
    return dest


def ccusage(tree: Path) -> tuple[float, float] | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    prefix = OUT / "ccusage"
    binary = prefix / "node_modules" / ".bin" / "ccusage"
    if not binary.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        got = subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(prefix), "ccusage@20.0.24",
             "@ccusage/ccusage-linux-x64@20.0.24"], capture_output=True)
        if got.returncode != 0 or not binary.exists():
            return None
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(tree)}
    walls, rss = [], 0.0
    for _ in range(3):
        wall, peak, code = timed([str(binary), "session", "--offline", "--json"], env=env)
        if code != 0:
            return None
        walls.append(wall)
        rss = max(rss, peak)
    return min(walls), rss


def row(name: str, wall: float, rss: float, mib: float | None = None, note: str = "") -> str:
    rate = f"{mib / wall:8.0f} MiB/s" if mib else " " * 14
    return f"| {name:<44} | {wall:7.2f} s | {rate} | {rss:7.0f} MB | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big-mib", type=float, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    args = parser.parse_args()
    import ctxlint

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(ctxlint.__file__).parent)], env=as_installed(),
                   check=False, stdout=subprocess.DEVNULL)
    if not (DATA / "claude").is_dir():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--out", str(DATA)], check=True)
    OUT.mkdir(exist_ok=True)
    claude, codex = DATA / "claude", DATA / "codex"
    claude_mib, codex_mib = tree_bytes(claude) / MIB, tree_bytes(codex) / MIB
    rows = ["| measurement | wall | throughput | peak RSS | note |", "|---|---|---|---|---|"]

    def best(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float]:
        runs = [timed(cmd, env=env, cwd=cwd) for _ in range(args.repeat)]
        return min(r[0] for r in runs), max(r[1] for r in runs)

    # A transcript check reads one thing from the cache, the model prices (as on any second run);
    # every transcript is read and analysed in full each time.
    check_env = dict(os.environ)
    # Interleaved, best of each: the two are compared on the same machine state, not one after a drift.
    base_runs, check_runs = [], []
    for _ in range(max(args.repeat, 7)):
        base_runs.append(timed([sys.executable, "-c", BASELINE, str(claude / "projects")]))
        check_runs.append(timed([*CTXLINT, "check", str(claude / "projects"), "--format", "json", "--fail-on",
                                 "never"], env=check_env))
    base_wall, base_rss = min(r[0] for r in base_runs), max(r[1] for r in base_runs)
    c_wall, c_rss = min(r[0] for r in check_runs), max(r[1] for r in check_runs)
    rows.append(row(f"(a) orjson parse-only, {os.cpu_count()} procs, Claude tree", base_wall, base_rss, claude_mib,
                    f"{claude_mib:.0f} MiB"))
    ratio = (claude_mib / c_wall) / (claude_mib / base_wall)
    rows.append(row("(b) ctxlint check, Claude tree", c_wall, c_rss, claude_mib, f"{ratio:.0%} of baseline throughput"))
    x_wall, x_rss = best([*CTXLINT, "check", str(codex / "sessions"), "--format", "json", "--fail-on", "never"],
                         env=check_env)
    rows.append(row("(b) ctxlint check, Codex tree", x_wall, x_rss, codex_mib, f"{codex_mib:.0f} MiB"))

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CTXLINT_CACHE_DIR": cache}
        both = [str(claude / "projects"), str(codex / "sessions")]
        cold = timed([*CTXLINT, "coach", *both, "--format", "json"], env=env)
        warm_runs = [timed([*CTXLINT, "coach", *both, "--format", "json"], env=env) for _ in range(args.repeat)]
        warm = min(w[0] for w in warm_runs)
        rows.append(row("(c) ctxlint coach, cold cache, both trees", cold[0], cold[1], claude_mib + codex_mib))
        rows.append(row("(c) ctxlint coach, warm cache, both trees", warm, max(w[1] for w in warm_runs), None,
                        f"{warm / cold[0]:.1%} of cold" if cold[2] in (0, 1) else "coach failed"))

    with tempfile.TemporaryDirectory() as tmp:
        repo = instruction_repo(Path(tmp) / "repo")
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "CTXLINT_CACHE_DIR": cache}
            first = timed([*CTXLINT, "check", ".", "--fail-on", "never"], env=env, cwd=repo)
            # 15 runs: on a shared 2-core VM single runs drift by ±25%, so the median and the best are given
            runs = [timed([*CTXLINT, "check", ".", "--fail-on", "never"], env=env, cwd=repo) for _ in range(15)]
            walls = [r[0] for r in runs]
        rows.append(row("(d) 10 instruction files, first run (cold)", first[0], first[1], None,
                        "loads the tokenizer, parses with tree-sitter"))
        rows.append(row("(d) 10 instruction files, median of 15", statistics.median(walls), max(r[1] for r in runs),
                        None, f"best {min(walls):.2f} s; token counts and block structure cached by content hash"))

    cc = ccusage(claude)
    if cc:
        rows.append(row("(e) ccusage 20.0.24 session --offline --json", cc[0], cc[1], claude_mib,
                        f"ctxlint check takes {c_wall / cc[0]:.1f}× ccusage's time"))
    else:
        rows.append("| (e) ccusage 20.0.24 | n/a | | | Node or the package not available |")

    opencode = DATA / "opencode" / "opencode.db"
    if not opencode.is_file():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--out", str(DATA), "--claude-mib", "0",
                        "--codex-mib", "0"], check=True, capture_output=True)
    db_mib = opencode.stat().st_size / MIB
    o_wall, o_rss = best([*CTXLINT, "check", str(opencode), "--format", "json", "--fail-on", "never"], env=check_env)
    rows.append(row("(g) ctxlint check, OpenCode database", o_wall, o_rss, db_mib, f"{db_mib:.0f} MiB SQLite file"))
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CTXLINT_CACHE_DIR": cache}
        cold = timed([*CTXLINT, "coach", str(opencode), "--format", "json"], env=env)
        warm = best([*CTXLINT, "coach", str(opencode), "--format", "json"], env=env)
        rows.append(row("(g) ctxlint coach, OpenCode database, cold / warm", cold[0], cold[1], db_mib,
                        f"warm {warm[0]:.2f} s (sessions stamped by their own rows)"))

    if args.big_mib:
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--out", str(DATA), "--claude-mib", "0",
                        "--codex-mib", "0", "--big-mib", str(args.big_mib)], check=True, capture_output=True)
        big = DATA / "big" / "session.jsonl"
        big_mib = big.stat().st_size / MIB
        b_wall, b_rss, _ = timed([*CTXLINT, "check", str(big), "--format", "json", "--fail-on", "never"],
                                 env=check_env)
        rows.append(row(f"(f) ctxlint check, one {big_mib:.0f} MiB transcript", b_wall, b_rss, big_mib))

    report = "\n".join(rows)
    print(report)
    (OUT / "results.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
