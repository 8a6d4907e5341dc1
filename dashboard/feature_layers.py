"""The plan's places on the map: one trace per drawable group, styled once here.

`traces()` styles them once; `trace_data()` is what the browser fills them
with, for whichever rows the table shows (assets/atlas.js), so filtering
never asks the server for map data.

A place known only to its city is not a point: the source does not say where in
the city it is. Each city with such places shown gets one badge at its point,
counting them (`badge_arrays`, mirrored by assets/atlas.js `badgeArrays`); a click
on it lists them (dashboard/badge_callbacks.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.figures import GEO_URL, PLACES
from dashboard.i18n import t
from layers import features as lf
from layers import map_layers

HIGHLIGHT = "#ffd400"
OPACITY = {"site": 1.0, "county": 0.8, "city": 0.6, "schematic": 0.9}  # less sure, lighter
BADGE_COLOR = "#34495e"  # a city's list of the places known only to it: no layer's colour
BADGE_SIZE = 24
BADGE_NAMES = 8  # names a badge's hover lists before "and N more"


@dataclass(frozen=True)
class Spec:
    key: str
    layer: str | None  # None: the highlight of the selected feature
    geom: str  # area | line | point
    color: str
    size: float = 10  # marker size or line width
    categories: tuple = ()
    text: bool = False  # draw names beside the markers
    cluster: bool = False


# Drawing order, bottom to top. A layer's own colour is its registry's (layers.map_layers);
# the corridors' kinds have their own, Okabe–Ito like the layers'.
C = map_layers.COLORS
SPECS = (
    Spec("zones", "zones", "area", C["zones"]),
    Spec("highlight-line", None, "line", HIGHLIGHT, 10),
    Spec("corridors-axis", "corridors", "line", C["corridors"], 4, ("axis",)),
    Spec("corridors-link", "corridors", "line", "#8c8c8c", 2.5, ("link",)),
    Spec("corridors-rail", "corridors", "line", "#cc79a7", 3, ("rail",)),
    Spec("corridors-road", "corridors", "line", "#e69f00", 3, ("road",)),
    Spec("corridors-pipeline", "corridors", "line", "#8c510a", 2.5, ("pipeline",)),
    Spec("corridors-waterway", "corridors", "line", "#0072b2", 3, ("waterway",)),
    Spec("ecology-lines", "ecology", "line", C["ecology"], 3),
    Spec("highlight-point", None, "point", HIGHLIGHT, 26),
    Spec("ecology-points", "ecology", "point", C["ecology"], 10),
    Spec("bays", "bays", "point", C["bays"], 10, text=True),
    Spec("ports", "ports", "point", C["ports"], 12, text=True),
    Spec("projects", "projects", "point", C["projects"], 10, cluster=True),
)
INDEX = {s.key: PLACES + i for i, s in enumerate(SPECS)}  # their trace numbers on the map
BADGES = PLACES + len(SPECS)  # the cities' badges, above every place
FLOW_COLOR = "#56b4e9"
CLICKABLE = {INDEX[s.key] for s in SPECS if s.layer}


def city_level(features):
    """The points known only to their city: drawn as their city's badge, never as a point."""
    return (features["precision"] == "city") & (features.geom_type == "Point")


def _members(features, spec: Spec):
    f = features[(features["layer"] == spec.layer) & ~city_level(features)]
    if spec.categories:
        f = f[f["category"].isin(spec.categories)]
    kind = {"area": "Polygon", "line": "LineString", "point": "Point"}[spec.geom]
    types = f.geom_type.fillna("")
    return f[types.str.endswith(kind)]


def _hover(r, names: lf.Names, lang: str) -> str:
    name = r.name_zh if lang == "zh" else r.name_en
    return (
        f"<b>{name}</b><br>{names.categories[(r.layer, r.category)]}"
        f"<br>{t('feature.precision', lang)}: {t(f'precision.{r.precision}', lang)}"
        f"<br>{r.plan_ref}"
    )


def _item(spec: Spec, r, positions, names, lang) -> dict:
    """What one feature contributes to its trace."""
    item = {"hover": _hover(r, names, lang)}
    if spec.geom == "line":
        xs, ys = r.geometry.xy
        item.update(lon=[round(x, 4) for x in xs], lat=[round(y, 4) for y in ys])
    elif spec.geom == "point":
        item.update(
            lon=round(float(positions.loc[r.Index, "lon"]), 5),
            lat=round(float(positions.loc[r.Index, "lat"]), 5),
            opacity=OPACITY[r.precision],
        )
        if spec.text:
            item["text"] = r.name_zh if lang == "zh" else r.name_en
    return item


def trace_data(features, positions, names: lf.Names, lang: str = "zh", anchors: dict | None = None) -> list[dict]:
    """Everything the browser needs to draw any subset of the places, per trace.

    Sent once with the page; the browser shows the rows the table shows
    (assets/atlas.js, restyleFeatures) without asking the server again.
    `anchors`: each city's point (lf.city_points), where its badge stands.
    """
    out = []
    for spec in SPECS:
        entry = {"index": INDEX[spec.key], "geom": spec.geom, "text": spec.text, "cluster": spec.cluster}
        if spec.layer is None:
            entry["highlight"] = True
        else:
            members = _members(features, spec)
            entry["order"] = list(members["id"])
            entry["items"] = {r.id: _item(spec, r, positions, names, lang) for r in members.itertuples()}
        out.append(entry)
    out.append(badge_data(features, names, lang, anchors or {}))
    return out


def badge_data(features, names: lf.Names, lang: str, anchors: dict) -> dict:
    """The badges' entry: each city-level place's city and name, each city's point and
    name, and the words of a badge's hover. `order` runs city by city, so that the ids
    a badge trace shows, read badge by badge, are in `order`'s order (atlas.js, seed)."""
    members = features[city_level(features)]
    city = members["city_adcodes"].str.split(";").str[0]
    cities, items = {}, {}
    for code in dict.fromkeys(city):  # in the store's order
        own = members[city == code]
        lon, lat = anchors.get(code) or (own.geometry.x.mean(), own.geometry.y.mean())
        cities[code] = {"lon": round(float(lon), 5), "lat": round(float(lat), 5), "name": names.cities.get(code, code)}
        for r in own.itertuples():
            name = r.name_zh if lang == "zh" else r.name_en
            items[r.id] = {"city": code, "name": name, "lon": cities[code]["lon"], "lat": cities[code]["lat"]}
    return {
        "index": BADGES,
        "geom": "badge",
        "text": False,
        "cluster": False,
        "order": list(items),
        "items": items,
        "cities": cities,
        "words": {key: t(f"badge.{key}", lang) for key in ("head", "more", "click")},
        "names": BADGE_NAMES,
    }


def badge_arrays(entry: dict, ids_: list) -> dict:
    """The badge trace's arrays for the shown ids (in `order`'s order): one badge per city,
    its count as its text, its places' names in its hover, [city, *ids] as its customdata.
    assets/atlas.js (badgeArrays) computes the same from the same entry."""
    by_city: dict = {}
    for fid in ids_:
        if fid in entry["items"]:
            by_city.setdefault(entry["items"][fid]["city"], []).append(fid)
    if not by_city:
        return {"visible": False}
    words, most = entry["words"], entry["names"]
    out = {"visible": True, "lon": [], "lat": [], "text": [], "customdata": [], "hovertext": []}
    for code, members in by_city.items():
        city = entry["cities"][code]
        listed = [entry["items"][fid]["name"] for fid in members[:most]]
        if len(members) > most:
            listed.append(words["more"].replace("{n}", str(len(members) - most)))
        head = words["head"].replace("{city}", city["name"]).replace("{n}", str(len(members)))
        out["lon"].append(city["lon"])
        out["lat"].append(city["lat"])
        out["text"].append(str(len(members)))
        out["customdata"].append([code, *members])
        out["hovertext"].append("<br>".join([f"<b>{head}</b>", *listed, f"<i>{words['click']}</i>"]))
    return out


def traces(data: list[dict]) -> list:
    """The feature traces, styled and empty: the browser fills them (see trace_data)."""
    items = {d["index"]: d for d in data}
    out = []
    for spec in SPECS:
        hoverinfo = {"hoverinfo": "skip"} if spec.layer is None else {"hovertemplate": "%{hovertext}<extra></extra>"}
        if spec.geom == "area":
            out.append(
                go.Choroplethmap(
                    geojson=GEO_URL.format("zones"),
                    featureidkey="properties.id",
                    locations=[],
                    z=[],
                    colorscale=[[0, spec.color], [1, spec.color]],
                    showscale=False,
                    zmin=0,
                    zmax=1,
                    visible=False,
                    marker={"opacity": 0.35, "line": {"color": "#6a1b5a", "width": 2}},
                    **hoverinfo,
                )
            )
        elif spec.geom == "line":
            out.append(
                go.Scattermap(
                    mode="lines",
                    lon=[],
                    lat=[],
                    line={"color": spec.color, "width": spec.size},
                    opacity=0.9 if spec.layer else 0.8,
                    visible=False,
                    **hoverinfo,
                )
            )
        else:
            out.append(_point_trace(spec, items[INDEX[spec.key]], hoverinfo))
    out.append(badge_trace())
    return out


def badge_trace() -> go.Scattermap:
    """The cities' badges: a disc with its count in it (filled by badge_arrays)."""
    return go.Scattermap(
        mode="markers+text",
        lon=[],
        lat=[],
        visible=False,
        marker={"size": BADGE_SIZE, "color": BADGE_COLOR, "opacity": 0.92},
        textposition="middle center",
        textfont={"size": 12, "color": "#ffffff"},
        hovertemplate="%{hovertext}<extra></extra>",
    )


def _point_trace(spec: Spec, data: dict, hoverinfo: dict) -> go.Scattermap:
    """A clustered trace starts with all its points: plotly.js 4.1 sets up
    clustering only for a trace that has points when it is first drawn."""
    extra = {}
    if spec.text:
        extra = {"mode": "markers+text", "textposition": "top right", "textfont": {"size": 12, "color": spec.color}}
    points = {"lon": [], "lat": [], "visible": False}
    if spec.cluster:
        extra["cluster"] = {
            "enabled": True,
            "maxzoom": 9,
            "color": spec.color,
            "opacity": 0.85,
            "size": [16, 22, 30],
            "step": [10, 30],
        }
        entry = data["items"].values()
        points = {"lon": [i["lon"] for i in entry], "lat": [i["lat"] for i in entry], "visible": True}
    return go.Scattermap(
        mode=extra.pop("mode", "markers"),
        **points,
        marker={"size": spec.size, "color": spec.color, "opacity": 0.85},
        **extra,
        **hoverinfo,
    )


def filled_traces(data: list[dict], visible: set, zones_geojson=None) -> list:
    """The feature traces with the `visible` places drawn in them: the page's first
    map (assets/atlas.js draws every later change) and the static exports."""
    out = traces(data)
    out[-1].update(badge_arrays(data[-1], [i for i in data[-1]["order"] if i in visible]))
    for spec, trace, entry in zip(SPECS, out, data):
        ids_ = [] if spec.layer is None else [i for i in entry["order"] if i in visible]
        items = [entry["items"][i] for i in ids_]
        if not items:
            # (A clustered trace keeps its points: see traces().)
            trace.update(visible=False)
            continue
        hover = [it["hover"] for it in items]
        # The arrays assets/atlas.js gives a trace (arrays()), ids in customdata: the page
        # opens with these drawn, and the browser redraws only what its first update changes.
        if spec.geom == "area":
            trace.update(
                visible=True,
                locations=ids_,
                z=[0] * len(ids_),
                customdata=ids_,
                hovertext=hover,
                geojson=zones_geojson or GEO_URL.format("zones"),
            )
        elif spec.geom == "line":
            lon, lat, custom, texts = [], [], [], []
            for fid, it in zip(ids_, items):
                lon += [*it["lon"], None]
                lat += [*it["lat"], None]
                custom += [fid] * len(it["lon"]) + [None]
                texts += [it["hover"]] * len(it["lon"]) + [None]
            trace.update(visible=True, lon=lon, lat=lat, customdata=custom, hovertext=texts)
        else:
            trace.update(
                visible=True,
                lon=[it["lon"] for it in items],
                lat=[it["lat"] for it in items],
                customdata=ids_,
                hovertext=hover,
                marker={"opacity": [it["opacity"] for it in items]},
                **({"text": [it["text"] for it in items]} if spec.text else {}),
            )
    return out


def flow_trace() -> go.Scattermap:
    """The docking plan's links, drawn by the browser (see flow_data); hidden at first."""
    return go.Scattermap(
        mode="lines",
        lon=[],
        lat=[],
        visible=False,
        opacity=0.75,
        line={"color": FLOW_COLOR, "width": 2.5},
        hovertemplate="%{hovertext}<extra></extra>",
    )


def flow_data(links, tasks, names: lf.Names, lang: str = "zh") -> dict:
    """The flow trace's arrays for the given links (layers.docking.links):
    one segment per city–partner pair, hovering the tasks that draw it."""
    if links is None or len(links) == 0:
        return {"visible": False}
    title = dict(zip(tasks["number"], tasks["title_zh" if lang == "zh" else "title_en"]))
    lon, lat, hover = [], [], []
    for r in links.itertuples(index=False):
        src = names.cities.get(r.city, t("province", lang))
        text = f"<b>{src} → {names.regions.get(r.partner, r.partner)}</b><br>" + "<br>".join(
            f"{t('task.n', lang).format(n=n)} {title.get(n, '')}" for n in r.tasks
        )
        arc = _arc(r.from_lon, r.from_lat, r.to_lon, r.to_lat)
        lon += [x for x, _ in arc] + [None]
        lat += [y for _, y in arc] + [None]
        hover += [text] * len(arc) + [None]
    return {"visible": True, "lon": lon, "lat": lat, "hovertext": hover}


# Links are drawn as arcs, not straight lines: the many that leave one city for Beijing,
# Tianjin, Hebei or the Yangtze Delta's provinces would lie on one another. Each bends to the
# left of its direction by a share of its length (a quadratic curve through ARC_STEPS points).
ARC_STEPS = 16
ARC_BEND = 0.18


def _arc(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    cx, cy = (x0 + x1) / 2 - (y1 - y0) * ARC_BEND, (y0 + y1) / 2 + (x1 - x0) * ARC_BEND
    out = []
    for i in range(ARC_STEPS + 1):
        u = i / ARC_STEPS
        a, b, c = (1 - u) ** 2, 2 * (1 - u) * u, u**2
        out.append((round(a * x0 + b * cx + c * x1, 4), round(a * y0 + b * cy + c * y1, 4)))
    return out
