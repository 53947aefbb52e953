"""Reporters of ``ctxlint check``: one module per format, each renders a ``Report``."""
