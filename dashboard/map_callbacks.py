"""The choropleth and the chart: an indicator, view, scheme or language chosen,
the compared map, a city clicked. Colours go to the browser, never geometry."""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from dashboard import figures, ids, layout, panels
from dashboard.i18n import LANGS
from dashboard.page import Page, all_figures
from layers import indicators as ind


def register(app: Dash, page: Page) -> None:
    _language(app, page)
    _switches(app, page)
    _compared(app, page)
    _city(app, page)


def _language(app: Dash, page: Page) -> None:
    # A new language builds the page's parts around the map anew from the view, so nothing
    # the user set is lost and nothing reloads, and relabels the map in place (a new map costs
    # seconds): its names, places and links at once (atlas.relabel). The rest follows from
    # Dash 4.4 firing a callback whose input a new part holds and whose outputs lie outside
    # it: switchMap recolours the map (its hover texts) and sets its title and sources, and
    # askCompared builds a second map anew.
    @app.callback(
        Output({"type": ids.LANG_PART, "part": ALL}, "children"),
        Output(ids.MAP_TEXTS, "data"),
        Output(ids.URL_NOTICE, "children"),
        Output(ids.BODY, "lang"),
        Input(ids.LANG, "value"),
        State(ids.VIEW_QUERY, "data"),
        State(ids.BODY, "lang"),
        prevent_initial_call=True,
    )
    def switch_language(lang, query, shown):
        if lang not in LANGS or lang == shown:
            raise PreventUpdate  # (a page just built in this language)
        view = page.view(query).but(lang=lang)
        parts = layout.relabelled(page, view)
        texts = {
            "names": figures.name_texts(page.store.cities, page.store.context, lang),
            "flows": page.flow_data(view, lang),
        }
        return [parts[o["id"]["part"]].children for o in ctx.outputs_list[0]], texts, "", lang

    app.clientside_callback(
        ClientsideFunction("atlas", "relabel"),
        Output(ids.MAP_TEXTS_SYNC, "title"),
        Input(ids.MAP_TEXTS, "data"),
        State(ids.FEATURE_DATA, "data"),  # the new tables' drawer holds it, in the new language
        prevent_initial_call=True,
    )


def _switches(app: Dash, page: Page) -> None:
    # A switch needs no server: the page holds what every choice shows (page.switch_table).
    app.clientside_callback(
        ClientsideFunction("atlas", "switchMap"),
        Output(ids.MAP_STATE, "data"),
        Output(ids.LEGEND, "children"),
        Output(ids.MAP_TITLE, "children"),
        Output(ids.SOURCE_LINE, "children"),
        Input(ids.INDICATOR, "value"),
        Input(ids.VIEW, "value"),
        Input(ids.SCHEME, "value"),
        State(ids.SWITCHES, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "switchBar"),
        Output(ids.BAR, "figure"),
        Output(ids.CIRCLE_SUMMARY, "children"),
        Input(ids.INDICATOR, "value"),
        Input(ids.SWITCHES, "data"),  # (new after an import: dashboard/figure_imports.py)
        # Also as the chart is put in (dashboard/later.py), for the indicator and figures by then;
        # before, Dash leaves out a callback none of whose outputs is in the page.
        prevent_initial_call=False,
    )

    # plotly.js repaints a map trace on Plotly.restyle but not when dcc.Graph re-renders it
    # from a patched figure (Dash 4.4 / plotly.js 4.1), so the new colours go in this way.
    app.clientside_callback(
        ClientsideFunction("atlas", "restyleChoropleth"),
        Output(ids.MAP_SYNC, "title"),
        Input(ids.MAP_STATE, "data"),
        prevent_initial_call=True,
    )


def _compared(app: Dash, page: Page) -> None:
    known = tuple(page.known)

    # Only a second map shown or asked for goes to the server: a switch with none needs no request.
    app.clientside_callback(
        ClientsideFunction("atlas", "askCompared"),
        Output(ids.COMPARE_ASK, "data"),
        Input(ids.COMPARE, "value"),
        Input(ids.INDICATOR, "value"),
        Input(ids.SCHEME, "value"),
        prevent_initial_call=True,
    )

    # The second map is made anew for each view: a new map paints its figure
    # (plotly.js 4.1 does not repaint a map given a new figure in place).
    @app.callback(
        Output(ids.COMPARE_BOX, "children"),
        Input(ids.COMPARE_ASK, "data"),
        State(ids.VIEW_QUERY, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def compare(ask, query, lang):
        try:
            vs, indicator, scheme = ask["vs"], ask["indicator"], ask["scheme"]
        except (TypeError, KeyError):
            raise PreventUpdate from None
        if lang not in LANGS or indicator not in known or scheme not in ind.SCHEMES:
            raise PreventUpdate
        view = page.view(query).but(
            indicator=indicator, scheme=scheme, lang=lang, vs=vs if vs in ind.LEVEL_VIEWS else None
        )
        return layout.compare_map(page, view)

    # One pan and zoom for both maps; a new second map starts where the first one is.
    app.clientside_callback(
        ClientsideFunction("atlas", "syncCompared"),
        Output(ids.COMPARE_SYNC, "title"),
        Input(ids.MAP, "relayoutData"),
        # A pattern: a page comparing nothing has no second graph (a hidden one took 60 ms to load).
        Input({"type": ids.MAP_COMPARE, "vs": ALL}, "relayoutData"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "followCompared"),
        Output(ids.COMPARE_BOX, "title"),
        Input(ids.COMPARE_BOX, "children"),
    )


def _city(app: Dash, page: Page) -> None:
    store = page.store

    @app.callback(
        Output(ids.CITY_PANEL, "children"),
        Output(ids.CITY_OUTLINE, "data"),
        Input(ids.MAP, "clickData"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def show_city(click, lang):
        point = clicked(click)
        if point is None or point["curveNumber"] != figures.CHOROPLETH or lang not in LANGS:
            raise PreventUpdate  # not the choropleth: a place (place_callbacks)
        code = str(point.get("location"))
        match = store.cities[store.cities["adcode"] == code]
        if match.empty:
            raise PreventUpdate
        return (
            panels.city_panel(match.iloc[0], all_figures(store), store.indicator_defs, lang),
            figures.selection_state(list(store.cities["adcode"]), code),
        )

    # The chosen city's outline, restyled as the colours are (its own store: MAP_STATE holds colours).
    app.clientside_callback(
        ClientsideFunction("atlas", "restyleChoropleth"),
        Output(ids.CITY_OUTLINE_SYNC, "title"),
        Input(ids.CITY_OUTLINE, "data"),
        prevent_initial_call=True,
    )


def clicked(click) -> dict | None:
    """The first point of a map click, or None for anything malformed."""
    try:
        point = click["points"][0]
        int(point["curveNumber"])
        return point
    except (TypeError, KeyError, IndexError, ValueError):
        return None
