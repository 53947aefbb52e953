"""Throughput of `ctxlint export` engines: the local process pool vs Dask on a 2-worker LocalCluster.

    python benchmarks/team_engines.py                 # benchmarks/data/claude/projects, 2 workers
    python benchmarks/team_engines.py --workers 4 --repeat 3 --tree PATH

Each run exports the whole tree into a fresh output directory (no resume), Parquet format, and
reports wall time and MiB/s of transcript input. For Dask the LocalCluster is started before the
clock starts (as a long-lived cluster would be), and its start-up time is printed separately.
``python benchmarks/make_corpus.py`` regenerates the tree.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MIB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE / "data" / "claude" / "projects")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not args.tree.is_dir():
        print(f"no tree at {args.tree}: run `python benchmarks/make_corpus.py` first", file=sys.stderr)
        return 2

    import distributed

    from ctxlint.team.export import discover, export

    tasks = discover([str(args.tree)])
    total = sum(t.size for t in tasks)
    print(f"tree: {args.tree} · {len(tasks)} transcripts · {total / MIB:,.1f} MiB · {args.workers} workers")
    results: list[tuple[str, list[float], int]] = []

    def run(engine: str, scheduler: str | None = None) -> tuple[float, int]:
        out = Path(tempfile.mkdtemp(prefix=f"ctxlint-team-{engine}-"))
        try:
            started = time.perf_counter()
            stats = export([str(args.tree)], str(out), engine=engine, scheduler=scheduler, jobs=args.workers)
            return time.perf_counter() - started, stats.rows["findings"]
        finally:
            shutil.rmtree(out, ignore_errors=True)

    times, findings = [], 0
    for _ in range(args.repeat):
        seconds, findings = run("local")
        times.append(seconds)
    results.append(("local (process pool)", times, findings))

    t0 = time.perf_counter()
    local_cluster: Any = distributed.LocalCluster
    with local_cluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        startup = time.perf_counter() - t0
        times = []
        for _ in range(args.repeat):
            seconds, findings = run("dask", cluster.scheduler_address)
            times.append(seconds)
        results.append((f"dask (LocalCluster, start-up {startup:.1f} s not counted)", times, findings))

    print()
    print(f"{'engine':<52} {'wall s':>8} {'MiB/s':>8} {'findings':>9}")
    print("-" * 80)
    for name, runs, n in results:
        best = min(runs)
        spread = f" (median {statistics.median(runs):.1f})" if len(runs) > 1 else ""
        print(f"{name:<52} {best:>8.1f} {total / MIB / best:>8.1f} {n:>9,}{spread}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
