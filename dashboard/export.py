"""Exports of a view: a slide-sized PNG, an offline HTML map, the places as
GeoPackage or GeoJSON and the figures as CSV, each with its sources.

One module serves the app's download links (/export/view.<kind>?<view>) and
the command line, for a whole briefing at once:

    python -m dashboard.export --view "?indicator=gdp&view=target" --png out.png --html out.html
    python -m dashboard.export --briefing ports-and-sea --out exports/ [--lang en]
    python -m dashboard.export --briefing ports-and-sea --pptx deck.pptx --pdf deck.pdf
"""

from __future__ import annotations

import argparse
import atexit
import html as html_text
import json
import os
import queue
import signal
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from dash import Dash, html
from flask import Response, request

from dashboard import feature_layers as fl
from dashboard import figures, ids, memory, security
from dashboard.export_queue import Busy, RenderQueue
from dashboard.i18n import LANGS, t
from dashboard.page import Page, all_figures, indicator_of, map_view
from dashboard.view import View
from layers import features as lf
from layers import map_layers, spreadsheet

KINDS = {
    "png": "image/png",
    "html": "text/html; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
}
SIZE = (1920, 1080)  # a 16:9 slide
PNG_ZOOM = 7.0  # the opening view at slide width shows the five cities and the sea between
ASSETS = Path(__file__).resolve().parent.parent / "assets"
LEAFLET = ASSETS / "vendor" / "leaflet-1.9.4"
# The page's own plotly.js draws the pictures too: the same map, and without MapLibre's
# label fade (see assets/plotly/build/build.mjs), which made a picture 5.3 s, not 2.6 s.
PLOTLY_JS = ASSETS / "plotly" / "plotly-atlas.min.js"
PLACE_COLUMNS = (
    "id",
    "plan",
    "layer",
    "category",
    "name_zh",
    "name_en",
    "city_adcodes",
    "county_adcode",
    "status",
    "precision",
    "plan_ref",
    "quote",
    "coord_source",
    "coord_quote",
    "note",
)
# One PNG renders and two wait, per process; the rest get a 503 at once. A
# waiting request holds a server thread: with gunicorn's 4 threads (THREADS)
# a worker keeps at least one for the pages, fewer threads let fewer wait.
PNG_QUEUE = RenderQueue(waiting=max(0, min(2, int(os.environ.get("THREADS", "4")) - 2)))
# The renders yield the CPU to the pages. Measured (bench/exports_load.py): page p95 224 ms
# at 10, 966 ms without; at 19 a busy machine starved the renders past kaleido's 90 s limit.
CHROMIUM_NICE = 10
_kaleido_started: list = []  # whether this process has started its Chromium
# kaleido 1.5.0 gives up on drawing a picture after 90 s, but not on waiting for its browser
# tab or on handing it back: on a loaded machine a render was seen stuck there for 13 minutes,
# and with it every PNG of the process behind it. So a render has a limit of its own; past it
# the Chromium is stopped, the export answers "busy, come back", and the next starts afresh.
RENDER_LIMIT_S = 150


def places(page: Page, view: View) -> gpd.GeoDataFrame:
    """The places the view shows (its layers and filters), with their sources."""
    feats = page.store.features
    return feats[lf.matches(feats, page.criteria(view))][[*PLACE_COLUMNS, "geometry"]]


def figures_table(page: Page, view: View) -> pd.DataFrame:
    """Every figure of the view's indicator, with its source and the source's words."""
    figs = all_figures(page.store)
    return figs[figs["indicator"] == view.indicator].reset_index(drop=True)


def to_csv(page: Page, view: View) -> bytes:
    return spreadsheet.excel_csv(figures_table(page, view)).encode("utf-8")


def to_geojson(page: Page, view: View) -> bytes:
    return places(page, view).to_json(ensure_ascii=False, drop_id=True).encode("utf-8")


def to_gpkg(page: Page, view: View) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "places.gpkg"
        places(page, view).to_file(path, layer="places", driver="GPKG")
        return path.read_bytes()


INK, GREY = "#1d232b", "#4a5868"  # the picture's text: titles and legend, notes and sources


def static_figure(page: Page, view: View, title: str = ""):
    """The map as the app draws it, self-contained (boundaries inline, places
    drawn in), framed for a slide: title, legend, source line and date."""
    store, lang = page.store, view.lang
    d = drawing(page, view)
    zones = json.loads(store.geojson("zones"))
    focus = view.focus or {"center": figures.CENTER, "zoom": PNG_ZOOM}
    fig = figures.map_figure(
        store.cities,
        store.context,
        d.state,
        lang,
        fl.flow_trace().update(d.flows),
        fl.filled_traces(page.feature_data[lang], set(d.places["id"]), zones),
        center=focus["center"],
        zoom=focus["zoom"],
        anchors=page.anchors,
    )
    fig.data[0].geojson = json.loads(store.geojson("cities"))
    fig.layout.map.style = figures.PICTURE_STYLE  # (its paper is white around the map)
    for layer in fig.layout.map.layers:  # URLs the app serves -> the data itself
        layer.source = json.loads(store.geojson(layer.source.split("/")[-1].split(".")[0]))
    width, height = SIZE
    top, bottom = 104, 46  # bands for the titles and for the source line
    fig.update_layout(
        width=width,
        height=height,
        margin={"l": 0, "r": 0, "t": top, "b": bottom},
        paper_bgcolor="#ffffff",
        font={"family": "Noto Sans CJK SC, sans-serif", "color": INK},
    )
    # In the band above the map: the slide's title (else the map's) and the map's title (else the atlas's).
    _paper_text(fig, title or d.title, 0, 1, "left", "bottom", 24, 42, 38, INK)
    _paper_text(fig, d.title if title else t("title", lang), 0, 1, "left", "bottom", 24, 8, 22, GREY)
    _draw_legend(fig, d, lang, height - top - bottom)
    _paper_text(fig, d.sources, 0, 0, "left", "top", 24, -10, 16, GREY)
    made = t("made", lang).format(date=date.today().isoformat())
    _paper_text(fig, made, 1, 0, "right", "top", -24, -10, 16, GREY)
    return fig


def _paper_text(
    fig,
    text: str,
    x,
    y,
    xanchor: str,
    yanchor: str,
    xshift: int,
    yshift: int,
    size: int,
    color: str,
    bold: bool = False,
):
    """A line of text placed on the picture (not on the map), escaped."""
    text = f"<b>{html_text.escape(text)}</b>" if bold else html_text.escape(text)
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=x,
        y=y,
        xanchor=xanchor,
        yanchor=yanchor,
        xshift=xshift,
        yshift=yshift,
        showarrow=False,
        font={"size": size, "color": color},
    )


@dataclass(frozen=True)
class Drawing:
    """What an export of a view draws, worked out once."""

    state: dict  # the choropleth's colours and hover texts
    heading: str  # the legend's
    rows: tuple  # the legend's (colour, text); a colour of None is a note
    title: str
    sources: str
    places: gpd.GeoDataFrame
    flows: dict  # the flow trace's arrays


def drawing(page: Page, view: View) -> Drawing:
    """The map's colours, title and source line, the places and links shown,
    and the legend: the map's own, then each plan layer shown and the links,
    with how many the view has."""
    store, lang = page.store, view.lang
    state, legend, title, sources = map_view(store, view.indicator, view.view, lang, view.scheme)
    shown = places(page, view)
    flows = page.flow_data(view, lang)
    rows = [
        *legend.rows,
        *[
            (map_layers.COLORS[layer], f"{t(f'layer.{layer}', lang)} ({n})")
            for layer, n in shown["layer"].value_counts().items()
        ],
    ]
    known = int(fl.city_level(shown).sum())  # drawn as their cities' badges
    if known:
        rows.append((fl.BADGE_COLOR, f"{t('legend.badges.export', lang)} ({known})"))
    if flows.get("visible"):
        rows.append((fl.FLOW_COLOR, f"{t('legend.flows', lang)} ({flows['lon'].count(None)})"))
    defn = indicator_of(store, view.indicator, lang)[0]
    heading = f"{defn['name_zh'] if lang == 'zh' else defn['name_en']} · {legend.unit}"
    return Drawing(state, heading, tuple(rows), title, sources, shown, flows)


def _draw_legend(fig, d: Drawing, lang: str, plot_height: int) -> None:
    """A legend box in the map's top right corner, in pixels of the plot area."""
    heading = d.heading
    rows = []
    for color, text in d.rows:  # a note wraps to the box's width
        width = 30 if lang == "zh" else 58
        rows += [(color, text)] if color else [(None, line) for line in textwrap.wrap(str(text), width)]
    row_px, pad, box_w = 34, 14, 430
    box_h = pad * 2 + 40 + row_px * len(rows)
    x0, y1 = 1 - (box_w + 16) / SIZE[0], 1 - 16 / plot_height
    y0 = y1 - box_h / plot_height
    fig.add_shape(
        type="rect",
        xref="paper",
        yref="paper",
        x0=x0,
        x1=1 - 16 / SIZE[0],
        y0=y0,
        y1=y1,
        fillcolor="rgba(255,255,255,0.94)",
        line={"color": "#c3cad3", "width": 1},
    )
    px_x = lambda px: x0 + px / SIZE[0]  # noqa: E731 - pixels from the box's left edge
    px_y = lambda px: y1 - px / plot_height  # noqa: E731 - pixels down from its top
    _paper_text(fig, heading, px_x(pad), px_y(pad), "left", "top", 0, 0, 19, INK, bold=True)
    for i, (color, text) in enumerate(rows):
        top = pad + 44 + i * row_px
        if color is None:  # a note, in small type across the box
            _paper_text(fig, str(text), px_x(pad), px_y(top + 11), "left", "middle", 0, 0, 13, GREY)
            continue
        fig.add_shape(
            type="rect",
            xref="paper",
            yref="paper",
            x0=px_x(pad),
            x1=px_x(pad + 40),
            y0=px_y(top + 22),
            y1=px_y(top),
            fillcolor=color,
            line={"color": "#888888", "width": 1},
        )
        _paper_text(fig, str(text), px_x(pad + 54), px_y(top + 11), "left", "middle", 0, 0, 18, INK)


def to_png(page: Page, view: View, title: str = "") -> bytes:
    """Rendered by the installed Chromium through kaleido, with nothing fetched
    from the network (the page's plotly.js, PLOTLY_JS; no MathJax).
    Waits for this process's Chromium: one picture at a time."""
    fig = static_figure(page, view, title).to_dict()
    with PNG_QUEUE.turn():
        return _render_png(fig)


def _render_png(fig: dict) -> bytes:
    """The picture, or TimeoutError past RENDER_LIMIT_S (see there)."""
    answer: queue.Queue = queue.Queue(maxsize=1)

    def render() -> None:
        try:
            answer.put((True, _kaleido_png(fig)))
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            answer.put((False, err))

    threading.Thread(target=render, name="png-render", daemon=True).start()
    try:
        ok, value = answer.get(timeout=RENDER_LIMIT_S)
    except queue.Empty:
        _abandon_kaleido()
        raise TimeoutError(f"no picture after {RENDER_LIMIT_S} s") from None
    if not ok:
        raise value
    return value


def _abandon_kaleido() -> None:
    """Stops this process's kaleido Chromium and leaves its stuck server behind (kaleido
    1.5.0: its close() would wait on the stuck render for good), so that the next picture
    starts a server of its own."""
    import kaleido
    from kaleido import _sync_server

    for pid in _chromium_processes():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:  # gone already
            pass
    stuck = kaleido._global_server
    stuck._initialized = False  # its exit hook then has nothing to wait for
    _sync_server.GlobalKaleidoServer._instance = None
    kaleido._global_server = _sync_server.GlobalKaleidoServer()
    _kaleido_started.clear()


def _kaleido_png(fig: dict) -> bytes:
    import kaleido

    with warnings.catch_warnings():  # called in PNG_QUEUE's turn: one at a time
        # One Chromium per process, started on the first PNG and kept: starting
        # one per picture took most of the 12 s an export took.
        if not _kaleido_started:
            kaleido.start_sync_server(plotlyjs=str(PLOTLY_JS), mathjax=False, silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _kaleido_started.append(True)
            for _ in range(100):  # it starts in kaleido's thread; lower it as soon as it is there
                if _lower_chromium_priority():
                    break
                time.sleep(0.05)
        _lower_chromium_priority()  # and the processes it has started since
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return kaleido.calc_fig_sync(
            fig, opts={"format": "png", "width": SIZE[0], "height": SIZE[1], "scale": 1}, kopts={"mathjax": False}
        )


def _lower_chromium_priority() -> int:
    """Lowers the CPU priority of this process's kaleido Chromium, so the pages
    stay fast while it draws (software GL, seconds of CPU). Run as root,
    Chromium raises its browser and GPU processes to nice -8 itself; and since
    choreographer 1.x starts it in a session of its own, the kernel's
    autogroups share the CPU between its session and the server's as equals
    whatever the threads' nice values. So both are lowered: the session's
    autogroup and every thread. Returns how many processes were found."""
    procs = _chromium_processes()
    for pid in procs:
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(CHROMIUM_NICE))
        except OSError:  # a kernel without autogroups, or the process is gone
            pass
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                os.setpriority(os.PRIO_PROCESS, int(tid), CHROMIUM_NICE)
        except OSError:
            pass
    return len(procs)


def _chromium_processes() -> list[int]:
    """The process tree under this process's choreographer wrapper (kaleido's
    Chromium; not, say, a Playwright browser the same process drives)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:  # not Linux
        return []
    for name in entries:
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(name))
    found = []
    for pid in children.get(os.getpid(), []):
        try:
            if b"_unix_pipe_chromium_wrapper" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
        except OSError:
            continue
        todo = [pid]
        while todo:
            p = todo.pop()
            found.append(p)
            todo += children.get(p, [])
    return found


def _html_head() -> str:
    """Leaflet inlined, and the standalone page's styles."""
    return (
        f"<style>{(LEAFLET / 'leaflet.css').read_text('utf-8')}</style>"
        f"<script>{(LEAFLET / 'leaflet.js').read_text('utf-8')}</script>"
        f"<style>.leaflet-container {{ background: {figures.SEA}; font-family: 'Noto Sans CJK SC', sans-serif; }}"
        "body { font-family: 'Noto Sans CJK SC', sans-serif; }"
        ".atlas-box { position: fixed; z-index: 1000; background: rgba(255,255,255,.95); padding: 8px 12px;"
        " border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 13px; }"
        ".atlas-box .sw { display: inline-block; width: 18px; height: 12px; border: 1px solid #888;"
        " margin-right: 6px; vertical-align: middle; }"
        ".leaflet-tooltip { white-space: normal; width: 340px; }"
        ".city-label { text-align: center; font-size: 15px; font-weight: 600; color: #111;"
        " text-shadow: 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }"
        f".city-badge {{ width: {fl.BADGE_SIZE}px; height: {fl.BADGE_SIZE}px; border-radius: 50%; color: #fff;"
        f" font-size: 12px; line-height: {fl.BADGE_SIZE}px; text-align: center; opacity: .92; }}"
        ".leaflet-tooltip .quote { margin-top: 4px; padding-left: 6px; border-left: 3px solid #2c7fb8; }"
        ".leaflet-tooltip .src { margin-top: 4px; font-size: 11px; color: #4a5868; word-break: break-all; }"
        "</style>"
    )


def to_html(page: Page, view: View, title: str = "") -> bytes:
    """A standalone Leaflet map (folium) with Leaflet inlined: it opens offline."""
    import folium

    lang = view.lang
    d = drawing(page, view)
    focus = view.focus or {"center": figures.CENTER, "zoom": figures.ZOOM}
    # Leaflet's zoom counts 256-pixel tiles, MapLibre's 512: one level apart.
    m = folium.Map(
        location=[focus["center"]["lat"], focus["center"]["lon"]],
        zoom_start=focus["zoom"] + 1,
        zoom_snap=0.25,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
    )
    m.default_js, m.default_css = [], []  # no CDN: Leaflet goes inline below
    root = m.get_root()
    root.header.add_child(folium.Element(_html_head()))
    _html_backdrop(m, page, d, lang)
    _add_places(m, page, d.places[~fl.city_level(d.places)], lang)
    _html_badges(m, page, set(d.places["id"]), lang)
    _html_flows(m, d.flows)
    title = title or d.title
    _html_boxes(root, d, title, lang)
    root.title = title
    return root.render().encode("utf-8")


def _html_backdrop(m, page: Page, d: Drawing, lang: str) -> None:
    """The land, the cities coloured as the choropleth, the county borders and the city names."""
    import folium

    store = page.store
    folium.GeoJson(
        json.loads(store.geojson("context")),
        name="context",
        interactive=False,
        style_function=lambda _: {
            "fillColor": figures.LAND,
            "fillOpacity": 1,
            "color": figures.LAND_EDGE,
            "weight": 0.8,
        },
    ).add_to(m)
    colors = dict(zip(store.cities["adcode"], _fill_colors(d.state)))
    hovers = dict(zip(store.cities["adcode"], d.state["customdata"]))
    cities = json.loads(store.geojson("cities"))
    for f in cities["features"]:
        f["properties"]["label"] = hovers[f["properties"]["adcode"]]
    folium.GeoJson(
        cities,
        name="cities",
        style_function=lambda f: {
            "fillColor": colors[f["properties"]["adcode"]],
            "fillOpacity": 0.92,
            "color": "#2b2b2b",
            "weight": 1.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(m)
    folium.GeoJson(
        json.loads(store.geojson("counties")),
        name="counties",
        interactive=False,
        style_function=lambda _: {"color": "#ffffff", "weight": 0.7, "opacity": 0.85, "fill": False},
    ).add_to(m)
    names = store.cities["name_zh" if lang == "zh" else "name_en"]
    for code, name, *label in zip(store.cities["adcode"], names, store.cities["label_lon"], store.cities["label_lat"]):
        lon, lat = page.anchors.get(code, label)
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(  # text only: no marker image to fetch; above the city's point, as on the page
                html=f"<div class='city-label'>{html_text.escape(name)}</div>",
                icon_size=(120, 20),
                icon_anchor=(60, 38),
            ),
        ).add_to(m)


def _html_badges(m, page: Page, shown: set, lang: str) -> None:
    """Each city's badge of the shown places known only to it, as the page draws it
    (feature_layers.badge_arrays): its count on a disc at the city's point, their names
    in its tooltip."""
    import folium

    entry = page.feature_data[lang][-1]
    badges = fl.badge_arrays(entry, [i for i in entry["order"] if i in shown])
    if not badges["visible"]:
        return
    size = fl.BADGE_SIZE
    for lon, lat, count, tip in zip(badges["lon"], badges["lat"], badges["text"], badges["hovertext"]):
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f"<div class='city-badge' style='background:{fl.BADGE_COLOR}'>{count}</div>",
                icon_size=(size, size),
                icon_anchor=(size // 2, size // 2),
            ),
            tooltip=tip,
        ).add_to(m)


def _html_flows(m, flows: dict) -> None:
    import folium

    if not flows.get("visible"):
        return
    start = 0
    for end, lon in enumerate(flows["lon"]):  # arcs, each followed by a gap
        if lon is None:
            folium.PolyLine(
                list(zip(flows["lat"][start:end], flows["lon"][start:end])),
                color=fl.FLOW_COLOR,
                weight=2.5,
                opacity=0.75,
                tooltip=flows["hovertext"][start],
            ).add_to(m)
            start = end + 1


def _html_boxes(root, d: Drawing, title: str, lang: str) -> None:
    """The title, the legend and the source line, in boxes over the map."""
    import folium

    legend = "".join(
        f"<div><span class='sw' style='background:{c}'></span>{html_text.escape(str(x))}</div>"
        if c
        else f"<div style='font-size:11px;color:#4a5868'>{html_text.escape(str(x))}</div>"
        for c, x in d.rows
    )
    shown_title = html_text.escape(title)
    root.html.add_child(
        folium.Element(
            f"<div class='atlas-box' style='top:10px;left:54px;font-size:18px'><b>{shown_title}</b>"
            f"<div style='font-size:12px;color:#4a5868'>{html_text.escape(t('title', lang))}</div></div>"
            f"<div class='atlas-box' style='top:10px;right:10px'><b>{html_text.escape(d.heading)}</b>{legend}</div>"
            f"<div class='atlas-box' style='bottom:8px;left:120px;font-size:11px;max-width:65%'>"
            f"{html_text.escape(d.sources)} · {t('made', lang).format(date=date.today().isoformat())}</div>"
        )
    )


def _fill_colors(state: dict) -> list[str]:
    """Each city's colour from the choropleth state: class -1 is no data."""
    bins = [state["colorscale"][i][1] for i in range(0, len(state["colorscale"]), 2)]
    return [bins[z + 1] if z + 1 < len(bins) else figures.NO_DATA for z in state["z"]]


def _add_places(m, page: Page, shown: gpd.GeoDataFrame, lang: str) -> None:
    import folium

    names = page.names[lang]
    points = page.positions
    for r in shown[shown.geometry.notna()].itertuples():
        color = map_layers.COLORS[r.layer]
        name = r.name_zh if lang == "zh" else r.name_en
        tip = (
            f"<b>{html_text.escape(name)}</b><br>{html_text.escape(names.categories[(r.layer, r.category)])}"
            f"<br>{t('feature.precision', lang)}: {t(f'precision.{r.precision}', lang)}"
            f"<br>{html_text.escape(r.plan_ref)}"
        )
        # All in the tooltip: folium's popups need jQuery, which an offline file does not have.
        tip += (
            f"<div class='quote'>{html_text.escape(r.quote)}</div><div class='src'>"
            f"{t('feature.coord_source', lang)}: {html_text.escape(r.coord_source)}</div>"
        )
        geom = r.geometry
        if geom.geom_type == "Point":
            lon, lat = (
                (points.loc[r.Index, "lon"], points.loc[r.Index, "lat"])
                if r.Index in points.index
                else (geom.x, geom.y)
            )
            folium.CircleMarker(
                [lat, lon],
                radius=6,
                color="#ffffff",
                weight=1,
                fill=True,
                fill_color=color,
                fill_opacity=fl.OPACITY.get(r.precision, 1.0),
                tooltip=tip,
            ).add_to(m)
        elif geom.geom_type.endswith("LineString"):
            for part in getattr(geom, "geoms", [geom]):
                folium.PolyLine(
                    [(y, x) for x, y in part.coords], color=color, weight=3, opacity=0.9, tooltip=tip
                ).add_to(m)
        else:
            folium.GeoJson(
                geom.__geo_interface__,
                tooltip=tip,
                style_function=lambda _, c=color: {"color": c, "weight": 2, "fillColor": c, "fillOpacity": 0.3},
            ).add_to(m)


WRITERS = {"png": to_png, "html": to_html, "gpkg": to_gpkg, "geojson": to_geojson, "csv": to_csv}
TITLED = ("png", "html")  # the pictures carry a slide's title


def write(kind: str, page: Page, view: View, title: str = "") -> bytes:
    return WRITERS[kind](page, view, title) if kind in TITLED else WRITERS[kind](page, view)


def register(app: Dash, page: Page) -> None:
    """/export/view.<kind>?<query string>: the view as a download."""

    @app.server.route("/export/view.<kind>")
    def export_view(kind):
        if kind not in WRITERS:
            return Response("Unknown export. Use png, html, gpkg, geojson or csv.\n", status=404, mimetype="text/plain")
        view, dropped = page.parse(request.query_string.decode("utf-8", "replace"))
        if kind == "png":
            try:
                with PNG_QUEUE.place():
                    body = to_png(page, view)
            except Busy as busy:  # answered at once: no thread waits beyond the queue
                return busy_response(busy.retry_after)
            except TimeoutError:  # kaleido 1.5 gives up on a render after 90 s: too busy, not a bad view
                return busy_response(PNG_QUEUE.retry_after())
        else:
            body = write(kind, page, view)
        resp = Response(body, mimetype=KINDS[kind])
        resp.call_on_close(memory.give_back)  # (once it is sent: not on the viewer's time)
        resp.headers["Content-Disposition"] = f"attachment; filename={view.name}.{kind}"
        if dropped:  # said, not silently ignored
            resp.headers["X-Atlas-Ignored"] = security.header_value("; ".join(dropped))
        return resp


def busy_response(seconds: int) -> Response:
    resp = Response(
        f"Busy making other pictures: try again in {seconds} s. 正在生成其他图片，请 {seconds} 秒后再试。\n",
        status=503,
        mimetype="text/plain",
    )
    resp.headers["Retry-After"] = str(seconds)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def controls(lang: str, query: str) -> list:
    """The export links for the view `query` names (url_sync keeps them to the view)."""
    return [
        html.Div(t("export.title", lang), className="legend-head"),
        html.Div(
            [
                html.A(
                    t(f"export.{kind}", lang),
                    id=f"{ids.EXPORT}{kind}",
                    href=f"/export/view.{kind}{query}",
                    download="",
                    **(_png_texts(lang) if kind == "png" else {}),
                )
                for kind in WRITERS
            ],
            className="export-links",
        ),
        html.Div(t("export.note", lang), className="legend-note"),
    ]


def _png_texts(lang: str) -> dict:
    """What assets/atlas.js shows while a PNG is made, or the server is busy."""
    return {f"data-{key}": t(f"export.{key}", lang) for key in ("preparing", "busy", "failed")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--view", default="", help="the view's query string, as in the address bar")
    parser.add_argument("--briefing", help="export every slide of dashboard/briefings/NAME.yaml")
    parser.add_argument("--out", type=Path, help="folder for a briefing's files")
    parser.add_argument("--formats", default="png,html", help="for a briefing: any of " + ",".join(WRITERS))
    parser.add_argument("--lang", choices=LANGS, help="language (default: the view's, else Chinese)")
    for kind in WRITERS:
        parser.add_argument(f"--{kind}", type=Path, metavar="FILE", help=f"write the view as {kind}")
    for kind in ("pptx", "pdf"):  # dashboard/deck.py
        parser.add_argument(f"--{kind}", type=Path, metavar="FILE", help=f"with --briefing: the deck as {kind}")
    args = parser.parse_args(argv)
    decks = {kind: getattr(args, kind) for kind in ("pptx", "pdf") if getattr(args, kind)}
    if decks and not args.briefing:
        parser.error("--pptx and --pdf make a briefing's deck: name it with --briefing")
    from layers.store import StoreError, default_store

    try:
        page = Page.make(default_store())
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if decks:
        from dashboard import deck

        return deck.cli(page, args.briefing, decks, args.lang or "zh")
    jobs = []  # (view, title, kind, path)
    if args.briefing:
        if args.briefing not in page.briefings:
            known = ", ".join(page.briefings) or "none"
            print(f"error: no briefing '{args.briefing}' (known: {known})", file=sys.stderr)
            for err in page.briefing_errors:
                print(f"  {err}", file=sys.stderr)
            return 2
        kinds = [k for k in args.formats.split(",") if k]
        bad = [k for k in kinds if k not in WRITERS]
        if bad or not args.out:
            print(f"error: {'unknown format ' + ','.join(bad) if bad else '--out FOLDER is needed'}", file=sys.stderr)
            return 2
        args.out.mkdir(parents=True, exist_ok=True)
        briefing = page.briefings[args.briefing]
        for n, slide in enumerate(briefing.slides, 1):
            lang = args.lang or "zh"
            view = page.view(slide.view).but(lang=lang)
            jobs += [(view, slide.title[lang], kind, args.out / f"{args.briefing}-{n:02d}.{kind}") for kind in kinds]
    else:
        view, dropped = page.parse(args.view)
        view = view.but(lang=args.lang) if args.lang else view
        for part in dropped:
            print(f"ignored (not understood): {part}", file=sys.stderr)
        jobs = [(view, "", kind, getattr(args, kind)) for kind in WRITERS if getattr(args, kind)]
        if not jobs:
            parser.error("name at least one output: --png, --html, --gpkg, --geojson or --csv")
    for view, title, kind, path in jobs:  # one Chromium serves all the PNGs (see to_png)
        path.write_bytes(write(kind, page, view, title))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
