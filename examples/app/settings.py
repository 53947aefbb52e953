"""Settings read from the environment (example)."""
