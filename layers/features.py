"""The plan's places at run time: filtering, table rows, display positions, focus.

Pure functions over the store's `features` table; the dashboard turns their
results into traces and components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from layers import map_layers
from layers.records import FEATURE_LAYERS, PLANS, PRECISIONS, STATUSES

DEFAULT_LAYERS = map_layers.DEFAULT
MAX_ZOOM = {"site": 11.0, "county": 9.0, "city": 8.0, "schematic": 9.0, "unplaced": 8.0}
SPREAD = 0.012  # degrees between points that share one position (a county's or city's point)


@dataclass(frozen=True)
class Criteria:
    """What the user has chosen; an empty tuple means no restriction."""

    layers: tuple = DEFAULT_LAYERS
    categories: tuple = ()
    cities: tuple = ()
    chapters: tuple = ()
    precisions: tuple = ()
    statuses: tuple = ()
    text: str = ""
    plans: tuple = ()
    tasks: tuple = ()  # the docking plan's tasks (a feature's `task`, by its own or its `also` reference)
    places: tuple = ()  # ids: the places a section of a plan's text quotes (layers.plan_text)

    @classmethod
    def parse(
        cls,
        layers=None,
        categories=None,
        cities=None,
        chapters=None,
        precisions=None,
        statuses=None,
        text=None,
        known: dict | None = None,
        plans=None,
        tasks=None,
    ) -> Criteria:
        """From callback values: unknown values are dropped, never trusted."""
        known = known or {}

        def keep(values, allowed):
            values = values if isinstance(values, (list, tuple)) else []
            return tuple(v for v in values if v in allowed)

        return cls(
            layers=keep(layers, FEATURE_LAYERS),
            categories=keep(categories, known.get("categories", ())),
            cities=keep(cities, known.get("cities", ())),
            chapters=keep(chapters, known.get("chapters", ())),
            precisions=keep(precisions, PRECISIONS),
            statuses=keep(statuses, (*STATUSES, "")),
            text=(text if isinstance(text, str) else "").strip()[:100],
            plans=keep(plans, PLANS),
            tasks=keep(tasks, known.get("tasks", ())),
        )


def matches(features: pd.DataFrame, c: Criteria) -> pd.Series:
    """Which features pass the criteria (a boolean Series aligned with `features`)."""
    ok = features["layer"].isin(c.layers)
    if c.categories:
        ok &= features["category"].isin(c.categories)
    if c.cities:
        wanted = set(c.cities)
        ok &= features["city_adcodes"].map(lambda s: bool(wanted & set(s.split(";"))))
    if c.chapters:
        ok &= features["chapter"].isin(c.chapters)
    if c.precisions:
        ok &= features["precision"].isin(c.precisions)
    if c.statuses:
        ok &= features["status"].isin(c.statuses)
    if c.plans:  # a place both plans name belongs to both
        also = features["also"].str.partition("|")[0]
        ok &= features["plan"].isin(c.plans) | also.isin(c.plans)
    if c.tasks:
        ok &= features["task"].isin(c.tasks)
    if c.places:
        ok &= features["id"].isin(c.places)
    if c.text:
        needle = c.text.casefold()
        ok &= features["name_zh"].str.casefold().str.contains(needle, regex=False) | features[
            "name_en"
        ].str.casefold().str.contains(needle, regex=False)
    return ok


def display_points(features) -> pd.DataFrame:
    """Where each point is drawn: its own position, except that points sharing
    one position (many projects sit at a county's or city's point) are fanned
    out on a small spiral so each can be seen and clicked when zoomed in.
    The stored geometry and the stated precision are unchanged."""
    pts = features[features.geom_type == "Point"]
    lon = pts.geometry.x.to_numpy().copy()
    lat = pts.geometry.y.to_numpy().copy()
    key = pd.Series(list(zip(lon.round(6), lat.round(6))), index=pts.index)
    for idx in key.groupby(key).groups.values():
        if len(idx) < 2:
            continue
        pos = [pts.index.get_loc(i) for i in idx]
        base_lon, base_lat = lon[pos[0]], lat[pos[0]]
        for k, p in enumerate(pos):  # Vogel's spiral: even spacing, no overlap
            r, a = SPREAD * math.sqrt(k + 0.5), k * 2.39996
            lat[p] = base_lat + r * math.sin(a)
            lon[p] = base_lon + r * math.cos(a) / math.cos(math.radians(base_lat))
    return pd.DataFrame({"lon": lon, "lat": lat}, index=pts.index)


def focus_view(geoms, min_zoom: float = 6.0, max_zoom: float = 11.0) -> dict | None:
    """Map centre and zoom that show the given geometries (None if there are none)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    bounds = np.array([g.bounds for g in geoms])
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    span = max(east - west, (north - south) * 1.3, 1e-6)
    zoom = float(np.clip(math.log2(360 / span) - 1.2, min_zoom, max_zoom))
    return {
        "center": {"lon": round((west + east) / 2, 5), "lat": round((south + north) / 2, 5)},
        "zoom": round(zoom, 2),
        "bounds": [round(float(v), 5) for v in (west, south, east, north)],  # fitted to the map's size in the browser
    }


@dataclass(frozen=True)
class Names:
    """Display names for codes, in one language."""

    cities: dict = field(default_factory=dict)
    counties: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)  # provinces and countries around Shandong


def names_for(store, lang: str = "zh") -> Names:
    col = "name_zh" if lang == "zh" else "name_en"
    cats = store.feature_categories
    # The docking plan's places lie all over Shandong: name the other cities and counties too.
    others = store.context[store.context["kind"] == "shandong_city"]
    counties = pd.concat([store.counties, store.context_counties])
    return Names(
        cities={**dict(zip(store.cities["adcode"], store.cities[col])), **dict(zip(others["code"], others[col]))},
        counties=dict(zip(counties["adcode"], counties["name_zh"])),
        categories={(r.layer, r.category): getattr(r, col) for r in cats.itertuples()},
        regions=dict(zip(store.context["code"], store.context[col])),
    )


# Where a city's name and badge stand, in pixels around its point (y down): the name
# above the point (dashboard.figures.NAME_ABOVE), the badge on it. A marker or a project
# cluster closer than GAP to this box, at the zooms a city is looked at (LABEL_ZOOMS), would
# lie under the name or the badge.
LABEL_BOX = (-30.0, 30.0, -38.0, 14.0)  # left, right, top, bottom
LABEL_ZOOMS, GAP = (6.5, 8.0), 3.0
ANCHOR_REACH, ANCHOR_STEP = 0.3, 0.025  # degrees: how far from its label point a city's point may move
# As the map draws them (dashboard.feature_layers): a marker's radius, and a cluster's by
# its count (MapLibre's cluster radius, 50 pixels at the source's whole zoom, up to zoom 9).
MARKER_RADIUS, CLUSTER_RADII, CLUSTER_PIXELS = 6.0, ((10, 16.0), (30, 22.0), (10**9, 30.0)), 50.0


def _pixels(lon, lat, zoom: float):
    """Web Mercator pixels (MapLibre's 512-pixel tiles) at the given zoom."""
    k = 512 * 2**zoom / 360
    y = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(np.asarray(lat, dtype=float)) / 2)))
    return np.asarray(lon, dtype=float) * k, -y * k


def clustered(x, y, zoom: float) -> list[tuple]:
    """(x, y, count) of what a clustered trace draws at `zoom`, given its points' pixels
    at that zoom: supercluster's greedy pass, level by level from zoom 9 down to the
    source's whole zoom, each point taking its unclaimed neighbours into a weighted centre."""
    items = [(float(a), float(b), 1) for a, b in zip(x, y)]
    for level in range(9, int(zoom) - 1, -1):  # pixels at `zoom`, radius at `level`
        r = CLUSTER_PIXELS * 2 ** (zoom - level)
        done, out = [False] * len(items), []
        for i, (a, b, n) in enumerate(items):
            if done[i]:
                continue
            done[i] = True
            near = [j for j, (c, d, _) in enumerate(items) if not done[j] and (c - a) ** 2 + (d - b) ** 2 <= r * r]
            if not near:
                out.append((a, b, n))
                continue
            group = [(a, b, n), *(items[j] for j in near)]
            for j in near:
                done[j] = True
            total = sum(g[2] for g in group)
            out.append((sum(g[0] * g[2] for g in group) / total, sum(g[1] * g[2] for g in group) / total, total))
        items = out
    return items


def _obstacles(features, zoom: float) -> np.ndarray:
    """(x, y, radius) in pixels at `zoom` of every marker and project cluster drawn."""
    drawn = display_points(features)
    layer = features.loc[drawn.index, "layer"].to_numpy()
    x, y = _pixels(drawn["lon"].to_numpy(), drawn["lat"].to_numpy(), zoom)
    rows = [(a, b, MARKER_RADIUS) for a, b, kind in zip(x, y, layer) if kind != "projects"]
    for a, b, n in clustered(x[layer == "projects"], y[layer == "projects"], zoom):
        rows.append((a, b, MARKER_RADIUS if n == 1 else next(r for most, r in CLUSTER_RADII if n < most)))
    return np.array(rows).reshape(-1, 3)


def _clearance(lon, lat, obstacles: np.ndarray, zoom: float) -> np.ndarray:
    """For each candidate point, the pixels between its name-and-badge box and the nearest obstacle."""
    if not len(obstacles):
        return np.full(len(lon), np.inf)
    cx, cy = _pixels(lon, lat, zoom)
    ox, oy, radius = (obstacles[:, i][None, :] for i in range(3))
    left, right, top, bottom = LABEL_BOX
    dx = np.maximum(np.maximum(cx[:, None] + left - ox, ox - cx[:, None] - right), 0)
    dy = np.maximum(np.maximum(cy[:, None] + top - oy, oy - cy[:, None] - bottom), 0)
    return (np.hypot(dx, dy) - radius).min(axis=1)


def city_points(store, features=None) -> dict:
    """Each city's point, the five cities' and the rest of Shandong's: where its name stands
    (above it) and its badge of places known only to it. That is its label point, unless the
    markers or project clusters of `features` (the places not known only by city) would lie
    under the name or the badge there at zoom 6.5 or 8: then the nearest spot in the city,
    within ANCHOR_REACH, that leaves them GAP pixels (or the clearest, if none does)."""
    others = store.context[store.context["kind"] == "shandong_city"].rename(columns={"code": "adcode"})
    units = pd.concat([others[["adcode", "label_lon", "label_lat", "geometry"]], store.cities])
    if features is None:
        return {r.adcode: (r.label_lon, r.label_lat) for r in units.itertuples()}
    points = features[(features["precision"] != "city") & (features.geom_type == "Point")]
    obstacles = {z: _obstacles(points, z) for z in LABEL_ZOOMS}
    steps = np.arange(-ANCHOR_REACH, ANCHOR_REACH + 1e-9, ANCHOR_STEP)
    out = {}
    for r in units.itertuples():
        lon = (r.label_lon + steps[:, None] + 0 * steps[None, :]).ravel()
        lat = (r.label_lat + 0 * steps[:, None] + steps[None, :]).ravel()
        moved = np.hypot(lon - r.label_lon, lat - r.label_lat)
        inside = shapely.contains_xy(r.geometry, lon, lat) | (moved < 1e-9)
        lon, lat, moved = lon[inside], lat[inside], moved[inside]
        clear = np.minimum.reduce([_clearance(lon, lat, obstacles[z], z) for z in LABEL_ZOOMS])
        best = np.lexsort((moved, -np.minimum(clear, GAP)))[0]
        out[r.adcode] = (round(float(lon[best]), 5), round(float(lat[best]), 5))
    return out


def table_rows(features: pd.DataFrame, names: Names, labels: dict, lang: str = "zh") -> list[dict]:
    """One row per feature for the table; `labels` maps layer/precision/grade/status codes to words."""
    rows = []
    for r in features.itertuples():
        rows.append(
            {
                "id": r.id,
                "name": r.name_zh if lang == "zh" else r.name_en,
                "name_en": r.name_en,
                "layer": labels[f"layer.{r.layer}"],
                "category": names.categories[(r.layer, r.category)],
                "cities": "、".join(names.cities[c] for c in r.city_adcodes.split(";") if c) or "—",
                "county": names.counties.get(r.county_adcode, ""),
                "precision": labels[f"precision.{r.precision}"],
                "grade": labels[f"grade.{r.coord_grade}"],  # who gives the position (records.COORD_GRADES)
                "status": labels[f"status.{r.status}"] if r.status else "",
                "chapter": int(r.chapter),
                "plan_ref": r.plan_ref + (f" / {r.also.split('|')[1]}" if r.also else ""),
            }
        )
    return rows
