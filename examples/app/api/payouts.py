"""Payouts API (example)."""
