"""The server's memory, kept near its working size after big renders (an export builds
tens of megabytes of objects, and frees them).

glibc's malloc gives each thread that meets another in malloc an arena of its own (up
to eight per core), and gives freed memory back to the system only from the top of a
heap. A server that renders on several threads so keeps its peak. Two arenas, and a
trim after each render, keep it near its working size (the README's `make bench`
figures; tests/test_memory.py). Elsewhere than glibc, both are left to the system.
"""

from __future__ import annotations

import ctypes

_M_ARENA_MAX = -8  # (glibc's malloc.h)


def _glibc():
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def limit_arenas(count: int = 2) -> bool:
    """Before the server's threads start (an arena made is never unmade)."""
    return bool(_LIBC and _LIBC.mallopt(_M_ARENA_MAX, count))


def give_back() -> bool:
    """What malloc holds free, back to the system: after a render (it takes milliseconds)."""
    return bool(_LIBC and _LIBC.malloc_trim(0))
