"""Row-level checks shared by the readers: each marks bad rows and says why."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from dashboard.io.validation import ValidationReport

#: Rows listed one by one for each problem before the rest are folded into a count.
MAX_LISTED = 25


class RowChecks:
    """Collects located row problems into a report and remembers rejected rows.

    ``label(i)`` turns a 0-based position into the place a person looks for:
    "row 14" (the header is row 1, as a spreadsheet shows it; ``first_row`` is the row
    of the first data row, 3 below an HXL tag row) or "feature 3".
    """

    def __init__(self, report: ValidationReport, n: int, unit: str = "row",
                 first_row: int = 2):
        self.report, self.n, self.unit, self.first_row = report, n, unit, first_row
        self.rejected = np.zeros(n, dtype=bool)
        self.reasons: dict[int, list[str]] = {}

    def label(self, i: int) -> str:
        return f"row {i + self.first_row}" if self.unit == "row" else f"{self.unit} {i + 1}"

    def flag(self, mask, severity: str, problem: str, fix: str, *, column: str | None = None,
             values=None) -> None:
        """Report each row where ``mask`` is true (errors also reject the row).

        ``values`` (an array, or a function returning one, called only when a row
        is flagged) gives the value shown for each row.
        """
        mask = np.asarray(mask, dtype=bool)
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        if severity == "error":
            self.rejected |= mask
            for i in positions.tolist():
                self.reasons.setdefault(i, []).append(f"{column}: {problem}" if column else problem)
        if callable(values):
            values = values()
        vals = None if values is None else np.asarray(values, dtype=object)
        for i in positions[:MAX_LISTED]:
            value = None if vals is None or vals[i] is None else str(vals[i])
            self.report.add(severity, problem, fix, where=self.label(int(i)), column=column,
                            value=value)
        rest = len(positions) - MAX_LISTED
        if rest > 0:
            first = self.label(int(positions[MAX_LISTED]))
            self.report.add(severity, f"{problem} — {rest} more rows from {first} on", fix,
                            column=column, count=rest)

    def finish(self, raw: pd.DataFrame) -> None:
        """Record the rejected rows, as the file had them, with why, in the report."""
        self.report.rejected_rows = np.flatnonzero(self.rejected).tolist()
        if self.report.rejected_rows:
            table = pd.DataFrame(raw).iloc[self.report.rejected_rows].copy()
            table.insert(0, "zonewatch_problems", ["; ".join(self.reasons.get(i, ["rejected"]))
                                                   for i in self.report.rejected_rows])
            table.insert(0, "zonewatch_where", [self.label(i) for i in self.report.rejected_rows])
            self.report.rejected_table = table

    def reject(self, mask, reason: str) -> None:
        """Reject the rows of ``mask`` for a problem the caller reports once, for all."""
        mask = np.asarray(mask, dtype=bool)
        self.rejected |= mask
        for i in np.flatnonzero(mask).tolist():
            self.reasons.setdefault(i, []).append(reason)

    def flag_each(self, reasons: np.ndarray, severity: str, fix: str, *,
                  column: str | None = None) -> np.ndarray:
        """``flag`` each row with its own problem (``reasons``: text per row, '' for none);
        returns the mask of rows flagged."""
        reasons = np.asarray(reasons, dtype=object)
        mask = reasons != ""
        for reason in pd.unique(reasons[mask]):
            self.flag(reasons == reason, severity, reason, fix, column=column)
        return mask

    def summarise(self, mask, severity: str, problem: str, fix: str,
                  column: str | None = None) -> None:
        """One line for a known quirk that many rows share (a count and examples)."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        examples = ", ".join(self.label(int(i)) for i in positions[:3])
        self.report.add(severity, f"{len(positions)} rows: {problem} (e.g. {examples})", fix,
                        column=column, count=1)


def by_unique(series: pd.Series, func) -> pd.Series:
    """Apply ``func`` (Series -> Series) to the distinct values only, then spread the
    result back: columns of dates, types and actors repeat the same few values."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    done = func(pd.Series(np.append(np.asarray(uniques, dtype=object), None), dtype=object))
    return pd.Series(done.to_numpy()[codes], index=series.index, dtype=done.dtype, copy=False)


def _cell(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None or value is pd.NA or value != value:  # None, NA, NaN, NaT
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    return str(value)


def _strip(values: pd.Series) -> pd.Series:
    return pd.Series([_cell(v) for v in values], dtype=object)


def text(series: pd.Series | None, n: int) -> pd.Series:
    """A column as stripped strings ('' for missing); a missing column is all ''."""
    if series is None:
        return pd.Series(np.full(n, "", dtype=object), dtype=object)
    series = series.reset_index(drop=True)
    if isinstance(series.dtype, pd.StringDtype):  # Arrow strings: vectorised and compact
        import pyarrow.compute as pc

        arrow = series.array.__arrow_array__()  # the Arrow data itself, not a copy
        padded = _edge_space(arrow)
        if padded is None:
            padded = pc.any(pc.match_substring_regex(arrow, r"^\s|\s$")).as_py()
        if not padded and arrow.null_count == 0:
            return series  # already clean: share it rather than copy a million strings
        return series.str.strip().fillna("")
    return by_unique(series, _strip)


#: The bytes RE2's ``\s`` matches (ASCII only: tab, newline, form feed, return, space).
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 12, 13, 32]] = True


def _edge_space(arrow) -> bool | None:
    r"""Whether any string starts or ends with ``\s``, read from the Arrow buffers:
    first and last bytes only, about 8 times faster than a regex over a million
    strings. (UTF-8 never uses these bytes inside a character.) None for Arrow
    types other than (large_)string: then the caller asks the regex."""
    import pyarrow as pa

    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    for chunk in chunks:
        if chunk.type == pa.string():
            width = np.int32
        elif chunk.type == pa.large_string():
            width = np.int64
        else:
            return None
        if not len(chunk):
            continue
        _, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        if data_buf is None or offsets[-1] == offsets[0]:
            continue
        data = np.frombuffer(data_buf, dtype=np.uint8)
        valid = offsets[1:] > offsets[:-1]  # empty strings (and nulls) have no edge bytes
        if chunk.null_count:
            valid &= chunk.is_valid().to_numpy(zero_copy_only=False)
        if _SPACE[data[offsets[:-1][valid]]].any() or _SPACE[data[offsets[1:][valid] - 1]].any():
            return True
    return False


def _arrow_floats(series: pd.Series) -> np.ndarray | None:
    """Arrow-backed text that is all plain numbers (or empty) as float64, several times
    faster than ``pd.to_numeric``; None when any cell is not (the slow path says which)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        return None
    try:
        floats = pc.cast(pa.array(series.array), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return np.array(floats.to_numpy(zero_copy_only=False))  # writable: callers fill in


def numbers(series: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, empty, bad): float64 values; which were empty; which were not numbers.

    A decimal comma (35,12) is read as a decimal point, as European exports write it.
    """
    if series is None:
        nan = np.full(n, np.nan)
        return nan, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(series):
        vals = series.to_numpy(dtype="float64", na_value=np.nan)
        return vals, np.isnan(vals), np.zeros(n, dtype=bool)
    vals = _arrow_floats(series)
    if vals is None:
        vals = np.array(pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64",
                                                                        na_value=np.nan))
    failed = np.flatnonzero(np.isnan(vals))
    empty = np.zeros(n, dtype=bool)
    if len(failed):  # only the rows the fast path could not read: blanks, commas, junk
        raw = pd.Series(series.to_numpy(dtype=object)[failed], dtype=object)
        stripped = _strip(raw)
        empty[failed] = (stripped == "").to_numpy()
        cleaned = stripped.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
        vals[failed] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64",
                                                                         na_value=np.nan)
    bad = np.isnan(vals) & ~empty
    return vals, empty, bad
