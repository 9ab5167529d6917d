"""Frames <-> rows: the columns kept as SQL columns, the rest as jsonb, and the pandas
dtypes recorded at import so that a read-back frame equals the one read from the file."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.core import model

#: Incident columns stored as typed SQL columns (``incident_id`` is ``source_id``;
#: ``dataset`` is the key); the others go to ``extra``.
INCIDENT_SQL = [c for c in model.INCIDENT_COLUMNS if c not in ("incident_id", "dataset")]
INCIDENT_DATES = ("date", "date_end")
#: Zone-version columns stored as SQL columns (``valid_from``/``valid_to`` are the
#: ``validity`` range, ``geometry`` is ``geom``).
ZONE_SQL = ["zone_id", "name", "version", "status", "boundary_precision", "source", "notes"]
MILESTONE_SQL = list(model.MILESTONE_COLUMNS)


def dtype_name(series: pd.Series) -> str:
    """The dtype as recorded: pandas' name, with a categorical's value type after a colon."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return f"category:{dtype.categories.dtype}"
    return str(dtype)


def column_types(frame: pd.DataFrame) -> list[list[str]]:
    """[[column, dtype], ...] in the frame's order, for ``frame_columns``/``datasets``."""
    return [[str(c), dtype_name(frame[c])] for c in frame.columns if c != "geometry"]


def restore(frame: pd.DataFrame, types: list[list[str]]) -> pd.DataFrame:
    """``frame`` with the columns of ``types`` in that order and those dtypes."""
    out = {}
    for name, dtype in types:
        values = frame[name] if name in frame.columns else pd.Series([None] * len(frame),
                                                                      index=frame.index)
        out[name] = _cast(values, dtype)
    return pd.DataFrame(out, index=frame.index)


def _cast(values: pd.Series, dtype: str) -> pd.Series:
    if dtype.startswith("category:"):
        return _cast(values, dtype.split(":", 1)[1]).astype("category")
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values).astype(dtype)
    if dtype == "object":
        return values.astype(object).where(values.notna(), None)
    if dtype == "bool":
        return values.astype(bool)
    return values.astype(dtype)


def json_lines(frame: pd.DataFrame) -> list[str]:
    """Each row of ``frame`` as a JSON object (NaN and NA as null, times in ISO 8601);
    pandas' JSON writer, in C: a million rows of 25 columns take seconds, not minutes."""
    if frame.shape[1] == 0:
        return ["{}"] * len(frame)
    plain = frame.reset_index(drop=True)
    for col in plain.columns:
        if isinstance(plain[col].dtype, pd.CategoricalDtype):
            plain[col] = plain[col].astype(plain[col].cat.categories.dtype)
    text = plain.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
    return text.rstrip("\n").split("\n")


def expand_json(values: pd.Series, names: list[str], index: pd.Index) -> pd.DataFrame:
    """The ``extra`` jsonb column (dicts) back to columns ``names``."""
    records = [v if isinstance(v, dict) else json.loads(v) if v else {} for v in values]
    return pd.DataFrame.from_records(records, columns=names, index=index) if names \
        else pd.DataFrame(index=index)
