"""How much a data file may unpack to, and how long and how much memory checking it may take.

A few hundred kilobytes of gzip, Parquet, XLSX or zip can describe gigabytes of
table, so every reader checks what the file *says* it holds (gzip read through a
bounded reader, Parquet and GeoPackage metadata, the XLSX's zip sizes and row widths)
before it materialises anything, and refuses with the size found, the limit and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
_RAISE = "or ask the server's operator to raise {var}"


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on one file. ``unpacked_mb``: text after decompression (gzip, XLSX, zip
    members); ``cells``: rows x columns; ``columns``: width of any row;
    ``check_seconds`` / ``check_memory_mb``: the sandboxed upload check."""

    unpacked_mb: int = 500
    cells: int = 25_000_000
    columns: int = 1000
    check_seconds: int = 20
    check_memory_mb: int = 2048

    @classmethod
    def from_settings(cls, settings=None) -> Limits:
        """The limits of ``settings`` (default: ``Settings.from_env()``, as the CLI sees them)."""
        from dashboard.core.settings import Settings

        s = settings or Settings.from_env()
        return cls(unpacked_mb=s.max_unpacked_mb, cells=s.max_cells, columns=s.max_columns,
                   check_seconds=s.check_seconds, check_memory_mb=s.check_memory_mb)

    @property
    def unpacked_bytes(self) -> int:
        return self.unpacked_mb * MB


def fix_for(setting: str, advice: str) -> str:
    """``advice``, then how to raise the limit (an environment variable of the server/CLI)."""
    return f"{advice}, {_RAISE.format(var='ZONEWATCH_' + setting.upper())}"


CELLS_FIX = fix_for("max_cells", "split the file by date or area, or drop columns you do not need")
COLUMNS_FIX = fix_for("max_columns", "delete the empty or unused columns")
UNPACKED_FIX = fix_for("max_unpacked_mb", "split the file by date or area")


def cells_problem(rows: int, columns: int, limits: Limits) -> tuple[str, str] | None:
    """(problem, fix) when a table of ``rows`` x ``columns`` is over the caps, else None."""
    if columns > limits.columns:
        return (f"the table is {columns:,} columns wide; at most {limits.columns:,} are read",
                COLUMNS_FIX)
    if rows * columns > limits.cells:
        return (f"the table holds {rows:,} rows x {columns:,} columns = {rows * columns:,} "
                f"cells; at most {limits.cells:,} are read", CELLS_FIX)
    return None
