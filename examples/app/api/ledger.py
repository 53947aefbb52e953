"""Ledger API (example)."""
