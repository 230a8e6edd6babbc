"""What the pages compute from a file (its parse, its assessment, its rendered results and factsheet),
kept in memory once per version of what it depends on, for every worker thread."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class OncePerVersion:
    """Values computed once per key (a file's version, the rulebook's digest...) and kept for the most
    recent ``size`` keys; shared by the worker threads. Two threads asking for a missing key at once
    may both compute it: the values are equal, and no lock is held while computing."""

    def __init__(self, size: int = 256):
        self.size = size
        self.values: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def find(self, key: Any) -> Any | None:
        """The value kept for ``key``, or None."""
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        return None

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = compute()
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)
        return value
