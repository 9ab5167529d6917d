"""``zonewatch db``: the team server's store (PostgreSQL + PostGIS).

A thin edge over ``dashboard.db``: the URL comes from ``--db`` or
``ZONEWATCH_DATABASE_URL``; data-layer errors become ``click.ClickException`` here.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from dashboard.cli_options import incident_sources
from dashboard.core.errors import ZoneWatchError

_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)
DB_OPTION = click.option(
    "--db", "db_url", envvar="ZONEWATCH_DATABASE_URL", metavar="URL",
    help="PostgreSQL URL, e.g. postgresql://zonewatch_writer@localhost/zonewatch "
         "[default: ZONEWATCH_DATABASE_URL].")


def _edge(command):
    """ZoneWatch and database errors become one-line click errors."""
    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ZoneWatchError as err:
            raise click.ClickException(str(err)) from err
        except ImportError as err:
            raise click.ClickException(f"the database needs the 'db' extra ({err.name} is "
                                       "missing); install it with pip install 'zonewatch[db]'"
                                       ) from err
        except Exception as err:
            if type(err).__module__.split(".")[0] not in ("sqlalchemy", "psycopg", "alembic"):
                raise
            first = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
            raise click.ClickException(f"database: {first}") from err
    return wrapped


def _engine(db_url: str | None):
    from dashboard.db.engine import make_engine

    return make_engine(db_url)


@click.group()
def db() -> None:
    """The team server's store: PostgreSQL + PostGIS (needs the 'db' extra)."""


@db.command()
@DB_OPTION
@click.option("--roles", is_flag=True,
              help="Also create the read-only role (web process) and the writer role "
                   "(imports, QGIS) and grant them; run as the database owner or a superuser.")
@click.option("--reader", default="zonewatch_reader", show_default=True,
              help="Name of the read-only role (with --roles).")
@click.option("--writer", default="zonewatch_writer", show_default=True,
              help="Name of the writer role (with --roles).")
@_edge
def init(db_url, roles, reader, writer) -> None:
    """Create or upgrade the schema (migrations; PostGIS and btree_gist on first run)."""
    from dashboard.db.schema import create_roles, upgrade

    engine = _engine(db_url)
    revision = upgrade(engine)
    click.echo(f"schema at revision {revision}")
    if roles:
        create_roles(engine, reader, writer)
        click.echo(f"roles: {reader} (read-only), {writer} (imports, QGIS)")


@db.command(name="import")
@DB_OPTION
@click.option("--zones", type=_FILE, help="Zone file (replaces the zones in the store).")
@click.option("--incidents", multiple=True, metavar="[NAME=]FILE", callback=incident_sources,
              help="Incident file (repeatable; NAME=FILE names its dataset); upserted per "
                   "dataset on its incident ids: changed rows are updated, rows missing from "
                   "that dataset's new import are marked deleted.")
@click.option("--milestones", type=_FILE, help="Milestone CSV (replaces the milestones).")
@click.option("--terms", type=_FILE, help="Agreement terms JSON (replaces the terms).")
@click.option("--encoding", metavar="CODEC",
              help="Text encoding of the zone and incident files [default: detected].")
@_edge
def import_(db_url, zones, incidents, milestones, terms, encoding) -> None:
    """Read and validate every file, then write them all in one transaction (a file
    with errors writes nothing)."""
    from dashboard.db.write import import_plan, known_zone_ids, plan_import

    if not (zones or incidents or milestones or terms):
        raise click.UsageError("give at least one of --zones, --incidents, --milestones, --terms")
    engine = _engine(db_url)
    plan = plan_import(zones, incidents, milestones, terms, encoding=encoding,
                       known_zone_ids=None if zones or not terms else known_zone_ids(engine))
    result = import_plan(engine, plan)
    click.echo(f"import run {result.run_id}:")
    for name, value in result.summary.items():
        click.echo(f"  {name}: {_counts_words(value)}")


def _counts_words(value) -> str:
    """{'rows': 8352, 'inserted': 8352, ...} -> '8,352 rows, 8,352 inserted, ...'."""
    if isinstance(value, dict):
        return ", ".join(f"{n:,} {what}" if isinstance(n, int) else f"{what} {n}"
                         for what, n in value.items())
    return f"{value:,}" if isinstance(value, int) else str(value)


@db.command()
@DB_OPTION
@_edge
def status(db_url) -> None:
    """Schema revision, counts per dataset, the last imports and the data revision."""
    from dashboard.db.status import status_text

    click.echo(status_text(_engine(db_url)))


@db.command()
@DB_OPTION
@click.option("-o", "--output", "folder", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="Folder to write zones.geojson, milestones.csv, terms.json "
                                  "and one incidents CSV per dataset into.")
@_edge
def export(db_url, folder) -> None:
    """Write the store as files the readers read back as they were."""
    from dashboard.db.export import export_files

    for path in export_files(_engine(db_url), folder):
        click.echo(f"-> {path}")


# --db for the commands that otherwise read files (join, report, snapshot, animate) --------
DB_SOURCE = click.option(
    "--db", "db_url", metavar="URL",
    help="Read zones, milestones, incidents (and terms) from the team database instead of "
         "files, e.g. postgresql://zonewatch_reader@dbhost/zonewatch.")


@_edge
def db_dataset(db_url: str, zones, incidents, *, join: str = "memory"):
    """The store as a Dataset for a command given ``--db`` (``join="sql"``: the join
    columns computed by PostgreSQL)."""
    if zones or incidents:
        raise click.UsageError("--db replaces --zones and --incidents: give one or the other")
    from dashboard.db.read import load_db_dataset

    return load_db_dataset(db_url, join=join)


@_edge
def db_terms(db_url: str):
    """The terms in the store (None when none were imported)."""
    from dashboard.db.read import load_db_terms

    return load_db_terms(db_url)
