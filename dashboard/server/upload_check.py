"""Checking an uploaded file in a child process with a deadline and memory and CPU caps.

A file can be built to make a reader slow (a regular expression that backtracks, a
workbook whose rows reach column XFD) or hungry (a zip of a 200 MB GeoJSON). Read in
the web worker, it would hold that worker, and every user behind it, for as long as
it takes. Here the reader runs in a child forked from a small fork server (the data
libraries loaded once, so a check starts in milliseconds); the child caps its own
address space and CPU time, and the parent waits at most ``check_seconds`` and then
kills it. A bad file costs its uploader a message, never a worker.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import resource
import signal
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from dashboard.core.priority import lower_priority_after
from dashboard.io import Issue, ValidationReport, read_incidents, read_zones
from dashboard.io.limits import MB, Limits, fix_for
from dashboard.io.terms_file import read_terms
from dashboard.io.writers import inert_frame

#: Modules the fork server loads once, so each child starts with them in memory.
PRELOAD = ["dashboard.server.upload_check", "geopandas", "pyogrio", "pyarrow.parquet", "pyarrow.csv",
           "openpyxl", "shapely"]
#: Issues sent back from the child; the rest are counted ("and N more").
QUICK_CHECK_S = 0.5  # a check running longer than this drops to the lowest CPU priority
MAX_ISSUES = 500
_GRACE_S = 1.0  # beyond the deadline, for the answer to cross the pipe


def _context() -> multiprocessing.context.BaseContext:
    """'forkserver': children come from a clean single-threaded server, not from a web
    worker with threads and open sockets (which 'fork' would copy)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)  # only takes effect before the server starts
    return ctx


def start_checker(wait_s: float = 0.0) -> bool:
    """Start this process's fork server now (it loads the data libraries: about half a
    second of CPU), and wait up to ``wait_s`` for it to serve a first child; whether it
    did. Otherwise the first upload a web worker receives pays that, while other users
    wait for the CPU. Called as a worker starts, before it takes requests
    (``deploy/gunicorn.conf.py``)."""
    ctx = _context()
    multiprocessing.forkserver.ensure_running()
    if wait_s <= 0:
        return False
    child = ctx.Process(target=_ready, daemon=True)
    child.start()
    child.join(wait_s)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode == 0


def _ready() -> None:
    """A first child of the fork server: it exists once the server is ready."""


@dataclass(frozen=True)
class Checked:
    """A checked upload: its report, how many zones its valid rows hold (zone files; a
    zone is one id, whatever its versions), and whether its rejected rows were written."""

    report: ValidationReport
    zones: int | None = None
    rejected_written: bool = False


def check_file(path: Path, role: str, limits: Limits, shown_name: str | None = None,
               encoding: str | None = None) -> ValidationReport:
    """The report of reading ``path`` as ``role`` ("zones", "incidents" or "terms"), read in a
    sandboxed child (in ``encoding``, default: detected). Never takes much longer than
    ``limits.check_seconds``: a child that is still at work then is killed and the
    report says so."""
    return check_upload(path, role, limits, shown_name, encoding).report


def check_upload(path: Path, role: str, limits: Limits, shown_name: str | None = None,
                 encoding: str | None = None, rejected_path: Path | None = None) -> Checked:
    """``check_file``, and in the same child: the zone count, and the rejected rows with
    why written to ``rejected_path`` (CSV, spreadsheet-inert) when there are any."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, str(path), role, limits, encoding,
                                             str(rejected_path) if rejected_path else None),
                        daemon=True)
    child.start()
    sender.close()
    try:
        answer = (receiver.recv() if receiver.poll(limits.check_seconds + _GRACE_S)
                  else "timeout")
    except (EOFError, OSError):
        answer = None  # the child died before answering
    finally:
        receiver.close()
        child.join(timeout=0.5)
        if child.is_alive():
            child.kill()
            child.join()
    report = ValidationReport(Path(shown_name or path.name), kind=role)
    if isinstance(answer, dict):
        return Checked(_report_from(answer, report), answer.get("zones"),
                       bool(answer.get("rejected_written")))
    report.error(*_died(answer, child.exitcode, limits))
    return Checked(report)


#: How a child out of memory can end besides MemoryError: glibc aborts a thread that
#: cannot get thread-local storage, and the loader exits 127 when it cannot map a library.
_OUT_OF_MEMORY_EXITS = (-signal.SIGABRT, 127)


def _died(answer: object, exitcode: int | None, limits: Limits) -> tuple[str, str]:
    """(problem, fix) for a child that did not answer with a report."""
    if answer == "timeout" or exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return (f"checking the file took longer than {limits.check_seconds} s, the limit",
                fix_for("check_seconds", "split the file by date or area, or simplify the "
                        "geometries (fewer vertices)"))
    if answer == "memory" or (answer is None and exitcode in _OUT_OF_MEMORY_EXITS):
        return (f"checking the file needs more than {limits.check_memory_mb:,} MB of memory, "
                "the limit", fix_for("check_memory_mb", "split the file by date or area"))
    detail = answer if isinstance(answer, str) else f"the checker stopped with code {exitcode}"
    return (f"the file could not be checked ({detail})",
            "export the file again, or save it as CSV or GeoJSON")


def _report_from(answer: dict, report: ValidationReport) -> ValidationReport:
    report.kind, report.rows = answer["kind"], answer["rows"]
    report.encoding = answer.get("encoding")
    report.rejected_rows = answer.get("rejected_rows", [])
    names = {f.name for f in fields(Issue)}
    report.issues = [Issue(**{k: v for k, v in issue.items() if k in names})
                     for issue in answer["issues"]]
    if answer["more"]:
        report.info(f"{answer['more']:,} more problems not shown",
                    f"run 'zonewatch validate {report.path.name}' for all of them")
    return report


def _limit_self(limits: Limits) -> None:
    """Cap this process: CPU seconds (SIGXCPU ends it) and address space, counted from
    what the loaded libraries already take, so the budget is what reading may add."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.check_seconds, limits.check_seconds + 1))
    with open("/proc/self/status", encoding="ascii") as fh:
        vm_kb = next((int(line.split()[1]) for line in fh if line.startswith("VmSize:")), 0)
    budget = vm_kb * 1024 + limits.check_memory_mb * MB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (budget, hard))


def _child(sender, path: str, role: str, limits: Limits, encoding: str | None = None,
           rejected_path: str | None = None) -> None:
    """Read the file and send back the report as plain data (or "memory")."""
    try:
        # Quick files at normal priority; a slow one yields to everyone else's requests.
        lower_priority_after(QUICK_CHECK_S)
        _limit_self(limits)
        if role == "terms":  # a small JSON file: every problem, no rows to reject
            _terms, report = read_terms(Path(path), limits=limits, encoding=encoding)
            valid = pd.DataFrame()
        else:
            reader = read_zones if role == "zones" else read_incidents
            frame, report = reader(Path(path), limits=limits, encoding=encoding)
            valid = frame.loc[frame.index.difference(report.rejected_rows, sort=False)]
        answer: object = {
            "kind": report.kind, "rows": report.rows, "encoding": report.encoding,
            "issues": [_issue_dict(i) for i in report.issues[:MAX_ISSUES]],
            "more": max(0, len(report.issues) - MAX_ISSUES),
            "rejected_rows": list(report.rejected_rows),
            "zones": (int(valid["zone_id"].nunique())
                      if role == "zones" and "zone_id" in valid.columns else None),
            "rejected_written": bool(rejected_path) and _write_rejected(report, rejected_path),
        }
    except MemoryError:
        answer = "memory"
    except Exception as err:  # a reader's bug: the uploader gets a message all the same
        answer = f"{type(err).__name__} while reading"
    sender.send(answer)
    sender.close()


def _write_rejected(report: ValidationReport, path: str) -> bool:
    """The rejected rows as the file had them, with where and why first, as a CSV a
    spreadsheet opens as text (BOM, formulas made inert; geometries as WKT)."""
    table = report.rejected_table
    if table is None or not len(table):
        return False
    table = table.copy()
    if "geometry" in table.columns:
        table["geometry"] = shapely.to_wkt(np.asarray(table["geometry"], dtype=object))
    inert_frame(table).to_csv(path, index=False, encoding="utf-8-sig")
    return True


def _issue_dict(issue: Issue) -> dict:
    return {f.name: getattr(issue, f.name) for f in fields(Issue)}
