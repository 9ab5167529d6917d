"""Likely duplicates across sources: each linking rule on a hand-made pair, clusters,
decisions, counting once, the index against the all-pairs baseline, and the truth set
made from real UCDP GED rows (the one place besides test_geodata that reads bundled data:
the rules must hold on real rows, not only on frames made to fit them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import dedupe, dedupe_eval, eventkinds, linkindex
from dashboard.analysis.dedupe import LINK_COLUMNS, cluster_ids, count_once, find_links
from dashboard.core import model
from dashboard.core.errors import ConfigError

KM_LAT = 111.195  # km per degree of latitude on EARTH_KM's sphere

BASE = {
    "incident_id": "x", "date": "2017-08-03", "date_end": None, "date_precision": "day",
    "lon": 36.73, "lat": 34.84, "place": "Talbiseh", "admin1": "", "admin2": "",
    "loc_precision": "exact", "precision_km": 2.0, "event_type": "Airstrike",
    "sub_type": "", "actor1": "Syrian government forces", "actor2": "", "fatalities": 4.0,
    "source": "test", "notes": "", "dataset": "A",
}


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame([BASE | r for r in rows])
    out["date"] = pd.to_datetime(out["date"])
    out["date_end"] = pd.to_datetime(out["date_end"]).fillna(out["date"])
    return out[model.INCIDENT_COLUMNS]


def pair(**other) -> pd.DataFrame:
    """Row 0 in dataset A as BASE; row 1 in dataset B with ``other`` changed."""
    return frame({}, {"incident_id": "y", "dataset": "B", "fatalities": 5.0} | other)


def north(km: float) -> float:
    return BASE["lat"] + km / KM_LAT


# Each rule ------------------------------------------------------------------------------
def test_one_event_in_two_sources_is_one_link_with_its_reasons():
    links = find_links(pair(event_type="Explosions/Remote violence", sub_type="Air/drone strike",
                            actor1="Military Forces of Syria (2000-)", lat=north(1.2)))
    assert list(links.columns) == LINK_COLUMNS
    assert links[["a", "b", "dataset_a", "id_a", "dataset_b", "id_b", "cluster"]].values.tolist() \
        == [[0, 1, "A", "x", "B", "y", 0]]
    assert links["score"][0] > 0.85
    assert links["reasons"][0] == ("same day; 1.2 km apart (both radii 2 km); both airstrikes; "
                                   "actors agree (Government of Syria); fatalities 4 vs 5")


def test_rows_of_one_dataset_are_never_linked():
    assert find_links(frame({}, {"incident_id": "y"})).empty


@pytest.mark.parametrize(("other", "linked", "words"), [
    pytest.param({"date": "2017-08-04"}, False, None, id="next-day"),
    pytest.param({"date": "2017-08-01", "date_end": "2017-08-05", "date_precision": "2-6 days"},
                 True, "dates overlap", id="ucdp-range-covers"),
    pytest.param({"date": "2017-08-01", "date_end": "2017-08-02"}, False, None,
                 id="range-ends-before"),
    pytest.param({"date": "2017-08-05", "date_precision": "week"}, True, "dates overlap",
                 id="week-precision-widens"),
    pytest.param({"date": "2017-08-20", "date_precision": "week"}, False, None,
                 id="week-precision-not-enough"),
])
def test_dates_must_overlap(other, linked, words):
    links = find_links(pair(**other))
    assert len(links) == linked
    if linked:
        assert links["reasons"][0].startswith(words)


def test_day_tolerance_admits_the_next_day():
    links = find_links(pair(date="2017-08-04"), day_tolerance=1)
    assert links["reasons"][0].startswith("dates within the tolerance")


@pytest.mark.parametrize(("km", "other", "linked"), [
    pytest.param(3.9, {}, True, id="within-2+2"),
    pytest.param(4.1, {}, False, id="beyond-2+2"),
    pytest.param(26.0, {"loc_precision": "near", "precision_km": 25.0}, True, id="within-2+25"),
    pytest.param(28.0, {"loc_precision": "near", "precision_km": 25.0}, False, id="beyond-2+25"),
])
def test_places_must_lie_within_both_radii(km, other, linked):
    assert len(find_links(pair(lat=north(km), **other), threshold=0.0)) == linked


@pytest.mark.parametrize(("event_type", "sub_type", "linked", "words"), [
    ("Aid convoy", "Food", False, None),
    ("Shelling", "Artillery", False, None),
    ("Unspecified", "", True, "type unknown on one side"),
    ("State-based conflict", "Government of Syria - Syrian insurgents", True,
     "types compatible (airstrikes / armed violence)"),
    ("Explosions/Remote violence", "", True, "types compatible (airstrikes / remote violence)"),
])
def test_event_types_must_be_compatible_and_unknown_is_neutral(event_type, sub_type, linked,
                                                               words):
    links = find_links(pair(event_type=event_type, sub_type=sub_type))
    assert len(links) == linked
    if linked:
        assert words in links["reasons"][0]


def test_actors_agree_through_aliases_and_across_sides():
    hts = {"actor1": "HTS", "actor2": "Government of Syria"}
    links = find_links(frame(hts, {"incident_id": "y", "dataset": "B",
                                   "actor1": "Military Forces of Syria (2000-)",
                                   "actor2": "Hay’at Tahrir al-Sham"}))
    assert links["score"][0] == 1.0
    assert "actors agree (" in links["reasons"][0]


def test_conflicting_known_actors_lower_the_score_and_none_named_is_neutral():
    agree = find_links(pair(), threshold=0)["score"][0]
    unknown = find_links(pair(actor1="Unknown"), threshold=0)
    differ = find_links(pair(actor1="Islamic State"), threshold=0)
    assert differ["score"][0] < unknown["score"][0] < agree
    assert "actors differ" in differ["reasons"][0]
    assert "actors not compared (one side names none)" in unknown["reasons"][0]


@pytest.mark.parametrize(("fatalities", "linked", "words"), [
    (5.0, True, "fatalities 4 vs 5"),
    (6.0, True, "fatalities 4 vs 6"),
    (40.0, False, None),                       # far apart: vetoed
    (np.nan, True, "fatalities unknown on one side"),
])
def test_fatalities_must_not_contradict(fatalities, linked, words):
    links = find_links(pair(fatalities=fatalities), threshold=0.0)
    assert len(links) == linked
    if linked:
        assert links["reasons"][0].endswith(words)


def test_a_link_needs_the_threshold():
    weak = pair(actor1="Islamic State", fatalities=9.0, lat=north(3.0))
    assert find_links(weak).empty
    assert len(find_links(weak, threshold=0.3)) == 1


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match=r"unknown dedupe setting\(s\) \['treshold'\]"):
        find_links(pair(), treshold=0.5)


def test_empty_and_unlinkable_frames_give_no_links():
    assert list(find_links(frame({}).iloc[:0]).columns) == LINK_COLUMNS
    assert find_links(pair(lon=np.nan)).empty


def test_input_is_not_changed():
    incidents = pair()
    before = incidents.copy()
    find_links(incidents)
    pd.testing.assert_frame_equal(incidents, before)


# Clusters -------------------------------------------------------------------------------
def three_sources() -> pd.DataFrame:
    return frame({}, {"incident_id": "y", "dataset": "B", "lat": north(0.5)},
                 {"incident_id": "z", "dataset": "C", "lat": north(1.0), "fatalities": 5.0},
                 {"incident_id": "w", "dataset": "A", "date": "2017-09-01"})


def test_one_event_told_by_three_sources_is_one_cluster():
    incidents = three_sources()
    links = find_links(incidents)
    assert len(links) == 3
    assert cluster_ids(len(incidents), links).tolist() == [0, 0, 0, 3]
    assert links["cluster"].tolist() == [0, 0, 0]


def test_a_row_keeps_its_best_link_to_each_other_dataset():
    incidents = frame({}, {"incident_id": "far", "dataset": "B", "lat": north(3.0)},
                      {"incident_id": "near", "dataset": "B", "lat": north(0.2)},
                      {"incident_id": "c", "dataset": "C", "lat": north(3.0)})
    links = find_links(incidents, threshold=0.3)
    assert links[["id_a", "id_b"]].values.tolist() == [["x", "near"], ["x", "c"], ["far", "c"]]
    assert len(find_links(incidents, threshold=0.3, max_links_per_row=2)) == 5


def test_a_cluster_holds_one_row_per_dataset_the_better_link_wins():
    incidents = frame({}, {"incident_id": "far", "dataset": "B", "lat": north(3.0)},
                      {"incident_id": "near", "dataset": "B", "lat": north(0.2)})
    links = find_links(incidents, threshold=0.3, max_links_per_row=0)
    assert len(links) == 2
    assert cluster_ids(len(incidents), links, threshold=0.3).tolist() == [0, 1, 0]


def test_rejected_link_splits_even_through_a_third_source_and_survives_reordering():
    incidents = three_sources()
    links = find_links(incidents)
    rejected = [("B", "y", "A", "x")]              # either order names the link
    clusters = cluster_ids(len(incidents), links, rejected=rejected)
    assert clusters[0] != clusters[1]
    assert clusters[2] in (clusters[0], clusters[1]) and clusters[3] == 3
    moved = incidents.iloc[[3, 2, 1, 0]].reset_index(drop=True)  # a reload in another order
    again = find_links(moved)
    clusters = cluster_ids(len(moved), again, rejected=rejected)
    assert clusters[moved["incident_id"].eq("x").to_numpy()][0] != clusters[
        moved["incident_id"].eq("y").to_numpy()][0]


def test_confirmed_links_come_first_and_may_break_the_one_row_per_dataset_rule():
    incidents = frame({}, {"incident_id": "far", "dataset": "B", "lat": north(3.0)},
                      {"incident_id": "near", "dataset": "B", "lat": north(0.2)})
    links = find_links(incidents, threshold=0.3)
    links = find_links(incidents, threshold=0.3, max_links_per_row=0)
    far = ("A", "x", "B", "far")
    assert cluster_ids(len(incidents), links, threshold=0.3,
                       confirmed=[far]).tolist() == [0, 0, 2]  # beats the better link
    both = [far, ("B", "near", "A", "x")]
    assert cluster_ids(len(incidents), links, threshold=0.3,
                       confirmed=both).tolist() == [0, 0, 0]  # the analyst's word


def test_links_below_the_threshold_do_not_cluster_unless_confirmed():
    incidents = pair(actor1="Islamic State", fatalities=9.0, lat=north(3.0))
    links = find_links(incidents, threshold=0.3)
    assert cluster_ids(2, links).tolist() == [0, 1]
    assert cluster_ids(2, links, confirmed=[tuple(links.loc[0, ["dataset_a", "id_a",
                                                                 "dataset_b", "id_b"]])]
                       ).tolist() == [0, 0]


def test_cluster_ids_without_links_are_the_rows():
    empty = find_links(frame({}))
    assert cluster_ids(4, empty).tolist() == [0, 1, 2, 3]
    assert cluster_ids(4, empty).dtype == np.int64


@pytest.mark.parametrize(("selected", "preference", "kept"), [
    pytest.param([1, 1, 1, 1], None, [1, 0, 0, 1], id="first-of-each"),
    pytest.param([1, 1, 1, 1], [25, 2, 2, 2], [0, 1, 0, 1], id="best-precision"),
    pytest.param([0, 1, 1, 0], None, [0, 1, 0, 0], id="after-a-filter"),
    pytest.param([0, 0, 1, 0], [1, 1, np.nan, 1], [0, 0, 1, 0], id="only-row-left"),
    pytest.param([0, 0, 0, 0], None, [0, 0, 0, 0], id="nothing"),
])
def test_count_once_keeps_one_row_per_cluster(selected, preference, kept):
    clusters = np.array([0, 0, 0, 3])
    out = count_once(np.array(selected, dtype=bool), clusters,
                     None if preference is None else np.array(preference, dtype=float))
    assert out.tolist() == [bool(k) for k in kept]


# The index ------------------------------------------------------------------------------
def test_every_compatible_pair_of_kinds_shares_a_group():
    groups = eventkinds.blocks()
    for (a, b), value in eventkinds.COMPATIBLE.items():
        if value > 0 and eventkinds.UNKNOWN not in (a, b):
            assert any(a in g and b in g for g in groups), (a, b)
    for g in groups:  # and a group holds only compatible kinds
        assert all((x, y) in eventkinds.COMPATIBLE for x in g for y in g)


def test_grid_join_finds_what_brute_force_finds():
    rng = np.random.default_rng(3)
    s_lon, s_lat = rng.uniform(35, 42, 800), rng.uniform(32, 37.5, 800)
    c_lon, c_lat = rng.uniform(35, 42, 900), rng.uniform(32, 37.5, 900)
    s_b, c_b = rng.integers(0, 3, 800), rng.integers(0, 3, 900)
    found = set()
    for i, j, _ in linkindex.pairs_within(s_lon, s_lat, s_b, c_lon, c_lat, c_b, 40.0):
        found |= set(zip(i.tolist(), j.tolist(), strict=True))
    km = linkindex.great_circle_km(s_lon[:, None], s_lat[:, None], c_lon[None], c_lat[None])
    i, j = np.nonzero((km <= 40.0) & (s_b[:, None] == c_b[None]))
    assert found == set(zip(i.tolist(), j.tolist(), strict=True))
    assert len(found) > 100


@pytest.fixture(scope="module")
def ucdp() -> pd.DataFrame:
    from dashboard.analysis.dataset import bundled_files
    from dashboard.io import load_incidents

    frame, _ = load_incidents(bundled_files()["incidents"][0])
    return frame


def test_index_and_all_pairs_baseline_find_the_same_links(ucdp):
    second, _ = dedupe_eval.second_source(ucdp, n=600, seed=5)
    incidents = pd.concat([ucdp.iloc[:3000], second], ignore_index=True)
    grid = find_links(incidents, threshold=0.5)
    naive = find_links(incidents, threshold=0.5, index="all-pairs")
    assert len(grid) > 100
    pd.testing.assert_frame_equal(grid, naive)


def test_index_and_baseline_agree_on_synthetic_rows_with_a_day_of_tolerance():
    from dashboard.io.synth import synthetic_incidents

    a = synthetic_incidents(1500, seed=2, start="2017-01-01", end="2017-03-31")
    b = a.sample(frac=0.5, random_state=1).copy()
    b["dataset"], b["incident_id"] = "SYNTHETIC B", [f"b{i}" for i in range(len(b))]
    b["date"] += pd.to_timedelta(np.arange(len(b)) % 2, "D")
    incidents = pd.concat([a, b, synthetic_incidents(500, seed=3).assign(dataset="C")],
                          ignore_index=True)
    grid = find_links(incidents, day_tolerance=1)
    assert len(grid) > 300
    pd.testing.assert_frame_equal(grid, find_links(incidents, day_tolerance=1,
                                                   index="all-pairs"))


# Truth: real UCDP rows copied as an ACLED-like source ---------------------------------
def test_copies_of_real_ucdp_rows_are_found_with_precision_and_recall_above_95(ucdp):
    crowded = dedupe_eval.crowded(ucdp)
    second, truth = dedupe_eval.second_source(ucdp, n=400, seed=11,
                                              rows=np.nonzero(~crowded)[0])
    assert second["dataset"].eq(dedupe_eval.DATASET).all()
    assert second["notes"].eq("SYNTHETIC").all()
    incidents = pd.concat([ucdp, second], ignore_index=True)
    links = find_links(incidents)
    clusters = cluster_ids(len(incidents), links)
    for result in (dedupe_eval.precision_recall(links, truth, len(ucdp)),
                   dedupe_eval.precision_recall(links, truth, len(ucdp), clusters)):
        assert result["precision"] >= 0.95, result
        assert result["recall"] >= 0.95, result


def test_weights_sum_to_one():
    assert sum(dedupe.WEIGHTS.values()) == pytest.approx(1.0)


def test_bundled_reported_events_are_their_own_source_and_not_ucdp_events(ucdp):
    """Read by hand: the five reported events have no UCDP counterpart (the airstrike of
    31 Jul 2017 in the Homs pocket has no UCDP event within 30 km that day; the others
    are not lethal violence, which is all UCDP records). The nearest candidate, a
    country-level UCDP row 126 km away, stays under the threshold."""
    from dashboard.analysis.dataset import bundled_files
    from dashboard.io import load_incidents

    reports, _ = load_incidents(bundled_files()["incidents"][1])
    both = pd.concat([ucdp, reports.assign(dataset="Reported events")], ignore_index=True)
    assert both["dataset"].nunique() == 2
    assert find_links(both).empty
    weak = find_links(both, threshold=0.5)
    assert weak["id_b"].tolist() == ["sd-2017-07-31-1"]
    assert weak["reasons"][0].startswith("same day; 126.4 km apart (radii 300 and 50 km)")


# The ceiling: what an ideal rule could find -------------------------------------------
def test_fatality_chance_by_hand():
    # real 4: factor 1 (2 of 6 draws) with step 0, 0.75 → 3 with +1, 1.25 → 5 with -1:
    # 4 of 18 equally likely draws, then 95% known.
    assert dedupe_eval.fatality_chance(np.array([4.0]), np.array([4.0]))[0] == \
        pytest.approx(4 / 18 * 0.95)
    assert dedupe_eval.fatality_chance(np.array([4.0]), np.array([np.nan]))[0] == 0.05
    assert dedupe_eval.fatality_chance(np.array([np.nan]), np.array([np.nan]))[0] == 1.0
    assert dedupe_eval.fatality_chance(np.array([np.nan]), np.array([3.0]))[0] == 0.0
    assert dedupe_eval.fatality_chance(np.array([4.0]), np.array([40.0]))[0] == 0.0


@pytest.mark.parametrize("dead", [0.0, 1.0, 3.0, 7.0, 20.0])
def test_fatality_chance_is_a_distribution(dead):
    values = np.r_[np.arange(0, 60, dtype="float64"), np.nan]
    chances = dedupe_eval.fatality_chance(np.full(len(values), dead), values)
    assert chances.sum() == pytest.approx(1.0)


def test_the_ceiling_finds_copies_whose_originals_differ_and_not_an_exact_repeat():
    real = pd.DataFrame({
        "incident_id": ["a", "b", "c", "d"], "dataset": "UCDP",
        "date": pd.to_datetime(["2017-05-01"] * 4), "date_end": pd.NaT,
        "lon": [36.0, 36.0, 38.0, 38.0], "lat": [35.0, 35.0, 36.0, 36.0],
        "precision_km": 2.0, "actor1": "Government of Syria", "actor2": "IS",
        "event_type": "State-based conflict", "fatalities": [2.0, 20.0, 5.0, 5.0]})
    # Copies of a (2 dead → 3) and of c (an exact repeat of d): a is told from b by its
    # fatalities; c and d are one row twice, so half the time the ideal rule takes d.
    copies = real.iloc[[0, 2]].assign(fatalities=[3.0, 5.0], actor1="SAA",
                                      incident_id=["x", "y"]).reset_index(drop=True)
    truth = pd.DataFrame({"real_row": [0, 2], "copy_row": [0, 1]})
    candidates = pd.DataFrame({"real_row": [0, 1, 2, 3], "copy_row": [0, 0, 1, 1]})
    found = dedupe_eval.ceiling(real, copies, truth, candidates)
    assert found in (0.5, 1.0)
    assert dedupe_eval.ceiling(real, copies, truth.iloc[:1], candidates) == 1.0
    far = copies.assign(lon=copies["lon"] + 1.0)  # beyond the 2 km radius: no copy
    assert dedupe_eval.ceiling(real, far, truth, candidates) == 0.0


def test_reasons_name_every_side_that_agrees():
    strike = {"event_type": "Explosions/Remote violence", "sub_type": "Air/drone strike"}
    both = find_links(frame({"actor2": "IS"} | strike, {
        "incident_id": "y", "dataset": "B", "actor1": "Military Forces of Syria (2000-)",
        "actor2": "ISIL"} | strike))
    assert "actors agree (Government of Syria, Islamic State);" in both["reasons"][0]
    one = find_links(pair(actor2="", event_type="Explosions/Remote violence",
                          sub_type="Air/drone strike"))
    assert "actors agree (Government of Syria);" in one["reasons"][0]
