"""Customers API (example)."""
