"""Build realistic Claude Code and Codex transcripts from a compact scenario, for rule case files.

    build({"agent": "claude-code", "steps": [
        {"prompt": "Fix the login bug"},
        {"read": "src/app.py", "tokens": 3100},
        {"bash": "grep -rn foo .", "tokens": 12000},
        {"bash": "pkill -f x", "output": "Exit code 144", "exact": True, "error": True, "tokens": 20},
        {"bash": "tail -20 dist/app.js", "tokens": 9000, "line_chars": 2000},   # minified output
        {"bash": "sed -n '1,80p' src/q.ts", "workdir": "/work/dash"},   # Codex: a call run in another directory
        {"edit": "src/app.py"}, {"write": "docs/plan.md", "tokens": 4000},   # a Write of 4,000 tokens of content
        {"requests": 5},          # plain assistant turns (each one API request)
        {"prompt": "Fix it", "reply": "API Error: Connection error"},   # the CLI's own error reply, no request
        {"prompt": "Fix it", "queued": True},   # typed while the agent worked: delivered right after its output
        {"rewind": 1},            # /rewind: the next prompt answers what the 1st prompt answered
        {"compact": True}, {"compact": True, "trigger": "manual"}, {"clear": True}, {"idle_minutes": 10},
        {"resume": True},         # the session is resumed: its history is copied back (a replay)
        {"new_chain": True},      # Claude Code: the next prompt starts a new chain (plan mode's clear context)
        {"microcompact": 2},      # Claude Code: the first 2 tool results so far are taken out of the context
        {"image": {"w": 1920, "h": 1080}}, {"paste": 15000}, {"model": "claude-opus-4-6"},
        {"machine": "observed_from_primary_session", "tokens": 12000},   # a prompt a program wrote
        {"tool": "WebFetch", "input": {"url": "..."}, "tokens": 20000},   # any other tool
        {"sidechain": [...steps]},   # Claude Code: inline isSidechain rows the main context never sees
        {"subagent": [...steps]},    # Claude Code: a Task call + <session>/subagents/agent-*.jsonl
    ]}) -> {"session.jsonl": "...", ...}

Claude Code output follows the real shape: one line per content block sharing message.id +
requestId and repeating the usage, progress and file-history-snapshot noise, tool_result rows with
toolUseResult, compact_boundary + isCompactSummary, /clear command rows. Usage is consistent with the
content: each request's context is the previous context plus the previous output plus what the tool
results added, with the new part written to cache and the rest read from it. Codex output has
session_meta, turn_context, function_call/function_call_output and token_count events with
last/total usage (input includes cached), plus compacted + context_compacted.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from datetime import datetime, timedelta
from typing import Any

CHARS_PER_TOKEN = 3.6


def _text(tokens: int, label: str = "line") -> str:
    unit = f"{label} lorem ipsum dolor sit amet consectetur adipiscing elit\n"
    n = max(1, int(tokens * CHARS_PER_TOKEN / len(unit)) + 1)
    return (unit * n)[: int(tokens * CHARS_PER_TOKEN)]


def _png(w: int, h: int) -> str:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    header += struct.pack(">I", zlib.crc32(header[12:29]))
    return base64.b64encode(header + b"\x00" * 64).decode()


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, 0)

    def tick(self, seconds: float = 5) -> str:
        self.now += timedelta(seconds=seconds)
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class ClaudeBuilder:
    def __init__(self, model: str = "claude-sonnet-4-6", startup: int = 15000) -> None:
        self.lines: list[str] = []
        self.clock = _Clock()
        self.model = model
        self.context = startup  # what the next request will send
        self.startup = startup
        self.pending = startup  # tokens added since the last request (to be cache-written)
        self.request = 0
        self.uid = 0
        self.call = 0
        self.parent: str | None = None
        self.sidechain = False  # inline sidechain rows (isSidechain: true) while a {sidechain: [...]} step runs
        self.files: dict[str, str] = {}  # subagent files: relative path -> text
        self.prompts: list[tuple[str | None, int]] = []  # (parent uuid, context) when each prompt was written
        self.call_ids: list[str] = []
        self.lines.append(json.dumps({"type": "file-history-snapshot", "messageId": "snap", "snapshot": {
            "messageId": "snap", "trackedFileBackups": {}, "timestamp": self.clock.tick(0)}, "isSnapshotUpdate": False}))

    def _rec(self, rec: dict[str, Any], sidechain: bool = False, seconds: float = 5) -> None:
        sidechain = sidechain or self.sidechain
        self.uid += 1
        uid = f"00000000-0000-4000-8000-{self.uid:012d}"
        base = {"parentUuid": self.parent, "isSidechain": sidechain, "userType": "external", "cwd": "/work/app",
                "sessionId": "11111111-2222-4333-8444-555555555555", "version": "2.1.90", "gitBranch": "main"}
        base.update(rec)
        base["uuid"] = uid
        base["timestamp"] = self.clock.tick(seconds)
        self.parent = uid
        self.lines.append(json.dumps(base, separators=(",", ":")))

    def _assistant(self, blocks: list[dict[str, Any]], output: int = 80) -> None:
        self.request += 1
        write = max(0, self.pending)
        read = max(0, self.context - write - 3)
        usage = {"input_tokens": 3, "cache_creation_input_tokens": write, "cache_read_input_tokens": read,
                 "cache_creation": {"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0},
                 "output_tokens": output, "service_tier": "standard"}
        for block in blocks:
            self._rec({"type": "assistant", "requestId": f"req_{self.request:05d}", "message": {
                "model": self.model, "id": f"msg_{self.request:05d}", "type": "message", "role": "assistant",
                "content": [block], "stop_reason": None, "usage": usage}})
        self.context += output
        self.pending = output

    def _progress(self) -> None:
        self._rec({"type": "progress", "data": {"type": "hook_progress", "hookEvent": "PostToolUse"}})

    def prompt(self, text: str, reply: str | None = None, queued: bool = False) -> None:
        tokens = max(1, int(len(text) / CHARS_PER_TOKEN))
        self.prompts.append((self.parent, self.context))
        self._rec({"type": "user", "message": {"role": "user", "content": text}}, seconds=0.01 if queued else 5)
        self.context += tokens
        self.pending += tokens
        if reply is None:
            self._assistant([{"type": "text", "text": "Looking into it."}])
        else:  # an error reply written by the CLI itself: no model answered, no usage
            self._rec({"type": "assistant", "isApiErrorMessage": True, "message": {
                "model": "<synthetic>", "id": f"err_{self.uid:05d}", "type": "message", "role": "assistant",
                "content": [{"type": "text", "text": reply}], "usage": {"input_tokens": 0, "output_tokens": 0,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}})

    def rewind(self, to_prompt: int) -> None:
        """/rewind (or an edited prompt): the next prompt answers what the ``to_prompt``-th prompt
        (1-based) answered, and the context is what it was then."""
        self.parent, self.context = self.prompts[to_prompt - 1]
        self.pending = 0

    def tool(self, name: str, tool_input: dict[str, Any], result: str, tokens: int, structured: Any = None,
             is_error: bool = False, extra_content: list[dict[str, Any]] | None = None) -> None:
        self.call += 1
        call_id = f"toolu_{self.call:04d}"
        self.call_ids.append(call_id)
        self._assistant([{"type": "text", "text": "Next step."},
                         {"type": "tool_use", "id": call_id, "name": name, "input": tool_input}])
        self._progress()
        content: Any = result if not extra_content else [{"type": "text", "text": result}, *extra_content]
        self._rec({"type": "user", "message": {"role": "user", "content": [
            {"tool_use_id": call_id, "type": "tool_result", "content": content, "is_error": is_error}]},
            "toolUseResult": structured if structured is not None else {"stdout": result[:200], "stderr": ""}})
        self.context += tokens
        self.pending += tokens

    def step(self, s: dict[str, Any]) -> None:
        if "prompt" in s:
            self.prompt(s["prompt"], s.get("reply"), bool(s.get("queued")))
        elif "rewind" in s:
            self.rewind(int(s["rewind"]))
        elif "paste" in s:
            self.prompt("Here is the log:\n" + _text(int(s["paste"]), "ERROR 2026-11-02 worker"))
        elif "machine" in s:  # a message a program wrote: one element of its tag, `tokens` in size
            tag = s["machine"]
            self.prompt(f"<{tag}>\n<what_happened>Read</what_happened>\n<output>"
                        f"{_text(int(s.get('tokens', 200)), 'observed')}</output>\n</{tag}>")
        elif "read" in s:
            tokens = int(s.get("tokens", 2000))
            path = s["read"] if s["read"].startswith("/") else f"/work/app/{s['read']}"
            inp: dict[str, Any] = {"file_path": path}
            offset, limit = s.get("offset"), s.get("limit")
            if offset:
                inp["offset"] = offset
            if limit:
                inp["limit"] = limit
            total = int(s.get("total_lines", 400))
            num = limit or total
            structured = {"type": "text", "file": {"filePath": path, "content": "…", "numLines": num,
                                                     "startLine": offset or 1, "totalLines": total}}
            if s.get("unchanged"):
                structured = {"type": "file_unchanged", "file": {"filePath": path}}
                self.tool("Read", inp, "Wasted call — file unchanged since your last Read.", 20, structured)
            else:
                self.tool("Read", inp, _text(tokens, path), tokens, structured)
        elif "bash" in s:
            tokens = int(s.get("tokens", 200))
            # exact: the output is `output` alone (still `tokens` in size), e.g. a bare "Exit code 144"
            out = str(s["output"]) if s.get("exact") else \
                (str(s["output"]) + "\n" if "output" in s else "") + _text(tokens, "out")
            if s.get("line_chars"):  # minified text: lines of about this many characters
                flat = out.replace("\n", " ")
                width = int(s["line_chars"])
                out = "\n".join(flat[i:i + width] for i in range(0, len(flat), width))
            self.tool("Bash", {"command": s["bash"]}, out, tokens, is_error=bool(s.get("error")))
        elif "edit" in s:
            path = s["edit"] if s["edit"].startswith("/") else f"/work/app/{s['edit']}"
            if s.get("error"):  # {edit: path, error: "<tool_use_error>String to replace not found…"}
                self.tool("Edit", {"file_path": path, "old_string": "a", "new_string": "b"}, str(s["error"]), 40,
                          is_error=True)
            else:
                self.tool("Edit", {"file_path": path, "old_string": "a", "new_string": "b"},
                          "The file has been updated.", 20, {"filePath": path, "oldString": "a", "newString": "b"})
        elif "write" in s:  # {write: path, tokens: N}: a Write of N tokens of content
            path = s["write"] if s["write"].startswith("/") else f"/work/app/{s['write']}"
            self.tool("Write", {"file_path": path, "content": _text(int(s.get("tokens", 200)), "doc")},
                      f"File created successfully at: {path}", 20)
        elif "tool" in s:  # any other tool: {tool: WebFetch, input: {...}, tokens: 20000}
            tokens = int(s.get("tokens", 200))
            out = str(s["output"]) if "output" in s else _text(tokens, "res")
            self.tool(str(s["tool"]), dict(s.get("input") or {}), out, tokens, is_error=bool(s.get("error")))
        elif "sidechain" in s:
            # an inline subagent run: its rows carry isSidechain and never change the main context
            saved = (self.context, self.pending)
            self.context = self.pending = self.startup
            self.sidechain = True
            for sub in s["sidechain"]:
                self.step(sub)
            self.sidechain = False
            self.context, self.pending = saved
        elif "subagent" in s:
            # a Task call whose run is written to <session>/subagents/agent-<n>.jsonl
            sub = ClaudeBuilder(self.model, startup=int(s.get("startup", 8000)))
            sub.sidechain = True
            sub.clock.now = self.clock.now
            for sub_step in s["subagent"]:
                sub.step(sub_step)
            name = f"11111111-2222-4333-8444-555555555555/subagents/agent-a{len(self.files) + 1:015x}.jsonl"
            self.files[name] = sub.text()
            self.tool("Task", {"description": "investigate", "prompt": "investigate", "subagent_type": "Explore"},
                      "Summary of findings.", 400)
        elif "task" in s:
            task: dict[str, Any] = {"description": s["task"], "prompt": s["task"]}
            if "subagent_type" in s:
                task["subagent_type"] = s["subagent_type"]
            self.tool("Task", task, str(s.get("output", "Summary of findings.")), int(s.get("tokens", 400)))
        elif "requests" in s:
            for _ in range(int(s["requests"])):
                self._assistant([{"type": "text", "text": "Working."}], output=int(s.get("output", 80)))
        elif "image" in s or "images" in s:  # {images: [{w, h}, ...]}: several images in one message
            sizes = [(int(i["w"]), int(i["h"])) for i in (s["images"] if "images" in s else [s["image"]])]
            tokens = sum(min(1568, -(-w // 28) * -(-h // 28)) for w, h in sizes)
            self._rec({"type": "user", "message": {"role": "user", "content": [
                {"type": "text", "text": "See this screenshot"},
                *({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": _png(w, h)}}
                  for w, h in sizes)]}})
            self.context += tokens + 5
            self.pending += tokens + 5
            self._assistant([{"type": "text", "text": "I see it."}])
        elif "compact" in s:
            pre = self.context
            self._rec({"type": "system", "subtype": "compact_boundary", "content": "Conversation compacted",
                       "level": "info", "compactMetadata": {"trigger": s.get("trigger", "auto"), "preTokens": pre}})
            self._rec({"type": "user", "isCompactSummary": True, "message": {"role": "user", "content":
                       "This session is being continued from a previous conversation that ran out of context."}})
            self.context = self.startup + int(s.get("summary_tokens", 3000))
            self.pending = self.context
        elif "clear" in s:
            self._rec({"type": "user", "message": {"role": "user", "content":
                       "<command-name>/clear</command-name>\n<command-message>clear</command-message>"}})
            self.context = self.startup
            self.pending = self.context
        elif "idle_minutes" in s:
            self.clock.tick(float(s["idle_minutes"]) * 60)
            self.pending = self.context  # the cache expired: everything is written again
        elif "resume" in s:
            self.resume()
        elif "new_chain" in s:
            self.parent = None
            self.context = self.pending = self.startup
        elif "microcompact" in s:
            ids = self.call_ids[: int(s["microcompact"])]
            self._rec({"type": "system", "subtype": "microcompact_boundary", "content": "Context microcompacted",
                       "level": "info", "microcompactMetadata": {"trigger": "auto", "preTokens": self.context,
                                                                 "tokensSaved": 1000, "compactedToolIds": ids}})
        elif "model" in s:
            self.model = s["model"]
            self.pending = self.context
        elif "fill" in s:
            # grow the context to an absolute size through one big tool result
            target = int(s["fill"])
            if target > self.context:
                self.tool("Bash", {"command": "cat notes.txt"}, _text(target - self.context, "note"),
                          target - self.context)
        else:
            raise ValueError(f"unknown step {s}")

    def resume(self) -> None:
        """Claude Code 2.0's resume: a title record, then every earlier user/assistant record copied back
        with a new uuid and one shared timestamp, the assistant copies without their requestId."""
        self.clock.tick(14 * 3600)
        shared = self.clock.tick(0)
        self.lines.append(json.dumps({"type": "summary", "summary": "Login bug", "leafUuid": self.parent}))
        for line in list(self.lines):
            rec = json.loads(line)
            if rec.get("type") not in ("user", "assistant") or rec.get("isSidechain"):
                continue
            rec.pop("requestId", None)
            self.uid += 1
            rec["uuid"] = f"00000000-0000-4000-8000-{self.uid:012d}"
            rec["timestamp"] = shared
            self.lines.append(json.dumps(rec, separators=(",", ":")))
        self.pending = self.context  # the cache expired while the session was closed

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class CodexBuilder:
    def __init__(self, model: str = "gpt-5.2-codex", startup: int = 9000) -> None:
        self.lines: list[str] = []
        self.clock = _Clock()
        self.model = model
        self.context = startup
        self.startup = startup
        self.total_in = self.total_cached = self.total_out = 0
        self.call = 0
        self.cold = False  # the next request reads nothing from the cache (after a long idle)
        self._rec("session_meta", {"id": "019a0000-0000-7000-8000-000000000001", "cwd": "/work/app",
                                   "originator": "codex_cli_rs", "cli_version": "0.104.0"})
        self._rec("turn_context", {"cwd": "/work/app", "model": model})

    def _rec(self, kind: str, payload: dict[str, Any], seconds: float = 5) -> None:
        self.lines.append(json.dumps({"timestamp": self.clock.tick(seconds), "type": kind, "payload": payload},
                                     separators=(",", ":")))

    def _request(self, output: int = 80, cached_share: float = 0.9) -> None:
        cached = 0 if self.cold else int(self.context * cached_share) // 128 * 128
        self.cold = False
        last = {"input_tokens": self.context, "cached_input_tokens": cached, "output_tokens": output,
                "reasoning_output_tokens": 0, "total_tokens": self.context + output}
        self.total_in += self.context
        self.total_cached += cached
        self.total_out += output
        total = {"input_tokens": self.total_in, "cached_input_tokens": self.total_cached,
                 "output_tokens": self.total_out, "reasoning_output_tokens": 0,
                 "total_tokens": self.total_in + self.total_out}
        self._rec("event_msg", {"type": "token_count", "info": {"total_token_usage": total, "last_token_usage": last,
                                                                "model_context_window": 258400}})
        self.context += output

    def step(self, s: dict[str, Any]) -> None:
        if "prompt" in s or "paste" in s:
            text = s.get("prompt") or "Here is the log:\n" + _text(int(s["paste"]), "ERROR worker")
            self._rec("response_item", {"type": "message", "role": "user",
                                        "content": [{"type": "input_text", "text": text}]},
                      seconds=0.01 if s.get("queued") else 5)
            self.context += max(1, int(len(text) / CHARS_PER_TOKEN))
            self._rec("response_item", {"type": "message", "role": "assistant",
                                        "content": [{"type": "output_text", "text": "On it."}]})
            self._request()
        elif "bash" in s or "read" in s:
            command = s.get("bash") or f"sed -n '1,400p' {s['read']}"
            if s.get("offset") and "read" in s:
                command = f"sed -n '{s['offset']},{s['offset'] + s.get('limit', 100) - 1}p' {s['read']}"
            tokens = int(s.get("tokens", 200))
            self.call += 1
            call_id = f"call_{self.call:04d}"
            self._rec("response_item", {"type": "function_call", "name": "exec_command", "call_id": call_id,
                                        "arguments": json.dumps({"cmd": command,
                                                                 "workdir": s.get("workdir", "/work/app")})})
            code = 1 if s.get("error") else 0
            body = str(s.get("output", "")) if s.get("exact") else f"{s.get('output', '')}{_text(tokens, 'out')}"
            self._rec("response_item", {"type": "function_call_output", "call_id": call_id, "output":
                                        f"Command: /bin/bash -lc '{command}'\nProcess exited with code {code}\n"
                                        f"Output:\n{body}"})
            self.context += tokens
            self._request()
        elif "edit" in s:
            self.call += 1
            patch = f"*** Begin Patch\n*** Update File: {s['edit']}\n@@\n-a\n+b\n*** End Patch"
            self._rec("response_item", {"type": "custom_tool_call", "name": "apply_patch",
                                        "call_id": f"call_{self.call:04d}", "input": patch})
            self._rec("response_item", {"type": "custom_tool_call_output", "call_id": f"call_{self.call:04d}",
                                        "output": "Success. Updated the following files:\nM " + s["edit"]})
            self.context += 30
            self._request()
        elif "requests" in s:
            for _ in range(int(s["requests"])):
                self._rec("response_item", {"type": "message", "role": "assistant",
                                            "content": [{"type": "output_text", "text": "Working."}]})
                self._request(output=int(s.get("output", 80)))
        elif "compact" in s:
            self._rec("compacted", {"message": "summary", "replacement_history": []})
            self._rec("event_msg", {"type": "context_compacted"})
            self.context = self.startup + int(s.get("summary_tokens", 3000))
        elif "fill" in s:
            target = int(s["fill"])
            if target > self.context:
                self.step({"bash": "cat notes.txt", "tokens": target - self.context})
        elif "idle_minutes" in s:
            self.clock.tick(float(s["idle_minutes"]) * 60)
            self.cold = float(s["idle_minutes"]) >= 10  # the provider's cache expired: nothing is read from it
        elif "model" in s:
            self.model = s["model"]
            self._rec("turn_context", {"cwd": "/work/app", "model": self.model})
        elif "clear" in s:
            pass  # Codex has no /clear inside one rollout: /new starts a new file
        elif "resume" in s:
            self.resume()
        else:
            raise ValueError(f"unknown step {s}")

    def resume(self) -> None:
        """Codex 0.3x's resume: a new rollout with its own session_meta, then the resumed session's
        session_meta and history copied in one burst; the new session counts its tokens from zero."""
        old = self.lines
        self.clock.tick(3600)
        self.lines = []
        self._rec("session_meta", {"id": "019a0000-0000-7000-8000-000000000002", "cwd": "/work/app",
                                   "originator": "codex_cli_rs", "cli_version": "0.36.0"})
        burst = self.clock.now
        for i, line in enumerate(old):
            rec = json.loads(line)
            rec["timestamp"] = (burst + timedelta(milliseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            self.lines.append(json.dumps(rec, separators=(",", ":")))
        self.clock.tick(30)  # the user types the next prompt
        self.total_in = self.total_cached = self.total_out = 0

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def build(scenario: dict[str, Any]) -> dict[str, str]:
    agent = scenario.get("agent", "claude-code")
    builder: ClaudeBuilder | CodexBuilder
    if agent == "claude-code":
        builder = ClaudeBuilder(scenario.get("model", "claude-sonnet-4-6"), int(scenario.get("startup", 15000)))
        name = "session.jsonl"
    elif agent == "codex":
        builder = CodexBuilder(scenario.get("model", "gpt-5.2-codex"), int(scenario.get("startup", 9000)))
        name = "rollout-2026-11-02T09-00-00-019a0000-0000-7000-8000-000000000001.jsonl"
    else:
        raise ValueError(f"unknown agent {agent}")
    for step in scenario.get("steps", []):
        builder.step(step)
    files = {scenario.get("file", name): builder.text()}
    if isinstance(builder, ClaudeBuilder):
        files.update(builder.files)
    return files
