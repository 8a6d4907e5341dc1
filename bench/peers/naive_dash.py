"""The tutorial way, for comparison: every switch rebuilds the whole figure
with the full-resolution boundaries inside it. Run: python -m bench.peers.naive_dash"""

import json
import os

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

from bench.peers.data import OUT

GEOJSON = json.loads((OUT / "cities.geojson").read_text())
VALUES = json.loads((OUT / "values.json").read_text())


def serve(figure) -> None:
    """A dropdown of the indicators and a map whose whole figure is `figure(indicator, values)`."""
    app = Dash(__name__)
    app.layout = html.Div(
        [
            dcc.Dropdown([{"label": v["name"], "value": k} for k, v in VALUES.items()], "gdp", id="indicator"),
            dcc.Graph(id="map", style={"height": "85vh"}),
        ]
    )
    app.callback(Output("map", "figure"), Input("indicator", "value"))(
        lambda indicator: figure(indicator, VALUES[indicator]["values"])
    )
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8060")), debug=False)


def update(indicator, values):
    df = pd.DataFrame({"adcode": list(values), "value": list(values.values())})
    return px.choropleth_map(
        df,
        geojson=GEOJSON,
        locations="adcode",
        featureidkey="properties.adcode",
        color="value",
        map_style="white-bg",
        center={"lon": 120.3, "lat": 36.55},
        zoom=6.5,
    )


if __name__ == "__main__":
    serve(update)
