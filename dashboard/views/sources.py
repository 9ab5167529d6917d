"""The Sources tab's figure: each source's weekly counts, one small panel per source,
slide-ready (title, a title per panel naming its source and total, axis titles with
units).

One panel per source, each with its own y scale: on one shared axis a source of five
field reports is a flat line under UCDP's hundreds a week, and the tab exists to
compare them. The weeks line up (one shared x axis), and the subtitle says the scales
differ, so heights are not read across panels.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.core.formats import plotly_day
from dashboard.views.figures import FONT, esc
from dashboard.views.palette import source_colours

PANEL_PX = 120      # one source's panel
FRAME_PX = 150      # title, subtitle, the week axis
SPACING_PX = 44     # between panels: room for the next panel's title


def panel_title(source: str, weekly: pd.Series) -> str:
    """"<b>UCDP GED</b> · 1,234 incidents · at most 56 a week": the source, its total
    here and its peak week, so a panel's scale is read from its title."""
    total, peak = int(weekly.sum()), int(weekly.max()) if len(weekly) else 0
    return (f"<b>{esc(source)}</b> · {total:,} incident{'s' * (total != 1)}"
            f" · at most {peak:,} a week")


def source_weeks_figure(weekly: pd.DataFrame, where: str, window: str,
                        all_sources: Sequence[str] = ()) -> go.Figure:
    """Weekly bars, one panel (row) per source with its own y scale (``weekly``: rows
    Monday dates, columns sources, as ``analysis.sources.weekly_by_source`` gives
    them), each source in the colour the map gives it (its place in ``all_sources``,
    the view's sources)."""
    names = list(weekly.columns)
    rows = max(len(names), 1)
    height = FRAME_PX + rows * PANEL_PX + (rows - 1) * SPACING_PX
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True,
                        vertical_spacing=SPACING_PX / (height - FRAME_PX) if rows > 1 else 0,
                        subplot_titles=[panel_title(s, weekly[s]) for s in names] or None)
    colours = source_colours([*all_sources, *(s for s in names if s not in all_sources)])
    for row, source in enumerate(names, start=1):
        fig.add_trace(go.Bar(
            x=weekly.index, y=weekly[source], name=f"{esc(source)} ({int(weekly[source].sum()):,})",
            marker_color=colours[source], xperiod=7 * 86400000, xperiodalignment="start",
            showlegend=False,
            hovertemplate=f"{esc(source)}: %{{y}} in the week of {plotly_day('x')}<extra></extra>"),
            row=row, col=1)
        peak = int(weekly[source].max()) if len(weekly) else 0
        fig.update_yaxes(rangemode="tozero", nticks=4, gridcolor="#e6e6e6", row=row, col=1,
                         range=None if peak else [0, 1], tickformat=",d",
                         dtick=1 if peak <= 4 else None)  # whole incidents, never 0.5
    fig.update_xaxes(showgrid=False, ticks="outside", showline=True, linecolor="#999999")
    fig.update_xaxes(title={"text": "Week starting (Monday)"}, row=rows, col=1)
    fig.update_annotations(x=0, xanchor="left", font={"size": 13})  # the panel titles
    fig.add_annotation(text="Incidents per week", textangle=-90, showarrow=False,
                       xref="paper", yref="paper", x=0, xshift=-52, y=0.5, font={"size": 12})
    fig.update_layout(
        title={"text": f"<b>Incidents per week, by source</b> · {esc(where)}"
                       f"<br><sup>{esc(window)} · each source's own reports, each on its own "
                       "scale: compare the weeks, not the heights</sup>",
               "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        bargap=0.15, height=height, showlegend=False,
        margin={"l": 72, "r": 16, "t": 96, "b": 54},
        plot_bgcolor="white", paper_bgcolor="white", font={"family": FONT, "size": 12},
    )
    if not names:
        fig.add_annotation(text="No incidents from any source here in these dates",
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig
