"""The wheel ships geodata/: build it, install it in a fresh venv outside the repo,
and run ``zonewatch info`` there on the bundled data. No network: the build uses the
installed hatchling, the venv sees this interpreter's packages for the dependencies.

The venv reaches those packages through a ``.pth`` file naming this interpreter's
site-packages, not ``--system-site-packages``: inside a virtualenv the latter would
show the *base* interpreter's packages, not this venv's (where pandas and co. are)."""

from __future__ import annotations

import importlib.util
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def run(args, cwd, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    out = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                         env=env, timeout=600, **kw)
    assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
    return out


def build_wheel(dist: Path) -> Path:
    if importlib.util.find_spec("build") is not None:
        run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT], ROOT)
    elif importlib.util.find_spec("hatchling") is not None:
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--wheel-dir", dist, ROOT], ROOT)
    else:
        pytest.skip("neither 'build' nor 'hatchling' is installed, and the test runs offline")
    [wheel] = dist.glob("zonewatch-*.whl")
    return wheel


def test_wheel_installs_in_a_fresh_venv_and_serves_the_bundled_data(tmp_path):
    wheel = build_wheel(tmp_path / "dist")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dashboard/geodata/syria-2017-zones.geojson" in names
    assert "dashboard/geodata/ucdp-ged-syria-2017-2018.csv.gz" in names
    assert not any(n.startswith("tests/") for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  tmp_path).stdout.strip()
    # Directories named in a .pth come after the venv's own site-packages, and .pth files
    # inside them are not read, so an editable install of this checkout stays invisible.
    Path(purelib, "outer-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", wheel], tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([python, "-c", "import dashboard.core.paths as p; print(p.geodata_dir())"], elsewhere)
    geodata = Path(where.stdout.strip())
    assert geodata.is_relative_to(venv), f"geodata/ came from {geodata}, not the installed wheel"

    info = run([bindir / "zonewatch", "info"], elsewhere)
    for zone_id in ("idlib", "homs-north", "eastern-ghouta", "southwest"):
        assert f"  {zone_id} — " in info.stdout
    assert "UCDP GED 8,352" in info.stdout
