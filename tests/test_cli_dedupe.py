"""``zonewatch dedupe``: one CSV row per link across the files given, a summary on stderr."""

from __future__ import annotations

import io

import pandas as pd
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.cli_dedupe import OUTPUT_COLUMNS

HEADER = "incident_id,date,lon,lat,loc_precision,event_type,actor1,actor2,fatalities\n"


def write_sources(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text(HEADER
                 + "a1,2017-08-03,36.7300,34.8400,exact,Airstrike,Government of Syria,,4\n"
                 + "a2,2017-08-03,36.7300,34.8400,exact,Aid convoy,,,0\n"
                 + "a3,2017-09-01,37.1000,36.2000,exact,Shelling,IS,,1\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(HEADER
                 + "b1,2017-08-03,36.7310,34.8450,exact,Air/drone strike,SAA,,5\n"
                 + "b2,2017-08-10,36.7300,34.8400,exact,Airstrike,Government of Syria,,4\n",
                 encoding="utf-8")
    return a, b


def test_dedupe_writes_one_row_per_link_and_a_summary(tmp_path):
    a, b = write_sources(tmp_path)
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--incidents", f"Field={a}", "--incidents",
                                      f"Wire={b}", "-o", str(out)])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(out)
    assert list(links.columns) == OUTPUT_COLUMNS
    assert links[["cluster", "dataset_a", "id_a", "dataset_b", "id_b", "clustered"]
                 ].values.tolist() == [[1, "Field", "a1", "Wire", "b1", "yes"]]
    assert links["reasons"][0].startswith("same day; 0.6 km apart (both radii 2 km); "
                                          "both airstrikes; actors agree (Government of Syria)")
    assert "5 incidents in 2 sources; 1 likely duplicate links in 1 clusters" in result.stderr
    assert "Field: 3 incidents, 1 also told by another source" in result.stderr


def test_dedupe_threshold_and_tolerance_admit_more(tmp_path):
    a, b = write_sources(tmp_path)
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--incidents", str(a), "--incidents", str(b),
                                      "-o", str(out), "--threshold", "0.95"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).empty
    result = CliRunner().invoke(cli, ["dedupe", "--incidents", str(a), "--incidents", str(b),
                                      "-o", str(out), "--day-tolerance", "7"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["id_b"].tolist() == ["b1"]  # b2 is a1's second best


def test_dedupe_names_a_missing_file_and_one_source_is_said(tmp_path):
    a, _ = write_sources(tmp_path)
    missing = CliRunner().invoke(cli, ["dedupe", "--incidents", str(tmp_path / "no.csv"),
                                       "-o", str(tmp_path / "x.csv")])
    assert missing.exit_code == 2
    assert "no file" in missing.output and "Fix:" in missing.output
    alone = CliRunner().invoke(cli, ["dedupe", "--incidents", str(a),
                                     "-o", str(tmp_path / "x.csv")])
    assert alone.exit_code == 0, alone.output
    assert "one source only" in alone.stderr


def run(args: list[str]):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result


def sides(links: pd.DataFrame) -> dict[int, set[tuple[str, str]]]:
    """Cluster id -> the (dataset, incident_id) rows the links put in it."""
    out: dict[int, set[tuple[str, str]]] = {}
    for row in links.itertuples():
        out.setdefault(int(row.cluster), set()).update(
            {(row.dataset_a, str(row.id_a)), (row.dataset_b, str(row.id_b))})
    return out


def test_dedupe_and_join_and_the_export_write_one_cluster_id(tmp_path, zone_file):
    """links.csv joins the joined incidents on ``cluster``: each link's cluster holds its
    two rows there, whatever order the files are given in, and the Sources tab's export
    of the same files writes the same ids."""
    from dashboard.analysis.dataset import assemble_dataset, load_dataset, source_path
    from dashboard.app.callbacks.sources import export_view
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    a, b = write_sources(tmp_path)
    # a second link: its cluster is not the first row of either file
    b.write_text(b.read_text(encoding="utf-8")
                 + "b3,2017-09-01,37.1000,36.2000,exact,Shelling,IS,,1\n", encoding="utf-8")
    files = [f"Field={a}", f"Wire={b}"]
    ids_by_order = []
    for order in (files, files[::-1]):
        opts = [x for f in order for x in ("--incidents", f)]
        run(["dedupe", *opts, "-o", str(tmp_path / "links.csv")])
        run(["join", "--zones", str(zone_file), *opts, "-o", str(tmp_path / "joined.csv")])
        links = pd.read_csv(tmp_path / "links.csv")
        joined = pd.read_csv(tmp_path / "joined.csv", dtype={"incident_id": str})
        assert len(links) == 2
        rows = {c: set(zip(g["dataset"], g["incident_id"], strict=True))
                for c, g in joined.groupby("cluster")}
        assert {c: rows[c] for c in sides(links)} == sides(links)  # joined on cluster
        ids_by_order.append(sorted(zip(joined["dataset"], joined["incident_id"],
                                       joined["cluster"], strict=True)))
    assert ids_by_order[0] == ids_by_order[1]  # the files' order changes no id
    data = load_dataset(zone_file, [source_path(f) for f in files])
    store = DataStore.from_dataset(assemble_dataset(data.zones, data.incidents,
                                                    data.milestones, []),
                                   Settings(session_dir=tmp_path / "s"), "two")
    exported = pd.read_csv(io.StringIO(export_view(store, None)["content"]))
    assert sides(exported) == sides(links)



def test_the_incidents_table_download_writes_the_same_cluster_ids_as_join(tmp_path, zone_file):
    """The table's CSV (a filtered part of the data) numbers clusters over all of it, so
    its ids are join's, not row positions."""
    from dashboard.analysis.dataset import assemble_dataset, load_dataset, source_path
    from dashboard.app.callbacks.table import export_frame
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    a, b = write_sources(tmp_path)
    files = [f"Field={a}", f"Wire={b}"]
    run(["join", "--zones", str(zone_file), *[x for f in files for x in ("--incidents", f)],
         "-o", str(tmp_path / "joined.csv")])
    joined = pd.read_csv(tmp_path / "joined.csv", dtype={"incident_id": str})
    data = load_dataset(zone_file, [source_path(f) for f in files])
    store = DataStore.from_dataset(assemble_dataset(data.zones, data.incidents,
                                                    data.milestones, []),
                                   Settings(session_dir=tmp_path / "s"), "two")
    for query in ("", "?dedup=0"):  # every row, and a filter that keeps both sources' rows
        frame, _ = export_frame(store, None, query, None)
        got = set(zip(frame["dataset"].astype(str), frame["incident_id"].astype(str),
                      frame["cluster"], strict=True))
        want = set(zip(joined["dataset"], joined["incident_id"], joined["cluster"],
                       strict=True))
        assert got and got <= want
