"""The plan's places on the map: one trace per drawable group, styled once here.

`traces()` builds them for the first page; `state()` gives the per-trace
updates the browser applies (Plotly.restyle) when the filters change, so the
map never re-renders as a whole.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.i18n import t
from layers import features as lf

BASE = 2  # traces before these: the choropleth and the context labels
ZONES_URL = "/geo/zones.geojson"
HIGHLIGHT = "#ffd400"
OPACITY = {"site": 1.0, "county": 0.8, "city": 0.6, "schematic": 0.9}  # less sure, lighter


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


# Drawing order, bottom to top. Okabe–Ito colours: distinct for colour-blind
# viewers and apart from the choropleth's yellow–green–blue.
SPECS = (
    Spec("zones", "zones", "area", "#cc79a7"),
    Spec("highlight-line", None, "line", HIGHLIGHT, 10),
    Spec("corridors-axis", "corridors", "line", "#7b3294", 4, ("axis",)),
    Spec("corridors-link", "corridors", "line", "#8c8c8c", 2.5, ("link",)),
    Spec("corridors-rail", "corridors", "line", "#cc79a7", 3, ("rail",)),
    Spec("corridors-road", "corridors", "line", "#e69f00", 3, ("road",)),
    Spec("corridors-pipeline", "corridors", "line", "#8c510a", 2.5, ("pipeline",)),
    Spec("ecology-lines", "ecology", "line", "#009e73", 3),
    Spec("highlight-point", None, "point", HIGHLIGHT, 26),
    Spec("ecology-points", "ecology", "point", "#009e73", 10),
    Spec("bays", "bays", "point", "#0072b2", 10, text=True),
    Spec("ports", "ports", "point", "#111111", 12, text=True),
    Spec("projects", "projects", "point", "#d55e00", 10, cluster=True),
)
INDEX = {s.key: BASE + i for i, s in enumerate(SPECS)}
LAYER_COLORS = {"zones": "#cc79a7", "corridors": "#7b3294", "ecology": "#009e73",
                "bays": "#0072b2", "ports": "#111111", "projects": "#d55e00"}
CLICKABLE = {INDEX[s.key] for s in SPECS if s.layer}


def _members(features, spec: Spec):
    f = features[features["layer"] == spec.layer]
    if spec.categories:
        f = f[f["category"].isin(spec.categories)]
    kind = {"area": "Polygon", "line": "LineString", "point": "Point"}[spec.geom]
    types = f.geom_type.fillna("")
    return f[types.str.endswith(kind)]


def _hover(r, names: lf.Names, lang: str) -> str:
    name = r.name_zh if lang == "zh" else r.name_en
    return (f"<b>{name}</b><br>{names.categories[(r.layer, r.category)]}"
            f"<br>{t('feature.precision', lang)}: {t(f'precision.{r.precision}', lang)}"
            f"<br>{r.plan_ref}")


def _update(spec: Spec, members, positions, names, lang) -> dict:
    """The data arrays of one trace for the given features. An empty trace is
    hidden instead: plotly.js 4.1 fails ("Source already exists") when a map
    trace that had points is given none and then some again."""
    if members.empty:
        return {"visible": False}
    hover = [_hover(r, names, lang) for r in members.itertuples()]
    ids = list(members["id"])
    if spec.geom == "area":
        return {"locations": ids, "z": [0] * len(ids), "customdata": ids, "hovertext": hover,
                "visible": True}
    if spec.geom == "line":
        lon, lat, custom, text = [], [], [], []
        for fid, geom, h in zip(ids, members.geometry, hover):
            xs, ys = geom.xy
            lon += [round(x, 4) for x in xs] + [None]
            lat += [round(y, 4) for y in ys] + [None]
            custom += [fid] * len(xs) + [None]
            text += [h] * len(xs) + [None]
        return {"lon": lon, "lat": lat, "customdata": custom, "hovertext": text, "visible": True}
    pos = positions.loc[members.index]
    update = {"visible": True, "lon": list(pos["lon"].round(5)), "lat": list(pos["lat"].round(5)),
              "customdata": ids, "hovertext": hover,
              "marker.opacity": [OPACITY[p] for p in members["precision"]]}
    if spec.text:
        update["text"] = list(members["name_zh" if lang == "zh" else "name_en"])
    return update


def state(features, positions, visible_ids, selected: str | None, names: lf.Names,
          lang: str = "zh") -> list[dict]:
    """Per-trace updates: the visible features of each trace, and the highlight."""
    shown = features[features["id"].isin(set(visible_ids))]
    chosen = features[features["id"] == selected]
    out = []
    for spec in SPECS:
        if spec.layer is None:
            members = _members_any(chosen, spec.geom)
        else:
            members = _members(shown, spec)
        update = _update(spec, members, positions, names, lang)
        out.append({"index": INDEX[spec.key], "update": update, "digest": digest(update)})
    return out


def digest(update: dict) -> str:
    """A short fingerprint of a trace's data, so the browser restyles only what changed."""
    text = json.dumps(update, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _members_any(features, geom: str):
    kind = {"line": "LineString", "point": "Point"}[geom]
    return features[features.geom_type.fillna("").str.endswith(kind)]


def traces(features, positions, visible_ids, names: lf.Names, lang: str = "zh") -> list:
    """The feature traces of the first page, already filtered."""
    updates = {u["index"]: u["update"] for u in state(features, positions, visible_ids, None, names, lang)}
    out = []
    for spec in SPECS:
        data = {"lon": [], "lat": [], "locations": [], "z": [], "customdata": [], "hovertext": [],
                "text": [], **updates[INDEX[spec.key]]}
        hoverinfo = {"hoverinfo": "skip"} if spec.layer is None else {
            "hovertemplate": "%{hovertext}<extra></extra>"}
        if spec.geom == "area":
            out.append(go.Choroplethmap(
                geojson=ZONES_URL, featureidkey="properties.id", locations=data["locations"],
                z=data["z"], customdata=data["customdata"], hovertext=data["hovertext"],
                colorscale=[[0, spec.color], [1, spec.color]], showscale=False, zmin=0, zmax=1,
                visible=data["visible"],
                marker={"opacity": 0.35, "line": {"color": "#6a1b5a", "width": 2}}, **hoverinfo))
        elif spec.geom == "line":
            out.append(go.Scattermap(
                mode="lines", lon=data["lon"], lat=data["lat"], customdata=data["customdata"],
                hovertext=data["hovertext"], line={"color": spec.color, "width": spec.size},
                visible=data["visible"],
                opacity=0.9 if spec.layer else 0.8, **hoverinfo))
        else:
            marker = {"size": spec.size, "color": spec.color,
                      "opacity": data.get("marker.opacity", 0.85)}
            extra = {}
            if spec.text:
                extra = {"mode": "markers+text", "text": data["text"], "textposition": "top right",
                         "textfont": {"size": 12, "color": spec.color}}
            if spec.cluster:
                extra["cluster"] = {"enabled": True, "maxzoom": 9, "color": spec.color,
                                    "opacity": 0.85, "size": [16, 22, 30], "step": [10, 30]}
            out.append(go.Scattermap(
                mode=extra.pop("mode", "markers"), lon=data["lon"], lat=data["lat"],
                customdata=data["customdata"], hovertext=data["hovertext"], marker=marker,
                visible=data["visible"], **extra, **hoverinfo))
    return out
