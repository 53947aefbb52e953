"""Repositories of the shapes the load-graph tests need, as data (written by hand, after the layouts of public
repositories: a TypeScript/Python monorepo with packages, and a web app whose team uses several editors' agents).

Kept as Python data rather than files under tests/fixtures/ so that an agent working on ctxlint itself never
loads them as its own instructions.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

# A monorepo used with Claude Code, Codex, Gemini CLI, Copilot and Cursor.
MONOREPO: dict[str, str] = {
    "package.json": '{"name": "shop", "private": true, "workspaces": ["packages/*"],\n'
                    ' "scripts": {"test": "vitest run", "lint": "eslint ."}}\n',
    "packages/api/package.json": '{"name": "@shop/api", "scripts": {"test": "vitest run"}}\n',
    "packages/api/src/server.ts": "export const port = 8080\n",
    "packages/api/src/services/orders.ts": "export const orders = []\n",
    "packages/web/package.json": '{"name": "@shop/web"}\n',
    "packages/web/src/App.tsx": "export function App() { return null }\n",
    "services/billing/pyproject.toml": '[project]\nname = "billing"\n',
    "services/billing/billing/invoice.py": "def total(lines):\n    return sum(lines)\n",
    "CLAUDE.md": (
        "# Shop\n\n"
        "Monorepo: `packages/api` (Fastify), `packages/web` (React), `services/billing` (Python).\n\n"
        "## Commands\n- `npm test` runs every package's tests.\n- `npm run lint` before each commit.\n\n"
        "## Conventions\n@docs/agent/conventions.md\n"
    ),
    "CLAUDE.local.md": "# Mine\n- I review diffs in the terminal; keep summaries short.\n",
    "docs/agent/conventions.md": "# Conventions\n- Money is integer cents.\n@testing.md\n",
    "docs/agent/testing.md": "# Testing\n- Every bug fix gets a regression test.\n",
    "docs/style.md": "# Style\n- Named exports only.\n",
    ".claude/rules/api.md": '---\npaths: ["packages/api/**"]\n---\n# API\n- Validate every request body with zod.\n',
    ".claude/rules/security.md": "# Security\n- Never log card numbers or tokens.\n",
    "packages/api/CLAUDE.md": "# API package\n- Handlers stay thin; logic goes in `src/services/`.\n@docs/style.md\n",
    "AGENTS.md": (
        "# Shop\n\nMonorepo with a Fastify API, a React app and a Python billing service.\n\n"
        "- Run `npm test` before pushing.\n- Money is integer cents.\n"
    ),
    "services/billing/AGENTS.md": "# Billing\n- Use `uv run pytest` here.\n- Round half up, once, at the end.\n",
    "GEMINI.md": "# Shop\n- Prefer small pull requests.\n",
    ".github/copilot-instructions.md": "# Copilot\n- Write commit messages in the imperative.\n",
    ".github/instructions/python.instructions.md": (
        '---\napplyTo: "services/**/*.py"\n---\n- Type every public function.\n'),
    ".github/instructions/everywhere.instructions.md": '---\napplyTo: "**"\n---\n- Answer in English.\n',
    ".github/instructions/review.instructions.md": (
        '---\napplyTo: "**"\nexcludeAgent: "coding-agent"\n---\n- Flag missing tests in review.\n'),
    ".github/instructions/agent-only.instructions.md": (
        '---\napplyTo: "**"\nexcludeAgent: "code-review"\n---\n- Run the tests before opening a pull request.\n'),
    ".cursor/rules/react.mdc": (
        '---\ndescription: React components\nglobs: packages/web/**/*.tsx\nalwaysApply: false\n---\n'
        "- Function components with hooks.\n"),
    ".cursor/rules/core.mdc": "---\nalwaysApply: true\n---\n- Keep changes small.\n",
    ".cursor/rules/legacy-notes.mdc": "Old notes about the checkout flow, never given front matter.\n",
    ".cursor/rules/README.md": "# Cursor rules\nHow we organise the rules in this folder (for people).\n",
    ".claude/skills/release/SKILL.md": (
        "---\nname: release\ndescription: Tag a release and write its notes.\n---\n1. Bump the version.\n"),
}

# A web app whose team uses Cline, Roo Code, Windsurf, Kiro, Amp and OpenCode besides Codex.
MULTI_AGENT: dict[str, str] = {
    "package.json": '{"name": "booking", "scripts": {"test": "vitest run", "dev": "vite"}}\n',
    "src/api/client.ts": "export const base = '/api'\n",
    "src/ui/Calendar.tsx": "export function Calendar() { return null }\n",
    "AGENTS.md": (
        "# Booking\n\nVite + React front end, talks to `/api`.\n\n"
        "- `npm test` before each commit.\n- Dates are stored in UTC and shown in the user's zone.\n"
    ),
    "src/api/AGENTS.md": "# API client\n- Retry idempotent calls only.\n",
    # Cline: a folder of rules; workflows are not rules
    ".clinerules/01-style.md": "# Style\n- Prefer early returns.\n",
    ".clinerules/02-api.md": '---\npaths: ["src/api/**"]\n---\n# API\n- Wrap fetch in `client.ts`.\n',
    ".clinerules/03-paused.md": "---\npaths: []\n---\n# Paused\n- Migration notes, off for now.\n",
    ".clinerules/workflows/release.md": "# Release\n1. Tag.\n2. Push.\n",
    # Roo Code: general rules, one mode's rules, a personal override
    ".roo/rules/01-general.md": "# General\n- Explain the plan before editing.\n",
    ".roo/rules-architect/plan.md": "# Architect\n- Write the plan to `docs/plans/`.\n",
    ".roomodes": "customModes: []\n",
    "AGENTS.local.md": "# Mine\n- Use my local API at port 8081.\n",
    # Windsurf: one rule per activation mode
    ".windsurf/rules/always.md": "---\ntrigger: always_on\n---\n# Always\n- Keep components under 200 lines.\n",
    ".windsurf/rules/tests.md": "---\ntrigger: glob\nglobs: **/*.test.ts\n---\n# Tests\n- One behaviour per test.\n",
    ".windsurf/rules/perf.md": (
        "---\ntrigger: model_decision\ndescription: Performance work\n---\n# Performance\n- Measure first.\n"),
    ".windsurf/rules/release.md": "---\ntrigger: manual\n---\n# Release\n- Follow the checklist.\n",
    ".windsurf/rules/untriggered.md": "# Accessibility\n- Every button has a label.\n",
    "src/ui/Calendar.test.ts": "test('renders', () => {})\n",
    # Kiro: steering files by inclusion
    ".kiro/steering/product.md": "# Product\nBooking for small clinics.\n",
    ".kiro/steering/api.md": (
        '---\ninclusion: fileMatch\nfileMatchPattern: "src/api/**/*.ts"\n---\n# API\n- Typed responses.\n'),
    ".kiro/steering/deploy.md": "---\ninclusion: manual\n---\n# Deploy\n- Staging first.\n",
    ".kiro/specs/booking/requirements.md": "# Requirements\n- A patient books a slot.\n",  # a spec, not steering
    # Amp and OpenCode
    ".amp/settings.json": '{"amp.commands.allowlist": []}\n',
    "opencode.json": '{"$schema": "https://opencode.ai/config.json",\n'
                     ' "instructions": ["docs/agent/*.md", "https://example.com/shared.md", "~/notes.md"]}\n',
    "docs/agent/review.md": "# Review\n- Read the diff twice.\n",
}


def write_repo(root: Path, files: dict[str, str], *, git: bool = True) -> Path:
    """Write ``files`` under ``root`` (a git repository unless ``git`` is false) and return ``root``."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root
