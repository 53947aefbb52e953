"""Team scale: export per-file audit results as tables, and report on them (never on people).

* ``ctxlint.team.tables``: the pyarrow schemas of the ``sessions``, ``findings`` and
  ``instructions`` tables, and the row builders;
* ``ctxlint.team.export``: ``export(paths, output, ...)`` on the worker pool;
* ``ctxlint.team.report``: ``coach_from_tables(dir, ...)``, the coach report from those tables.

Needs the ``team`` extras (pyarrow, duckdb); see docs/team.md.
"""

from __future__ import annotations

__all__ = ["coach_from_tables", "export"]


def __getattr__(name: str) -> object:
    if name == "export":
        from ctxlint.team.export import export

        return export
    if name == "coach_from_tables":
        from ctxlint.team.report import coach_from_tables

        return coach_from_tables
    raise AttributeError(name)
