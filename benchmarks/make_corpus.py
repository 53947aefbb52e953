"""Replicate the real sessions of the shared corpus into large benchmark trees.

* a Claude Code tree ``<out>/claude/projects/<project>/<session>.jsonl`` (+ ``<session>/subagents/``)
  of about ``--claude-mib`` MiB, and a Codex tree ``<out>/codex/sessions/YYYY/MM/DD/rollout-*.jsonl``
* every copy gets new session ids, message ids and request ids, so copies are distinct sessions and
  de-duplication cannot collapse them (a tool that de-duplicates on message.id + requestId sees each
  copy as new requests, exactly like real history).
* ``--big-mib N`` also writes one single transcript of N MiB (``<out>/big/session.jsonl``) for the
  bounded-memory check.

Nothing of the corpus is committed: the trees are generated into a git-ignored directory.
"""

from __future__ import annotations

import argparse
import os
import re
import uuid
from pathlib import Path

# The shared corpus: beside the project, or where CTXLINT_CORPUS says (a worktree).
CORPUS = Path(os.environ.get("CTXLINT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus") / "transcripts"
MIB = 1024 * 1024

UUID_RE = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MSG_RE = re.compile(rb'"(msg_|req_|toolu_|call_)([A-Za-z0-9_]+)"')


def _rewrite(data: bytes, copy: int, session_map: dict[bytes, bytes]) -> bytes:
    def new_uuid(m: re.Match[bytes]) -> bytes:
        old = m.group(0)
        if old not in session_map:
            session_map[old] = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{old.decode()}-{copy}")).encode()
        return session_map[old]

    data = UUID_RE.sub(new_uuid, data)
    suffix = f"c{copy}".encode()
    return MSG_RE.sub(lambda m: b'"' + m.group(1) + m.group(2) + suffix + b'"', data)


def claude_sessions() -> list[tuple[Path, list[Path]]]:
    """(main session file, its subagent files) for every real Claude Code session in the corpus."""
    folder = CORPUS / "claude-code"
    mains = [p for p in sorted(folder.glob("*.jsonl")) if "__subagents__" not in p.name]
    out = []
    for main in mains:
        stem = main.name[: -len(".jsonl")]
        subs = sorted(folder.glob(f"{stem}__subagents__agent-*.jsonl"))
        out.append((main, subs))
    return out


def build_claude(out: Path, target_mib: float) -> int:
    sessions = claude_sessions()
    written = 0
    copy = 0
    while written < target_mib * MIB:
        for main, subs in sessions:
            session_map: dict[bytes, bytes] = {}
            data = _rewrite(main.read_bytes(), copy, session_map)
            session_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{main.name}-{copy}"))
            project = out / "claude" / "projects" / f"-bench-project-{copy % 7}"
            project.mkdir(parents=True, exist_ok=True)
            (project / f"{session_id}.jsonl").write_bytes(data)
            written += len(data)
            for sub in subs:
                agent = sub.name.split("__subagents__", 1)[1]
                sub_dir = project / session_id / "subagents"
                sub_dir.mkdir(parents=True, exist_ok=True)
                sub_data = _rewrite(sub.read_bytes(), copy, session_map)
                (sub_dir / agent).write_bytes(sub_data)
                written += len(sub_data)
            if written >= target_mib * MIB:
                break
        copy += 1
    return written


def build_codex(out: Path, target_mib: float) -> int:
    rollouts = sorted((CORPUS / "codex").glob("*.jsonl"))
    written = 0
    copy = 0
    while written < target_mib * MIB and rollouts:
        for src in rollouts:
            data = _rewrite(src.read_bytes(), copy, {})
            day = 1 + copy % 28
            folder = out / "codex" / "sessions" / "2026" / "03" / f"{day:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"rollout-2026-03-{day:02d}T10-00-00-{uuid.uuid5(uuid.NAMESPACE_URL, f'{src.name}-{copy}')}.jsonl"
            (folder / name).write_bytes(data)
            written += len(data)
            if written >= target_mib * MIB:
                break
        copy += 1
    return written


def build_big(out: Path, target_mib: float) -> Path:
    """One transcript of ~target MiB: the largest real session repeated with distinct ids."""
    sessions = claude_sessions()
    main = max((m for m, _ in sessions), key=lambda p: p.stat().st_size)
    path = out / "big" / "session.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    session_map: dict[bytes, bytes] = {}
    written = 0
    with path.open("wb") as fh:
        copy = 0
        while written < target_mib * MIB:
            data = _rewrite(main.read_bytes(), copy, session_map)
            fh.write(data if data.endswith(b"\n") else data + b"\n")
            written += len(data)
            copy += 1
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--claude-mib", type=float, default=200)
    parser.add_argument("--codex-mib", type=float, default=40)
    parser.add_argument("--big-mib", type=float, default=0)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"shared corpus not found at {CORPUS}")
    args.out.mkdir(parents=True, exist_ok=True)
    claude = build_claude(args.out, args.claude_mib)
    codex = build_codex(args.out, args.codex_mib)
    print(f"claude tree: {claude / MIB:.1f} MiB, codex tree: {codex / MIB:.1f} MiB under {args.out}")
    if args.big_mib:
        big = build_big(args.out, args.big_mib)
        print(f"single transcript: {os.path.getsize(big) / MIB:.1f} MiB at {big}")


if __name__ == "__main__":
    main()
