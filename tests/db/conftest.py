"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for the session: initdb into a temp
folder, started on a free port with its socket in that folder (as the ``postgres``
system user when the tests run as root: PostgreSQL refuses root), removed at the end.
Skipped, with the reason, only where the PostgreSQL binaries or PostGIS are absent."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the db extra is not installed (pip install -e '.[db]')")
pytest.importorskip("psycopg", reason="the db extra is not installed (pip install -e '.[db]')")

PG_BIN = Path(os.environ.get("ZONEWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
SUPERUSER = "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """A running cluster; ``url(db, user)`` for a database in it."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={self.folder}&port={self.port}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "psql"), "-h", str(self.folder), "-p",
                                     str(self.port), "-U", SUPERUSER, "-d", database,
                                     "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]),
                       check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").is_file():
        pytest.skip(f"PostgreSQL 15 is not installed ({PG_BIN}/initdb is absent; "
                    "apt-get install postgresql-15 postgresql-15-postgis-3)")
    if not POSTGIS_CONTROL.is_file():
        pytest.skip("PostGIS 3 for PostgreSQL 15 is not installed "
                    "(apt-get install postgresql-15-postgis-3)")
    folder = Path(tempfile.mkdtemp(prefix="zonewatch-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o755)
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", SUPERUSER,
                                 "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]),
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    options = (f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                 str(folder / "log"), "-w", "-t", "60", "start"]),
                   check=True, capture_output=True, timeout=90)
    try:
        yield Cluster(folder, port)
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                     "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def db_url(pg_cluster: Cluster) -> str:
    """A fresh, empty database (no schema yet) in the session's cluster."""
    name = f"zw_{uuid.uuid4().hex[:10]}"
    pg_cluster.psql(f"CREATE DATABASE {name}")
    return pg_cluster.url(name)


@pytest.fixture
def db_engine(db_url: str):
    """An engine on a fresh database with the schema applied."""
    from dashboard.db.engine import make_engine
    from dashboard.db.schema import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bundled_store(pg_cluster: Cluster):
    """One database holding the bundled files (zones, both incident files, milestones,
    terms), imported once for the tests that only read it."""
    from dashboard.analysis.dataset import bundled_files
    from dashboard.core.paths import geodata_dir
    from dashboard.db.engine import make_engine
    from dashboard.db.schema import upgrade
    from dashboard.db.write import import_plan, plan_import
    from dashboard.io.terms_file import BUNDLED_TERMS

    pg_cluster.psql("CREATE DATABASE zw_bundled")
    engine = make_engine(pg_cluster.url("zw_bundled"))
    upgrade(engine)
    files = bundled_files()
    import_plan(engine, plan_import(zones=files["zones"][0], incidents=files["incidents"],
                                    milestones=files["milestones"][0],
                                    terms=geodata_dir() / BUNDLED_TERMS))
    yield engine
    engine.dispose()
