"""The one loader of the embedded store: read, validate, hand out tables.

The store is written by `python -m geodata.build`; the app never parses the
source CSVs. Loading checks the layers, the CRS and every indicator record,
so a damaged store stops the app with a message that names what is wrong
instead of serving half the data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from layers import map_layers, records

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "geodata" / "atlas.gpkg"
GEO_LAYERS = {
    "cities": (
        "adcode",
        "name_zh",
        "name_en",
        "plan",
        "positioning_zh",
        "positioning_ref",
        "label_lon",
        "label_lat",
        "geometry_source",
    ),
    "counties": ("adcode", "name_zh", "city_adcode", "geometry_source"),
    "context": ("code", "kind", "name_zh", "name_en", "label_lon", "label_lat", "geometry_source"),
    # the counties of the eleven other Shandong cities: where the docking plan's places are
    "context_counties": ("adcode", "name_zh", "city_adcode", "label_lon", "label_lat", "geometry_source"),
}
TABLES = {
    "indicator_defs": records.INDICATOR_DEFS,
    "indicators": records.INDICATOR_VALUES,
    "feature_categories": records.FEATURE_CATEGORIES,
    "tasks": records.TASKS,
    "flows": records.FLOWS,
}


class StoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class Store:
    path: Path
    cities: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    context: gpd.GeoDataFrame
    context_counties: gpd.GeoDataFrame
    indicator_defs: pd.DataFrame
    indicators: pd.DataFrame
    features: gpd.GeoDataFrame  # every layer of records.FEATURE_LAYERS, in that order
    feature_categories: pd.DataFrame
    tasks: pd.DataFrame  # the docking plan's 21 tasks
    flows: pd.DataFrame  # links the tasks draw from Shandong to the partner regions

    def geojson(self, layer: str) -> str:
        return _geojson(self, layer)


def load(path: Path | str = DEFAULT_STORE) -> Store:
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: store not found (build it with: python -m geodata.build)")
    try:
        present = {name for name, _ in pyogrio.list_layers(path)}
    except Exception as exc:  # GDAL's message for a corrupt file is terse
        raise StoreError(f"{path}: not a readable GeoPackage ({exc})") from exc
    for layer in [*GEO_LAYERS, *records.FEATURE_LAYERS, *TABLES]:
        if layer not in present:
            raise StoreError(f"{path}: layer '{layer}' is missing")
    geo = {}
    for layer, columns in GEO_LAYERS.items():
        gdf = gpd.read_file(path, layer=layer)
        if gdf.crs is None or gdf.crs.to_epsg() != 4326:
            raise StoreError(f"{path}, layer '{layer}': CRS is {gdf.crs}, expected EPSG:4326")
        missing = [c for c in columns if c not in gdf.columns]
        if missing:
            raise records.RecordError(f"{path}#{layer}", None, missing[0], "column missing")
        invalid = ~gdf.geometry.is_valid | gdf.geometry.is_empty
        if invalid.any():
            i = int(np.flatnonzero(invalid.to_numpy())[0])
            raise records.RecordError(f"{path}#{layer}", i + 1, "geometry", "invalid or empty geometry")
        geo[layer] = gdf
    tables = {}
    for layer, schema in TABLES.items():
        df = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        df = df.drop(columns=[c for c in df.columns if c.lower() == "fid"], errors="ignore")
        typed = records.validate(df.astype(object), schema, f"{path}#{layer}", first_row=1)
        tables[layer] = typed
    _check_indicator_references(path, tables, geo["cities"])
    _check_flow_references(path, tables, geo["context"])
    features = _load_features(path, tables["feature_categories"])
    return Store(
        path,
        geo["cities"],
        geo["counties"],
        geo["context"],
        geo["context_counties"],
        tables["indicator_defs"],
        tables["indicators"],
        features,
        tables["feature_categories"],
        tables["tasks"],
        tables["flows"],
    )


def _load_features(path, categories) -> gpd.GeoDataFrame:
    """The feature layers, each row checked; geometry only where the place is known."""
    known = set(zip(categories["layer"], categories["category"]))
    parts = []
    for layer in records.FEATURE_LAYERS:
        gdf = gpd.read_file(path, layer=layer)
        where = f"{path}#{layer}"
        if gdf.crs is None or gdf.crs.to_epsg() != 4326:
            raise StoreError(f"{where}: CRS is {gdf.crs}, expected EPSG:4326")
        attrs = gdf.drop(columns="geometry").astype(object)
        typed = records.validate(attrs, records.FEATURES, where, first_row=1)
        for i, (r, geom) in enumerate(zip(typed.itertuples(index=False), gdf.geometry), start=1):
            if r.layer != layer:
                raise records.RecordError(where, i, "layer", f"'{r.layer}' stored in layer '{layer}'")
            if (r.layer, r.category) not in known:
                raise records.RecordError(where, i, "category", f"unknown category '{r.category}'")
            placed = geom is not None and not geom.is_empty
            if placed != (r.precision != "unplaced"):
                raise records.RecordError(
                    where, i, "geometry", "missing geometry" if placed is False else "geometry on an unplaced feature"
                )
            if placed and not geom.is_valid:
                raise records.RecordError(where, i, "geometry", "invalid geometry")
        parts.append(gpd.GeoDataFrame(typed, geometry=list(gdf.geometry), crs=gdf.crs))
    features = pd.concat(parts, ignore_index=True)
    dup = features["id"].duplicated()
    if dup.any():
        raise StoreError(f"{path}: feature id '{features.loc[dup.idxmax(), 'id']}' is used twice")
    return gpd.GeoDataFrame(features, geometry="geometry", crs="EPSG:4326")


def _check_indicator_references(path, tables, cities) -> None:
    defs = set(tables["indicator_defs"]["indicator"])
    codes = set(cities["adcode"]) | {"jiaodong"}
    for i, r in enumerate(tables["indicators"].itertuples(index=False), start=1):
        if r.indicator not in defs:
            raise records.RecordError(f"{path}#indicators", i, "indicator", f"unknown indicator '{r.indicator}'")
        if r.area_code not in codes:
            raise records.RecordError(f"{path}#indicators", i, "area_code", f"unknown area '{r.area_code}'")


def _check_flow_references(path, tables, context) -> None:
    tasks = set(zip(tables["tasks"]["plan"], tables["tasks"]["number"]))
    partners = set(context.loc[context["kind"] == "province", "code"])
    for i, r in enumerate(tables["flows"].itertuples(index=False), start=1):
        if (r.plan, r.task) not in tasks:
            raise records.RecordError(f"{path}#flows", i, "task", f"unknown task {r.task}")
        if r.partner not in partners:
            raise records.RecordError(
                f"{path}#flows", i, "partner", f"'{r.partner}' is not a region of the context layer"
            )


@cache
def default_store() -> Store:
    return load(DEFAULT_STORE)


def _geojson(store: Store, layer: str) -> str:
    props, decimals = map_layers.GEOJSON[layer]
    if layer in records.FEATURE_LAYERS:
        gdf = store.features[store.features["layer"] == layer]
    else:
        gdf = getattr(store, layer)
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda c: np.round(c, decimals))
    features = [
        {
            "type": "Feature",
            "id": str(row[props[0]]),
            "properties": {p: row[p] for p in props},
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for (_, row), g in zip(gdf.iterrows(), geoms)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
