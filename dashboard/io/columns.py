"""Column names as files spell them, mapped onto ZoneWatch's names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


INCIDENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "incident_id": ("incident_id", "id", "event_id", "event_id_cnty", "uid", "eventid"),
    "date": ("date", "event_date", "date_start", "start_date", "day", "incident_date"),
    "date_end": ("date_end", "end_date"),
    "date_precision": ("date_precision", "date_prec", "time_precision"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "lat": ("lat", "latitude", "y"),
    "place": ("place", "location", "place_name", "town", "village", "city", "where_coordinates"),
    "admin1": ("admin1", "adm_1", "adm1", "governorate", "province", "state"),
    "admin2": ("admin2", "adm_2", "adm2", "district"),
    "loc_precision": ("loc_precision", "location_precision", "precision", "geo_precision",
                      "where_prec"),
    "event_type": ("event_type", "type", "category", "incident_type"),
    "sub_type": ("sub_type", "sub_event_type", "subtype", "event_subtype"),
    "actor1": ("actor1", "actor_1", "side_a", "perpetrator", "initiator"),
    "actor2": ("actor2", "actor_2", "side_b", "target"),
    "fatalities": ("fatalities", "deaths", "killed", "best", "casualties"),
    "source": ("source", "sources", "citation", "source_article"),
    "notes": ("notes", "description", "comment", "comments", "summary"),
}

ZONE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "zone_id": ("zone_id", "id", "zone", "zoneid", "code", "slug", "pcode", "shapeid",
                "adm2_pcode", "adm1_pcode", "fid"),
    "name": ("name", "zone_name", "title", "label", "name_en", "shapename", "adm2_name",
             "adm1_name", "admin_name"),
    "version": ("version", "zone_version", "revision"),
    "valid_from": ("valid_from", "from", "start", "start_date", "date_from", "begin",
                   "in_force_from", "effective"),
    "valid_to": ("valid_to", "to", "end", "end_date", "date_to", "until", "in_force_to"),
    "status": ("status", "state", "phase"),
    "boundary_precision": ("boundary_precision", "boundary_p", "precision", "accuracy"),  # _p: .shp
    "source": ("source", "sources", "citation", "reference"),
    "notes": ("notes", "note", "description", "comment"),
}

MILESTONE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "zone_id": ("zone_id", "zone", "zoneid"),
    "timestamp": ("timestamp", "date", "datetime", "time", "when"),
    "kind": ("kind", "type", "milestone", "event"),
    "text": ("text", "description", "what", "label", "notes"),
    "source": ("source", "sources", "citation"),
}


def map_columns(
    columns: Iterable[str],
    synonyms: Mapping[str, tuple[str, ...]],
    explicit: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``{our name: the file's column}`` for every name we can find.

    ``explicit`` (our name -> file column) wins over synonyms; among synonyms the
    earlier one in the tuple wins, so ``id`` is preferred to ``event_id``.
    """
    columns = list(columns)
    by_key = {}
    for col in columns:
        by_key.setdefault(_key(col), col)
    found: dict[str, str] = {}
    used: set[str] = set()
    for ours, theirs in (explicit or {}).items():
        found[ours] = theirs
        used.add(theirs)
    for ours, names in synonyms.items():
        if ours in found:
            continue
        for name in names:
            col = by_key.get(name)
            if col is not None and col not in used:
                found[ours] = col
                used.add(col)
                break
    return found


#: HXL hashtags (https://hxlstandard.org) -> our incident columns: (tag, attributes it must
#: carry), the more specific first. ``#actor`` is actor1, a second ``#actor`` actor2.
HXL_INCIDENT_TAGS: tuple[tuple[str, str, frozenset[str]], ...] = tuple(
    (ours, tag, frozenset(attrs.split())) for ours, tag, attrs in (
        ("date_end", "#date", "end"),
        ("date", "#date", ""),
        ("lat", "#geo", "lat"),
        ("lon", "#geo", "lon"),
        ("lon", "#geo", "long"),
        ("loc_precision", "#geo", "precision"),
        ("admin1", "#adm1", ""),
        ("admin2", "#adm2", ""),
        ("place", "#loc", ""),
        ("fatalities", "#affected", "killed"),
        ("fatalities", "#affected", "dead"),
        ("fatalities", "#killed", ""),
        ("sub_type", "#event", "type sub"),
        ("sub_type", "#event", "subtype"),
        ("event_type", "#event", "type"),
        ("incident_id", "#event", "id"),
        ("incident_id", "#event", "code"),
        ("actor2", "#actor", "target"),
        ("actor2", "#actor", "secondary"),
        ("actor1", "#actor", ""),
        ("source", "#meta", "source"),
        ("notes", "#description", ""),
    ))


def hxl_columns(tags: Mapping[str, str], found: Mapping[str, str],
                table: tuple[tuple[str, str, frozenset[str]], ...] = HXL_INCIDENT_TAGS,
                ) -> dict[str, str]:
    """``{our name: column}`` for names ``found`` (the header's mapping) lacks, from the
    columns' HXL tags (``{column: "#geo+lat"}``); a column already used is not reused."""
    out: dict[str, str] = {}
    used = set(found.values())
    for column, tag in tags.items():
        if column in used:
            continue
        hashtag, *attrs = tag.split("+")
        for ours, want, need in table:
            if hashtag != want or not need <= set(attrs):
                continue
            if ours == "actor1" and ("actor1" in found or "actor1" in out):
                ours = "actor2"
            if ours not in found and ours not in out:
                out[ours] = column
                used.add(column)
            break
    return out
