"""Stripe client (example)."""
