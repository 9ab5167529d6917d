"""Tiny frames built in code, and helpers that write them as the files users bring.

Three zones (one with three versions, one that starts mid-series, one nested)
and a dozen incidents around Talbiseh. Only tests/test_geodata.py reads the
bundled files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.dataset import Dataset, assemble_dataset
from dashboard.analysis.viewdata import ViewData, build_view_data
from dashboard.core import model
from dashboard.io.milestones import empty_milestones
from dashboard.views.baselayers import BaseLayers
from tests.geometries import INNER, NEIGHBOUR, SHRUNK, SQUARE


def pytest_configure(config):
    """Prepared-data caches of the tests' apps go to a temp folder, never ~/.cache."""
    config._zonewatch_cache = tempfile.mkdtemp(prefix="zonewatch-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config._zonewatch_cache


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_zonewatch_cache", ""), ignore_errors=True)


#: A zone feature's properties with nothing wrong in them.
GOOD_ZONE = {
    "zone_id": "homs-north", "name": "Northern Homs", "version": 1,
    "valid_from": "2017-08-03", "valid_to": None, "status": "in_effect",
    "boundary_precision": "approximate", "source": "Syria Direct, 3 Aug 2017",
}

#: The incident CSV header the generic reader recognises without a mapping.
INCIDENT_HEADER = ["incident_id", "date", "lon", "lat", "fatalities"]
#: A good incident row for INCIDENT_HEADER (inside SQUARE).
GOOD_ROW = ["a1", "2017-08-03", "36.73", "34.84", "1"]


# File writers --------------------------------------------------------------------------
def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_csv(path: Path, rows: Iterable[Sequence[object]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    """Rows (the header first) as a delimited text, quoted where needed."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return write_text(path, buf.getvalue(), encoding)


def write_incident_csv(path: Path, rows: Iterable[Sequence[object]],
                       header: Sequence[str] = INCIDENT_HEADER) -> Path:
    return write_csv(path, [list(header), *rows])


def feature_collection(features: Iterable[tuple[dict, BaseGeometry | None]],
                       crs: str | None = None) -> dict:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": None if geom is None else mapping(geom)}
        for props, geom in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return doc


def write_zones(path: Path, features: Iterable[tuple[dict, BaseGeometry | None]],
                crs: str | None = None) -> Path:
    """A GeoJSON FeatureCollection written by hand, so invalid and empty shapes and
    a declared CRS reach the reader exactly as given."""
    return write_text(path, json.dumps(feature_collection(features, crs)))


# Frames built in code ------------------------------------------------------------------
def _day(value):
    return pd.NaT if value is None else pd.Timestamp(value)


def make_zones(rows: Iterable[dict]) -> gpd.GeoDataFrame:
    """A zone frame as the readers produce it, from dicts with zone_id, version,
    valid_from, valid_to and geometry (the rest defaulted)."""
    records = []
    for row in rows:
        rec = {"name": row["zone_id"], "status": "in_effect", "boundary_precision": "approximate",
               "source": "test", "notes": "", **row}
        rec["valid_from"], rec["valid_to"] = _day(rec["valid_from"]), _day(rec["valid_to"])
        records.append(rec)
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
    frame["valid_from"] = pd.to_datetime(frame["valid_from"]).astype("datetime64[ns]")
    frame["valid_to"] = pd.to_datetime(frame["valid_to"]).astype("datetime64[ns]")
    return frame[model.ZONE_COLUMNS]


def make_incidents(rows: Iterable[dict]) -> pd.DataFrame:
    """An incident frame as the readers produce it, from dicts with at least date,
    lon and lat; ``loc_precision`` (default "exact") sets ``precision_km``."""
    records = []
    for i, row in enumerate(rows):
        rec = {"incident_id": f"t{i + 1}", "date_precision": "day", "place": "", "admin1": "",
               "admin2": "", "loc_precision": "exact", "event_type": "Shelling", "sub_type": "",
               "actor1": "", "actor2": "", "fatalities": 0.0, "source": "test", "notes": "",
               "dataset": "test", **row}
        rec["date"] = pd.Timestamp(rec["date"])
        rec.setdefault("date_end", rec["date"])
        rec["precision_km"] = model.LOCATION_PRECISION_KM[rec["loc_precision"]]
        records.append(rec)
    frame = pd.DataFrame(records, columns=model.INCIDENT_COLUMNS)
    for col in ("date", "date_end"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("lon", "lat", "fatalities", "precision_km"):
        frame[col] = frame[col].astype("float64")
    return frame


#: The tiny world: homs-north shrinks on 2018-01-01 and ends 2018-05-14; "east" starts
#: mid-series on 2017-10-01; "buffer" is nested inside homs-north.
ZONE_ROWS = [
    {"zone_id": "homs-north", "version": 1, "valid_from": "2017-05-05", "valid_to": "2017-08-02",
     "status": "declared", "geometry": SQUARE},
    {"zone_id": "homs-north", "version": 2, "valid_from": "2017-08-03", "valid_to": "2017-12-31",
     "status": "in_effect", "geometry": SQUARE},
    {"zone_id": "homs-north", "version": 3, "valid_from": "2018-01-01", "valid_to": "2018-05-14",
     "status": "in_effect", "geometry": SHRUNK},
    {"zone_id": "east", "version": 1, "valid_from": "2017-10-01", "valid_to": None,
     "status": "declared", "geometry": NEIGHBOUR},
    {"zone_id": "buffer", "version": 1, "valid_from": "2017-08-03", "valid_to": None,
     "status": "in_effect", "geometry": INNER},
]

INCIDENT_ROWS = [
    {"incident_id": "i01", "date": "2017-05-04", "lon": 36.65, "lat": 34.95},  # before any zone
    {"incident_id": "i02", "date": "2017-08-02", "lon": 36.65, "lat": 34.95},  # homs-north v1, last day
    {"incident_id": "i03", "date": "2017-08-03", "lon": 36.65, "lat": 34.95},  # homs-north v2
    {"incident_id": "i04", "date": "2017-09-01", "lon": 36.675, "lat": 34.875},  # nested: buffer
    {"incident_id": "i05", "date": "2017-09-30", "lon": 36.9, "lat": 34.9},  # east not yet
    {"incident_id": "i06", "date": "2017-10-01", "lon": 36.9, "lat": 34.9},  # east, first day
    {"incident_id": "i07", "date": "2017-12-31", "lon": 36.74, "lat": 34.9},  # homs-north v2
    {"incident_id": "i08", "date": "2018-01-01", "lon": 36.74, "lat": 34.9},  # shrunk away
    {"incident_id": "i09", "date": "2018-05-14", "lon": 36.65, "lat": 34.95},  # v3, last day
    {"incident_id": "i10", "date": "2018-05-15", "lon": 36.65, "lat": 34.95},  # no version
    {"incident_id": "i11", "date": "2017-09-01", "lon": 38.5, "lat": 33.5},  # far from all
    {"incident_id": "i12", "date": "2017-09-01", "lon": 36.73, "lat": 34.99,  # near the N edge
     "loc_precision": "near"},
]


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    return make_zones(ZONE_ROWS)


@pytest.fixture
def incidents() -> pd.DataFrame:
    return make_incidents(INCIDENT_ROWS)


@pytest.fixture
def zone_file(tmp_path) -> Path:
    """The tiny zones as a GeoJSON file."""
    features = []
    for row in ZONE_ROWS:
        props = {k: v for k, v in row.items() if k != "geometry"}
        features.append(({**props, "name": row["zone_id"], "boundary_precision": "approximate",
                          "source": "test"}, row["geometry"]))
    return write_zones(tmp_path / "zones.geojson", features)


@pytest.fixture
def incident_file(tmp_path) -> Path:
    """The tiny incidents as a generic CSV file."""
    rows = [[r["incident_id"], r["date"], r["lon"], r["lat"], 1, r.get("loc_precision", "exact")]
            for r in INCIDENT_ROWS]
    return write_incident_csv(tmp_path / "incidents.csv", rows,
                              header=[*INCIDENT_HEADER, "loc_precision"])


# Views built in code -------------------------------------------------------------------
#: Base layers for map figures: one country square and two towns, no bundled files.
TINY_BASE = BaseLayers(
    countries=feature_collection([({"name": "Syria"}, box(35.5, 32.3, 42.4, 37.3))]),
    admin1=feature_collection([({"name": "Homs"}, box(36.0, 34.0, 38.0, 35.2))]),
    admin2=feature_collection([({"name": "Ar-Rastan"}, box(36.5, 34.7, 37.0, 35.1))]),
    towns=pd.DataFrame({"name": ["Homs", "Ar Rastan"], "lon": [36.72, 36.73],
                        "lat": [34.73, 34.93], "population": [775404, 53152]}),
)


@pytest.fixture(scope="session")
def tiny_dataset() -> Dataset:
    """The tiny zones and incidents joined (no milestones); built once per worker."""
    return assemble_dataset(make_zones(ZONE_ROWS), make_incidents(INCIDENT_ROWS),
                            empty_milestones(), [])


@pytest.fixture(scope="session")
def tiny_view(tiny_dataset) -> ViewData:
    """``tiny_dataset`` ready for the views: span 2017-05-04 .. 2018-05-15."""
    return build_view_data(tiny_dataset, "test")
