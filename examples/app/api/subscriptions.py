"""Subscriptions API (example)."""
