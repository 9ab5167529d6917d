"""Terms files: every problem located with the fix; the bundled terms say what the
reference facts say, each with its source."""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from dashboard.core.errors import TermsFileError
from dashboard.core.paths import geodata_dir
from dashboard.io import validate
from dashboard.io.terms_file import BUNDLED_TERMS, load_terms, read_terms

GOOD = {"agreements": [{
    "id": "north-homs-2017", "name": "North Homs ceasefire", "zones": ["homs-north"],
    "in_effect": "2017-08-03T12:00:00+03:00", "ends": None, "source": "Syria Direct, 3 Aug 2017",
    "parties": [
        {"name": "Government and allies", "side": "government",
         "aliases": ["Government of Syria", "Military Forces of Syria"]},
        {"name": "Opposition factions", "side": "opposition", "aliases": ["Syrian insurgents"]}],
    "exempt": [{"name": "Hay'at Tahrir al-Sham", "aliases": ["HTS"], "from": "2017-09-10",
                "until": None, "source": "Syria Direct, 3 Aug 2017"}],
    "commitments": [{"id": "aid", "text": "Food enters the pocket", "due": "2017-08-07",
                     "evidence": {"event_types": ["Aid convoy"], "keywords": ["aid"]},
                     "source": "Syria Direct, 3 Aug 2017"}]}]}


def _write(tmp_path, data, name="terms.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _with(change):
    data = copy.deepcopy(GOOD)
    change(data["agreements"][0])
    return data


def _set(path, value):
    def change(agreement):
        *head, last = path
        target = agreement
        for key in head:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return change


def _dup_agreement(data):
    data["agreements"].append(copy.deepcopy(data["agreements"][0]))


BAD = [  # (change, where, problem regex, fix regex)
    pytest.param(_set(["id"], KeyError), "agreements[0].id", r"'id' is missing", r"short id",
                 id="no-id"),
    pytest.param(_set(["name"], ""), "agreements[0].name", r"'name' is missing", r"name people",
                 id="no-name"),
    pytest.param(_set(["zones"], []), "agreements[0].zones", r"'zones' is missing", r"zone ids",
                 id="no-zones"),
    pytest.param(_set(["in_effect"], KeyError), "agreements[0].in_effect", r"'in_effect' is missing",
                 r"UTC offset", id="no-in-effect"),
    pytest.param(_set(["in_effect"], "3 Aug 2017"), "agreements[0].in_effect",
                 r"'3 Aug 2017' is not a date or date and time", r"2017-08-03T12:00:00\+03:00",
                 id="in-effect-not-iso"),
    pytest.param(_set(["exempt", 0, "from"], "2017-13-01"), "agreements[0].exempt[0].from",
                 r"'2017-13-01' is not a date", r"YYYY-MM-DD", id="bad-month"),
    pytest.param(_set(["exempt", 0, "until"], "2017-09-01"), "agreements[0].exempt[0].until",
                 r"until 2017-09-01 is before from 2017-09-10", r"swap the dates", id="until-before-from"),
    pytest.param(_set(["ends"], "2017-08-01"), "agreements[0].ends",
                 r"ends 2017-08-01 is before in_effect 2017-08-03", r"swap", id="ends-before-start"),
    pytest.param(_set(["parties", 1, "side"], "rebels"), "agreements[0].parties[1].side",
                 r"side 'rebels' is not known", r"government, opposition, other", id="bad-side"),
    pytest.param(_set(["parties", 0, "name"], KeyError), "agreements[0].parties[0].name",
                 r"'name' is missing", r"party's name", id="party-no-name"),
    pytest.param(_set(["commitments", 0, "text"], ""), "agreements[0].commitments[0].text",
                 r"'text' is missing", r"what was promised", id="commitment-no-text"),
    pytest.param(_set(["commitments", 0, "due"], "7 Aug"), "agreements[0].commitments[0].due",
                 r"'7 Aug' is not a date", r"YYYY-MM-DD", id="bad-due"),
    pytest.param(lambda a: a["commitments"].append(dict(a["commitments"][0])),
                 "agreements[0].commitments[1].id", r"commitment id 'aid' is used twice",
                 r"its own id", id="dup-commitment"),
    pytest.param(_set(["exempt", 0, "aliases"], ["Syrian insurgents"]), "agreements[0].exempt[0]",
                 r"'Syrian insurgents' is both a party and exempt", r"one list", id="party-and-exempt"),
    pytest.param(_set(["parties", 0, "aliases"], "Government of Syria"),
                 "agreements[0].parties[0].aliases", r"'aliases' is not a list of names",
                 r'\["first", "second"\]', id="aliases-not-list"),
]


@pytest.mark.parametrize(("change", "where", "problem", "fix"), BAD)
def test_bad_terms_name_file_place_problem_and_fix(tmp_path, change, where, problem, fix):
    path = _write(tmp_path, _with(change))
    _, report = read_terms(path)
    messages = report.messages("error")
    assert any(m.startswith(f"terms.json, {where}: ") for m in messages), messages
    hit = next(m for m in messages if m.startswith(f"terms.json, {where}: "))
    assert re.search(problem, hit), hit
    assert re.search(f"Fix: .*{fix}", hit), hit
    with pytest.raises(TermsFileError, match="Fix: "):
        load_terms(path)


def test_duplicate_agreement_ids(tmp_path):
    data = copy.deepcopy(GOOD)
    _dup_agreement(data)
    _, report = read_terms(_write(tmp_path, data))
    assert report.messages("error") == [
        "terms.json, agreements[1].id: agreement id 'north-homs-2017' is used twice. "
        "Fix: give each agreement its own id."]


@pytest.mark.parametrize(("text", "message"), [
    ("{", r"terms.json, line 1, column 2: not valid JSON"),
    ("[]", r"no 'agreements' list"),
    ('{"agreements": []}', r"the agreements list is empty"),
    ('{"agreements": [3]}', r"agreements\[0\]: agreements\[0\] is not an object"),
])
def test_unreadable_files(tmp_path, text, message):
    with pytest.raises(TermsFileError, match=message):
        load_terms(_write(tmp_path, text))


def test_yaml_is_refused_with_a_fix(tmp_path):
    with pytest.raises(TermsFileError, match=r"YAML terms files are not read.*Fix: write the terms as JSON"):
        load_terms(_write(tmp_path, "agreements: []", "terms.yaml"))


def test_warnings_unknown_keys_unknown_zones_missing_sources(tmp_path):
    data = _with(lambda a: a.update({"colour": "red"}) or a["exempt"][0].pop("source"))
    terms, report = read_terms(_write(tmp_path, data), zone_ids=["idlib"])
    assert report.ok and len(terms.agreements) == 1
    text = "\n".join(report.messages("warning"))
    assert "agreements[0].colour: unknown key 'colour' is ignored" in text
    assert ("agreements[0].zones[0]: zone 'homs-north' is not in the zone file. "
            "Fix: use a zone_id of the zone file (idlib)") in text
    assert "agreements[0].exempt[0].source: the exemption has no source" in text


def test_good_file_gives_records(tmp_path):
    terms = load_terms(_write(tmp_path, GOOD))
    (agreement,) = terms.agreements
    assert agreement.in_effect == datetime(2017, 8, 3, 12, tzinfo=timezone(timedelta(hours=3)))
    assert agreement.starts_at_a_time and agreement.first_day == date(2017, 8, 3)
    assert agreement.exempt[0].start == date(2017, 9, 10) and agreement.exempt[0].until is None
    assert agreement.commitments[0].evidence.event_types == ("Aid convoy",)
    assert terms.source_file == "terms.json"


def test_validate_recognises_terms(tmp_path):
    path = _write(tmp_path, GOOD)
    assert validate(path).kind == "terms"
    assert validate(path, role="terms").ok


# The bundled terms ---------------------------------------------------------------------
BUNDLED_ZONES = ["idlib", "homs-north", "eastern-ghouta", "southwest", "idlib-dmz"]


@pytest.fixture(scope="module")
def bundled():
    terms, report = read_terms(geodata_dir() / BUNDLED_TERMS, zone_ids=BUNDLED_ZONES)
    assert report.issues == [], report.to_text()
    return {a.id: a for a in terms.agreements}


def test_bundled_north_homs_reproduces_the_seed(bundled):
    homs = bundled["north-homs-2017"]
    seed = "Syria Direct, 3 Aug 2017"
    assert homs.zones == ("homs-north",) and homs.source == seed
    assert homs.in_effect.isoformat() == "2017-08-03T12:00:00+03:00"
    (hts,) = homs.exempt
    assert "HTS" in hts.aliases and hts.start == date(2017, 9, 10) and hts.source == seed
    assert not hts.active_on(date(2017, 9, 9)) and hts.active_on(date(2017, 9, 10))
    commitments = {c.id: c for c in homs.commitments}
    assert commitments["aid"].due == date(2017, 8, 7) and commitments["aid"].source == seed
    assert commitments["aid"].evidence.event_types == ("Aid convoy",)
    assert commitments["observers"].due == date(2017, 8, 4)
    assert {"detainees", "highway"} <= set(commitments)
    assert all(c.source == seed for c in homs.commitments)


def test_bundled_zones_say_when_parties_are_not_reported(bundled):
    assert set(bundled) == {"north-homs-2017", "eastern-ghouta-2017", "faylaq-al-rahman-2017",
                            "southwest-2017", "idlib-2017"}
    for key in ("southwest-2017", "idlib-2017"):
        assert bundled[key].parties == ()
        assert "not reported" in bundled[key].parties_note
    assert bundled["southwest-2017"].in_effect.isoformat() == "2017-07-09T12:00:00+03:00"
    assert bundled["eastern-ghouta-2017"].in_effect.isoformat() == "2017-07-22T12:00:00+03:00"
    assert bundled["idlib-2017"].in_effect.date() == date(2017, 9, 15)
    assert "approximate" in bundled["faylaq-al-rahman-2017"].note
    assert all(a.source for a in bundled.values())


def test_cli_validate_role_terms(tmp_path):
    from click.testing import CliRunner

    from dashboard.cli import cli

    good = _write(tmp_path, GOOD)
    bad = _write(tmp_path, _with(_set(["exempt", 0, "from"], "2017-13-01")), "bad.json")
    result = CliRunner().invoke(cli, ["validate", "--role", "terms", str(good)])
    assert result.exit_code == 0, result.output
    assert "read as terms" in result.output
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1, result.output
    assert ("bad.json, agreements[0].exempt[0].from: '2017-13-01' is not a date. "
            "Fix: write the day as YYYY-MM-DD") in result.output
