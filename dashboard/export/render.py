"""Figures to PNG, SVG or PDF bytes with kaleido and the machine's Chromium, offline.

One kaleido browser is kept per process (``kaleido.start_sync_server``): the first
image takes a few seconds, the next about one. MathJax (a CDN script) is switched
off and plotly.js comes from the installed plotly package, so rendering needs no
network; figures must carry their map style and layers inline.

The map is the one raster in an image: MapLibre draws it at the page's device pixel
ratio, and plotly.js then stretches that picture by ``scale``. Kaleido's page says
its ratio is 1, so a 4x PNG held a 1x map, soft on a slide. Our page reports the
render's ``scale`` as its device pixel ratio (``HIDPI_SCRIPT``), so the map is drawn
with as many pixels as the image around it.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import plotly.graph_objects as go

from dashboard.core.errors import ZoneWatchError

FORMATS = ("png", "svg", "pdf")
_LOCK = threading.Lock()  # kaleido's sync server answers one caller at a time


class ExportError(ZoneWatchError):
    """The image could not be rendered (no Chromium, or the browser failed)."""


#: Runs after kaleido's own script: each render sets the device pixel ratio MapLibre
#: reads when plotly.js creates the map (``Map.getPixelRatio``) to the render's scale.
HIDPI_SCRIPT = """
<script>
(function () {
  var ratio = 1;
  Object.defineProperty(window, "devicePixelRatio", {get: function () { return ratio; },
                                                     configurable: true});
  var render = window.kaleido_scopes.plotly;
  window.kaleido_scopes.plotly = function (spec) {
    ratio = Math.min(Math.max(Number(spec && spec.scale) || 1, 1), 8);
    return render.apply(this, arguments);
  };
})();
</script>
"""


def _page():
    """Kaleido's page (local plotly.js, no MathJax) with ``HIDPI_SCRIPT`` after its script."""
    from kaleido import PageGenerator

    class Page(PageGenerator):
        footer = PageGenerator.footer.replace("</head>", HIDPI_SCRIPT + "    </head>", 1)

    return Page(mathjax=False)


@lru_cache(maxsize=1)
def _server() -> None:
    """Start the process's kaleido browser once (stopped by kaleido at exit)."""
    import kaleido
    import plotly.io as pio

    pio.defaults.mathjax = False
    kaleido.start_sync_server(page_generator=_page(), silence_warnings=True)


def render(fig: go.Figure | dict, fmt: str, width: int, height: int, scale: float = 2) -> bytes:
    """``fig`` drawn at ``width`` x ``height`` CSS px; PNG pixels and the SVG/PDF page
    are that size times ``scale`` (PDF points: px x 0.75)."""
    if fmt not in FORMATS:
        raise ExportError(f"format '{fmt}' is not one of {', '.join(FORMATS)}. "
                          "Fix: use png, svg or pdf.")
    try:
        import kaleido
        from kaleido.errors import ChromeNotFoundError
    except ImportError as err:
        raise ExportError("kaleido is not installed. Fix: pip install 'kaleido>=1.0' and "
                          "install Chromium (Debian: apt-get install chromium).") from err
    spec = fig.to_dict() if isinstance(fig, go.Figure) else fig
    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    try:
        with _LOCK:
            _server()
            return kaleido.calc_fig_sync(spec, opts=opts)
    except ChromeNotFoundError as err:
        raise ExportError("no Chromium found for rendering images. Fix: install Chromium "
                          "(Debian: apt-get install chromium) or set BROWSER_PATH.") from err
    except (RuntimeError, TimeoutError, OSError) as err:
        raise ExportError(f"rendering the {fmt.upper()} failed: {err}. Fix: check that "
                          "Chromium starts on this machine (chromium --headless --version).") \
            from err


def available() -> bool:
    """True when kaleido can find a Chromium (for skipping tests cleanly)."""
    try:
        import kaleido  # noqa: F401
        from choreographer.browsers.chromium import Chromium  # kaleido's browser finder
    except ImportError:
        return False
    try:
        return bool(Chromium.find_browser(skip_local=False))
    except Exception:  # any failure to find a browser means "not available"
        return False
