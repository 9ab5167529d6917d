"""The dashboard with agreement terms: the class filter, colours and legend, the cards,
the table and hover, the Terms tab and the briefing's terms lines (issue 14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from dashboard.analysis import filterspec
from dashboard.analysis.aggregate import class_count, summarise
from dashboard.analysis.viewdata import build_view_data
from dashboard.analysis.viewstate import ViewState, decode, encode
from dashboard.app import ids
from dashboard.app.callbacks import terms as terms_cb
from dashboard.app.callbacks.table import highlight_view, table_rows
from dashboard.app.panels import summary_cards
from dashboard.core.agreements import (
    Agreement,
    Commitment,
    Evidence,
    Exemption,
    Party,
    Terms,
)
from dashboard.core.settings import Settings
from dashboard.export.words import terms_lines
from dashboard.server.datastore import DataStore, terms_file
from dashboard.views import palette
from dashboard.views.figures import class_words, colour_groups, exemptions_figure

DEAL = Agreement(
    id="north-homs-2017", name="North Homs ceasefire", zones=("homs-north",),
    in_effect=datetime(2017, 8, 3, 12, tzinfo=timezone(timedelta(hours=3))),
    source="Syria Direct, 3 Aug 2017",
    parties=(Party("Government and allies", "government", ("Government of Syria",)),),
    exempt=(Exemption("Hay'at Tahrir al-Sham", ("HTS",), date(2017, 9, 10), None, "Syria Direct"),),
    commitments=(Commitment("aid", "Aid enters the pocket", date(2017, 8, 7),
                            Evidence(event_types=("Shelling",)), "Syria Direct"),),
)
TERMS = Terms((DEAL,), "terms.json")


@pytest.fixture(scope="module")
def classified_view(tiny_dataset):
    return build_view_data(tiny_dataset, "test", terms=TERMS)


@pytest.fixture
def terms_store(tiny_dataset, tmp_path):
    return DataStore.from_dataset(tiny_dataset, Settings(session_dir=tmp_path / "s"), "test",
                                  terms=TERMS)


def test_without_terms_nothing_is_classified(tiny_view):
    assert tiny_view.terms is None and "classification" not in tiny_view.index.frame
    assert class_count(tiny_view.index, tiny_view.index.select(tiny_view.default)) is None
    assert [c.children[0].children for c in summary_cards(
        summarise(tiny_view.index, tiny_view.index.select(tiny_view.default),
                  tiny_view.index.select(tiny_view.default)), 30)] == [
        "Incidents", "Fatalities", "Inside zones", "Window"]


def test_with_terms_each_incident_has_a_categorical_class(classified_view):
    frame = classified_view.index.frame
    assert str(frame["classification"].dtype) == "category"
    assert set(frame["classification"]) <= set(filterspec.CLASS_LABELS)
    assert frame.loc[frame["incident_id"] == "i01", "classification"].item() == "outside"


def test_class_filter_round_trips_through_the_link_and_selects(classified_view):
    state = ViewState(start=date(2017, 1, 1), end=date(2018, 12, 31), classes=("outside",))
    query = encode(state)
    assert "class=outside" in query
    back = decode(query).state
    assert back.classes == ("outside",)
    assert back.active_filters()["Class"] == "Outside"
    kept = classified_view.index.frame.iloc[classified_view.index.select(back)]
    assert len(kept) and set(kept["classification"]) == {"outside"}


def test_class_filter_without_terms_keeps_nothing(tiny_view):
    state = ViewState(start=date(2017, 1, 1), end=date(2018, 12, 31), classes=("violation",))
    assert len(tiny_view.index.select(state)) == 0
    assert tiny_view.index.options("classification") == []


def test_class_colours_and_legend_are_fixed_and_distinct():
    legend = palette.class_legend()
    assert [label for _, label, _ in legend] == [
        "Violation", "Permitted", "Unclear", "Non-party", "Not violent", "Outside"]
    assert len({c for _, _, c in legend}) == 6
    assert palette.class_colour("violation") == "#D55E00"


def test_map_colours_by_class_only_when_asked_and_classified(classified_view, tiny_view):
    frame = classified_view.index.frame
    by_class = colour_groups(frame, classified_view.type_order, "class")
    assert {label for _, label, _ in by_class} <= set(filterspec.CLASS_LABELS.values())
    assert sum(len(rows) for rows, _, _ in by_class) == len(frame)
    by_type = colour_groups(tiny_view.index.frame, tiny_view.type_order, "class")
    assert [label for _, label, _ in by_type] == tiny_view.type_order   # no terms: by type


def test_hover_and_table_say_why(classified_view, tiny_view):
    frame = classified_view.index.frame
    words = class_words(frame)
    assert words[0].startswith(filterspec.CLASS_LABELS[frame["classification"].iloc[0]] + ": ")
    assert class_words(tiny_view.index.frame) is None
    rows = table_rows(frame.iloc[:2])
    assert rows[0]["classification"] in filterspec.CLASS_LABELS.values()
    assert rows[0]["classification_reason"]
    assert "classification" not in table_rows(tiny_view.index.frame.iloc[:1])[0]


def test_cards_count_violations(classified_view):
    index = classified_view.index
    everything = index.select(ViewState(start=date(2017, 1, 1), end=date(2018, 12, 31)))
    summary = summarise(index, everything, everything[:0])
    expected = int((index.frame["classification"] == "violation").sum())
    assert summary.violations == expected
    cards = summary_cards(summary, 30)
    assert cards[1].children[0].children == "Violations"
    assert cards[1].children[1].children == f"{expected:,}"


def test_terms_view_shows_the_deal_parties_exemption_and_commitment(terms_store):
    panel, options, zone = terms_cb.terms_view(terms_store, None, "?zone=homs-north", None)
    text = str(panel)
    assert zone == "homs-north" and options[0]["value"] == "homs-north"
    assert "North Homs ceasefire" in text and "12:00" in text and "Syria Direct" in text
    assert "Government and allies" in text
    assert "Hay'at Tahrir al-Sham" in text and "10 Sep 2017" in text
    assert "Aid enters the pocket" in text and "KEPT" in text
    assert "'type': 'evidence'" in text


def test_terms_view_without_terms_says_how_to_load_them(store):
    panel, options, zone = terms_cb.terms_view(store, None, "?zone=homs-north", None)
    assert options == [] and zone is None and "--terms" in str(panel)


def test_zone_terms_lists_evidence_and_clicking_marks_it(terms_store):
    view = terms_store.base
    shown = terms_cb.zone_terms(view, "homs-north", date(2018, 5, 15))
    statuses = shown.agreements[0].statuses
    assert statuses[0].status == "kept"
    first = shown.agreements[0].evidence["aid"][0]["id"]
    highlight, _camera = terms_cb.evidence_clicked(terms_store, None, "?zone=homs-north", None,
                                                   ids.evidence(first), [1])
    assert highlight == first == highlight_view(terms_store, None, "", None,
                                                [{"incident_id": first}])[0]


def test_exemption_timeline_has_a_bar_per_exemption_and_the_deal_marker(classified_view):
    fig = exemptions_figure(DEAL, classified_view.span)
    assert [t.y[0] for t in fig.data] == ["Hay&#39;at Tahrir al-Sham"] or \
        [t.y[0] for t in fig.data] == ["Hay'at Tahrir al-Sham"]
    assert "Deal took effect" in fig.layout.annotations[0].text


def test_briefing_terms_lines_only_with_terms_and_a_zone(classified_view, tiny_view):
    state = ViewState(start=date(2017, 1, 1), end=date(2018, 12, 31), zones=("homs-north",))
    lines = terms_lines(classified_view, state)
    assert lines[0].startswith("Violations: ") and " of " in lines[0]
    assert any("North Homs ceasefire" in ln and "Syria Direct" in ln for ln in lines)
    assert any(ln.startswith("Not covered: Hay'at Tahrir al-Sham from 10 Sep 2017")
               for ln in lines)
    assert terms_lines(tiny_view, state) is None
    assert terms_lines(classified_view, ViewState(start=state.start, end=state.end)) is None


@pytest.mark.parametrize(("zones", "terms", "expected"), [
    (None, "", "bundled"), (None, "none", None), ("z.geojson", "", None),
])
def test_terms_setting_bundled_with_bundled_zones_only(tmp_path, zones, terms, expected):
    settings = Settings(zones=tmp_path / zones if zones else None, terms=terms)
    found = terms_file(settings)
    assert (found is not None) == (expected is not None)


def test_terms_setting_bundled_with_other_zones_names_the_fix(tmp_path):
    from dashboard.core.errors import ConfigError

    with pytest.raises(ConfigError, match="Fix: "):
        terms_file(Settings(zones=tmp_path / "z.geojson", terms="bundled"))


def test_prepared_data_keeps_the_classification_keyed_by_the_terms_file(tmp_path):
    """The classification is cached with the prepared data; another terms file is
    another entry (the key names it), and 'none' classifies nothing."""
    import json

    from dashboard.core.paths import geodata_dir
    from dashboard.io.synth import synthetic_incidents
    from dashboard.io.terms_file import BUNDLED_TERMS
    from dashboard.io.writers import write_incidents
    from dashboard.server.datastore import load_base_view

    synthetic_file = write_incidents(synthetic_incidents(2000, seed=3),
                                     tmp_path / "SYNTHETIC-2000.parquet")
    own = tmp_path / "terms.json"
    own.write_text((geodata_dir() / BUNDLED_TERMS).read_text(encoding="utf-8"), encoding="utf-8")
    base = dict(incidents=synthetic_file, session_dir=tmp_path / "s", cache_dir=tmp_path / "c")
    first = load_base_view(Settings(**base))                       # bundled zones: bundled terms
    again = load_base_view(Settings(**base))                       # read back from the cache
    assert first.classified and again.classified
    assert again.index.frame["classification"].tolist() == first.index.frame["classification"].tolist()
    load_base_view(Settings(**base, terms=str(own)))
    none = load_base_view(Settings(**base, terms="none"))
    assert not none.classified
    assert len([p for p in (tmp_path / "c").iterdir() if (p / "manifest.json").exists()]) == 3
    assert json.loads((own).read_text(encoding="utf-8"))["agreements"]


def test_a_terms_upload_is_checked_kept_and_classifies_the_session(terms_store, tmp_path):
    """Role "terms" through the sandboxed check: a bad file is refused with the place and
    the fix; a good one is kept for the session and its incidents are classified by it."""
    import base64
    import json

    from dashboard.server.sessions import new_session_id
    from dashboard.server.uploads import receive_upload

    def data_url(text: str) -> str:
        return "data:application/json;base64," + base64.b64encode(text.encode()).decode()

    sid = new_session_id()
    bad = receive_upload(terms_store.sessions, sid, "terms", data_url('{"agreements": 3}'),
                         "bad.json", 5)
    assert not bad.ok and "Fix: " in bad.report.issues[0].message("bad.json")
    good = {"agreements": [{"id": "mine", "name": "My deal", "zones": ["homs-north"],
                            "in_effect": "2017-08-03", "source": "me", "parties": []}]}
    ok = receive_upload(terms_store.sessions, sid, "terms", data_url(json.dumps(good)),
                        "mine.json", 5)
    assert ok.ok, ok.message
    assert "1 agreement" in ok.message
    view = terms_store.view_data(sid)
    assert view.terms.agreements[0].name == "My deal"
    assert view.terms.source_file == "mine.json" and view.classified


def test_evidence_names_its_source_when_ids_repeat_across_sources():
    """Two sources with an incident "7": the evidence is the one its commitment found,
    and its button carries the source, so a click marks that incident only."""
    from types import SimpleNamespace

    import pandas as pd

    from dashboard.analysis.commitments import CommitmentStatus

    frame = pd.DataFrame({"dataset": ["UCDP GED", "Field"], "incident_id": ["7", "7"],
                          "date": pd.to_datetime(["2017-08-01", "2017-09-01"]),
                          "event_type": ["Shelling", "Aid convoy"], "place": ["Rastan", None]})
    view = SimpleNamespace(index=SimpleNamespace(frame=frame))
    status = CommitmentStatus("aid", "Aid enters", None, "kept", ("7",), "deal",
                              date(2017, 9, 1), evidence_datasets=("Field",))
    rows = terms_cb._evidence_rows(view, status)
    assert [(r["dataset"], r["id"], r["type"]) for r in rows] == [("Field", "7", "Aid convoy")]
    button = ids.evidence(rows[0]["id"], rows[0]["dataset"])
    assert button == {"type": ids.EVIDENCE_TYPE, "dataset": "Field", "id": "7"}
    # Without sources named (one source, or an older status) the id alone still works.
    bare = CommitmentStatus("aid", "Aid enters", None, "kept", ("7",), "deal", None)
    assert len(terms_cb._evidence_rows(view, bare)) == 2


def test_clicking_evidence_of_one_source_marks_that_source(terms_store, monkeypatch):
    seen = []
    monkeypatch.setattr(terms_cb, "highlight_view",
                        lambda store, session, query, camera, rows: seen.append(rows) or (1, 2))
    terms_cb.evidence_clicked(terms_store, None, "", None, ids.evidence("7", "Field"), [1])
    terms_cb.evidence_clicked(terms_store, None, "", None, ids.evidence("7"), [1])
    assert seen == [[{"incident_id": "7", "dataset": "Field"}], [{"incident_id": "7"}]]
