"""Day numbers and their order (dashboard/io/dates.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.io.dates import day_order

NAT = np.iinfo(np.int32).min
RNG = np.random.default_rng(3)


@pytest.mark.parametrize("days", [
    pytest.param(np.array([], dtype=np.int32), id="empty"),
    pytest.param(np.array([17400], dtype=np.int32), id="one"),
    pytest.param(np.array([5, 3, 5, 1, 3, 5], dtype=np.int32), id="ties-stay-in-file-order"),
    pytest.param(RNG.integers(17167, 17897, 5000).astype(np.int32), id="two-years"),
    pytest.param(np.array([NAT, 17400, NAT, 17000], dtype=np.int32), id="missing-dates-first"),
    pytest.param(np.array([NAT, NAT], dtype=np.int32), id="all-missing"),
    pytest.param(np.array([-40000, 30000, 0, 30000, -40000], dtype=np.int32),
                 id="wider-than-16-bits"),
    pytest.param(np.array([0, 65535, 3, 65535, 0], dtype=np.int32), id="exactly-16-bits"),
])
def test_day_order_is_the_stable_argsort(days):
    got = day_order(days)
    np.testing.assert_array_equal(got, np.argsort(days, kind="stable"))
    assert got.dtype == np.intp
