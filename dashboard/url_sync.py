"""The view and the address bar. A link is read once, when the page opens on it
(or the browser goes back to one): the page is built from its view. From then on
the browser writes the address from the controls, with no request and no loop:
controls → view (ids.VIEW_QUERY) → address bar and export links."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State
from dash.exceptions import PreventUpdate

from dashboard import export, ids, layout
from dashboard import view as views
from dashboard.page import Page


def register(app: Dash, page: Page) -> None:
    @app.callback(
        Output(ids.BODY, "children", allow_duplicate=True),
        Output(ids.BODY, "lang", allow_duplicate=True),
        Output(ids.VIEW_QUERY, "data"),
        Output(ids.PRESENTER, "data", allow_duplicate=True),
        Input(ids.URL, "search"),
        State(ids.VIEW_QUERY, "data"),
        prevent_initial_call=True,  # the page is built for the link it opens on (layout.page_layout)
    )
    def open_link(search, query):
        if page.view(query) == page.view(search):
            raise PreventUpdate  # the page shows this view already (stepped back to)
        return layout.opened(page, search or "")  # the browser went back to another link

    app.clientside_callback(
        ClientsideFunction("atlas", "writeView"),
        Output(ids.VIEW_QUERY, "data", allow_duplicate=True),
        *[Input(cid, "value") for _, cid in views.CONTROLS],
        Input(ids.SELECTED, "data"),
        Input(ids.MAP, "relayoutData"),
        Input(ids.PRESENTER, "data"),
        State(ids.VIEW_QUERY, "data"),
        State(ids.VIEW_SPEC, "data"),
        prevent_initial_call=True,
    )
    # Also when the page opens: a page built for a link shows the address it understood.
    app.clientside_callback(
        ClientsideFunction("atlas", "showAddress"),
        Output(ids.ADDRESS_SYNC, "title"),
        Input(ids.VIEW_QUERY, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "exportLinks"),
        *[Output(f"{ids.EXPORT}{kind}", "href") for kind in export.WRITERS],
        Input(ids.VIEW_QUERY, "data"),
        prevent_initial_call=True,  # the page is built with its view's links (export.controls)
    )
