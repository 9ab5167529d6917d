"""The schema: alembic migrations shipped in this package, run without an alembic.ini,
and the two roles a team server uses."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
READER_ROLE = "zonewatch_reader"
WRITER_ROLE = "zonewatch_writer"
TABLES = ("import_runs", "data_revision", "zones", "zone_versions", "milestones", "terms",
          "datasets", "frame_columns", "incidents")


def _config(connection: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, target: str = "head") -> str | None:
    """Bring the schema to ``target`` (creating PostGIS and btree_gist if absent: that
    first run needs a role allowed to create extensions). Returns the new revision."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_config(connection), target)
    return schema_revision(engine)


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at (None: not initialised)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with this code."""
    from alembic.script import ScriptDirectory

    with_config = _config(None)  # type: ignore[arg-type]
    return ScriptDirectory.from_config(with_config).get_current_head() or ""


def create_roles(engine: Engine, reader: str = READER_ROLE, writer: str = WRITER_ROLE) -> None:
    """A read-only role for the web process and a writer for imports and QGIS (both may
    log in; give them passwords with ALTER ROLE ... PASSWORD, or use peer authentication).
    Run as the database's owner or a superuser, after ``upgrade``. Safe to run again."""
    with engine.begin() as connection:
        for role in (reader, writer):
            exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                        {"r": role}).first()
            if not exists:
                connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        for sql in grants_sql(reader, writer, database):
            connection.execute(text(sql))


def grants_sql(reader: str, writer: str, database: str) -> list[str]:
    """The GRANTs that make ``reader`` read-only and ``writer`` able to import and edit."""
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO "{reader}", "{writer}"',
        f'GRANT USAGE ON SCHEMA public TO "{reader}", "{writer}"',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{reader}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{writer}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{writer}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM "{reader}"',
    ]
