"""Agreement terms files (JSON): who is bound, who is exempt and from when, what was
promised by which day, each with its source.

``read_terms`` returns ``(terms, report)`` and never raises for bad content: every
problem is located as a path into the file ("agreements[0].exempt[1].from") with the
fix. ``load_terms`` raises the first error as ``TermsFileError``. YAML is not read:
PyYAML is not a dependency of ZoneWatch.

The format (dates ISO; ``in_effect`` may carry a time and an offset)::

    {"agreements": [{"id", "name", "zones": [...], "in_effect", "ends", "source",
      "parties": [{"name", "side", "aliases": [...]}], "parties_note",
      "exempt": [{"name", "aliases", "from", "until", "source"}],
      "commitments": [{"id", "text", "due", "source",
                       "evidence": {"event_types": [...], "keywords": [...]},
                       "analyst": {"status", "day", "source", "note"}}],
      "non_violent": [...], "note"}], "note"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dashboard.core.agreements import (
    ANALYST_STATUSES,
    SIDES,
    Agreement,
    AnalystStatus,
    Commitment,
    Evidence,
    Exemption,
    Party,
    Terms,
)
from dashboard.core.aliases import actor_key
from dashboard.core.errors import TermsFileError
from dashboard.io.validation import ValidationReport

BUNDLED_TERMS = "syria-2017-terms.json"  # in geodata/: the terms of the Astana zones
MAX_BYTES = 5_000_000  # a terms file is a few kilobytes; refuse anything near this
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
DATE_FIX = "write the day as YYYY-MM-DD, e.g. 2017-09-10"

_KEYS = {
    "file": {"agreements", "note"},
    "agreement": {"id", "name", "zones", "in_effect", "ends", "source", "parties",
                  "parties_note", "exempt", "commitments", "non_violent", "note"},
    "party": {"name", "side", "aliases"},
    "exempt": {"name", "aliases", "from", "until", "source", "note"},
    "commitment": {"id", "text", "due", "evidence", "source", "analyst"},
    "evidence": {"event_types", "keywords"},
    "analyst": {"status", "day", "source", "note"},
}


def _shown(value: Any) -> str:
    """A value as the message quotes it: '2017-13-01' for text, JSON otherwise."""
    return f"'{value}'" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Reader:
    """Walks the parsed JSON, building records and filling the report."""

    def __init__(self, report: ValidationReport, zone_ids: Iterable[str] | None):
        self.report = report
        self.zone_ids = None if zone_ids is None else set(zone_ids)

    # Small checks ---------------------------------------------------------------------
    def keys(self, obj: dict, kind: str, where: str) -> None:
        for key in obj:
            if key not in _KEYS[kind]:
                self.report.warning(f"unknown key '{key}' is ignored",
                                    f"use one of {', '.join(sorted(_KEYS[kind]))}, or remove it",
                                    where=_at(where, key))

    def obj(self, value: Any, where: str, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.report.error(f"{what} is not an object", f"write {what} as {{...}}", where=where)
        return None

    def text(self, obj: dict, key: str, where: str, *, required: bool, fix: str) -> str:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.report.error(f"'{key}' is missing", fix, where=f"{where}.{key}")
            return ""
        if not isinstance(value, str):
            self.report.error(f"{_shown(value)} is not text", fix, where=f"{where}.{key}")
            return ""
        return value.strip()

    def texts(self, obj: dict, key: str, where: str) -> tuple[str, ...]:
        value = obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.report.error(f"'{key}' is not a list of names",
                              'write it as ["first", "second"]', where=f"{where}.{key}")
            return ()
        return tuple(v.strip() for v in value)

    def day(self, obj: dict, key: str, where: str, *, required: bool = False) -> date | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.report.error(f"'{key}' is missing", DATE_FIX, where=f"{where}.{key}")
            return None
        try:
            if isinstance(value, str) and _DATE.match(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.report.error(f"{_shown(value)} is not a date", DATE_FIX,
                          where=f"{where}.{key}")
        return None

    def moment(self, obj: dict, key: str, where: str) -> datetime | None:
        value = obj.get(key)
        fix = ("write the day, or the day and time with its UTC offset, e.g. 2017-08-03 or "
               "2017-08-03T12:00:00+03:00")
        if value is None or value == "":
            self.report.error(f"'{key}' is missing", fix, where=f"{where}.{key}")
            return None
        try:
            if isinstance(value, str) and (_DATE.match(value) or _DATETIME.match(value)):
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        self.report.error(f"{_shown(value)} is not a date or date and time",
                          fix, where=f"{where}.{key}")
        return None

    def items(self, obj: dict, key: str, where: str) -> list[tuple[str, dict]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.report.error(f"'{key}' is not a list", f"write {key} as [{{...}}, ...]",
                              where=_at(where, key))
            return []
        out = []
        for i, item in enumerate(value):
            place = _at(where, f"{key}[{i}]")
            if (checked := self.obj(item, place, f"{key}[{i}]")) is not None:
                out.append((place, checked))
        return out

    # Records --------------------------------------------------------------------------
    def party(self, obj: dict, where: str) -> Party | None:
        self.keys(obj, "party", where)
        name = self.text(obj, "name", where, required=True,
                         fix="give the party's name as the sources write it")
        side = obj.get("side")
        if side not in SIDES:
            shown = "'side' is missing" if side is None else f"side {_shown(side)} is not known"
            self.report.error(shown, f"use one of {', '.join(SIDES)}", where=f"{where}.side")
        aliases = self.texts(obj, "aliases", where)
        return Party(name, side, aliases) if name and side in SIDES else None

    def source(self, obj: dict, where: str, what: str) -> str:
        """The term's source; a missing one is a warning (every term should cite one)."""
        source = self.text(obj, "source", where, required=False, fix="cite the report as text")
        if not source:
            self.report.warning(f"the {what} has no source", "cite where it was reported",
                                where=f"{where}.source")
        return source

    def exemption(self, obj: dict, where: str) -> Exemption | None:
        self.keys(obj, "exempt", where)
        name = self.text(obj, "name", where, required=True,
                         fix="give the exempt group's name as the sources write it")
        aliases = self.texts(obj, "aliases", where)
        start, until = self.day(obj, "from", where), self.day(obj, "until", where)
        if start and until and until < start:
            self.report.error(f"until {until} is before from {start}",
                              "swap the dates, or leave until empty (null) while it lasts",
                              where=f"{where}.until")
        source = self.source(obj, where, "exemption")
        return Exemption(name, aliases, start, until, source) if name else None

    def analyst(self, value: Any, where: str) -> AnalystStatus | None:
        if (obj := self.obj(value, where, "analyst")) is None:
            return None
        self.keys(obj, "analyst", where)
        status = obj.get("status")
        if status not in ANALYST_STATUSES:
            self.report.error(f"status {_shown(status)} is not known",
                              f"use one of {', '.join(ANALYST_STATUSES)}", where=f"{where}.status")
        day = self.day(obj, "day", where, required=True)
        source = self.text(obj, "source", where, required=True,
                           fix="cite what the verdict rests on")
        note = self.text(obj, "note", where, required=False, fix="write the note as text")
        if status in ANALYST_STATUSES and day and source:
            return AnalystStatus(status, day, source, note)
        return None

    def commitment(self, obj: dict, where: str) -> Commitment | None:
        self.keys(obj, "commitment", where)
        cid = self.text(obj, "id", where, required=True, fix='give it a short id, e.g. "aid"')
        text = self.text(obj, "text", where, required=True,
                         fix="say what was promised, in the sources' words")
        due = self.day(obj, "due", where)
        evidence = Evidence()
        if "evidence" in obj and (ev := self.obj(obj["evidence"], f"{where}.evidence",
                                                 "evidence")) is not None:
            self.keys(ev, "evidence", f"{where}.evidence")
            evidence = Evidence(self.texts(ev, "event_types", f"{where}.evidence"),
                                self.texts(ev, "keywords", f"{where}.evidence"))
        source = self.source(obj, where, "commitment")
        analyst = self.analyst(obj["analyst"], f"{where}.analyst") if obj.get("analyst") else None
        return Commitment(cid, text, due, evidence, source, analyst) if cid and text else None

    def agreement(self, obj: dict, where: str) -> Agreement | None:
        self.keys(obj, "agreement", where)
        aid = self.text(obj, "id", where, required=True,
                        fix='give it a short id, e.g. "north-homs-2017"')
        name = self.text(obj, "name", where, required=True,
                         fix='give it the name people call it, e.g. "North Homs ceasefire"')
        zones = self.zones(obj, where)
        in_effect = self.moment(obj, "in_effect", where)
        ends = self.day(obj, "ends", where)
        if in_effect and ends and ends < in_effect.date():
            self.report.error(f"ends {ends} is before in_effect {in_effect.date()}",
                              "swap the dates, or leave ends empty (null) while it holds",
                              where=f"{where}.ends")
        source = self.source(obj, where, "agreement")
        parties = [p for place, o in self.items(obj, "parties", where)
                   if (p := self.party(o, place))]
        note = self.text(obj, "parties_note", where, required=False, fix="write the note as text")
        if not obj.get("parties") and not note:
            self.report.warning("the agreement names no parties",
                                "list them, or say in parties_note that the sources do not report "
                                "them", where=f"{where}.parties")
        exempt = [e for place, o in self.items(obj, "exempt", where)
                  if (e := self.exemption(o, place))]
        self.party_and_exempt(parties, exempt, where)
        commitments = []
        seen: set[str] = set()
        for place, o in self.items(obj, "commitments", where):
            if (c := self.commitment(o, place)) is None:
                continue
            if c.id in seen:
                self.report.error(f"commitment id '{c.id}' is used twice",
                                  "give each commitment of an agreement its own id",
                                  where=f"{place}.id")
            seen.add(c.id)
            commitments.append(c)
        if not (aid and name and zones and in_effect):
            return None
        return Agreement(aid, name, zones, in_effect, ends, source, tuple(parties), note,
                         tuple(exempt), tuple(commitments), self.texts(obj, "non_violent", where),
                         self.text(obj, "note", where, required=False, fix="write the note as text"))

    def zones(self, obj: dict, where: str) -> tuple[str, ...]:
        if not obj.get("zones"):
            self.report.error("'zones' is missing", 'list the zone ids it covers, e.g. ["homs-north"]',
                              where=f"{where}.zones")
            return ()
        zones = self.texts(obj, "zones", where)
        if self.zone_ids is not None:
            for i, zone in enumerate(zones):
                if zone not in self.zone_ids:
                    self.report.warning(f"zone '{zone}' is not in the zone file",
                                        "use a zone_id of the zone file "
                                        f"({', '.join(sorted(self.zone_ids)) or 'none loaded'})",
                                        where=f"{where}.zones[{i}]")
        return zones

    def party_and_exempt(self, parties: list[Party], exempt: list[Exemption], where: str) -> None:
        """A name cannot be both bound by the deal and left out of it."""
        bound = {actor_key(n) for p in parties for n in (p.name, *p.aliases)}
        for i, e in enumerate(exempt):
            both = [n for n in (e.name, *e.aliases) if actor_key(n) in bound]
            if both:
                self.report.error(f"'{both[0]}' is both a party and exempt",
                                  "keep the name in one list only", where=f"{where}.exempt[{i}]")


def _parse(path: Path, report: ValidationReport) -> Any:
    size = path.stat().st_size
    if size > MAX_BYTES:
        report.error(f"the file is {size:,} bytes, more than a terms file needs ({MAX_BYTES:,})",
                     "check that this is the terms file")
        return None
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        report.error(f"the file is not UTF-8 text (byte {err.start})", "save it as UTF-8")
    except json.JSONDecodeError as err:
        report.error(f"not valid JSON: {err.msg}", "correct the JSON there (a missing comma or "
                     "quote is the usual cause)", where=f"line {err.lineno}, column {err.colno}")
    return None


def read_terms(path: str | Path, zone_ids: Iterable[str] | None = None, **_options: Any
               ) -> tuple[Terms, ValidationReport]:
    """(terms, report). The terms hold every agreement that could be read whole; the
    report every problem. ``zone_ids``: the loaded zones, to warn about unknown ones.
    Other options (``encoding``, ``limits``) are accepted and ignored: the file is UTF-8
    JSON and small."""
    path = Path(path)
    report = ValidationReport(path, kind="terms")
    if path.suffix.lower() in (".yaml", ".yml"):
        report.error("YAML terms files are not read", "write the terms as JSON (the same keys)")
        return Terms(source_file=path.name), report
    data = _parse(path, report)
    if data is None:
        return Terms(source_file=path.name), report
    reader = _Reader(report, zone_ids)
    if not isinstance(data, dict) or not isinstance(data.get("agreements"), list):
        report.error("no 'agreements' list", 'write the file as {"agreements": [{...}, ...]}')
        return Terms(source_file=path.name), report
    reader.keys(data, "file", "")
    report.rows = len(data["agreements"])
    if not data["agreements"]:
        report.error("the agreements list is empty", "add one agreement")
    agreements: list[Agreement] = []
    for place, obj in reader.items(data, "agreements", ""):
        if (agreement := reader.agreement(obj, place)) is None:
            continue
        if any(a.id == agreement.id for a in agreements):
            report.error(f"agreement id '{agreement.id}' is used twice",
                         "give each agreement its own id", where=f"{place}.id")
        agreements.append(agreement)
    return Terms(tuple(agreements), path.name), report


def load_terms(path: str | Path, zone_ids: Iterable[str] | None = None) -> Terms:
    """Terms ready to use; raises ``TermsFileError`` (the first error) if the file has any."""
    terms, report = read_terms(path, zone_ids)
    report.raise_for_errors(TermsFileError)
    return terms


def looks_like_terms(path: str | Path) -> bool:
    """True for a JSON file whose top level holds "agreements" (what ``validate`` reads
    it as when no role is given)."""
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(65536)
    return b'"agreements"' in head and b'"FeatureCollection"' not in head
