"""Live coaching: a statusline, agent hooks and budgets (docs/live.md)."""
