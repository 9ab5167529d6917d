"""Rendered briefing images (kaleido + Chromium): sizes, text in SVG/PDF, CLI = app button."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from dashboard.app.callbacks.export_panel import export_view
from dashboard.app.store import DataStore
from dashboard.cli import cli
from dashboard.dataset import load_dataset
from dashboard.export import SIZES, snapshot
from dashboard.settings import Settings
from dashboard.state import decode
from tests.export.common import MADE, QUERY

pytestmark = pytest.mark.browser
WORDS = ("Shelling incidents in homs-north", "1 Aug 2017 – 31 Dec 2017",
         "Event type: Shelling", "Fatalities: 0–50", "Zone boundaries are approximate",
         "Natural Earth", "GeoNames")


@pytest.fixture(scope="module")
def images(browser, tiny_view):
    """Every format at every size for one view: rendered once per module."""
    state = decode(QUERY, tiny_view.default).state
    return {(fmt, size): snapshot(tiny_view, state, fmt=fmt, size=size, link="http://x/" + QUERY,
                                  made_at=MADE)
            for fmt in ("png", "svg", "pdf") for size in SIZES}


@pytest.mark.parametrize("size", list(SIZES))
def test_rnd001_png_size(images, size):
    png = Image.open(io.BytesIO(images["png", size]))
    assert png.format == "PNG" and png.size == SIZES[size].pixels("png")


@pytest.mark.parametrize("size", list(SIZES))
def test_rnd002_svg_size_and_text(images, size):
    svg = images["svg", size].decode("utf-8")
    head = re.search(r"<svg[^>]*>", svg).group(0)
    width, height = SIZES[size].pixels("svg")
    assert f'width="{width}"' in head and f'height="{height}"' in head
    for words in WORDS:
        assert words.replace("&", "&amp;") in svg, words


@pytest.mark.parametrize(("size", "points"), [("16:9", (1440, 810)), ("a4", (841.89, 595.28))])
def test_rnd003_pdf_page_size(images, size, points):
    pdf = images["pdf", size]
    box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    w, h = float(box.group(3)) - float(box.group(1)), float(box.group(4)) - float(box.group(2))
    assert abs(w - points[0]) < 1.0 and abs(h - points[1]) < 1.0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
@pytest.mark.parametrize("size", list(SIZES))
def test_rnd004_pdf_text(images, size, tmp_path):
    path = tmp_path / "page.pdf"
    path.write_bytes(images["pdf", size])
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for words in WORDS:
        assert words in flat, words


def test_rnd005_cli_and_app_button_give_the_same_image(browser, zone_file, incident_file,
                                                        tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(MADE.timestamp())))
    href = "http://127.0.0.1:8050/" + QUERY
    out = tmp_path / "cli.png"
    result = CliRunner().invoke(cli, ["snapshot", "--state", href, "-o", str(out),
                                      "--zones", str(zone_file), "--incidents", str(incident_file)])
    assert result.exit_code == 0, result.output
    assert "PNG 1920x1080 px" in result.output
    store = DataStore.from_dataset(load_dataset(zone_file, incident_file),
                                   Settings(session_dir=tmp_path / "sessions"))
    data, name = export_view(store, None, QUERY, href, "png", "16:9", None)
    assert name == "zonewatch-homs-north-20170801-20171231-16x9.png"
    cli_px = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    app_px = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)
    assert cli_px.shape == app_px.shape
    assert data == out.read_bytes() or np.abs(cli_px - app_px).max() <= 2


def test_rnd006_cli_format_from_suffix_and_query_only_state(browser, tmp_path):
    out = tmp_path / "brief.svg"
    result = CliRunner().invoke(cli, ["snapshot", "--state", "zone=homs-north&from=2017-05-01"
                                      "&to=2018-05-14&bogus=1", "-o", str(out), "--size", "a4",
                                      "--title", "Homs briefing"])
    assert result.exit_code == 0, result.output
    assert "unknown link parameter 'bogus' ignored" in result.output
    svg = out.read_text(encoding="utf-8")
    assert "Homs briefing" in svg and "View: ?zone=homs-north" in svg


def test_rnd007_animate_gif_dates_every_frame(browser, zone_file, incident_file, tmp_path):
    out = tmp_path / "play.gif"
    result = CliRunner().invoke(cli, [
        "animate", "--state", "?from=2017-08-01&to=2017-10-31", "--step", "month",
        "--window-days", "30", "--frames", "3", "--size", "640x360", "--no-histogram",
        "--zones", str(zone_file), "--incidents", str(incident_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    gif = Image.open(out)
    assert gif.format == "GIF" and gif.size == (640, 360) and gif.n_frames == 3
