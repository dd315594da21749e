"""Rendered output kept per worker process, keyed by what it was rendered from.

A heavy render (a report preview, a drawing) is done once per version of its data: the key carries a
digest of the data itself, so any change to the data is a new key and a stale render is never served.
Bounded: the least recently used renders go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class RenderCache(Generic[T]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: Hashable, rendered: T) -> T:
        self._kept[key] = rendered
        self._kept.move_to_end(key)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return rendered

    def clear(self) -> None:
        self._kept.clear()
