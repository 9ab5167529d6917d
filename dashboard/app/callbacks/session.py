"""Session id, and everything that depends only on which data the session sees:
filter options, slider range and marks, data label, SYNTHETIC banner, provenance."""

from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from dashboard.analysis import filterspec
from dashboard.analysis.viewdata import ViewData, view_zones_shown
from dashboard.app import ids, parse
from dashboard.app.components import upload_modes
from dashboard.core.aliases import search_terms
from dashboard.core.paths import geodata_dir
from dashboard.server.datastore import report_role
from dashboard.server.sessions import new_session_id, valid_session_id


def ensure_session(current: str | None) -> str:
    return current if valid_session_id(current) else new_session_id()


def zone_options(view: ViewData) -> list[dict]:
    names = view.zone_names()
    return [{"label": names[z], "value": z} for z in dict.fromkeys(view.zones["zone_id"])]


def choice_filters() -> list[filterspec.ListFilter]:
    """The filters whose control offers the data's values (dropdowns, checklists)."""
    return [spec for spec in filterspec.FILTERS if isinstance(spec, filterspec.ListFilter)]


def filter_options(view: ViewData, spec: filterspec.ListFilter) -> list[dict]:
    """A choice filter's options: zones by name, actors findable by their aliases, a
    checklist's labels spaced from their boxes; ``spec.order`` orders (and limits) them."""
    if spec.column == "zone":
        return zone_options(view)
    values = view.index.options(spec.column)
    if spec.order:
        values = [v for v in spec.order if v in values]
    if spec.column == "actor":
        return [{"label": a, "value": a, "search": search_terms(a)} for a in values]
    if spec.control.kind == "switches":  # a source and how many incidents it holds
        counts = view.index.frame[spec.column].astype(str).value_counts()
        return [{"label": f" {spec.label_of(v)} ({int(counts.get(v, 0)):,})", "value": v}
                for v in values]
    pad = " " if spec.control.kind == "checklist" else ""
    return [{"label": f"{pad}{spec.label_of(v)}", "value": v} for v in values]


def options_view(view: ViewData) -> tuple:
    """The values of ``option_targets()``, in its order."""
    lo, hi = parse.slider_limits(view)
    banner = ("SYNTHETIC DATA — these incidents were generated for demonstration and are not "
              "real events." if view.synthetic else "")
    return (
        *(filter_options(view, spec) for spec in choice_filters()),
        lo, hi, parse.slider_marks(view), view.label, banner, not view.synthetic,
        provenance_view(view), zone_options(view),
        [{"label": "All the data (every place)", "value": "*"}, *zone_options(view)],
        upload_modes(view.index.options("dataset")),
    )


UCDP_CITATIONS = (
    "Sundberg, Ralph and Erik Melander (2013). Introducing the UCDP Georeferenced Event "
    "Dataset. Journal of Peace Research 50(4): 523-532.",
    "Högbladh, Stina (2019). UCDP GED Codebook version 19.1. Uppsala University.",
)
BASE_MAP_CREDIT = ("Base map: Natural Earth; geoBoundaries (Runfola et al. 2020, PLoS ONE "
                   "15(4): e0231866), CC BY 3.0 IGO; UN OCHA COD-AB; places: GeoNames (CC BY 4.0).")


def _origin(report, view: ViewData) -> str:
    """Where a file came from: an upload, ZoneWatch's bundled data or the server."""
    if report.uploaded or report_role(report) in view.uploaded:
        return "uploaded, this browser session only"
    if Path(report.path).resolve().parent == geodata_dir().resolve():
        return "bundled with ZoneWatch"
    return "the server's file"


def _file_line(report, view: ViewData) -> html.Li:
    """A file as its owner named it: what it was read as, rows, rows left out, warnings."""
    left_out = (len(report.rejected_rows)
                if report.uploaded or report_role(report) in view.uploaded else 0)
    rows = (f"{report.rows - left_out:,} of {report.rows:,} rows loaded "
            f"({left_out:,} with errors left out)" if left_out else f"{report.rows:,} rows")
    return html.Li([html.B(report.path.name), f" ({_origin(report, view)}): read as "
                    f"{report.kind}; {rows}; {len(report.warnings):,} warnings."])


def provenance_view(view: ViewData) -> list:
    """*About the data*: the files on screen, named as their owners named them, and
    credits for the bundled sources only while bundled data is on screen."""
    data = view.dataset
    rows = [html.H3("Where these data come from"),
            html.Ul([_file_line(r, view) for r in data.reports], className="zw-files")]
    shown = view_zones_shown(view)
    zone_sources = sorted(set(shown["source"].dropna()) - {""})
    if zone_sources:
        rows += [html.H3("Zone sources"), html.Ul([html.Li(s) for s in zone_sources])]
    if len(shown) and any(_origin(r, view) == "bundled with ZoneWatch" for r in data.reports
                          if report_role(r) == "zones"):
        rows.append(html.P("Zone boundaries are approximations drawn for ZoneWatch, not "
                           "published lines; see geodata/PROVENANCE.md.", className="zw-strong"))
    citations = list(UCDP_CITATIONS) if (data.incidents["dataset"] == "UCDP GED").any() else []
    rows += [html.H3("Citations"), html.Ul([html.Li(c) for c in [*citations, BASE_MAP_CREDIT]])]
    return rows


DATA_TARGETS = (
    (ids.DATE_RANGE, "min"), (ids.DATE_RANGE, "max"), (ids.DATE_RANGE, "marks"),
    (ids.DATA_LABEL, "children"), (ids.SYNTHETIC_BANNER, "children"),
    (ids.SYNTHETIC_BANNER, "hidden"), (ids.PROVENANCE, "children"),
    (ids.ANALYSIS_ZONE, "options"), (ids.SOURCES_ZONE, "options"), (ids.UPLOAD_MODE, "options"),
)


def option_targets() -> tuple[tuple[str, str], ...]:
    """Every prop that depends only on the session's data: the choice filters' options
    (from ``filterspec.FILTERS``), then the slider's range, labels and provenance."""
    return (*((ids.filter_control(spec.inputs[0]), "options") for spec in choice_filters()),
            *DATA_TARGETS)


def initial_props(view: ViewData) -> dict[str, dict]:
    """The data-dependent props for the first paint, so URL values find their options."""
    props: dict[str, dict] = {}
    for (cid, prop), value in zip(option_targets(), options_view(view), strict=True):
        props.setdefault(cid, {})[prop] = value
    return props


def session_options(store, session_id: str | None, trigger: str | None) -> tuple:
    """``options_view`` of the session's data, or PreventUpdate for a new page's session
    on the server's data: the page was drawn with those options already, and sent again
    they re-render every dropdown, closing one the user has just opened."""
    view = store.view_data(session_id)
    if trigger == ids.SESSION and view is store.base:
        raise PreventUpdate
    return options_view(view)


def register(app, store) -> None:
    @app.callback(Output(ids.SESSION, "data"), Input(ids.URL, "pathname"),
                  State(ids.SESSION, "data"))
    def _session(_pathname, current):
        return ensure_session(current)

    @app.callback(
        *[Output(cid, prop) for cid, prop in option_targets()],
        Input(ids.SESSION, "data"), Input(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def _options(session_id, _version):
        return session_options(store, session_id, ctx.triggered_id)
