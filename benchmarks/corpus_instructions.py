"""Lay the shared corpus of instruction files out as repositories and run ctxlint over them.

Each corpus file is named `owner__repo__path__with__dunders`; files of one repository go into one
directory under their real relative paths (so CLAUDE.md and AGENTS.md of one repo are checked
together). Prints the findings per rule; with --show RULE prints every finding of that rule.

    python benchmarks/corpus_instructions.py [--show CTX106] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# The shared corpus: beside the project, or where CTXLINT_CORPUS says (a worktree).
CORPUS = Path(os.environ.get("CTXLINT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus") / "instructions"


def layout(dest: Path) -> list[Path]:
    repos: dict[str, Path] = {}
    for src in sorted(CORPUS.iterdir()):
        owner, repo, rest = src.name.split("__", 2)
        root = repos.setdefault(f"{owner}__{repo}", dest / f"{owner}__{repo}")
        rel = rest.replace("__", "/")
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(src.read_bytes())
        (root / ".git").mkdir(exist_ok=True)
    return sorted(repos.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="append", default=[])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.out or Path(tmp)
        repos = layout(base)
        proc = subprocess.run([sys.executable, "-m", "ctxlint", "check", *map(str, repos), "--format", "json",
                               "--fail-on", "never", "--no-config"], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        report = json.loads(proc.stdout)
    counts = Counter(f["rule_id"] for f in report["findings"])
    print(f"{len(repos)} repositories, {sum(1 for f in report['files'] if f['kind'] == 'instructions')} instruction files, "
          f"{len(report['findings'])} findings")
    for rule, n in sorted(counts.items()):
        print(f"  {rule} {n}")
    for rule in args.show:
        for f in report["findings"]:
            if f["rule_id"] == rule:
                print(f"{f['path'].split('/', 1)[-1] if '/' in f['path'] else f['path']}:{f['line']}: {f['message']}")


if __name__ == "__main__":
    main()
