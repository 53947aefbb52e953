"""The statusline's latency on a 20 MB Claude Code session (docs/performance.md, "Live").

    python benchmarks/make_corpus.py --claude-mib 1 --codex-mib 1 --opencode-mib 0   # writes data/live/
    python benchmarks/live.py [--runs 15]

Each figure is the wall time of a fresh process started as Claude Code starts it: the installed
console script (``from ctxlint.cli.entry import run``) with the statusLine JSON on stdin, byte-compiled
modules, its own cache directory. Best and median of ``--runs``:

  (a) ``python -c pass``: the interpreter's own start-up, the floor;
  (b) warm, nothing appended: the summary is the transcript's, the line is printed from it;
  (c) warm, one record appended: the line is printed from the last summary and a refresh is started;
  (d) the refresh behind (c): ``ctxlint statusline --refresh`` reading only the appended record;
  (e) cold: no summary yet (a first line and a refresh started);
  (f) the refresh behind (e): the whole session read and audited, its state kept;
  (g) for scale: ``ctxlint check`` of the same file, which reads it all;
  (h) the ``Stop`` hook at a turn's end, one record appended (the agent waits for it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SESSION = HERE / "data" / "live" / "session.jsonl"
PAYLOAD = HERE.parent / "tests" / "fixtures" / "hooks" / "claude-code" / "statusline.json"


def timed(argv: list[str], env: dict[str, str], stdin: bytes = b"") -> float:
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def stats(samples: list[float]) -> str:
    return f"best {min(samples) * 1000:6.1f} ms   median {statistics.median(samples) * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--session", type=Path, default=SESSION)
    args = parser.parse_args()
    if not args.session.is_file():
        raise SystemExit(f"{args.session} not found: run benchmarks/make_corpus.py first")
    import ctxlint

    package = Path(ctxlint.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    work = Path(tempfile.mkdtemp(prefix="ctxlint-live-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    data = args.session.read_bytes()
    # The session grows from 96% of the file; each appended record comes from the remaining 4%.
    start = data.rfind(b"\n", 0, int(len(data) * 0.96)) + 1
    transcript = work / "projects" / "-bench" / "session.jsonl"
    transcript.parent.mkdir(parents=True)
    transcript.write_bytes(data[:start])
    script = work / "ctxlint"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom ctxlint.cli.entry import run\nsys.exit(run())\n")
    script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CTXLINT_NO_CACHE")}
    env["CTXLINT_CACHE_DIR"] = str(work / "cache")
    payload = json.loads(PAYLOAD.read_text(encoding="utf-8"))
    payload["transcript_path"] = str(transcript)
    payload["cwd"] = payload["workspace"]["current_dir"] = payload["workspace"]["project_dir"] = str(work)
    stdin = json.dumps(payload).encode()
    line = [str(script), "statusline"]
    refresh = [str(script), "statusline", "--refresh", str(transcript), "--window", "200000"]
    size = transcript.stat().st_size
    print(f"session: {size / 1e6:.1f} MB ({size / 1024 / 1024:.1f} MiB), {args.runs} runs each")

    rows: list[tuple[str, list[float]]] = []
    rows.append(("(a) python -c pass", [timed([sys.executable, "-c", "pass"], env) for _ in range(args.runs)]))

    cold, cold_refresh = [], []
    for _ in range(max(3, args.runs // 3)):
        shutil.rmtree(work / "cache", ignore_errors=True)
        cold.append(timed(line, env, stdin))
        wait_for_refresh(work)
        shutil.rmtree(work / "cache", ignore_errors=True)
        cold_refresh.append(timed(refresh, env))
    subprocess.run(line, input=stdin, env=env, stdout=subprocess.DEVNULL, check=False)
    wait_for_refresh(work)
    timed(refresh, env)
    rows.append(("(b) warm, nothing appended", [timed(line, env, stdin) for _ in range(args.runs)]))

    appended, behind = [], []
    at = start
    for _ in range(args.runs):
        end = data.find(b"\n", at) + 1
        with transcript.open("ab") as fh:
            fh.write(data[at:end])
        at = end
        appended.append(timed(line, env, stdin))
        wait_for_refresh(work)
        end = data.find(b"\n", at) + 1
        with transcript.open("ab") as fh:
            fh.write(data[at:end])
        at = end
        behind.append(timed(refresh, env))
    stop = json.dumps({"session_id": "bench", "transcript_path": str(transcript), "cwd": str(work),
                       "hook_event_name": "Stop", "stop_hook_active": False}).encode()
    hook = [str(script), "hook"]
    stops = []
    for _ in range(max(3, args.runs // 3)):
        end = data.find(b"\n", at) + 1
        with transcript.open("ab") as fh:
            fh.write(data[at:end])
        at = end
        stops.append(timed(hook, env, stop))
    rows.append(("(c) warm, one record appended", appended))
    rows.append(("(d) its refresh (appended bytes only)", behind))
    rows.append(("(h) Stop hook, one record appended", stops))
    rows.append(("(e) cold: first line", cold))
    rows.append(("(f) cold: its refresh (whole session)", cold_refresh))
    check = [sys.executable, "-m", "ctxlint", "check", str(transcript), "--format", "json", "--no-cache"]
    rows.append(("(g) ctxlint check of the file", [timed(check, env) for _ in range(max(3, args.runs // 3))]))
    width = max(len(name) for name, _ in rows)
    for name, samples in rows:
        print(f"{name.ljust(width)}  {stats(samples)}")


def wait_for_refresh(work: Path, timeout: float = 60.0) -> None:
    """Until no detached refresh holds a session's lock (it ends by itself)."""
    import fcntl

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = False
        for lock in (work / "cache").glob("live-*.lock"):
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                busy = True
            finally:
                os.close(fd)
        if not busy:
            return
        time.sleep(0.02)


if __name__ == "__main__":
    main()
