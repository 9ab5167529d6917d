"""The browser's pure JS functions, unit-tested with Node's own test runner (tests/js/;
no npm packages). Skipped, with the reason, where Node is not installed."""

from __future__ import annotations

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
