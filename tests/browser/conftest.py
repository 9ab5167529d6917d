"""Browser tests drive Debian's Chromium through Playwright against a live app.

They skip cleanly when Chromium or Playwright is missing. The app runs in a
thread on a free port with the bundled data; every test fails on console errors
and on any request to a host other than the app's own.
"""

from __future__ import annotations

import os
import shutil
import threading
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")

pytest.importorskip("playwright", reason="pytest-playwright is not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [
        "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sessions")


@pytest.fixture(scope="session")
def live_url(session_dir):
    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.core.settings import Settings

    app = create_app(Settings(session_dir=session_dir))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class PageWatch:
    """Console errors and requests that leave the app's host."""

    def __init__(self, page, base_url: str):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        host = urlparse(base_url).netloc
        def console(message):
            if message.type == "error":
                detail = []
                for arg in message.args[1:]:
                    try:
                        detail.append(str(arg.json_value())[:300])
                    except Exception:  # a handle that cannot be serialised
                        detail.append("?")
                self.errors.append(" ".join([message.text, *detail]))

        page.on("console", console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def check(request):
            parsed = urlparse(request.url)
            if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != host:
                self.foreign.append(request.url)

        page.on("request", check)


@pytest.fixture
def watched(page, live_url):
    watch = PageWatch(page, live_url)
    yield page, watch
    assert watch.foreign == [], f"requests left the machine: {watch.foreign[:5]}"
    assert watch.errors == [], f"console errors: {watch.errors[:5]}"
