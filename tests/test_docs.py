"""The README documents every command option and every setting."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click
import pytest

from dashboard.cli import cli
from dashboard.core.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_doc001_every_option_documented(command):
    assert f"zonewatch {command}" in README
    for param in cli.commands[command].params:
        if isinstance(param, click.Option) and param.opts[0] not in ("-h", "--help"):
            name = max(param.opts, key=len)
            assert param.help, f"zonewatch {command} {name} has no help"
            assert name in README, f"README.md does not mention zonewatch {command} {name}"


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_doc002_every_setting_documented(name):
    assert f"ZONEWATCH_{name.upper()}" in README


def test_doc003_readme_report_example_is_what_the_report_prints():
    """The README quotes `zonewatch report --zone homs-north`: every quoted line must be
    in today's output, so the example cannot drift from the numbers."""
    from click.testing import CliRunner

    quoted = README.split("`zonewatch report --zone homs-north` begins:", 1)[1].split("\n## ", 1)[0]
    lines = [line[2:].lstrip("#").strip() for line in quoted.splitlines() if line.startswith("> ")]
    result = CliRunner().invoke(cli, ["report", "--zone", "homs-north"])
    assert result.exit_code == 0, result.output
    for line in filter(None, lines):
        assert line in result.output, line
