"""Cold vs warm `ctxlint coach` over the shared corpus laid out as real agent stores.

    python benchmarks/coach_cache.py [--repeat 3] [--jobs N]

Lays /work/shared/corpus/transcripts out as `~/.claude/projects/...` and Codex
`sessions/YYYY/MM/DD/...` trees in a temp dir (benchmarks/layout_stores.py), then runs the CLI
end-to-end (process start included) with an empty cache (cold), again over the unchanged history
(warm), and with --no-cache. The warm run must take at most a tenth of the cold one, or < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from layout_stores import layout  # noqa: E402


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ctxlint", "coach", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = layout(Path(tmp) / "stores")
        targets = [str(root / "claude" / "projects"), str(root / "codex" / "sessions")]
        files = [p for t in targets for p in Path(t).rglob("*.jsonl")]
        size = sum(p.stat().st_size for p in files)
        args = [*targets, "--format", "json", "--no-config"] + (["--jobs", str(opts.jobs)] if opts.jobs else [])
        cold, warm, nocache = [], [], []
        for i in range(opts.repeat):
            env = {**os.environ, "CTXLINT_CACHE_DIR": str(Path(tmp) / f"cache{i}")}
            cold.append(run(args, env))
            warm.append(run(args, env))
            nocache.append(run([*args, "--no-cache"], env))
        c, w, n = statistics.median(cold), statistics.median(warm), statistics.median(nocache)
        print(f"corpus: {len(files)} transcript files, {size / 1e6:.1f} MB ({os.cpu_count()} CPUs)")
        print(f"cold (empty cache): {c:.2f} s   [{', '.join(f'{x:.2f}' for x in cold)}]")
        print(f"warm (unchanged):   {w:.2f} s   [{', '.join(f'{x:.2f}' for x in warm)}]  = {w / c:.1%} of cold")
        print(f"--no-cache:         {n:.2f} s   [{', '.join(f'{x:.2f}' for x in nocache)}]")
        ok = w <= c / 10 or w < 0.5
        print("PASS" if ok else "FAIL", "(warm <= cold/10 or < 0.5 s)")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
