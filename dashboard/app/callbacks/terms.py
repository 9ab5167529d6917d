"""The Terms tab: a zone's agreement(s) as the terms file gives them (name, when it took
effect, source, parties, exemptions on a timeline, commitments with their status and
evidence). Clicking an evidence incident marks it on the map and brings it into view,
through the table's highlight path (``table.highlight_view``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.analysis.commitments import CommitmentStatus, commitment_statuses
from dashboard.analysis.viewdata import ViewData
from dashboard.app import ids
from dashboard.app.callbacks.common import register_tab_gate, resolve
from dashboard.app.callbacks.table import highlight_view
from dashboard.app.panels import terms_panel
from dashboard.core.agreements import Agreement

#: Evidence incidents listed per commitment (the rest are counted).
SHOWN_EVIDENCE = 8


@dataclass(frozen=True)
class AgreementTerms:
    """One agreement of a zone, its commitments as of ``as_of``, and the evidence
    incidents' rows (id, day, type, place) for the list."""

    agreement: Agreement
    as_of: date
    statuses: list[CommitmentStatus]
    evidence: dict[str, list[dict]]      # commitment id -> shown evidence incidents


@dataclass(frozen=True)
class ZoneTerms:
    zone_id: str
    zone_name: str
    span: tuple[date, date]
    agreements: list[AgreementTerms]
    source_file: str


def terms_zones(view: ViewData) -> list[dict]:
    """Dropdown options: the zones the terms name that the data has, by name."""
    if view.terms is None:
        return []
    names = view.zone_names()
    named = dict.fromkeys(z for a in view.terms.agreements for z in a.zones if z in names)
    return [{"label": names[z], "value": z} for z in named]


def chosen_zone(view: ViewData, zone: str | None, filtered: tuple[str, ...]) -> str | None:
    """The zone asked for; else the first of the zone filter the terms name; else the
    first zone the terms name."""
    options = [o["value"] for o in terms_zones(view)]
    for candidate in (zone, *filtered, *options[:1]):
        if candidate in options:
            return candidate
    return None


def _evidence_rows(view: ViewData, status: CommitmentStatus) -> list[dict]:
    """The first evidence incidents of a commitment, each by its source and id (ids
    repeat across sources), in the status's order."""
    frame = view.index.frame
    ids_ = status.evidence_ids[:SHOWN_EVIDENCE]
    sources = status.evidence_datasets[:SHOWN_EVIDENCE] or (None,) * len(ids_)
    order = {key: k for k, key in enumerate(zip(sources, ids_, strict=True))}
    rows = frame.loc[frame["incident_id"].astype(str).isin(ids_),
                     [c for c in ("dataset", "incident_id", "date", "event_type", "place")
                      if c in frame]]
    found = []
    for r in rows.itertuples():
        source = str(getattr(r, "dataset", ""))
        key = (source, str(r.incident_id))
        if key not in order and (None, key[1]) not in order:
            continue  # the same id in another source
        found.append((order.get(key, order.get((None, key[1]))),
                      {"dataset": source, "id": key[1], "day": r.date.date(),
                       "type": str(r.event_type),
                       "place": "" if r.place is None else str(r.place)}))
    return [row for _, row in sorted(found, key=lambda pair: pair[0])]


def zone_terms(view: ViewData, zone_id: str, as_of: date) -> ZoneTerms | None:
    """What the Terms tab shows for ``zone_id``, commitments as of ``as_of``; None
    without terms or when no agreement names the zone."""
    if view.terms is None or view.dataset.zone_index is None:
        return None
    agreements = view.terms.for_zone(zone_id)
    if not agreements:
        return None
    shown = []
    for agreement in agreements:
        statuses = commitment_statuses(view.index, view.dataset.zone_index, agreement, as_of)
        shown.append(AgreementTerms(agreement, as_of, statuses,
                                    {s.id: _evidence_rows(view, s)
                                     for s in statuses}))
    return ZoneTerms(zone_id, view.zone_names().get(zone_id, zone_id), view.span, shown,
                     view.terms.source_file)


def terms_view(store, session_id, query, zone):
    """(panel, zone options, chosen zone) for the Terms tab; commitments as of the
    window's last day."""
    view, state = resolve(store, session_id, query)
    options = terms_zones(view)
    zone_id = chosen_zone(view, zone, state.zones)
    as_of = state.end or view.span[1]
    found = zone_terms(view, zone_id, as_of) if zone_id else None
    return terms_panel(found, bool(view.terms)), options, zone_id


def evidence_clicked(store, session_id, query, camera, triggered, clicks):
    """(highlight, camera) for a clicked evidence incident (the table's row path)."""
    if not triggered or not isinstance(triggered, dict) or not any(clicks or []):
        raise PreventUpdate
    row = {"incident_id": str(triggered.get("id", ""))}
    if triggered.get("dataset"):  # the source too: ids repeat across sources
        row["dataset"] = str(triggered["dataset"])
    return highlight_view(store, session_id, query, camera, [row])


def register(app, store) -> None:
    register_tab_gate(app, "terms", ids.TERMS_STATE)

    @app.callback(Output(ids.TERMS_OUTPUT, "children"), Output(ids.TERMS_ZONE, "options"),
                  Output(ids.TERMS_ZONE, "value"),
                  Input(ids.TERMS_STATE, "data"), Input(ids.TERMS_ZONE, "value"),
                  State(ids.TABS, "value"), State(ids.SESSION, "data"))
    def _terms(query, zone, tab, session_id):
        if tab != "terms" or query is None:
            raise PreventUpdate  # built when the tab is opened
        panel, options, zone_id = terms_view(store, session_id, query, zone)
        return panel, options, zone_id if zone_id != zone else no_update

    @app.callback(Output(ids.HIGHLIGHT, "data", allow_duplicate=True),
                  Output(ids.CAMERA, "data", allow_duplicate=True),
                  Input({"type": ids.EVIDENCE_TYPE, "dataset": ALL, "id": ALL}, "n_clicks"),
                  State(ids.STATE, "data"), State(ids.CAMERA, "data"),
                  State(ids.SESSION, "data"), prevent_initial_call=True)
    def _evidence(clicks, query, camera, session_id):
        return evidence_clicked(store, session_id, query, camera, ctx.triggered_id, clicks)
