"""Pure figure functions: data + view state in, figures and components out.

Nothing here reads files or computes geography.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
import plotly.graph_objects as go
from dash import html

from dashboard.i18n import t
from dashboard.numbers import fmt, fmt_with_cmp, level_unit, scaled, unit_label, view_unit
from layers import plans
from layers.indicators import LEVEL_VIEWS, PIVOT, STATUS_ORDER, CityValue, class_of

# One place for colours. ColorBrewer schemes, colour-blind safe.
SEA = "#d4e6f1"
LAND = "#f4f1ea"
LAND_EDGE = "#c9c2b4"
NO_DATA = "#c8c8c8"
SEQUENTIAL = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu
DIVERGING_NEG = ("#b35806", "#f1a340", "#fee0b6")  # PuOr, orange side
DIVERGING_POS = ("#d8daeb", "#998ec3", "#542788")  # PuOr, purple side
STATUS_COLORS = {"met": "#542788", "short": "#b35806", "unclear": "#fee0b6"}  # as the target cards
BAR_COLORS = {"baseline": "#7f8c9d", "target": "#253494", "actual": "#e08214"}

GEO_URL = "/geo/{}.geojson"
BAR_HEIGHT = 300  # px, the cities' bar chart (its place is kept for it until it is put in)
BAR_HEADROOM = 1.15  # the value axis reaches this far past the tallest bar, for its label
BOUNDS_MARGIN = np.array([-6.0, -0.5, 6.0, 0.5])  # degrees added to the backdrop's west, south, east, north
CENTER, ZOOM = plans.JIAODONG_FRAME["center"], plans.JIAODONG_FRAME["zoom"]

# A local style: no tiles and no glyph URL. Without one,
# MapLibre (6.9, in plotly.js 3.x) draws every label with the page's fonts and
# asks no server for glyph ranges; with one, it waited on a request per range
# (which this server could only answer 404) before placing any label.
# `sources` must not be empty: plotly.js drops an empty object from the layout
# on relayout, the style then differs, and MapLibre rejects the reloaded style.
# The page's map draws no sea: the figure's paper is the sea, seen through the map's
# canvas (in software GL a pass over the whole canvas, and one more shader to compile
# for the first map). A picture, white around its map, draws it (PICTURE_STYLE).
MAP_STYLE = {
    "version": 8,
    "sources": {"none": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}},
    "layers": [],
}
PICTURE_STYLE = {**MAP_STYLE, "layers": [{"id": "sea", "type": "background", "paint": {"background-color": SEA}}]}


def class_colors(breaks: list[float], view: str) -> list[str]:
    """Sequential colours for levels; diverging around zero for change and growth."""
    k = len(breaks)
    if k == 0:
        return []
    if view in LEVEL_VIEWS:
        idx = np.round(np.linspace(0, len(SEQUENTIAL) - 1, k)).astype(int) if k > 1 else [2]
        return [SEQUENTIAL[i] for i in idx]
    pivot = PIVOT.get(view, 0.0)
    neg = [i for i, b in enumerate(breaks) if b <= pivot]
    pos = [i for i, b in enumerate(breaks) if b > pivot]
    colors = [""] * k
    for rank, i in enumerate(reversed(neg)):
        colors[i] = DIVERGING_NEG[::-1][min(rank, 2)]
    for rank, i in enumerate(pos):
        colors[i] = DIVERGING_POS[min(rank, 2)]
    return colors


def colorscale(colors: list[str]) -> list[list]:
    """A stepped colour scale for z = class index, with -1 = no data."""
    bins = [NO_DATA, *colors]
    n = len(bins)
    if n == 1:
        return [[0, NO_DATA], [1, NO_DATA]]
    scale = []
    for i, c in enumerate(bins):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def source_line(rec, lang: str = "zh") -> str:
    quality = t(f"quality.{rec['quality']}", lang)
    src = rec["source"]
    if src.startswith("http"):
        src = urlparse(src).netloc
    imported = f"{t('imported', lang)} · " if rec.get("imported") else ""
    return f"{imported}{quality} · {src}"


def source_summary(records, lang: str = "zh") -> str:
    """One line naming where what the map shows comes from, for screens and exports."""
    parts = []
    for rec in records:
        src = rec["source"]
        label = (
            t("sourceline.plan", lang)
            if rec["quality"] == "plan"
            else urlparse(src).netloc
            if src.startswith("http")
            else src
        )
        if label not in parts:
            parts.append(label)
    parts.append(t("sourceline.boundaries", lang))
    return t("sourceline", lang).format(sources="; ".join(parts))


def hover_texts(values: list[CityValue], names: dict, defn, view: str, lang="zh") -> list[str]:
    unit = view_unit(defn, view, lang)
    decimals = 1 if view in ("growth", "progress") else int(defn["decimals"])
    label = t(f"view.{view}", lang)
    out = []
    for cv in values:
        shown = fmt_with_cmp(cv.value, cv.comparator, decimals, lang, level_unit(defn, view))
        lines = [f"<b>{names[cv.adcode]}</b>", f"{label}: {shown}" + ("" if cv.value is None else f" {unit}")]
        for rec in cv.inputs:
            lines.append(f"{t('source', lang)} ({rec['year']}): {source_line(rec, lang)}")
        if view not in LEVEL_VIEWS and cv.value is not None:
            lines.append(t("derived.from", lang))
        out.append("<br>".join(lines))
    return out


def choropleth_state(values: list[CityValue], breaks: list[float], view: str, names: dict, defn, lang="zh") -> dict:
    """What changes on the map when the indicator or view changes (sent as a Patch)."""
    colors = class_colors(breaks, view)
    return {
        "z": [class_of(cv.value, breaks) for cv in values],
        "colorscale": colorscale(colors),
        "zmin": -1,
        "zmax": max(len(colors) - 1, 0),
        "customdata": hover_texts(values, names, defn, view, lang),
    }


def status_state(statuses: list[tuple], names: dict, defn, lang="zh") -> dict:
    """The on/off-track view: one colour per status, the target and the result in the hover."""
    decimals = int(defn["decimals"])
    unit = unit_label(defn["unit"], defn["unit_en"], lang)
    hover = []
    for status, target, actual in statuses:
        lines = [f"<b>{names[target.adcode]}</b>", t(f"status.{status}", lang)]
        for kind, cv in (("target", target), ("actual", actual)):
            shown = fmt_with_cmp(cv.value, cv.comparator, decimals, lang, defn["unit"])
            lines.append(f"{t(f'view.{kind}', lang)}: {shown}" + ("" if cv.value is None else f" {unit}"))
            lines += [f"{t('source', lang)} ({rec['year']}): {source_line(rec, lang)}" for rec in cv.inputs]
        hover.append("<br>".join(lines))
    colors = [STATUS_COLORS[s] for s in STATUS_ORDER]
    return {
        "z": [STATUS_ORDER.index(s) if s in STATUS_ORDER else -1 for s, _, _ in statuses],
        "colorscale": colorscale(colors),
        "zmin": -1,
        "zmax": len(colors) - 1,
        "customdata": hover,
    }


def status_legend(lang="zh") -> Legend:
    rows = [(c, t(f"status.{s}", lang)) for s, c in STATUS_COLORS.items()]
    return Legend(
        t("view.status", lang), (*rows, (NO_DATA, t("status.no_data", lang)), (None, t("legend.status", lang)))
    )


OUTLINE = 1.6
OUTLINE_SELECTED = 4.5


def selection_state(adcodes: list[str], selected: str | None) -> dict:
    """Trace-0 update that draws the selected city's outline heavier."""
    return {"marker.line.width": [OUTLINE_SELECTED if c == selected else OUTLINE for c in adcodes]}


# The land and the county borders: MapLibre layers fetched by URL, one fetch and parse each.
BACKDROP = [
    {
        "source": GEO_URL.format("context"),
        "sourcetype": "geojson",
        "type": "fill",
        "color": LAND,
        "fill": {"outlinecolor": LAND_EDGE},
        "below": "traces",
    },
    {
        "source": GEO_URL.format("counties"),
        "sourcetype": "geojson",
        "type": "line",
        "color": "#ffffff",
        "opacity": 0.85,
        "line": {"width": 0.7},
    },
]


# A city's name stands above its point, clear of the point itself: there stand its badge
# (the places known only to it, dashboard/feature_layers.badge_trace) and the project
# clusters around it, whose counts a name on the point hid. plotly.js 4.1 sets a text's
# distance from its point by its marker's size (a text-only trace has none, and gets no
# distance at all): an unseen marker this size puts the name's foot 1.2 em above the point.
NAME_ABOVE = {"mode": "markers+text", "textposition": "top center", "marker": {"size": 90, "opacity": 0}}


# The map's traces, bottom to top: the browser restyles them by these numbers
# (assets/atlas.js finds the choropleth and the flows by their uid).
CHOROPLETH, CONTEXT_LABELS, FLOWS, PLACES = 0, 1, 2, 3


def map_figure(
    cities,
    context,
    state: dict,
    lang: str = "zh",
    flows=None,
    places=(),
    center=None,
    zoom=None,
    fit=None,
    anchors: dict | None = None,
) -> go.Figure:
    """The whole map, built once for the first page; later the colours are
    restyled in the browser. Every boundary is fetched by URL and cached.
    `flows` and `places` (the plans' traces) come together, or neither (the compared map).
    `anchors`: where a city's name stands, if not at its label point (layers.features.city_points)."""
    assert (flows is None) == (not places), "the flows' and places' traces come together"
    choropleth = go.Choroplethmap(
        geojson=GEO_URL.format("cities"),
        featureidkey="properties.adcode",
        locations=list(cities["adcode"]),
        showscale=False,
        marker={"line": {"color": "#2b2b2b", "width": OUTLINE}, "opacity": 0.92},
        hovertemplate="%{customdata}<extra></extra>",
        uid="choropleth",
        **state,
    )
    labels, around = _names(cities, context, lang, anchors)
    # City names go last, so that MapLibre places them before any marker label
    # that would collide with them.
    plan_traces = [flows.update(uid="flows"), *places] if flows is not None else []
    fig = go.Figure([choropleth, around, *plan_traces, labels])
    fig.update_layout(
        template="none",
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor=SEA,  # the sea, under the map (MAP_STYLE)
        showlegend=False,
        map={
            "style": MAP_STYLE,
            "center": center or CENTER,
            "zoom": zoom or ZOOM,
            "layers": BACKDROP,
            # No panning far past the backdrop; the margin east and west lets a wide
            # screen zoom out to Beijing and Shanghai at once (the backdrop is taller than wide).
            "bounds": dict(zip(("west", "south", "east", "north"), (context.total_bounds + BOUNDS_MARGIN).round(2))),
        },
        hoverlabel={"bgcolor": "white", "font": {"size": 13}, "align": "left"},
        uirevision="map",  # keep the user's pan and zoom across updates
        # Bounds the page's map widens its view to show whole, if it is too small for them.
        **({"meta": {"fit": fit}} if fit else {}),
    )
    return fig


def name_texts(cities, context, lang: str) -> dict:
    """The map's names by trace uid: the five cities' and the regions' around them."""
    key = "name_zh" if lang == "zh" else "name_en"
    return {"names": list(cities[key]), "around": list(context[key])}


def _names(cities, context, lang: str, anchors: dict | None) -> tuple:
    """The five cities' names, and the names of the regions around them, above their points."""
    texts = name_texts(cities, context, lang)
    at = _name_points(cities["adcode"], cities, anchors)
    labels = go.Scattermap(
        lon=at[0],
        lat=at[1],
        text=texts["names"],
        textfont={"size": 15, "color": "#111111"},
        **NAME_ABOVE,
        hoverinfo="skip",
        uid="names",
    )
    at = _name_points(context["code"], context, anchors)
    around = go.Scattermap(
        lon=at[0],
        lat=at[1],
        text=texts["around"],
        textfont={"size": 12, "color": "#8a8478"},
        **NAME_ABOVE,
        hoverinfo="skip",
        uid="around",
    )
    return labels, around


def _name_points(codes, units, anchors: dict | None) -> tuple[list, list]:
    """Where the units' names stand: their anchors, else their label points."""
    anchors = anchors or {}
    points = [anchors.get(c, (x, y)) for c, x, y in zip(codes, units["label_lon"], units["label_lat"])]
    return [float(p[0]) for p in points], [float(p[1]) for p in points]


@dataclass(frozen=True)
class Legend:
    """What a legend says, drawn by the page (legend_html) and by the exports."""

    unit: str
    rows: tuple  # (colour, text); a colour of None is a note


def legend(breaks: list[float], view: str, defn, lang="zh", bounded: bool = False) -> Legend:
    """Class ranges, the no-data swatch, and a word on bounds where any value is one."""
    colors = class_colors(breaks, view)
    decimals = 1 if view in ("growth", "progress") else int(defn["decimals"])
    unit = level_unit(defn, view)
    breaks = [scaled(b, decimals, unit, lang)[0] for b in breaks]
    decimals = scaled(0.0, decimals, unit, lang)[1]
    rows, lower = [], None
    for b, c in zip(breaks, colors):
        text = fmt(b, decimals) if lower is None else f"{fmt(lower, decimals)} – {fmt(b, decimals)}"
        if lower is None and len(breaks) > 1:
            text = f"≤ {fmt(b, decimals)}"
        rows.append((c, text))
        lower = b
    rows.append((NO_DATA, t("no_data", lang)))
    if bounded:
        rows.append((None, t("legend.bounds", lang)))
    return Legend(view_unit(defn, view, lang), tuple(rows))


def legend_html(legend: Legend) -> list:
    return [
        html.Div(legend.unit, className="legend-unit"),
        *[
            html.Div([html.Span(className="swatch", style={"background": c}), html.Span(text)], className="legend-row")
            if c
            else html.Div(text, className="legend-note")
            for c, text in legend.rows
        ],
    ]


def bar_figure(series: dict[str, list[CityValue]], names: list[str], defn, lang="zh") -> go.Figure:
    """Cities side by side: 2020 baseline, 2025 target and 2025 actual."""
    decimals = int(defn["decimals"])
    fig = go.Figure()
    for view, values in series.items():
        fig.add_bar(
            name=t(f"view.{view}", lang),
            x=names,
            y=[scaled(cv.value, decimals, defn["unit"], lang)[0] for cv in values],
            text=[
                fmt_with_cmp(cv.value, cv.comparator, decimals, lang, defn["unit"]) if cv.value is not None else ""
                for cv in values
            ],
            textposition="outside",
            cliponaxis=False,
            marker_color=BAR_COLORS[view],
            textfont={"size": 11},
            hovertemplate="%{x}: %{text}<extra>" + t(f"view.{view}", lang) + "</extra>",
        )
    fig.update_layout(
        template="none",
        barmode="group",
        height=BAR_HEIGHT,
        uniformtext={"minsize": 10, "mode": "show"},
        # The legend (two rows in the side panel) stands above the plot, not over its top.
        margin={"l": 48, "r": 8, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        yaxis={"title": {"text": view_unit(defn, "baseline", lang)}, "rangemode": "tozero", "gridcolor": "#e5e5e5"},
        font={"family": "Noto Sans CJK SC, sans-serif", "size": 12},
    )
    # Room above the tallest bar for its value label: plotly.js 4.1.1 leaves the labels out of
    # the axis's range, and the tallest one stood above the plot, under the legend.
    heights = [y for bar in fig.data for y in bar.y if y is not None]
    if heights and min(heights) >= 0 and max(heights) > 0:
        fig.update_yaxes(range=[0, max(heights) * BAR_HEADROOM])
    return fig
