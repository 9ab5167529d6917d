"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for the session: initdb into a temp
folder, started on a free port with its socket in that folder (as the ``postgres``
system user when the tests run as root: PostgreSQL refuses root), removed at the end.
Skipped, with the reason, only where the PostgreSQL binaries or PostGIS are absent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.db.pgcluster import Cluster, missing

pytest.importorskip("sqlalchemy", reason="the db extra is not installed (pip install -e '.[db]')")
pytest.importorskip("psycopg", reason="the db extra is not installed (pip install -e '.[db]')")

@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if (reason := missing()) is not None:
        pytest.skip(reason)
    cluster = Cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


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
