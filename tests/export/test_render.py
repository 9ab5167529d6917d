"""Rendered briefing images (kaleido + Chromium): sizes, text in SVG/PDF, CLI = app button."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from dashboard.analysis.dataset import load_dataset
from dashboard.analysis.viewstate import decode
from dashboard.app.callbacks.export_panel import export_view
from dashboard.cli import cli
from dashboard.core.settings import Settings
from dashboard.export import SIZES, briefing_figure, snapshot
from dashboard.server.datastore import DataStore
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
    assert "PNG 3840x2160 px" in result.output
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


# Issue 12: shapes in their panel, a crisp map, the default view -----------------------
BAND = np.array([219, 233, 243])  # the window band: #1f77b4 at 16% over white


def stray_pixels(rgb: np.ndarray) -> tuple[int, int]:
    """(pixels of the window band's colour, pixels of the milestone lines' grey) in an
    RGB array. Text is never that blue, and never that neutral a mid grey."""
    part = rgb.astype(int)
    band = (np.abs(part - BAND) <= 4).all(axis=-1)
    grey = ((part >= 150) & (part <= 175)).all(axis=-1) & (np.ptp(part, axis=-1) <= 3)
    return int(band.sum()), int(grey.sum())


def outside_regions(fig, rgb: np.ndarray) -> dict[str, np.ndarray]:
    """The parts of a rendered page that must stay clean: the title strip above the map,
    the outer margins, the strip between map and histogram, and everything under the
    histogram's panel (tick marks left aside)."""
    h, w = rgb.shape[:2]
    px = w / fig.layout.width  # image pixels per layout pixel

    def row(paper_y: float) -> int:
        return round((1 - paper_y) * h)

    def col(paper_x: float) -> int:
        return round(paper_x * w)

    margin = round(2 * px)
    map_x, map_y = fig.layout.map.domain.x, fig.layout.map.domain.y
    hist_y = fig.layout.yaxis.domain
    return {
        "title strip": rgb[:row(map_y[1]) - margin],
        "left margin": rgb[:, :col(map_x[0]) - margin],
        "right margin": rgb[:, w - round(12 * px):],
        "between map and histogram": rgb[row(map_y[0]) + margin:row(hist_y[1]) - margin,
                                         col(map_x[0]):col(map_x[1])],
        "under the histogram": rgb[row(hist_y[0]) + round(6 * px):],
    }


@pytest.fixture(scope="module")
def milestone_pages(browser, milestone_view):
    """The milestone view (band and dashed lines on its histogram) as PNG and PDF, on the
    16:9 layout; the PNG at 1920x1080 (the same page at 2x: quicker than 4x)."""
    state = decode(QUERY, milestone_view.default).state
    fig = briefing_figure(milestone_view, state, size="16:9", link="http://x/" + QUERY,
                          made_at=MADE)
    return fig, {fmt: snapshot(milestone_view, state, fmt=fmt, size=size,
                               link="http://x/" + QUERY, made_at=MADE)
                 for fmt, size in (("png", "1920x1080"), ("pdf", "16:9"))}


def _assert_clean(fig, rgb: np.ndarray) -> None:
    assert stray_pixels(rgb)[0] > 1000, "the band itself must be drawn (in its panel)"
    for name, part in outside_regions(fig, rgb).items():
        assert part.size, name
        assert stray_pixels(part) == (0, 0), f"band / milestone pixels in the {name}"


def test_rnd008_png_margins_and_title_are_clean(milestone_pages):
    """Issue 12: the shaded window and the dashed milestone lines ran the full height of
    the image, over the title, map, legend and sources."""
    fig, pages = milestone_pages
    rgb = np.asarray(Image.open(io.BytesIO(pages["png"])).convert("RGB"))
    assert rgb.shape[:2] == (1080, 1920)
    _assert_clean(fig, rgb)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_rnd009_pdf_margins_and_title_are_clean(milestone_pages, tmp_path):
    fig, pages = milestone_pages
    (tmp_path / "page.pdf").write_bytes(pages["pdf"])
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(tmp_path / "page.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True)
    _assert_clean(fig, np.asarray(Image.open(tmp_path / "page.png").convert("RGB")))


def test_rnd010_map_raster_has_the_images_resolution(images):
    """The map is the one raster in an SVG/PDF: it must hold as many pixels as the
    image around it (2x in a 16:9 SVG), where it is in the layout, not a 1x picture
    stretched (soft on a slide)."""
    svg = images["svg", "16:9"].decode("utf-8")
    maps = [(Image.open(io.BytesIO(base64.b64decode(data))), attrs) for data, attrs in
            re.findall(r'<image[^>]*?href="data:image/png;base64,([^"]+)"([^>]*)>', svg)]
    drawn = [(img, attrs) for img, attrs in maps if img.getextrema()[3] != (0, 0)]  # not blank
    assert len(drawn) == 1
    img, attrs = drawn[0]
    width = float(re.search(r'width="([\d.]+)', attrs).group(1))
    x = float(re.search(r'\bx="([\d.]+)', attrs).group(1))
    assert x == pytest.approx(14)  # the page's padding: no automatic margins
    assert img.size[0] == pytest.approx(width * SIZES["16:9"].vector_scale, abs=2)


def test_rnd011_snapshot_without_state_is_the_opening_view(browser, zone_file, incident_file,
                                                           tmp_path):
    out = tmp_path / "default.svg"
    result = CliRunner().invoke(cli, ["snapshot", "-o", str(out), "--zones", str(zone_file),
                                      "--incidents", str(incident_file)])
    assert result.exit_code == 0, result.output
    assert "SVG 1920x1080 px" in result.output
    svg = out.read_text(encoding="utf-8")
    assert "Incidents and ceasefire zones" in svg and "View:" not in svg
