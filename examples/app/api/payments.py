"""Payments API (example)."""
