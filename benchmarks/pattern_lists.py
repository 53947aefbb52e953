"""The transcript rules' YAML pattern lists: gated by literal heads (``ctxlint.rules.patterns``) vs
one plain alternation per list, on the texts the rules really test.

    python benchmarks/pattern_lists.py [TREE ...]   # default: benchmarks/data/claude and .../codex

Every text a list is asked about during ``audit_file`` of each transcript is recorded, then each
list answers all of its texts both ways (best of 5). The answers must agree; the time is printed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[HERE / "data" / "claude", HERE / "data" / "codex"])
    args = parser.parse_args()
    from ctxlint.config import Config
    from ctxlint.core.audit import audit_file
    from ctxlint.core.inputs import transcript_files
    from ctxlint.rules import patterns

    asked: dict[int, tuple[patterns.AnyOf, list[str]]] = {}
    real = patterns.AnyOf.matches

    def recording(self: patterns.AnyOf, text: str) -> bool:
        asked.setdefault(id(self), (self, []))[1].append(text)
        return real(self, text)

    patterns.AnyOf.matches = recording  # type: ignore[method-assign]
    files = [f for tree in args.trees for f in transcript_files(str(tree))]
    if not files:
        print(f"no transcripts under {', '.join(map(str, args.trees))}: run benchmarks/make_corpus.py", file=sys.stderr)
        return 2
    for f in files:
        audit_file(f, Config())
    patterns.AnyOf.matches = real  # type: ignore[method-assign]

    gated_s = plain_s = 0.0
    calls = 0
    for lists, texts in asked.values():
        sources = [p.pattern for _, p in lists.gated] + ([lists.always.pattern] if lists.always else [])
        plain = re.compile("|".join(f"(?:{p})" for p in sources), re.I if lists.fold else 0)
        assert [lists.matches(t) for t in texts] == [bool(plain.search(t)) for t in texts]
        gated_s += min(_time(lists.matches, texts) for _ in range(5))
        plain_s += min(_time(plain.search, texts) for _ in range(5))
        calls += len(texts)
    print(f"{len(files)} transcripts, {len(asked)} pattern lists, {calls:,} texts asked about")
    print(f"gated by literal heads: {gated_s * 1000:8.1f} ms")
    print(f"plain alternation:      {plain_s * 1000:8.1f} ms")
    return 0


def _time(ask: Callable[[str], object], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        ask(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
