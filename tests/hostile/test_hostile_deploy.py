"""Slow clients against the shipped deployment: nginx (deploy/nginx.conf) in front of
gunicorn gthread workers (deploy/gunicorn.conf.py), both on loopback ports.

Six connections trickle a request body a byte at a time. Through nginx, an ordinary
request still answers within 2 s; straight at gunicorn (one worker, four threads)
the same six clients hold every thread, which shows the attack is real. Skipped when
nginx is not installed (Debian: apt-get install nginx).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.processes import children, command_line, stop_group

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: apt-get install "
                                             "nginx); the deployment test starts a real one"),
]
SLOW_CLIENTS = 6
ANSWER_WITHIN_S = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited: {proc.communicate()[1]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s")


def nginx_conf(front: int, upstream: int) -> str:
    """The repo's nginx.conf with its two ports moved to free loopback ones."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    for old, new in (("listen 8080;", f"listen 127.0.0.1:{front};"),
                     ("server 127.0.0.1:8050;", f"server 127.0.0.1:{upstream};")):
        assert text.count(old) == 1, f"deploy/nginx.conf should hold '{old}' once"
        text = text.replace(old, new)
    return text


@pytest.fixture
def deployment(zone_file, incident_file, tmp_path):
    """(front URL through nginx, gunicorn's own URL) serving the tiny data."""
    upstream, front = free_port(), free_port()
    env = {**os.environ, "ZONEWATCH_ZONES": str(zone_file),
           "ZONEWATCH_INCIDENTS": str(incident_file), "ZONEWATCH_CACHE_DIR": "off",
           "ZONEWATCH_SESSION_DIR": str(tmp_path / "sessions")}
    # One worker with four threads: fewer threads than slow clients, on purpose.
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"),
         "-b", f"127.0.0.1:{upstream}", "-w", "1", "--threads", "4", "dashboard.wsgi:server"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    # nginx as root hands requests to unprivileged workers: a prefix they can enter.
    prefix = Path(tempfile.mkdtemp(prefix="zw-nginx-"))
    prefix.chmod(0o755)
    (prefix / "logs").mkdir()
    (prefix / "temp").mkdir()
    (prefix / "nginx.conf").write_text(nginx_conf(front, upstream), encoding="utf-8")
    nginx = subprocess.Popen(
        [NGINX, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", "stderr",
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{upstream}/", gunicorn)
        wait_until_up(f"http://127.0.0.1:{front}/", nginx)
        yield f"http://127.0.0.1:{front}", f"http://127.0.0.1:{upstream}"
    finally:
        stop_group(nginx)
        stop_group(gunicorn)
        shutil.rmtree(prefix, ignore_errors=True)


class SlowBodies:
    """``n`` connections that each POST a 10 kB body one byte every half second."""

    def __init__(self, url: str, n: int = SLOW_CLIENTS):
        host, port = url.removeprefix("http://").split(":")
        self.stop = threading.Event()
        self.sockets = [socket.create_connection((host, int(port)), timeout=5) for _ in range(n)]
        self.sent = [0] * n
        for i, sock in enumerate(self.sockets):
            sock.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: zonewatch\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n")
            threading.Thread(target=self._trickle, args=(i, sock), daemon=True).start()

    def _trickle(self, i: int, sock: socket.socket) -> None:
        while not self.stop.wait(0.5):
            try:
                sock.sendall(b" ")
                self.sent[i] += 1
            except OSError:
                return

    def __enter__(self) -> SlowBodies:
        time.sleep(1.0)  # every slow client has reached the server
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for sock in self.sockets:
            sock.close()


def timed_get(url: str, timeout: float) -> tuple[float, int | str]:
    started = time.perf_counter()
    try:
        status: int | str = requests.get(url, timeout=timeout).status_code
    except requests.Timeout:
        status = "timeout"
    return time.perf_counter() - started, status


def test_slow_bodies_do_not_block_others_behind_the_shipped_nginx(deployment):
    front, direct = deployment
    with SlowBodies(front) as slow:
        answers = [timed_get(f"{front}{path}", timeout=10)
                   for path in ("/", "/_dash-layout", "/_dash-dependencies")]
        assert all(n > 0 for n in slow.sent), "a slow client was cut off too early to count"
    assert [status for _, status in answers] == [200, 200, 200]
    assert max(seconds for seconds, _ in answers) < ANSWER_WITHIN_S, answers

    # The same six clients straight at gunicorn hold all four threads: a real attack.
    with SlowBodies(direct):
        seconds, status = timed_get(f"{direct}/_dash-layout", timeout=ANSWER_WITHIN_S)
    assert status == "timeout", f"gunicorn answered in {seconds:.2f} s: the attack is not real"


def test_gunicorn_config_listens_on_loopback_with_threads():
    config: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),
         config)
    assert config["bind"].startswith("127.0.0.1:")
    assert config["worker_class"] == "gthread" and config["threads"] > 1


def test_no_advice_to_bind_every_interface_without_the_proxy():
    from click.testing import CliRunner

    from dashboard.cli import cli

    help_text = " ".join(CliRunner().invoke(cli, ["serve", "--help"]).output.split())
    assert "0.0.0.0" not in help_text.replace("never 0.0.0.0", "")
    assert "deploy/nginx.conf" in help_text
    for path in [*ROOT.joinpath("docs").rglob("*.md"), ROOT / "dashboard" / "wsgi.py"]:
        assert "-b 0.0.0.0" not in path.read_text(encoding="utf-8"), path


def _children(pid: int) -> dict[int, str]:
    """The child processes of ``pid``: their command lines."""
    return {child: command_line(child) for child in children(pid)}


def test_each_worker_starts_its_upload_checker_before_the_first_upload(deployment):
    """The fork server that checks uploads runs in every worker from its start, so an
    analyst's first upload does not wait for it to load the data libraries."""
    master = next(pid for pid, line in _children(os.getpid()).items()
                  if "gunicorn" in line)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = _children(master)
        servers = [line for worker in workers for line in _children(worker).values()
                   if "multiprocessing.forkserver" in line]
        if workers and len(servers) == len(workers):
            break
        time.sleep(0.2)
    assert workers and len(servers) == len(workers), (workers, servers)


def test_nginx_lets_idle_upstream_connections_go_before_gunicorn_does():
    """Else gunicorn may close a kept-alive connection as nginx sends a POST on it, and
    nginx answers that analyst 502 (it does not retry a POST)."""
    import re

    config: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),
         config)
    upstream = re.search(r"upstream zonewatch \{(.*?)\}",
                         (DEPLOY / "nginx.conf").read_text(), re.S).group(1)
    found = re.search(r"keepalive_timeout\s+(\d+)s;", upstream)
    assert found and int(found.group(1)) < config["keepalive"]
