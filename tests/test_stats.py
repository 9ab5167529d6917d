"""Ceasefire statistics against hand counts, scipy and statsmodels."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from shapely.geometry import Point, box

from dashboard.analysis import ceasefire
from dashboard.analysis.ceasefire import before_after, tally
from dashboard.analysis.dataset import assemble_dataset
from dashboard.analysis.verdict import change_words, exemption_words, headline, sentence
from dashboard.analysis.viewdata import build_view_data
from dashboard.core import model
from dashboard.core.agreements import (
    Agreement,
    AnalystStatus,
    Commitment,
    Evidence,
    Exemption,
    Party,
    Terms,
)
from dashboard.core.errors import ZoneWatchError
from dashboard.export.ceasefire_report import md_text, table_rows, to_csv, to_json, to_markdown

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


def incidents_frame(rows, precision_km: float = 2.0) -> pd.DataFrame:
    """rows: (day, (lon, lat), event_type, actor1, place, fatalities[, precision_km])"""
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
    frame["precision_km"] = [float(r[6]) if len(r) > 6 else precision_km for r in rows]
    return frame[model.INCIDENT_COLUMNS]


def milestones_frame(day: str = "2017-07-01") -> pd.DataFrame:
    return pd.DataFrame({"zone_id": ["z"], "timestamp": [day], "date": pd.to_datetime([day]),
                         "kind": ["in_effect"], "text": ["ceasefire"], "source": ["Agency"]})


SPAN = (date(2017, 1, 1), date(2017, 12, 31))  # the data cover all of 2017 unless a test says


def analyse(rows, zones=None, **options):
    data = assemble_dataset(zones_frame() if zones is None else zones, incidents_frame(rows),
                            milestones_frame(), [])
    view = build_view_data(data, "test")
    options.setdefault("data_span", SPAN)
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


def test_st001_counts_by_window_and_area_leave_non_violent_events_out():
    a = analyse(ROWS, before_days=10, after_days=10, ring_km=25)
    assert a.reference == date(2017, 7, 1)
    assert (a.inside_before.incidents, a.inside_after.incidents) == (3, 1)  # not the aid convoy
    assert (a.inside_before.fatalities, a.inside_after.fatalities) == (3, 4)
    assert (a.ring_before.incidents, a.ring_after.incidents) == (1, 1)
    assert a.non_violent_left_out == {"Aid convoy": 1}
    assert any("non-violent events are left out" in w for w in a.warnings)
    assert a.inside_rr.ratio == pytest.approx(1 / 3, rel=1e-4)


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


def test_st004_who_shows_both_sides_and_adds_up():
    rows = [(f"2017-07-{d:02d}", IN_BOTH, "Shelling", actor, "P", 0)
            for d, actor in [(2, "A"), (3, "A"), (4, "B"), (5, ""), (6, "C")]]
    rows += [("2017-06-20", IN_BOTH, "Shelling", "A", "P", 0)]
    a = analyse(rows, before_days=30, after_days=30)
    side_a, side_b = a.sides
    assert side_a.label == "actor 1" and side_b.label == "actor 2"  # generic data's own words
    assert dict(side_a.counts) == {"A": 2, "B": 1, "C": 1, "unknown": 1}
    assert dict(side_b.counts) == {"B": 5}
    for side in a.sides:
        assert sum(n for _, n in side.counts) == a.inside_after.incidents
    assert a.first_violation["date"] == "2017-07-02"


def test_st005_tally_folds_the_rest_into_one_row():
    values = pd.Series(["a"] * 5 + ["b"] * 3 + ["c", "d", "", "  "])
    assert tally(values, top=2) == [("a", 5), ("b", 3), ("2 others", 2), ("unknown", 2)]


def four_weeks_each_side(after_weeks: int = 4) -> list:
    """2 incidents a week inside before 1 Jul 2017, 1 a week after."""
    rows = []
    for w in range(1, 5):
        day = pd.Timestamp("2017-07-01") - pd.Timedelta(days=7 * w - 2)
        rows += [(day.strftime("%Y-%m-%d"), IN_BOTH, "Shelling", "A", "P", 0)] * 2
    for w in range(after_weeks):
        day = pd.Timestamp("2017-07-01") + pd.Timedelta(days=7 * w + 1)
        rows.append((day.strftime("%Y-%m-%d"), IN_BOTH, "Shelling", "A", "P", 0))
    return rows


def test_st006_after_window_cut_by_the_data_end():
    rows = four_weeks_each_side()
    a = analyse(rows, before_days=28, after_days=90, data_span=(date(2017, 1, 1), date(2017, 7, 28)))
    assert (a.after_window.asked, a.after_window.covered) == (90, 28)
    assert "the incident data end on 28 Jul 2017" in a.after_window.cut
    assert (a.inside_after.incidents, a.inside_before.incidents) == (4, 8)
    exact = binomtest(4, 12).proportion_ci(method="exact")
    assert a.inside_rr.ratio == pytest.approx((4 / 28) / (8 / 28), rel=1e-4)  # not 4/90 per day
    assert a.inside_rr.poisson_lo == pytest.approx(exact.low / (1 - exact.low))
    assert "covers 28 of 90 days" in sentence(a)


def test_st007_after_window_cut_by_the_zone_end():
    zones = zones_frame()
    zones.loc[1, "valid_to"] = pd.Timestamp("2017-07-21")   # the zone ends after 21 days
    rows = [*four_weeks_each_side(), ("2017-08-15", IN_BOTH, "Shelling", "A", "P", 0)]
    a = analyse(rows, zones=zones, before_days=28, after_days=60)
    assert (a.after_window.covered, a.inside_after.incidents) == (21, 3)
    assert "the zone ended on 21 Jul 2017" in a.after_window.cut
    assert a.inside_rr.ratio == pytest.approx((3 / 21) / (8 / 28), rel=1e-3)


def test_st008_before_window_cut_by_the_data_start():
    a = analyse(four_weeks_each_side(), before_days=365, after_days=28)
    assert (a.before_window.covered, a.before_window.asked) == (181, 365)  # 1 Jan – 30 Jun
    assert "the incident data begin on 1 Jan 2017" in a.before_window.cut
    assert a.inside_rr.ratio == pytest.approx((4 / 28) / (8 / 181), rel=1e-2)


def test_st009_windows_with_no_covered_day_are_refused_with_the_fix():
    with pytest.raises(ZoneWatchError, match=r"no day of the before window .* Fix: choose a later"):
        analyse(ROWS, reference=date(2017, 1, 1), before_days=30, after_days=30)
    with pytest.raises(ZoneWatchError, match=r"no day of the after window .*incident data end"):
        analyse(ROWS, reference=date(2018, 1, 1), before_days=30, after_days=30)


def test_st010_no_incidents_before_gives_a_lower_bound_and_says_so():
    rows = [(f"2017-07-{d:02d}", IN_BOTH, "Shelling", "A", "P", 0) for d in (2, 5, 9, 12, 20)]
    a = analyse(rows, before_days=30, after_days=30)
    p_low = 0.025 ** (1 / 5)
    assert a.inside_rr.ratio is None and a.inside_rr.one_sided == "lower"
    assert a.inside_rr.lo == pytest.approx(p_low / (1 - p_low))
    assert "at least" in a.inside_rr.words()
    assert headline(a).startswith("Violence inside rose from none recorded")
    assert "≥" in to_markdown(a)


def test_st011_high_bound_counts_every_incident_whose_radius_reaches_the_zone():
    beyond_ring = (36.9, 34.5)  # ~37 km east of the narrow zone: outside the 25 km ring
    rows = [("2017-07-03", beyond_ring, "Shelling", "A", "Far-ish", 0, 50.0),
            ("2017-07-04", beyond_ring, "Shelling", "A", "Far-ish", 0, 2.0),
            ("2017-07-05", (36.49, 34.5), "Shelling", "A", "Edge", 0, 2.0)]  # ~0.9 km inside
    a = analyse(rows, before_days=10, after_days=10)
    assert (a.inside_after.incidents, a.inside_after.low, a.inside_after.high) == (1, 0, 2)
    assert (a.ring_after.incidents, a.ring_after.low, a.ring_after.high) == (0, 0, 2)


def test_st012_rate_ratio_with_location_uncertainty():
    certain = [(f"2017-06-{d:02d}", IN_BOTH, "Shelling", "A", "P", 0) for d in (3, 8, 13, 18)]
    edge_before = [("2017-06-25", (36.49, 34.5), "Shelling", "A", "Edge", 0)] * 2
    after = [(f"2017-07-{d:02d}", IN_BOTH, "Shelling", "A", "P", 0) for d in (3, 9, 15)]
    a = analyse(certain + edge_before + after, before_days=30, after_days=30)
    assert (a.inside_before.low, a.inside_before.high) == (4, 6)
    assert a.inside_rr.low_ratio == pytest.approx(3 / 4)
    assert a.inside_rr.high_ratio == pytest.approx(3 / 6)
    assert "0.50–0.75 allowing for location uncertainty" in sentence(a)


def test_st013_its_uses_covered_weeks_only_and_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    rows = []
    for week in range(-8, 8):
        for _ in range(rng.poisson(6 if week < 0 else 2)):
            day = pd.Timestamp("2017-07-01") + pd.Timedelta(days=7 * week + int(rng.integers(7)))
            rows.append((day.strftime("%Y-%m-%d"), IN_BOTH, "Shelling", "A", "Alpha", 0))
    span = (date(2017, 1, 1), date(2017, 8, 12))  # the data end in week 6 after the reference day
    a = analyse(rows, before_days=56, after_days=90, data_span=span)
    counted = [r for r in rows if r[0] <= "2017-08-12"]
    assert sum(a.its.observed) == len(counted)
    assert len(a.its.weeks) == 8 + 7 and a.its.exposure[-1] == 1   # the week of 12 Aug: 1 day
    t = np.arange(-8, 7)
    post = (t >= 0).astype(float)
    x = sm.add_constant(np.column_stack([t, post, t * post]))
    fit = sm.NegativeBinomial(np.array(a.its.observed), x,
                              exposure=np.array(a.its.exposure, float)).fit(disp=0)
    assert a.its.level_irr == pytest.approx(np.exp(fit.params[2]), rel=1e-3)
    assert a.its.slope_irr == pytest.approx(np.exp(fit.params[3]), rel=1e-3)
    assert "8 weeks before (6 May 2017 on) and 7 from the reference day (to 12 Aug 2017)" in \
        a.its.weeks_used


def test_st014_its_refuses_when_every_week_before_is_zero():
    rows = [(f"2017-07-{d:02d}", IN_BOTH, "Shelling", "A", "P", 0) for d in range(2, 30, 2)]
    a = analyse(rows, before_days=56, after_days=56)
    assert a.its is None and "every week before the reference day has zero" in a.its_refused


def test_st015_sentence_and_table_agree():
    a = analyse(ROWS, before_days=10, after_days=10)
    text = sentence(a)
    inside, ring = table_rows(a)
    assert f"{inside['incidents_after']} violent incidents" in text
    assert f"against {inside['incidents_before']}" in text
    assert f"rate ratio {inside['rate_ratio']:.2f}" in text
    assert f"{ring['incidents_after']} against {ring['incidents_before']}" in text
    assert "from 1 Jul 2017 in Zone Z" in text
    assert (inside["days_before"], inside["days_after"]) == (10, 10)


def test_st016_small_counts_are_said_in_words():
    a = analyse(ROWS, before_days=10, after_days=10)
    assert any("too few" in w for w in a.warnings)
    assert "too small to say for sure" in sentence(a)


def test_st017_filters_are_named_in_sentence():
    a = analyse(ROWS, before_days=10, after_days=10, filters={"Event type": "Shelling"})
    assert "Filters: Event type: Shelling." in sentence(a)


@pytest.mark.parametrize(("zone", "options", "message"), [
    ("nowhere", {}, r"no zone 'nowhere'\. Fix: use one of z"),
    ("z", {"before_days": 0}, r"windows must be at least 1 day"),
    ("z", {"ring_km": 0}, r"ring wider than 0 km"),
    ("z", {"ring_km": float("nan")}, r"ring wider than 0 km"),
])
def test_st018_bad_arguments(zone, options, message):
    data = assemble_dataset(zones_frame(), incidents_frame(ROWS), milestones_frame(), [])
    view = build_view_data(data, "test")
    with pytest.raises(ZoneWatchError, match=message):
        before_after(view.index, view.zones, data.zone_index, data.milestones, zone, **options)


def test_st019_reports_render_the_same_numbers():
    a = analyse(ROWS, before_days=10, after_days=10)
    md = to_markdown(a)
    assert "| inside the zone | 10 / 10 | 3 | 1 |" in md
    assert md_text(headline(a)) in md
    csv_text = to_csv(a)
    assert csv_text.splitlines()[1].startswith("z,2017-07-01,inside zone,10,10,3,1")
    import json

    data = json.loads(to_json(a))
    assert set(data["inside_rr"]) >= {"ratio", "lo", "hi", "method", "poisson_lo", "poisson_hi",
                                      "low_ratio", "high_ratio"}
    assert data["covered_days"] == {"before": 10, "after": 10}
    assert data["headline"] == headline(a)


def test_st020_markdown_report_keeps_data_as_text():
    rows = [(*row[:4], "<script>alert(1)</script> ![x](http://evil/p.png) [a](b)", row[5])
            for row in ROWS]
    md = to_markdown(analyse(rows, before_days=10, after_days=10))
    assert "<script>" not in md and "![x](" not in md and "[a](b)" not in md
    assert "\\<script\\>" in md and "http:\\/\\/evil" in md


@pytest.mark.parametrize(("ratio", "words"), [
    (1.63, "rose by about two thirds"), (0.51, "fell by about half"), (1.02, "barely changed"),
    (2.0, "about doubled"), (3.4, "rose to about 3 times its earlier rate"),
    (0.08, "fell by about 90%"), (0.74, "fell by about a quarter")])
def test_st021_change_in_plain_words(ratio, words):
    assert change_words(ratio) == words


def test_st022_headline_says_rose_fell_or_chance():
    rng = np.random.default_rng(8)
    rows = []
    for d in range(1, 181):
        day = pd.Timestamp("2017-01-02") + pd.Timedelta(days=d)
        n = rng.poisson(3 if day < pd.Timestamp("2017-07-01") else 0.6)
        rows += [(day.strftime("%Y-%m-%d"), IN_BOTH, "Shelling", "A", "P", 0)] * int(n)
    a = analyse(rows, before_days=90, after_days=90)
    text = headline(a)
    assert text.startswith("Violence inside fell by about")
    assert "more than chance would explain" in text
    assert a.inside_rr.hi < 1


def test_st023_mostly_ambiguous_locations_cannot_settle_it():
    rows = [(f"2017-06-{d:02d}", (36.49, 34.5), "Shelling", "A", "Edge", 0) for d in range(1, 29)]
    rows += [(f"2017-07-{d:02d}", (36.49, 34.5), "Shelling", "A", "Edge", 0) for d in range(1, 9)]
    a = analyse(rows, before_days=30, after_days=30)
    assert headline(a).startswith("The location data cannot settle whether violence inside changed")


def test_st024_extra_non_violent_types_are_left_out():
    a = analyse(ROWS, before_days=10, after_days=10, non_violent={"Airstrike"})
    assert a.inside_after.incidents == 0
    assert a.non_violent_left_out == {"Airstrike": 2, "Aid convoy": 1}


def test_st025_reference_before_the_zone_exists_uses_its_first_area():
    zones = zones_frame().iloc[[1]].copy()    # only v2 (from 1 Jul 2017)
    rows = four_weeks_each_side()
    a = analyse(rows, zones=zones, reference=date(2017, 6, 24), before_days=28, after_days=28)
    assert (a.after_window.covered, a.after_window.asked) == (21, 28)
    assert "the zone came into force on 1 Jul 2017" in a.after_window.cut
    assert any("'before' counts the area it covered on 1 Jul 2017" in w for w in a.warnings)


def test_st026_geometry_helpers_unchanged():
    assert Point(IN_BOTH).within(NARROW) and not Point(EAST_HALF).within(NARROW)


def test_st027_the_server_setting_names_more_non_violent_types(monkeypatch):
    monkeypatch.setenv("ZONEWATCH_NON_VIOLENT", "Airstrike; Detention")
    a = analyse(ROWS, before_days=10, after_days=10)
    assert a.non_violent_left_out == {"Airstrike": 2, "Aid convoy": 1}


# With an agreement's terms ------------------------------------------------------------------
HTS = Exemption("Hay'at Tahrir al-Sham", ("HTS",), start=date(2017, 9, 10), source="Exempt src")
TERMS = Terms((Agreement(
    "z-deal", "Zone Z ceasefire", ("z",), datetime(2017, 7, 1, 12), source="Deal src",
    parties=(Party("Government", "government", ("Gov",)),),
    exempt=(HTS,),
    commitments=(Commitment("aid", "Aid enters", date(2017, 7, 5),
                            Evidence(event_types=("Aid convoy",)), source="Aid src"),)),),
    source_file="terms.json")
#: The stand-in classifier's class for each actor1 (the real rules: analysis.classify).
STUB_CLASSES = {"Gov": "violation", "GovHTS": "permitted", "IS": "non_party", "?": "unclear"}
TERMS_ROWS = [
    ("2017-06-25", IN_BOTH, "Shelling", "Gov", "Alpha", 1),      # before: not classified
    ("2017-07-01", IN_BOTH, "Shelling", "?", "Alpha", 0),        # unclear
    ("2017-07-02", IN_BOTH, "Aid convoy", "UN", "Beta", 0),      # non-violent: left out
    ("2017-07-03", IN_BOTH, "Airstrike", "Gov", "Beta", 1),      # violation
    ("2017-07-04", IN_BOTH, "Airstrike", "Gov", "Beta", 0),      # violation
    ("2017-07-05", IN_BOTH, "Airstrike", "GovHTS", "Beta", 0),   # permitted
    ("2017-07-06", IN_BOTH, "Shelling", "IS", "Beta", 0),        # non_party
    ("2017-07-05", EAST_HALF, "Shelling", "Gov", "Gamma", 1),    # ring: not classified
]


@pytest.fixture
def stub_classify(monkeypatch):
    """Stand in for analysis.classify: the class by actor1; records what it was given."""
    seen = []

    def classify(incidents, terms, non_violent=frozenset()):
        seen.append(incidents["incident_id"].tolist())
        cls = incidents["actor1"].map(STUB_CLASSES)
        return pd.DataFrame({"classification": cls, "classification_reason": "stub",
                             "agreement_id": "z-deal"}, index=incidents.index)

    monkeypatch.setattr(ceasefire, "_classify", classify)
    return seen


def test_st028_terms_count_violations_apart_from_all_violent_incidents(stub_classify):
    a = analyse(TERMS_ROWS, before_days=10, after_days=10, ring_km=25, terms=TERMS)
    assert a.inside_after.incidents == 5                       # every violent incident, as before
    assert stub_classify == [["i1", "i3", "i4", "i5", "i6"]]   # inside, after, violent only
    t = a.terms
    assert (t.violations, t.permitted, t.unclear, t.non_party) == (2, 1, 1, 1)
    assert t.as_of == date(2017, 7, 10)                        # the after window's last day
    assert [(c.id, c.status, c.evidence_ids) for c in t.commitments] == [("aid", "kept", ("i2",))]


def test_st029_sentence_names_the_exemptions_and_the_counts(stub_classify):
    plain = sentence(analyse(TERMS_ROWS, before_days=10, after_days=10, ring_km=25))
    text = sentence(analyse(TERMS_ROWS, before_days=10, after_days=10, ring_km=25, terms=TERMS))
    assert text.startswith(plain)                              # the terms only add words
    assert text[len(plain):] == (
        " Under the terms of the Zone Z ceasefire, the 5 violent incidents inside from 1 Jul 2017 "
        "were 2 violations, 1 permitted strike on an exempt group, 1 unclear and 1 with no party "
        "involved. Strikes on Hay'at Tahrir al-Sham from 10 Sep 2017 are not counted as "
        "violations.")


@pytest.mark.parametrize(("start", "until", "words"), [
    (date(2017, 9, 10), None, "strikes on X from 10 Sep 2017 are not counted as violations"),
    (date(2017, 9, 10), date(2017, 10, 1), "strikes on X from 10 Sep 2017 to 1 Oct 2017 are"),
    (None, None, "strikes on X are not counted as violations"),
    (None, date(2017, 10, 1), "strikes on X until 1 Oct 2017 are"),
])
def test_st030_exemption_words(start, until, words):
    assert exemption_words(Exemption("X", start=start, until=until)).startswith(words)


def test_st031_without_terms_nothing_changes_and_a_zone_without_terms_says_so(stub_classify):
    plain = analyse(TERMS_ROWS, before_days=10, after_days=10)
    assert plain.terms is None and "terms" not in plain.to_dict()
    assert "commitments" not in json.loads(to_json(plain))
    assert "## Terms" not in to_markdown(plain) and stub_classify == []
    other = analyse(TERMS_ROWS, before_days=10, after_days=10, terms=Terms())
    assert other.terms is None
    assert "the terms file gives no agreement for zone 'z': incidents are not classified" \
        in other.warnings


def test_st032_reports_carry_the_terms(stub_classify):
    a = analyse(TERMS_ROWS, before_days=10, after_days=10, ring_km=25, terms=TERMS)
    doc = json.loads(to_json(a))
    assert doc["commitments"] == [{
        "id": "aid", "text": "Aid enters", "due": "2017-07-05", "status": "kept",
        "evidence_ids": ["i2"], "source": "Aid src", "first_evidence": "2017-07-02",
        "status_source": "incident data", "status_day": None}]
    assert {k: doc["terms"][k] for k in ("violations", "permitted", "unclear", "non_party")} == \
        {"violations": 2, "permitted": 1, "unclear": 1, "non_party": 1}
    md = to_markdown(a)
    section = md.split("## Terms\n", 1)[1].split("\n## ", 1)[0]
    assert "**Zone Z ceasefire** (z-deal), in effect from 1 Jul 2017 12:00; source: Deal src." \
        in section
    assert "- Government (government): also Gov" in section
    assert ("- Hay'at Tahrir al-Sham (also HTS): strikes on Hay'at Tahrir al-Sham from 10 Sep "
            "2017 are not counted as violations; source: Exempt src") in section
    assert ("- aid: Aid enters (due 5 Jul 2017): **kept**; first evidence 2 Jul 2017 (incidents "
            "i2); source: Aid src") in section
    assert "2 violations, 1 permitted, 1 unclear, 1 with no party involved" in section


def test_st033_parties_not_reported_and_an_analysts_entry(stub_classify):
    ag = TERMS.agreements[0]
    entry = AnalystStatus("broken", date(2017, 7, 8), "Field call")
    quiet = Terms((replace(ag, parties=(), parties_note="the parties of this zone are not "
                           "reported", commitments=(replace(ag.commitments[0], analyst=entry),)),))
    md = to_markdown(analyse(TERMS_ROWS, before_days=10, after_days=10, terms=quiet))
    assert "- parties not reported: the parties of this zone are not reported" in md
    assert "**broken** by Field call, 8 Jul 2017; first evidence 2 Jul 2017" in md
