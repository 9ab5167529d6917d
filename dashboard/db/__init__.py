"""The team server's store: PostgreSQL + PostGIS, one curated dataset shared by many.

Files stay the zero-setup default; this package is imported only when a database URL is
given (``--db`` or ``ZONEWATCH_DATABASE_URL``) and needs the ``db`` extra
(``pip install 'zonewatch[db]'``: SQLAlchemy 2, psycopg 3, alembic).

* ``schema``: the migrations (alembic, shipped in ``migrations/``) and ``upgrade``.
* ``write``: ``import_files``: every file read and validated first, then one transaction.
* ``read``: ``load_db_dataset`` (the frames ``load_dataset`` gives) and ``data_revision``.
* ``sqljoin``: the temporal spatial join in SQL, to check against the in-memory one.
* ``export``: the store back to files the readers read.
"""
