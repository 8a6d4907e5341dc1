"""The Dash app, as a table of contents: the page, then each part's callbacks
and routes, then the security hook that guards them all."""

from __future__ import annotations

from dash import Dash

from dashboard import (
    badge_callbacks,
    deck_callbacks,
    editors,
    export,
    figure_imports,
    later,
    layout,
    map_callbacks,
    memory,
    place_callbacks,
    reader,
    routes,
    security,
    slides,
    static_files,
    url_sync,
)
from dashboard.i18n import t
from dashboard.page import Page
from dashboard.preload import add_preloads
from layers.store import Store, default_store


def create_app(store: Store | None = None, editing: str = editors.SIGNED_IN) -> Dash:
    """`editing`: editors.OPEN for one user on loopback, else editors sign in (a shared server)."""
    store = store or default_store()
    memory.limit_arenas()  # before the server's threads start
    app = Dash(
        __name__,
        compress=True,
        assets_folder=str(export.ASSETS),
        # Leaflet is only inlined into the HTML exports, plotly/build/ makes the
        # partial plotly.js, and readme/ holds the README's pictures. Dash 4.4 matches
        # assets_ignore against file names only; folders need assets_path_ignore.
        assets_path_ignore=[r"^(vendor|build|readme)$"],
        title=t("title"),
        update_title=None,
    )
    add_preloads(app)
    page = Page.make(store)

    app.layout = layout.page_layout(page)  # the page, built for a view (dashboard.view)
    # Dash 4.4 puts a copy of a function's layout into every page it serves (validation_layout:
    # 0.67 MB of JSON before compression) to check the callbacks' ids against in the browser.
    # Every view's page has the same components: the page carries their ids alone.
    with app.server.test_request_context("/"):
        app.validation_layout = later.checked(app.layout())
    url_sync.register(app, page)  # a link opens its view; the browser writes the address
    map_callbacks.register(app, page)  # indicator, view, scheme, language, compared map, city
    place_callbacks.register(app, page)  # filters, table, selection, the places drawn
    badge_callbacks.register(app, page)  # a city's badge lists its places known only by city
    reader.register(app, page)  # the plans' texts, linked to their places both ways
    slides.register(app, page)  # briefings and presentation mode
    later.register(app)  # the side panel's lower parts, once the first map is whole
    deck_callbacks.register(app, page)  # a briefing as a deck (PPTX, PDF), built in the background
    figure_imports.register(app, page)  # editors' imports, viewers' previews, figure downloads
    routes.serve_geojson(app, store)  # /geo/<layer>.geojson
    static_files.register(app)  # the page's scripts and styles, compressed once
    export.register(app, page)  # /export/view.<kind>

    security.protect(app)  # headers, and a short 4xx for any malformed request
    # Only editors reach the callbacks that write (403 for anyone else); after protect, so
    # that an oversized or malformed body gets its 413 or 400 before its JSON is read here.
    editors.register(app, editing, figure_imports.writing_callbacks(app))
    return app
