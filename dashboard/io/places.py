"""Where a row says it is: its country, governorate (admin1) or place, checked against
its coordinates, to catch latitude and longitude swapped in a whole file.

Comparing rows with each other cannot see a file whose every row is swapped: all the
points sit together, in the wrong place. What the rows *name* can: a row that names
Homs, lies 300 km away in Turkey, and lands in Homs once its coordinates are swapped
is swapped. Outlines come from the bundled ``countries.geojson`` (Natural Earth) and
``syria-adm1.geojson``; places from the gazetteer (exact spellings only, so a fuzzy
homonym never accuses a row). Pure data layer: numpy, pandas and shapely.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.io.gazetteer import normalize_place

#: Degrees: a point this close to what it names is on it; this far, it is not.
NEAR_DEG, FAR_DEG = 0.1, 0.5
#: A place (a town's point) is a point, not an outline: wider margins.
PLACE_NEAR_DEG, PLACE_FAR_DEG = 0.3, 1.0
#: Rows looked at first; all rows are checked only when these show a swap.
SAMPLE_ROWS = 500

# Governorate names as datasets write them -> the outline's name (syria-adm1.geojson).
_ADMIN1_ALIASES = {"idlib": "Idleb", "rifdimashk": "Rural Damascus",
                   "damascuscountryside": "Rural Damascus", "suwayda": "As-Sweida",
                   "suwaida": "As-Sweida", "hims": "Homs"}
_ADMIN1_WORDS = re.compile(r"\b(governorate|province|muhafazat|gouvernorat|mohafaza)\b", re.I)
_COUNTRY_ALIASES = {"syrian arab republic": "syria", "turkiye": "turkey", "türkiye": "turkey",
                    "iraq, republic of": "iraq"}
# What a place name carries besides the name: "Talbiseh town", "Duma (Rif Dimashq)".
_PLACE_WORDS = re.compile(r"\(.*?\)|\b(village|town|city|suburb|district|sub-district|"
                          r"subdistrict|camp|area|neighbou?rhood|countryside|outskirts|"
                          r"governorate|region)\b", re.I)


@dataclass(frozen=True)
class Swapped:
    """Rows whose coordinates land on what they name once swapped (``rows``), among
    ``checked`` rows that name something known; ``example`` explains the first one."""

    rows: np.ndarray
    checked: int
    first: int
    example: str


def _geodata(name: str) -> Path:
    from dashboard.core.paths import geodata_dir

    return geodata_dir() / name


@functools.lru_cache(maxsize=2)
def _outlines(name: str) -> tuple[dict[str, object], list[tuple[str, object]]]:
    """({key: shape}, [(display name, shape)]) of a bundled GeoJSON of named polygons."""
    import shapely
    from shapely.geometry import shape

    doc = json.loads(_geodata(name).read_text(encoding="utf-8"))
    keyed: dict[str, object] = {}
    named = []
    for feature in doc["features"]:
        props, geom = feature["properties"], shape(feature["geometry"])
        shapely.prepare(geom)
        named.append((props["name"], geom))
        for value in (props.get("name"), props.get("iso_a3"), props.get("pcode")):
            if value:
                keyed.setdefault(_country_key(value) if "iso_a3" in props
                                 else normalize_place(value), (props["name"], geom))
    return keyed, named


def _country_key(value: str) -> str:
    key = re.sub(r"\s+", " ", str(value).strip().casefold())
    return _COUNTRY_ALIASES.get(key, key)


def country_outline(value: str):
    """(name, polygon) of a country by name or ISO code, else None."""
    return _outlines("countries.geojson")[0].get(_country_key(value))


def admin1_outline(value: str):
    """(name, polygon) of a Syrian governorate as datasets spell it, else None."""
    key = normalize_place(_ADMIN1_WORDS.sub(" ", str(value)))
    keyed = _outlines("syria-adm1.geojson")[0]
    if key in _ADMIN1_ALIASES:
        key = normalize_place(_ADMIN1_ALIASES[key])
    return keyed.get(key)


def country_at(lon: float, lat: float) -> str | None:
    """The name of the country a point lies in, else None (the sea, or no outline)."""
    import shapely

    point = shapely.points(lon, lat)
    return next((name for name, geom in _outlines("countries.geojson")[1]
                 if shapely.contains(geom, point)), None)


@functools.lru_cache(maxsize=1)
def _place_points() -> dict[str, np.ndarray]:
    """{gazetteer key: array of (lon, lat) of every place spelt so}."""
    from dashboard.io.gazetteer import _resolve

    table, index = _resolve(None)
    lonlat = table[["lon", "lat"]].to_numpy(dtype="float64")
    return {key: lonlat[np.unique(rows.to_numpy())]
            for key, rows in index.groupby("key")["row"]}


def place_points(value: str) -> np.ndarray | None:
    """Every gazetteer point whose name is spelt like ``value`` ("Talbiseh town"), else None."""
    key = normalize_place(_PLACE_WORDS.sub(" ", str(value)))
    return _place_points().get(key) if key else None


def _verdicts(lon, lat, names: pd.Series, resolve, near: float, far: float, points: bool
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    """(known, on it as given, swapped onto it from far, {row: name}) for rows naming
    something ``resolve`` knows; each distinct name is resolved once."""
    import shapely

    n = len(lon)
    known, near_given, swapped = (np.zeros(n, dtype=bool) for _ in range(3))
    labels: dict[int, str] = {}
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")  # rows grouped by name: one pass, not one per name
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    for code, value in enumerate(uniques):
        if not str(value).strip() or (found := resolve(str(value))) is None:
            continue
        rows = order[bounds[code]:bounds[code + 1]]
        x, y = lon[rows], lat[rows]
        if points:
            def dist(px, py, pts=found):
                return np.min(np.hypot(px[:, None] - pts[None, :, 0],
                                       py[:, None] - pts[None, :, 1]), axis=1)
            given, turned = dist(x, y), dist(y, x)
            label = str(value).strip()
        else:
            label, geom = found
            given, turned = shapely.distance(geom, shapely.points(x, y)), \
                shapely.distance(geom, shapely.points(y, x))
        known[rows] = True
        near_given[rows] = given <= near
        swapped[rows] = (given > far) & (turned <= near)
        labels.update(dict.fromkeys(rows[swapped[rows]].tolist(), label))
    return known, near_given, swapped, labels


def _check(lon, lat, named: dict[str, pd.Series]) -> tuple[np.ndarray, np.ndarray, dict]:
    """(checked, swapped, {row: name}) over the rows given; place is asked only of rows
    that neither admin1 nor country settle (the gazetteer costs a second to load)."""
    n = len(lon)
    checked, on_it, swapped = (np.zeros(n, dtype=bool) for _ in range(3))
    labels: dict[int, str] = {}
    for kind in ("admin1", "country", "place"):
        values = named.get(kind)
        if values is None:
            continue
        if kind == "place":
            values = values.where(~(checked & (on_it | swapped)), "")
        resolve = {"admin1": admin1_outline, "country": country_outline,
                   "place": place_points}[kind]
        near, far = (PLACE_NEAR_DEG, PLACE_FAR_DEG) if kind == "place" else (NEAR_DEG, FAR_DEG)
        known, given, turned, found = _verdicts(lon, lat, values, resolve, near, far,
                                                kind == "place")
        checked |= known
        on_it |= given
        swapped |= turned
        for row, label in found.items():
            labels.setdefault(row, label)
    return checked, swapped & ~on_it, labels


def swapped_by_name(lon: np.ndarray, lat: np.ndarray, named: dict[str, pd.Series],
                    label) -> Swapped | None:
    """The rows whose coordinates lie far from the country, governorate or place they
    name and on it once swapped, or None when no row does.

    ``named`` holds the file's columns by kind ("country", "admin1", "place"); ``label``
    turns a position into "row 14". A sample is looked at first, so a clean file of a
    million rows costs a few hundred lookups.
    """
    usable = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90)
                            & (np.abs(lon) <= 90))
    if not len(usable) or not named:
        return None
    if len(usable) > SAMPLE_ROWS:
        sample = usable[np.linspace(0, len(usable) - 1, SAMPLE_ROWS).astype(int)]
        if not _check(lon[sample], lat[sample],
                      {k: v.iloc[sample].reset_index(drop=True) for k, v in named.items()})[1].any():
            return None
    part = {k: v.iloc[usable].reset_index(drop=True) for k, v in named.items()}
    checked, swapped, labels = _check(lon[usable], lat[usable], part)
    if not swapped.any():
        return None
    rows = np.zeros(len(lon), dtype=bool)
    rows[usable[swapped]] = True
    first = int(np.flatnonzero(swapped)[0])
    at = int(usable[first])
    return Swapped(rows, int(checked.sum()), at,
                   explain(label(at), labels[first], lon[at], lat[at]))


def explain(where: str, name: str, lon: float, lat: float) -> str:
    """"row 2 names Homs but lies at 36.7°N 34.9°E, in Turkey; swapped it lies in Homs"."""
    return (f"{where} names {name} but lies at {_degrees(lat, 'NS')} {_degrees(lon, 'EW')}, "
            f"{_lies_in(lon, lat)}; swapped it lies in {name}")


def _lies_in(lon: float, lat: float) -> str:
    country = country_at(lon, lat)
    return f"in {country}" if country else "outside every country's outline (at sea?)"


def _degrees(value: float, hemispheres: str) -> str:
    return f"{abs(value):.1f}°{hemispheres[0] if value >= 0 else hemispheres[1]}"


def explain_zone(lon: float, lat: float, region: str | None) -> str:
    """Why a zone centred at (lon, lat) looks swapped, ``region`` where the others lie."""
    among = f"among the other zones, in {region}" if region else "among the other zones"
    return (f"latitude and longitude look swapped: the polygon lies at {_degrees(lat, 'NS')} "
            f"{_degrees(lon, 'EW')}, {_lies_in(lon, lat)}, far from the other zones; "
            f"swapped it lies {among}")
