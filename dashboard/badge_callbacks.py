"""A click on a city's badge lists its places known only by city: the city and
precision filters are set to them (the other filters stay, so the list is exactly
what the badge counted) and the places table opens on them."""

from __future__ import annotations

from dash import Dash, Input, Output
from dash.exceptions import PreventUpdate

from dashboard import feature_layers as fl
from dashboard import ids
from dashboard.map_callbacks import clicked
from dashboard.page import Page


def register(app: Dash, page: Page) -> None:
    cities = set(page.allowed["cities"])

    @app.callback(
        Output(ids.CITY, "value", allow_duplicate=True),
        Output(ids.PRECISION, "value", allow_duplicate=True),
        Output(ids.TABLES, "value", allow_duplicate=True),
        Input(ids.MAP, "clickData"),
        prevent_initial_call=True,
    )
    def list_city(click):
        point = clicked(click)
        if point is None or point["curveNumber"] != fl.BADGES:
            raise PreventUpdate  # a place or a city (place_callbacks, map_callbacks)
        badge = point.get("customdata")
        code = badge[0] if isinstance(badge, list) and badge else None
        if not isinstance(code, str) or code not in cities:
            raise PreventUpdate
        return [code], ["city"], "features"
