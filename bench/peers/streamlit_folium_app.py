"""Streamlit + streamlit-folium, the other common way, for comparison.
Run: streamlit run bench/peers/streamlit_folium_app.py (see bench/compare.py).

Folium's Leaflet normally comes from a CDN; here it is served by Streamlit's
static file serving (bench/out/peers/static), so the page works offline."""

import json
import sys
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

OUT = Path(__file__).resolve().parent.parent / "out" / "peers"
GEOJSON = json.loads((OUT / "cities.geojson").read_text())
VALUES = json.loads((OUT / "values.json").read_text())
COLORS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]

folium.Map.default_js = [("leaflet", "/app/static/leaflet.js")]
folium.Map.default_css = [("leaflet_css", "/app/static/leaflet.css")]

indicator = st.selectbox("指标", list(VALUES), index=list(VALUES).index("gdp"), format_func=lambda k: VALUES[k]["name"])
values = VALUES[indicator]["values"]
known = sorted(v for v in values.values() if v is not None)


def colour(v):
    if v is None:
        return "#c8c8c8"
    return COLORS[min(int(len(COLORS) * known.index(v) / max(len(known), 1)), len(COLORS) - 1)]


m = folium.Map(location=[36.55, 120.3], zoom_start=7, tiles=None)
folium.GeoJson(
    GEOJSON,
    style_function=lambda f: {
        "fillColor": colour(values.get(f["properties"]["adcode"])),
        "color": "#333",
        "weight": 1,
        "fillOpacity": 0.9,
    },
).add_to(m)
st_folium(m, width=1200, height=700, returned_objects=[])
print("rendered", indicator, file=sys.stderr)
