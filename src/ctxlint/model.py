"""The typed data that flows between the pipeline stages.

discover -> Source -> (parse) -> Document | Transcript -> rules -> Finding -> engine -> reporters.

Everything here is plain, frozen (or slotted) data with no I/O, so it pickles across processes
and can be reduced by a simple merge (see ``ctxlint.core.audit.audit_file``).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= fail_on`` works."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or info)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Basis(enum.StrEnum):
    """How certain a finding's waste is (every finding has one; a rule's YAML names its default).

    ``measured``: tokens that were sent and were certainly avoidable (a duplicate read, a dump, a
    repeated paste, output above a sane budget, a duplicated instruction).
    ``modelled``: what a different habit would have saved (compacting earlier, /clear between tasks,
    a smaller start-up context): the tokens were sent, but the saving is a counterfactual.
    ``estimated``: the agent records no usage, so the sizes are estimates from the text; such a
    finding is never priced.
    """

    MEASURED = "measured"
    MODELLED = "modelled"
    ESTIMATED = "estimated"


class SourceKind(enum.StrEnum):
    INSTRUCTIONS = "instructions"
    TRANSCRIPT = "transcript"
    CONFIG = "config"


@dataclass(frozen=True, slots=True)
class Source:
    """One input file, after discovery. ``path`` is what the user sees; ``real`` is the resolved file."""

    path: str
    real: str
    kind: SourceKind
    agent: str | None = None
    size: int = 0
    aliases: tuple[str, ...] = ()  # other paths (symlinks) that reach the same file


@dataclass(frozen=True, slots=True)
class Claim:
    """A piece of waste a finding claims, so the engine can attribute each token to one finding.

    ``key`` names the underlying item (e.g. ``item:412`` for the tool result at line 412); two
    findings that claim the same key compete for it and the more specific rule keeps it.
    Transcript claims also say which requests carry the waste: ``per_request`` tokens on each request
    ``r0 <= i < r1``, above ``floor`` tokens of that request's context. The attribution ledger never
    lets the claims on one request exceed what that request actually sent.
    """

    key: str
    tokens: int
    cost_usd: float | None = None
    r0: int = -1
    r1: int = -1
    per_request: int = 0
    floor: int = 0


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace lines ``start_line..end_line`` (1-based, inclusive) with ``replacement``.

    An empty replacement deletes the lines. ``unsafe`` edits are applied only with --unsafe-fixes.
    """

    start_line: int
    end_line: int
    replacement: str
    unsafe: bool = False


@dataclass(frozen=True, slots=True)
class Fix:
    """A concrete fix, written by the engine from the rule's YAML ``fixes`` templates: the named
    templates, in order, joined and filled with ``args`` (``str.format`` fields)."""

    templates: tuple[str, ...]
    args: dict[str, Any] = field(default_factory=dict)


def fix(*templates: str, **args: Any) -> Fix:
    """``Fix(templates, args)``: the way detectors name their fix."""
    return Fix(templates, args)


@dataclass(frozen=True, slots=True)
class RawFinding:
    """What a detector yields: facts, no id, no severity, no fix text. The engine stamps the rule's
    identity and writes the fix from the rule's templates."""

    line: int
    message: str
    end_line: int | None = None
    fix: Fix | None = None
    tokens_wasted: int = 0
    cost_wasted_usd: float | None = None
    severity: Severity | None = None  # a rule may escalate (e.g. CTX101 chars limit -> error)
    path: str | None = None  # defaults to the file being checked
    content_key: str | None = None  # stable text for the fingerprint (defaults to the message)
    claims: tuple[Claim, ...] = ()
    edits: tuple[TextEdit, ...] = ()
    column: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    basis: Basis | None = None  # a sub-check whose waste is certain where its rule's is modelled (or back)


@dataclass(frozen=True, slots=True)
class Finding:
    """A stamped finding as reporters show it: rule, severity, place, message, fix, waste, fingerprint."""

    rule_id: str
    rule_name: str
    severity: Severity
    path: str
    line: int
    end_line: int
    message: str
    fix: str | None
    tokens_wasted: int
    cost_wasted_usd: float | None
    fingerprint: str
    kind: str = "instructions"
    column: int | None = None
    edits: tuple[TextEdit, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    basis: Basis = Basis.MEASURED

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.rule_id)


def fingerprint(rule_id: str, path: str, content: str) -> str:
    """Stable across line moves: rule + path + the finding's own content, never the line number."""
    digest = hashlib.sha256(f"{rule_id}\0{path}\0{content}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class FixTarget:
    """What ``--fix`` needs to edit an instruction file: the repository root the file must lie inside
    (its real path, every link resolved), and the SHA-256 of the bytes its findings were computed on
    (the file is rewritten only if it still holds exactly those bytes)."""

    root: str
    digest: str


@dataclass(slots=True)
class FileResult:
    """Everything the report says about one checked file. Plain data: picklable and mergeable."""

    path: str
    kind: str
    agent: str | None
    tokens: int | None = None
    token_counter: str | None = None
    session: dict[str, Any] | None = None
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Transcripts: context fill per main-thread request, for charts (see api.context_timeline)
    timeline: dict[str, Any] | None = None
    fix_target: FixTarget | None = None  # instruction files --fix may edit (never in reports)


@dataclass(slots=True)
class Summary:
    """Totals of a run: files, findings by severity and rule, tokens and dollars wasted."""

    files: int = 0
    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, int] = field(default_factory=dict)
    tokens_wasted: int = 0  # transcripts: avoidable tokens actually sent (attributed once)
    cost_wasted_usd: float | None = None
    # per agent: instruction tokens the findings remove from every request (never above startup_tokens)
    instruction_tokens_per_request: dict[str, int] = field(default_factory=dict)
    # per agent: tokens every request pays for instruction files before the user types anything
    startup_tokens: dict[str, int] = field(default_factory=dict)
    input_tokens: int = 0  # all input tokens of the checked transcripts (waste never exceeds it)
    cost_usd: float | None = None  # API-equivalent spend of the checked transcripts
    # tokens_wasted, cost_wasted_usd and instruction_tokens_per_request split by basis (Basis values)
    by_basis: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    """The whole result of a run: what every reporter renders, and nothing reporter-specific."""

    ctxlint_version: str
    files: list[FileResult]
    findings: list[Finding]
    summary: Summary
    root: str  # directory paths are relative to (SARIF %SRCROOT%)
    load_graph: dict[str, Any] | None = None
    load_graph_text: str | None = None
    price_table: str | None = None
    token_counter: str | None = None
    baseline_suppressed: int = 0
    schema_version: int = 2
