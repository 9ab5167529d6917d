"""``zonewatch db status``: what the store holds and how it got there."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from dashboard.db.schema import head_revision, schema_revision


def status_text(engine: Engine, last_imports: int = 5) -> str:
    """Schema revision, zones, milestones, terms, incidents per dataset (live and
    marked deleted), the last imports and the data revision, as lines of text."""
    revision = schema_revision(engine)
    head = head_revision()
    if revision is None:
        return f"schema: not initialised (run zonewatch db init; this code ships {head})"
    lines = [f"schema: {revision}" + ("" if revision == head else
                                      f" (this code ships {head}: run zonewatch db init)")]
    with engine.connect() as conn:
        data, changed = conn.execute(text("SELECT revision, changed_at FROM data_revision")).one()
        lines.append(f"data revision: {data} (changed {changed:%Y-%m-%d %H:%M:%S %Z})")
        zones, versions = conn.execute(text(
            "SELECT (SELECT count(*) FROM zones), (SELECT count(*) FROM zone_versions)")).one()
        lines.append(f"zones: {zones} ({versions} versions)")
        lines.append("milestones: " + str(conn.execute(text(
            "SELECT count(*) FROM milestones")).scalar_one()))
        terms = conn.execute(text("SELECT file_name FROM terms")).scalars().all()
        lines.append(f"terms: {', '.join(t or '?' for t in terms) or 'none'}")
        lines.append("incidents per dataset (live / marked deleted):")
        for name, live, deleted in conn.execute(text(
                "SELECT d.dataset, count(i.id) FILTER (WHERE i.deleted_at IS NULL),"
                " count(i.id) FILTER (WHERE i.deleted_at IS NOT NULL)"
                " FROM datasets d LEFT JOIN incidents i USING (dataset)"
                " GROUP BY d.dataset, d.position ORDER BY d.position")):
            lines.append(f"  {name}: {live} / {deleted}")
        lines.append("last imports:")
        for run in conn.execute(text(
                "SELECT id, started_at, finished_at, by_role, files FROM import_runs"
                " ORDER BY id DESC LIMIT :n"), {"n": last_imports}):
            files = ", ".join(f"{f['role']} {f['path'].rsplit('/', 1)[-1]} ({f['rows']})"
                              for f in run.files)
            seconds = ((run.finished_at - run.started_at).total_seconds()
                       if run.finished_at else float("nan"))
            lines.append(f"  run {run.id} {run.started_at:%Y-%m-%d %H:%M} by {run.by_role}"
                         f" in {seconds:.1f} s: {files}")
    return "\n".join(lines)
