"""Write the README screenshot from the running app: python scripts/readme_screenshot.py.

Starts ZoneWatch on the bundled data on a free local port, opens a view in
headless Chromium (Debian's), waits for the map to settle and saves a PNG.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

SETTLED = """() => {
  if (document.querySelector('[data-dash-is-loading="true"]')) return false;
  const gd = document.querySelector('#map .js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd._fullLayout.map) return false;
  const m = gd._fullLayout.map._subplot.map;
  return m.loaded() && !m.isMoving();
}"""
DEFAULT_VIEW = "?from=2017-07-01&to=2018-02-17&asof=2017-12-01&map=34.4000,37.6000,5.85"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--view", default=DEFAULT_VIEW, help="Query string of the view to show.")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--size", default="1366x900", help="Window size WxH.")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    width, height = (int(v) for v in args.size.split("x"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=[
            "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader"])
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"http://127.0.0.1:{server.server_port}/{args.view}")
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_timeout(1500)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
        browser.close()
    server.shutdown()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
