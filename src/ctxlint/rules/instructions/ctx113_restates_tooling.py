"""restates-tooling: style rules a formatter/linter in the repository already enforces.

Only a line that states the *same* value the configured tool enforces for that language restates it
(a different value is a contradiction: contradictory-directives reports it). An operational pitfall is not a restatement: a line
that says where the setting differs ("100 here, not 120"), what breaks ("fails CI") or which command
to run (`make format`) tells the agent something the config cannot; nor is a pointer that only says
which tool owns the style ("oxfmt determines quoting"). A line that cites a rule id configured in a
lint config (`plugin/no-important`) says itself that the tool enforces it, and a line about TypeScript
that states a compiler option the repository's tsconfig.json sets ("Strict mode enabled", "Target:
ES2020") restates what the compiler enforces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.secrets import clip
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment
from ctxlint.rules.instructions.tooling import (
    CompilerOption,
    compiler_options,
    formatter_facts,
    language_of,
    lint_rule_names,
    nearest_dir,
    setting_for,
    stated,
    states_option,
)
from ctxlint.rules.registry import RuleContext, detector

NAMES = {"quotes": "quotes", "indent": "indentation", "semicolons": "semicolons", "line_length": "line length"}
SPAN = re.compile(r"`([^`\n]+)`")


def _value(setting: str, value: str) -> str:
    if setting == "indent":
        return "tabs" if value == "tabs" else f"{value}-space indentation"
    if setting == "quotes":
        return f"{value} quotes"
    if setting == "semicolons":
        return "semicolons" if value == "always" else "no semicolons"
    return f"line length {value}"


def _restated_option(raw: str, heading: str, options: tuple[CompilerOption, ...], switched_on: str,
                     typescript: re.Pattern[str]) -> CompilerOption | None:
    """The compiler option a line about TypeScript restates, if it says nothing else the config cannot:
    not an aside ("TypeScript 5.3 (strict mode)", "TypeScript with strict mode" name the language), not
    a lead-in to an example ("Always use strict TypeScript:"), no code span beyond the setting itself
    ("strict mode — no implicit `any`" adds a rule of its own)."""
    stripped = raw.strip()
    if stripped.rstrip("*_ ").endswith(":") or not (typescript.search(raw) or typescript.search(heading)):
        return None
    found = [(o, m) for o in options if (m := states_option(raw, o, switched_on))]
    if not found:
        return None
    option, match = found[0]
    before = raw[: match.start()]
    if before.count("(") > before.count(")") or re.search(r"(?i)\bwith\s+$", before):
        return None
    if any(not any(states_option(span, o, switched_on) for o in options) and "tsconfig" not in span
           for span in SPAN.findall(raw)):
        return None
    return option


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    facts = formatter_facts(project.root, nearest_dir(project.root, file.source.real))
    rules = lint_rule_names(project.root)
    options = compiler_options(project.root, nearest_dir(project.root, file.source.real))
    if not facts and not rules and not options:
        return
    pitfall = re.compile(ctx.data["pitfall"])
    pointer = re.compile(ctx.data["pointer"])
    typescript = re.compile(ctx.data["typescript"])
    for n, raw in enumerate(file.doc.lines, start=1):
        stripped = raw.strip()
        if not stripped or in_code_or_comment(file, n) or stripped.startswith(("#", "|")):
            continue
        cited = [s for s in SPAN.findall(raw) if s in rules]
        if cited:
            yield RawFinding(
                line=n,
                message=f"\"{clip(stripped, 70)}\" describes `{cited[0]}`, a rule the repository's lint config already enforces",
                fix=fix("lint-rule", line=n),
                tokens_wasted=count_text(raw) if file.always_loaded_by else 0,
                content_key=f"rule:{stripped}",
            )
            continue
        section = file.doc.section_at(n)
        heading = section.heading if section else ""
        option = _restated_option(raw, heading, options, ctx.data["switched_on"], typescript)
        if option is not None and not pitfall.search(raw) and not pointer.search(raw):
            shown = str(option.value).lower() if isinstance(option.value, bool) else option.value
            yield RawFinding(
                line=n,
                message=(f"\"{clip(stripped, 70)}\" restates what `{option.source}` already sets "
                         f"(`{option.name}: {shown}`), which the compiler enforces"),
                fix=fix("compiler-option", line=n, source=option.source),
                tokens_wasted=count_text(raw) if file.always_loaded_by else 0,
                content_key=f"tsconfig:{stripped}",
            )
            continue
        statements = stated(raw)
        # a span that is itself a style value (`single quotes`, `line width 100`) is emphasis, not a command
        plain = SPAN.sub(lambda m: m.group(1) if stated(m.group(1)) else m.group(0), raw)
        if not statements or pitfall.search(plain) or pointer.search(raw):
            continue
        for setting, value, clause in statements:
            language = language_of(clause) or language_of(raw, formats=False) or language_of(heading)
            enforced = setting_for(facts, setting, language)
            if enforced is None or enforced.value != value:
                continue  # unknown, or a contradiction (CTX110's business)
            yield RawFinding(
                line=n,
                message=(f"style rule \"{clip(stripped, 70)}\" restates what {enforced.source} already enforces "
                         f"({_value(setting, value)})"),
                fix=fix("let-the-formatter", line=n),
                tokens_wasted=count_text(raw) if file.always_loaded_by else 0,
                content_key=raw.strip(),
            )
            break
