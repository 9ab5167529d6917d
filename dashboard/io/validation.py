"""Validation reports: every problem in a file, located, with the fix."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from dashboard.core.errors import DataFileError

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem. ``where`` is "row 12" (1-based data rows, header excluded)
    or "feature 3"; ``column`` and ``value`` are what was found there."""

    severity: Severity
    problem: str
    fix: str
    where: str | None = None
    column: str | None = None
    value: str | None = None
    count: int = 1  # how many rows share this problem when they are folded into one line

    def message(self, filename: str) -> str:
        place = ", ".join(p for p in (filename, self.where, self.column and f"column '{self.column}'") if p)
        shown = "" if self.value is None else f" (value: {self.value!r})"
        more = f" [and {self.count - 1} more rows like it]" if self.count > 1 else ""
        return f"{place}: {self.problem}{shown}. Fix: {self.fix}.{more}"


@dataclass
class ValidationReport:
    """What a reader found in one file. ``kind`` is what the file was read as."""

    path: Path
    kind: str = "unknown"
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)  # 0-based positions in the file's data
    rejected_table: object = None  # the rejected rows as read, with why (a DataFrame)
    encoding: str | None = None  # the text encoding the file was read in, if it is text
    uploaded: bool = False  # a browser upload (this session only), not a server file

    def add(self, severity: Severity, problem: str, fix: str, **where) -> None:
        self.issues.append(Issue(severity, problem, fix, **where))

    def error(self, problem: str, fix: str, **where) -> None:
        self.add("error", problem, fix, **where)

    def warning(self, problem: str, fix: str, **where) -> None:
        self.add("warning", problem, fix, **where)

    def info(self, problem: str, fix: str = "nothing to do", **where) -> None:
        self.add("info", problem, fix, **where)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, severity: Severity | None = None) -> list[str]:
        return [i.message(self.path.name) for i in self.issues
                if severity is None or i.severity == severity]

    def raise_for_errors(self, error_class: type[DataFileError] = DataFileError) -> None:
        """Raise the first error (the report still holds all of them)."""
        if self.errors:
            first = self.errors[0]
            more = len(self.errors) - 1
            fix = first.fix + (f"; {more} more problems: run 'zonewatch validate {self.path.name}'"
                               if more else "")
            shown = "" if first.value is None else f" (value: {first.value!r})"
            where = ", ".join(p for p in (first.where, first.column and f"column '{first.column}'") if p)
            raise error_class(self.path, first.problem + shown, fix, where=where or None)

    def to_dict(self) -> dict:
        return {
            "file": str(self.path), "kind": self.kind, "rows": self.rows, "ok": self.ok,
            "encoding": self.encoding,
            "errors": len(self.errors), "warnings": len(self.warnings),
            "issues": [asdict(i) | {"message": i.message(self.path.name)} for i in self.issues],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        head = (f"{self.path.name}: read as {self.kind}, {self.rows} rows/features — "
                f"{len(self.errors)} errors, {len(self.warnings)} warnings")
        lines = [head]
        for issue in self.issues:
            lines.append(f"  {issue.severity.upper():8}{issue.message(self.path.name)}")
        return "\n".join(lines)
