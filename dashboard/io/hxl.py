"""HXL: the row of hashtags (``#date``, ``#geo+lat``, ``#adm1+name``) that HDX files carry
under their header, so that tools can read columns whatever the header calls them.

The row is recognised (every non-empty cell is a hashtag), taken out of the data and
kept as ``frame.attrs["hxl"]`` ({column: tag}); ``columns.hxl_columns`` then maps the
tags onto ZoneWatch's names wherever the header's own names are not recognised.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.io.validation import ValidationReport

#: One HXL hashtag with its attributes: ``#affected +killed`` or ``#geo+lat``.
TAG = re.compile(r"^#[a-z][a-z0-9_]*(?:\s*\+\s*[a-z][a-z0-9_]*)*$", re.IGNORECASE)


def tag_row(frame: pd.DataFrame) -> dict[str, str] | None:
    """{column: normalised tag} when the first data row of ``frame`` is an HXL tag row,
    else None. Columns without a tag are left out."""
    if not len(frame):
        return None
    tags = {}
    for column, value in frame.iloc[0].items():
        cell = "" if value is None or value is pd.NA or value != value else str(value).strip()
        if not cell:
            continue
        if not TAG.match(cell):
            return None
        tags[column] = normalise(cell)
    return tags or None


def normalise(tag: str) -> str:
    """``#Affected +Killed`` -> ``#affected+killed``: lower case, no spaces."""
    return re.sub(r"\s+", "", tag).lower()


def drop_tag_row(frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """``frame`` without its HXL tag row (if it has one), the tags in ``attrs["hxl"]`` and
    ``attrs["first_row"]`` = 3, the row number a spreadsheet shows for the first data row."""
    tags = tag_row(frame)
    if tags is None:
        return frame
    out = frame.iloc[1:].reset_index(drop=True)
    out.attrs = {**frame.attrs, "hxl": tags, "first_row": 3}
    report.info(f"an HXL tag row was recognised (row 2: {', '.join(list(tags.values())[:6])}"
                f"{', ...' if len(tags) > 6 else ''}) and is not read as data; columns the "
                "header does not name are found by their tags")
    return out
