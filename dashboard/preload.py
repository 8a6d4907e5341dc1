"""Preload hints for what the first map needs, so that it is in cache when asked for.

Left alone, the page asks late: the chunks of the graph, dropdown and table only
once Dash has fetched and rendered the layout, the cities' boundaries only once
plotly.js has parsed, the land and county borders only once MapLibre has its style.
plotly.js itself is not asked for: the page has it already (assets/plotly/, a partial
bundle that dcc.Graph finds as window.Plotly and so does not load its own).
"""

from __future__ import annotations

from html import escape

from dash import Dash

from dashboard.figures import GEO_URL

# On-demand scripts, at the paths Dash 4.4.1 (dcc 4.4.1, dash-ag-grid 35.3.0) asks
# them from: with no query string, unlike the page's own <script> tags. The chart,
# map, dropdowns and table are all on the first screen.
SCRIPTS = (
    "/_dash-component-suites/dash/dcc/async-graph.js",
    "/_dash-component-suites/dash/dcc/async-dropdown.js",
    "/_dash-component-suites/dash_ag_grid/async-community.js",
)
# The first map's boundaries (figures.map_figure). plotly.js fetches the cities with
# an XMLHttpRequest (CORS mode, same-origin credentials: crossorigin="anonymous"
# matches it); MapLibre fetches the others from a worker, which the HTTP cache serves.
GEOJSON = ("cities", "context", "counties")


def add_preloads(app: Dash) -> None:
    links = [f'<link rel="preload" as="script" href="{escape(app.get_relative_path(p))}">' for p in SCRIPTS]
    links += [
        f'<link rel="preload" as="fetch" crossorigin="anonymous" '
        f'href="{escape(app.get_relative_path(GEO_URL.format(layer)))}">'
        for layer in GEOJSON
    ]
    app.index_string = app.index_string.replace("{%metas%}", "{%metas%}\n" + "\n".join(links), 1)
