"""Ceasefire statistics against hand counts, scipy and statsmodels."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from shapely.geometry import box

from dashboard import model
from dashboard.dataset import assemble_dataset
from dashboard.errors import ZoneWatchError
from dashboard.report import table_rows, to_csv, to_json, to_markdown
from dashboard.stats import before_after, rate_ratio, ratio_of_ratios
from dashboard.viewdata import build_view_data

WIDE = box(36.0, 34.0, 37.0, 35.0)    # v1, first half of 2017
NARROW = box(36.0, 34.0, 36.5, 35.0)  # v2 from 1 Jul 2017: the eastern half is dropped
IN_BOTH, EAST_HALF, FAR = (36.2, 34.5), (36.7, 34.5), (38.5, 34.5)


def zones_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "zone_id": ["z", "z"], "name": ["Zone Z", "Zone Z"], "version": [1, 2],
        "valid_from": pd.to_datetime(["2017-01-01", "2017-07-01"]),
        "valid_to": pd.to_datetime(["2017-06-30", None]),
        "status": ["declared", "in_effect"], "boundary_precision": ["approximate"] * 2,
        "source": ["test"] * 2, "notes": ["", ""], "valid_from_time": ["", ""],
        "valid_to_time": ["", ""]}, geometry=[WIDE, NARROW], crs="EPSG:4326")


def incidents_frame(rows) -> pd.DataFrame:
    """rows: (day, (lon, lat), event_type, actor1, place, fatalities)"""
    frame = pd.DataFrame({
        "incident_id": [f"i{i}" for i in range(len(rows))],
        "date": pd.to_datetime([r[0] for r in rows]),
        "lon": [r[1][0] for r in rows], "lat": [r[1][1] for r in rows],
        "event_type": [r[2] for r in rows], "actor1": [r[3] for r in rows],
        "place": [r[4] for r in rows], "fatalities": [float(r[5]) for r in rows],
    })
    frame["date_end"] = frame["date"]
    for col, value in (("date_precision", "day"), ("admin1", ""), ("admin2", ""),
                       ("loc_precision", "exact"), ("sub_type", ""), ("actor2", "B"),
                       ("source", "src"), ("notes", ""), ("dataset", "test")):
        frame[col] = value
    frame["precision_km"] = 2.0
    return frame[model.INCIDENT_COLUMNS]


def milestones_frame(day: str = "2017-07-01") -> pd.DataFrame:
    return pd.DataFrame({"zone_id": ["z"], "timestamp": [day], "date": pd.to_datetime([day]),
                         "kind": ["in_effect"], "text": ["ceasefire"], "source": ["Agency"]})


def analyse(rows, **options):
    data = assemble_dataset(zones_frame(), incidents_frame(rows), milestones_frame(), [])
    view = build_view_data(data, "test")
    return before_after(view.index, view.zones, data.zone_index, data.milestones, "z", **options)


ROWS = [
    # before the reference day (1 Jul 2017): 3 inside the narrow zone, 1 in the ring, 1 far
    ("2017-06-22", IN_BOTH, "Shelling", "A", "Alpha", 1),
    ("2017-06-25", IN_BOTH, "Shelling", "A", "Alpha", 2),
    ("2017-06-30", IN_BOTH, "Airstrike", "C", "Beta", 0),
    ("2017-06-28", EAST_HALF, "Shelling", "A", "Gamma", 5),
    ("2017-06-28", FAR, "Shelling", "A", "Far", 9),
    # after: 1 violent inside, 1 aid convoy inside (not a violation), 1 in the ring
    ("2017-07-03", IN_BOTH, "Airstrike", "C", "Beta", 4),
    ("2017-07-02", IN_BOTH, "Aid convoy", "UN", "Beta", 0),
    ("2017-07-05", EAST_HALF, "Shelling", "A", "Gamma", 1),
    # outside both windows
    ("2017-05-01", IN_BOTH, "Shelling", "A", "Alpha", 1),
]


def test_st001_counts_by_window_and_area():
    a = analyse(ROWS, before_days=10, after_days=10, ring_km=25)
    assert a.reference == date(2017, 7, 1)
    assert (a.inside_before.incidents, a.inside_after.incidents) == (3, 2)
    assert (a.inside_before.fatalities, a.inside_after.fatalities) == (3, 4)
    assert (a.ring_before.incidents, a.ring_after.incidents) == (1, 1)
    assert a.inside_rr.ratio == pytest.approx(2 / 3)


def test_st002_zone_as_it_stood_on_each_day():
    """East-half incidents are inside while v1 (wide) is in force and in the ring after."""
    rows = [("2017-06-15", EAST_HALF, "Shelling", "A", "Gamma", 1),
            ("2017-07-15", EAST_HALF, "Shelling", "A", "Gamma", 1)]
    a = analyse(rows, reference=date(2017, 6, 1), before_days=30, after_days=60)
    assert a.inside_after.incidents == 1      # 15 Jun: v1 in force, contains it
    assert a.ring_after.incidents == 1        # 15 Jul: v2 in force, 18 km outside it


def test_st003_before_window_uses_area_on_reference_day():
    rows = [("2017-06-20", EAST_HALF, "Shelling", "A", "Gamma", 1)]
    a = analyse(rows, before_days=30, after_days=30)
    # on 1 Jul the zone is v2 (narrow): the east half is outside even though v1 held it then
    assert (a.inside_before.incidents, a.ring_before.incidents) == (0, 1)


def test_st004_violations_exclude_non_violent_and_name_first():
    a = analyse(ROWS, before_days=10, after_days=10)
    assert a.by_actor == [("C", 1)]
    assert a.by_place == [("Beta", 1)]
    assert a.first_violation["date"] == "2017-07-03"
    assert a.first_violation["source"] == "src"


@pytest.mark.parametrize(("after", "before", "ta", "tb"), [
    (10, 5, 90, 90), (3, 12, 90, 90), (20, 20, 30, 90), (0, 7, 90, 90), (1, 1, 10, 10)])
def test_st005_rate_ratio_matches_scipy_exact_binomial(after, before, ta, tb):
    rr = rate_ratio(after, before, ta, tb)
    ci = binomtest(after, after + before).proportion_ci(method="exact")
    scale = tb / ta
    assert rr.ratio == pytest.approx(after / ta / (before / tb))
    assert rr.lo == pytest.approx(ci.low / (1 - ci.low) * scale)
    if ci.high < 1:
        assert rr.hi == pytest.approx(ci.high / (1 - ci.high) * scale)


def test_st006_rate_ratio_undefined_without_before():
    assert rate_ratio(4, 0).ratio is None
    assert "not defined" in rate_ratio(4, 0).words()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the saturated model has no residual df
@pytest.mark.filterwarnings("ignore:Perfect separation")
def test_st007_ratio_of_ratios_matches_statsmodels_poisson_interaction():
    import statsmodels.api as sm

    counts = np.array([30, 12, 20, 18], dtype=float)   # inside before/after, ring before/after
    after = np.array([0, 1, 0, 1])
    zone = np.array([1, 1, 0, 0])
    fit = sm.GLM(counts, sm.add_constant(np.column_stack([after, zone, after * zone])),
                 family=sm.families.Poisson()).fit()
    ours = ratio_of_ratios((30, 12), (20, 18))
    assert ours.ratio == pytest.approx(np.exp(fit.params[3]))
    assert ours.lo == pytest.approx(np.exp(fit.conf_int()[3][0]), rel=1e-4)
    assert ours.hi == pytest.approx(np.exp(fit.conf_int()[3][1]), rel=1e-4)


def test_st008_its_matches_statsmodels_glm():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    rows = []
    for week in range(-8, 8):
        rate = 6 if week < 0 else 2
        for _ in range(rng.poisson(rate)):
            day = pd.Timestamp("2017-07-01") + pd.Timedelta(days=7 * week + int(rng.integers(7)))
            rows.append((day.strftime("%Y-%m-%d"), IN_BOTH, "Shelling", "A", "Alpha", 0))
    a = analyse(rows, before_days=56, after_days=56)
    bins = np.arange(-8, 8)
    post = (bins >= 0).astype(float)
    counts = np.array(a.its.observed, dtype=float)
    if a.its.model == "Poisson":
        fit = sm.GLM(counts, sm.add_constant(np.column_stack([bins, post, bins * post])),
                     family=sm.families.Poisson()).fit()
        assert a.its.level_irr == pytest.approx(np.exp(fit.params[2]))
        assert a.its.slope_irr == pytest.approx(np.exp(fit.params[3]))
    assert sum(a.its.observed) == len(rows)
    assert a.its.level_irr < 1   # the rate fell at the reference day


def test_st009_sentence_and_table_agree():
    a = analyse(ROWS, before_days=10, after_days=10)
    text = a.sentence()
    inside, ring = table_rows(a)
    assert f"{inside['incidents_after']} incidents" in text
    assert f"against {inside['incidents_before']}" in text
    assert f"rate ratio {inside['rate_ratio']:.2f}" in text
    assert f"{ring['incidents_after']} against {ring['incidents_before']}" in text
    assert "took effect on 1 Jul 2017" in text


def test_st010_small_counts_warn_in_words():
    a = analyse(ROWS, before_days=10, after_days=10)
    assert any("too few" in w for w in a.warnings)
    assert "too small to say" in a.sentence()


def test_st011_filters_are_named_in_sentence():
    a = analyse(ROWS, before_days=10, after_days=10, filters={"Event type": "Shelling"})
    assert "Filters: Event type: Shelling." in a.sentence()


def test_st012_ambiguity_bounds():
    rows = [("2017-07-03", (36.49, 34.5), "Shelling", "A", "Edge", 0)]  # ~0.9 km inside
    a = analyse(rows, before_days=10, after_days=10)
    assert a.inside_after.incidents == 1
    assert (a.inside_after.low, a.inside_after.high) == (0, 1)


@pytest.mark.parametrize(("zone", "options", "message"), [
    ("nowhere", {}, r"no zone 'nowhere'\. Fix: use one of z"),
    ("z", {"before_days": 0}, r"windows must be at least 1 day"),
    ("z", {"ring_km": 0}, r"ring wider than 0 km"),
])
def test_st013_bad_arguments(zone, options, message):
    data = assemble_dataset(zones_frame(), incidents_frame(ROWS), milestones_frame(), [])
    view = build_view_data(data, "test")
    with pytest.raises(ZoneWatchError, match=message):
        before_after(view.index, view.zones, data.zone_index, data.milestones, zone, **options)


def test_st014_reports_render_the_same_numbers():
    a = analyse(ROWS, before_days=10, after_days=10)
    md = to_markdown(a)
    assert "| inside the zone | 3 | 2 |" in md
    assert a.sentence() in md
    csv_text = to_csv(a)
    assert csv_text.splitlines()[1].startswith("z,2017-07-01,inside zone,3,2")
    assert '"sentence"' in to_json(a)


def test_st015_markdown_report_keeps_html_as_text():
    rows = [(*row[:4], "<script>alert(1)</script>", row[5]) for row in ROWS]
    md = to_markdown(analyse(rows, before_days=10, after_days=10))
    assert "<script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
