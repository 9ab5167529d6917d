"""``zonewatch dedupe``: likely duplicates across incident files, for scripts.

A thin edge over :mod:`dashboard.analysis.dedupe`: read each file as a source, link,
cluster, write one CSV row per link; the summary goes to stderr so the CSV can go to a
pipe. Data-layer errors become ``click.ClickException`` here.
"""

from __future__ import annotations

from pathlib import Path

import click

from dashboard.cli_options import incident_sources
from dashboard.core.errors import ZoneWatchError

OUTPUT_COLUMNS = ["cluster", "dataset_a", "id_a", "dataset_b", "id_b", "score", "clustered",
                  "reasons"]


def read_sources(paths: list[Path]):
    """The files' incidents in one frame, each source under its name (``NAME=FILE``, else
    the reader's dataset name)."""
    import pandas as pd

    from dashboard.analysis.dataset import concat_sources, source_name
    from dashboard.io import load_incidents

    frames = []
    for path in paths:
        frame, _ = load_incidents(path)
        if (name := source_name(path)) is not None:
            frame = frame.assign(dataset=pd.Categorical([name] * len(frame)))
        frames.append(frame)
    return concat_sources(frames)


def link_table(incidents, *, threshold: float, day_tolerance: int):
    """(the CSV's frame, the clusters of every row): ``cluster`` is
    ``sources.cluster_numbers``' id, the one ``zonewatch join`` writes for the same files
    and options (join links.csv to its output on ``cluster``); ``clustered`` says whether
    the link joins its two rows (a link skipped by the one-row-per-dataset rule does
    not)."""
    import numpy as np

    from dashboard.analysis.dedupe import cluster_ids, find_links
    from dashboard.analysis.sources import cluster_numbers

    links = find_links(incidents, threshold=threshold, day_tolerance=day_tolerance)
    clusters = cluster_ids(len(incidents), links, threshold=threshold)
    a, b = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
    out = links.assign(cluster=cluster_numbers(clusters, incidents)[a],
                       clustered=np.where(clusters[a] == clusters[b], "yes", "no"))
    return out[OUTPUT_COLUMNS], clusters


def summary(incidents, links, clusters) -> str:
    """Rows per source, links, clusters of two or more rows, and the rows each source
    shares with another."""
    import numpy as np
    import pandas as pd

    datasets = incidents["dataset"].astype(str)
    size = pd.Series(clusters).map(pd.Series(clusters).value_counts())
    shared = size.to_numpy() > 1
    lines = [f"{len(incidents):,} incidents in {datasets.nunique()} sources; {len(links):,} "
             f"likely duplicate links in {len(np.unique(clusters[shared])):,} clusters"]
    for name, rows in datasets.groupby(datasets, sort=False):
        lines.append(f"  {name}: {len(rows):,} incidents, {int(shared[rows.index].sum()):,} "
                     "also told by another source")
    return "\n".join(lines)


@click.command()
@click.option("--incidents", "paths", multiple=True, required=True, metavar="[NAME=]FILE",
              callback=incident_sources,
              help="Incident file, one per source: repeat it (NAME=FILE names a source, "
                   "e.g. --incidents ACLED=acled.csv; else the file's dataset name).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="CSV file of links: one row per link with its cluster, "
                                  "both datasets and ids, score and reasons.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.7, show_default=True,
              help="Lowest score of a link (0-1); lower it to list more candidates.")
@click.option("--day-tolerance", type=click.IntRange(0, 30), default=0, show_default=True,
              help="Days allowed between two reports' dates beyond their precision.")
def dedupe(paths: list[Path], output: Path, threshold: float, day_tolerance: int) -> None:
    """Link likely duplicates across incident files (never within one)."""
    try:
        incidents = read_sources(paths)
        links, clusters = link_table(incidents, threshold=threshold,
                                     day_tolerance=day_tolerance)
    except ZoneWatchError as err:
        raise click.ClickException(str(err)) from err
    if incidents["dataset"].nunique() < 2:
        click.echo("one source only: links are made across sources; give another "
                   "--incidents file", err=True)
    links.to_csv(output, index=False)
    click.echo(summary(incidents, links, clusters), err=True)
    click.echo(f"{len(links):,} links -> {output}", err=True)
