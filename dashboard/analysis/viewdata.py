"""A dataset prepared for interactive views: sorted, indexed, with its defaults.

Built once per dataset (at start-up, or once per upload), then only read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
from shapely.geometry import box

from dashboard.analysis.dataset import Dataset, aligned_links
from dashboard.analysis.index import IncidentIndex
from dashboard.analysis.spatial import membership_masks
from dashboard.analysis.validity import in_force_between, status_since
from dashboard.analysis.viewstate import ViewState
from dashboard.core import mercator
from dashboard.core.agreements import CLASSES, Terms

#: The columns the agreement terms add to a view's incidents (categorical).
CLASS_COLUMNS = ("classification", "classification_reason")


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
    #: Roles ("zones", "incidents") the user brought (uploads): the view is fitted to
    #: them. Empty: the server's data, all of it one whole.
    uploaded: frozenset[str] = frozenset()
    #: The agreement terms its incidents are classified by (None: no terms, no
    #: ``classification`` column).
    terms: Terms | None = None
    #: Computed on first use and kept with the view (``view_links``): not compared.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def classified(self) -> bool:
        return self.terms is not None and "classification" in self.index.frame

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
    # A degree of latitude is 1/cos(lat) times longer than one of longitude on the map.
    lat0 = math.radians((miny + maxy) / 2)
    zoom_x = mercator.zoom_for(lon_span, width_px)
    zoom_y = mercator.zoom_for(lat_span / math.cos(lat0), height_px)
    return ((miny + maxy) / 2, (minx + maxx) / 2), round(max(0.5, min(zoom_x, zoom_y, 12)), 2)


def _span(data: Dataset, uploaded: frozenset[str] = frozenset()) -> tuple[date, date]:
    """First and last day of the incidents and zones; of the uploaded incidents alone
    when incidents were uploaded, of the uploaded zones' validity (and the incidents
    while an uploaded zone is still in force) when zones alone were."""
    inc, zones = data.incidents["date"], data.zones
    if "incidents" in uploaded and inc.notna().any():
        days = [inc.min(), inc.max()]
    elif "zones" in uploaded and len(zones):
        days = [zones["valid_from"].min(), zones["valid_from"].max(), zones["valid_to"].max()]
        if zones["valid_to"].isna().any():  # still in force: up to the latest incident
            days.append(inc.max())
    else:
        days = [inc.min(), inc.max(), zones["valid_from"].min(), zones["valid_to"].max()]
    days = [d for d in days if pd.notna(d)]
    if not days:
        today = date.today()
        return today, today
    return min(days).date(), max(days).date()


def _extent(zones: pd.DataFrame, index: IncidentIndex,
            uploaded: frozenset[str]) -> tuple[float, float, float, float]:
    """Bounds (minx, miny, maxx, maxy) of the zones and the incidents (1st to 99th
    percentile: a stray point does not zoom the map out); of the uploaded ones only
    when some were uploaded."""
    geoms = []
    if len(zones) and (not uploaded or "zones" in uploaded):
        geoms.append(zones.total_bounds)
    if len(index) and (not uploaded or "incidents" in uploaded):
        lon, lat = index.lon, index.lat
        geoms.append(np.array([np.nanpercentile(lon, 1), np.nanpercentile(lat, 1),
                               np.nanpercentile(lon, 99), np.nanpercentile(lat, 99)]))
    if not geoms:
        return (float("nan"),) * 4
    stack = np.vstack(geoms)
    return stack[:, 0].min(), stack[:, 1].min(), stack[:, 2].max(), stack[:, 3].max()


def zones_shown(zones: pd.DataFrame, span: tuple[date, date],
                bounds: tuple[float, float, float, float]) -> set[str]:
    """Ids of the zones with a version in force on some day of ``span`` whose outline
    meets ``bounds`` (any, when the bounds are unknown)."""
    if not len(zones):
        return set()
    in_time = in_force_between(zones, *span)
    in_place = (zones.intersects(box(*bounds)) if all(map(math.isfinite, bounds))
                else pd.Series(True, index=zones.index))
    return set(zones.loc[in_time & in_place, "zone_id"])


def view_zones_shown(view: ViewData) -> pd.DataFrame:
    """The zone versions a view is about: all of them for the server's data; for an
    upload, those of the zones in its time and place (``zones_shown``)."""
    if not view.uploaded:
        return view.zones
    ids = zones_shown(view.zones, view.span, _extent(view.zones, view.index, view.uploaded))
    return view.zones.loc[view.zones["zone_id"].isin(ids)]


def milestones_shown(milestones: pd.DataFrame, zones: pd.DataFrame, span: tuple[date, date],
                     bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    """The milestones of the zones a view of ``span`` and ``bounds`` shows: zones with a
    version in force on some day of the span whose outline meets the bounds. Milestones
    of no zone (the whole agreement) go with them, when dated within the span."""
    if not len(milestones) or not len(zones):
        return milestones.iloc[:0]
    first, last = pd.Timestamp(span[0]), pd.Timestamp(span[1])
    shown = zones_shown(zones, span, bounds)
    zone_of = milestones["zone_id"].fillna("")
    general = (zone_of == "") & milestones["date"].between(first, last) & bool(shown)
    return milestones.loc[zone_of.isin(shown) | general]


def with_classes(incidents: pd.DataFrame, terms: Terms | None) -> pd.DataFrame:
    """``incidents`` with ``CLASS_COLUMNS`` under ``terms`` (categorical: a few distinct
    values over many rows), computed once per dataset and terms; as they are when they
    already hold them (a prepared cache) or there are no terms."""
    if terms is None or "classification" in incidents:
        return incidents
    from dashboard.analysis.classify import classify

    classified = classify(incidents, terms)
    return incidents.assign(
        classification=pd.Categorical(classified["classification"], categories=list(CLASSES)),
        classification_reason=classified["classification_reason"].astype("category"))


def build_view_data(data: Dataset, label: str,
                    masks: dict[str, np.ndarray] | None = None,
                    uploaded: frozenset[str] = frozenset(),
                    terms: Terms | None = None) -> ViewData:
    """The view of ``data``. Its dataset keeps the incidents in date order (the index's
    frame: one copy, not two). ``masks`` are zone masks already computed over those
    rows (a prepared cache); by default those the join left in ``data``, else computed
    here. With ``uploaded`` roles, time and map fit the uploaded data (see ``_span``,
    ``_extent``) and only the shown zones' milestones are kept. With ``terms`` the
    incidents carry their class and its reason (``with_classes``)."""
    if masks is None:
        masks = data.zone_masks
    if masks is None:
        masks = membership_masks(data.incidents, data.zone_index) if data.zone_index else {}
    if terms is not None:
        data = replace(data, incidents=with_classes(data.incidents, terms))
    index = IncidentIndex(data.incidents, masks)
    data = replace(data, incidents=index.frame, zone_masks=index.zone_masks,
                   links=None if data.links is None else aligned_links(data.links, index.frame))
    zones = data.zones.assign(status_since=status_since(data.zones)) if len(data.zones) \
        else data.zones.assign(status_since=pd.Series(dtype="datetime64[ns]"))
    counts = data.incidents["event_type"].value_counts()
    span = _span(data, uploaded)
    inc_span = index.date_span or span
    if "zones" in uploaded and "incidents" not in uploaded:  # the window: the zones' span
        inc_span = span
    bounds = _extent(zones, index, uploaded)
    if uploaded:
        data = replace(data, milestones=milestones_shown(data.milestones, zones, span, bounds))
    center, zoom = fit_camera(bounds)
    default = ViewState(start=inc_span[0], end=inc_span[1])
    return ViewData(data, index, zones, list(counts.index), span, default, center, zoom, label,
                    uploaded, terms)


def view_links(view: ViewData) -> pd.DataFrame | None:
    """The view's likely duplicates across sources, ``a`` and ``b`` rows of its index
    (None: one source). A view read from the prepared cache has the clusters but not
    the links: they are found again here, once per view."""
    if view.index.clusters is None:
        return None
    if view.dataset.links is not None:
        return view.dataset.links
    if "links" not in view.memo:
        from dashboard.analysis.dedupe import find_links

        view.memo["links"] = find_links(view.index.frame)
    return view.memo["links"]


def with_decisions(view: ViewData, confirmed=(), rejected=()) -> ViewData:
    """``view`` with its clusters made again under an analyst's decisions (link keys
    ``(dataset_a, id_a, dataset_b, id_b)`` confirmed or rejected): what counts once
    follows them. The index's arrays are shared, not copied."""
    links = view_links(view)
    if links is None or not (confirmed or rejected):
        return view
    from dashboard.analysis.dedupe import cluster_ids

    clusters = np.asarray(cluster_ids(len(view.index), links, confirmed=tuple(confirmed),
                                      rejected=tuple(rejected)), dtype=np.int64)
    index = view.index.with_clusters(clusters)
    return replace(view, index=index, memo={"links": links},
                   dataset=replace(view.dataset, incidents=index.frame, links=links))
