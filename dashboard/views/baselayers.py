"""Offline base layers: country outlines, Syrian admin lines and town labels.

Read once from geodata/, as plain GeoJSON dicts ready for map layers, so a map
needs no tile server to be legible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dashboard.core.paths import geodata_dir

ATTRIBUTION = ("Country outlines: Natural Earth. Governorates: geoBoundaries / UNCS & UN OCHA "
               "(CC BY 3.0 IGO). Districts: OCHA COD-AB. Places: GeoNames (CC BY 4.0).")


@dataclass(frozen=True)
class BaseLayers:
    countries: dict
    admin1: dict
    admin2: dict
    towns: pd.DataFrame  # name, lon, lat, population: the labelled places


@lru_cache(maxsize=1)
def load_base_layers(min_population: int = 40_000) -> BaseLayers:
    root = geodata_dir()

    def read(name: str) -> dict:
        return json.loads((root / name).read_text(encoding="utf-8"))

    towns = pd.read_csv(root / "gazetteer-syria.csv", usecols=["name", "lon", "lat", "population"])
    towns = towns.loc[towns["population"] >= min_population].sort_values(
        "population", ascending=False)
    return BaseLayers(read("countries.geojson"), read("syria-adm1.geojson"),
                      read("syria-adm2.geojson"), towns.reset_index(drop=True))
