"""The tutorial way with the atlas's content, for a fair comparison: the
neighbouring regions, the counties, the five cities coloured by the chosen
indicator and every place of both plans (points as markers, lines as lines,
areas by their outline), all rebuilt into one figure in every callback, from the
same store the atlas reads. Run: python -m bench.peers.naive_dash_full"""

import json

import plotly.graph_objects as go
import shapely

from bench.peers.naive_dash import serve
from layers.store import default_store

STORE = default_store()


def _geojson(gdf, key):
    return json.loads(gdf[[key, "geometry"]].rename(columns={key: "id"}).set_index("id", drop=False).to_json())


def _xy(geoms):
    """Lon and lat lists of every geometry's points and outlines, None between parts."""
    lon, lat = [], []
    for g in geoms:
        parts = shapely.get_parts(g.boundary if g.geom_type.endswith("Polygon") else g)
        for p in parts:
            coords = shapely.get_coordinates(p)
            lon += [*coords[:, 0].tolist(), None]
            lat += [*coords[:, 1].tolist(), None]
    return lon, lat


def update(indicator, values):
    cities = STORE.cities
    fig = go.Figure()
    fig.add_trace(
        go.Choroplethmap(
            geojson=_geojson(cities, "adcode"),
            locations=cities["adcode"],
            z=[values.get(a) for a in cities["adcode"]],
            colorscale="YlGnBu",
            marker_opacity=0.8,
            name="cities",
        )
    )
    for gdf, key, colour in ((STORE.context, "code", "#e6e6e6"), (STORE.counties, "adcode", "rgba(0,0,0,0)")):
        fig.add_trace(
            go.Choroplethmap(
                geojson=_geojson(gdf, key),
                locations=gdf[key],
                z=[0] * len(gdf),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                marker_line_color="#888",
                marker_line_width=0.5,
                hovertext=gdf["name_zh"],
            )
        )
    drawn = STORE.features[STORE.features.geometry.notna()]
    for layer, places in drawn.groupby("layer", sort=False):
        points = places[places.geom_type == "Point"]
        fig.add_trace(
            go.Scattermap(
                lon=points.geometry.x, lat=points.geometry.y, mode="markers", text=points["name_zh"], name=layer
            )
        )
        lon, lat = _xy(places[places.geom_type != "Point"].geometry)
        fig.add_trace(go.Scattermap(lon=lon, lat=lat, mode="lines", name=f"{layer} lines"))
    fig.update_layout(map={"style": "white-bg", "center": {"lon": 120.3, "lat": 36.55}, "zoom": 6.5})
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


if __name__ == "__main__":
    serve(update)
