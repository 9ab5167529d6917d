"""Place names to points: Talbiseh, Tallbisah and تلبيسة all find one town.

The bundled gazetteer, ``geodata/gazetteer-syria.csv``, holds the Syrian places of
GeoNames (https://www.geonames.org, CC BY 4.0: credit "GeoNames" wherever a point
from it is shown) with their alternate names, Arabic included. Lookup compares
*keys*, not spellings: :func:`normalize_place` folds case, diacritics, articles
(al-, el-, ar-, ash-, ال…), ʿayn/hamza marks, apostrophes, hyphens and spaces,
doubled letters and common transliteration variants (ou/u, ee/i, final
-eh/-ah/-a/-e), so most spellings of one name meet. :func:`geocode` returns exact
key matches first (largest population first), then close spellings scored with
difflib. A name GeoNames lacks (Al-Dar al-Kabirah, Zamalka, Ain Terma, Jobar)
returns ``[]`` or weak fuzzy hits, never a point invented elsewhere.

Pure data layer: stdlib, numpy and pandas only.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.errors import FormatError

GAZETTEER_FILE = "gazetteer-syria.csv"
GAZETTEER_COLUMNS = ["geonameid", "name", "alternatenames", "lat", "lon", "population",
                     "admin1code"]
CREDIT = "GeoNames (geonames.org), CC BY 4.0"
#: Fuzzy matches whose key scores below this (difflib ratio) are dropped.
FUZZY_CUTOFF = 0.8

_ARTICLES = frozenset({
    "al", "el", "il", "ul", "a", "e", "ar", "er", "as", "es", "ad", "ed", "ash", "esh",
    "at", "et", "az", "ez", "an", "en", "adh", "ath", "ال",
})
# Marks that spellings add or drop at will: ʿayn and hamza signs, quotes.
_MARKS = frozenset("'`´‘’ʻʼʽʾʿˈ\"ʹ")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي",
                              "ی": "ي", "ک": "ك", "ـ": None})
_LATIN_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae"})
# Transliteration variants, applied in this order inside each word.
_VARIANTS = (("dsch", "j"), ("dj", "j"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
             ("ch", "sh"), ("ei", "ay"), ("ey", "ay"), ("q", "k"), ("ph", "f"))
_FINAL_VOWEL = re.compile(r"(?:eh|ah|e|a)$")
_DOUBLED = re.compile(r"(.)\1+")
_SPLIT = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class GazetteerMatch:
    """One place found for a query. ``matched_name`` is the spelling that matched
    (the name or one of its alternates); ``score`` is 1.0 for an exact key match."""

    name: str
    lat: float
    lon: float
    matched_name: str
    score: float
    geonameid: int
    population: int
    admin1code: str


Match = GazetteerMatch  # the name an earlier draft of this module used


def normalize_place(name: str) -> str:
    """The matching key of a place name: lower-case Latin letters (or bare Arabic
    letters) with no articles, marks, spaces, hyphens or doubled letters. It is a
    key for comparison, not a name to show.

    >>> normalize_place("a-Dar al-Kabirah") == normalize_place("Dar al Kabira")
    True
    """
    text = unicodedata.normalize("NFKD", str(name).casefold()).translate(_LATIN_FOLD)
    # combining marks (diacritics, Arabic harakat) and format marks (bidi, joiners)
    text = "".join(ch for ch in text
                   if unicodedata.category(ch) not in ("Mn", "Cf") and ch not in _MARKS)
    words = [w for w in _SPLIT.split(text.translate(_ARABIC_FOLD)) if w]
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words]
    out = []
    for word in [w for w in words if w not in _ARTICLES] or words:
        for old, new in _VARIANTS:
            word = word.replace(old, new)
        word = _DOUBLED.sub(r"\1", word)
        if word.isascii() and len(word) > 2:
            word = _FINAL_VOWEL.sub("a", word)
        out.append(word)
    return _DOUBLED.sub(r"\1", "".join(out))


fold = normalize_place  # the name an earlier draft of this module used


def spelling_keys(query: str, gazetteer: pd.DataFrame | Path | str | None = None) -> set[str]:
    """The keys of every spelling of the places ``query`` names exactly, plus its own key,
    so a search for تلبيسة or Telbisa also finds rows written "Talbiseh"."""
    key = normalize_place(query)
    if not key:
        return set()
    _, index = _resolve(gazetteer)
    rows = index.loc[index["key"] == key, "row"]
    return {key, *index.loc[index["row"].isin(rows), "key"]}


def _default_path() -> Path:
    from dashboard.core.paths import geodata_dir

    return geodata_dir() / GAZETTEER_FILE


def load_gazetteer(path: Path | None = None) -> pd.DataFrame:
    """Read a gazetteer CSV: the bundled GeoNames extract when ``path`` is None.

    Columns: geonameid, name, alternatenames (``|``-separated, may be empty), lat,
    lon, population, admin1code (text, leading zero kept).
    """
    path = Path(path) if path is not None else _default_path()
    if not path.is_file():
        raise FormatError(path, "gazetteer file not found",
                          "rebuild it with `python scripts/build_geodata.py`, "
                          "or pass the path of a gazetteer CSV")
    frame = pd.read_csv(path, dtype={"name": str, "alternatenames": str, "admin1code": str},
                        keep_default_na=False, encoding="utf-8")
    missing = [c for c in GAZETTEER_COLUMNS if c not in frame.columns]
    if missing:
        raise FormatError(path, f"missing gazetteer columns {missing}",
                          f"give the file the header {','.join(GAZETTEER_COLUMNS)}")
    frame = frame[GAZETTEER_COLUMNS].copy()
    for col in ("geonameid", "lat", "lon", "population"):
        frame[col] = pd.to_numeric(frame[col].replace("", None), errors="coerce")
    bad = frame[["geonameid", "lat", "lon"]].isna().any(axis=1).to_numpy()
    if bad.any():
        raise FormatError(path, "geonameid, lat or lon is empty or not a number",
                          "fill in numeric values", where=f"row {int(bad.argmax()) + 1}")
    frame["population"] = frame["population"].fillna(0)
    return frame.astype({"geonameid": "int64", "population": "int64"})


def _build_index(gazetteer: pd.DataFrame) -> pd.DataFrame:
    """One row per (place, spelling): ``row`` (position in the gazetteer),
    ``spelling``, ``is_name`` (the main name, not an alternate) and ``key``."""
    spellings = (gazetteer["name"].astype(str) + "|"
                 + gazetteer["alternatenames"].fillna("").astype(str)).str.split("|")
    index = spellings.explode().rename("spelling").reset_index(drop=True).to_frame()
    index["row"] = np.repeat(np.arange(len(gazetteer)), spellings.str.len().to_numpy())
    index["is_name"] = ~index["row"].duplicated()
    index = index[index["spelling"].str.strip() != ""]
    unique = pd.unique(index["spelling"])
    keys = dict(zip(unique, map(normalize_place, unique), strict=True))
    index["key"] = index["spelling"].map(keys)
    return index[index["key"] != ""].drop_duplicates(["row", "key"]).reset_index(drop=True)


@functools.lru_cache(maxsize=4)
def _cached(path: Path, mtime_ns: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    gazetteer = load_gazetteer(path)
    return gazetteer, _build_index(gazetteer)


def _resolve(gazetteer: pd.DataFrame | Path | str | None):
    if isinstance(gazetteer, pd.DataFrame):
        return gazetteer, _build_index(gazetteer)
    path = Path(gazetteer) if gazetteer is not None else _default_path()
    if not path.is_file():
        load_gazetteer(path)  # raises the FormatError that says what to do
    return _cached(path.resolve(), path.stat().st_mtime_ns)


def _fuzzy_scores(key: str, candidates, cutoff: float) -> dict[str, float]:
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    scores = {}
    for other in candidates:
        matcher.set_seq1(other)
        if (matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
                and (ratio := matcher.ratio()) >= cutoff):
            scores[other] = ratio
    return scores


def geocode(query: str, gazetteer: pd.DataFrame | Path | str | None = None,
            limit: int = 5, *, cutoff: float = FUZZY_CUTOFF,
            path: Path | str | None = None) -> list[GazetteerMatch]:
    """Places whose name or alternate name matches ``query``, best first.

    Exact key matches (score 1.0) come first, largest population first; then, to fill
    up to ``limit``, places whose key is close (difflib ratio >= ``cutoff``), best
    score first. ``gazetteer`` is a frame from :func:`load_gazetteer`, a path (also
    accepted as ``path=``), or None for the bundled file, read once and cached.
    """
    table, index = _resolve(gazetteer if gazetteer is not None else path)
    key = normalize_place(query)
    if not key or limit <= 0:
        return []

    hits = index[index["key"] == key].assign(score=1.0)
    if hits["row"].nunique() < limit:
        candidates = pd.unique(index.loc[index["key"] != key, "key"])
        scores = _fuzzy_scores(key, candidates, cutoff)
        fuzzy = index[index["key"].isin(list(scores)) & ~index["row"].isin(hits["row"])]
        hits = pd.concat([hits, fuzzy.assign(score=fuzzy["key"].map(scores))])
    if hits.empty:
        return []

    hits = hits.assign(population=table["population"].to_numpy()[hits["row"].to_numpy()])
    hits = hits.sort_values(["score", "population", "is_name", "row"],
                            ascending=[False, False, False, True], kind="stable")
    best = hits.drop_duplicates("row").head(limit)
    places = table.iloc[best["row"].to_numpy()]
    return [
        GazetteerMatch(name=str(p.name), lat=float(p.lat), lon=float(p.lon),
                       matched_name=str(h.spelling), score=round(float(h.score), 3),
                       geonameid=int(p.geonameid), population=int(p.population),
                       admin1code=str(p.admin1code))
        for p, h in zip(places.itertuples(index=False), best.itertuples(index=False),
                        strict=True)
    ]
