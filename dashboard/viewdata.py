"""A dataset prepared for interactive views: sorted, indexed, with its defaults.

Built once per dataset (at start-up, or once per upload), then only read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from dashboard.dataset import Dataset
from dashboard.filters import IncidentIndex
from dashboard.spatial import membership_masks
from dashboard.state import ViewState
from dashboard.timeline import status_since


@dataclass(frozen=True)
class ViewData:
    dataset: Dataset
    index: IncidentIndex
    zones: pd.DataFrame          # zone versions with a ``status_since`` column
    type_order: list[str]        # event types, most frequent first (legend order)
    span: tuple[date, date]      # first and last day covered by incidents or zones
    default: ViewState
    center: tuple[float, float]
    zoom: float
    label: str

    @property
    def synthetic(self) -> bool:
        return self.dataset.synthetic

    def zone_names(self) -> dict[str, str]:
        return dict(zip(self.zones["zone_id"], self.zones["name"], strict=True))


def fit_camera(bounds: tuple[float, float, float, float], width_px: int = 1000,
               height_px: int = 400) -> tuple[tuple[float, float], float]:
    """Centre (lat, lon) and zoom that show ``bounds`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    if not all(map(math.isfinite, bounds)):
        return (20.0, 0.0), 1.0
    lon_span = max(maxx - minx, 0.05) * 1.1
    lat_span = max(maxy - miny, 0.05) * 1.1
    # MapLibre's world is 512 px wide at zoom 0; a degree of latitude is 1/cos(lat)
    # times longer than one of longitude on the map.
    lat0 = math.radians((miny + maxy) / 2)
    zoom_x = math.log2(width_px * 360 / (512 * lon_span))
    zoom_y = math.log2(height_px * 360 * math.cos(lat0) / (512 * lat_span))
    return ((miny + maxy) / 2, (minx + maxx) / 2), round(max(0.5, min(zoom_x, zoom_y, 12)), 2)


def _span(data: Dataset) -> tuple[date, date]:
    days = [d for d in (data.incidents["date"].min(), data.incidents["date"].max(),
                        data.zones["valid_from"].min(), data.zones["valid_to"].max())
            if pd.notna(d)]
    if not days:
        today = date.today()
        return today, today
    return min(days).date(), max(days).date()


def build_view_data(data: Dataset, label: str,
                    masks: dict[str, np.ndarray] | None = None) -> ViewData:
    """The view of ``data``. Its dataset keeps the incidents in date order (the index's
    frame: one copy, not two). ``masks`` are zone masks already computed over those
    rows (a prepared cache); by default those the join left in ``data``, else computed
    here."""
    if masks is None:
        masks = data.zone_masks
    if masks is None:
        masks = membership_masks(data.incidents, data.zone_index) if data.zone_index else {}
    index = IncidentIndex(data.incidents, masks)
    data = replace(data, incidents=index.frame, zone_masks=index.zone_masks)
    zones = data.zones.assign(status_since=status_since(data.zones)) if len(data.zones) \
        else data.zones.assign(status_since=pd.Series(dtype="datetime64[ns]"))
    counts = data.incidents["event_type"].value_counts()
    span = _span(data)
    inc_span = index.date_span or span
    geoms = []
    if len(zones):
        geoms.append(zones.total_bounds)
    if len(index):
        lon, lat = index.lon, index.lat
        geoms.append(np.array([np.nanpercentile(lon, 1), np.nanpercentile(lat, 1),
                               np.nanpercentile(lon, 99), np.nanpercentile(lat, 99)]))
    if geoms:
        stack = np.vstack(geoms)
        bounds = (stack[:, 0].min(), stack[:, 1].min(), stack[:, 2].max(), stack[:, 3].max())
    else:
        bounds = (float("nan"),) * 4
    center, zoom = fit_camera(bounds)
    default = ViewState(start=inc_span[0], end=inc_span[1])
    return ViewData(data, index, zones, list(counts.index), span, default, center, zoom, label)
