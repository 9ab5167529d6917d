"""Day numbers and their order (dashboard/io/dates.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.io.dates import day_order, impossible_day

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


# A date written right whose day does not exist (issue 12, item 12) ---------------------
@pytest.mark.parametrize(("value", "reason"), [
    ("31 February 2019", "31 February 2019 is not a day: February 2019 has 28 days"),
    ("29 Feb 2019", "29 Feb 2019 is not a day: February 2019 has 28 days"),
    ("2020-02-30", "2020-02-30 is not a day: February 2020 has 29 days"),
    ("2017-04-31", "2017-04-31 is not a day: April 2017 has 30 days"),
    ("April 31, 2017", "April 31, 2017 is not a day: April 2017 has 30 days"),
    ("31-Jun-17", "31-Jun-17 is not a day: June 2017 has 30 days"),
    ("20170931", "20170931 is not a day: September 2017 has 30 days"),
    ("29 February 2020", None),   # a leap day is a day
    ("2017-13-45", None),         # no month 13: not a date at all
    ("32 March 2017", None),      # no month has 32 days: a typo of another kind
    ("someday", None),
    ("03/08/2017", None),
])
def test_impossible_day_names_the_month_length(value, reason):
    assert impossible_day(value) == reason
