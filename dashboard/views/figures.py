"""Plotly figure builders: the map, the time histogram and the per-zone series.

Pure functions of frames and plain values; no Dash. Every piece of text that
comes from data is HTML-escaped, exactly once, before it reaches text plotly.js reads
as HTML (hover labels, legend names, titles, annotations, axis labels), so markup in a
file shows as text. Text MapLibre draws (``mode="text"`` map traces) is never HTML
and goes as it is (``plain``).
"""

from __future__ import annotations

import copy
import functools
import html
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec  # what go.Figure.to_dict applies
from plotly.colors import sequential

from dashboard.analysis.filterspec import CLASS_LABELS
from dashboard.core.formats import day_words, days_words, plotly_day
from dashboard.views import palette, roles
from dashboard.views.baselayers import BaseLayers

WATER, LAND, BORDER, ADMIN = "#dce6ee", "#f8f7f3", "#8c8c8c", "#c9c4bb"
#: Zones after the incidents in the map's key (Plotly's default rank is 1000): see MAP_LEGEND.
ZONES_LEGEND_RANK = 1001
FONT = "Inter, 'Segoe UI', 'Helvetica Neue', Arial, 'Noto Sans', 'Noto Sans Arabic', sans-serif"


def plain(value: object) -> str:
    """Data as text for renderers that never read HTML (MapLibre symbol layers)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def esc(value: object) -> str:
    """Data as inert text for plotly.js, which reads a subset of HTML (``<script>`` and
    ``&amp;`` show as typed). Once: plotly decodes the entities once."""
    return html.escape(plain(value), quote=False)


def offline_style() -> dict:
    """A MapLibre style that needs nothing from the network (no tiles, no glyphs).

    ``sources`` holds an empty placeholder: Plotly drops an empty ``{}`` when it
    diffs an updated figure, and MapLibre then rejects the style.
    """
    empty = {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
    return {"version": 8, "sources": {"zw-empty": empty}, "layers": [
        {"id": "water", "type": "background", "paint": {"background-color": WATER}}]}


def base_map_layers(base: BaseLayers, detail: bool, base_url: str | None = None) -> list[dict]:
    """Land, district, governorate and country lines. With ``base_url`` the layers name
    files the app serves itself (the browser caches them) instead of carrying them."""

    def source(name: str, data: dict):
        return f"{base_url}/{name}.geojson" if base_url else data

    countries = source("countries", base.countries)
    layers = [
        {"sourcetype": "geojson", "source": countries, "type": "fill", "color": LAND,
         "below": "traces"},
        {"sourcetype": "geojson", "source": source("syria-adm1", base.admin1), "type": "line",
         "color": ADMIN, "line": {"width": 1.0}, "below": "traces"},
        {"sourcetype": "geojson", "source": countries, "type": "line", "color": BORDER,
         "line": {"width": 1.2}, "below": "traces"},
    ]
    if detail:
        layers.insert(1, {"sourcetype": "geojson", "source": source("syria-adm2", base.admin2),
                          "type": "line", "color": "#e2ddd4", "line": {"width": 0.6},
                          "below": "traces"})
    return layers


def _zone_geojson(zones) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"{row.zone_id}", "properties": {},
         "geometry": row.geometry.__geo_interface__}
        for row in zones.itertuples(index=False)]}


def _day(value) -> str:
    return "open" if pd.isna(value) else day_words(value)


# The map is built as plain dicts, not ``go`` objects: it is redrawn on every slider move,
# and constructing and validating graph objects cost three times the data work. The
# traces are the same ones ``go.Figure(map_figure_dict(...))`` checks in the tests.

def zone_traces(zones) -> list[dict]:
    """One filled, outlined trace per status, hover with the zone's life and source."""
    traces: list[dict] = []
    if not len(zones):
        return traces
    for status, group in zones.groupby("status", sort=False):
        colour = palette.status_colour(status)
        custom = [[esc(r.name), esc(palette.status_label(r.status)), _day(r.status_since),
                   f"v{r.version}: {_day(r.valid_from)} – {_day(r.valid_to)}",
                   "approximate" if r.boundary_precision == "approximate" else "exact",
                   esc(r.source)]
                  for r in group.itertuples(index=False)]
        traces.append(dict(
            type="choroplethmap", geojson=_zone_geojson(group),
            locations=group["zone_id"].tolist(), z=[1] * len(group),
            colorscale=[[0, colour], [1, colour]], showscale=False,
            marker={"opacity": 0.30, "line": {"color": colour, "width": 1}},
            name=f"Zone: {esc(palette.status_label(status))}", showlegend=True,
            legendgroup="zones", legendgrouptitle={"text": "Zones (as of date)"},
            legendrank=ZONES_LEGEND_RANK,
            meta=roles.meta(roles.ZONES),
            customdata=custom,
            hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]} since %{customdata[2]}"
                           "<br>Version %{customdata[3]}<br>Boundary %{customdata[4]}"
                           "<br>Source: %{customdata[5]}<extra></extra>"),
        ))
    return traces


def zone_overlay_traces(zones) -> list[dict]:
    """Zone outlines and names drawn above the incidents, so dense points never hide
    where a zone ends."""
    if not len(zones):
        return []
    traces = []
    for status, group in zones.groupby("status", sort=False):
        lons: list[float | None] = []
        lats: list[float | None] = []
        for geom in group.geometry:
            for part in getattr(geom, "geoms", [geom]):
                x, y = part.exterior.coords.xy
                lons += [*x, None]
                lats += [*y, None]
        traces.append(dict(
            type="scattermap", lon=lons, lat=lats, mode="lines", hoverinfo="skip",
            showlegend=False, line={"color": palette.status_colour(status), "width": 2.5},
            name=f"outline {status}", meta=roles.meta(roles.ZONE_OUTLINES)))
    labels = zones.geometry.representative_point()
    traces.append(dict(
        type="scattermap", lon=labels.x.tolist(), lat=labels.y.tolist(), mode="text",
        # MapLibre draws symbol text as plain text (no HTML): escaping would show "&amp;".
        text=[plain(n) for n in zones["name"]], textfont={"size": 13, "color": "#10202c"},
        hoverinfo="skip", showlegend=False, name="zone labels",
        meta=roles.meta(roles.ZONE_LABELS)))
    return traces


@dataclass(frozen=True)
class ZoneLayers:
    """The zone traces of the map: fills below the incidents, outlines and names above.
    They depend only on which versions are in force, so the map can reuse them."""

    fill: list[dict]
    overlay: list[dict]

    @classmethod
    def of(cls, zones) -> ZoneLayers:
        return cls(zone_traces(zones), zone_overlay_traces(zones))


def marker_size(fatalities: np.ndarray) -> np.ndarray:
    """Marker diameter in px: grows with the square root of fatalities, 5 px for none,
    capped at 28 (about 240 fatalities)."""
    return np.clip(5 + 2.2 * np.sqrt(np.nan_to_num(fatalities)), 5, 28)


SIZE_KEY = (0, 10, 50)
#: Lines a stacked point's hover lists before "and N more".
STACK_LINES = 12
HOVER_ID = 7  # kept for parse.selected_ids (old 8-column customdata); the map now sends no ids
LEGEND_TITLE = {"text": "Incidents (size: fatalities)"}  # the map note says what numbers are
#: The map's key: a row or two along the map's bottom edge on a white strip (a key in a
#: corner hid a quarter of the default view). A row shows only its first group's title, so the
#: incidents' comes first (ZONES_LEGEND_RANK) and zone items say "Zone: ..."; the
#: briefing image puts the key back in its side column, grouped (export/briefing.py).
MAP_LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.005, "yanchor": "top",
              "bgcolor": "rgba(255,255,255,0.85)", "borderwidth": 0, "font": {"size": 11},
              "grouptitlefont": {"size": 11}, "itemsizing": "constant",
              "traceorder": "normal", "groupclick": "toggleitem"}
CLASS_LEGEND_TITLE = {"text": "Incidents by class under the agreement terms (size: fatalities)"}
SOURCE_LEGEND_TITLE = {"text": "Incidents by source (size: fatalities)"}


def _escaped(values) -> np.ndarray:
    """Escape each distinct value once: text columns repeat a few values many times."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.array([esc(u) for u in uniques] or [""], dtype=object)[codes]


def _day_labels(dates: pd.Series) -> np.ndarray:
    """"3 Sep 2017" for each date, formatting each distinct day once."""
    codes, days = pd.factorize(dates.dt.normalize())
    labels = np.array([*days_words(days), ""], dtype=object)
    return labels[codes]  # code -1 (no date) takes the "" at the end


def point_keys(lon, lat) -> np.ndarray:
    """One integer per point, equal when the coordinates are equal as the map draws
    them (float32, the precision of the typed arrays it is sent)."""
    lon32 = np.ascontiguousarray(lon, dtype="float32").view("uint32").astype("uint64")
    lat32 = np.ascontiguousarray(lat, dtype="float32").view("uint32").astype("uint64")
    return (lon32 << np.uint64(32)) | lat32


def location_codes(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of each point's location, number of points at each code). Points share a
    location when their coordinates are equal as drawn: UCDP puts every event it can
    place only to a town at the town's point."""
    codes, _ = pd.factorize(point_keys(lon, lat))
    return codes, np.bincount(codes)


def stack_size(counts: np.ndarray) -> np.ndarray:
    """Diameter in px of the grey disc under a stacked point: grows with the square
    root of the count, 14 px for two, capped at 44 (about 60 incidents)."""
    return np.clip(7 + 5 * np.sqrt(counts), 14, 44)


def hover_fields(incidents: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each row's hover texts, escaped (one array per field): made once for all the
    data, a map takes its rows' (``incident_traces``)."""
    fatalities = incidents["fatalities"].to_numpy(dtype="float64", na_value=np.nan)
    deaths = np.where(np.isnan(fatalities), -1, fatalities).astype(int).astype(str).astype(object)
    deaths[deaths == "-1"] = "unknown"
    return {"day": _day_labels(incidents["date"]), "type": _escaped(incidents["event_type"]),
            "a1": _escaped(incidents["actor1"]), "a2": _escaped(incidents["actor2"]),
            "deaths": deaths, "place": _escaped(incidents["place"]),
            "prec": incidents["loc_precision"].astype(str).to_numpy(object),
            "source": _escaped(incidents["source"]),
            "id": _escaped(incidents["incident_id"]), "why": class_words(incidents)}


def class_words(incidents: pd.DataFrame) -> np.ndarray | None:
    """"Violation: Government of Syria vs civilians, inside North Homs on 5 Sep 2017: a
    violation" per incident (escaped), or None without agreement terms (no column)."""
    if "classification" not in incidents:
        return None
    labels = incidents["classification"].astype(object).map(
        lambda c: CLASS_LABELS.get(c, str(c))).to_numpy(object)
    return _escaped(pd.Series(labels + ": ", dtype=object)
                    + incidents["classification_reason"].astype(object).fillna("").to_numpy())


SINGLE_HOVER = ("<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[2]} vs "
                "%{customdata[3]}<br>Fatalities: %{customdata[4]}<br>%{customdata[5]} "
                "(location: %{customdata[6]})")


def _single_custom(f: dict[str, np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, str]:
    """(customdata, hovertemplate) of lone incidents: the fixed words go once in the
    template, the values per point; the id last."""
    columns = [f[k][rows] for k in ("type", "day", "a1", "a2", "deaths", "place", "prec")]
    template = SINGLE_HOVER
    if f["source"] is not None:
        columns.append(f["source"][rows])
        template += "<br>Source: %{customdata[7]}"
    if f["why"] is not None:
        columns.append(f["why"][rows])
        template += f"<br><i>%{{customdata[{len(columns) - 1}]}}</i>"
    columns.append(f["id"][rows])
    return np.column_stack(columns), template + f"<br>ID %{{customdata[{len(columns) - 1}]}}"


def _stack_hovers(f: dict[str, np.ndarray], dates: np.ndarray, codes: np.ndarray,
                  rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(first row of each stacked location, its hover): the count and place, then one
    line per incident, newest first, up to STACK_LINES, then "and N more"."""
    order = rows[np.lexsort((-dates[rows], codes[rows]))]
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    ends = np.r_[starts[1:], len(order)]
    lines = (f["day"][order] + " · " + f["type"][order] + " · " + f["a1"][order] + " vs "
             + f["a2"][order] + " · fatalities " + f["deaths"][order])
    if f["source"] is not None:
        lines = lines + " · " + f["source"][order]
    if f["why"] is not None:  # the class only: a stack's lines stay short
        lines = lines + " · " + np.array([w.split(":", 1)[0] for w in f["why"][order]], object)
    lines = lines + " · ID " + f["id"][order]
    texts = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        shown = lines[start:min(end, start + STACK_LINES)].tolist()
        more = end - start - len(shown)
        texts.append(f"<b>{end - start} incidents at this point</b> · {f['place'][order[start]]} "
                     f"(location: {f['prec'][order[start]]})<br>" + "<br>".join(shown)
                     + (f"<br>and {more:,} more" if more else ""))
    return order[starts], texts


def _template_text(value: object) -> str:
    """Data put into a hovertemplate itself: escaped, and its "%" made inert so plotly
    reads no %{...} in it."""
    return esc(value).replace("%", "&#37;")


def colour_groups(incidents: pd.DataFrame, type_order: Sequence[str], colour_by: str = "type",
                  source_order: Sequence[str] = ()) -> list[tuple[np.ndarray, str, str]]:
    """(rows, legend label, colour) per drawn trace: by event type in ``type_order``; with
    ``colour_by="class"`` (and a ``classification`` column) by class in legend order; with
    ``colour_by="source"`` by source (``dataset``) in ``source_order``, the view's sources."""
    if colour_by == "class" and "classification" in incidents:
        values = incidents["classification"].astype(object).to_numpy(object)
        groups = [(value, label, colour) for value, label, colour in palette.class_legend()]
    elif colour_by == "source" and "dataset" in incidents:
        values = incidents["dataset"].astype(object).to_numpy(object)
        groups = [(name, name, colour) for name, colour
                  in palette.source_colours(source_order).items()]
    else:
        values = incidents["event_type"].to_numpy(dtype=object)
        groups = [(t, t, palette.type_colour(t)) for t in type_order]
    out = []
    for value, label, colour in groups:
        rows = np.flatnonzero(values == value)
        if len(rows):
            out.append((rows, label, colour))
    return out


def incident_traces(incidents: pd.DataFrame, type_order: Sequence[str],
                    colour_by: str = "type", source_order: Sequence[str] = (),
                    hover: dict[str, np.ndarray] | None = None) -> list[dict]:
    """The incidents, drawn and hovered apart, so points at the same spot show how many
    they are and hover lists them all.

    Drawn: one trace per event type in a fixed order, coloured by type, sized by
    fatalities, with no hover of its own; under them a grey disc at each point shared
    by several incidents, sized by their number. Hovered: one point per distinct
    location: a lone incident's details, or for a stack the count beside it and a list
    of its incidents. The hover text is sent once per location, and a source every
    incident shares goes once in the template (not once per point). ``hover``: the rows'
    ``hover_fields`` when made before (the map takes them from all the data's)."""
    lon = incidents["lon"].to_numpy(dtype="float32")
    lat = incidents["lat"].to_numpy(dtype="float32")
    fatalities = incidents["fatalities"].to_numpy(dtype="float64", na_value=np.nan)
    sizes = marker_size(fatalities).astype("float32")
    sources = incidents["source"].drop_duplicates()
    common = len(sources) == 1
    source_line = f"<br>Source: {_template_text(sources.iloc[0])}" if common else ""
    codes, counts = location_codes(lon, lat)
    fields = dict(hover) if hover is not None else hover_fields(incidents)
    if common:
        fields["source"] = None
    single = np.flatnonzero(counts[codes] == 1)
    stacked = np.flatnonzero(counts[codes] > 1)
    title = (CLASS_LEGEND_TITLE if colour_by == "class" and "classification" in incidents
             else SOURCE_LEGEND_TITLE if colour_by == "source" and "dataset" in incidents
             else LEGEND_TITLE)
    group = {"legendgroup": "types", "legendgrouptitle": title, "showlegend": False}
    traces = []
    if len(stacked):
        first, stack_text = _stack_hovers(fields, incidents["date"].to_numpy("int64"), codes,
                                          stacked)
        n = counts[codes[first]]
        by_count = np.argsort(-n, kind="stable")  # labels that collide: the larger wins
        first, n, stack_text = first[by_count], n[by_count], [stack_text[i] for i in by_count]
        traces.append(dict(type="scattermap", lon=lon[first], lat=lat[first], mode="markers",
                           name="stacked incidents", hoverinfo="skip", **group,
                           meta=roles.meta(roles.INCIDENTS_STACKED),
                           marker={"size": stack_size(n).astype("float32"),
                                   "color": "#3b3b3b", "opacity": 0.22}))
    for rows, label, colour in colour_groups(incidents, type_order, colour_by, source_order):
        traces.append(dict(
            type="scattermap", lon=lon[rows], lat=lat[rows], mode="markers",
            name=esc(label), legendgroup="types", legendgrouptitle=title,
            meta=roles.meta(roles.INCIDENTS),
            marker={"size": sizes[rows], "color": colour, "opacity": 0.75}, hoverinfo="skip"))
    hover = {"hovertemplate": f"%{{hovertext}}{source_line}<extra></extra>",
             "hoverlabel": {"align": "left"}}
    if len(single):
        custom, template = _single_custom(fields, single)
        traces.append(dict(type="scattermap", lon=lon[single], lat=lat[single], mode="markers",
                           name="incident", **group, customdata=custom,
                           meta=roles.meta(roles.INCIDENT_HOVER),
                           hovertemplate=f"{template}{source_line}<extra></extra>",
                           hoverlabel={"align": "left"},
                           marker={"size": 10, "color": "rgba(0,0,0,0)", "opacity": 1}))
    if len(stacked):
        traces.append(dict(type="scattermap", lon=lon[first], lat=lat[first],
                           mode="markers+text", name="incidents at one point", **group, **hover,
                           meta=roles.meta(roles.INCIDENTS_AT_POINT),
                           hovertext=stack_text, text=[f"{c:,}" for c in n.tolist()],
                           textposition="top right",
                           textfont={"size": 12, "color": "#111111"},
                           marker={"size": stack_size(n).astype("float32"),
                                   "color": "rgba(0,0,0,0)", "opacity": 1}))
    return traces


# Light (few) to dark red (many), spelled out: plotly.js's own "YlOrRd" runs the other
# way, and a dict figure's colour scale name goes to plotly.js as it is.
HEX_COLOURS = [[i / (len(sequential.YlOrRd) - 1), colour]
               for i, colour in enumerate(sequential.YlOrRd)]


def hex_trace(cells: pd.DataFrame, size_deg: float) -> dict:
    """Server-side hexagon counts as a filled layer (the aggregated view)."""
    from dashboard.analysis.aggregate import hex_polygons

    lat0 = cells.attrs.get("lat0", float(cells["lat"].mean()) if len(cells) else 0.0)
    # "hex-" ids: a click on a hexagon must never read as a click on a zone called "3".
    ids = [f"hex-{i}" for i in range(len(cells))]
    rings = hex_polygons(cells["lon"].to_numpy(), cells["lat"].to_numpy(), size_deg, lat0)
    features = [{"type": "Feature", "id": i, "properties": {},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for i, ring in zip(ids, rings.tolist(), strict=True)]
    counts = cells["count"].to_numpy()
    return dict(
        type="choroplethmap", geojson={"type": "FeatureCollection", "features": features},
        locations=ids, z=np.log10(counts + 1).astype("float32"), customdata=counts.astype("int32"),
        colorscale=HEX_COLOURS, marker={"opacity": 0.75, "line": {"width": 0}},
        colorbar={"title": {"text": "Incidents"}, "tickvals": [0, 1, 2, 3, 4, 5],
                  "ticktext": ["1", "10", "100", "1k", "10k", "100k"], "len": 0.5, "x": 0.99},
        hovertemplate="%{customdata:,} incidents<extra></extra>", name="Incidents (binned)",
        showlegend=False, meta=roles.meta(roles.INCIDENTS_BINNED),
    )


def _towns_trace(towns: pd.DataFrame) -> dict:
    return dict(type="scattermap", lon=towns["lon"].tolist(), lat=towns["lat"].tolist(),
                mode="markers+text", text=towns["name"].tolist(), textposition="top right",
                textfont={"size": 11, "color": "#4a4a4a"}, marker={"size": 4, "color": "#4a4a4a"},
                hoverinfo="skip", showlegend=False, name="towns", meta=roles.meta(roles.TOWNS))


def _highlight_traces(highlight: pd.DataFrame) -> list[dict]:
    lon, lat = highlight["lon"].tolist(), highlight["lat"].tolist()
    return [dict(type="scattermap", lon=lon, lat=lat, mode="markers", name="Selected row",
                 marker={"size": 26, "color": "rgba(0,0,0,0)", "opacity": 1},
                 showlegend=False, hoverinfo="skip", meta=roles.meta(roles.SELECTED_RING)),
            dict(type="scattermap", lon=lon, lat=lat, mode="markers", showlegend=False,
                 marker={"size": 12, "color": "#111111"}, hoverinfo="skip", name="Selected",
                 meta=roles.meta(roles.SELECTED))]


def map_figure_dict(
    *,
    zones,
    incidents: pd.DataFrame | None,
    type_order: Sequence[str],
    base: BaseLayers,
    center: tuple[float, float],
    zoom: float,
    hexes: pd.DataFrame | None = None,
    hex_size: float = 0.1,
    highlight: pd.DataFrame | None = None,
    online_tiles: bool = False,
    note: str | None = None,
    title: str | None = None,
    base_url: str | None = None,
    zone_layers: ZoneLayers | None = None,
    colour_by: str = "type",
    source_order: Sequence[str] = (),
    hover: dict[str, np.ndarray] | None = None,
) -> dict:
    """The main map as a Plotly figure dict: zones as of a day (``zone_layers``, if
    given, are those of ``zones`` made before), incidents (or their hexagon bins), towns,
    base layers. ``hover``: the incidents' hover fields made before (``hover_fields``)."""
    layers = zone_layers or ZoneLayers.of(zones)
    data = list(layers.fill)
    if hexes is not None:
        data.append(hex_trace(hexes, hex_size))
    if incidents is not None:
        data += incident_traces(incidents, type_order, colour_by, source_order, hover)
    data.append(_towns_trace(base.towns))  # below the zone names: MapLibre places upper labels first
    data += layers.overlay
    if highlight is not None and len(highlight):
        data += _highlight_traces(highlight)
    layout = {
        "map": {"style": "open-street-map" if online_tiles else offline_style(),
                "layers": [] if online_tiles else base_map_layers(base, zoom >= 7, base_url),
                "center": {"lat": center[0], "lon": center[1]}, "zoom": zoom},
        "margin": {"l": 0, "r": 0, "t": 36 if title else 0, "b": 0},
        "legend": MAP_LEGEND,
        "font": {"family": FONT}, "uirevision": "map", "dragmode": "pan",
        "paper_bgcolor": "white",
    }
    if title:
        layout["title"] = {"text": title, "x": 0.01}
    if note:
        layout["annotations"] = [{
            "text": note, "x": 0.5, "y": 0.02, "xref": "paper", "yref": "paper",
            "showarrow": False, "bgcolor": "rgba(255,255,255,0.92)", "bordercolor": "#b35806",
            "borderwidth": 1, "font": {"size": 13}}]
    return {"data": data, "layout": layout}


def compact(figure: dict) -> dict:
    """Numeric numpy arrays of a figure dict's traces (and their markers) as base64
    typed arrays, in place, as ``go.Figure.to_dict`` sends them: a quarter of the JSON
    of the same numbers as text. Only where this module puts arrays, so the walk does
    not visit every coordinate of every outline."""
    for trace in figure["data"]:
        for part in (trace, trace.get("marker") or {}):
            for key, value in part.items():
                if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
                    part[key] = to_typed_array_spec(value)
    return figure


def map_figure(**kwargs) -> go.Figure:
    """``map_figure_dict`` as a graph object, for the exports and for inspection."""
    return go.Figure(map_figure_dict(**kwargs))


def window_shape(window: tuple) -> dict:
    """The shaded band of the selected window on the histogram (both days included).
    Its height is the histogram's own panel ("y domain"), never the figure's ("paper"):
    placed in a page with other panels (the briefing image) it stays in its strip."""
    return {"type": "rect", "xref": "x", "yref": "y domain", "y0": 0, "y1": 1,
            "x0": pd.Timestamp(window[0]), "x1": pd.Timestamp(window[1]) + pd.Timedelta(days=1),
            "fillcolor": "#1f77b4", "opacity": 0.16, "line": {"width": 0}, "layer": "below"}


@functools.cache
def _template() -> dict:
    """The default template as plain data, once: what ``go.Figure`` would send."""
    return go.Figure().to_dict()["layout"]["template"]


@functools.cache
def _subplot_layout(rows: int, titles: tuple[str, ...]) -> dict:
    """``make_subplots`` rows sharing x, as plain layout data: built once per shape (its
    validation cost most of the zone series' time on every filter change)."""
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                           subplot_titles=list(titles)).to_dict()["layout"]
    layout.pop("template", None)
    return layout


def _bar(x, y, **props) -> dict:
    return {"type": "bar", "x": x, "y": y, **props}


def histogram_figure_dict(weekly: pd.DataFrame, milestones: pd.DataFrame,
                          window: tuple | None, span: tuple | None) -> dict:
    """Stacked weekly bars by type, the selected window shaded, milestones marked.

    Plain figure data (what the histogram callback sends on every filter change);
    ``histogram_figure`` is the same as a ``go.Figure``."""
    week_ms = 7 * 86400000
    data = [_bar(weekly.index, weekly[event_type].to_numpy(), name=esc(event_type),
                 marker={"color": palette.type_colour(event_type)}, showlegend=False,
                 hovertemplate=f"{esc(event_type)}: %{{y}} in week of {plotly_day('x')}"
                               "<extra></extra>", xperiod=week_ms, xperiodalignment="start")
            for event_type in weekly.columns]
    top = max(float(weekly.sum(axis=1).max()), 1.0) if len(weekly) else 1.0  # 1: all empty
    if len(milestones):
        data.append({
            "type": "scatter", "x": milestones["date"].to_numpy(), "y": [top * 1.08] * len(milestones),
            "mode": "markers", "marker": {"symbol": "triangle-down", "size": 11, "color": "#222222"},
            "customdata": np.column_stack([[esc(t) for t in milestones["text"]],
                                           [esc(s) for s in milestones["source"]],
                                           [esc(k).replace("_", " ") for k in milestones["kind"]],
                                           [esc(z if isinstance(z, str) and z else "all zones")
                                            for z in milestones["zone_id"]]]),
            "hovertemplate": (f"<b>{plotly_day('x')}</b> · %{{customdata[2]}} (%{{customdata[3]}})"
                              "<br>%{customdata[0]}<br><i>%{customdata[1]}</i><extra></extra>"),
            "showlegend": False, "name": "milestones", "hoverlabel": {"align": "left"}})
    # The window comes first so a slider move can patch shapes[0] alone (window_shape()).
    shapes = [window_shape(window)] if window and all(window) else []
    if len(milestones):
        shapes += [{"type": "line", "xref": "x", "yref": "y domain", "x0": day, "x1": day,
                    "y0": 0, "y1": 1, "opacity": 0.5,
                    "line": {"color": "#444444", "width": 1, "dash": "dot"}}
                   for day in milestones["date"].drop_duplicates()]
    layout = {
        "template": _template(), "shapes": shapes,
        "barmode": "stack", "bargap": 0.05, "margin": {"l": 48, "r": 12, "t": 6, "b": 24},
        "height": 150,
        "xaxis": {"range": [pd.Timestamp(span[0]), pd.Timestamp(span[1]) + pd.Timedelta(days=1)]
                  if span else None, "showgrid": False, "fixedrange": True},
        "yaxis": {"title": {"text": "per week"}, "fixedrange": True, "range": [0, top * 1.18]},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "font": {"family": FONT, "size": 11},
        "dragmode": "select", "selectdirection": "h", "hovermode": "closest",
    }
    return {"data": data, "layout": layout}


def histogram_figure(weekly: pd.DataFrame, milestones: pd.DataFrame,
                     window: tuple | None, span: tuple | None) -> go.Figure:
    """``histogram_figure_dict`` as a ``go.Figure`` (briefings and tests)."""
    return go.Figure(histogram_figure_dict(weekly, milestones, window, span))


def zone_series_figure_dict(series: dict[str, pd.Series], zones, milestones: pd.DataFrame,
                            names: dict[str, str], window: tuple | None = None) -> dict:
    """Small multiples: weekly incidents inside each zone, its status periods shaded.

    Plain figure data, sent on every filter change; ``zone_series_figure`` is the same
    as a ``go.Figure``."""
    ids = list(series)
    titles = tuple(esc(names.get(z, z)) for z in ids)
    layout = copy.deepcopy(_subplot_layout(max(1, len(ids)), titles))
    data: list[dict] = []
    shapes: list[dict] = []
    for row, zone_id in enumerate(ids, start=1):
        s = series[zone_id]
        axis = "" if row == 1 else str(row)
        data.append(_bar(s.index, s.to_numpy(), marker={"color": "#444444"}, showlegend=False,
                         hovertemplate=f"{esc(names.get(zone_id, zone_id))}: %{{y}} in week "
                                       f"of {plotly_day('x')}<extra></extra>",
                         xperiod=7 * 86400000, xperiodalignment="start",
                         xaxis=f"x{axis}", yaxis=f"y{axis}"))
        for v in zones.loc[zones["zone_id"] == zone_id].itertuples(index=False):
            x0 = v.valid_from if pd.notna(v.valid_from) else s.index.min()
            x1 = (v.valid_to + pd.Timedelta(days=1)) if pd.notna(v.valid_to) else s.index.max()
            shapes.append({"type": "rect", "xref": f"x{axis}", "yref": f"y{axis} domain",
                           "x0": x0, "x1": x1, "y0": 0, "y1": 1, "opacity": 0.18,
                           "fillcolor": palette.status_colour(v.status), "line": {"width": 0},
                           "layer": "below"})
        for m in milestones.loc[milestones["zone_id"] == zone_id].itertuples(index=False):
            shapes.append({"type": "line", "xref": f"x{axis}", "yref": f"y{axis} domain",
                           "x0": m.date, "x1": m.date, "y0": 0, "y1": 1,
                           "line": {"color": "#222222", "width": 1, "dash": "dot"}})
    for status in dict.fromkeys(zones["status"]):
        data.append(_bar([None], [None], marker={"color": palette.status_colour(status)},
                         opacity=0.4, name=esc(palette.status_label(status)), showlegend=True))
    for note in layout.get("annotations", []):
        note.update(font={"size": 12}, x=0, xanchor="left")
    layout.update(
        template=_template(), shapes=shapes,
        height=110 * max(1, len(ids)) + 80, margin={"l": 40, "r": 10, "t": 64, "b": 24},
        plot_bgcolor="white", font={"family": FONT, "size": 11}, bargap=0.05,
        legend={"orientation": "h", "y": 0.995, "yanchor": "top", "x": 0, "title": {"text": "Status"},
                "yref": "container"},
    )
    if window and all(window):
        for key in [k for k in layout if k.startswith("xaxis")]:
            layout[key]["range"] = [pd.Timestamp(window[0]), pd.Timestamp(window[1])]
    return {"data": data, "layout": layout}


def zone_series_figure(series: dict[str, pd.Series], zones, milestones: pd.DataFrame,
                       names: dict[str, str], window: tuple | None = None) -> go.Figure:
    """``zone_series_figure_dict`` as a ``go.Figure`` (briefings and tests)."""
    return go.Figure(zone_series_figure_dict(series, zones, milestones, names, window))


def its_figure_dict(analysis) -> dict:
    """Weekly incidents inside the zone around the reference day: observed bars, the
    fitted interrupted-time-series line and the pre-ceasefire trend carried on.

    Plain figure data (the zone panel is built on a busy server); ``its_figure`` is the
    same as a ``go.Figure``."""
    data: list[dict] = []
    its = analysis.its
    reference = pd.Timestamp(analysis.reference)
    notes = [{"x": reference, "y": 1.02, "yref": "paper", "showarrow": False,
              "text": f"in effect {day_words(analysis.reference)}", "xanchor": "left",
              "font": {"size": 11}}]
    if its is None:
        notes.insert(0, {"text": "<br>".join(textwrap.wrap(
            esc(f"No trend fitted: {analysis.its_refused}"), 70)), "showarrow": False,
            "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"})
    else:
        weeks = list(its.weeks)
        data.append(_bar(weeks, list(its.observed), name="Observed per week",
                         marker={"color": "#9aa5ae"}, xperiod=7 * 86400000,
                         xperiodalignment="start", customdata=list(its.exposure),
                         hovertemplate=f"week of {plotly_day('x')}: %{{y}} incidents "
                                       "(%{customdata} days covered)<extra></extra>"))
        post = [w >= analysis.reference for w in weeks]
        split = post.index(True) if True in post else len(post)
        fitted = list(its.fitted)
        data.append({  # a gap at the reference day: the model has a step there
            "type": "scatter", "x": [*weeks[:split], None, *weeks[split:]],
            "y": [*fitted[:split], None, *fitted[split:]],
            "name": "Fitted trend (negative binomial)", "mode": "lines",
            "line": {"color": "#0b5cab", "width": 2.5}, "connectgaps": False})
        data.append({
            "type": "scatter", "x": [w for w, p in zip(weeks, post, strict=True) if p],
            "y": [c for c, p in zip(its.counterfactual, post, strict=True) if p],
            "name": "Pre-ceasefire trend continued", "mode": "lines",
            "line": {"color": "#b35806", "width": 2, "dash": "dash"}})
    layout = {
        "template": _template(), "annotations": notes,
        "shapes": [{"type": "line", "x0": reference, "x1": reference, "xref": "x",
                    "y0": 0, "y1": 1, "yref": "y domain",
                    "line": {"color": "#222", "dash": "dot"}}],
        "height": 300, "margin": {"l": 48, "r": 10, "t": 30, "b": 30},
        "plot_bgcolor": "white", "font": {"family": FONT, "size": 12},
        "legend": {"orientation": "h", "y": -0.18}, "bargap": 0.1,
        "yaxis": {"title": {"text": "incidents inside / week"}, "rangemode": "tozero"},
        "title": {"text": esc(analysis.zone_name), "x": 0.01, "font": {"size": 13}},
    }
    return {"data": data, "layout": layout}


def its_figure(analysis) -> go.Figure:
    """``its_figure_dict`` as a ``go.Figure`` (tests, reports)."""
    return go.Figure(its_figure_dict(analysis))


def breakdown_figure_dict(pairs: list[tuple[str, int]], title: str, colour: str,
                          rows: int | None = None) -> dict:
    """Horizontal bars, largest on top, for the 'who' and 'where' lists (plain figure
    data; ``breakdown_figure`` is the same as a ``go.Figure``)."""
    labels = [esc(str(label)[:48]) for label, _ in pairs][::-1]  # cut, then escape
    values = [n for _, n in pairs][::-1]
    rest = re.compile(r"^(\d+ others?|unknown|unrecorded place)$")
    colours = ["#b8c0c7" if rest.match(label) else colour for label, _ in pairs][::-1]
    bars = _bar(values, labels, orientation="h", marker={"color": colours},
                hovertemplate="%{y}: %{x}<extra></extra>", text=values,
                textposition="outside", cliponaxis=False)
    layout = {
        "template": _template(),
        "height": 60 + 24 * max(1, rows or len(pairs)),
        "margin": {"l": 8, "r": 30, "t": 30, "b": 20},
        "title": {"text": title, "x": 0.01, "font": {"size": 13}},
        "plot_bgcolor": "white", "font": {"family": FONT, "size": 11},
        # Largest on top, and short lists start at the top too.
        "yaxis": {"automargin": True, "range": [len(pairs) - max(rows or 0, len(pairs)) - 0.5,
                                                len(pairs) - 0.5]},
        "xaxis": {"visible": False}, "bargap": 0.25,
    }
    return {"data": [bars], "layout": layout}


def breakdown_figure(pairs: list[tuple[str, int]], title: str, colour: str,
                     rows: int | None = None) -> go.Figure:
    """``breakdown_figure_dict`` as a ``go.Figure`` (tests)."""
    return go.Figure(breakdown_figure_dict(pairs, title, colour, rows))


def exemptions_figure(agreement, span: tuple) -> go.Figure:
    """The deal's exemptions over the data's span: one bar per exempt group, from its
    first day (the deal's, when none is given) to its last (the span's end when open),
    and a marker at the moment the deal took effect. Before an exemption's first day the
    group counts as protected, so its bar starts there."""
    first, last = pd.Timestamp(span[0]), pd.Timestamp(span[1]) + pd.Timedelta(days=1)
    deal = pd.Timestamp(agreement.in_effect.replace(tzinfo=None))
    fig = go.Figure()
    names = []
    for e in agreement.exempt:
        start = pd.Timestamp(e.start) if e.start else deal.normalize()
        end = pd.Timestamp(e.until) + pd.Timedelta(days=1) if e.until else last
        name = esc(e.name[:48])
        names.append(name)
        until = day_words(e.until) if e.until else "open-ended"
        fig.add_trace(go.Bar(
            y=[name], x=[(end - start).total_seconds() * 1000], base=[start], orientation="h",
            marker_color=palette.CLASS_COLOURS["permitted"], width=0.5, showlegend=False,
            hovertemplate=(f"<b>{name}</b>: strikes on it permitted from {day_words(start)} "
                           f"({until})<br>Source: {_template_text(e.source or 'not given')}"
                           "<extra></extra>")))
    label = "Deal took effect"
    fig.add_shape(type="line", x0=deal, x1=deal, y0=0, y1=1, yref="paper",
                  line={"color": palette.CLASS_COLOURS["violation"], "width": 2})
    fig.add_annotation(x=deal, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"{label} {day_words(deal)} {deal:%H:%M}", font={"size": 11})
    fig.update_layout(
        height=90 + 34 * max(len(names), 1), margin={"l": 10, "r": 10, "t": 30, "b": 30},
        font={"family": FONT, "size": 12}, plot_bgcolor="white", paper_bgcolor="white",
        xaxis={"type": "date", "range": [first, last], "gridcolor": "#eeeeee"},
        yaxis={"automargin": True, "visible": bool(names)}, bargap=0.4)
    if not names:
        fig.add_annotation(text="No group is exempt from this deal.", x=0.5, y=0.4,
                           xref="paper", yref="paper", showarrow=False)
    return fig
