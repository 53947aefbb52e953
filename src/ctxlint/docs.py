"""Documentation generated from the rule metadata: the README rule table.

`python -m ctxlint.docs README.md` rewrites the table between the markers; a test fails when the
README is out of date, so the table can never drift from `rules/*.yaml`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ctxlint.rules.registry import registry

START = "<!-- rules-table:start -->"
END = "<!-- rules-table:end -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rule_table_markdown() -> str:
    rows = ["| id | name | kind | severity | fixable | what it checks |", "|---|---|---|---|---|---|"]
    for entry in registry().values():
        m = entry.meta
        rows.append(
            f"| {m.id} | `{m.name}` | {m.kind} | {m.severity.label} | {'yes' if m.fixable else ''} | {_cell(m.summary)} |"
        )
    return "\n".join(rows)


def update_readme(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = f"{head}{START}\n{rule_table_markdown()}\n{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README rule table updated" if changed else "README rule table up to date")
