"""BoundedMemo: made once per key, least recently used out first, owners held weakly."""

from __future__ import annotations

from dashboard.core.memo import BoundedMemo


class Owner:
    pass


def test_values_are_made_once_per_owner_and_key():
    memo: BoundedMemo[int] = BoundedMemo(4)
    a, b, made = Owner(), Owner(), []
    for owner, key in [(a, 1), (a, 1), (b, 1), (a, 2), (b, 1)]:
        memo.get(owner, key, lambda o=owner, k=key: made.append((o, k)) or len(made))
    assert made == [(a, 1), (b, 1), (a, 2)]


def test_the_least_recently_used_goes_first():
    memo: BoundedMemo[str] = BoundedMemo(2)
    owner = Owner()
    memo.get(owner, "x", lambda: "x1")
    memo.get(owner, "y", lambda: "y1")
    memo.get(owner, "x", lambda: "x2")        # x is used again: y is now the oldest
    memo.get(owner, "z", lambda: "z1")
    assert len(memo) == 2
    assert memo.get(owner, "x", lambda: "x3") == "x1"
    assert memo.get(owner, "y", lambda: "y2") == "y2"


def test_an_owner_is_not_kept_alive_and_its_values_go_with_it():
    """A replaced dataset (a reload, a new upload) is freed: the memo holds it weakly."""
    import gc
    import weakref

    memo: BoundedMemo[list] = BoundedMemo(4)
    owner = Owner()
    memo.get(owner, "k", lambda: [1, 2, 3])
    gone = weakref.ref(owner)
    del owner
    gc.collect()
    assert gone() is None and len(memo) == 0


def test_a_reused_id_never_returns_another_owners_value():
    memo: BoundedMemo[str] = BoundedMemo(4)
    first = Owner()
    memo.get(first, "k", lambda: "first's")
    second = Owner()
    memo._items[(id(second), "k")] = memo._items.pop((id(first), "k"))  # as if id reused
    assert memo.get(second, "k", lambda: "second's") == "second's"
