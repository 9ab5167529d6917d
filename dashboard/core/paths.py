"""Package files by absolute path, the same from a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path

from dashboard.core.errors import ZoneWatchError

_PKG = Path(__file__).resolve().parents[1]  # the dashboard package


def _resource_dir(name: str) -> Path:
    for candidate in (_PKG / name, _PKG.parent / name):  # wheel first, then checkout
        if candidate.is_dir():
            return candidate
    raise ZoneWatchError(
        f"no {name}/ folder near {_PKG}; reinstall ZoneWatch or use a full checkout"
    )


def geodata_dir() -> Path:
    """The bundled data folder (zones, incidents, base layers, gazetteer)."""
    return _resource_dir("geodata")


def assets_dir() -> Path:
    """The Dash assets folder (CSS, JS)."""
    return _resource_dir("assets")
