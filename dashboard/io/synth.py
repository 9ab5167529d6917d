"""Seeded SYNTHETIC incidents for demos and benchmarks, shaped like real ones.

Events cluster around towns (weighted by population), come in bursts in time,
and carry the location-precision mix of UCDP data. Every row says SYNTHETIC in
its ``dataset`` and ``source`` columns, so no view can pass it off as real.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core import model

SYNTHETIC = "SYNTHETIC"

EVENT_TYPES = {  # type: (share, sub-types, typical fatalities)
    "Airstrike": (0.22, ["Air/drone strike", "Barrel bomb"], 2.0),
    "Shelling": (0.24, ["Artillery", "Rockets", "Mortars"], 1.0),
    "Armed clash": (0.26, ["Ground assault", "Exchange of fire"], 1.5),
    "Aid convoy": (0.06, ["Food", "Medical"], 0.0),
    "Checkpoint": (0.07, ["Opened", "Closed"], 0.0),
    "Detention": (0.08, ["Arrest", "Abduction"], 0.0),
    "Evacuation": (0.07, ["Fighters", "Civilians"], 0.0),
}
ACTORS = ["Government forces", "Russian air force", "Opposition factions", "HTS",
          "Islamic State", "SDF", "Turkish forces", "Civilians", "UN / SARC", "Unknown"]
PRECISION_MIX = {"exact": 0.53, "near": 0.37, "district": 0.03, "province": 0.03,
                 "area": 0.03, "country": 0.01}


def _default_towns() -> pd.DataFrame:
    from dashboard.io.gazetteer import load_gazetteer

    towns = load_gazetteer()
    return towns.loc[towns["population"] > 0, ["name", "lon", "lat", "population"]]


def synthetic_incidents(
    n: int,
    seed: int = 0,
    *,
    start: str = "2017-01-01",
    end: str = "2018-12-31",
    towns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``n`` SYNTHETIC incidents in ZoneWatch's incident columns; the same ``seed``
    gives the same rows. ``towns`` (name, lon, lat, population) default to the
    bundled Syrian gazetteer."""
    rng = np.random.default_rng(seed)
    towns = (_default_towns() if towns is None else towns).reset_index(drop=True)
    weight = towns["population"].to_numpy(dtype="float64").clip(min=100) ** 0.7
    town = rng.choice(len(towns), size=n, p=weight / weight.sum())
    day0, day1 = pd.Timestamp(start), pd.Timestamp(end)
    span = (day1 - day0).days + 1
    # Half the events are a steady background; half come in bursts of a few weeks
    # around random towns and days, as offensives do.
    bursts = max(1, n // 2000)
    burst_day = rng.integers(0, span, size=bursts)
    burst_town = rng.choice(len(towns), size=bursts, p=weight / weight.sum())
    in_burst = rng.random(n) < 0.5
    which = rng.integers(0, bursts, size=n)
    days = np.where(in_burst, burst_day[which] + rng.exponential(10, n).astype(int),
                    rng.integers(0, span, size=n)).clip(0, span - 1)
    town = np.where(in_burst, burst_town[which], town)
    precision = rng.choice(list(PRECISION_MIX), size=n, p=list(PRECISION_MIX.values()))
    spread_km = np.where(precision == "exact", 1.5, 6.0)
    lat = towns["lat"].to_numpy()[town] + rng.normal(0, 1, n) * spread_km / 111.0
    lon = towns["lon"].to_numpy()[town] + rng.normal(0, 1, n) * spread_km / (
        111.0 * np.cos(np.radians(lat)))
    names = list(EVENT_TYPES)
    shares = np.array([EVENT_TYPES[t][0] for t in names])
    type_idx = rng.choice(len(names), size=n, p=shares / shares.sum())
    sub_idx = rng.integers(0, 3, size=n)
    mean_dead = np.array([EVENT_TYPES[t][2] for t in names])[type_idx]
    fatalities = np.where(mean_dead > 0, rng.geometric(1 / (1 + mean_dead), n) - 1, 0)
    dates = day0 + pd.to_timedelta(days, unit="D")
    frame = pd.DataFrame({
        "incident_id": [f"syn-{seed}-{i:07d}" for i in range(n)],
        "date": dates, "date_end": dates, "date_precision": "day",
        "lon": lon.round(5), "lat": lat.round(5),
        "place": towns["name"].to_numpy()[town], "admin1": "", "admin2": "",
        "loc_precision": precision,
        "precision_km": pd.Series(precision).map(model.LOCATION_PRECISION_KM).to_numpy(),
        "event_type": np.array(names, dtype=object)[type_idx],
        "sub_type": [EVENT_TYPES[names[t]][1][s % len(EVENT_TYPES[names[t]][1])]
                     for t, s in zip(type_idx, sub_idx, strict=True)],
        "actor1": np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), n)],
        "actor2": np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), n)],
        "fatalities": fatalities.astype("float64"),
        "source": f"{SYNTHETIC} data (zonewatch synth, seed {seed}): not real events",
        "notes": SYNTHETIC, "dataset": SYNTHETIC,
    })
    return frame[model.INCIDENT_COLUMNS]


def is_synthetic(incidents: pd.DataFrame) -> bool:
    """True when any row is labelled SYNTHETIC: views must say so."""
    return bool(len(incidents)) and bool((incidents["dataset"] == SYNTHETIC).any())
