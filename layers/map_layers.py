"""The map's layers, declared once: the plans' place layers (one per kind of
place, in the order the layer list shows them) and the boundaries, with what
each sends to the browser. A new layer is its rows plus one entry here, and a
`layer.<id>` name in each language (dashboard/i18n.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    id: str
    color: str  # its swatch in the layer list, and its marks' colour where one kind fills it
    shown: bool  # on for a first-time viewer, over the choropleth
    # Sent as static GeoJSON (/geo/<id>.geojson): the properties kept and the decimals of the
    # coordinates (4: ~10 m, for Jiaodong; 3: ~100 m, for context never seen up close).
    # None: drawn from the page's own data (points and lines).
    geojson: tuple | None = None


# Okabe–Ito colours: distinct for colour-blind viewers and apart from the choropleth's
# yellow–green–blue.
PLACE_LAYERS = (
    Layer("corridors", "#7b3294", False),
    Layer("ports", "#111111", True),
    Layer("bays", "#0072b2", True),
    Layer("projects", "#d55e00", True),
    Layer("zones", "#cc79a7", False, (("id",), 4)),
    Layer("ecology", "#009e73", False),
)
BOUNDARIES = (
    Layer("cities", "", True, (("adcode", "name_zh"), 4)),
    Layer("counties", "", True, (("adcode", "name_zh", "city_adcode"), 4)),
    Layer("context", "", True, (("code", "kind", "name_zh"), 3)),
    Layer("context_counties", "", False, (("adcode", "name_zh", "city_adcode"), 4)),  # exports only
)
IDS = tuple(layer.id for layer in PLACE_LAYERS)
DEFAULT = tuple(layer.id for layer in PLACE_LAYERS if layer.shown)
COLORS = {layer.id: layer.color for layer in PLACE_LAYERS}
GEOJSON = {layer.id: layer.geojson for layer in (*BOUNDARIES, *PLACE_LAYERS) if layer.geojson}
# What /geo/ serves: the boundaries the app's map draws, and the place layers drawn as areas.
SERVED = (*(b.id for b in BOUNDARIES if b.shown), *(p.id for p in PLACE_LAYERS if p.geojson))
