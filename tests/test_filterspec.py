"""Adding a filter is one spec: a toy "dataset" filter, registered for one test, shows up
in the URL, the words, the selection, the panel, the option targets and the sync table."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import pytest

from dashboard.analysis import filterspec
from dashboard.analysis.dataset import assemble_dataset
from dashboard.analysis.filterspec import Control, ListFilter
from dashboard.analysis.viewdata import build_view_data
from dashboard.analysis.viewstate import ViewState, decode, encode
from dashboard.app import ids, parse
from dashboard.app.callbacks import session, sync
from dashboard.app.components import build_filters
from dashboard.export.words import filter_words
from dashboard.io.milestones import empty_milestones
from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones


@dataclass(frozen=True)
class ToyState(ViewState):
    datasets: tuple[str, ...] = ()  # the one line a new filter adds to the state


TOY = ListFilter(name="datasets", key="ds", label="Dataset", column="dataset", panel=85,
                 control=Control("dropdown", "Dataset", "All datasets"))


@pytest.fixture
def toy_filter(monkeypatch):
    """The registry with TOY added, for this test only."""
    monkeypatch.setattr(filterspec, "FILTERS", (*filterspec.FILTERS, TOY))


@pytest.fixture(scope="module")
def toy_view():
    """The tiny world, its first six incidents from "ACLED" and the rest from "UCDP GED"."""
    rows = [{**row, "dataset": "ACLED" if i < 6 else "UCDP GED"}
            for i, row in enumerate(INCIDENT_ROWS)]
    view = build_view_data(assemble_dataset(make_zones(ZONE_ROWS), make_incidents(rows),
                                            empty_milestones(), []), "toy")
    plain = {f.name: getattr(view.default, f.name) for f in fields(ViewState)}
    return replace(view, default=ToyState(**plain))


def incident_ids(view, positions) -> list[str]:
    return sorted(view.index.frame["incident_id"].iloc[positions])


def test_the_url_round_trips_the_toy_filter(toy_filter):
    state = ToyState(types=("Shelling",), datasets=("UCDP GED", "a&b"), text="x")
    assert encode(state) == "?type=Shelling&q=x&ds=UCDP+GED&ds=a%26b"  # in registry order
    assert decode(encode(state), ToyState()) == decode("?q=x&ds=UCDP+GED&ds=a%26b&type=Shelling",
                                                       ToyState())
    assert decode(encode(state), ToyState()).state == state
    assert decode(encode(state), ToyState()).problems == []


def test_the_toy_filter_selects_and_is_worded(toy_filter, toy_view):
    state = replace(toy_view.default, datasets=("ACLED",))
    assert incident_ids(toy_view, toy_view.index.select(state)) == [
        "i01", "i02", "i03", "i04", "i05", "i06"]
    both = replace(state, datasets=("ACLED", "UCDP GED"), fat_min=0,
                   dedupe=False)  # every row (counting once: tests/app/test_sources.py)
    assert len(toy_view.index.select(both)) == len(toy_view.index)
    assert state.active_filters() == {"Dataset": "ACLED"}
    assert filter_words(toy_view, replace(state, zones=("east",))) == [
        "Zone: east", "Dataset: ACLED"]


def test_the_toy_filter_has_a_control_and_options(toy_filter, toy_view):
    panel = build_filters()
    dropdown = panel["filter-datasets"]
    assert (dropdown.placeholder, dropdown.multi, dropdown.options) == ("All datasets", True, [])
    order = [i for i in panel if str(i).startswith("filter-")]
    assert order[-3:] == ["filter-sources", "filter-datasets", "filter-text"]  # panel=85
    options = dict(zip(session.option_targets(), session.options_view(toy_view), strict=True))
    assert options[("filter-datasets", "options")] == [
        {"label": "ACLED", "value": "ACLED"}, {"label": "UCDP GED", "value": "UCDP GED"}]


def test_the_sync_table_reads_and_sets_the_toy_control(toy_filter, toy_view):
    assert sync.control_props()["datasets"] == ("filter-datasets", "value")
    values = parse.controls_from_state(toy_view, toy_view.default)
    assert values["datasets"] == []
    picked = sync.sync_view(toy_view, "filter-datasets", None, {**values, "datasets": ["ACLED"]},
                            None, None, None, None)
    assert picked.search == "?ds=ACLED"
    loaded = sync.sync_view(toy_view, None, "?ds=UCDP+GED", values, None, None, None, None)
    assert loaded.controls["datasets"] == ["UCDP GED"]
    reset = sync.sync_view(toy_view, ids.RESET, None, {**values, "datasets": ["ACLED"]},
                           None, None, None, None)
    assert (reset.controls["datasets"], reset.search) == ([], "")


def test_the_real_registry_is_untouched_without_the_fixture():
    assert TOY not in filterspec.FILTERS
    assert [spec.key for spec in filterspec.FILTERS] == [
        "type", "sub", "actor", "zone", "prec", "class", "src", "off", "dedup", "inside", "fat",
        "q"]


@pytest.mark.parametrize("spec", filterspec.FILTERS, ids=lambda spec: spec.name)
def test_every_filter_names_a_state_field_and_a_distinct_key(spec):
    names = {f.name for f in fields(ViewState)}
    assert {spec.name, getattr(spec, "high", spec.name)} <= names
    assert [s.key for s in filterspec.FILTERS].count(spec.key) == 1
