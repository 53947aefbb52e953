"""What each agent's session store records, as data: the readers set it on every Transcript, the
transcript rules declare in their YAML (``requires``) what they need, and a rule whose needs an agent
does not record is skipped for that agent's sessions instead of guessing (``applicable``).

The vocabulary is closed (``RECORDS``): a rule's YAML naming anything else is an error. What an
agent records is declared here once per agent, from its page in docs/agents/; a reader narrows or
widens it for one session only where the data itself says so (Copilot CLI's usage rows in
``session-store.db``, Kilo's OpenCode-shaped ``kilo.db``). The table "which rules apply to which
agent" (``ctxlint rules``, docs/rules/README.md) is computed from the same declarations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# What a session store can record, and what a rule can require.
RECORDS: dict[str, str] = {
    "request-usage": "input and output tokens of every API request (the context each request sent)",
    "cache-split": "cache writes and cache reads of every request",
    "tool-io": "tool calls with their inputs, and the results the model saw",
    "prompts": "the user's own prompts",
    "compactions": "where the context was compacted or summarised",
    "timestamps": "when each request was made",
    "context-window": "the context window the session ran with (declared, or known from its model)",
}


@dataclass(frozen=True, slots=True)
class AgentRecords:
    """One agent's session store: what it records always, and what only under a condition."""

    name: str  # the agent as sessions, `--agent` and reports name it
    title: str
    records: frozenset[str]
    conditional: dict[str, str] = field(default_factory=dict)  # record -> when it is there

    @property
    def estimated(self) -> bool:
        """Sizes come from the stored text only (no usage per request to measure them against)."""
        return "request-usage" not in self.records


def _agent(name: str, title: str, records: Iterable[str], conditional: dict[str, str] | None = None) -> AgentRecords:
    return AgentRecords(name, title, frozenset(records), conditional or {})


ALL = tuple(RECORDS)
AGENTS: dict[str, AgentRecords] = {a.name: a for a in (
    _agent("claude-code", "Claude Code", ALL),
    _agent("codex", "Codex CLI", set(ALL) - {"cache-split"}),
    # Gemini CLI writes no compaction record: the reader infers one from a drop of the context.
    _agent("gemini", "Gemini CLI", set(ALL) - {"cache-split"}),
    _agent("aider", "Aider", {"request-usage", "prompts", "context-window"}),
    _agent("opencode", "OpenCode", ALL),
    _agent("copilot-cli", "Copilot CLI", set(ALL) - {"request-usage", "cache-split"},
           {"request-usage": "with its session-store.db", "cache-split": "with its session-store.db"}),
    _agent("cursor", "Cursor", {"tool-io", "prompts"}),
    _agent("amp", "Amp", set(ALL) - {"compactions"}),
    _agent("qwen-code", "Qwen Code", set(ALL) - {"cache-split"}),
    _agent("cline", "Cline", ALL),
    _agent("roo-code", "Roo Code", set(ALL) - {"context-window"}),
    _agent("kilo", "Kilo Code", set(ALL) - {"context-window"}, {"context-window": "in kilo.db (the OpenCode-shaped store)"}),
    _agent("crush", "Crush", {"tool-io", "prompts", "compactions", "timestamps", "context-window"}),
    # Goose keeps accumulated session counts only: session-level facts, no per-request usage.
    _agent("goose", "Goose", {"tool-io", "prompts", "compactions", "timestamps", "context-window"}),
    _agent("generic", "OpenAI-style messages", {"request-usage", "tool-io", "prompts", "context-window"}),
)}


def records_of(agent: str) -> frozenset[str]:
    """What ``agent``'s store records; everything for an agent ctxlint does not know (nothing is skipped)."""
    known = AGENTS.get(agent)
    return known.records if known is not None else frozenset(RECORDS)


def applicable(requires: Iterable[str], records: Iterable[str]) -> bool:
    return set(requires) <= set(records)


def missing(requires: Iterable[str], records: Iterable[str]) -> list[str]:
    """What a rule requires that the session does not record, in vocabulary order."""
    have = set(records)
    return [r for r in RECORDS if r in set(requires) and r not in have]


def applicability(requires: Iterable[str], agent: AgentRecords) -> str:
    """One cell of the rule/agent table: ``yes``, ``estimated`` (sizes from text only), ``if <condition>``,
    or ``no``."""
    needed = set(requires)
    if needed <= agent.records:
        # Rules that size content (tool results, prompts, images) size it from text alone there.
        sizes_content = bool(needed & {"tool-io", "prompts"}) or not needed
        return "estimated" if agent.estimated and sizes_content else "yes"
    lacking = needed - agent.records
    if lacking <= set(agent.conditional):
        return "if " + " and ".join(sorted({agent.conditional[r] for r in lacking}))
    return "no"


def applicability_matrix(rules: list[tuple[str, tuple[str, ...]]]) -> dict[str, dict[str, str]]:
    """agent -> rule id -> ``applicability`` cell, for every agent with a reader and every given
    ``(rule id, requires)``: the table "which rules apply to which agent" of ``ctxlint rules`` and
    docs/rules/README.md."""
    return {name: {rule_id: applicability(requires, agent) for rule_id, requires in rules}
            for name, agent in AGENTS.items()}
