"""What the repository's formatters and linters enforce, and what an instruction line says about style.

CTX113 reports a style line that says what a configured formatter already enforces (the same value);
CTX110 reports one that says the opposite (single quotes where the formatter writes double). Both
need the same two facts: the formatter's setting for the line's language, read from the config file
nearest to the instruction file (the tool's default when the config is silent), and the setting the
line states. Settings: ``quotes`` (single|double), ``indent`` (tabs|2|4…), ``semicolons``
(always|never), ``line_length`` (a number).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ctxlint.instructions.repository import repo_index

LANGUAGES = {
    "python": re.compile(r"(?i)\b(?:python|py|pep ?8|django|flask|fastapi|pytest)\b"),
    "js": re.compile(r"(?i)\b(?:typescript|javascript|ts|js|tsx|jsx|react|node(?:\.js)?|next\.js|vue|svelte)\b"),
    "go": re.compile(r"(?i)\b(?:go|golang)\b"),
    "rust": re.compile(r"(?i)\brust\b"),
}
OTHER_FORMATS = re.compile(r"(?i)\b(?:json|ya?ml|markdown|md|css|scss|html|xml|toml|sql|shell|bash)\b")


@dataclass(frozen=True, slots=True)
class Setting:
    """One enforced style setting: its value, the language it covers and the file that sets it."""

    value: str
    language: str
    source: str  # display name: "pyproject.toml [tool.ruff]", "biome.json", "ruff (default)"


Facts = dict[tuple[str, str], Setting]  # (setting, language) -> what the tool enforces


def _read(path: Path) -> str | None:
    try:
        if path.is_file() and path.stat().st_size < 512 * 1024:
            return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return None


JSONC_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.S)


def _json(text: str) -> dict[str, Any] | None:
    # jsonc: comments go, strings stay whole ("@/*": ["./src/*"] holds no comment)
    stripped = JSONC_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    stripped = re.sub(r",(\s*[}\]])", r"\1", stripped)  # trailing commas
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _ruff(facts: Facts, conf: dict[str, Any], source: str) -> None:
    # Without a [format] table ruff may only lint: its formatter defaults are not known to be in use.
    fmt = conf.get("format") if isinstance(conf.get("format"), dict) else None
    if "line-length" in conf or fmt is not None:
        facts.setdefault(("line_length", "python"), Setting(str(conf.get("line-length", 88)), "python", source))
    if fmt is not None:
        facts.setdefault(("quotes", "python"), Setting(str(fmt.get("quote-style", "double")), "python", source))
        style = fmt.get("indent-style", "space")
        width = conf.get("indent-width", 4)
        facts.setdefault(("indent", "python"), Setting("tabs" if style == "tab" else str(width), "python", source))
    lint: dict[str, Any] = conf["lint"] if isinstance(conf.get("lint"), dict) else conf
    selected = [*(lint.get("select") or []), *(lint.get("extend-select") or [])]
    if any(str(s) in ("I", "ALL") or str(s).startswith("I0") for s in selected):
        facts.setdefault(("imports", "python"), Setting("sorted", "python", source))


def _python(facts: Facts, directory: Path, root: Path) -> None:
    for name in ("ruff.toml", ".ruff.toml"):
        text = _read(directory / name)
        if text is not None:
            with contextlib.suppress(tomllib.TOMLDecodeError, ValueError):
                _ruff(facts, tomllib.loads(text), name if directory == root else str((directory / name).relative_to(root)))
    text = _read(directory / "pyproject.toml")
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    where = "pyproject.toml" if directory == root else str((directory / "pyproject.toml").relative_to(root))
    tool: dict[str, Any] = data["tool"] if isinstance(data.get("tool"), dict) else {}
    if isinstance(tool.get("ruff"), dict):
        _ruff(facts, tool["ruff"], f"{where} [tool.ruff]")
    if isinstance(tool.get("black"), dict):
        source = f"{where} [tool.black]"
        facts.setdefault(("line_length", "python"), Setting(str(tool["black"].get("line-length", 88)), "python", source))
        facts.setdefault(("quotes", "python"), Setting("double", "python", source))
        facts.setdefault(("indent", "python"), Setting("4", "python", source))
    if isinstance(tool.get("isort"), dict):
        facts.setdefault(("imports", "python"), Setting("sorted", "python", f"{where} [tool.isort]"))


def _prettier_conf(directory: Path) -> tuple[dict[str, Any], str] | None:
    for name in (".prettierrc", ".prettierrc.json", ".prettierrc.json5", ".prettierrc.yaml", ".prettierrc.yml"):
        text = _read(directory / name)
        if text is None:
            continue
        data = _json(text)
        if data is None:
            try:
                loaded = yaml.safe_load(text)
            except yaml.YAMLError:
                loaded = None
            data = loaded if isinstance(loaded, dict) else {}
        return data, name
    for name in ("prettier.config.js", "prettier.config.mjs", "prettier.config.cjs", ".prettierrc.js", ".prettierrc.cjs",
                 ".prettierrc.mjs", "prettier.config.ts"):
        text = _read(directory / name)
        if text is None:
            continue
        data = {}  # a JS config: read the plain `key: value` pairs
        for key, value in re.findall(r"\b(singleQuote|semi|tabWidth|useTabs|printWidth)\s*:\s*(true|false|\d+)", text):
            data[key] = value == "true" if value in ("true", "false") else int(value)
        return data, name
    text = _read(directory / "package.json")
    if text is not None:
        data = _json(text) or {}
        if isinstance(data.get("prettier"), dict):
            return data["prettier"], "package.json \"prettier\""
    return None


def _js(facts: Facts, directory: Path, root: Path) -> None:
    def shown(name: str) -> str:
        return name if directory == root else str((directory / name.split(" ")[0]).relative_to(root)) + \
            name[len(name.split(" ")[0]):]

    for name in ("biome.json", "biome.jsonc"):
        text = _read(directory / name)
        if text is None:
            continue
        data = _json(text) or {}
        if _get(data, "formatter", "enabled") is False:
            continue
        src = shown(name)
        style = _get(data, "javascript", "formatter", "indentStyle") or _get(data, "formatter", "indentStyle") or "tab"
        width = _get(data, "javascript", "formatter", "indentWidth") or _get(data, "formatter", "indentWidth") or 2
        facts.setdefault(("indent", "js"), Setting("tabs" if style == "tab" else str(width), "js", src))
        quotes = _get(data, "javascript", "formatter", "quoteStyle") or "double"
        facts.setdefault(("quotes", "js"), Setting(str(quotes), "js", src))
        semis = _get(data, "javascript", "formatter", "semicolons") or "always"
        facts.setdefault(("semicolons", "js"), Setting("never" if semis == "asNeeded" else "always", "js", src))
        width = _get(data, "javascript", "formatter", "lineWidth") or _get(data, "formatter", "lineWidth") or 80
        facts.setdefault(("line_length", "js"), Setting(str(width), "js", src))
    found = _prettier_conf(directory)
    # oxfmt takes Prettier's options, with its own default width (100): a width is known only when set
    oxfmt = next(((conf, name) for name in (".oxfmtrc.json", ".oxfmtrc.jsonc")
                  if (text := _read(directory / name)) is not None and (conf := _json(text)) is not None), None)
    for conf, name, default_width in ([(*found, 80)] if found else []) + ([(*oxfmt, None)] if oxfmt else []):
        src = shown(name)
        facts.setdefault(("quotes", "js"), Setting("single" if conf.get("singleQuote") else "double", "js", src))
        facts.setdefault(("semicolons", "js"), Setting("never" if conf.get("semi") is False else "always", "js", src))
        indent = "tabs" if conf.get("useTabs") else str(conf.get("tabWidth", 2))
        facts.setdefault(("indent", "js"), Setting(indent, "js", src))
        width = conf.get("printWidth", default_width)
        if width is not None:
            facts.setdefault(("line_length", "js"), Setting(str(width), "js", src))


def _others(facts: Facts, directory: Path, root: Path) -> None:
    if (directory / "go.mod").is_file():
        facts.setdefault(("indent", "go"), Setting("tabs", "go", "gofmt (go.mod)"))
    for name in ("rustfmt.toml", ".rustfmt.toml"):
        text = _read(directory / name)
        if text is None:
            continue
        try:
            conf = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        facts.setdefault(("line_length", "rust"), Setting(str(conf.get("max_width", 100)), "rust", name))
        indent = "tabs" if conf.get("hard_tabs") else str(conf.get("tab_spaces", 4))
        facts.setdefault(("indent", "rust"), Setting(indent, "rust", name))


@lru_cache(maxsize=64)
def formatter_facts(root: str, start: str) -> Facts:
    """What the formatters configured for ``start`` (a directory inside ``root``) enforce: the nearest
    config of each tool wins, walking up to the repository root."""
    facts: Facts = {}
    top = Path(root).resolve()
    here = Path(start).resolve()
    chain: list[Path] = []
    while True:
        chain.append(here)
        if here == top or here.parent == here or top not in here.parents:
            break
        here = here.parent
    for directory in chain:
        _python(facts, directory, top)
        _js(facts, directory, top)
        _others(facts, directory, top)
    return facts


@lru_cache(maxsize=64)
def lint_rule_names(root: str) -> frozenset[str]:
    """Rule ids configured in the repository's lint configs (stylelint, ESLint, Biome: JSON forms),
    so a line that cites one (`plugin/no-important`) is known to restate an enforced rule."""
    names: set[str] = set()
    base = Path(root)
    for name in (".stylelintrc", ".stylelintrc.json", "stylelint.config.js", "stylelint.config.mjs", ".eslintrc",
                 ".eslintrc.json", "eslint.config.js", "eslint.config.mjs", "eslint.config.ts", "biome.json", "biome.jsonc"):
        text = _read(base / name)
        if text is not None:
            names.update(re.findall(r"['\"]((?:@[\w-]+/|[\w-]+/)?[a-z][\w-]*(?:/[\w-]+)?)['\"]\s*:", text))
    return frozenset(n for n in names if "-" in n or "/" in n)


@dataclass(frozen=True, slots=True)
class CompilerOption:
    """A scalar `compilerOptions` entry of the repository's tsconfig.json files."""

    name: str  # as written: "moduleResolution"
    value: str | bool | int
    source: str  # the tsconfig.json that sets it


def _tsconfig_options(root: str, rel: str) -> list[CompilerOption]:
    text = _read(Path(root, rel))
    options = _get(_json(text) if text is not None else None, "compilerOptions")
    if not isinstance(options, dict):
        return []
    return [CompilerOption(str(name), value, rel) for name, value in options.items() if isinstance(value, (str, bool, int))]


@lru_cache(maxsize=64)
def compiler_options(root: str, start: str) -> tuple[CompilerOption, ...]:
    """The scalar compiler options that apply to ``start`` (a directory inside ``root``): those of the
    nearest tsconfig.json walking up to the root, each option from the nearest file that sets it. With
    none on that path (a config under `config/`, packages of a monorepo), the options set to one value
    in every tsconfig.json of the repository that sets them."""
    top, here = Path(root).resolve(), Path(start).resolve()
    chain: list[Path] = [here]
    while chain[-1] != top and top in chain[-1].parents:
        chain.append(chain[-1].parent)
    nearest: dict[str, CompilerOption] = {}
    for directory in chain:
        if (directory / "tsconfig.json").is_file():
            rel = (directory / "tsconfig.json").relative_to(top).as_posix()
            for option in _tsconfig_options(str(top), rel):
                nearest.setdefault(option.name, option)
    if nearest:
        return tuple(nearest.values())
    seen: dict[str, list[CompilerOption]] = {}
    for folder in repo_index(root).dirs_with("tsconfig.json"):
        for option in _tsconfig_options(root, f"{folder}/tsconfig.json" if folder else "tsconfig.json"):
            seen.setdefault(option.name, []).append(option)
    return tuple(found[0] for found in seen.values() if len({str(o.value).lower() for o in found}) == 1)


def _words(option: str) -> str:
    """A pattern for an option name as prose writes it: `moduleResolution`, "module resolution"."""
    parts = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", option)
    return r"\b" + r"[\s_-]?".join(re.escape(p) for p in parts) + r"\b"


def states_option(line: str, option: CompilerOption, switched_on: str) -> re.Match[str] | None:
    """The line states the option's value: a string value next to the option's name ("Target: ES2020",
    "module resolution bundler"), an option switched on in so many words ("strict mode enabled", "use
    strict TypeScript", `"strict": true`; ``switched_on`` is the pattern of those words around ``{name}``)."""
    name = _words(option.name)
    if option.value is True:
        return re.search(switched_on.replace("{name}", name), line, re.I)
    if isinstance(option.value, bool) or not str(option.value).strip():
        return None
    value = re.escape(str(option.value))
    return re.search(rf"{name}\W{{1,4}}(?:\w+\W+)?{value}(?![\w/.-])|(?<![\w/.-]){value}\s+{name}", line, re.I)


# What a line states about style ------------------------------------------------------------------

QUOTES = re.compile(r"(?i)\b(single|double)[- ]quot(?:es?|ed|ing)\b")
QUOTE_SCOPE = re.compile(r"(?i)\bquot\w*\W{0,3}\s*(?:for|in|on)\s+(?!(?:all\s+)?strings\b)\w")
INDENT = re.compile(r"(?i)\b(\d)\s*-?\s*spaces?\b.{0,30}\bindent|\bindent\w*\b.{0,30}?\b(\d)\s*-?\s*spaces?\b"
                    r"|\b(tabs)\b.{0,30}\bindent|\bindent\w*\b.{0,30}\b(tabs)\b|\b(tabs)\s+for\s+(?:code|indent)")
SEMI_NEVER = re.compile(r"(?i)\b(?:no|without|omit\w*|never\s+use|avoid)\s+(?:trailing\s+)?semicolons?\b")
SEMI_ALWAYS = re.compile(r"(?i)\bsemicolons?\s+(?:are\s+)?(?:required|always|mandatory)\b|\b(?:always\s+use|use|require)\s+semicolons?\b")
LINE_LENGTH = re.compile(r"(?i)\b(?:line[- ]length|line[- ]width|max(?:imum)?\s+line(?:\s+length)?|print[- ]?width)\b"
                         r"[^0-9\n]{0,25}?(\d{2,3})\b|\b(\d{2,3})[- ]char(?:acter)?s?\s+(?:per\s+|a\s+)?line\b"
                         r"|\blines?\s+(?:under|below|within|at most|up to|of at most)\s+(\d{2,3})\b")


CLAUSE = re.compile(r"[,;()]|\s[-–—]\s|\band\b")


def _clause_settings(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    quotes = QUOTES.findall(text)
    if quotes and len({q.lower() for q in quotes}) == 1 and not QUOTE_SCOPE.search(text):
        out["quotes"] = quotes[0].lower()
    m = INDENT.search(text)
    if m:
        value = next(g for g in m.groups() if g)
        out["indent"] = "tabs" if value.lower() == "tabs" else value
    if SEMI_NEVER.search(text):
        out["semicolons"] = "never"
    elif SEMI_ALWAYS.search(text):
        out["semicolons"] = "always"
    m = LINE_LENGTH.search(text)
    if m:
        out["line_length"] = m.group(1) or m.group(2) or m.group(3)
    return out


def stated(line: str) -> list[tuple[str, str, str]]:
    """The style settings a line states, each with the clause that states it:
    [("quotes", "single", "Use single quotes for strings"), ...]. A clause that only says what is
    *not* done ("not spaces", "instead of single quotes") states nothing; a line that gives two values
    of one setting for different things ("double quotes for UI strings, single quotes otherwise") is
    a policy, not a style rule, and states neither."""
    found: list[tuple[str, str, str]] = []
    for clause in CLAUSE.split(line):
        if not clause.strip() or re.match(r"(?i)^\s*(?:not|never|instead of|rather than|over)\b", clause):
            continue
        found.extend((name, value, clause) for name, value in _clause_settings(clause).items())
    values: dict[str, set[str]] = {}
    for name, value, _ in found:
        values.setdefault(name, set()).add(value)
    return [(n, v, c) for n, v, c in found if len(values[n]) == 1]


def language_of(*texts: str, formats: bool = True) -> str | None:
    """The language a clause, line or heading talks about; "other" for data formats (JSON, YAML) unless
    ``formats`` is off (a line that names JSON in another clause still speaks of code in this one)."""
    for text in texts:
        found = [name for name, pattern in LANGUAGES.items() if pattern.search(text)]
        if len(found) == 1:
            return found[0]
        if found:
            return "mixed"
        if formats and OTHER_FORMATS.search(text):
            return "other"
    return None


def setting_for(facts: Facts, setting: str, language: str | None) -> Setting | None:
    """The enforced value for ``setting`` in ``language``; with no language named, the one value all
    configured languages agree on (a Python-only repository's ruff speaks for the whole file)."""
    if language in ("other", "mixed"):
        return None
    if language is not None:
        return facts.get((setting, language))
    candidates = [s for (name, _), s in facts.items() if name == setting]
    if not candidates or len({s.value for s in candidates}) != 1:
        return None
    return candidates[0]


def nearest_dir(root: str, real_path: str) -> str:
    directory = os.path.dirname(real_path)
    return directory if os.path.commonpath([os.path.realpath(root), directory]) == os.path.realpath(root) else root
