"""Connecting: a URL from the option or ``ZONEWATCH_DATABASE_URL``, made psycopg 3's."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from dashboard.core.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

ENV = "ZONEWATCH_DATABASE_URL"


def database_url(url: str | None = None) -> str:
    """``url``, else ``ZONEWATCH_DATABASE_URL``; ``postgresql://`` gets the psycopg 3
    driver (SQLAlchemy would otherwise look for psycopg2)."""
    url = url or os.environ.get(ENV)
    if not url:
        raise ConfigError(f"no database given; pass --db postgresql://USER@HOST/DB or set {ENV}")
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for the store. Raises ``ConfigError`` naming the missing extra when
    SQLAlchemy or psycopg is not installed."""
    try:
        import psycopg  # noqa: F401
        from sqlalchemy import create_engine
    except ImportError as err:
        raise ConfigError(f"the database needs the 'db' extra ({err.name} is missing); "
                          "install it with pip install 'zonewatch[db]'") from err
    return create_engine(database_url(url), pool_pre_ping=True)
