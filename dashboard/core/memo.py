"""A small thread-safe memo with a bounded size, for per-dataset derived arrays.

Keys name their dataset (the *owner*) by ``id()`` and hold it by a weak reference:
a dataset the server has replaced (a reload from the team database, a new upload) is
not kept alive by what was derived from it, and an entry whose owner is gone is
dropped, so a reused ``id()`` can never return another object's value.
"""

from __future__ import annotations

import weakref
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
        self._items: OrderedDict[Hashable, tuple[weakref.ref, T]] = OrderedDict()
        self._lock = Lock()

    def get(self, owner: object, key: Hashable, make: Callable[[], T]) -> T:
        full_key = (id(owner), key)
        with self._lock:
            self._drop_orphans()
            item = self._items.get(full_key)
            if item is not None and item[0]() is owner:
                self._items.move_to_end(full_key)
                return item[1]
        value = make()
        with self._lock:
            self._items[full_key] = (weakref.ref(owner), value)
            self._items.move_to_end(full_key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def _drop_orphans(self) -> None:
        """Forget the values of owners that no longer exist (their memory goes with them)."""
        for full_key in [k for k, (ref, _) in self._items.items() if ref() is None]:
            del self._items[full_key]

    def __len__(self) -> int:
        with self._lock:
            self._drop_orphans()
            return len(self._items)
