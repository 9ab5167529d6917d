"""Which incidents a map selection or a mark means, when several sources share ids.

An incident is named by its source and its id: ACLED's "1" and the field reports' "1"
are two incidents. The browser keeps

- a selection as ``{dataset: [incident ids]}`` (small: each dataset's name once), and
- a marked incident as ``{"dataset": name, "id": incident id}``.

A bare id (``"i07"``) or a list of bare ids, as older sessions and single-source
callers send them, still works: it names that id in any source.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

Selection = dict[str, list[str]] | list[str]
Mark = dict[str, str] | str


def selection_of(frame: pd.DataFrame, positions: np.ndarray) -> dict[str, list[str]]:
    """``{dataset: [incident ids]}`` of the rows at ``positions``, in their order."""
    rows = frame.iloc[positions]
    out: dict[str, list[str]] = {}
    for dataset, incident_id in zip(rows["dataset"].astype(str), rows["incident_id"].astype(str),
                                    strict=True):
        out.setdefault(dataset, []).append(incident_id)
    return out


def checked_selection(value: object) -> Selection | None:
    """``value`` when it is a selection as the browser keeps it, else ValueError (a
    download's form is typed by anyone)."""
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(i, str) for i in value):
        return value
    if isinstance(value, dict) and all(
            isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            for ids in value.values()):
        return value
    raise ValueError("selection is not a list of incident ids per source")


def keys_mask(frame: pd.DataFrame, keys: Selection) -> np.ndarray:
    """Boolean mask of the rows ``keys`` names (a dataset unknown here names none)."""
    ids = frame["incident_id"].astype(str)
    if not isinstance(keys, Mapping):
        return ids.isin(keys).to_numpy()
    mask = np.zeros(len(frame), dtype=bool)
    datasets = frame["dataset"].astype(str)
    for dataset, wanted in keys.items():
        mask |= ((datasets == dataset) & ids.isin(wanted)).to_numpy()
    return mask


def mark_of(row: Mapping) -> Mark | None:
    """The mark for a clicked table row (or evidence entry): dataset and id when the
    row names its dataset, else the bare id; None without an id."""
    incident_id = row.get("incident_id")
    if incident_id is None:
        return None
    dataset = row.get("dataset")
    if dataset is None:
        return str(incident_id)
    return {"dataset": str(dataset), "id": str(incident_id)}


def mark_keys(mark: object) -> Selection | None:
    """The selection naming a mark (None for no mark or one that is not a mark)."""
    if isinstance(mark, str) and mark:
        return [mark]
    if isinstance(mark, Mapping) and isinstance(mark.get("id"), str) \
            and isinstance(mark.get("dataset"), str):
        return {mark["dataset"]: [mark["id"]]}
    return None


def mark_positions(frame: pd.DataFrame, mark: object) -> np.ndarray:
    """Positions of the rows a mark names (empty when it names none)."""
    keys = mark_keys(mark)
    if keys is None:
        return np.array([], dtype=np.intp)
    return np.flatnonzero(keys_mask(frame, keys))
