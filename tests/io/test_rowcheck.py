"""text(): Arrow text columns are kept when clean and stripped when not; the byte-level
edge check agrees with the regex it replaces."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dashboard.io.rowcheck import _edge_space, text

ALPHABET = ["a", "é", "\u00a0", "\v", " ", "\t", "\n", "x", "€", "\r", "\f", "中"]


def _regex(arrow) -> bool:
    return bool(pc.any(pc.match_substring_regex(arrow, r"^\s|\s$")).as_py())


@pytest.mark.parametrize("arrow_type", [pa.string(), pa.large_string()])
def test_edge_space_agrees_with_regex(arrow_type):
    rng = random.Random(5)
    for _ in range(500):
        values = [None if rng.random() < 0.1 else
                  "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3)))
                  for _ in range(rng.randint(0, 6))]
        arrow = pa.array(values, type=arrow_type)
        if len(arrow) > 2:
            arrow = arrow.slice(1, len(arrow) - 2)
        chunked = pa.chunked_array([arrow, arrow.slice(0, len(arrow) // 2)], type=arrow_type)
        for case in (arrow, chunked):
            assert _edge_space(case) == _regex(case), values


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param(["a", "b c"], ["a", "b c"], id="clean"),
    pytest.param([" a", "b\t"], ["a", "b"], id="padded-is-stripped"),
    pytest.param(["a", None], ["a", ""], id="missing-becomes-empty"),
    pytest.param(["\u00a0a"], ["\u00a0a"], id="no-break-space-kept-as-before"),
])
def test_text_of_arrow_strings(values, expected):
    series = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    assert text(series, len(series)).tolist() == expected
