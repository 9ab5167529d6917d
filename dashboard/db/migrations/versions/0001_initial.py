"""The first schema: zones through time, milestones, terms, incidents, imports, revision.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written as SQL: every constraint, index and trigger is read here as PostgreSQL runs it.
UPGRADE = r"""
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- One row per `zonewatch db import` (and per migration-free write tool that wants one).
CREATE TABLE import_runs (
    id          serial PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    by_role     text NOT NULL DEFAULT current_user,
    files       jsonb NOT NULL DEFAULT '[]',   -- [{"role", "path", "rows"}]
    summary     jsonb NOT NULL DEFAULT '{}'    -- {"dataset": {"inserted", "updated", "deleted", ...}}
);

-- The data revision: one row, bumped by every statement that changes the data (imports,
-- QGIS edits, hand-written SQL) through the triggers below, which also NOTIFY 'zonewatch'.
CREATE TABLE data_revision (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    revision   bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_revision DEFAULT VALUES;

CREATE FUNCTION zonewatch_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
BEGIN
    UPDATE data_revision SET revision = revision + 1, changed_at = now() RETURNING revision INTO r;
    PERFORM pg_notify('zonewatch', r::text);
    RETURN NULL;
END $$;

-- A zone's identity; its shape and status through time live in zone_versions.
CREATE TABLE zones (
    zone_id  text PRIMARY KEY CHECK (zone_id <> ''),
    position integer NOT NULL DEFAULT 0          -- order of first appearance in the file
);

CREATE TABLE zone_versions (
    id                 serial PRIMARY KEY,
    zone_id            text NOT NULL REFERENCES zones ON UPDATE CASCADE ON DELETE CASCADE,
    version            integer NOT NULL,
    -- Days in force, '[valid_from, valid_to]' as written (PostgreSQL stores '[from, to+1)');
    -- an unbounded end is "since always" / "still in force".
    validity           daterange NOT NULL CHECK (NOT isempty(validity)),
    name               text,
    status             text,
    boundary_precision text,
    source             text,
    notes              text,
    extra              jsonb NOT NULL DEFAULT '{}',  -- the file's other properties
    position           integer NOT NULL DEFAULT 0,   -- row order in the zone frame
    geom               geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    import_run         integer REFERENCES import_runs,
    UNIQUE (zone_id, version),
    CONSTRAINT zone_versions_no_overlap EXCLUDE USING gist (zone_id WITH =, validity WITH &&)
);
CREATE INDEX zone_versions_geom ON zone_versions USING gist (geom);

CREATE TABLE milestones (
    id         serial PRIMARY KEY,
    position   integer NOT NULL DEFAULT 0,
    zone_id    text,              -- NULL: the whole framework (no foreign key: files may name others)
    "timestamp" text NOT NULL,    -- as written, with a time of day or offset if given
    date       date NOT NULL,
    kind       text NOT NULL,
    text       text,
    source     text,
    import_run integer REFERENCES import_runs
);

-- Agreement terms: one JSON document per terms file (see dashboard/io/terms_file.py for
-- the format). Kept whole, as jsonb: it is nested, a few kilobytes, always read whole and
-- checked by the same reader as the file, and exported back unchanged.
CREATE TABLE terms (
    name       text PRIMARY KEY DEFAULT 'terms',
    document   jsonb NOT NULL,
    file_name  text,
    import_run integer REFERENCES import_runs
);

-- Incident sources ("UCDP GED", "ACLED", a file name): their order and their columns.
CREATE TABLE datasets (
    dataset  text PRIMARY KEY,
    position integer NOT NULL DEFAULT 0,
    columns  jsonb NOT NULL DEFAULT '[]'   -- [[name, pandas dtype], ...] of the frame as read
);

-- How a zone or milestone frame's columns were typed when read (read-back casts to them).
CREATE TABLE frame_columns (
    frame   text PRIMARY KEY,
    columns jsonb NOT NULL
);

CREATE TABLE incidents (
    id             bigserial PRIMARY KEY,
    dataset        text NOT NULL REFERENCES datasets ON UPDATE CASCADE,
    source_id      text NOT NULL,        -- the file's incident_id
    ordinal        integer NOT NULL,     -- row order in the latest import of its dataset
    date           date NOT NULL,
    date_end       date,
    date_precision text,
    lon            double precision,
    lat            double precision,
    place          text,
    admin1         text,
    admin2         text,
    loc_precision  text,
    precision_km   double precision,
    event_type     text,
    sub_type       text,
    actor1         text,
    actor2         text,
    fatalities     double precision,
    source         text,
    notes          text,
    extra          jsonb NOT NULL DEFAULT '{}',   -- the file's other columns
    geom           geometry(Point, 4326)
                   GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    import_run     integer NOT NULL REFERENCES import_runs,  -- the run that last changed the row
    deleted_at     timestamptz,                              -- gone from its dataset's latest import
    deleted_in_run integer REFERENCES import_runs,
    UNIQUE (dataset, source_id)
);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_date ON incidents (date);
CREATE INDEX incidents_live ON incidents (dataset, ordinal) WHERE deleted_at IS NULL;

CREATE TRIGGER zones_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zones
    FOR EACH STATEMENT EXECUTE FUNCTION zonewatch_bump_revision();
CREATE TRIGGER zone_versions_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zone_versions
    FOR EACH STATEMENT EXECUTE FUNCTION zonewatch_bump_revision();
CREATE TRIGGER milestones_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON milestones
    FOR EACH STATEMENT EXECUTE FUNCTION zonewatch_bump_revision();
CREATE TRIGGER terms_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON terms
    FOR EACH STATEMENT EXECUTE FUNCTION zonewatch_bump_revision();
CREATE TRIGGER incidents_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION zonewatch_bump_revision();
"""

DOWNGRADE = """
DROP TABLE IF EXISTS incidents, frame_columns, datasets, terms, milestones, zone_versions,
    zones, data_revision, import_runs CASCADE;
DROP FUNCTION IF EXISTS zonewatch_bump_revision();
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
