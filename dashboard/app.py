"""The Dash app: layout and thin callbacks over layers/ and figures."""
from __future__ import annotations

import hashlib
from pathlib import Path

from dash import Dash, Input, Output, dcc, html
from dash.exceptions import PreventUpdate
from flask import Response, abort, request

from dashboard import figures, ids, panels
from dashboard.i18n import t
from layers import indicators as ind
from layers.store import Store, default_store

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEFAULT = {"indicator": "gdp", "view": "baseline"}
BOUNDARY_LAYERS = ("cities", "counties", "context")  # fetched once by the map, cached


def _indicator(store: Store, indicator: str, lang: str):
    """An indicator's definition, the city codes in map order, and their names."""
    defn = store.indicator_defs.set_index("indicator").loc[indicator]
    codes = list(store.cities["adcode"])
    names = dict(zip(codes, store.cities["name_zh" if lang == "zh" else "name_en"]))
    return defn, codes, names


def _map_view(store: Store, indicator: str, view: str, lang: str = "zh"):
    """The choropleth's colours and hover texts, its legend and its title."""
    defn, codes, names = _indicator(store, indicator, lang)
    values = ind.city_view(store.indicators, indicator, view, codes)
    breaks = ind.shared_breaks(store.indicators, indicator, view, codes)
    state = figures.choropleth_state(values, breaks, view, names, defn, lang)
    title = f"{t(f'view.{view}', lang)} · {defn['name_zh'] if lang == 'zh' else defn['name_en']}"
    bounded = any(cv.comparator not in ("", "=") for cv in values)
    return state, figures.legend(breaks, view, defn, lang, bounded), title


def _bar_view(store: Store, indicator: str, lang: str = "zh"):
    defn, codes, names = _indicator(store, indicator, lang)
    return figures.bar_figure(
        {v: ind.city_view(store.indicators, indicator, v, codes) for v in ind.LEVEL_VIEWS},
        [names[c] for c in codes], defn, lang)


def create_app(store: Store | None = None) -> Dash:
    store = store or default_store()
    app = Dash(__name__, compress=True, assets_folder=str(ASSETS),
               title=t("title"), update_title=None)
    _serve_geojson(app, store)
    lang = "zh"
    defs = store.indicator_defs
    options = [{"label": f"{r.name_zh}({r.unit})", "value": r.indicator}
               for r in defs[defs["city_map"] == "yes"].itertuples()]
    state, legend, title = _map_view(store, DEFAULT["indicator"], DEFAULT["view"], lang)
    bars = _bar_view(store, DEFAULT["indicator"], lang)
    known = {o["value"] for o in options}  # only what the dropdown offers

    app.layout = html.Div([
        html.Header([html.H1(t("title", lang)), html.P(t("subtitle", lang))]),
        html.Div(panels.circle_cards(store.indicators, defs, lang), id=ids.CIRCLE_CARDS,
                 className="cards"),
        html.Main([
            html.Aside([
                html.Label(t("indicator", lang), htmlFor=ids.INDICATOR),
                dcc.Dropdown(options, DEFAULT["indicator"], id=ids.INDICATOR, clearable=False),
                html.Label(t("view", lang)),
                dcc.RadioItems([{"label": t(f"view.{v}", lang), "value": v} for v in ind.VIEWS],
                               DEFAULT["view"], id=ids.VIEW, className="views"),
                html.Div(t("legend.title", lang), className="legend-head"),
                html.Div(legend, id=ids.LEGEND, className="legend"),
            ], className="controls"),
            html.Section([
                html.Div(title, id=ids.MAP_TITLE, className="map-title"),
                dcc.Store(id=ids.MAP_STATE), html.Div(id=ids.MAP_SYNC, hidden=True),
                dcc.Graph(id=ids.MAP, figure=figures.map_figure(
                    store.cities, store.context, state, lang),
                          config={"displaylogo": False, "scrollZoom": True}, className="map"),
            ], className="map-wrap"),
            html.Aside([
                html.H2(t("bar.title", lang)),
                dcc.Graph(id=ids.BAR, figure=bars, config={"displayModeBar": False}),
                html.Div(html.P(t("city.hint", lang), className="hint"), id=ids.CITY_PANEL,
                         className="city-panel"),
            ], className="side"),
        ]),
        html.Footer(t("footer", lang)),
    ], className="app")

    # Map and chart update in two requests, so the map's colours do not wait
    # for the chart.
    @app.callback(
        Output(ids.MAP_STATE, "data"), Output(ids.LEGEND, "children"),
        Output(ids.MAP_TITLE, "children"),
        Input(ids.INDICATOR, "value"), Input(ids.VIEW, "value"),
        prevent_initial_call=True)
    def switch_map(indicator, view):
        if indicator not in known or view not in ind.VIEWS:
            raise PreventUpdate  # a stale or forged value: keep what is shown
        return _map_view(store, indicator, view, lang)  # colours and texts, never geometry

    @app.callback(Output(ids.BAR, "figure"), Input(ids.INDICATOR, "value"),
                  prevent_initial_call=True)
    def switch_bar(indicator):
        if indicator not in known:
            raise PreventUpdate
        return _bar_view(store, indicator, lang)

    # plotly.js repaints a map trace on Plotly.restyle but not when dcc.Graph
    # re-renders it from a patched figure (Dash 4.4 / plotly.js 4.1), so the
    # new colours go in this way.
    app.clientside_callback(
        """function(state) {
            const gd = document.querySelector('#%s .js-plotly-plot');
            if (!state || !gd || !window.Plotly) { return window.dash_clientside.no_update; }
            const update = {};
            for (const [key, value] of Object.entries(state)) { update[key] = [value]; }
            window.Plotly.restyle(gd, update, [0]);
            window.atlasMapUpdates = (window.atlasMapUpdates || 0) + 1;
            return String(window.atlasMapUpdates);  // a count, so tests can wait on it
        }""" % ids.MAP,
        Output(ids.MAP_SYNC, "title"), Input(ids.MAP_STATE, "data"), prevent_initial_call=True)

    @app.callback(Output(ids.CITY_PANEL, "children"),
                  Output(ids.MAP_STATE, "data", allow_duplicate=True),
                  Input(ids.MAP, "clickData"), prevent_initial_call=True)
    def show_city(click):
        try:
            code = str(click["points"][0]["location"])
        except (TypeError, KeyError, IndexError):
            raise PreventUpdate from None
        match = store.cities[store.cities["adcode"] == code]
        if match.empty:
            raise PreventUpdate
        return (panels.city_panel(match.iloc[0], store.indicators, defs, lang),
                figures.selection_state(list(store.cities["adcode"]), code))

    return app


def _serve_geojson(app: Dash, store: Store) -> None:
    """Boundaries as static, cacheable GeoJSON: made once, fetched once."""
    payloads = {}
    for layer in BOUNDARY_LAYERS:
        body = store.geojson(layer).encode("utf-8")
        payloads[layer] = (body, hashlib.sha256(body).hexdigest()[:16])

    @app.server.route("/geo/<layer>.geojson")
    def geojson(layer):
        if layer not in payloads:
            abort(404)
        body, etag = payloads[layer]
        if request.if_none_match.contains(etag):
            return Response(status=304)
        resp = Response(body, mimetype="application/geo+json")
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp
