"""Writes examples/session.jsonl: a short, realistic Claude Code session written for ctxlint.

The scenario (a developer fixing a double-charge bug in the example billing service) contains the
habits ctxlint looks for: a file read twice with no edit in between, an unscoped recursive grep, a
verbose test run, a lockfile read, and a re-asked prompt. The records have the shape Claude Code
2.1 writes (one line per content block sharing message.id + requestId and repeating the usage,
progress noise, a file-history snapshot), and the usage grows by what each tool result added.

    python examples/make_session.py   # regenerates examples/session.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path

SESSION = "5d3c9a1e-7b42-4c1e-9a0f-2e6b8d4c1a77"
CWD = "/home/dev/acme-billing"
MODEL = "claude-sonnet-4-6"


class Session:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.context = 18_400  # system prompt, tools and CLAUDE.md before the first prompt
        self.request = 0
        self.minute = 0
        self.second = 0
        self.parent: str | None = None
        self.uid = 0

    def _ts(self) -> str:
        self.second += 7
        self.minute += self.second // 60
        self.second %= 60
        return f"2026-11-18T09:{self.minute:02d}:{self.second:02d}.000Z"

    def _uuid(self) -> str:
        self.uid += 1
        return f"00000000-0000-4000-8000-{self.uid:012d}"

    def _record(self, record: dict[str, object]) -> None:
        uid = self._uuid()
        base = {"parentUuid": self.parent, "isSidechain": False, "userType": "external", "cwd": CWD,
                "sessionId": SESSION, "version": "2.1.90", "gitBranch": "fix/double-charge"}
        base.update(record)
        base["uuid"] = uid
        base["timestamp"] = self._ts()
        self.parent = uid
        self.lines.append(json.dumps(base, separators=(",", ":")))

    def progress(self) -> None:
        self._record({"type": "progress", "data": {"type": "hook_progress", "hookEvent": "PostToolUse"}})

    def prompt(self, text: str, tokens: int) -> None:
        self.context += tokens
        self._record({"type": "user", "message": {"role": "user", "content": text}})

    def assistant(self, blocks: list[dict[str, object]], output_tokens: int, added: int = 0) -> None:
        """One API request: every block on its own line, each repeating the same usage."""
        self.request += 1
        fresh = 3
        cache_write = max(added, 0) + output_tokens // 2
        cache_read = self.context - cache_write - fresh
        usage = {"input_tokens": fresh, "cache_creation_input_tokens": cache_write,
                 "cache_read_input_tokens": cache_read,
                 "cache_creation": {"ephemeral_5m_input_tokens": cache_write, "ephemeral_1h_input_tokens": 0},
                 "output_tokens": output_tokens, "service_tier": "standard"}
        msg_id = f"msg_01Example{self.request:04d}"
        req_id = f"req_01Example{self.request:04d}"
        for block in blocks:
            self._record({"type": "assistant", "requestId": req_id, "message": {
                "model": MODEL, "id": msg_id, "type": "message", "role": "assistant", "content": [block],
                "stop_reason": "tool_use" if block["type"] == "tool_use" else None, "stop_sequence": None,
                "usage": usage}})
        self.context += output_tokens

    def tool(self, call_id: str, name: str, tool_input: dict[str, object], result: str, tokens: int,
             structured: dict[str, object] | None = None, is_error: bool = False, thought: str = "") -> None:
        blocks: list[dict[str, object]] = []
        if thought:
            blocks.append({"type": "text", "text": thought})
        blocks.append({"type": "tool_use", "id": call_id, "name": name, "input": tool_input})
        self.assistant(blocks, output_tokens=60 + len(thought) // 4, added=0)
        self.progress()
        self._record({"type": "user", "message": {"role": "user", "content": [
            {"tool_use_id": call_id, "type": "tool_result", "content": result, "is_error": is_error}]},
            "toolUseResult": structured or {"stdout": result, "stderr": "", "interrupted": False}})
        self.context += tokens


def filler(label: str, tokens: int) -> str:
    """Text of about ``tokens`` tokens (≈ 3.6 chars each) that looks like what the tool printed."""
    line = f"{label}: " + "lorem ipsum dolor sit amet consectetur " * 2
    out, size = [], 0
    i = 0
    while size < tokens * 3.6:
        i += 1
        text = f"{i:5d}  {line}"
        out.append(text)
        size += len(text) + 1
    return "\n".join(out)


def main() -> None:
    s = Session()
    s.lines.append(json.dumps({"type": "file-history-snapshot", "messageId": "snap-1", "snapshot": {
        "messageId": "snap-1", "trackedFileBackups": {}, "timestamp": "2026-11-18T09:00:00.000Z"},
        "isSnapshotUpdate": False}, separators=(",", ":")))
    s.prompt("Customers are being charged twice when a payment retries. Find out why and fix it.", 30)
    s.tool("toolu_01", "Read", {"file_path": f"{CWD}/app/api/payments.py"}, filler("payments.py", 3100), 3100,
           {"type": "text", "file": {"filePath": f"{CWD}/app/api/payments.py", "numLines": 412, "startLine": 1,
                                     "totalLines": 412}}, thought="Let me look at the payments API first.")
    s.tool("toolu_02", "Bash", {"command": "grep -rn idempotency ."}, filler("./node_modules/x.js", 14_500),
           14_500, thought="Searching for idempotency handling across the repository.")
    s.tool("toolu_03", "Read", {"file_path": f"{CWD}/app/services/stripe_client.py"},
           filler("stripe_client.py", 2200), 2200,
           {"type": "text", "file": {"filePath": f"{CWD}/app/services/stripe_client.py", "numLines": 280,
                                     "startLine": 1, "totalLines": 280}})
    s.tool("toolu_04", "Read", {"file_path": f"{CWD}/dashboard/package-lock.json"},
           filler("package-lock.json", 26_000), 26_000,
           {"type": "text", "file": {"filePath": f"{CWD}/dashboard/package-lock.json", "numLines": 9100,
                                     "startLine": 1, "totalLines": 9100}},
           thought="Checking which Stripe SDK version the dashboard pins.")
    s.tool("toolu_05", "Read", {"file_path": f"{CWD}/app/api/payments.py"}, filler("payments.py", 3100), 3100,
           {"type": "text", "file": {"filePath": f"{CWD}/app/api/payments.py", "numLines": 412, "startLine": 1,
                                     "totalLines": 412}}, thought="Back to the retry path in payments.py.")
    s.assistant([{"type": "text", "text": "The retry task calls create_payment_intent without an idempotency "
                  "key, so each Celery retry creates a new PaymentIntent."}], output_tokens=180)
    s.prompt("Why are customers charged twice? Find out why and fix it please.", 20)
    s.tool("toolu_06", "Bash", {"command": "pytest -v"}, filler("tests/test_payments.py::test_case PASSED",
           11_800), 11_800, thought="Running the test suite to see the current state.")
    s.tool("toolu_07", "Edit", {"file_path": f"{CWD}/app/api/payments.py", "old_string": "create_payment_intent(",
           "new_string": "create_payment_intent(idempotency_key=key, "}, "The file has been updated.", 40,
           {"filePath": f"{CWD}/app/api/payments.py", "oldString": "create_payment_intent(",
            "newString": "create_payment_intent(idempotency_key=key, "})
    s.tool("toolu_08", "Bash", {"command": "pytest -q tests/test_payments.py"}, "12 passed in 1.42s", 20)
    s.assistant([{"type": "text", "text": "Fixed: retries now reuse one idempotency key per invoice attempt. "
                  "All payment tests pass."}], output_tokens=120)
    out = Path(__file__).with_name("session.jsonl")
    out.write_text("\n".join(s.lines) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(s.lines)} lines, {s.request} requests)")


if __name__ == "__main__":
    main()
