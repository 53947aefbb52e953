"""Replicate the real sessions of the shared corpus into large benchmark trees.

* a Claude Code tree ``<out>/claude/projects/<project>/<session>.jsonl`` (+ ``<session>/subagents/``)
  of about ``--claude-mib`` MiB, and a Codex tree ``<out>/codex/sessions/YYYY/MM/DD/rollout-*.jsonl``
* every copy gets new session ids, message ids and request ids, so copies are distinct sessions and
  de-duplication cannot collapse them (a tool that de-duplicates on message.id + requestId sees each
  copy as new requests, exactly like real history).
* ``--big-mib N`` also writes one single transcript of N MiB (``<out>/big/session.jsonl``) for the
  bounded-memory check.
* ``--live-mib N`` (default 20) writes one session of N MiB made of many real sessions
  (``<out>/live/session.jsonl``): the statusline's benchmark (``benchmarks/live.py``).
* an OpenCode database ``<out>/opencode/opencode.db`` of about ``--opencode-mib`` MiB: the same real
  Claude Code sessions written as OpenCode stores them (a session row, one message per API response
  with step-start/text/reasoning/tool/step-finish parts, the tool outputs inside the tool parts), so a
  SQLite-backed store is measured on real content.

Nothing of the corpus is committed: the trees are generated into a git-ignored directory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

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


OPENCODE_SCHEMA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "agents" / "opencode" / "opencode.sql"


def _opencode_rows(lines: list[bytes], sid: str, copy: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(message rows, part rows) of one Claude Code session as OpenCode writes it."""
    messages: list[tuple[Any, ...]] = []
    parts: list[tuple[Any, ...]] = []
    tools: dict[str, dict[str, Any]] = {}
    clock = 1_786_000_000_000 + copy * 10_000_000
    current: dict[str, Any] | None = None  # the assistant message being built: its id, parts and usage

    def part(mid: str, data: dict[str, Any]) -> None:
        nonlocal clock
        clock += 10
        parts.append((f"prt_{len(parts):08d}{sid[-12:]}", mid, sid, clock, clock, data))

    def close() -> None:
        nonlocal current
        if current is not None:
            part(current["id"], {"type": "step-finish", "reason": "stop", "cost": 0, "tokens": current["tokens"]})
            current = None

    for raw in lines:
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        msg = rec.get("message") if isinstance(rec, dict) else None
        if not isinstance(msg, dict):
            continue
        content = msg.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        if rec.get("type") == "user":
            results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
            for b in results:
                state = tools.get(str(b.get("tool_use_id")))
                if state is not None:
                    out = b.get("content")
                    state.update(status="completed", output=out if isinstance(out, str) else json.dumps(out))
            texts = [b.get("text") for b in blocks if isinstance(b, dict) and isinstance(b.get("text"), str)]
            if texts and not results:
                close()
                mid = f"msg_u{len(messages):07d}{sid[-12:]}"
                clock += 10
                messages.append((mid, sid, clock, clock, {"role": "user", "time": {"created": clock}}))
                part(mid, {"type": "text", "text": "\n".join(texts)})
        elif rec.get("type") == "assistant":
            key = str(msg.get("id"))
            if current is None or current["key"] != key:
                close()
                mid = f"msg_a{len(messages):07d}{sid[-12:]}"
                clock += 10
                u = msg.get("usage") if isinstance(msg.get("usage"), dict) else {}
                tokens = {"input": u.get("input_tokens", 0), "output": u.get("output_tokens", 0), "reasoning": 0,
                          "cache": {"read": u.get("cache_read_input_tokens", 0),
                                    "write": u.get("cache_creation_input_tokens", 0)}}
                messages.append((mid, sid, clock, clock, {"role": "assistant", "modelID": msg.get("model"),
                                                         "providerID": "anthropic", "tokens": tokens,
                                                         "time": {"created": clock}}))
                current = {"key": key, "id": mid, "tokens": tokens}
                part(mid, {"type": "step-start"})
            for b in blocks:
                if not isinstance(b, dict):
                    continue
                if b.get("type") == "text":
                    part(current["id"], {"type": "text", "text": b.get("text", "")})
                elif b.get("type") == "thinking":
                    part(current["id"], {"type": "reasoning", "text": b.get("thinking", "")})
                elif b.get("type") == "tool_use":
                    name = str(b.get("name", "?"))
                    args = b.get("input") if isinstance(b.get("input"), dict) else {}
                    if "file_path" in args:
                        args = {**args, "filePath": args["file_path"]}
                    state = {"status": "pending", "input": args}
                    tools[str(b.get("id"))] = state
                    part(current["id"], {"type": "tool", "callID": f"{b.get('id')}c{copy}",
                                         "tool": {"Read": "read", "Bash": "bash", "Edit": "edit", "Write": "write",
                                                  "Grep": "grep", "Glob": "glob", "Task": "task"}.get(name, name),
                                         "state": state})
    close()
    return messages, parts


def build_opencode(out: Path, target_mib: float) -> int:
    """An OpenCode store of about ``target_mib`` MiB made of the corpus' Claude Code sessions."""
    path = out / "opencode" / "opencode.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript(OPENCODE_SCHEMA.read_text(encoding="utf-8").split("-- rows", 1)[0])
    con.execute("INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES"
                " ('prj_bench', '/bench/project', 1, 1, '[]')")
    written = copy = 0
    sessions = [main for main, _ in claude_sessions()]
    while written < target_mib * MIB and sessions:
        for main in sessions:
            sid = f"ses_{uuid.uuid5(uuid.NAMESPACE_URL, f'{main.name}-{copy}').hex}"
            messages, parts = _opencode_rows(main.read_bytes().splitlines(), sid, copy)
            con.execute("INSERT INTO session (id, project_id, slug, directory, title, version, time_created,"
                        " time_updated) VALUES (?, 'prj_bench', ?, '/bench/project', ?, '1.14.2', 1, 1)",
                        (sid, sid[-8:], main.name[:40]))
            con.executemany("INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)",
                            [(*m[:4], json.dumps(m[4])) for m in messages])
            rows = [(*p[:5], json.dumps(p[5])) for p in parts]
            con.executemany("INSERT INTO part (id, message_id, session_id, time_created, time_updated, data)"
                            " VALUES (?, ?, ?, ?, ?, ?)", rows)
            written += sum(len(r[5]) for r in rows) + sum(len(json.dumps(m[4])) for m in messages)
            if written >= target_mib * MIB:
                break
        copy += 1
    con.commit()
    con.close()
    return path.stat().st_size


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


def build_live(out: Path, target_mib: float) -> Path:
    """One growing Claude Code session of ~target MiB for the statusline (``benchmarks/live.py``): the
    corpus' real sessions one after the other, largest first, each copy with fresh ids (a session of
    many tasks, not one replayed)."""
    sessions = sorted((m for m, _ in claude_sessions()), key=lambda p: -p.stat().st_size)
    path = out / "live" / "session.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    written = copy = 0
    with path.open("wb") as fh:
        while written < target_mib * MIB:
            for main in sessions:
                data = _rewrite(main.read_bytes(), copy, {})
                fh.write(data if data.endswith(b"\n") else data + b"\n")
                written += len(data)
                if written >= target_mib * MIB:
                    break
            copy += 1
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--claude-mib", type=float, default=200)
    parser.add_argument("--codex-mib", type=float, default=40)
    parser.add_argument("--big-mib", type=float, default=0)
    parser.add_argument("--opencode-mib", type=float, default=40)
    parser.add_argument("--live-mib", type=float, default=20, help="the statusline's session (0: none)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"shared corpus not found at {CORPUS}")
    args.out.mkdir(parents=True, exist_ok=True)
    claude = build_claude(args.out, args.claude_mib)
    codex = build_codex(args.out, args.codex_mib)
    print(f"claude tree: {claude / MIB:.1f} MiB, codex tree: {codex / MIB:.1f} MiB under {args.out}")
    if args.opencode_mib:
        opencode = build_opencode(args.out, args.opencode_mib)
        print(f"opencode store: {opencode / MIB:.1f} MiB at {args.out / 'opencode' / 'opencode.db'}")
    if args.live_mib:
        live = build_live(args.out, args.live_mib)
        print(f"live session: {os.path.getsize(live) / MIB:.1f} MiB at {live}")
    if args.big_mib:
        big = build_big(args.out, args.big_mib)
        print(f"single transcript: {os.path.getsize(big) / MIB:.1f} MiB at {big}")


if __name__ == "__main__":
    main()
