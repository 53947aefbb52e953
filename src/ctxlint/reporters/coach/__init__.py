"""Reporters of ``ctxlint coach``: text and HTML renderings of the aggregated data."""
