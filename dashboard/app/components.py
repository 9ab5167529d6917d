"""Builders for the parts of the page. Ids come from ``ids``; no callbacks here."""

from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from dashboard.analysis import filterspec, windows
from dashboard.app import ids
from dashboard.views.baselayers import ATTRIBUTION

#: The incidents table's columns: (field, header, width px). The dataset second: with
#: several sources it tells rows apart (ids repeat), and "Cited source" is who reported
#: an event, not the dataset it came in.
TABLE_COLUMNS = [
    ("date", "Date", 130), ("dataset", "Dataset", 140), ("event_type", "Type", 150),
    ("sub_type", "Sub-type", 150), ("actor1", "Actor 1", 190), ("actor2", "Actor 2", 190),
    ("fatalities", "Fatalities", 100), ("place", "Place", 170), ("zone_id", "Zone", 120),
    ("loc_precision", "Location", 100), ("source", "Cited source", 200),
    ("incident_id", "ID", 110),
    ("classification", "Class", 110), ("classification_reason", "Why (agreement terms)", 420),
]
#: Columns only data classified under agreement terms has (empty cells without terms).
CLASS_TABLE_COLUMNS = ("classification", "classification_reason")


def labelled(label: str, control, for_id: str, hint: str | None = None) -> html.Div:
    children = [html.Label(label, htmlFor=for_id, className="zw-label"), control]
    if hint:
        children.append(html.Div(hint, className="zw-hint"))
    return html.Div(children, className="zw-field")


def build_header() -> html.Header:
    return html.Header([
        html.Div([html.Span("ZoneWatch", className="zw-brand"),
                  html.Span(id=ids.DATA_LABEL, className="zw-data-label")], className="zw-title"),
        html.Div([
            dcc.Checklist(id=ids.TILES, options=[{"label": " Online map tiles", "value": "on"}],
                          value=[], className="zw-toggle", inputClassName="zw-check"),
            build_export_control(),
            html.Div([
                dcc.Clipboard(id=ids.COPY_LINK, title="Copy a link to this view",
                              className="zw-copy-icon"),
                html.Label("Copy link", htmlFor=ids.COPY_LINK, className="zw-copy-text"),
            ], className="zw-button zw-copy"),
        ], className="zw-header-tools"),
    ], className="zw-header")


def build_export_control() -> html.Div:
    """Format, page size, an optional title and the button; the image downloads."""
    def small(id_, value, options, label):
        return html.Div([html.Label(label, htmlFor=id_, className="zw-visually-hidden"),
                         dcc.Dropdown(id=id_, value=value, clearable=False, searchable=False,
                                      options=options, className="zw-export-dd")], title=label)

    return html.Div([
        small(ids.EXPORT_FORMAT, "png", [{"label": f.upper(), "value": f}
                                         for f in ("png", "svg", "pdf")], "Export format"),
        small(ids.EXPORT_SIZE, "16:9", [{"label": "16:9", "value": "16:9"},
                                        {"label": "A4", "value": "a4"}], "Export page size"),
        html.Label("Title for the exported image", htmlFor=ids.EXPORT_TITLE,
                   className="zw-visually-hidden"),
        dcc.Input(id=ids.EXPORT_TITLE, type="text", placeholder="Title (optional)",
                  debounce=True, maxLength=160, className="zw-export-title"),
        html.Button("Export", id=ids.EXPORT_BUTTON, n_clicks=0, className="zw-button zw-small",
                    title="Download a briefing image of this view: title, filters, legend, "
                          "scale bar, sources and the link"),
        dcc.Loading(dcc.Download(id=ids.EXPORT_DOWNLOAD), type="dot"),
    ], className="zw-export", role="group", **{"aria-label": "Export"})


def filter_control(spec: filterspec.Filter) -> html.Div | dcc.Checklist:
    """A filter's control, built from its plain-data description (analysis/filterspec.py)."""
    control, first = spec.control, ids.filter_control(spec.inputs[0])
    if control.kind == "dropdown":
        return labelled(control.label, dcc.Dropdown(
            id=first, multi=True, placeholder=control.placeholder, searchable=True, options=[],
            value=[], className="zw-dropdown"), first)
    if control.kind == "checklist":
        return labelled(control.label, dcc.Checklist(id=first, options=[], value=[],
                                                     className="zw-checklist", inline=True), first)
    if control.kind == "switches":  # one box per value, ticked = on
        return labelled(control.label, dcc.Checklist(id=first, options=[], value=[],
                                                     className="zw-checklist zw-switches"),
                        first)
    if control.kind == "toggle":
        return dcc.Checklist(id=first, options=[{"label": f" {control.label}",
                                                 "value": spec.inputs[0]}],
                             value=[], className="zw-check-row")
    if control.kind == "search":
        return labelled(control.label, dcc.Input(
            id=first, type="search", debounce=True, placeholder=control.placeholder,
            className="zw-text"), first)
    low, high = (ids.filter_control(name) for name in spec.inputs)  # "range"
    return html.Div([  # no min=0: a browser drops an invalid number, so the page could not
        # say why "-3" does nothing (callbacks/sync.py names it and the fix)
        html.Label(control.label, className="zw-label", htmlFor=low),
        html.Div([
            dcc.Input(id=low, type="number", placeholder="min", debounce=True,
                      className="zw-number"),
            html.Label("to", htmlFor=high),
            dcc.Input(id=high, type="number", placeholder="max", debounce=True,
                      className="zw-number"),
        ], className="zw-range-inputs"),
    ], className="zw-field")


def build_filters() -> html.Aside:
    return html.Aside([
        html.Div([html.Span(id=ids.COUNT, className="zw-count", role="status"),
                  html.Button("Reset", id=ids.RESET, className="zw-button zw-small",
                              title="Clear every filter and show the whole period")],
                 className="zw-count-row"),
        *(filter_control(spec) for spec in filterspec.on_panel()),
        html.Hr(),
        build_upload_panel(),
    ], className="zw-sidebar", **{"aria-label": "Filters"})


#: The encoding menu beside the uploads: "auto" detects among the others.
UPLOAD_ENCODINGS = [
    {"label": "Detect (UTF-8, UTF-16, Arabic or Western Windows)", "value": "auto"},
    {"label": "UTF-8", "value": "utf-8"},
    {"label": "UTF-16 (Excel \"Unicode text\")", "value": "utf-16"},
    {"label": "Windows-1256 (Arabic Excel)", "value": "cp1256"},
    {"label": "Windows-1252 (Western Excel)", "value": "cp1252"},
]


def build_upload_panel() -> html.Section:
    def upload(id_, text):
        return dcc.Upload(id=id_, children=html.Div([html.B(text), html.Br(),
                                                     html.Span("drop a file or click")]),
                          className="zw-upload", multiple=False)

    return html.Section([
        html.H2("Your data", className="zw-h2"),
        html.P("Uploads stay in this browser session only; a file with errors changes nothing.",
               className="zw-hint"),
        upload(ids.UPLOAD_ZONES, "Zones (GeoJSON, GPKG, Parquet, zipped SHP)"),
        upload(ids.UPLOAD_INCIDENTS, "Incidents (ACLED/UCDP CSV, XLSX, GeoJSON…)"),
        labelled("An incident file", dcc.Dropdown(
            id=ids.UPLOAD_MODE, options=upload_modes([]), value="add", clearable=False,
            searchable=False), ids.UPLOAD_MODE,
            hint="Beside the incidents shown (a new source), instead of one source, or "
                 "instead of all of them."),
        upload(ids.UPLOAD_TERMS, "Agreement terms (JSON)"),
        labelled("Text encoding", dcc.Dropdown(
            id=ids.UPLOAD_ENCODING, options=UPLOAD_ENCODINGS, value="auto", clearable=False,
            searchable=False), ids.UPLOAD_ENCODING,
            hint="Of CSV and GeoJSON files; if letters come out wrong, choose it and upload again."),
        html.Button("Back to the server's data", id=ids.UPLOAD_RESET, className="zw-button zw-small"),
        dcc.Loading(html.Div(id=ids.UPLOAD_REPORT, className="zw-upload-report", role="status"),
                    type="dot"),
        build_upload_dialog(),
    ], className="zw-upload-panel")


def upload_modes(sources: list[str]) -> list[dict]:
    """The choices for where an incident upload lands (``sessions.commit``'s modes)."""
    return [{"label": "Add as a new source", "value": "add"},
            *({"label": f"Replace the source “{name}”", "value": f"replace:{name}"}
              for name in sources),
            {"label": "Replace every incident (all sources)", "value": "all"}]


def build_upload_dialog() -> html.Div:
    """The upload report over the page (fixed, where the eye is), with what can be done
    about a refused file: load its valid rows only, download its rejected rows."""
    return html.Div(html.Div([
        html.Div([html.H2("Upload report", id=ids.UPLOAD_DIALOG_TITLE, className="zw-h2"),
                  html.Button("×", id=ids.UPLOAD_DIALOG_CLOSE, className="zw-dialog-close",
                              title="Close", **{"aria-label": "Close the upload report"})],
                 className="zw-dialog-head"),
        html.Div(id=ids.UPLOAD_DIALOG_BODY, className="zw-dialog-body"),
        html.Div([
            html.Button("Load the valid rows only", id=ids.UPLOAD_VALID_ONLY, hidden=True,
                        className="zw-button zw-primary"),
            html.Button("Download the rejected rows (CSV)", id=ids.UPLOAD_REJECTED, hidden=True,
                        className="zw-button", title="Each rejected row as the file had it, "
                        "with where it was and why it was left out"),
        ], className="zw-dialog-actions"),
    ], className="zw-dialog", role="dialog",
        **{"aria-modal": "true", "aria-labelledby": ids.UPLOAD_DIALOG_TITLE}),
        id=ids.UPLOAD_DIALOG, className="zw-dialog-backdrop", hidden=True)


def build_cards() -> html.Div:
    return html.Div(id=ids.CARDS, className="zw-cards", role="region",
                    **{"aria-label": "Summary"})


def build_map_panel() -> html.Div:
    return html.Div([
        dcc.Loading(dcc.Graph(id=ids.MAP, className="zw-map", config={
            "displaylogo": False, "scrollZoom": True,
            "modeBarButtonsToRemove": ["toImage"]}), type="circle", delay_show=400,
            overlay_style={"visibility": "visible", "opacity": 0.6}),
        html.Div([html.Span(id=ids.MAP_NOTE, className="zw-map-note"),
                  html.Div(dcc.RadioItems(
                      id=ids.MAP_COLOUR, value="type", inline=True,
                      options=[{"label": " Colour by type", "value": "type"},
                               {"label": " by class", "value": "class"},
                               {"label": " by source", "value": "source"}],
                      className="zw-colour-mode", inputClassName="zw-check"),
                      title="By class: violation, permitted, unclear, non-party, not violent "
                            "or outside, under the agreement terms (when terms are loaded). "
                            "By source: the incident file each came from (with several)."),
                  html.Button("Clear selection", id=ids.CLEAR_SELECTION,
                              className="zw-button zw-small")], className="zw-map-bar"),
    ], className="zw-map-panel")


def build_window_dates() -> html.Div:
    """The window's first and last day, typed (2018-02-01 or "1 Feb 2018") or picked; the
    slider and the link follow (callbacks/sync.py). Shown as ISO days because Dash reads
    a typed day in the display format first, else with ``new Date``, which takes an ISO
    day as UTC: with "D MMM YYYY" shown, 2018-02-01 typed west of Greenwich became 31 Jan."""
    first, last = f"{ids.WINDOW_DATES}-first", f"{ids.WINDOW_DATES}-last"
    return html.Div([
        html.Label("Window", htmlFor=first, className="zw-label zw-inline"),
        dcc.DatePickerRange(id=ids.WINDOW_DATES, display_format="YYYY-MM-DD",
                            start_date_id=first, end_date_id=last, minimum_nights=0,
                            start_date_placeholder_text="First day",
                            end_date_placeholder_text="Last day", updatemode="singledate",
                            className="zw-date zw-window-dates"),
    ], className="zw-asof", title="Type a day (e.g. 1 Feb 2018) and press Enter, or pick one")


def build_time_panel() -> html.Section:
    return html.Section([
        html.Div([
            html.Span(id=ids.DATE_LABEL, className="zw-date-label"),
            build_window_dates(),
            html.Div([
                html.Label("Zones as of", htmlFor=ids.AS_OF, className="zw-label zw-inline"),
                dcc.DatePickerSingle(id=ids.AS_OF, display_format="YYYY-MM-DD", clearable=True,
                                     placeholder="end of window", className="zw-date"),
            ], className="zw-asof"),
        ], className="zw-time-head"),
        dcc.Graph(id=ids.HISTOGRAM, className="zw-histogram", config={
            "displayModeBar": False}),
        html.Div(dcc.RangeSlider(id=ids.DATE_RANGE, min=0, max=1, step=1, value=[0, 1],
                                 allowCross=False, updatemode="mouseup",
                                 allow_direct_input=False, className="zw-slider"),
                 className="zw-slider-wrap"),
        html.Div([
            html.Button("▶ Play", id=ids.PLAY, className="zw-button", n_clicks=0,
                        **{"aria-label": "Play or pause the time window"}),
            labelled("Step", dcc.Dropdown(id=ids.PLAY_STEP, clearable=False, searchable=False,
                                          value="week", options=[
                {"label": "day", "value": "day"}, {"label": "week", "value": "week"},
                {"label": "month", "value": "month"}], className="zw-small-dd"), ids.PLAY_STEP),
            labelled("Window (days)", dcc.Input(id=ids.PLAY_WINDOW, type="number", min=1, value=30,
                                                debounce=True, className="zw-number"),
                     ids.PLAY_WINDOW),
            labelled("Mode", dcc.Dropdown(id=ids.PLAY_MODE, clearable=False, searchable=False,
                                          value="sliding", options=[
                {"label": "sliding window", "value": "sliding"},
                {"label": "cumulative", "value": "cumulative"}], className="zw-small-dd"),
                ids.PLAY_MODE),
            labelled("Speed", dcc.Dropdown(id=ids.PLAY_SPEED, clearable=False, searchable=False,
                                           value=400, options=[
                {"label": "slow", "value": 1000}, {"label": "normal", "value": 400},
                {"label": "fast", "value": 100}], className="zw-small-dd"), ids.PLAY_SPEED),
            dcc.Interval(id=ids.PLAY_TIMER, interval=400, disabled=True),
        ], className="zw-playback"),
    ], className="zw-time-panel", **{"aria-label": "Time"})


def build_tabs() -> dcc.Tabs:
    grid = dag.AgGrid(
        id=ids.TABLE, rowData=[], className="ag-theme-alpine zw-grid",
        columnDefs=[{"field": f, "headerName": h, "width": w, "sortable": True,
                     "filter": "agNumberColumnFilter" if f == "fatalities" else True,
                     "floatingFilter": True} for f, h, w in TABLE_COLUMNS],
        dashGridOptions={"pagination": True, "paginationPageSize": 100,
                         "paginationPageSizeSelector": [25, 50, 100, 500],
                         "rowSelection": {"mode": "singleRow", "checkboxes": False,
                                          "enableClickSelection": True},
                         "enableCellTextSelection": True, "animateRows": False},
        # Ids are unique within a source, not across sources: the row's key names both.
        getRowId="params.data.dataset + ' / ' + params.data.incident_id",
        style={"height": "460px"},
    )
    return dcc.Tabs(id=ids.TABS, value="zones", children=[
        dcc.Tab(label="Zones over time", value="zones", children=[
            dcc.Loading(dcc.Graph(id=ids.ZONE_SERIES, config={"displaylogo": False}),
                        type="dot")]),
        dcc.Tab(label="Ceasefire analysis", value="analysis", children=[build_analysis_panel()]),
        dcc.Tab(label="Incidents table", value="table", children=[
            html.Div([
                html.Span(id=ids.TABLE_NOTE, className="zw-hint", role="status"),
                html.Button("Download CSV", id=ids.DOWNLOAD_CSV, className="zw-button"),
                html.Button("Download GeoJSON", id=ids.DOWNLOAD_GEOJSON, className="zw-button"),
                dcc.Download(id=ids.DOWNLOAD),
            ], className="zw-table-tools"),
            grid,
        ]),
        dcc.Tab(label="Terms", value="terms", children=[build_terms_panel()]),
        dcc.Tab(label="Sources", value="sources", children=[build_sources_panel()]),
        dcc.Tab(label="About the data", value="about", children=[
            html.Div(id=ids.PROVENANCE, className="zw-provenance")]),
    ], className="zw-tabs")


def build_sources_panel() -> html.Div:
    """Where the sources agree and differ, for a zone or all the data: each source's weekly
    counts, the events only one has, and the likely duplicates to confirm or reject."""
    return html.Div([
        html.Div([
            labelled("Zone", dcc.Dropdown(id=ids.SOURCES_ZONE, clearable=False, options=[],
                                          placeholder="the zone filter's, else all the data",
                                          className="zw-analysis-zone"), ids.SOURCES_ZONE),
            html.Button("Download links and decisions (CSV)", id=ids.SOURCES_EXPORT,
                        className="zw-button", title="Every likely duplicate with its score, "
                        "reasons, cluster and your decision"),
            dcc.Download(id=ids.SOURCES_DOWNLOAD),
        ], className="zw-analysis-controls"),
        dcc.Loading(html.Div(id=ids.SOURCES_OUTPUT, className="zw-sources"), type="dot"),
    ], className="zw-terms-panel")


def build_terms_panel() -> html.Div:
    """A zone's agreement terms: pick a zone (the zone filter's, by default)."""
    return html.Div([
        html.Div(labelled("Zone", dcc.Dropdown(id=ids.TERMS_ZONE, clearable=False, options=[],
                                               placeholder="a zone the terms name",
                                               className="zw-analysis-zone"), ids.TERMS_ZONE),
                 className="zw-analysis-controls"),
        dcc.Loading(html.Div(id=ids.TERMS_OUTPUT, className="zw-terms"), type="dot"),
    ], className="zw-terms-panel")


def build_analysis_panel() -> html.Div:
    """Did violence drop after the zone took effect? Pick a zone and the windows."""
    def number(id_, value, label, low, high, step=1):
        return labelled(label, dcc.Input(id=id_, type="number", min=low, max=high, step=step,
                                         value=value, debounce=True, className="zw-number"), id_)

    return html.Div([
        html.Div([
            labelled("Zone", dcc.Dropdown(id=ids.ANALYSIS_ZONE, clearable=True, options=[],
                                          placeholder="the zone filter, or the first zone",
                                          className="zw-analysis-zone"), ids.ANALYSIS_ZONE),
            labelled("Reference day", dcc.DatePickerSingle(
                id=ids.ANALYSIS_DATE, display_format="D MMM YYYY", clearable=True,
                placeholder="'in effect' date"), ids.ANALYSIS_DATE),
            number(ids.ANALYSIS_BEFORE, windows.DEFAULT_BEFORE, "Days before", *windows.WINDOW_DAYS),
            number(ids.ANALYSIS_AFTER, windows.DEFAULT_AFTER, "Days after", *windows.WINDOW_DAYS),
            number(ids.ANALYSIS_RING, windows.DEFAULT_RING_KM, "Ring (km)", *windows.RING_KM, step="any"),
        ], className="zw-analysis-controls"),
        dcc.Loading(html.Div(id=ids.ANALYSIS_OUTPUT, className="zw-analysis"), type="dot"),
    ], className="zw-analysis-panel")


def build_footer() -> html.Footer:
    return html.Footer([
        html.Span("Zone boundaries are approximate. ", className="zw-strong"),
        html.Span(ATTRIBUTION),
    ], className="zw-footer")
