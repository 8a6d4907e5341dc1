"""The view in the URL: what a user sets, as a query string, and back.

`parse` never trusts what it reads: unknown keys, values of the wrong type,
extents outside the map and markup are dropped, each with a word in `dropped`
so that the page can say what was ignored; the rest is kept.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from dashboard.i18n import LANGS
from layers import indicators as ind
from layers.records import FEATURE_LAYERS, PRECISIONS, STATUSES

LIST_KEYS = ("layers", "category", "city", "chapter", "precision", "status", "group", "lead")
KEYS = ("indicator", "view", "scheme", *LIST_KEYS, "q", "sel", "lon", "lat", "z",
        "lang", "brief", "slide", "mode", "plan", "vs")
MODES = ("present",)
PLANS = ("jiaodong", "docking", "both")
BOUNDS = {"lon": (113.5, 127.0), "lat": (29.0, 41.5), "z": (3.5, 14.0)}  # geodata.boundaries.FRAME


@dataclass
class ViewState:
    values: dict = field(default_factory=dict)  # only the keys the URL set, validated
    dropped: list = field(default_factory=list)  # what was ignored, for the notice


def parse(search: str, allowed: dict) -> ViewState:
    """`allowed` maps indicators, categories, cities, chapters and features to their known
    values, and briefings to their number of slides."""
    state = ViewState()
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)[:50]
    raw: dict[str, str] = {}
    for key, value in pairs:
        if key not in KEYS:
            state.dropped.append(_short(key))
        else:
            raw[key] = value[:300]
    one = {"indicator": allowed.get("indicators", ()), "view": ind.VIEWS, "scheme": tuple(ind.SCHEMES),
           "lang": LANGS, "mode": MODES, "brief": tuple(allowed.get("briefings", {})), "plan": PLANS,
           "vs": ind.LEVEL_VIEWS}
    for key, choices in one.items():
        if key in raw:
            _keep(state, key, raw[key], raw[key] in choices)
    lists = {"layers": FEATURE_LAYERS, "category": allowed.get("categories", ()),
             "city": allowed.get("cities", ()), "precision": PRECISIONS, "status": STATUSES,
             "chapter": tuple(str(c) for c in allowed.get("chapters", ())),
             "group": allowed.get("groups", ()), "lead": allowed.get("leads", ())}
    for key, choices in lists.items():
        if key not in raw:
            continue
        items = [v for v in raw[key].split(",") if v]
        good = [v for v in items if v in choices]
        if len(good) < len(items):
            state.dropped.append(f"{key}={_short(','.join(v for v in items if v not in choices))}")
            if key == "layers" and not good:
                continue  # nothing usable: the default layers, not an empty map
        state.values[key] = [int(v) for v in good] if key == "chapter" else good
    if "q" in raw:
        state.values["q"] = raw["q"][:100]
    if "slide" in raw and "brief" in state.values:
        count = allowed["briefings"][state.values["brief"]]
        _keep(state, "slide", raw["slide"], raw["slide"].isascii() and raw["slide"].isdigit() and 1 <= int(raw["slide"]) <= count)
        if "slide" in state.values:
            state.values["slide"] = int(state.values["slide"])
    elif "slide" in raw:
        state.dropped.append(f"slide={_short(raw['slide'])}")
    if "sel" in raw:
        _keep(state, "sel", raw["sel"], raw["sel"] in allowed.get("features", ()))
    view = {}
    for key, (low, high) in BOUNDS.items():
        if key in raw:
            try:
                number = float(raw[key])
            except ValueError:
                number = math.nan
            if math.isfinite(number) and low <= number <= high:
                view[key] = number
            else:
                state.dropped.append(f"{key}={_short(raw[key])}")
    if {"lon", "lat", "z"} <= view.keys():
        state.values["focus"] = {"center": {"lon": view["lon"], "lat": view["lat"]}, "zoom": view["z"]}
    elif view:
        state.dropped.append("lon/lat/z (all three are needed)")
    return state


def encode(values: dict) -> str:
    """The query string for a view (values as parse gives them: the extent as
    `focus`); defaults are left out by the caller."""
    values = dict(values)
    focus = values.pop("focus", None)
    if focus:
        values.update(lon=focus["center"]["lon"], lat=focus["center"]["lat"], z=focus["zoom"])
    pairs = []
    for key in KEYS:
        value = values.get(key)
        if value in (None, "") or (value == [] and key != "layers"):  # no layers at all is a view
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, float):
            value = f"{value:.4f}".rstrip("0").rstrip(".")
        pairs.append((key, value))
    return "?" + urlencode(pairs, safe=",") if pairs else ""


def extent(relayout) -> dict | None:
    """Centre and zoom from the map's relayout event, when it carries them."""
    if not isinstance(relayout, dict):
        return None
    center, zoom = relayout.get("map.center"), relayout.get("map.zoom")
    if isinstance(center, dict) and isinstance(zoom, (int, float)):
        try:
            return {"center": {"lon": float(center["lon"]), "lat": float(center["lat"])}, "zoom": float(zoom)}
        except (KeyError, TypeError, ValueError):
            return None
    return None


def _keep(state: ViewState, key: str, value: str, ok: bool) -> None:
    if ok:
        state.values[key] = value
    else:
        state.dropped.append(f"{key}={_short(value)}")


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"
