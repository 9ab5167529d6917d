"""The temporal spatial join on hand-built cases (rules in dashboard/analysis/spatial.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

from dashboard.analysis.spatial import (
    JOIN_COLUMNS,
    ZoneIndex,
    join_incidents,
    join_with_masks,
    membership_masks,
    metric_crs,
    zone_membership,
)
from dashboard.core.errors import CRSMismatchError
from tests.conftest import make_incidents, make_zones
from tests.geometries import INNER, NEIGHBOUR, SQUARE, WIDE

GEOD = Geod(ellps="WGS84")


def geod_km(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def box_edge_km(lon, lat, shape) -> float:
    """Distance from a point inside a box to its nearest edge, on the ellipsoid."""
    minx, miny, maxx, maxy = shape.bounds
    return min(geod_km(lon, lat, lon, miny), geod_km(lon, lat, lon, maxy),
               geod_km(lon, lat, minx, lat), geod_km(lon, lat, maxx, lat))


def one(incidents_rows, zones) -> pd.DataFrame:
    return join_incidents(make_incidents(incidents_rows), zones)


def test_join_adds_the_join_columns_to_a_copy(zones, incidents):
    before = incidents.copy()
    out = join_incidents(incidents, zones)
    assert list(out.columns) == list(incidents.columns) + JOIN_COLUMNS
    assert len(out) == len(incidents)
    pd.testing.assert_frame_equal(incidents, before)  # input untouched
    assert out is not incidents


def test_shrinking_zone_counts_an_incident_only_while_the_wider_version_is_valid(zones):
    # (36.74, 34.90) is inside SQUARE (2017 boundary) but east of SHRUNK (2018 boundary).
    out = one([{"date": "2017-12-31", "lon": 36.74, "lat": 34.9},
               {"date": "2018-01-01", "lon": 36.74, "lat": 34.9}], zones)
    assert out["zone_id"].tolist()[0] == "homs-north"
    assert out["zone_version"].tolist()[0] == 2
    assert pd.isna(out["zone_id"].iloc[1])
    assert pd.isna(out["zone_version"].iloc[1])
    assert out["zone_count"].tolist() == [1, 0]
    # Outside on the second day: negative distance to the 36.7 E edge of the shrunk zone.
    assert out["nearest_zone_id"].iloc[1] == "homs-north"
    assert out["edge_km"].iloc[1] == pytest.approx(-geod_km(36.74, 34.9, 36.7, 34.9), rel=0.01)


def test_second_zone_starting_mid_series_counts_from_its_first_day(zones):
    out = one([{"date": "2017-09-30", "lon": 36.9, "lat": 34.9},
               {"date": "2017-10-01", "lon": 36.9, "lat": 34.9},
               {"date": "2019-06-01", "lon": 36.9, "lat": 34.9}], zones)
    assert pd.isna(out["zone_id"].iloc[0])
    assert out["zone_id"].tolist()[1:] == ["east", "east"]  # open-ended: still in force later
    assert out["zone_version"].tolist()[1:] == [1, 1]


@pytest.mark.parametrize(("day", "zone_id", "version"), [
    pytest.param("2017-08-02", "homs-north", 1, id="v1-valid_to-day"),
    pytest.param("2017-08-03", "homs-north", 2, id="v2-valid_from-day"),
    pytest.param("2018-05-14", "homs-north", 3, id="v3-valid_to-day"),
    pytest.param("2018-05-15", None, None, id="day-after-last-version"),
    pytest.param("2017-05-04", None, None, id="day-before-first-version"),
    pytest.param("2017-05-05", "homs-north", 1, id="first-day"),
])
def test_date_boundaries_include_both_ends(zones, day, zone_id, version):
    out = one([{"date": day, "lon": 36.65, "lat": 34.95}], zones)
    if zone_id is None:
        assert pd.isna(out["zone_id"].iloc[0])
        assert pd.isna(out["zone_version"].iloc[0])
    else:
        assert out["zone_id"].iloc[0] == zone_id
        assert out["zone_version"].iloc[0] == version


def test_multi_day_event_is_placed_on_its_first_day(zones):
    out = one([{"date": "2017-08-02", "date_end": "2017-08-05", "lon": 36.65, "lat": 34.95}], zones)
    assert out["zone_version"].iloc[0] == 1


def test_point_exactly_on_an_edge_is_inside_at_distance_zero_and_ambiguous():
    zones = make_zones([{"zone_id": "sq", "version": 1, "valid_from": "2017-01-01",
                         "valid_to": None, "geometry": SQUARE}])
    out = one([{"date": "2017-06-01", "lon": 36.6, "lat": 34.9},      # on the west edge
               {"date": "2017-06-01", "lon": 36.6, "lat": 34.8}], zones)  # on a corner
    assert out["zone_id"].tolist() == ["sq", "sq"]
    assert out["edge_km"].abs().max() < 0.01
    assert out["ambiguous"].tolist() == [True, True]  # a 2 km radius reaches past the edge


def test_point_on_an_edge_shared_by_two_zones_is_in_both():
    zones = make_zones([
        {"zone_id": "sq", "version": 1, "valid_from": "2017-01-01", "valid_to": None, "geometry": SQUARE},
        {"zone_id": "east", "version": 1, "valid_from": "2017-01-01", "valid_to": None,
         "geometry": NEIGHBOUR},
    ])
    out = one([{"date": "2017-06-01", "lon": 36.8, "lat": 34.9}], zones)
    assert out["zone_count"].iloc[0] == 2
    assert out["zone_id"].iloc[0] == "sq"  # the smaller of the two


def test_nested_zones_smallest_wins_and_membership_sees_the_outer(zones):
    rows = [{"date": "2017-09-01", "lon": 36.675, "lat": 34.875}]
    out = one(rows, zones)
    assert out["zone_id"].iloc[0] == "buffer"
    assert out["zone_count"].iloc[0] == 2
    assert out["edge_km"].iloc[0] == pytest.approx(box_edge_km(36.675, 34.875, INNER), rel=0.01)

    outer = zone_membership(make_incidents(rows), zones, "homs-north")
    assert outer["inside"].tolist() == [True]
    assert outer["version"].tolist() == [2]
    assert outer["edge_km"].iloc[0] > out["edge_km"].iloc[0]


def test_zone_membership_on_a_day_with_no_version(zones):
    rows = [{"date": "2018-06-01", "lon": 36.65, "lat": 34.95},
            {"date": "2017-09-01", "lon": 36.65, "lat": 34.95}]
    got = zone_membership(make_incidents(rows), zones, "homs-north")
    assert got["version"].tolist() == [0, 2]
    assert got["inside"].tolist() == [False, True]
    assert pd.isna(got["edge_km"].iloc[0])


@pytest.mark.parametrize(("lat", "loc_precision", "ambiguous"), [
    pytest.param(34.95, "exact", False, id="5.5km-inside-2km-radius"),
    pytest.param(34.95, "near", True, id="5.5km-inside-25km-radius"),
    pytest.param(34.99, "exact", True, id="1.1km-inside-2km-radius"),
    pytest.param(35.01, "exact", True, id="1.1km-outside-2km-radius"),
    pytest.param(35.1, "exact", False, id="11km-outside-2km-radius"),
    pytest.param(35.1, "province", True, id="11km-outside-100km-radius"),
])
def test_ambiguity_is_precision_radius_against_edge_distance(lat, loc_precision, ambiguous):
    zones = make_zones([{"zone_id": "wide", "version": 1, "valid_from": "2017-01-01",
                         "valid_to": None, "geometry": WIDE}])
    out = one([{"date": "2017-06-01", "lon": 36.75, "lat": lat, "loc_precision": loc_precision}],
              zones)
    assert bool(out["ambiguous"].iloc[0]) is ambiguous
    assert out["edge_km"].iloc[0] == pytest.approx(
        (1 if lat < 35 else -1) * geod_km(36.75, lat, 36.75, 35.0), rel=0.01)


@pytest.mark.parametrize(("lon", "lat", "edge_lon", "edge_lat", "sign"), [
    pytest.param(36.75, 34.9, 36.75, 35.0, 1, id="0.1deg-inside-north-edge"),
    pytest.param(36.75, 35.1, 36.75, 35.0, -1, id="0.1deg-outside-north-edge"),
    pytest.param(37.6, 34.75, 37.5, 34.75, -1, id="0.1deg-outside-east-edge"),
    pytest.param(36.1, 34.75, 36.0, 34.75, 1, id="0.1deg-inside-west-edge"),
])
def test_signed_distance_is_in_km_on_the_ellipsoid(lon, lat, edge_lon, edge_lat, sign):
    zones = make_zones([{"zone_id": "wide", "version": 1, "valid_from": "2017-01-01",
                         "valid_to": None, "geometry": WIDE}])
    out = one([{"date": "2017-06-01", "lon": lon, "lat": lat}], zones)
    truth = sign * geod_km(lon, lat, edge_lon, edge_lat)
    assert out["edge_km"].iloc[0] == pytest.approx(truth, rel=0.01)


def test_north_south_tenth_of_a_degree_is_about_11_km():
    zones = make_zones([{"zone_id": "wide", "version": 1, "valid_from": "2017-01-01",
                         "valid_to": None, "geometry": WIDE}])
    out = one([{"date": "2017-06-01", "lon": 36.75, "lat": 34.9}], zones)
    assert out["edge_km"].iloc[0] == pytest.approx(11.09, abs=0.11)


def test_incidents_with_no_zone_in_force_or_out_of_reach_get_nothing(zones):
    out = one([{"date": "2016-01-01", "lon": 36.65, "lat": 34.95},  # before every version
               {"date": "2017-09-01", "lon": 38.5, "lat": 33.5}], zones)  # far from every zone
    assert out["zone_id"].isna().all()
    assert out["zone_version"].isna().all()
    assert out["edge_km"].isna().all()
    assert out["nearest_zone_id"].isna().all()
    assert out["ambiguous"].tolist() == [False, False]
    assert out["zone_count"].tolist() == [0, 0]


def test_outside_within_reach_reports_the_nearest_zone(zones):
    out = one([{"date": "2017-09-01", "lon": 36.55, "lat": 34.9}], zones)  # 0.05° west of SQUARE
    assert pd.isna(out["zone_id"].iloc[0])
    assert out["nearest_zone_id"].iloc[0] == "homs-north"
    assert out["edge_km"].iloc[0] == pytest.approx(-geod_km(36.55, 34.9, 36.6, 34.9), rel=0.01)


def test_the_tiny_world_joins_as_its_comments_say(zones, incidents):
    out = join_incidents(incidents, zones).set_index("incident_id")
    assert out["zone_id"].fillna("-").to_dict() == {
        "i01": "-", "i02": "homs-north", "i03": "homs-north", "i04": "buffer", "i05": "-",
        "i06": "east", "i07": "homs-north", "i08": "-", "i09": "homs-north", "i10": "-",
        "i11": "-", "i12": "homs-north",
    }
    assert out["zone_version"].fillna(0).astype(int).to_dict() == {
        "i01": 0, "i02": 1, "i03": 2, "i04": 1, "i05": 0, "i06": 1, "i07": 2, "i08": 0,
        "i09": 3, "i10": 0, "i11": 0, "i12": 2,
    }
    # Only i12 is ambiguous: 1.1 km from an edge, located to within 25 km.
    assert out.index[out["ambiguous"]].tolist() == ["i12"]


def test_empty_incident_frame_joins_to_an_empty_frame(zones):
    out = join_incidents(make_incidents([]), zones)
    assert len(out) == 0
    assert set(JOIN_COLUMNS) <= set(out.columns)


def test_zones_not_in_wgs84_are_refused(zones):
    with pytest.raises(CRSMismatchError, match=r"zones are in EPSG:32637; reproject them to EPSG:4326"):
        join_incidents(make_incidents([{"date": "2017-09-01", "lon": 36.7, "lat": 34.9}]),
                       zones.to_crs("EPSG:32637"))


def test_metric_crs_is_utm_for_small_extents_and_aeqd_for_wide_ones(zones):
    assert metric_crs(zones).to_epsg() == 32637
    wide = make_zones([{"zone_id": "w", "version": 1, "valid_from": None, "valid_to": None,
                        "geometry": box(30, 30, 45, 40)}])
    crs = metric_crs(wide)
    assert crs.to_epsg() is None
    assert crs.coordinate_operation.method_name == "Azimuthal Equidistant"


@pytest.mark.parametrize(("lon", "lat"), [
    pytest.param(36.7, 34.9, id="homs"), pytest.param(36.0, 34.0, id="on-a-zone-line"),
    pytest.param(-73.9, -12.0, id="south"), pytest.param(10.0, 0.0, id="equator"),
])
def test_metric_crs_kept_per_centre_is_the_crs_proj_gives(lon, lat):
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    from dashboard.analysis.spatial import _utm_code

    zones = make_zones([{"zone_id": "z", "version": 1, "valid_from": None, "valid_to": None,
                         "geometry": box(lon - 0.5, lat - 0.5, lon + 0.5, lat + 0.5)}])
    infos = query_utm_crs_info(datum_name="WGS 84",
                               area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    _utm_code.cache_clear()
    first = metric_crs(zones)
    again = metric_crs(zones)
    assert first == again and first.to_epsg() == int(infos[0].code)
    assert _utm_code.cache_info().hits == 1


def test_join_with_masks_gives_the_join_and_the_membership_masks(zones):
    # Nested, edge, shared-edge, out-of-reach and no-version-in-force points, unsorted days.
    rows = [{"date": "2017-09-01", "lon": 36.675, "lat": 34.875},
            {"date": "2017-06-01", "lon": 36.8, "lat": 34.9},
            {"date": "2018-06-01", "lon": 36.65, "lat": 34.95},
            {"date": "2017-12-31", "lon": 36.74, "lat": 34.9},
            {"date": "2018-01-01", "lon": 36.74, "lat": 34.9},
            {"date": "2017-10-01", "lon": 36.9, "lat": 34.9},
            {"date": "2017-09-01", "lon": 39.0, "lat": 30.0},
            {"date": "2017-09-01", "lon": 36.7, "lat": 34.95}]
    incidents = make_incidents(rows)
    index = ZoneIndex(zones)
    joined, masks = join_with_masks(incidents, zones, index=index)
    pd.testing.assert_frame_equal(joined, join_incidents(incidents, zones, index=index))
    want = membership_masks(incidents, index)
    assert list(masks) == list(want)
    for zone_id, mask in want.items():
        assert masks[zone_id].dtype == bool
        np.testing.assert_array_equal(masks[zone_id], mask, err_msg=zone_id)
    assert masks["homs-north"].any() and masks["buffer"].any()


def test_join_with_masks_tests_points_inside_but_out_of_reach_too(zones):
    # A point inside in lon/lat but outside the projected box (the join's candidates)
    # still counts in the masks: simulated by moving every projected box far away.
    incidents = make_incidents([{"date": "2017-09-01", "lon": 36.675, "lat": 34.875}])
    index = ZoneIndex(zones)
    want = membership_masks(incidents, index)
    for v in index.versions:
        v["bounds"] = (1e7, 1e7, 1e7 + 1, 1e7 + 1)
    joined, masks = join_with_masks(incidents, zones, index=index)
    assert joined["zone_id"].isna().all()  # no candidate for the join
    assert {z: m.tolist() for z, m in masks.items()} == {z: m.tolist() for z, m in want.items()}
    assert masks["buffer"].tolist() == [True]


def test_join_with_masks_of_no_incidents(zones):
    joined, masks = join_with_masks(make_incidents([]), zones)
    assert len(joined) == 0
    assert all(len(m) == 0 for m in masks.values())


def test_edge_index_leaf_size_finds_the_same_nearest_vertices_as_scipys_default():
    from scipy.spatial import cKDTree

    from dashboard.analysis.spatial import _EdgeIndex

    index = ZoneIndex(make_zones([{"zone_id": "wide", "version": 1, "valid_from": "2017-01-01",
                                   "valid_to": None, "geometry": WIDE}]))
    edges = index.versions[0]["edges"]
    assert edges.tree.leafsize == _EdgeIndex.LEAF_SIZE
    minx, miny, maxx, maxy = index.versions[0]["bounds"]
    rng = np.random.default_rng(11)
    random = np.column_stack([rng.uniform(minx, maxx, 20000), rng.uniform(miny, maxy, 20000)])
    grid = np.stack(np.meshgrid(np.linspace(minx, maxx, 60), np.linspace(miny, maxy, 60)),
                    axis=-1).reshape(-1, 2)
    points = np.vstack([random, grid, edges.vertices[::7]])  # vertices: distance 0
    got = edges.tree.query(points, k=1)
    want = cKDTree(edges.vertices).query(points, k=1)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def _lexsort_join(incidents, index, reach_km=25.0):
    """The join's choice of zone, written as it was first (one lexsort over all hits):
    the reference for the per-version writes that replaced it."""
    n = len(incidents)
    zone_pos, edge_km = np.full(n, -1), np.full(n, np.nan)
    nearest, count = np.full(n, -1), np.zeros(n, dtype=int)
    hits = index.hits(incidents, reach_km)
    idx = np.concatenate([h.idx for h in hits])
    signed = np.concatenate([h.signed_km for h in hits])
    zone = np.concatenate([np.full(len(h.idx), h.zone) for h in hits])
    area = np.concatenate([np.full(len(h.idx), h.area) for h in hits])
    inside = signed >= 0
    np.add.at(count, idx[inside], 1)
    ins = np.flatnonzero(inside)
    ins = ins[np.lexsort((area[ins], idx[ins]))]
    first = ins[np.r_[True, idx[ins][1:] != idx[ins][:-1]]]
    zone_pos[idx[first]] = nearest[idx[first]] = zone[first]
    edge_km[idx[first]] = signed[first]
    out = np.flatnonzero(~inside & (zone_pos[idx] < 0))
    out = out[np.lexsort((-signed[out], idx[out]))]
    first = out[np.r_[True, idx[out][1:] != idx[out][:-1]]]
    edge_km[idx[first]] = signed[first]
    nearest[idx[first]] = zone[first]
    return zone_pos, edge_km, nearest, count


@pytest.mark.parametrize("extra", [
    pytest.param([], id="tiny-world"),
    # Twins: equal areas, so the first listed must win, as before.
    pytest.param([{"zone_id": "a-twin", "version": 1, "valid_from": "2017-01-01",
                   "valid_to": None, "geometry": INNER},
                  {"zone_id": "z-twin", "version": 1, "valid_from": "2017-01-01",
                   "valid_to": None, "geometry": INNER}], id="equal-area-twins"),
])
def test_join_picks_zones_as_the_lexsort_reference_does(extra):
    from tests.conftest import ZONE_ROWS

    zones = make_zones([*ZONE_ROWS, *extra])
    rng = np.random.default_rng(13)
    days = pd.Timestamp("2017-04-01") + pd.to_timedelta(rng.integers(0, 500, 4000), unit="D")
    incidents = make_incidents([
        {"date": str(d.date()), "lon": float(x), "lat": float(y), "loc_precision": p}
        for d, x, y, p in zip(days, rng.uniform(36.3, 37.3, 4000), rng.uniform(34.5, 35.3, 4000),
                              rng.choice(["exact", "near", "district"], 4000), strict=True)])
    index = ZoneIndex(zones)
    out = join_incidents(incidents, zones, index=index)
    zone_pos, edge_km, nearest, count = _lexsort_join(incidents, index)
    ids = np.array([*index.zone_ids, None], dtype=object)
    assert out["zone_id"].tolist() == ids[zone_pos].tolist()
    assert out["nearest_zone_id"].tolist() == ids[nearest].tolist()
    np.testing.assert_array_equal(out["edge_km"].to_numpy(), edge_km)
    assert out["zone_count"].tolist() == count.tolist()
    assert out["zone_count"].max() >= 2  # nested (and twin) zones were exercised
