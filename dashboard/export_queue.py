"""A bounded queue for slow renders (the PNG exports): one renders, a few wait,
the rest are turned away at once with a time to come back.

A waiting request holds one of the server's threads, so the queue is kept
shorter than a worker's thread pool: what is left serves the pages.
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager


class Busy(Exception):
    """The queue is full; try again in retry_after seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"busy, retry in {retry_after} s")
        self.retry_after = retry_after


class RenderQueue:
    def __init__(self, waiting: int, seconds: float = 10.0):
        self.capacity = 1 + waiting  # the one rendering and those waiting
        self.seconds = seconds  # a render's running mean, for Retry-After
        self._held = 0
        self._count = threading.Lock()
        self._turn = threading.Lock()

    @property
    def held(self) -> int:
        """Requests in the queue now, rendering or waiting."""
        return self._held

    def retry_after(self) -> int:
        # When the queue is full, a place frees as the render under way ends.
        return max(1, min(60, math.ceil(self.seconds)))

    @contextmanager
    def place(self, spare: int = 0):
        """A place in the queue for the whole request, or Busy at once. `spare`: places
        to leave free for others (a deck's pictures leave one to the viewers' exports);
        the renderer itself, when free, is never refused."""
        with self._count:
            if self._held >= max(1, self.capacity - spare):
                raise Busy(self.retry_after())
            self._held += 1
        try:
            yield
        finally:
            with self._count:
                self._held -= 1

    @contextmanager
    def turn(self):
        """The renderer itself, one at a time (blocks until it is free)."""
        with self._turn:
            start = time.monotonic()
            yield
            self.seconds = 0.7 * self.seconds + 0.3 * (time.monotonic() - start)
