"""Gazetteer: spellings from the Syria facts file resolve to the right GeoNames town."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.core.errors import FormatError
from dashboard.io.gazetteer import (
    geocode,
    load_gazetteer,
    normalize_place,
    spelling_keys,
)

# GeoNames (CC BY 4.0) coordinates of the towns, as (lat, lon).
TALBISEH = (34.84072, 36.73092)
KAFR_LAHA = (34.89469, 36.49582)  # the Houla area
AR_RASTAN = (34.92667, 36.73241)
DOUMA = (33.57175, 36.4027)

SPELLINGS = [
    pytest.param("Talbiseh", TALBISEH, id="talbiseh"),
    pytest.param("Tallbisah", TALBISEH, id="tallbisah"),
    pytest.param("Talbisa", TALBISEH, id="talbisa"),
    pytest.param("Houleh", KAFR_LAHA, id="houleh"),
    pytest.param("Houla", KAFR_LAHA, id="houla"),
    pytest.param("al-Hula", KAFR_LAHA, id="al-hula"),
    pytest.param("Rastan", AR_RASTAN, id="rastan"),
    pytest.param("Ar Rastan", AR_RASTAN, id="ar-rastan"),
    pytest.param("Douma", DOUMA, id="douma"),
    pytest.param("تلبيسة", TALBISEH, id="arabic-talbiseh"),
    pytest.param("الرستن", AR_RASTAN, id="arabic-rastan"),
    pytest.param("الحولة", KAFR_LAHA, id="arabic-houla"),
]


@pytest.mark.parametrize(("query", "where"), SPELLINGS)
def test_spelling_variants_find_the_town(query, where):
    best = geocode(query)[0]
    assert best.score == 1.0
    assert best.lat == pytest.approx(where[0], abs=0.05)
    assert best.lon == pytest.approx(where[1], abs=0.05)


def test_arabic_query_reports_the_arabic_spelling_it_matched():
    best = geocode("تلبيسة")[0]
    assert (best.name, best.matched_name, best.geonameid) == ("Tallbīsah", "تلبيسة", 163779)


@pytest.mark.parametrize("query", ["Xyzzyville", "", "  -- ", "Atlantis"])
def test_unknown_name_returns_nothing(query):
    assert geocode(query) == []


def test_a_match_carries_what_the_credit_needs():
    best = geocode("Ar Rastan", limit=1)
    assert len(best) == 1
    assert (best[0].geonameid, best[0].admin1code, best[0].population) == (172946, "11", 53152)


NORMALIZED = [
    ("Talbiseh", "talbisa"),
    ("Tallbīsah", "talbisa"),
    ("Talbisa", "talbisa"),
    ("Houleh", "hula"),
    ("al-Hula", "hula"),
    ("al-Ḥūlāh", "hula"),
    ("Ar Rastan", "rastan"),
    ("Al-Rastan", "rastan"),
    ("Er Rastan", "rastan"),
    ("a-Dar al-Kabirah", "darkabira"),
    ("Dar al Kabira", "darkabira"),
    ("Dar al-Kabirah", "darkabira"),
    ("Douma", "duma"),
    ("Dūmā", "duma"),
    ("Dar‘ā", "dara"),
    ("Dar'a", "dara"),
    ("Deir ez-Zor", "dayrzor"),
    ("Ma‘arrat an Nu‘mān", "maratnuman"),
    ("Kafr  Laha", "kafrlaha"),
    ("Kafr-Laha", "kafrlaha"),
    ("تلبيسة", "تلبيسه"),
    ("الرستن", "رستن"),
    ("الحولة\u200e", "حوله"),
    ("", ""),
]


@pytest.mark.parametrize(("name", "expected"), NORMALIZED)
def test_normalize_place(name, expected):
    assert normalize_place(name) == expected


def _tiny() -> pd.DataFrame:
    return pd.DataFrame({
        "geonameid": [1, 2, 3],
        "name": ["Small Talbisa", "Tallbīsah", "Rastan"],
        "alternatenames": ["", "Talbiseh|تلبيسة", ""],
        "lat": [35.0, 34.84, 34.93],
        "lon": [36.0, 36.73, 36.73],
        "population": [10, 38491, 53152],
        "admin1code": ["10", "11", "11"],
    })


def test_exact_matches_rank_by_population_then_fuzzy_follow():
    table = _tiny().assign(name=["Talbisah", "Tallbīsah", "Rastan"])
    found = geocode("Talbiseh", table)
    assert [m.geonameid for m in found] == [2, 1]
    assert [m.score for m in found] == [1.0, 1.0]
    assert geocode("Talbiseh", table, limit=1)[0].geonameid == 2


def test_fuzzy_match_scores_below_one_and_respects_cutoff():
    table = _tiny()
    found = geocode("Rastane", table)  # key "rastana" vs "rastan"
    assert [m.geonameid for m in found] == [3]
    assert 0.8 <= found[0].score < 1.0
    assert geocode("Rastane", table, cutoff=0.99) == []


def test_load_gazetteer_reads_the_bundled_geonames_extract():
    table = load_gazetteer()
    assert list(table.columns) == ["geonameid", "name", "alternatenames", "lat", "lon",
                                   "population", "admin1code"]
    assert table["geonameid"].is_unique
    assert table["admin1code"].str.fullmatch(r"\d\d").all()  # leading zero kept


BAD_FILES = [
    pytest.param("geonameid,name,lat,lon\n1,X,34,36\n", r"missing gazetteer columns",
                 id="missing-columns"),
    pytest.param("geonameid,name,alternatenames,lat,lon,population,admin1code\n"
                 "1,X,,north,36,0,11\n", r"row 1: geonameid, lat or lon", id="bad-lat"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_gazetteer_file_names_the_problem_and_fix(tmp_path, text, message):
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=message) as caught:
        load_gazetteer(path)
    assert str(caught.value).startswith("places.csv")
    assert "Fix: " in str(caught.value)


def test_missing_gazetteer_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(FormatError, match=r"not found.*build_geodata"):
        geocode("Homs", tmp_path / "nope.csv")


@pytest.mark.parametrize("query", ["Talbiseh", "Tallbisah", "تلبيسة", "Telbisa"])
def test_spelling_keys_hold_every_name_of_the_place(query):
    """The search's place keys: one place's names (Latin and Arabic) whatever the query."""
    keys = spelling_keys(query)
    assert {"talbisa", "telbisa", "تلبيسه"} <= keys
    assert "rastan" not in keys


def test_spelling_keys_of_an_unknown_name_are_its_own_key():
    assert spelling_keys("Jobar") == {normalize_place("Jobar")}
    assert spelling_keys("  ") == set()
