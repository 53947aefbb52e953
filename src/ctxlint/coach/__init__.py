"""The coach: habits that cost the most across sessions (pure aggregation of per-file results)."""
