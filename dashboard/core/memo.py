"""A small thread-safe memo with a bounded size, for per-dataset derived arrays.

Keys name their dataset by ``id()``; the value keeps the dataset object alive next
to the result, so an id can never be reused for another object while cached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundedMemo(Generic[T]):
    """Least recently used first out. ``make`` runs outside the lock: two threads may
    both compute a missing value once; the results are equal, so either is kept."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[object, T]] = OrderedDict()
        self._lock = Lock()

    def get(self, owner: object, key: Hashable, make: Callable[[], T]) -> T:
        full_key = (id(owner), key)
        with self._lock:
            if full_key in self._items:
                self._items.move_to_end(full_key)
                return self._items[full_key][1]
        value = make()
        with self._lock:
            self._items[full_key] = (owner, value)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
