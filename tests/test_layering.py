"""The data layer runs with no web stack: importing it loads no dash or plotly."""

from __future__ import annotations

import subprocess
import sys

import pytest

DATA_LAYER = [
    "dashboard.model", "dashboard.io", "dashboard.io.gazetteer", "dashboard.io.writers",
    "dashboard.spatial", "dashboard.timeline", "dashboard.dataset", "dashboard.synth",
    "dashboard.summary", "dashboard.cli", "dashboard.prepared",
]


@pytest.mark.parametrize("module", DATA_LAYER)
def test_data_layer_loads_no_web_stack(module):
    code = (f"import sys, {module}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dash', 'plotly'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} pulls in {out.stdout.strip()}"


def test_importing_the_package_loads_no_geo_stack():
    code = ("import sys, dashboard; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'dash', 'plotly', 'geopandas', 'shapely', 'pandas'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
