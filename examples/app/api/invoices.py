"""Invoices API (example)."""
