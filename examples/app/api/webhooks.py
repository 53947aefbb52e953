"""Webhooks API (example)."""
