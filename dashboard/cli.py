"""The ``zonewatch`` command: a thin edge over the data layer.

Errors from the data layer become ``click.ClickException`` here and nowhere else.
Dash is imported by ``serve`` only, so the other commands start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dashboard.errors import ZoneWatchError

_FILE = click.Path(path_type=Path, dir_okay=False)


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
@click.option("--role", type=click.Choice(["zones", "incidents", "milestones"]),
              help="What the files hold [default: guessed from their content].")
@click.option("--kind", type=click.Choice(["ucdp", "acled", "generic"]),
              help="Incident format [default: detected from the header].")
@click.option("--map", "maps", multiple=True, metavar="OURS=THEIRS",
              help="Map a column, e.g. --map date='Event Date' (repeatable).")
@click.option("--crs", help="CRS of x/y columns of a CSV that are not lon/lat, e.g. EPSG:32637.")
def validate(files, as_json, role, kind, maps, crs) -> None:
    """Report every problem in FILES. Exit 0 when clean, 1 when any has errors."""
    import json

    from dashboard.io import validate as validate_file

    options = {}
    if kind or maps or crs:
        options = {"kind": kind, "mapping": _mapping(maps) or None, "crs": crs}
        role = role or "incidents"
    reports = [validate_file(path, role=role, **options) for path in files]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            click.echo(report.to_text())
    sys.exit(0 if all(r.ok for r in reports) else 1)


def _dataset(zones, incidents, valid_only=False):
    from dashboard.dataset import load_dataset

    try:
        return load_dataset(zones, incidents, valid_only=valid_only, progress=True)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err


@cli.command()
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled Syria 2017 zones].")
@click.option("--incidents", type=_FILE,
              help="Incident file [default: the bundled UCDP GED Syria 2017-18 events].")
def info(zones, incidents) -> None:
    """Zones (versions, periods, statuses) and incidents (count, span, types)."""
    from dashboard.summary import describe

    click.echo(describe(_dataset(zones, incidents)))


@cli.command()
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones].")
@click.option("--incidents", type=_FILE, help="Incident file [default: the bundled incidents].")
@click.option("-o", "--output", type=_FILE, required=True,
              help="Output file: .csv, .geojson or .parquet.")
@click.option("--valid-only", is_flag=True,
              help="Load only valid rows; rejected rows go to FILE.rejected.csv beside the input.")
def join(zones, incidents, output, valid_only) -> None:
    """Each incident with the zone version in force on its date that contains it."""
    from dashboard.io.writers import write_incidents

    data = _dataset(zones, incidents, valid_only)
    try:
        write_incidents(data.incidents, output)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    inside = data.incidents["zone_id"].notna().sum()
    click.echo(f"{len(data.incidents)} incidents, {inside} inside a zone, "
               f"{int(data.incidents['ambiguous'].sum())} ambiguous -> {output}")


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
    from dashboard.io.writers import write_incidents
    from dashboard.synth import synthetic_incidents

    frame = synthetic_incidents(n, seed, start=start, end=end)
    try:
        write_incidents(frame, output)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    note = "" if "synthetic" in output.name.lower() else " (tip: put SYNTHETIC in the file name)"
    click.echo(f"{n} SYNTHETIC incidents (seed {seed}) -> {output}{note}")


@cli.command()
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones].")
@click.option("--incidents", type=_FILE, help="Incident file [default: the bundled incidents].")
@click.option("--milestones", type=_FILE, help="Milestone CSV [default: bundled, with bundled zones].")
@click.option("--host", help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [default: 8050].")
@click.option("--debug", is_flag=True, default=None, help="Dash debug mode (reloader, dev tools).")
def serve(zones, incidents, milestones, host, port, debug) -> None:
    """Run the dashboard on this machine (the bundled data when given no files)."""
    import logging

    from dashboard.app import create_app
    from dashboard.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = Settings.from_env(zones=zones, incidents=incidents, milestones=milestones,
                                     host=host, port=port, debug=debug)
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
@click.option("--before", "before_days", type=click.IntRange(1, 3650), default=90,
              show_default=True, help="Days in the window before the reference day.")
@click.option("--after", "after_days", type=click.IntRange(1, 3650), default=90,
              show_default=True, help="Days in the window from the reference day on.")
@click.option("--ring-km", type=click.FloatRange(0.1, 500), default=25.0, show_default=True,
              help="Width of the comparison ring outside the zone, in km.")
@click.option("--zones", type=_FILE, help="Zone file [default: the bundled zones].")
@click.option("--incidents", type=_FILE, help="Incident file [default: the bundled incidents].")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=_FILE, help="Write to this file [default: print].")
def report(zone_id, reference, before_days, after_days, ring_km, zones, incidents, fmt,
           output) -> None:
    """Did violence drop after the zone's ceasefire? Counts, rate ratios, trend, who, where."""
    from dashboard.report import RENDERERS
    from dashboard.stats import before_after
    from dashboard.viewdata import build_view_data

    data = _dataset(zones, incidents)
    view = build_view_data(data, "")
    try:
        analysis = before_after(view.index, view.zones, data.zone_index, data.milestones,
                                zone_id, reference=reference.date() if reference else None,
                                before_days=before_days, after_days=after_days, ring_km=ring_km)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    text = RENDERERS[fmt](analysis)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"report for {zone_id} -> {output}")
    else:
        click.echo(text, nl=False)
