"""The plans' places: the filters and the table choose them, the browser draws
them (from data sent once with the page), a click selects one and opens its panel."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import feature_layers as fl
from dashboard import ids, layout, panels
from dashboard import view as views
from dashboard.i18n import LANGS, TEXT, t
from dashboard.map_callbacks import clicked
from dashboard.page import Page
from dashboard.view import View
from layers import features as lf
from layers import plans

FILTERS = ("layers", "category", "city", "chapter", "precision", "status", "q", "plan", "group", "lead", "read")


def register(app: Dash, page: Page) -> None:
    _selection(app, page)
    _filters(app, page)
    _subtitles(app)
    _folding(app)


def _folding(app: Dash) -> None:
    """The tables' drawer closes on its button (a tab opens it); the controls fold and unfold."""
    app.clientside_callback(
        ClientsideFunction("atlas", "closeTables"),
        Output(ids.TABLES, "value"),
        Input(ids.TABLES_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "toggleControls"),
        Output(ids.MAIN, "className"),
        Input(ids.CONTROLS_TOGGLE, "n_clicks"),
        prevent_initial_call=True,
    )


def _selection(app: Dash, page: Page) -> None:
    by_id = page.by_id

    # One way to select a place: a click on it on the map, or on its row. (An output to the
    # grid's selectedRows stops Dash from running the callbacks that depend on this one,
    # so the row is selected client-side.)
    @app.callback(
        Output(ids.SELECTED, "data"),
        Input(ids.MAP, "clickData"),
        Input(ids.GRID, "cellClicked"),
        prevent_initial_call=True,
    )
    def select_feature(click, cell):
        if ctx.triggered_id == ids.GRID:
            fid = cell.get("rowId") if isinstance(cell, dict) else None
        else:
            point = clicked(click)
            if point is None or point["curveNumber"] not in fl.CLICKABLE:
                raise PreventUpdate
            fid = point.get("customdata") or point.get("location")
        if not isinstance(fid, str) or fid not in by_id.index:
            raise PreventUpdate
        return fid

    @app.callback(
        Output(ids.CITY_PANEL, "children", allow_duplicate=True),
        Output(ids.FOCUS, "data", allow_duplicate=True),
        Input(ids.SELECTED, "data"),
        State(ids.LANG, "value"),
        State(ids.VIEW_QUERY, "data"),
        prevent_initial_call=True,
    )
    def show_feature(fid, lang, query):
        if not isinstance(fid, str) or fid not in by_id.index or lang not in LANGS:
            raise PreventUpdate
        named = page.view(query)  # a view that names the place and an extent keeps its extent
        focus = None if named.sel == fid and named.focus else page.place_focus(fid)
        return panels.feature_panel({"id": fid, **by_id.loc[fid].to_dict()}, page.names[lang], lang), focus or no_update

    app.clientside_callback(
        ClientsideFunction("atlas", "selectRow"),
        Output(ids.GRID_SYNC, "title"),
        Input(ids.SELECTED, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "focus"),
        Output(ids.FOCUS_SYNC, "title"),
        Input(ids.FOCUS, "data"),
        prevent_initial_call=True,
    )


# The filters whose choice frames what it selects (the layers' toggles leave the map where it is).
FRAMING = ("category", "chapter", "precision", "status", "group", "lead")


def _framing(page: Page, view, c: lf.Criteria, hits) -> dict | None:
    """Where the map goes when one filter is chosen, as a search box on a map moves it: a search
    or a section of the plan to what it found; a plan to where its places are; a city to the
    city; another filter to the places it selects. None when a slide, a link or a new language
    sets several controls at once (they keep or name their own extent), or when nothing is found."""
    control, chose = dict(views.CONTROLS), set(ctx.triggered_prop_ids.values())
    if len(ctx.triggered) != 1:  # several controls at once: a slide, a link or a new language
        return None
    found = len(hits) and (
        (c.text and ctx.triggered_id == ids.SEARCH)
        or (c.places and ids.READ in chose)
        or ctx.triggered_id in {control[k] for k in FRAMING}
    )
    if found:  # no closer than the least precisely known of them
        return lf.focus_view(hits.geometry, max_zoom=min(lf.MAX_ZOOM[p] for p in hits["precision"]))
    if ctx.triggered_id == ids.PLAN:
        return plans.frame(view.plan)
    if ctx.triggered_id == control["city"] and c.cities:
        cities, others = page.store.cities, page.store.context  # the docking plan's cities are context
        shapes = [*cities[cities["adcode"].isin(c.cities)].geometry, *others[others["code"].isin(c.cities)].geometry]
        return lf.focus_view(shapes, max_zoom=9.0)
    return None


def _subtitles(app: Dash) -> None:
    # The header names the plan (or plans) chosen.
    app.clientside_callback(
        ClientsideFunction("atlas", "showSubtitles"),
        *[Output(f"{ids.SUBTITLE}-{p.key}", "hidden") for p in plans.REGISTRY],
        Input(ids.PLAN, "value"),
        prevent_initial_call=True,
    )


def _filters(app: Dash, page: Page) -> None:
    feats = page.store.features
    control = dict(views.CONTROLS)

    @app.callback(
        Output(ids.GRID, "rowData"),
        Output(ids.COUNT, "children"),
        Output(ids.FOCUS, "data"),
        Output(ids.FLOWS_DATA, "data"),
        Output(ids.CITY_VIEW, "children"),
        *[Input(control[key], "value") for key in FILTERS],
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def filter_features(*args):
        *values, lang = args
        if lang not in LANGS:
            raise PreventUpdate
        view = _filters_view(page, dict(zip(FILTERS, values)), lang)
        c = page.criteria(view)
        hits = feats[lf.matches(feats, c)]
        rows = lf.table_rows(hits, page.names[lang], TEXT[lang], lang)
        count = t("filter.count", lang).format(n=len(rows), total=len(feats))
        focus = _framing(page, view, c, hits)
        return (rows, count, focus or no_update, page.flow_data(view, lang), layout.city_view(page, c, lang))

    @app.callback(
        *[Output(control[key], "value") for key in FILTERS if key != "plan"],
        Input(ids.CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def clear_filters(clicks):
        if not clicks:
            raise PreventUpdate  # a rebuilt page, nothing clicked
        return View().control_values(skip=[k for k, _ in views.CONTROLS if k not in FILTERS or k == "plan"])

    # The map shows exactly the rows the table holds, its own column filters included
    # while it is open (under another tab, or closed, every row it holds), and highlights
    # the selected place: drawn in the browser.
    app.clientside_callback(
        ClientsideFunction("atlas", "restyleFeatures"),
        Output(ids.FEATURE_SYNC, "title"),
        Input(ids.GRID, "rowData"),
        Input(ids.GRID, "virtualRowData"),
        Input(ids.TABLES, "value"),
        Input(ids.SELECTED, "data"),
        State(ids.FEATURE_DATA, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "restyleFlows"),
        Output(ids.FLOWS_SYNC, "title"),
        Input(ids.FLOWS_DATA, "data"),
        prevent_initial_call=True,
    )


def _filters_view(page: Page, values: dict, lang: str) -> View:
    """The view the filters choose. A forged value is left out (a request may send
    anything); page.criteria checks the rest against what the filters offer."""
    allowed = {"group": page.allowed["groups"], "lead": page.allowed["leads"]}
    fields = {}
    for key, value in values.items():
        if key in views.LIST_KEYS:
            value = (
                tuple(v for v in value if key not in allowed or v in allowed[key]) if isinstance(value, list) else ()
            )
        fields[key] = value
    plan = fields["plan"]
    fields["plan"] = plan if isinstance(plan, str) and plan in plans.CHOICES else plans.DEFAULT
    fields["q"] = fields["q"] if isinstance(fields["q"], str) else ""
    read = fields["read"]
    fields["read"] = read if isinstance(read, str) and read in page.library.sections else None
    return View(**fields, lang=lang)
