"""The browser's pure JS functions, unit-tested with Node's own test runner (tests/js/;
no npm packages). Skipped, with the reason, where Node is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = sorted((Path(__file__).parent / "js").glob("*.test.js"))


def test_node_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JS unit tests in tests/js/ were not run "
                    "(install Node.js 18 or newer)")
    assert JS_TESTS, "no tests/js/*.test.js found"
    done = subprocess.run([node, "--test", *map(str, JS_TESTS)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


# The Python <-> JS contract ---------------------------------------------------------------
ASSETS = Path(__file__).parents[1] / "assets"
JS = {path.name: path.read_text("utf-8") for path in sorted(ASSETS.glob("*.js"))}


def _constants(module) -> dict[str, str]:
    return {name: value for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str)}


def test_every_id_and_role_the_js_names_comes_from_python():
    """assets/*.js reach element ids and trace roles through the page's contract
    (``ID().MAP``, ``adapter.roles().TOWNS``): each name must exist in dashboard/app/ids.py
    or dashboard/views/roles.py, and the page must send them."""
    from dashboard.app import ids
    from dashboard.app.layout import page_contract
    from dashboard.views import roles

    contract = page_contract()
    used_ids = {m for text in JS.values() for m in re.findall(r"\b[iI][dD]s?\(\)\.([A-Z_]+)", text)}
    used_roles = {m for text in JS.values() for m in re.findall(r"\broles\(\)\.([A-Z_]+)", text)}
    assert {"MAP", "HISTOGRAM", "PLAY", "DATE_RANGE", "COPY_LINK"} <= used_ids
    assert used_ids <= set(_constants(ids)), used_ids - set(_constants(ids))
    assert used_roles <= set(roles.ROLES), used_roles - set(roles.ROLES)
    assert contract["ids"] == _constants(ids)
    assert contract["roles"] == roles.ROLES
    assert set(contract["playbackReplaces"]) <= set(roles.ROLES.values())


def test_no_js_file_types_an_element_id_or_a_trace_label():
    """Element ids looked up in the JS are either Python's (through the contract) or
    made by the JS itself (``const BAND_ID = "zw-play-band"``); no id value, trace role
    or legend label of the map is typed as a string."""
    from dashboard.app import ids
    from dashboard.views import roles

    typed: dict[str, set[str]] = {}
    for name, text in JS.items():
        made_here = set(re.findall(r'const [A-Z_]*ID = "([^"]+)"', text))
        looked_up = set(re.findall(r'getElementById\(\s*"([^"]+)"', text))
        looked_up |= set(re.findall(r'querySelector(?:All)?\(\s*["\']#([\w-]+)', text))
        looked_up |= set(re.findall(r'set_?[pP]rops\(\s*"([^"]+)"', text))
        literals = set(re.findall(r'"([^"\n]*)"', text)) | set(re.findall(r"'([^'\n]*)'", text))
        known = set(_constants(ids).values()) | set(roles.ROLES.values()) | {
            "Incidents (binned)", "zone labels", "Selected row", "Selected", "towns"}
        bad = (looked_up - made_here) | (literals & known)
        if bad:
            typed[name] = bad
    assert not typed, f"typed by hand in assets/: {typed}"


def test_the_page_root_carries_the_contract(tiny_view):
    import json

    from dashboard.app.layout import CONTRACT_ATTR, build_layout, page_contract

    page = build_layout(tiny_view)
    assert json.loads(getattr(page, CONTRACT_ATTR)) == page_contract()
