"""Process plumbing shared by every stage: the worker pool, the cache, file-system helpers."""
