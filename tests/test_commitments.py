"""Commitment statuses against hand-built incidents (dashboard.analysis.commitments)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from dashboard.analysis.commitments import commitment_statuses, evidence_mask
from dashboard.analysis.dataset import assemble_dataset
from dashboard.analysis.viewdata import build_view_data
from dashboard.core import model
from dashboard.core.agreements import Agreement, AnalystStatus, Commitment, Evidence
from tests.test_stats import EAST_HALF, FAR, IN_BOTH, milestones_frame, zones_frame

AID = Commitment("aid", "Aid enters the pocket", date(2017, 7, 5),
                 Evidence(event_types=("Aid convoy",), keywords=("aid",)), source="Deal text")
DETAINEES = Commitment("detainees", "Detainees released", date(2017, 7, 5),
                       Evidence(keywords=("detainees",)), source="Deal text")
ROAD = Commitment("road", "The highway reopens", date(2017, 7, 20),
                  Evidence(keywords=("highway",)), source="Deal text")
OBSERVERS = Commitment("observers", "Observers deploy", None,
                       Evidence(event_types=("observer deployment",)), source="Deal text",
                       analyst=AnalystStatus("broken", date(2017, 7, 6), "Analyst call, 6 Jul"))


def agreement(*commitments: Commitment) -> Agreement:
    return Agreement("deal", "Zone Z deal", ("z",), datetime(2017, 7, 1, 12), source="Deal text",
                     commitments=commitments)


def world(rows):
    """rows: (id, day, (lon, lat), event_type, notes)"""
    frame = pd.DataFrame({
        "incident_id": [r[0] for r in rows], "date": pd.to_datetime([r[1] for r in rows]),
        "lon": [r[2][0] for r in rows], "lat": [r[2][1] for r in rows],
        "event_type": [r[3] for r in rows], "notes": [r[4] for r in rows]})
    frame["date_end"] = frame["date"]
    for col, value in (("date_precision", "day"), ("place", "P"), ("admin1", ""), ("admin2", ""),
                       ("loc_precision", "exact"), ("precision_km", 2.0), ("sub_type", ""),
                       ("actor1", "A"), ("actor2", "B"), ("fatalities", 0.0), ("source", "src"),
                       ("dataset", "test")):
        frame[col] = value
    data = assemble_dataset(zones_frame(), frame[model.INCIDENT_COLUMNS], milestones_frame(), [])
    return build_view_data(data, "test").index, data.zone_index


ROWS = [
    ("before-deal", "2017-06-20", IN_BOTH, "Aid convoy", ""),            # before it took effect
    ("convoy", "2017-07-03", IN_BOTH, "Aid convoy", ""),                 # event type, inside
    ("said", "2017-07-03", IN_BOTH, "Shelling", "officials said so"),    # 'aid' inside a word
    ("released", "2017-07-10", EAST_HALF, "Agreement", "12 Detainees released"),  # ring, late
    ("far-road", "2017-07-04", FAR, "Agreement", "highway reopened"),    # outside the ring
    ("observed", "2017-07-04", IN_BOTH, "Observer Deployment", ""),
]


def statuses(as_of: date, *commitments: Commitment, rows=ROWS, ring_km: float = 25):
    index, zone_index = world(rows)
    found = commitment_statuses(index, zone_index, agreement(*commitments), as_of, ring_km=ring_km)
    return {s.id: s for s in found}


def test_cm001_kept_late_and_no_evidence():
    out = statuses(date(2017, 7, 31), AID, DETAINEES, ROAD)
    assert (out["aid"].status, out["aid"].evidence_ids, out["aid"].first_evidence) == \
        ("kept", ("convoy",), date(2017, 7, 3))
    assert (out["detainees"].status, out["detainees"].first_evidence) == ("late", date(2017, 7, 10))
    assert (out["road"].status, out["road"].evidence_ids) == ("no_evidence", ())
    assert [s.source for s in out.values()] == ["Deal text"] * 3
    assert out["aid"].status_source == "incident data"


def test_cm002_evidence_after_the_as_of_day_is_ignored():
    out = statuses(date(2017, 7, 8), DETAINEES)
    assert (out["detainees"].status, out["detainees"].evidence_ids) == ("no_evidence", ())


def test_cm003_outside_the_ring_is_not_counted():
    """'released' lies about 18 km outside the zone: in a 25 km ring, not in a 10 km one."""
    assert statuses(date(2017, 7, 31), DETAINEES, ring_km=10)["detainees"].status == "no_evidence"
    near_road = [*ROWS, ("near-road", "2017-07-04", IN_BOTH, "Agreement", "Highway open")]
    assert statuses(date(2017, 7, 31), ROAD, rows=near_road)["road"].evidence_ids == ("near-road",)


def test_cm004_analyst_entry_overrides_once_its_day_has_come():
    out = statuses(date(2017, 7, 10), OBSERVERS)["observers"]
    assert (out.status, out.status_source, out.status_day) == \
        ("broken", "Analyst call, 6 Jul", date(2017, 7, 6))
    assert out.evidence_ids == ("observed",)                  # the evidence is still listed
    before = statuses(date(2017, 7, 5), OBSERVERS)["observers"]
    assert (before.status, before.status_source) == ("kept", "incident data")  # no due day


@pytest.mark.parametrize(("event_type", "notes", "evidence", "hit"), [
    pytest.param("Aid convoy", "", Evidence(event_types=("aid CONVOY",)), True, id="type-any-case"),
    pytest.param("Shelling", "AID reached Talbiseh", Evidence(keywords=("aid",)), True,
                 id="keyword-any-case"),
    pytest.param("Shelling", "officials said", Evidence(keywords=("aid",)), False, id="inside-word"),
    pytest.param("Shelling", "first-aid post", Evidence(keywords=("aid",)), True, id="hyphen-bound"),
    pytest.param("Shelling", "U.N. team", Evidence(keywords=("U.N.",)), True, id="punctuated"),
    pytest.param("Shelling", "aid", Evidence(event_types=("Aid convoy",)), False, id="type-only"),
    pytest.param("Aid convoy", "", Evidence(keywords=("convoy",)), False, id="keyword-not-in-type"),
])
def test_cm005_event_type_or_whole_word_keyword(event_type, notes, evidence, hit):
    frame = pd.DataFrame({"event_type": [event_type], "notes": [notes], "sub_type": [""]})
    assert evidence_mask(frame, evidence).tolist() == [hit]


def test_cm006_evidence_before_the_deal_and_a_deal_not_yet_in_effect():
    assert statuses(date(2017, 6, 30), AID)["aid"].status == "no_evidence"
    out = statuses(date(2017, 7, 2), AID)["aid"]
    assert out.evidence_ids == ()                           # 20 Jun convoy predates the deal


def test_cm007_to_dict_is_json_ready():
    doc = statuses(date(2017, 7, 31), AID)["aid"].to_dict()
    assert doc == {"id": "aid", "text": "Aid enters the pocket", "due": "2017-07-05",
                   "status": "kept", "evidence_ids": ["convoy"], "source": "Deal text",
                   "first_evidence": "2017-07-03", "status_source": "incident data",
                   "status_day": None}


def test_statuses_are_made_once_per_data_agreement_day_and_ring(monkeypatch):
    """Every zone panel of a zone asks for them (whatever its filters): made once, and
    again for other data, another zone index, day or ring."""
    from dashboard.analysis import commitments as module

    made = []
    real = module._statuses
    monkeypatch.setattr(module, "_statuses", lambda *a: made.append(a[3:]) or real(*a))
    monkeypatch.setattr(module, "_STATUSES", module.BoundedMemo(8))
    index, zone_index = world(ROWS)
    deal = agreement(AID, ROAD)
    first = commitment_statuses(index, zone_index, deal, date(2017, 7, 31))
    again = commitment_statuses(index, zone_index, deal, date(2017, 7, 31))
    assert first == again and len(made) == 1
    commitment_statuses(index, zone_index, deal, date(2017, 8, 1))
    commitment_statuses(index, zone_index, deal, date(2017, 7, 31), ring_km=5)
    _, other_zones = world(ROWS)
    commitment_statuses(index, other_zones, deal, date(2017, 7, 31))
    assert len(made) == 4
