"""The ``zonewatch`` command: a thin edge over the data layer.

Errors from the data layer become ``click.ClickException`` here and nowhere else.
Dash is imported by ``serve`` only, so the other commands start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dashboard.analysis.windows import DEFAULT_AFTER, DEFAULT_BEFORE, DEFAULT_RING_KM, RING_KM, WINDOW_DAYS
from dashboard.cli_db import DB_SOURCE, db_dataset, db_terms
from dashboard.cli_db import db as db_commands
from dashboard.cli_dedupe import dedupe as dedupe_command
from dashboard.cli_options import incident_sources
from dashboard.core.errors import ZoneWatchError

_FILE = click.Path(path_type=Path, dir_okay=False)
_ENCODING = click.option(
    "--encoding", metavar="CODEC",
    help="Text encoding of the CSV/GeoJSON files given, e.g. utf-16 or cp1256 (Arabic Excel) "
         "[default: detected among UTF-8, UTF-16, cp1256 and cp1252].")


def _incident_files(ctx, param, values: tuple[str, ...]) -> list[Path] | None:
    """The files (None: the bundled incidents)."""
    return incident_sources(ctx, param, values) or None


def _incidents_option(default: str = "the bundled incidents"):
    """--incidents, repeatable: each file is a source (``NAME=FILE`` names it)."""
    return click.option(
        "--incidents", multiple=True, metavar="[NAME=]FILE", callback=_incident_files,
        help="Incident file; repeat it for several sources, each shown under its name "
             "(NAME=FILE names one, e.g. --incidents ACLED=acled.csv; else the file's "
             f"dataset name) [default: {default}].")


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours or not theirs:
            raise click.BadParameter(f"{pair!r} is not OURS=THEIRS, e.g. date=Event Date",
                                     param_hint="--map")
        out[ours.strip()] = theirs.strip()
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zonewatch")
def cli() -> None:
    """ZoneWatch: ceasefire and de-escalation zone monitoring.

    Run 'zonewatch COMMAND --help' for each command's options.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option("--role", type=click.Choice(["zones", "incidents", "milestones", "terms"]),
              help="What the files hold [default: guessed from their content].")
@click.option("--kind", type=click.Choice(["ucdp", "acled", "generic"]),
              help="Incident format [default: detected from the header].")
@click.option("--map", "maps", multiple=True, metavar="OURS=THEIRS",
              help="Map a column, e.g. --map date='Event Date' (repeatable).")
@click.option("--crs", help="CRS of x/y columns of a CSV that are not lon/lat, e.g. EPSG:32637.")
@_ENCODING
def validate(files, as_json, role, kind, maps, crs, encoding) -> None:
    """Report every problem in FILES. Exit 0 when clean, 1 when any has errors."""
    import json

    from dashboard.io import validate as validate_file

    options = {"encoding": encoding} if encoding else {}
    if kind or maps or crs:
        options |= {"kind": kind, "mapping": _mapping(maps) or None, "crs": crs}
        role = role or "incidents"
    reports = [validate_file(path, role=role, **options) for path in files]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            click.echo(report.to_text())
    sys.exit(0 if all(r.ok for r in reports) else 1)


def _dataset(zones, incidents, valid_only=False, encoding=None, db_url=None, join="memory"):
    from dashboard.analysis.dataset import load_dataset

    if db_url:
        return db_dataset(db_url, zones, incidents, join=join)

    try:
        return load_dataset(zones, incidents, valid_only=valid_only, progress=True,
                            encoding=encoding)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err


@cli.command()
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled Syria 2017 zones].")
@_incidents_option("the bundled UCDP GED Syria 2017-18 events and the reported events")
@_ENCODING
def info(zones, incidents, encoding) -> None:
    """Zones (versions, periods, statuses) and incidents (count, span, types)."""
    from dashboard.analysis.describe import describe

    click.echo(describe(_dataset(zones, incidents, encoding=encoding)))


@cli.command()
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones].")
@_incidents_option()
@click.option("-o", "--output", type=_FILE, required=True,
              help="Output file: .csv, .geojson or .parquet.")
@click.option("--valid-only", is_flag=True,
              help="Load only valid rows; rejected rows go to FILE.rejected.csv beside the input.")
@click.option("--terms", "terms_file", metavar="FILE|bundled",
              help="Agreement terms (JSON), or 'bundled' for the Astana zones' terms: adds "
                   "classification, classification_reason and agreement_id columns "
                   "[default: no classification].")
@_ENCODING
@DB_SOURCE
def join(zones, incidents, output, valid_only, terms_file, encoding, db_url) -> None:
    """Each incident with the zone version in force on its date that contains it (with
    --db: the join runs in PostgreSQL). Several sources add ``cluster``: the id
    ``zonewatch dedupe`` writes for the same files (``sources.cluster_numbers``)."""
    from dashboard.analysis.sources import with_cluster_numbers
    from dashboard.io.writers import write_incidents

    data = _dataset(zones, incidents, valid_only, encoding, db_url=db_url, join="sql")
    joined = with_cluster_numbers(data.incidents)
    try:
        if terms_file:
            joined = _classified(joined, terms_file, data.zones["zone_id"].unique())
        write_incidents(joined, output)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    inside = joined["zone_id"].notna().sum()
    click.echo(f"{len(joined)} incidents, {inside} inside a zone, "
               f"{int(joined['ambiguous'].sum())} ambiguous -> {output}")


def _classified(incidents, terms_file: str, zone_ids):
    """``incidents`` with the classification columns of the terms in ``terms_file``
    ('bundled': the Astana zones' terms); warnings about the file go to stderr."""
    import pandas as pd

    from dashboard.analysis.classify import class_counts, classify
    from dashboard.core.errors import TermsFileError
    from dashboard.core.paths import geodata_dir
    from dashboard.io.terms_file import BUNDLED_TERMS, read_terms

    path = geodata_dir() / BUNDLED_TERMS if terms_file == "bundled" else Path(terms_file)
    if not path.is_file():
        raise click.ClickException(f"{path}: no such terms file; give a JSON terms file or "
                                   "'bundled'")
    terms, report = read_terms(path, zone_ids)
    for message in report.messages("warning"):
        click.echo(f"warning: {message}", err=True)
    report.raise_for_errors(TermsFileError)
    classified = classify(incidents, terms)
    counts = ", ".join(f"{k} {v}" for k, v in class_counts(classified).items())
    click.echo(f"classified under {path.name}: {counts}", err=True)
    return pd.concat([incidents, classified], axis=1)


@cli.command()
@click.argument("place")
@click.option("--limit", type=int, default=5, show_default=True, help="How many matches.")
def geocode(place, limit) -> None:
    """Look PLACE up in the bundled Syria gazetteer (GeoNames, CC BY 4.0)."""
    from dashboard.io.gazetteer import geocode as lookup

    matches = lookup(place, limit=limit)
    if not matches:
        raise click.ClickException(f"no place like {place!r} in the gazetteer; try another "
                                   "spelling or give coordinates")
    for m in matches:
        click.echo(f"{m.name}\t{m.lat:.5f}\t{m.lon:.5f}\tmatched '{m.matched_name}'"
                   f"\tscore {m.score:.2f}\tGeoNames {m.geonameid}")


@cli.command()
@click.option("--n", "n", type=click.IntRange(1, 20_000_000), default=10_000, show_default=True,
              help="Number of incidents.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--start", default="2017-01-01", show_default=True, help="First day.")
@click.option("--end", default="2018-12-31", show_default=True, help="Last day.")
@click.option("-o", "--output", type=_FILE, required=True,
              help="Output file (.csv, .geojson, .parquet); put SYNTHETIC in its name.")
def synth(n, seed, start, end, output) -> None:
    """Seeded SYNTHETIC incidents for demos and benchmarks (labelled in every row)."""
    from dashboard.core.progress import Steps
    from dashboard.io.synth import synthetic_incidents
    from dashboard.io.writers import write_incidents

    steps = Steps(True, 2)
    frame = synthetic_incidents(n, seed, start=start, end=end)
    steps.done("generated")
    try:
        write_incidents(frame, output)
        steps.done(f"wrote {output.name}")
        steps.close()
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    note = "" if "synthetic" in output.name.lower() else " (tip: put SYNTHETIC in the file name)"
    click.echo(f"{n} SYNTHETIC incidents (seed {seed}) -> {output}{note}")


@cli.command()
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones].")
@_incidents_option()
@click.option("--milestones", type=_FILE, help="Milestone CSV [default: bundled, with bundled zones].")
@click.option("--host", help="Address to listen on [default: 127.0.0.1]. Keep it on loopback: to "
              "share the dashboard, run gunicorn behind nginx with deploy/gunicorn.conf.py and "
              "deploy/nginx.conf (README, Deployment), never 0.0.0.0 without that proxy.")
@click.option("--port", type=int, help="Port to listen on [default: 8050].")
@click.option("--debug", is_flag=True, default=None, help="Dash debug mode (reloader, dev tools).")
@click.option("--terms", metavar="FILE|bundled|none",
              help="Agreement terms (JSON) to classify incidents by (map colour, Class filter, "
                   "Terms tab) [default: the bundled terms with the bundled zones, none with "
                   "your own zones].")
@click.option("--db", "database_url", metavar="URL",
              help="Serve the team database (PostgreSQL + PostGIS) instead of files, e.g. "
                   "postgresql://zonewatch_reader@dbhost/zonewatch (a read-only role); "
                   "changes show at the next page load [default: ZONEWATCH_DATABASE_URL].")
def serve(zones, incidents, milestones, host, port, debug, terms, database_url) -> None:
    """Run the dashboard on this machine (the bundled data when given no files).

    This is a one-user server. For a team, see deploy/: gunicorn's threaded workers
    on 127.0.0.1 behind nginx, which holds slow clients so that they block no one.
    """
    import logging

    from dashboard.app import create_app
    from dashboard.core.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = Settings.from_env(zones=zones, incidents=incidents, milestones=milestones,
                                     host=host, port=port, debug=debug, terms=terms,
                                     database_url=database_url)
        app = create_app(settings)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"ZoneWatch is running at http://{settings.host}:{settings.port}/ "
               "(Ctrl+C to stop)")
    app.run(host=settings.host, port=settings.port, debug=settings.debug)


@cli.command()
@click.option("--zone", "zone_id", required=True, help="Zone id, e.g. homs-north.")
@click.option("--date", "reference", type=click.DateTime(["%Y-%m-%d"]),
              help="Reference day [default: the zone's 'in effect' milestone].")
@click.option("--before", "before_days", type=click.IntRange(*WINDOW_DAYS), default=DEFAULT_BEFORE,
              show_default=True, help="Days in the window before the reference day.")
@click.option("--after", "after_days", type=click.IntRange(*WINDOW_DAYS), default=DEFAULT_AFTER,
              show_default=True, help="Days in the window from the reference day on.")
@click.option("--ring-km", type=click.FloatRange(*RING_KM), default=DEFAULT_RING_KM, show_default=True,
              help="Width of the comparison ring outside the zone, in km.")
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones].")
@_incidents_option()
@click.option("--non-violent", "non_violent", multiple=True, metavar="TYPE",
              help="Another event type to leave out of the counts of violence (repeatable); "
                   "aid convoys, checkpoints, evacuations, agreements, observer deployments, "
                   "protests and strategic developments always are.")
@click.option("--terms", "terms_file", metavar="FILE|bundled|db",
              help="Agreement terms (JSON): count violations apart from all violence, name the "
                   "exemptions, give each commitment's status; 'bundled' for the terms of the "
                   "bundled zones (only with them); 'db' for the terms in the --db store.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=_FILE, help="Write to this file [default: print].")
@DB_SOURCE
def report(zone_id, reference, before_days, after_days, ring_km, zones, incidents, non_violent,
           terms_file, fmt, output, db_url) -> None:
    """Did violence drop after the zone's ceasefire? Counts, rate ratios, trend, who, where;
    with --terms, violations and commitments too."""
    from dashboard.analysis.ceasefire import before_after
    from dashboard.analysis.viewdata import build_view_data
    from dashboard.export.ceasefire_report import RENDERERS

    data = _dataset(zones, incidents, db_url=db_url)
    view = build_view_data(data, "")
    try:
        terms = (db_terms(db_url) if db_url and terms_file == "db"
                 else _terms(terms_file, zones, view.zones["zone_id"]))
        once = view.index.counts_once(view.default)  # several sources: each event once
        analysis = before_after(view.index, view.zones, data.zone_index, data.milestones,
                                zone_id, reference=reference.date() if reference else None,
                                before_days=before_days, after_days=after_days, ring_km=ring_km,
                                non_violent=frozenset(non_violent), terms=terms,
                                positions=view.index.select(view.default, ignore_window=True),
                                filters={"Duplicates across sources": "counted once"} if once
                                else None)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    text = RENDERERS[fmt](analysis)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"report for {zone_id} -> {output}")
    else:
        click.echo(text, nl=False)


def _terms(terms_file: str | None, zones: Path | None, zone_ids):
    """The terms --terms names: None without it; 'bundled' (only with the bundled zones,
    whose ids its agreements name) is the file beside them in geodata/."""
    from dashboard.core.paths import geodata_dir
    from dashboard.io.terms_file import BUNDLED_TERMS, load_terms

    if not terms_file:
        return None
    if terms_file == "bundled":
        if zones is not None:
            raise click.BadParameter("the bundled terms name the bundled zones; with --zones, "
                                     "give a terms file for your zones", param_hint="--terms")
        return load_terms(geodata_dir() / BUNDLED_TERMS, set(zone_ids))
    path = Path(terms_file)
    if not path.is_file():
        raise click.BadParameter(f"no file {terms_file!r}; give a terms JSON file or 'bundled'",
                                 param_hint="--terms")
    return load_terms(path, set(zone_ids))


# Briefing images ---------------------------------------------------------------------------
def _view_state(state_text: str | None, zones, incidents, terms: str | None = None,
                db_url: str | None = None):
    """The data and the view a copied dashboard URL (or its query string) describes;
    no text: the dashboard's opening view. Terms as the dashboard takes them (--terms,
    else ZONEWATCH_TERMS, else the bundled ones with the bundled zones)."""
    from urllib.parse import urlsplit

    from dashboard.analysis.viewdata import build_view_data
    from dashboard.analysis.viewstate import decode
    from dashboard.core.settings import Settings
    from dashboard.io.terms_file import load_terms
    from dashboard.server.datastore import terms_file

    text = (state_text or "").strip()
    parts = urlsplit(text)
    query = parts.query if (parts.scheme or parts.netloc or "?" in text) else text
    data = _dataset(zones, incidents, db_url=db_url)
    try:
        path = None if db_url and terms is None else terms_file(
            Settings.from_env(zones=zones, terms=terms))
        loaded = (db_terms(db_url) if db_url and terms is None  # the store's own terms
                  else load_terms(path, set(data.zones["zone_id"])) if path else None)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    view = build_view_data(data, "", terms=loaded)
    decoded = decode(query, view.default)
    for problem in decoded.problems:
        click.echo(f"warning: {problem}", err=True)
    link = text if parts.scheme else f"?{query.lstrip('?')}" if query else None
    return view, decoded.state, link


def _briefing_options(command):
    """--state, --zones, --incidents, --title and the panel switches, shared by both commands."""
    for option in reversed([
        click.option("--state", "state_text", metavar="URL|QUERY",
                     help="A copied dashboard link, or just its query string "
                          "(e.g. '?zone=homs-north&from=2017-05-01&to=2018-05-14') "
                          "[default: the dashboard's opening view]."),
        click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones]."),
        _incidents_option(),
        DB_SOURCE,
        click.option("--title", help="Title on the image [default: from the zone and filters]."),
        click.option("--histogram/--no-histogram", default=True, show_default=True,
                     help="Show the weekly histogram strip under the map."),
        click.option("--numbers/--no-numbers", default=False, show_default=True,
                     help="Show the zone panel's before/after numbers beside the map."),
        click.option("--terms", metavar="FILE|bundled|none",
                     help="Agreement terms (JSON): the class filter and the terms summary "
                          "beside the numbers [default: the bundled terms with the bundled "
                          "zones, none with your own zones]."),
    ]):
        command = option(command)
    return command


@cli.command()
@_briefing_options
@click.option("-o", "--output", type=_FILE, required=True, help="Image file: .png, .svg or .pdf.")
@click.option("--size", default="16:9", show_default=True,
              help="16:9 (a 1920x1080 slide; PNG at 2x: 3840x2160 px), a4 (landscape) or "
                   "WIDTHxHEIGHT in pixels.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]),
              help="Image format [default: from the output file's suffix, else png].")
def snapshot(state_text, zones, incidents, db_url, title, histogram, numbers, terms, output,
             size, fmt) -> None:
    """A slide-ready briefing image of one dashboard view (the app's Export button)."""
    from dashboard.export import parse_size
    from dashboard.export import snapshot as make_snapshot

    fmt = fmt or (output.suffix.lower().lstrip(".") if output.suffix.lower() in
                  (".png", ".svg", ".pdf") else "png")
    view, state, link = _view_state(state_text, zones, incidents, terms, db_url)
    try:
        page = parse_size(size)
        data = make_snapshot(view, state, fmt=fmt, size=page, title=title, link=link,
                             include_histogram=histogram, include_numbers=numbers)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    output.write_bytes(data)
    width, height = page.pixels(fmt)
    unit = "pt" if fmt == "pdf" else "px"
    if fmt == "pdf":
        width, height = round(width * 0.75), round(height * 0.75)
    click.echo(f"{fmt.upper()} {width}x{height} {unit} -> {output}")


@cli.command()
@_briefing_options
@click.option("-o", "--output", type=_FILE, required=True, help="Animated GIF file (.gif).")
@click.option("--step", type=click.Choice(["day", "week", "month"]),
              help="How far the window moves per frame [default: the link's step, else week].")
@click.option("--window-days", type=click.IntRange(1, 3650),
              help="Days in each frame's window, ignored with --cumulative [default: the "
                   "link's window, else 30].")
@click.option("--cumulative/--sliding", default=None,
              help="Grow the window from the start date instead of sliding it [default: the "
                   "link's mode, else sliding].")
@click.option("--frames", "max_frames", type=click.IntRange(2, 500), default=60,
              show_default=True, help="At most this many frames (the step widens to fit).")
@click.option("--delay", type=click.IntRange(50, 10_000), default=700, show_default=True,
              help="Milliseconds each frame is shown.")
@click.option("--size", default="1280x720", show_default=True,
              help="Frame size: WIDTHxHEIGHT in pixels, 16:9 or a4.")
def animate(state_text, zones, incidents, db_url, title, histogram, numbers, terms, output,
            step, window_days, cumulative, max_frames, delay, size) -> None:
    """The playback as an animated GIF: the window moves by STEP, the date on every frame."""
    from dashboard.export.animation import animate_gif, frame_size, frame_states

    view, state, link = _view_state(state_text, zones, incidents, terms, db_url)
    try:
        states = frame_states(view, state, step=step, window_days=window_days,
                              cumulative=cumulative, max_frames=max_frames)
        page = frame_size(size)
        with click.progressbar(length=len(states), label="rendering frames",
                               file=sys.stderr) as bar:
            data = animate_gif(view, states, size=page, title=title, link=link, delay_ms=delay,
                               include_histogram=histogram, include_numbers=numbers,
                               progress=bar.update)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    output.write_bytes(data)
    click.echo(f"GIF, {len(states)} frames of {page.pixels()[0]}x{page.pixels()[1]} px "
               f"-> {output}")


cli.add_command(db_commands)  # zonewatch db init|import|export|status
cli.add_command(dedupe_command)  # zonewatch dedupe --incidents a.csv --incidents b.csv
