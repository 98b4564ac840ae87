"""Results of pure functions of a text remembered per process for short texts: a task's prompts, labels and parsed
answers repeat, so each distinct short text is judged once; longer texts (documents, long answers) are computed every
time, so the memory a memo holds stays bounded."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def remembered_for_short_texts(maxsize: int, max_chars: int = 512) -> Callable[[F], F]:
    """Decorator: ``fn(text, *args)`` remembered (``functools.lru_cache`` of ``maxsize``, thread-safe) when ``text`` has
    at most ``max_chars`` characters; ``args`` must then be hashable. ``fn`` must be pure."""

    def wrap(fn: F) -> F:
        memo = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text: str, *args: Any) -> Any:
            return memo(text, *args) if len(text) <= max_chars else fn(text, *args)

        call.cache_clear = memo.cache_clear  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return wrap
