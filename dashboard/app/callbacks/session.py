"""Session id, and everything that depends only on which data the session sees:
filter options, slider range and marks, data label, SYNTHETIC banner, provenance."""

from __future__ import annotations

from dash import Input, Output, State, html

from dashboard import model
from dashboard.aliases import search_terms
from dashboard.app import ids, parse
from dashboard.sessions import new_session_id, valid_session_id
from dashboard.viewdata import ViewData


def ensure_session(current: str | None) -> str:
    return current if valid_session_id(current) else new_session_id()


def options_view(view: ViewData) -> tuple:
    index = view.index
    names = view.zone_names()

    def opts(values):
        return [{"label": v, "value": v} for v in values]

    precisions = [p for p in model.LOCATION_PRECISION_ORDER if p in index.options("loc_precision")]
    lo, hi = parse.slider_limits(view)
    banner = ("SYNTHETIC DATA — these incidents were generated for demonstration and are not "
              "real events." if view.synthetic else "")
    return (
        opts(index.options("event_type")), opts(index.options("sub_type")),
        [{"label": a, "value": a, "search": search_terms(a)} for a in index.options("actor")],
        [{"label": names[z], "value": z} for z in dict.fromkeys(view.zones["zone_id"])],
        [{"label": f" {p}", "value": p} for p in precisions], opts(index.options("source")),
        lo, hi, parse.slider_marks(view), view.label, banner, not view.synthetic,
        provenance_view(view),
        [{"label": names[z], "value": z} for z in dict.fromkeys(view.zones["zone_id"])],
    )


def provenance_view(view: ViewData) -> list:
    data = view.dataset
    rows = [html.H3("Where these data come from")]
    for report in data.reports:
        rows.append(html.P([html.B(report.path.name), f": {report.kind}, {report.rows:,} rows, "
                            f"{len(report.warnings)} warnings."]))
    zone_sources = sorted(set(view.zones["source"]) - {""})
    rows.append(html.H3("Zone sources"))
    rows.append(html.Ul([html.Li(s) for s in zone_sources]))
    rows.append(html.P("Zone boundaries are approximations drawn for ZoneWatch, not published "
                       "lines; see geodata/PROVENANCE.md.", className="zw-strong"))
    rows.append(html.H3("Citations"))
    rows.append(html.Ul([
        html.Li("Sundberg, Ralph and Erik Melander (2013). Introducing the UCDP Georeferenced "
                "Event Dataset. Journal of Peace Research 50(4): 523-532."),
        html.Li("Högbladh, Stina (2019). UCDP GED Codebook version 19.1. Uppsala University."),
        html.Li("geoBoundaries (Runfola et al. 2020, PLoS ONE 15(4): e0231866), CC BY 3.0 IGO; "
                "UN OCHA COD-AB; Natural Earth; GeoNames (CC BY 4.0)."),
    ]))
    return rows


OPTION_TARGETS = (
    (ids.TYPES, "options"), (ids.SUB_TYPES, "options"), (ids.ACTORS, "options"),
    (ids.ZONES, "options"), (ids.PRECISIONS, "options"), (ids.SOURCES, "options"),
    (ids.DATE_RANGE, "min"), (ids.DATE_RANGE, "max"), (ids.DATE_RANGE, "marks"),
    (ids.DATA_LABEL, "children"), (ids.SYNTHETIC_BANNER, "children"),
    (ids.SYNTHETIC_BANNER, "hidden"), (ids.PROVENANCE, "children"),
    (ids.ANALYSIS_ZONE, "options"),
)


def initial_props(view: ViewData) -> dict[str, dict]:
    """The data-dependent props for the first paint, so URL values find their options."""
    props: dict[str, dict] = {}
    for (cid, prop), value in zip(OPTION_TARGETS, options_view(view), strict=True):
        props.setdefault(cid, {})[prop] = value
    return props


def register(app, store) -> None:
    @app.callback(Output(ids.SESSION, "data"), Input(ids.URL, "pathname"),
                  State(ids.SESSION, "data"))
    def _session(_pathname, current):
        return ensure_session(current)

    @app.callback(
        *[Output(cid, prop) for cid, prop in OPTION_TARGETS],
        Input(ids.SESSION, "data"), Input(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def _options(session_id, _version):
        return options_view(store.view_data(session_id))
