"""Refunds API (example)."""
