"""What the first map needs, asked for as the page arrives rather than when it is wanted.

Left alone, the page asks late: Dash's layout and callbacks only once every script has
run; the chunks of the graph, dropdown and upload only once Dash has rendered the layout,
and React shows them a render later; the cities' boundaries only once plotly.js has
parsed, the land and county borders only once MapLibre has its
style. plotly.js (assets/plotly/, a partial bundle that dcc.Graph finds as window.Plotly and
so does not load its own) is the page's largest script, and the one every map waits for: it
is asked for first, not after the dozen small files that precede it in the page.
What the first map does not need waits: AG Grid's bundle is only fetched, at idle priority,
and run once the first map is whole (dashboard/tables.py, assets/grid.js). And what the page
does not need at all is left out: Dash 4.4's polyfill (babel-polyfill 7, for browsers older
than any that runs MapLibre 6) took 50-60 ms to run on every page, replaced the browser's own
String.prototype.trim with a slower one, and ran React's scheduler through its setImmediate.
Of it, Dash's scripts use only regeneratorRuntime, which the page brings itself
(assets/regenerator/, regenerator-runtime 0.14.1 from npm, run before Dash's scripts).
Nor does it load the DataTable's bundle, which Dash puts into every page: no view has one.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

import flask
from dash import Dash

from dashboard import export, ids, tables
from dashboard.figures import GEO_URL

# dcc 4.4.1's on-demand chunks of what the first screen shows (map, chart, dropdowns, the
# import's upload), run with the page's scripts: webpack then has them when Dash renders.
CHUNKS = (
    "/_dash-component-suites/dash/dcc/async-graph.js",
    "/_dash-component-suites/dash/dcc/async-dropdown.js",
    "/_dash-component-suites/dash/dcc/async-upload.js",
)
# AG Grid's bundle, at the path Dash serves it from (a dynamic resource has no fingerprint).
GRID_BUNDLE = f"/_dash-component-suites/dash_ag_grid/{tables.GRID_SCRIPT}"
# The first map's boundaries (figures.map_figure). plotly.js fetches the cities with
# an XMLHttpRequest (CORS mode, same-origin credentials: crossorigin="anonymous"
# matches it); MapLibre fetches the others from a worker, which the HTTP cache serves.
GEOJSON = ("cities", "context", "counties")
# Where the request for Dash's layout goes, filled in for each page.
LAYOUT_MARK = "<!--atlas-layout-preload-->"
# Where plotly.js is asked for: at the address Dash gives its script (with its fingerprint).
PLOTLY_MARK = "<!--atlas-plotly-preload-->"
# The version of assets/regenerator/runtime.js (npm's regenerator-runtime, a test compares them).
REGENERATOR = "0.14.1"
# Scripts Dash 4.4 puts into every page that this page does not run: its polyfill (above), and
# the DataTable's bundle (Dash registers dash_table whether or not a page has one; this
# page's tables are AG Grid's, and a test finds no DataTable in any view's layout).
UNUSED_SCRIPTS = re.compile(r'<script src="[^"]*/dash/(?:deps/polyfill@|dash_table/bundle\.)[^"]*"></script>\s*')
PLOTLY_SCRIPT = re.compile(
    rf'<script src="([^"]*/assets/{re.escape(export.PLOTLY_JS.relative_to(export.ASSETS).as_posix())}[^"]*)"></script>'
)
# The link in the layout's address is escaped as encodeURIComponent would (these left as they are).
URI_COMPONENT_SAFE = "-_.!~*'()"


def add_preloads(app: Dash) -> None:
    grid = escape(app.get_relative_path(GRID_BUNDLE))
    links = [PLOTLY_MARK, f'<link rel="prefetch" as="script" id="{ids.GRID_SCRIPT}" href="{grid}">']
    links += [_fetch_link(app.get_relative_path(GEO_URL.format(layer))) for layer in GEOJSON]
    links += [_fetch_link(app.get_relative_path("/_dash-dependencies")), LAYOUT_MARK]
    chunks = [f'<script src="{escape(app.get_relative_path(p))}"></script>' for p in CHUNKS]
    index = app.index_string.replace("{%metas%}", "{%metas%}\n" + "\n".join(links), 1)
    app.index_string = index.replace("{%scripts%}", "{%scripts%}\n" + "\n".join(chunks), 1)
    interpolate = app.interpolate_index

    def interpolate_index(**kwargs) -> str:
        kwargs["scripts"] = UNUSED_SCRIPTS.sub("", kwargs.get("scripts", ""))
        layout = _fetch_link(_layout_path(app), ids.LAYOUT_PRELOAD)
        plotly = PLOTLY_SCRIPT.search(kwargs.get("scripts", ""))
        first = f'<link rel="preload" as="script" href="{plotly.group(1)}">' if plotly else ""
        return interpolate(**kwargs).replace(LAYOUT_MARK, layout, 1).replace(PLOTLY_MARK, first, 1)

    app.interpolate_index = interpolate_index


def _layout_path(app: Dash) -> str:
    """The layout of the page being served; a page opened on a link, its view's. Dash asks
    for the layout at this address (assets/atlas.js reads it from the preload link)."""
    search = flask.request.query_string.decode("latin-1")
    link = f"?link={quote('?' + search, safe=URI_COMPONENT_SAFE)}" if search else ""
    return app.get_relative_path("/_dash-layout") + link


def _fetch_link(href: str, link_id: str = "") -> str:
    # A fetch() in CORS mode with same-origin credentials, as Dash's and plotly.js's are.
    named = f' id="{link_id}"' if link_id else ""
    return f'<link rel="preload" as="fetch" crossorigin="anonymous"{named} href="{escape(href)}">'
