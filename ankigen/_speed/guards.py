"""Where ankigen repeats a library's own code to run it faster, it first checks the library
still has the code it repeats: ``fastlex`` (Pygments' lexer loop), ``fastlink``
(markdown-it-py's linkify rule), ``fastblock`` (its block state) and ``fasttoken`` (its
tokens and inline state) switch themselves off over any other version."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Collection

__all__ = ["source_is_known"]


def source_is_known(function: Callable[..., object], digests: Collection[str]) -> bool:
    """Whether the SHA-256 of ``function``'s source is one of ``digests``."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() in digests
