"""BoundedMemo: made once per key, least recently used out first, owners kept alive."""

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
