"""The page: its frame (address, view, stores) and its body in one language,
built for a view. Every part is set to the view it is built for, so a page
opened from a link shows that view at once."""

from __future__ import annotations

from dataclasses import replace

import flask
from dash import dcc, html

from dashboard import (
    deck_callbacks,
    editors,
    export,
    figure_imports,
    figures,
    ids,
    later,
    numbers,
    panels,
    reader,
    slides,
    tables,
)
from dashboard import feature_layers as fl
from dashboard import view as views
from dashboard.i18n import LANG_NAMES, TEXT, t
from dashboard.page import Page, all_figures, map_view
from dashboard.view import View
from layers import docking, map_layers, plans, user_store
from layers import features as lf
from layers import indicators as ind
from layers.records import FEATURE_LAYERS, PRECISIONS, STATUSES


def page_layout(page: Page):
    """The app's layout function. A page opened on a link is built for the link's view
    (the page asks with ?link=, assets/atlas.js): one body, in its language, drawn once.
    Else the plain page, built afresh when the imported figures change or for an editor,
    so a new page shows what every other viewer sees now; else the last build."""
    built: dict = {}

    def layout():
        link = flask.request.args.get("link") if flask.has_request_context() else None
        if link:
            return _frame(page, link, *opened(page, link))
        all_figures(page.store)
        key = (user_store.version(), editors.is_editor())
        if key not in built:
            built.clear()
            built[key] = _frame(page, "", body(page, View()), "zh", "", {})
        return built[key]

    return layout


def opened(page: Page, search: str) -> tuple:
    """A page opened on a link: its body, language, address and the presenter's keys.
    The address keeps what was understood; a part that was not is dropped, and said."""
    view, dropped = page.parse(search)
    address = view.query() if dropped else search
    notice = f"{t('url.dropped', view.lang)} {'; '.join(dropped)}" if dropped else ""
    return body(page, view, notice, page.opening_focus(view)), view.lang, address, view.presenter


def _frame(page: Page, search: str, children: list, lang: str, address: str, presenter: dict):
    """The page opened on `search` (the address bar's query, "" for none), showing the
    view `address` names. Every part is as the page's callbacks would set it, so no
    callback runs as the page opens: none asks the server anything, and nothing is drawn twice."""
    return html.Div(
        [
            # The address it was opened on: else the Location reports one as it mounts.
            dcc.Location(id=ids.URL, refresh=False, search=search),
            dcc.Store(id=ids.VIEW_QUERY, data=address),
            dcc.Store(id=ids.PRESENTER, **({"data": presenter} if presenter else {})),
            dcc.Store(id=ids.BEFORE_BRIEFING),
            dcc.Store(id=ids.VIEW_SPEC, data=views.spec()),
            dcc.Store(id=ids.SLIDE_TARGET),
            dcc.Store(id=ids.BRIEFING_SIZES, data={b.id: len(b.slides) for b in page.briefings.values()}),
            html.Div(id=ids.ADDRESS_SYNC, hidden=True),
            html.Div(children, id=ids.BODY, lang=lang),
        ],
        id=ids.ROOT,
        className=slides.page_class(presenter),
    )


def body(page: Page, view: View, notice="", focus: dict | None = None) -> list:
    """The page's contents in the view's language, set to the view, with a notice on the
    map; the map at `focus` (else the view's extent)."""
    parts = relabelled(page, view, opening=True)
    # Map first: the places' controls on the left fold away (folded on a narrow screen),
    # the figures on the right, the legend and layers on the map, the tables in a drawer.
    main = [parts["controls"], _map_section(page, view, parts, notice, focus or view.focus), parts["side"]]
    return [parts["header"], html.Main(main, id=ids.MAIN, className="controls-auto")]


def relabelled(page: Page, view: View, opening: bool = False) -> dict:
    """The parts of the page a new language builds anew (map_callbacks.switch_language), by
    name. The maps are in none of them: a new language keeps the map drawn and relabels it,
    since Dash 4.4 mounts anew whatever a callback's new `children` hold. A page `opening`
    puts some of the side panel's in once its first map is whole (dashboard/later.py)."""
    lang = view.lang
    _, legend, _, _ = _shown(page, view)
    parts = {
        "header": html.Header(_header(page, view)),
        "controls": _controls(page, view),
        "legend": _legend(page, view, legend),
        "tabs": _tabs(page, page.rows(page.criteria(view), lang), view),
        "side": _side(page, view, opening),
    }
    for name, part in parts.items():
        part.id = {"type": ids.LANG_PART, "part": name}
    return parts


def _shown(page: Page, view: View) -> tuple:
    """What the view's map shows (the page opens on one of its switches): colours, legend, title, sources."""
    return page.switches(view.lang)["map"][f"{view.indicator}|{view.view}|{view.scheme}"]


def _header(page: Page, view: View) -> list:
    lang = view.lang
    return [
        html.Div([html.H1(t("title", lang)), _subtitle(view)]),
        html.Div(
            [
                html.Button(t("controls.toggle", lang), id=ids.CONTROLS_TOGGLE, className="controls-toggle"),
                dcc.RadioItems(
                    [{"label": name, "value": code} for code, name in LANG_NAMES.items()],
                    lang,
                    id=ids.LANG,
                    className="lang",
                    inline=True,
                ),
                *slides.controls(page.briefings, lang),
                *deck_callbacks.controls(lang),
            ],
            className="header-tools",
        ),
    ]


def _controls(page: Page, view: View):
    """The plan and its places: which plan, the filters, the exports."""
    lang = view.lang
    return html.Aside(
        [
            html.Label(t("plan", lang)),
            _choices(ids.PLAN, "plan", plans.CHOICES, view.plan, lang),
            *filter_controls(page, view),
            *export.controls(lang, view.query()),
        ],
        className="controls",
    )


def _figure_controls(page: Page, view: View):
    """The figures' choices, above the chart they drive: indicator, view, classes, a second map."""
    store, lang = page.store, view.lang
    defs = store.indicator_defs
    options = [
        {
            "label": f"{r.name_zh}({r.unit})"
            if lang == "zh"
            else f"{r.name_en} ({numbers.unit_label(r.unit, r.unit_en, lang)})",
            "value": r.indicator,
        }
        for r in defs[defs["city_map"] == "yes"].itertuples()
    ]
    return html.Div(
        [
            html.Label(t("indicator", lang), htmlFor=ids.INDICATOR),
            dcc.Dropdown(options, view.indicator, id=ids.INDICATOR, clearable=False),
            html.Label(t("view", lang)),
            _choices(ids.VIEW, "view", ind.VIEWS, view.view, lang),
            html.Label(t("scheme", lang)),
            _choices(ids.SCHEME, "scheme", ind.SCHEMES, view.scheme, lang),
            html.Label(t("compare", lang), htmlFor=ids.COMPARE),
            dcc.Dropdown(
                [{"label": t(f"view.{k}", lang), "value": k} for k in ind.LEVEL_VIEWS],
                view.vs,
                id=ids.COMPARE,
                placeholder=t("compare.none", lang),
            ),
        ],
        className="figure-controls",
    )


def _legend(page: Page, view: View, legend):
    """On the map, always in view: the choropleth's legend, the plan's layers with their
    swatches, and what the figures and boundaries come from."""
    lang = view.lang
    return html.Div(
        [
            html.Div(t("legend.title", lang), className="legend-head"),
            html.Div(legend, id=ids.LEGEND, className="legend"),
            *layer_controls(page, list(view.layers), lang),
            html.Div([t("footer", lang), " ", t("lang.note", lang) if lang != "zh" else ""], className="legend-note"),
        ],
        className="legend-block",
        tabIndex="0",  # on a phone, a tap unfolds the layers and notes
    )


def _choices(cid: str, key: str, values, value, lang: str):
    """One of a few choices, each named by its `key.<value>` text."""
    return dcc.RadioItems(
        [{"label": t(f"{key}.{k}", lang), "value": k} for k in values], value, id=cid, className="views"
    )


def _map_section(page: Page, view: View, parts: dict, notice, focus: dict | None):
    store, lang = page.store, view.lang
    state, _, title, sources = _shown(page, view)
    rows = page.rows(page.criteria(view), lang)
    focus = focus or plans.frame(view.plan)  # a link's own extent has no bounds: it is kept as it is
    return html.Section(
        [
            html.Div(title, id=ids.MAP_TITLE, className="map-title"),
            *slides.caption(page.briefings, view.presenter, lang),
            html.Div(notice, id=ids.URL_NOTICE, className="url-notice", role="status"),
            dcc.Store(id=ids.MAP_STATE),
            dcc.Store(id=ids.COMPARE_ASK),
            html.Div(id=ids.MAP_SYNC, hidden=True),
            dcc.Store(id=ids.CITY_OUTLINE),
            html.Div(id=ids.CITY_OUTLINE_SYNC, hidden=True),
            dcc.Store(id=ids.FOCUS),
            dcc.Store(id=ids.SELECTED, **({"data": view.sel} if view.sel else {})),
            html.Div(id=ids.FEATURE_SYNC, hidden=True),
            html.Div(id=ids.FOCUS_SYNC, hidden=True),
            html.Div(id=ids.GRID_SYNC, hidden=True),
            dcc.Store(id=ids.FLOWS_DATA),
            html.Div(id=ids.FLOWS_SYNC, hidden=True),
            dcc.Store(id=ids.MAP_TEXTS),
            html.Div(id=ids.MAP_TEXTS_SYNC, hidden=True),
            html.Div(
                [
                    html.Div(
                        dcc.Graph(
                            id=ids.MAP,
                            figure=figures.map_figure(
                                store.cities,
                                store.context,
                                state,
                                lang,
                                fl.flow_trace().update(page.flow_data(view, lang)),
                                fl.filled_traces(page.feature_data[lang], {r["id"] for r in rows}),
                                center=focus.get("center"),
                                zoom=focus.get("zoom"),
                                fit=focus.get("bounds"),
                                anchors=page.anchors,
                            ),
                            config={"displaylogo": False, "scrollZoom": True},
                            className="map",
                        ),
                        className="map-box",
                    ),
                    html.Div(compare_map(page, view), id=ids.COMPARE_BOX, className="compare-box"),
                    parts["legend"],
                    html.Div(sources, id=ids.SOURCE_LINE, className="source-line"),  # as a map's attribution
                ],
                className="maps",
            ),
            parts["tabs"],
        ],
        className="map-wrap",
    )


def _subtitle(view: View) -> html.P:
    """Which plan the page shows: its title and date (both, when both are chosen); the plan
    control shows and hides them (place_callbacks)."""
    chosen = plans.CHOICES.get(view.plan, ())
    return html.P(
        [
            html.Span(_plan_line(p.key, view.lang), id=f"{ids.SUBTITLE}-{p.key}", hidden=p.id not in chosen)
            for p in plans.REGISTRY
        ],
        className="subtitle",
    )


def _plan_line(key: str, lang: str) -> str:
    """A plan's title and date as the header gives it; an office's own plan, its name."""
    return t(f"subtitle.{key}", lang) if f"subtitle.{key}" in TEXT[lang] else t(f"plan.{key}", lang)


def _tabs(page: Page, rows: list[dict], view: View):
    """The tables and the plan's text, in a drawer under the map that opens on a tab and
    starts closed (open on the text when the view names a section): the map comes first, and
    a table is only built in the browser when it is asked for."""
    lang = view.lang
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        t("filter.count", lang).format(n=len(rows), total=len(page.store.features)),
                        id=ids.COUNT,
                        className="feature-count",
                    ),
                    html.Button(t("tables.close", lang), id=ids.TABLES_CLOSE, className="tables-close"),
                ],
                className="tables-bar",
            ),
            dcc.Store(id=ids.FEATURE_DATA, data=page.feature_data[lang]),  # the places' drawing data, sent once
            dcc.Tabs(
                [*_table_tabs(page, rows, lang), reader.tab(page, view)],
                id=ids.TABLES,
                value="reader" if view.read else "",  # no tab: closed
                mobile_breakpoint=0,  # a row of tabs on a phone too
                className="bottom-tabs",
                parent_className="bottom-panel",
            ),
        ],
        className="tables-drawer",
    )


def _table_tabs(page: Page, rows: list[dict], lang: str) -> list:
    store = page.store
    return [
        dcc.Tab(
            tables.grid(
                ids.GRID,
                rows,
                tables.place_columns(lang),
                getRowId="params.data.id",
                rowSelection={"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                localeText={"noRowsToShow": t("filter.none", lang)},
            ),
            label=t("tab.features", lang),
            value="features",
            id=f"{ids.TABLES}-features",
        ),
        dcc.Tab(
            [
                html.Div(
                    [
                        t("sources.note", lang),
                        " ",
                        html.A(t("sources.download", lang), href="/figures/all.csv", download="jiaodong-figures.csv"),
                    ],
                    className="feature-count",
                ),
                tables.grid(
                    ids.SOURCES, tables.source_rows(store, lang), tables.source_columns(lang), tooltipShowDelay=300
                ),
            ],
            label=t("tab.sources", lang),
            value="sources",
            id=f"{ids.TABLES}-sources",
        ),
        dcc.Tab(
            [
                html.Div(t("tasks.note", lang), className="feature-count"),
                tables.grid(
                    ids.TASKS,
                    tables.task_rows(store, page.names[lang], lang),
                    tables.task_columns(lang),
                    tooltipShowDelay=300,
                ),
            ],
            label=t("tab.tasks", lang),
            value="tasks",
            id=f"{ids.TABLES}-tasks",
        ),
    ]


def _side(page: Page, view: View, opening: bool):
    lang = view.lang
    boxes = later.boxes(page, view, opening)
    panel = (
        panels.feature_panel({"id": view.sel, **page.by_id.loc[view.sel].to_dict()}, page.names[lang], lang)
        if view.sel
        else [html.P(t("city.hint", lang), className="hint"), html.P(t("feature.hint", lang), className="hint")]
    )
    return html.Aside(
        [
            dcc.Store(id=ids.SWITCHES, data=page.switches(lang)),  # what each switch shows, in this language
            _figure_controls(page, view),
            html.H2(t("bar.title", lang)),
            boxes[ids.BAR_BOX],
            later.store(page, view, opening),  # what a page opening puts in once its map is whole
            boxes[ids.CIRCLE_CARDS],
            html.Div(city_view(page, page.criteria(view), lang), id=ids.CITY_VIEW, className="city-panel city-view"),
            html.Div(panel, id=ids.CITY_PANEL, className="city-panel"),
            *figure_imports.controls(lang),  # below the panel: reading comes before importing
            boxes[ids.GAPS],
        ],
        className="side",
    )


def layer_controls(page: Page, layers: list, lang: str) -> list:
    """Layer toggles with their legend swatches and counts: the plan layers' legend."""
    counts = page.store.features["layer"].value_counts()
    names = page.names[lang]
    layer_options = [
        {
            "label": html.Span(
                [
                    html.Span(className="swatch", style={"background": map_layers.COLORS[layer]}),
                    f"{t(f'layer.{layer}', lang)} ({counts.get(layer, 0)})",
                ]
            ),
            "value": layer,
        }
        for layer in FEATURE_LAYERS
    ]
    return [
        html.Div(t("layers.title", lang), className="legend-head"),
        dcc.Checklist(layer_options, layers, id=ids.LAYERS, className="layer-toggles"),
        html.Div(
            [
                html.Div(
                    [
                        html.Span(className="line-swatch", style={"background": spec.color}),
                        names.categories[(spec.layer, spec.categories[0])]
                        if spec.categories
                        else t(f"layer.{spec.layer}", lang),
                    ],
                    className="legend-row",
                )
                for spec in fl.SPECS
                if spec.geom == "line" and spec.layer
            ]
            + [
                html.Div(
                    [html.Span(className="line-swatch", style={"background": fl.FLOW_COLOR}), t("legend.flows", lang)],
                    className="legend-row",
                )
            ],
            className="line-legend",
        ),
        html.Div(
            [html.Span("n", className="badge-swatch", style={"background": fl.BADGE_COLOR}), t("legend.badges", lang)],
            className="legend-row badge-legend",
            title=t("legend.badges.note", lang),
        ),
        html.Div(t("legend.precision", lang), className="legend-note"),
    ]


def filter_controls(page: Page, view: View) -> list:
    """Search and the filters, set to the view."""
    store, allowed, lang, names = page.store, page.allowed, view.lang, page.names[view.lang]
    titles = dict(zip(store.tasks["group"], store.tasks["group_title_zh"]))
    options = {
        "category": [
            {"label": f"{t(f'layer.{r.layer}', lang)} · {names.categories[(r.layer, r.category)]}", "value": r.category}
            for r in store.feature_categories.itertuples()
            if r.category in allowed["categories"]
        ],
        "city": [{"label": names.cities[c], "value": c} for c in allowed["cities"]],
        "chapter": [
            {"label": t("chapter.n", lang).format(n=n) if n else t("preface", lang), "value": n}
            for n in allowed["chapters"]
        ],
        "precision": [{"label": t(f"precision.{p}", lang), "value": p} for p in PRECISIONS],
        "status": [{"label": t(f"status.{s}", lang), "value": s} for s in STATUSES],
        "group": [{"label": f"({g}) {titles[g]}", "value": g} for g in allowed["groups"]],
        "lead": [{"label": d, "value": d} for d in allowed["leads"]],  # the plan's own names
    }
    control = dict(views.CONTROLS)

    def multi(key, label):
        return [
            html.Label(t(label, lang), htmlFor=control[key]),
            dcc.Dropdown(options[key], list(getattr(view, key)), id=control[key], multi=True, placeholder="—"),
        ]

    return [
        html.Div(t("filter.title", lang), className="legend-head"),
        dcc.Input(
            id=ids.SEARCH,
            type="search",
            placeholder=t("filter.search", lang),
            debounce=True,
            maxLength=100,
            className="search",
            value=view.q,
        ),
        *multi("category", "filter.category"),
        *multi("city", "filter.city"),
        *multi("chapter", "filter.chapter"),
        *multi("precision", "filter.precision"),
        *multi("status", "filter.status"),
        html.Div(t("filter.docking", lang), className="legend-note"),
        *multi("group", "filter.group"),
        *multi("lead", "filter.lead"),
        html.Button(t("filter.clear", lang), id=ids.CLEAR, className="clear"),
    ]


def compare_map(page: Page, view: View) -> list:
    """The second map, beside the first: the same indicator in another year, in
    the same classes (the level views share their breaks), synchronised."""
    if view.vs not in ind.LEVEL_VIEWS:
        return [html.Div(id=ids.COMPARE_SYNC, hidden=True)]
    store, lang = page.store, view.lang
    state, _, title, _ = map_view(store, view.indicator, view.vs, lang, view.scheme)
    focus = view.focus or {}
    return [
        html.Div(title, className="map-title"),
        html.Div(id=ids.COMPARE_SYNC, hidden=True),
        # Named per view and language, so that each is a new map (see map_callbacks.compare).
        html.Div(
            dcc.Graph(
                id={"type": ids.MAP_COMPARE, "vs": view.vs},  # (map_callbacks: no graph when none)
                figure=figures.map_figure(
                    store.cities,
                    store.context,
                    state,
                    lang,
                    center=focus.get("center"),
                    zoom=focus.get("zoom"),
                    anchors=page.anchors,
                ),
                config={"displaylogo": False, "scrollZoom": True},
                className="map",
            ),
            id=f"{ids.MAP_COMPARE}-{view.vs}-{view.indicator}-{view.scheme}-{lang}",
            className="map-box",
        ),
    ]


def city_view(page: Page, c: lf.Criteria, lang: str) -> list:
    """For each chosen city: the docking plan's tasks that name it, and how many places of
    each plan lie in it: those the table and the map show (the same filter), and in all layers."""
    store, names = page.store, page.names[lang]
    out = []

    def shows(plan_id: str) -> bool:
        return not c.plans or plan_id in c.plans

    for city in list(c.cities)[:3]:  # more would not fit beside the map
        tasks = docking.tasks_naming(store.tasks, city)
        in_city = store.features[store.features["city_adcodes"].map(lambda s, city=city: city in s.split(";"))]
        counts = [
            html.Li(
                t("cityview.count", lang).format(
                    plan=t(f"plan.{p.key}", lang),  # a place both plans name counts for both
                    shown=lf.matches(in_city, replace(c, cities=(city,), plans=(p.id,))).sum() if shows(p.id) else 0,
                    all=lf.matches(in_city, lf.Criteria(layers=FEATURE_LAYERS, plans=(p.id,))).sum(),
                )
            )
            for p in plans.REGISTRY
        ]
        rows = [
            html.Tr(
                [
                    html.Td(t("task.n", lang).format(n=r.number)),
                    html.Td(r.title_zh if lang == "zh" else r.title_en, title=r.quote),
                ]
            )
            for r in tasks.itertuples(index=False)
        ]
        out += [
            html.H3(f"{names.cities.get(city, city)} · {t('cityview.title', lang)}"),
            html.Ul(counts, className="city-counts"),
            html.H4(t("cityview.tasks", lang)),
            html.Table(html.Tbody(rows), className="figures") if rows else html.P(t("cityview.no_tasks", lang)),
        ]
    return out
