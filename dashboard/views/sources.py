"""The Sources tab's figure: each source's weekly counts side by side, slide-ready
(title, axis titles with units, a legend naming each source)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.core.formats import plotly_day
from dashboard.views.figures import FONT, esc
from dashboard.views.palette import source_colours


def source_weeks_figure(weekly: pd.DataFrame, where: str, window: str,
                        all_sources: Sequence[str] = ()) -> go.Figure:
    """Grouped weekly bars, one colour per source (``weekly``: rows Monday dates, columns
    sources, as ``analysis.sources.weekly_by_source`` gives them), each source in the
    colour the map gives it (its place in ``all_sources``, the view's sources)."""
    fig = go.Figure()
    colours = source_colours([*all_sources, *(s for s in weekly.columns if s not in all_sources)])
    for source in weekly.columns:
        fig.add_trace(go.Bar(
            x=weekly.index, y=weekly[source], name=f"{esc(source)} ({int(weekly[source].sum()):,})",
            marker_color=colours[source], xperiod=7 * 86400000, xperiodalignment="start",
            hovertemplate=f"{esc(source)}: %{{y}} in the week of {plotly_day('x')}<extra></extra>"))
    fig.update_layout(
        title={"text": f"<b>Incidents per week, by source</b> · {esc(where)}"
                       f"<br><sup>{esc(window)} · each source's own reports</sup>",
               "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        barmode="group", bargap=0.15, bargroupgap=0.05, height=360, showlegend=True,
        margin={"l": 60, "r": 16, "t": 78, "b": 48},
        xaxis={"title": {"text": "Week starting (Monday)"}, "showgrid": False},
        yaxis={"title": {"text": "Incidents per week"}, "rangemode": "tozero",
               "gridcolor": "#e6e6e6"},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom",
                "title": {"text": "Source (incidents)"}},
        plot_bgcolor="white", paper_bgcolor="white", font={"family": FONT, "size": 12},
    )
    if not len(weekly.columns):
        fig.add_annotation(text="No incidents from any source here in these dates",
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig
