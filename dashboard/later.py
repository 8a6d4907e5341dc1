"""What the page puts in once its first map is whole: the side panel's bar chart with the
circle's summary, and its parts below the fold (the circle's cards, the data gaps). Dash 4.4
spends about a millisecond of the main thread on each component it mounts as the page opens,
and a graph much more; the first map waits for that thread: these parts are mounted after it.

The page carries them in a Store, built for its view and language as the rest of the
page is; assets/callbacks.js puts each in its place (by id) when the map is whole. The
browser checks the callbacks' ids against `checked`, which has them too. A new language
builds the side panel with them in place: the map is there, and Dash runs the chart's
callback for a new indicator control (a chart not yet in would be an error)."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, dcc, html
from dash.development.base_component import Component

from dashboard import figure_imports, figures, ids, panels
from dashboard.page import Page, all_figures
from dashboard.view import View

PARTS = (ids.BAR_BOX, ids.CIRCLE_CARDS, ids.GAPS)  # the containers, each filled by the part of its id


def parts(page: Page, view: View) -> dict:
    """The parts by the id of their container, for the view in its language."""
    lang = view.lang
    bars, summary = page.switches(lang)["bar"][view.indicator]
    # (switchBar, assets/callbacks.js, sets the chart as it is put in: the indicator may have changed)
    bar = [
        dcc.Graph(id=ids.BAR, figure=bars, config={"displayModeBar": False}),
        html.Div(summary, id=ids.CIRCLE_SUMMARY, className="circle-summary"),
    ]
    cards = panels.circle_cards(all_figures(page.store), page.store.indicator_defs, lang)
    missing = figure_imports.gaps_view(page.store, lang)  # what is missing, to import
    return {ids.BAR_BOX: bar, ids.CIRCLE_CARDS: cards, ids.GAPS: missing}


def store(page: Page, view: View, opening: bool) -> dcc.Store:
    """The parts a page opening puts in; none when a new language builds the side panel
    anew (the map is there: `boxes` holds them)."""
    return dcc.Store(id=ids.LATER, data=parts(page, view) if opening else {})


def boxes(page: Page, view: View, opening: bool) -> dict:
    """The parts' containers by id: empty on a page opening, else filled."""
    filled = {} if opening else parts(page, view)
    return {
        # (its place kept for the chart, so that what is below does not move as it comes)
        ids.BAR_BOX: html.Div(
            filled.get(ids.BAR_BOX), id=ids.BAR_BOX, className="bar-box", style={"minHeight": f"{figures.BAR_HEIGHT}px"}
        ),
        ids.CIRCLE_CARDS: html.Div(filled.get(ids.CIRCLE_CARDS), id=ids.CIRCLE_CARDS, className="cards"),
        # (the data gaps, beside the import box they are filled through; refreshed on an import)
        ids.GAPS: html.Section(filled.get(ids.GAPS), id=ids.GAPS, className="gaps"),
    }


def checked(page_layout: Component) -> html.Div:
    """What the browser checks the callbacks' ids and properties against (Dash's
    validation_layout): each component of the page with an id, the parts put in later
    included, as its type and id alone (a few kilobytes; the whole layout is 0.67 MB)."""
    bare = []

    def walk(node) -> None:
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            walk(list(node.values()))
        elif isinstance(node, Component):
            if getattr(node, "id", None) is not None:
                kind = node.to_plotly_json()
                bare.append({"type": kind["type"], "namespace": kind["namespace"], "props": {"id": node.id}})
            walk(getattr(node, "children", None))
            if getattr(node, "id", None) == ids.LATER:
                walk(node.data)

    walk(page_layout)
    return html.Div(bare)


def register(app: Dash) -> None:
    # As the page opens, and when a new language builds the side panel anew.
    app.clientside_callback(
        ClientsideFunction("atlas", "later"),
        *[Output(cid, "children", allow_duplicate=True) for cid in PARTS],
        Input(ids.LATER, "data"),
        prevent_initial_call="initial_duplicate",
    )
