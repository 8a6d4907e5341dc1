"""The view and the address bar. A link is read once, when the page opens on it
(or the browser goes back to one): the page is built from its view. From then on
the browser writes the address from the controls, with no request and no loop:
controls → view (ids.VIEW_QUERY) → address bar and export links."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from dashboard import export, ids, layout
from dashboard import view as views
from dashboard.i18n import t
from dashboard.page import Page


def register(app: Dash, page: Page) -> None:
    @app.callback(
        Output(ids.BODY, "children", allow_duplicate=True),
        Output(ids.BODY, "lang", allow_duplicate=True),
        Output(ids.VIEW_QUERY, "data"),
        Output(ids.PRESENTER, "data", allow_duplicate=True),
        Input(ids.URL, "search"),
        State(ids.VIEW_QUERY, "data"),
        State(ids.BODY, "lang"),
        prevent_initial_call="initial_duplicate",
    )
    def open_link(search, query, shown):
        view, dropped = page.parse(search)
        if query is not None and page.view(query) == view:
            raise PreventUpdate  # the page shows this view already
        presenter = {k: getattr(view, k) for k in views.PRESENTER_KEYS if getattr(view, k) is not None}
        # The address keeps what was understood; a part that was not is dropped, and said.
        address = view.query() if dropped else search or ""
        if query is None and not view.named and view.lang == shown:
            return no_update, no_update, address, no_update  # a plain address: the page as built
        notice = f"{t('url.dropped', view.lang)} {'; '.join(dropped)}" if dropped else ""
        return layout.body(page, view, notice, page.opening_focus(view)), view.lang, address, presenter

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
    app.clientside_callback(
        ClientsideFunction("atlas", "showAddress"),
        Output(ids.ADDRESS_SYNC, "title"),
        Input(ids.VIEW_QUERY, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "exportLinks"),
        *[Output(f"{ids.EXPORT}{kind}", "href") for kind in export.WRITERS],
        Input(ids.VIEW_QUERY, "data"),
    )
