"""The layers hold: the import-linter contracts in pyproject.toml (each layer uses only
those below it; the data layers never import the web stack), and nothing heavy loads
before it is needed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def loaded(module: str, wanted: set[str]) -> list[str]:
    code = (f"import sys, {module}; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(wanted)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return eval(out.stdout)  # a list literal we printed ourselves


def test_the_import_contracts_are_kept():
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or \
        shutil.which("lint-imports")
    if linter is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    out = subprocess.run([linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_the_command_line_starts_without_the_web_stack():
    assert loaded("dashboard.cli", {"dash", "plotly"}) == []


def test_importing_the_package_loads_no_geo_stack():
    assert loaded("dashboard", {"dash", "plotly", "geopandas", "shapely", "pandas"}) == []
