"""A throwaway PostgreSQL cluster: initdb into a temp folder, started on a free port with
its unix socket in that folder (as the ``postgres`` system user when run as root:
PostgreSQL refuses root), stopped and removed by ``stop``. Plain Python, so that the
tests' fixture and benchmarks/bench_db.py share it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("ZONEWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
SUPERUSER = "postgres"


def missing() -> str | None:
    """Why a cluster cannot be started here (None: it can)."""
    if not (PG_BIN / "initdb").is_file():
        return (f"PostgreSQL 15 is not installed ({PG_BIN}/initdb is absent; "
                "apt-get install postgresql-15 postgresql-15-postgis-3)")
    if not POSTGIS_CONTROL.is_file():
        return "PostGIS 3 for PostgreSQL 15 is not installed (apt-get install postgresql-15-postgis-3)"
    return None


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

    @classmethod
    def start(cls, settings: tuple[str, ...] = ()) -> Cluster:
        """initdb (trust authentication, no fsync: throwaway data) and start."""
        folder = Path(tempfile.mkdtemp(prefix="zonewatch-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        os.chmod(folder, 0o755)
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-U",
                                     SUPERUSER, "--auth=trust", "--no-sync", "-E", "UTF8",
                                     "--locale=C"]),
                       check=True, capture_output=True, timeout=120)
        port = _free_port()
        options = " ".join([f"-p {port} -k {folder} -c listen_addresses=''", "-c fsync=off",
                            "-c synchronous_commit=off", "-c full_page_writes=off",
                            *(f"-c {s}" for s in settings)])
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-o",
                                     options, "-l", str(folder / "log"), "-w", "-t", "60",
                                     "start"]),
                       check=True, capture_output=True, timeout=90)
        return cls(folder, port)

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"),
                                     "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={self.folder}&port={self.port}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "psql"), "-h", str(self.folder), "-p",
                                     str(self.port), "-U", SUPERUSER, "-d", database,
                                     "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]),
                       check=True, capture_output=True, timeout=60)
