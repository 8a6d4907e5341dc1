"""What the page puts in once its first map is whole: the side panel's parts below the
fold (the circle's cards, the data gaps). Dash 4.4 spends about a millisecond of the main
thread on each component it mounts as the page opens, and the first map waits for that
thread: these parts' 130 components are mounted after the map instead.

The page carries them in a Store, built for its view and language as the rest of the
page is; assets/callbacks.js puts each in its place (by id) when the map is whole."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, dcc, html

from dashboard import figure_imports, ids, panels
from dashboard.page import Page, all_figures

PARTS = (ids.CIRCLE_CARDS, ids.GAPS)  # the containers, each filled by the part of its id


def store(page: Page, lang: str) -> dcc.Store:
    """The parts, in the page's language."""
    cards = panels.circle_cards(all_figures(page.store), page.store.indicator_defs, lang)
    missing = figure_imports.gaps_view(page.store, lang)  # what is missing, to import
    return dcc.Store(id=ids.LATER, data={ids.CIRCLE_CARDS: cards, ids.GAPS: missing})


def cards() -> html.Div:
    return html.Div(id=ids.CIRCLE_CARDS, className="cards")


def gaps() -> html.Section:
    """The data gaps, beside the import box they are filled through (refreshed on an import)."""
    return html.Section(id=ids.GAPS, className="gaps")


def register(app: Dash) -> None:
    # As the page opens, and when a new language builds the side panel anew.
    app.clientside_callback(
        ClientsideFunction("atlas", "later"),
        *[Output(cid, "children", allow_duplicate=True) for cid in PARTS],
        Input(ids.LATER, "data"),
        prevent_initial_call="initial_duplicate",
    )
