"""The Dash app: layout and thin callbacks over layers/ and figures."""
from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

import dash_ag_grid as dag
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import Response, abort, request

from dashboard import feature_layers as fl
from dashboard import editors, export, figures, ids, panels, security, slides, url_state
from dashboard.i18n import LANG_NAMES, LANGS, TEXT, t
from dashboard.preload import add_preloads
from dashboard.page import (PLAN_CHOICES, URL_CONTROLS, URL_DEFAULTS, Page, all_figures, bar_view, rules_of,
                            map_view)
from layers import docking
from layers import features as lf
from layers import imports, user_store
from layers import indicators as ind
from layers import spreadsheet
from layers.records import FEATURE_LAYERS, PRECISIONS, STATUSES, RecordError
from layers.store import Store, default_store

ASSETS = Path(__file__).resolve().parent.parent / "assets"
GEOJSON_LAYERS = ("cities", "counties", "context", "zones")  # fetched once by the map, cached


def create_app(store: Store | None = None, editing: str = editors.SIGNED_IN) -> Dash:
    """`editing`: editors.OPEN for one user on loopback, else editors sign in (a shared server)."""
    store = store or default_store()
    app = Dash(__name__, compress=True, assets_folder=str(ASSETS),
               # Leaflet is only inlined into the HTML exports. Dash 4.4 matches
               # assets_ignore against file names only; folders need assets_path_ignore.
               assets_path_ignore=[r"^vendor$"],
               title=t("title"), update_title=None)
    add_preloads(app)
    _serve_geojson(app, store)
    page = Page.make(store)
    feats, defs, by_id = store.features, store.indicator_defs, page.by_id
    known = tuple(page.known)  # a tuple: a forged list value is simply not in it (a set raises)
    export.register(app, page)
    layouts: dict = {}

    def layout():
        """Built afresh when the imported figures change or for an editor, so a new page
        shows what every other viewer sees now; otherwise served from the last build."""
        all_figures(store)
        key = (user_store.version(), editors.is_editor())
        if key not in layouts:
            layouts.clear()
            layouts[key] = html.Div([
                dcc.Location(id=ids.URL, refresh=False), dcc.Store(id=ids.URL_READ, data=False),
                dcc.Store(id=ids.BEFORE_BRIEFING),
                html.Div(_body(page, "zh", {}), id=ids.BODY, lang="zh"),
            ], id=ids.ROOT, className="app")
        return layouts[key]

    app.layout = layout

    # A new language rebuilds the page's contents from the view in the URL, so
    # nothing the user set is lost and nothing reloads.
    @app.callback(Output(ids.BODY, "children"), Output(ids.BODY, "lang"), Input(ids.LANG, "value"),
                  State(ids.URL, "search"), State(ids.BODY, "lang"), prevent_initial_call=True)
    def switch_language(lang, search, shown):
        if lang not in LANGS or lang == shown:
            raise PreventUpdate  # (a page just built in this language)
        return _body(page, lang, page.view(search).values), lang

    # Map and chart update in two requests, so the map's colours do not wait
    # for the chart.
    @app.callback(
        Output(ids.MAP_STATE, "data"), Output(ids.LEGEND, "children"),
        Output(ids.MAP_TITLE, "children"), Output(ids.SOURCE_LINE, "children"),
        Input(ids.INDICATOR, "value"), Input(ids.VIEW, "value"), Input(ids.SCHEME, "value"),
        State(ids.LANG, "value"), prevent_initial_call=True)
    def switch_map(indicator, view, scheme, lang):
        if indicator not in known or view not in ind.VIEWS or scheme not in ind.SCHEMES or lang not in LANGS:
            raise PreventUpdate  # a stale or forged value: keep what is shown
        return _map_outputs(store, indicator, view, lang, scheme)  # colours and texts, never geometry

    @app.callback(Output(ids.BAR, "figure"), Output(ids.CIRCLE_SUMMARY, "children"),
                  Input(ids.INDICATOR, "value"), State(ids.LANG, "value"), prevent_initial_call=True)
    def switch_bar(indicator, lang):
        if indicator not in known or lang not in LANGS:
            raise PreventUpdate
        return bar_view(store, indicator, lang)

    # The second map is made anew for each view: a new map paints its figure
    # (plotly.js 4.1 does not repaint a map given a new figure in place).
    @app.callback(Output(ids.COMPARE_BOX, "children"),
                  Input(ids.COMPARE, "value"), Input(ids.INDICATOR, "value"), Input(ids.SCHEME, "value"),
                  State(ids.URL, "search"), State(ids.LANG, "value"), prevent_initial_call=True)
    def compare(vs, indicator, scheme, search, lang):
        if lang not in LANGS or indicator not in known or scheme not in ind.SCHEMES:
            raise PreventUpdate
        values = page.view(search).values
        values.update(indicator=indicator, scheme=scheme, vs=vs if vs in ind.LEVEL_VIEWS else None)
        return _compare_map(page, values, lang)

    # One pan and zoom for both maps.
    app.clientside_callback(
        """function(a, b) {
            const trigger = window.dash_clientside.callback_context.triggered[0];
            const from = trigger && trigger.prop_id.startsWith('%s.') ? '%s' : '%s';
            window.atlas.syncMaps(from, from === '%s' ? '%s' : '%s');
            return window.dash_clientside.no_update;
        }""" % (ids.MAP, ids.MAP, ids.MAP_COMPARE, ids.MAP, ids.MAP_COMPARE, ids.MAP),
        Output(ids.COMPARE_SYNC, "title"), Input(ids.MAP, "relayoutData"),
        Input(ids.MAP_COMPARE, "relayoutData"), prevent_initial_call=True)

    # A new second map starts where the first one is.
    app.clientside_callback(
        """async function(children) {
            const done = await window.atlas.syncMaps('%s', '%s', true);
            return done === false ? window.dash_clientside.no_update : String(Date.now());
        }""" % (ids.MAP, ids.MAP_COMPARE),
        Output(ids.COMPARE_BOX, "title"), Input(ids.COMPARE_BOX, "children"))

    # plotly.js repaints a map trace on Plotly.restyle but not when dcc.Graph
    # re-renders it from a patched figure (Dash 4.4 / plotly.js 4.1), so the
    # new colours go in this way.
    app.clientside_callback(
        # A count of applied updates, so that tests can wait on it.
        """async function(state) {
            const n = await window.atlas.restyleChoropleth(state);
            return n ? String(n) : window.dash_clientside.no_update;
        }""",
        Output(ids.MAP_SYNC, "title"), Input(ids.MAP_STATE, "data"), prevent_initial_call=True)

    @app.callback(Output(ids.CITY_PANEL, "children"),
                  Output(ids.MAP_STATE, "data", allow_duplicate=True),
                  Input(ids.MAP, "clickData"), State(ids.LANG, "value"), prevent_initial_call=True)
    def show_city(click, lang):
        point = _clicked(click)
        if point is None or point["curveNumber"] != 0 or lang not in LANGS:
            raise PreventUpdate  # not the choropleth: a place, handled below
        code = str(point.get("location"))
        match = store.cities[store.cities["adcode"] == code]
        if match.empty:
            raise PreventUpdate
        return (panels.city_panel(match.iloc[0], all_figures(store), defs, lang),
                figures.selection_state(list(store.cities["adcode"]), code))

    # One way to select a place: a click on it on the map, or on its row.
    # (An output to the grid's selectedRows stops Dash from running the
    # callbacks that depend on this one, so the row is selected client-side.)
    @app.callback(Output(ids.SELECTED, "data"),
                  Input(ids.MAP, "clickData"), Input(ids.GRID, "cellClicked"),
                  prevent_initial_call=True)
    def select_feature(click, cell):
        if ctx.triggered_id == ids.GRID:
            fid = cell.get("rowId") if isinstance(cell, dict) else None
        else:
            point = _clicked(click)
            if point is None or point["curveNumber"] not in fl.CLICKABLE:
                raise PreventUpdate
            fid = point.get("customdata") or point.get("location")
        if not isinstance(fid, str) or fid not in by_id.index:
            raise PreventUpdate
        return fid

    @app.callback(Output(ids.GRID, "rowData"), Output(ids.COUNT, "children"),
                  Output(ids.FOCUS, "data"), Output(ids.FLOWS_DATA, "data"), Output(ids.CITY_VIEW, "children"),
                  Input(ids.LAYERS, "value"), Input(ids.CATEGORY, "value"), Input(ids.CITY, "value"),
                  Input(ids.CHAPTER, "value"), Input(ids.PRECISION, "value"),
                  Input(ids.STATUS, "value"), Input(ids.SEARCH, "value"), Input(ids.PLAN, "value"),
                  Input(ids.GROUP, "value"), Input(ids.LEAD, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def filter_features(layers, categories, cities, chapters, precisions, statuses, text, plan, groups,
                        leads, lang):
        if lang not in LANGS:
            raise PreventUpdate
        values = dict(zip(("layers", "category", "city", "chapter", "precision", "status", "q", "plan",
                           "group", "lead"),
                          (layers, categories, cities, chapters, precisions, statuses, text, plan,
                           _known(groups, page.allowed["groups"]), _known(leads, page.allowed["leads"]))))
        values["plan"] = plan if plan in PLAN_CHOICES else "jiaodong"
        c = page.criteria(values)
        hits = feats[lf.matches(feats, c)]
        rows = lf.table_rows(hits, page.names[lang], TEXT[lang], lang)
        count = t("filter.count", lang).format(n=len(rows), total=len(feats))
        # A search moves the map to what it found, as a search box on a map should;
        # a plan moves it to where that plan's places are.
        focus = None
        if c.text and len(hits) and ctx.triggered_id == ids.SEARCH:
            focus = lf.focus_view(hits.geometry, max_zoom=min(lf.MAX_ZOOM[p] for p in hits["precision"]))
        elif ctx.triggered_id == ids.PLAN and len(ctx.triggered) == 1:  # the user chose it, not a slide
            focus = figures.PLAN_VIEWS[values["plan"]]
        return (rows, count, focus or no_update, page.flow_data(values, lang),
                _city_view(page, c.cities, lang))

    @app.callback(Output(ids.LAYERS, "value"), Output(ids.CATEGORY, "value"),
                  Output(ids.CITY, "value"), Output(ids.CHAPTER, "value"),
                  Output(ids.PRECISION, "value"), Output(ids.STATUS, "value"),
                  Output(ids.SEARCH, "value"), Output(ids.GROUP, "value"), Output(ids.LEAD, "value"),
                  Input(ids.CLEAR, "n_clicks"), prevent_initial_call=True)
    def clear_filters(clicks):
        if not clicks:
            raise PreventUpdate  # a rebuilt page, nothing clicked
        return list(lf.DEFAULT_LAYERS), [], [], [], [], [], "", [], []

    @app.callback(Output(ids.CITY_PANEL, "children", allow_duplicate=True),
                  Output(ids.FOCUS, "data", allow_duplicate=True),
                  Input(ids.SELECTED, "data"), State(ids.LANG, "value"), State(ids.URL, "search"),
                  prevent_initial_call=True)
    def show_feature(fid, lang, search):
        if not isinstance(fid, str) or fid not in by_id.index or lang not in LANGS:
            raise PreventUpdate
        named = page.view(search).values  # an address that names the place and an extent keeps its extent
        focus = None if named.get("sel") == fid and "focus" in named else page.place_focus(fid)
        return panels.feature_panel({"id": fid, **by_id.loc[fid].to_dict()}, page.names[lang], lang), focus or no_update

    # The map shows exactly the rows the table shows (its own column filters
    # included) and highlights the selected place: drawn in the browser.
    app.clientside_callback(
        """async function(visible, selected, data) {
            if (!visible) { return window.dash_clientside.no_update; }  // the table is not ready yet
            const ids = visible.map(function (r) { return r && r.id; });
            const n = await window.atlas.restyleFeatures(data, ids, selected);
            return n === false ? window.dash_clientside.no_update : String(n);
        }""",
        Output(ids.FEATURE_SYNC, "title"), Input(ids.GRID, "virtualRowData"),
        Input(ids.SELECTED, "data"), State(ids.FEATURE_DATA, "data"))

    app.clientside_callback(
        """async function(update) {
            const n = await window.atlas.restyleTrace(%d, update);
            return n ? String(n) : window.dash_clientside.no_update;
        }""" % fl.FLOWS,
        Output(ids.FLOWS_SYNC, "title"), Input(ids.FLOWS_DATA, "data"), prevent_initial_call=True)

    app.clientside_callback(
        """function(fid) {
            return window.atlas.selectRow(fid) ? fid : window.dash_clientside.no_update;
        }""",
        Output(ids.GRID_SYNC, "title"), Input(ids.SELECTED, "data"), prevent_initial_call=True)

    app.clientside_callback(
        """async function(focus) {
            return (await window.atlas.focus(focus)) ? JSON.stringify(focus) : window.dash_clientside.no_update;
        }""",
        Output(ids.FOCUS_SYNC, "title"), Input(ids.FOCUS, "data"), prevent_initial_call=True)

    figure_outputs = [Output(ids.MAP_STATE, "data", allow_duplicate=True),
                      Output(ids.LEGEND, "children", allow_duplicate=True),
                      Output(ids.MAP_TITLE, "children", allow_duplicate=True),
                      Output(ids.SOURCE_LINE, "children", allow_duplicate=True),
                      Output(ids.BAR, "figure", allow_duplicate=True),
                      Output(ids.CIRCLE_SUMMARY, "children", allow_duplicate=True),
                      Output(ids.SOURCES, "rowData", allow_duplicate=True),
                      Output(ids.CIRCLE_CARDS, "children", allow_duplicate=True)]
    view_states = [State(ids.INDICATOR, "value"), State(ids.VIEW, "value"), State(ids.SCHEME, "value"),
                   State(ids.LANG, "value")]

    def refreshed(indicator, view, scheme, lang) -> tuple:
        """Everything that shows figures, after an import or a removal."""
        rows = _source_rows(store, lang)
        cards = panels.circle_cards(all_figures(store), store.indicator_defs, lang)
        if indicator not in known or view not in ind.VIEWS or scheme not in ind.SCHEMES:
            return *[no_update] * 6, rows, cards
        return *_map_outputs(store, indicator, view, lang, scheme), *bar_view(store, indicator, lang), rows, cards

    @app.callback(Output(ids.UPLOAD_STATUS, "children"), Output(ids.IMPORT_LIST, "children"), *figure_outputs,
                  Input(ids.UPLOAD, "contents"), State(ids.UPLOAD, "filename"), *view_states,
                  prevent_initial_call=True)
    def import_figures(contents, filename, indicator, view, scheme, lang):
        """The same checker as `python -m geodata.indicators import`: all rows or none."""
        if contents is None:
            raise PreventUpdate  # a rebuilt page, nothing uploaded
        lang = lang if lang in LANGS else "zh"
        status = _import(store, contents, _file_name(filename), lang, keep=True)
        return status, _import_list(lang), *refreshed(indicator, view, scheme, lang)

    @app.callback(Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
                  Input(ids.PREVIEW, "contents"), State(ids.PREVIEW, "filename"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def preview_figures(contents, filename, lang):
        """A viewer's file: checked, and shown to them alone; stored nowhere."""
        if contents is None:
            raise PreventUpdate
        return _import(store, contents, _file_name(filename), lang if lang in LANGS else "zh", keep=False)

    @app.callback(Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
                  Output(ids.IMPORT_LIST, "children", allow_duplicate=True), *figure_outputs,
                  Input({"type": ids.REMOVE_IMPORT, "index": ALL}, "n_clicks"), *view_states,
                  prevent_initial_call=True)
    def remove_import(clicks, indicator, view, scheme, lang):
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate  # a rebuilt list, nothing clicked
        lang = lang if lang in LANGS else "zh"
        try:
            n = user_store.current().remove(int(ctx.triggered_id["index"]))
            status = html.P(t("import.removed", lang).format(n=n), className="good")
        except (user_store.Unavailable, user_store.sa.exc.DBAPIError) as exc:
            status = html.P(f"{t('import.store_error', lang)} {exc}", className="bad")
        return status, _import_list(lang), *refreshed(indicator, view, scheme, lang)

    @app.server.route("/figures/all.csv")
    def figures_csv():
        """Every figure the atlas shows, embedded and imported, with its source."""
        names = store.indicator_defs.set_index("indicator")
        table = all_figures(store).assign(indicator_name=lambda d: d["indicator"].map(names["name_zh"]))
        return Response(spreadsheet.excel_csv(table), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=jiaodong-figures.csv"})

    @app.server.route("/figures/template.csv")
    def figures_template():
        return Response("\ufeff" + imports.template(store), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=figures-template.csv"})

    _url_callbacks(app, page)
    slides.register(app, page)
    security.protect(app)  # the policy hashes the inline scripts registered above
    # Only editors reach the callbacks that write (403 for anyone else); after protect, so
    # that an oversized or malformed body gets its 413 or 400 before its JSON is read here.
    editors.register(app, editing, {k for k in app.callback_map if f"{ids.IMPORT_LIST}.children" in k})
    return app


def _body(page: Page, lang: str, values: dict, notice="") -> list:
    """The page's contents in one language, set to a view (`values` as
    url_state.parse gives them; what is missing takes its default), with a notice on the map."""
    store, feats = page.store, page.store.features
    v = {**URL_DEFAULTS, **values}
    indicator, view, scheme = v["indicator"], v["view"], v["scheme"]
    defs = store.indicator_defs
    options = [{"label": f"{r.name_zh}({r.unit})" if lang == "zh"
                else f"{r.name_en} ({figures.unit_label(r.unit, r.unit_en, lang)})", "value": r.indicator}
               for r in defs[defs["city_map"] == "yes"].itertuples()]
    state, legend, title, sources = map_view(store, indicator, view, lang, scheme)
    bars, summary = bar_view(store, indicator, lang)
    names = page.names[lang]
    rows = page.rows(page.criteria(values), lang)
    sel = values.get("sel")
    panel = (panels.feature_panel({"id": sel, **page.by_id.loc[sel].to_dict()}, names, lang) if sel
             else [html.P(t("city.hint", lang), className="hint"),
                   html.P(t("feature.hint", lang), className="hint")])
    focus = values.get("focus") or {}
    return [
        html.Header([
            html.Div([html.H1(t("title", lang)), html.P(t("subtitle", lang))]),
            html.Div([
                dcc.RadioItems([{"label": name, "value": code} for code, name in LANG_NAMES.items()],
                               lang, id=ids.LANG, className="lang", inline=True),
                *slides.controls(page.briefings, lang),
            ], className="header-tools"),
        ]),
        html.Div(panels.circle_cards(all_figures(store), defs, lang), id=ids.CIRCLE_CARDS,
                 className="cards"),
        html.Main([
            html.Aside([
                html.Label(t("plan", lang)),
                dcc.RadioItems([{"label": t(f"plan.{k}", lang), "value": k} for k in PLAN_CHOICES],
                               v["plan"], id=ids.PLAN, className="views"),
                html.Label(t("indicator", lang), htmlFor=ids.INDICATOR),
                dcc.Dropdown(options, indicator, id=ids.INDICATOR, clearable=False),
                html.Label(t("view", lang)),
                dcc.RadioItems([{"label": t(f"view.{k}", lang), "value": k} for k in ind.VIEWS],
                               view, id=ids.VIEW, className="views"),
                html.Label(t("scheme", lang)),
                dcc.RadioItems([{"label": t(f"scheme.{k}", lang), "value": k} for k in ind.SCHEMES],
                               scheme, id=ids.SCHEME, className="views"),
                html.Label(t("compare", lang), htmlFor=ids.COMPARE),
                dcc.Dropdown([{"label": t(f"view.{k}", lang), "value": k} for k in ind.LEVEL_VIEWS],
                             v.get("vs"), id=ids.COMPARE, placeholder=t("compare.none", lang)),
                html.Div([
                    html.Div(t("legend.title", lang), className="legend-head"),
                    html.Div(figures.legend_html(legend), id=ids.LEGEND, className="legend"),
                    *_layer_controls(store, names, v["layers"], lang),
                ], className="legend-block"),
                *_filter_controls(store, names, page.allowed, v, lang),
                *export.controls(lang),
            ], className="controls"),
            html.Section([
                html.Div(title, id=ids.MAP_TITLE, className="map-title"),
                *slides.caption(),
                html.Div(notice, id=ids.URL_NOTICE, className="url-notice", role="status"),
                dcc.Store(id=ids.MAP_STATE), html.Div(id=ids.MAP_SYNC, hidden=True),
                dcc.Store(id=ids.FEATURE_DATA, data=page.feature_data[lang]), dcc.Store(id=ids.FOCUS),
                # (A Store given data=None reports a change when it mounts.)
                dcc.Store(id=ids.SELECTED, **({"data": sel} if sel else {})),
                html.Div(id=ids.FEATURE_SYNC, hidden=True), html.Div(id=ids.FOCUS_SYNC, hidden=True),
                html.Div(id=ids.GRID_SYNC, hidden=True),
                dcc.Store(id=ids.FLOWS_DATA), html.Div(id=ids.FLOWS_SYNC, hidden=True),
                # A wrapper named per language, so that a new language mounts a new map:
                # plotly.js 4.1 does not repaint map traces given a whole new figure.
                html.Div([html.Div(dcc.Graph(id=ids.MAP, figure=figures.map_figure(
                    store.cities, store.context, state, lang,
                    [fl.flow_trace().update(page.flow_data(values, lang)),
                     *fl.filled_traces(page.feature_data[lang], {r["id"] for r in rows})],
                    center=focus.get("center"), zoom=focus.get("zoom")),
                    config={"displaylogo": False, "scrollZoom": True}, className="map"),
                    id=f"{ids.MAP}-{lang}", className="map-box"),
                    html.Div(_compare_map(page, v, lang), id=ids.COMPARE_BOX, className="compare-box")],
                    className="maps"),
                html.Div(sources, id=ids.SOURCE_LINE, className="source-line"),
                dcc.Tabs([
                    dcc.Tab([
                        html.Div(t("filter.count", lang).format(n=len(rows), total=len(feats)),
                                 id=ids.COUNT, className="feature-count"),
                        _grid(ids.GRID, rows, _grid_columns(lang), getRowId="params.data.id",
                              rowSelection={"mode": "singleRow", "checkboxes": False,
                                            "enableClickSelection": True},
                              localeText={"noRowsToShow": t("filter.none", lang)}),
                    ], label=t("tab.features", lang), value="features"),
                    dcc.Tab([
                        html.Div([t("sources.note", lang), " ",
                                  html.A(t("sources.download", lang), href="/figures/all.csv",
                                         download="jiaodong-figures.csv")], className="feature-count"),
                        _grid(ids.SOURCES, _source_rows(store, lang), _source_columns(lang),
                              tooltipShowDelay=300),
                    ], label=t("tab.sources", lang), value="sources"),
                    dcc.Tab([
                        html.Div(t("tasks.note", lang), className="feature-count"),
                        _grid(ids.TASKS, _task_rows(store, names, lang), _task_columns(lang),
                              tooltipShowDelay=300),
                    ], label=t("tab.tasks", lang), value="tasks"),
                ], value="features", className="bottom-tabs", parent_className="bottom-panel"),
            ], className="map-wrap"),
            html.Aside([
                html.H2(t("bar.title", lang)),
                dcc.Graph(id=ids.BAR, figure=bars, config={"displayModeBar": False}),
                html.Div(summary, id=ids.CIRCLE_SUMMARY, className="circle-summary"),
                html.Div(_city_view(page, v.get("city") or [], lang), id=ids.CITY_VIEW,
                         className="city-panel city-view"),
                html.Div(panel, id=ids.CITY_PANEL, className="city-panel"),
                *_import_controls(lang),  # below the panel: reading comes before importing
            ], className="side"),
        ]),
        html.Footer([t("footer", lang), " ", t("lang.note", lang) if lang != "zh" else ""]),
    ]

def _map_outputs(store: Store, indicator: str, view: str, lang: str, scheme: str) -> tuple:
    """The map's colours, its legend (as components), title and source line."""
    state, legend, title, sources = map_view(store, indicator, view, lang, scheme)
    return state, figures.legend_html(legend), title, sources


def _serve_geojson(app: Dash, store: Store) -> None:
    """Boundaries as static, cacheable GeoJSON: made once, fetched once."""
    payloads = {}
    for layer in GEOJSON_LAYERS:
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


def _grid(grid_id: str, rows: list[dict], columns: list[dict], getRowId=None, **options):
    """A sortable, filterable table under the map; `options` are AG Grid options."""
    extra = {"getRowId": getRowId} if getRowId else {}
    return dag.AgGrid(id=grid_id, rowData=rows, columnDefs=columns, className="feature-grid",
                      defaultColDef={"sortable": True, "filter": True, "resizable": True},
                      dashGridOptions={"animateRows": False, "rowHeight": 30, **options},
                      style={"height": "230px"}, **extra)


def _columns(spec, lang: str) -> list[dict]:
    """Column definitions from (field, header text key, flex, extra options)."""
    return [{"field": field, "headerName": t(key, lang), "flex": flex, **extra}
            for field, key, flex, extra in spec]


def _grid_columns(lang: str) -> list[dict]:
    return _columns([
        ("name", "table.name", 3, {"minWidth": 220, "tooltipField": "name_en"}),
        ("layer", "table.layer", 1.2, {}), ("category", "table.category", 1.6, {}),
        ("cities", "table.cities", 1.2, {}), ("precision", "table.precision", 1.6, {}),
        ("status", "table.status", 1, {}), ("plan_ref", "table.plan_ref", 2.2, {}),
    ], lang)


def _layer_controls(store: Store, names: lf.Names, layers: list, lang: str) -> list:
    """Layer toggles with their legend swatches and counts: the plan layers' legend."""
    counts = store.features["layer"].value_counts()
    layer_options = [{"label": html.Span([
        html.Span(className="swatch", style={"background": fl.LAYER_COLORS[layer]}),
        f"{t(f'layer.{layer}', lang)} ({counts.get(layer, 0)})"]), "value": layer}
        for layer in FEATURE_LAYERS]
    return [
        html.Div(t("layers.title", lang), className="legend-head"),
        dcc.Checklist(layer_options, layers, id=ids.LAYERS, className="layer-toggles"),
        html.Div([html.Div([html.Span(className="line-swatch", style={"background": spec.color}),
                            names.categories[(spec.layer, spec.categories[0])] if spec.categories
                            else t(f"layer.{spec.layer}", lang)], className="legend-row")
                  for spec in fl.SPECS if spec.geom == "line" and spec.layer]
                 + [html.Div([html.Span(className="line-swatch", style={"background": fl.FLOW_COLOR}),
                              t("legend.flows", lang)], className="legend-row")], className="line-legend"),
        html.Div(t("legend.precision", lang), className="legend-note"),
    ]


def _filter_controls(store: Store, names: lf.Names, allowed: dict, v: dict, lang: str) -> list:
    """Search and the filters, set to the view `v`."""
    cats = store.feature_categories
    category_options = [{"label": f"{t(f'layer.{r.layer}', lang)} · {names.categories[(r.layer, r.category)]}",
                         "value": r.category} for r in cats.itertuples()
                        if r.category in allowed["categories"]]
    city_options = [{"label": names.cities[c], "value": c} for c in allowed["cities"]]
    chapter_options = [{"label": t("chapter.n", lang).format(n=n) if n else t("preface", lang), "value": n}
                       for n in allowed["chapters"]]
    precision_options = [{"label": t(f"precision.{p}", lang), "value": p} for p in PRECISIONS]
    status_options = [{"label": t(f"status.{s}", lang), "value": s} for s in STATUSES]
    titles = dict(zip(store.tasks["group"], store.tasks["group_title_zh"]))
    group_options = [{"label": f"({g}) {titles[g]}", "value": g} for g in allowed["groups"]]
    lead_options = [{"label": d, "value": d} for d in allowed["leads"]]  # the plan's own names

    def multi(id_, key, label, options):
        return [html.Label(label, htmlFor=id_),
                dcc.Dropdown(options, v.get(key, []), id=id_, multi=True, placeholder="—")]

    return [
        html.Div(t("filter.title", lang), className="legend-head"),
        dcc.Input(id=ids.SEARCH, type="search", placeholder=t("filter.search", lang), debounce=True,
                  maxLength=100, className="search", value=v.get("q", "")),
        *multi(ids.CATEGORY, "category", t("filter.category", lang), category_options),
        *multi(ids.CITY, "city", t("filter.city", lang), city_options),
        *multi(ids.CHAPTER, "chapter", t("filter.chapter", lang), chapter_options),
        *multi(ids.PRECISION, "precision", t("filter.precision", lang), precision_options),
        *multi(ids.STATUS, "status", t("filter.status", lang), status_options),
        html.Div(t("filter.docking", lang), className="legend-note"),
        *multi(ids.GROUP, "group", t("filter.group", lang), group_options),
        *multi(ids.LEAD, "lead", t("filter.lead", lang), lead_options),
        html.Button(t("filter.clear", lang), id=ids.CLEAR, className="clear"),
    ]


def _compare_map(page: Page, v: dict, lang: str) -> list:
    """The second map, beside the first: the same indicator in another year, in
    the same classes (the level views share their breaks), synchronised."""
    vs = v.get("vs")
    if vs not in ind.LEVEL_VIEWS:
        return [html.Div(id=ids.COMPARE_SYNC, hidden=True), dcc.Graph(id=ids.MAP_COMPARE, style={"display": "none"})]
    store = page.store
    v = {**URL_DEFAULTS, **v}
    state, _, title, sources = map_view(store, v["indicator"], vs, lang, v["scheme"])
    focus = v.get("focus") or {}
    return [
        html.Div(title, className="map-title"),
        html.Div(id=ids.COMPARE_SYNC, hidden=True),
        # Named per view and language, so that each is a new map (see compare()).
        html.Div(dcc.Graph(id=ids.MAP_COMPARE, figure=figures.map_figure(
            store.cities, store.context, state, lang, center=focus.get("center"), zoom=focus.get("zoom")),
            config={"displaylogo": False, "scrollZoom": True}, className="map"),
            id=f"{ids.MAP_COMPARE}-{vs}-{v['indicator']}-{v['scheme']}-{lang}", className="map-box"),
    ]


def _known(values, allowed) -> list:
    """Only values the control offers (a forged request may send anything)."""
    return [v for v in values if v in allowed] if isinstance(values, list) else []


def _city_view(page: Page, cities, lang: str) -> list:
    """For each chosen city: the docking plan's tasks that name it, and how many
    places of each plan lie in it (the table and the map show them)."""
    store, names = page.store, page.names[lang]
    out = []
    for city in list(cities)[:3]:  # more would not fit beside the map
        tasks = docking.tasks_naming(store.tasks, city)
        in_city = store.features[store.features["city_adcodes"].map(lambda s: city in s.split(";"))]
        counts = [html.Li(f"{t(f'plan.{key}', lang)}: "  # a place both plans name counts for both
                          f"{lf.matches(in_city, lf.Criteria(layers=FEATURE_LAYERS, plans=PLAN_CHOICES[key])).sum()}")
                  for key in ("jiaodong", "docking")]
        rows = [html.Tr([html.Td(t("task.n", lang).format(n=r.number)),
                         html.Td(r.title_zh if lang == "zh" else r.title_en, title=r.quote)])
                for r in tasks.itertuples(index=False)]
        out += [html.H3(f"{names.cities.get(city, city)} · {t('cityview.title', lang)}"),
                html.Ul(counts, className="city-counts"),
                html.H4(t("cityview.tasks", lang)),
                html.Table(html.Tbody(rows), className="figures") if rows else html.P(t("cityview.no_tasks", lang))]
    return out


def _task_rows(store: Store, names, lang: str) -> list[dict]:
    return [{"number": int(r.number), "group": f"({r.group}) {r.group_title_zh}",
             "title": r.title_zh if lang == "zh" else r.title_en,
             # 牵头 (lead) and 按职责分工负责 (each responsible for its part) are different roles
             "lead": "、".join(filter(None, r.lead_departments.split(";"))) if r.lead_role == "lead" else "",
             "responsible": ("、".join(filter(None, r.lead_departments.split(";")))
                             if r.lead_role == "responsible" else ""),
             "support": "、".join(filter(None, r.supporting_departments.split(";"))),
             "cities": "、".join(names.cities.get(c, c) for c in r.cities.split(";") if c) or "—",
             "partners": "、".join(names.regions.get(c, c) for c in r.partner_regions.split(";") if c),
             "quote": r.quote} for r in store.tasks.itertuples(index=False)]


def _task_columns(lang: str) -> list[dict]:
    return _columns([
        ("number", "task.number", 0.5, {}), ("group", "filter.group", 1.6, {}),
        ("title", "table.name", 2.4, {"tooltipField": "quote"}), ("lead", "task.lead", 1.6, {}),
        ("responsible", "task.responsible", 2, {}),
        ("support", "task.support", 1.2, {}), ("cities", "table.cities", 1.6, {}),
        ("partners", "task.partners", 1.6, {}),
    ], lang)


def _clicked(click) -> dict | None:
    """The first point of a map click, or None for anything malformed."""
    try:
        point = click["points"][0]
        int(point["curveNumber"])
        return point
    except (TypeError, KeyError, IndexError, ValueError):
        return None


def _import_controls(lang: str) -> list:
    """Editors import and remove; a viewer may preview a file for themselves only."""
    editor, open_ = editors.is_editor(), editors.mode() == editors.OPEN
    if editor:
        who = [t("import.open", lang)] if open_ else [
            t("import.signed_in", lang).format(name=editors.session.get("editor", "")), " ",
            html.Form(html.Button(t("editor.sign_out", lang), type="submit"), method="post",
                      action="/editor/sign-out", className="inline-form")]
    else:
        who = [t("import.viewer", lang), " ",
               html.A(t("editor.sign_in", lang), href=f"/editor?lang={lang}")]
    hidden = {"display": "none"}
    return [
        html.H2(t("import.title", lang)),
        html.P(who, className="hint editor-line"),
        *[dcc.Upload(html.Div(t(text, lang)), id=cid, className="upload", accept=".csv,.txt,text/csv,text/plain",
                     max_size=imports.MAX_UPLOAD, style=None if shown else hidden)
          for cid, text, shown in ((ids.UPLOAD, "import.drop", editor),
                                   (ids.PREVIEW, "import.preview_drop", not editor))],
        html.A(t("import.template", lang), href="/figures/template.csv", download="figures-template.csv",
               className="template-link"),
        html.Div(id=ids.UPLOAD_CHECK, className="upload-status bad", role="alert"),  # filled by uploads.js
        html.Div(id=ids.UPLOAD_STATUS, className="upload-status", role="status",
                 **{"data-too-big": t("import.too_big", lang).format(mb=imports.MAX_UPLOAD // 1000 / 1000),
                    "data-not-csv": t("import.not_csv", lang), "data-max": str(imports.MAX_UPLOAD)}),
        html.Div(_import_list(lang) if editor else [], id=ids.IMPORT_LIST, className="import-list"),
    ]


def _import_list(lang: str) -> list:
    """An editor's view of the imports: file, who, when, how many; each removable."""
    store = user_store.current()
    notices = [html.P(n, className="bad") for n in user_store.problems()]
    try:
        done = store.imports()
    except (user_store.Unavailable, user_store.sa.exc.DBAPIError):
        return notices
    items = [html.Li([f"#{r.id} {r.source_name} · {t('import.figures', lang).format(n=r.figures)} · "
                      f"{r.imported_by} · {str(r.imported_at)[:16].replace('T', ' ')} UTC ",
                      html.Button(t("import.remove", lang), id={"type": ids.REMOVE_IMPORT, "index": int(r.id)},
                                  className="remove-import")])
             for r in done.itertuples()]
    return [*notices, html.Ul(items)] if items else notices


def _file_name(filename) -> str:
    return Path(str(filename or "upload.csv")).name[:80]


def _import(store: Store, contents, name: str, lang: str, keep: bool):
    """Check an uploaded CSV; if every row is good, keep it in the user store (an editor's
    import) or only show it (a viewer's preview)."""
    try:
        data = base64.b64decode(str(contents).split(",", 1)[1], validate=True)
    except (IndexError, ValueError, binascii.Error):
        return html.P(f"{name}: {t('import.unreadable', lang)}", className="bad")
    if len(data) > imports.MAX_UPLOAD:
        return html.P(t("import.too_big", lang).format(mb=imports.MAX_UPLOAD // 1000 / 1000), className="bad")
    known = all_figures(store)
    result = imports.check(data, name, rules_of(store), known[imports.COLUMNS])
    read_as = html.P(t("import.read_as", lang).format(how=result.read_as), className="hint") if result.read_as else ""
    if result.whole_file:
        return [html.P(t("import.file_bad", lang).format(name=name), className="bad"),
                html.Ul([html.Li(result.problems[0].text(lang))]), read_as]
    if not result.ok:
        texts = [p.text(lang) for p in result.problems]
        shown = texts[:20] + ([f"… ({len(texts) - 20})"] if len(texts) > 20 else [])
        return [html.P(t("import.bad", lang).format(name=name, n=len(texts)), className="bad"),
                html.Ul([html.Li(e) for e in shown]), read_as]
    if result.rows.empty:
        return html.P(t("import.none", lang), className="bad")
    if not keep:
        return [html.P(t("import.preview", lang).format(n=len(result.rows), name=name), className="good"),
                html.Ul([html.Li(f"{r.indicator} · {r.area_code} · {r.year} · {t(f'kind.{r.kind}', lang)} · "
                                 f"{r.comparator}{r.value:g} {r.unit}") for r in result.rows.itertuples()]),
                read_as]
    try:
        n = user_store.current().add(result.rows, name, editors.who())
    except user_store.Duplicate:
        return html.P(t("import.duplicate", lang).format(name=name), className="bad")
    except (user_store.Unavailable, user_store.sa.exc.DBAPIError) as exc:
        return html.P(f"{t('import.store_error', lang)} {exc}", className="bad")
    return [html.P(t("import.done", lang).format(n=n, name=name), className="good"), read_as]


def _source_rows(store: Store, lang: str) -> list[dict]:
    """Every figure with its source, for the sources table."""
    defs = store.indicator_defs.set_index("indicator")
    areas = dict(zip(store.cities["adcode"], store.cities["name_zh" if lang == "zh" else "name_en"]))
    areas["jiaodong"] = t("circle", lang)
    rows = []
    for r in all_figures(store).itertuples(index=False):
        d = defs.loc[r.indicator]
        rows.append({
            "indicator": d["name_zh"] if lang == "zh" else d["name_en"],
            "area": areas.get(r.area_code, r.area_code),
            "year": int(r.year), "kind": t(f"kind.{r.kind}", lang),
            "value": f"{figures.fmt_with_cmp(r.value, r.comparator, int(d['decimals']), lang)} {r.unit}",
            "quality": t(f"quality.{r.quality}", lang),
            "source": r.source, "quote": r.source_quote,
            "imported": t("imported", lang) if r.imported else "",
        })
    return rows


def _source_columns(lang: str) -> list[dict]:
    return _columns([
        ("indicator", "table.indicator", 2, {}), ("area", "table.area", 1.2, {}),
        ("year", "table.year", 0.8, {}), ("kind", "table.kind", 0.8, {}),
        ("value", "table.value", 1.4, {}), ("quality", "quality", 1.2, {}),
        ("source", "source", 2.4, {"tooltipField": "quote"}), ("imported", "imported", 1, {}),
    ], lang)


def _url_callbacks(app: Dash, page: Page) -> None:
    """Everything a user sets lives in the URL: opening the URL restores the view."""

    @app.callback(Output(ids.BODY, "children", allow_duplicate=True), Output(ids.BODY, "lang", allow_duplicate=True),
                  *[Output(cid, "value", allow_duplicate=True) for _, cid in URL_CONTROLS],
                  Output(ids.SELECTED, "data", allow_duplicate=True),
                  Output(ids.URL_NOTICE, "children"), Output(ids.URL_READ, "data"),
                  Output(ids.URL, "search", allow_duplicate=True), Input(ids.URL, "search"),
                  *[State(cid, "value") for _, cid in URL_CONTROLS], State(ids.SELECTED, "data"),
                  State(ids.URL_READ, "data"), prevent_initial_call="initial_duplicate")
    def read_url(search, *current):
        *current, selected, opened = current
        state = page.view(search)
        now = dict(zip([k for k, _ in URL_CONTROLS], current))
        lang, sel = state.values.get("lang", "zh"), state.values.get("sel")
        notice = f"{t('url.dropped', lang)} {'; '.join(state.dropped)}" if state.dropped else ""
        keep = [no_update] * (len(URL_CONTROLS) + 2)
        if not opened and not state.values and not state.dropped and now["lang"] == lang:
            return no_update, no_update, *keep, True, no_update  # a plain address: the page as built
        if not opened or now["lang"] != lang:
            # A link opened, or another language: the page is built from the link in one go, in its
            # language, at its extent (else its place's or its plan's); the address bar keeps what was understood.
            values = {"focus": (sel and page.place_focus(sel)) or figures.PLAN_VIEWS.get(state.values.get("plan")),
                      **state.values}
            return (_body(page, lang, values, notice), lang, *keep, True,
                    url_state.encode(state.values) if state.dropped else no_update)
        out = [state.values[k] if k in state.values and state.values[k] != now[k] else no_update
               for k, _ in URL_CONTROLS]
        out += [sel if sel and sel != selected else no_update, notice or no_update]
        if all(v is no_update for v in out):
            raise PreventUpdate
        return no_update, no_update, *out, True, no_update

    @app.callback(Output(ids.URL, "search"),
                  *[Input(cid, "value") for _, cid in URL_CONTROLS], Input(ids.SELECTED, "data"),
                  Input(ids.MAP, "relayoutData"), State(ids.URL, "search"), State(ids.URL_READ, "data"),
                  prevent_initial_call=True)
    def write_url(*args):
        *controls, selected, relayout, search, opened = args
        if not opened:
            raise PreventUpdate  # the page before the link is applied: not the view the link names
        before = page.view(search).values
        # The briefing and the presentation are the presenter's, not the controls'.
        values = {k: before[k] for k in ("brief", "slide", "mode") if k in before}
        for (key, _), value in zip(URL_CONTROLS, controls):  # (a default the address names stays named)
            if ((value != URL_DEFAULTS.get(key) or before.get(key) == value)
                    and (value not in (None, "", []) or key == "layers")):
                values[key] = value
        if isinstance(selected, str):
            values["sel"] = selected
        # The map's own move; else the extent the address names (the last move reported may be stale).
        moved = f"{ids.MAP}.relayoutData" in ctx.triggered_prop_ids and url_state.extent(relayout)
        values["focus"] = moved or before.get("focus")
        new = url_state.encode(values)
        if new == (search or ""):
            raise PreventUpdate
        return new
