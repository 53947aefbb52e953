"""Configuration: ``[tool.ctxlint]`` in pyproject.toml or ``.ctxlint.yaml``, one schema.

Found by walking up from the checked path to the repository root. Every key is validated: an
unknown key, an unknown rule or an ill-typed value is a ``ConfigError`` naming the file and the key,
which the CLI turns into exit code 2.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ctxlint.errors import ConfigError, did_you_mean
from ctxlint.measure.budget import Budget, parse_budget
from ctxlint.model import Severity
from ctxlint.rules.registry import OPTION_TYPES, registry, resolve

CONFIG_FILES = (".ctxlint.yaml", ".ctxlint.yml", "pyproject.toml")
TOP_LEVEL_KEYS = {
    "select",
    "ignore",
    "per-file-ignores",
    "fail-on",
    "rules",
    "requests-per-session",
    "jobs",
    "exclude",
    "timeout-per-file",
    "budget",
}


@dataclass(frozen=True)
class Config:
    """The effective configuration: rule selection, options, severities and run settings."""

    select: tuple[str, ...] = ()  # empty = every rule
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, rule ids)
    fail_on: Severity | None = Severity.WARNING  # None = never fail
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    rule_severity: dict[str, Severity] = field(default_factory=dict)
    requests_per_session: int = 150
    jobs: int | None = None
    exclude: tuple[str, ...] = ()
    timeout_per_file: float = 600.0  # seconds; a file that takes longer becomes a CTX001 finding
    budget: Budget = field(default_factory=Budget)  # never part of result_key: a budget changes no finding
    source: str | None = None  # the file this config came from
    root: str | None = None  # directory of that file: per-file-ignores globs are relative to it

    def enabled_rules(self) -> list[str]:
        reg = registry()
        chosen = list(reg) if not self.select else _expand(self.select, "select", self.source)
        ignored = set(_expand(self.ignore, "ignore", self.source))
        return [r for r in chosen if r not in ignored]

    def options_for(self, rule_id: str) -> dict[str, Any]:
        meta = registry()[rule_id].meta
        merged = meta.default_options
        merged.update(self.rule_options.get(rule_id, {}))
        return merged

    def severity_for(self, rule_id: str) -> Severity | None:
        return self.rule_severity.get(rule_id)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **changes)

    def result_key(self) -> str:
        """Hash of everything in the configuration that can change a transcript's result (keys the
        coach's cached results and the export manifest)."""
        parts = (
            self.select,
            self.ignore,
            self.per_file_ignores,
            sorted((k, sorted(v.items(), key=lambda kv: kv[0])) for k, v in self.rule_options.items()),
            sorted((k, v.name) for k, v in self.rule_severity.items()),
            self.timeout_per_file,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _expand(tokens: tuple[str, ...], key: str, origin: str | None) -> list[str]:
    out: list[str] = []
    for token in tokens:
        ids = resolve(token)
        if not ids:
            where = f"{origin}: " if origin else ""
            raise ConfigError(f"{where}{key}: unknown rule {token!r}")
        out.extend(i for i in ids if i not in out)
    return out


def find_config(start: Path) -> Path | None:
    """Nearest config file from ``start`` up to the repository root (the dir holding .git)."""
    here = start if start.is_dir() else start.parent
    here = here.resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                if name == "pyproject.toml" and not _pyproject_has_section(candidate):
                    continue
                return candidate
        if (directory / ".git").exists():
            break
    return None


def _pyproject_has_section(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "ctxlint" not in text:
        return False  # most pyproject.toml files: decided without importing and running a TOML parser
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    except RecursionError:
        return True  # found, and load_config says what is wrong with it
    return "ctxlint" in data.get("tool", {})


def load_config(path: Path) -> Config:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot read config ({exc.__class__.__name__})") from None
    if path.name == "pyproject.toml":
        import tomllib  # here: only a pyproject.toml with a [tool.ctxlint] table needs it

        try:
            raw = tomllib.loads(text).get("tool", {}).get("ctxlint", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{name}: invalid TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(f"{name}: invalid TOML: nested too deeply") from None
    else:
        try:
            import yaml  # only when a .ctxlint.yaml exists: the import costs ~15 ms of start-up

            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise ConfigError(f"{name}: invalid YAML{where}") from None
        except RecursionError:
            raise ConfigError(f"{name}: invalid YAML: nested too deeply") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: the configuration must be a table/mapping")
    return parse_config(raw, name, str(path.parent))


def _str_list(value: Any, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{origin}: {key}: expected a list of strings")
    return tuple(value)


def _positive_int(value: Any, key: str, origin: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{origin}: {key}: expected a positive integer, got {value!r}")
    return value


def _positive_number(value: Any, key: str, origin: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:  # not NaN nor inf
        raise ConfigError(f"{origin}: {key}: expected a positive number of seconds, got {value!r}")
    return float(value)


def parse_config(raw: dict[str, Any], origin: str, root: str | None = None) -> Config:
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        key = sorted(unknown)[0]
        near = did_you_mean(key, TOP_LEVEL_KEYS)
        raise ConfigError(f"{origin}: unknown key {key!r}" + (f"; did you mean {near!r}?" if near else ""))
    select = _str_list(raw.get("select", []), "select", origin)
    ignore = _str_list(raw.get("ignore", []), "ignore", origin)
    _expand(select, "select", origin)
    _expand(ignore, "ignore", origin)

    fail_on: Severity | None = Severity.WARNING
    if "fail-on" in raw:
        fail_on = parse_fail_on(raw["fail-on"], f"{origin}: fail-on")

    pfi: list[tuple[str, tuple[str, ...]]] = []
    per_file = raw.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{origin}: per-file-ignores: expected a table of glob = [rules]")
    for glob, rules in per_file.items():
        ids = _expand(_str_list(rules, f"per-file-ignores.{glob}", origin), "per-file-ignores", origin)
        pfi.append((str(glob), tuple(ids)))

    rule_options: dict[str, dict[str, Any]] = {}
    rule_severity: dict[str, Severity] = {}
    rules_table = raw.get("rules", {})
    if not isinstance(rules_table, dict):
        raise ConfigError(f"{origin}: rules: expected a table keyed by rule id or name")
    reg = registry()
    for token, settings in rules_table.items():
        ids = resolve(str(token))
        if len(ids) != 1:
            raise ConfigError(f"{origin}: rules.{token}: unknown rule")
        rule_id = ids[0]
        if not isinstance(settings, dict):
            raise ConfigError(f"{origin}: rules.{token}: expected a table of options")
        specs = {o.name: o for o in reg[rule_id].meta.options}
        for key, value in settings.items():
            where = f"{origin}: rules.{token}.{key}"
            if key == "severity":
                if not isinstance(value, str):
                    raise ConfigError(f"{where}: expected error, warning or info")
                try:
                    rule_severity[rule_id] = Severity.parse(value)
                except ValueError as exc:
                    raise ConfigError(f"{where}: {exc}") from None
                continue
            spec = specs.get(key)
            if spec is None:
                known = ", ".join(sorted(specs)) or "none"
                near = did_you_mean(key, [*specs, "severity"])
                hint = f"did you mean {near!r}? " if near else ""
                raise ConfigError(f"{where}: unknown option ({hint}known: {known})")
            types = OPTION_TYPES[spec.type]
            if (isinstance(value, bool) and spec.type != "bool") or not isinstance(value, types):
                raise ConfigError(f"{where}: expected {spec.type}, got {type(value).__name__}")
            rule_options.setdefault(rule_id, {})[key] = value

    return Config(
        select=select,
        ignore=ignore,
        per_file_ignores=tuple(pfi),
        fail_on=fail_on,
        rule_options=rule_options,
        rule_severity=rule_severity,
        requests_per_session=_positive_int(
            raw.get("requests-per-session", 150), "requests-per-session", origin
        ),
        jobs=_positive_int(raw["jobs"], "jobs", origin) if "jobs" in raw else None,
        exclude=_str_list(raw.get("exclude", []), "exclude", origin),
        timeout_per_file=_positive_number(raw.get("timeout-per-file", 600), "timeout-per-file", origin),
        budget=parse_budget(raw["budget"], origin) if "budget" in raw else Budget(),
        source=origin,
        root=root,
    )


def parse_fail_on(value: Any, where: str) -> Severity | None:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected error, warning, info or never")
    if value.strip().lower() == "never":
        return None
    try:
        return Severity.parse(value)
    except ValueError:
        raise ConfigError(f"{where}: expected error, warning, info or never, got {value!r}") from None


def resolve_config(paths: list[str], config_file: str | None, no_config: bool) -> Config:
    if no_config:
        return Config()
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        return load_config(path)
    start = Path(paths[0]) if paths else Path(os.getcwd())
    found = find_config(start if start.exists() else Path(os.getcwd()))
    return load_config(found) if found else Config()
