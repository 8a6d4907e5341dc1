"""Headless Chromium for tests and benchmarks: Debian's build, no downloads."""

from __future__ import annotations

import io
from contextlib import contextmanager
from urllib.parse import urlparse

from PIL import Image

from dashboard import figures, ids

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# True once MapLibre has drawn every source (boundaries included) at the size of its box. A
# box that changed size (a drawer opened below the map) is followed by plotly.js's resize about
# 0.2 s later: a map read or clicked before it is where it was, not where it is going to be.
# So plotly.js's size must be the box's (as its autosize measures it), and MapLibre's canvas
# the size of the subplot plotly.js gave it (a plot's margins make it smaller than the box).
MAP_READY_JS = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  const m = sub && sub.map;
  if (!m) { return false; }
  const box = window.getComputedStyle(gd), canvas = m.getCanvas(), frame = m.getContainer();
  const near = (a, b) => Math.abs(a - b) <= 1;
  const fits = near(gd._fullLayout.width, parseFloat(box.width)) && near(gd._fullLayout.height, parseFloat(box.height))
    && near(canvas.clientWidth, frame.clientWidth) && near(canvas.clientHeight, frame.clientHeight);
  return fits && m.loaded() && m.areTilesLoaded() && m.isStyleLoaded() && !m.isMoving();
}"""


@contextmanager
def browser_page(base_url: str, width: int = 1600, height: int = 900):
    """A page whose every request is recorded; any other host is refused."""
    from playwright.sync_api import sync_playwright

    own = urlparse(base_url).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.requests, page.foreign = [], []
        page.refused = []  # what the Content-Security-Policy blocked
        page.on("console", lambda m: "Content Security Policy" in m.text and page.refused.append(m.text))
        # Errors the page logs (Dash's own included).
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))

        def route(r):
            page.requests.append(r.request.url)
            if urlparse(r.request.url).netloc != own and not r.request.url.startswith("data:"):
                page.foreign.append(r.request.url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)
        try:
            yield page
        finally:
            browser.close()


def wait_for_map(page, timeout_ms: int = 30000) -> None:
    page.wait_for_function(MAP_READY_JS, timeout=timeout_ms, polling=50)


def wait_for_places(page, timeout_ms: int = 30000) -> None:
    """Until the browser has drawn the plan's places for the table's rows."""
    page.wait_for_function(
        "() => !!(document.querySelector('#feature-sync') || {}).title", timeout=timeout_ms, polling=50
    )
    wait_for_map(page, timeout_ms)


def open_with_the_map_held(page, url: str) -> list:
    """The page opened with the land around held back: until it is let go (let_the_map_go),
    the map is not whole and the side panel's later parts are not in (dashboard/later.py)."""
    held = []
    page.route("**/geo/context.geojson", lambda route: held.append(route))
    page.goto(url)
    page.wait_for_selector("#indicator")
    return held


def let_the_map_go(page, held: list) -> None:
    """The held requests answered; until the map is whole and the later parts are in."""
    for route in held:
        route.continue_()
    wait_for_places(page)
    page.wait_for_function(f"() => !!document.querySelector('#{ids.BAR} .js-plotly-plot')", polling=50)
    page.wait_for_timeout(300)  # (any later change of the parts would land by now)


def wait_for_parts(page, parts) -> None:
    """Until each of the side panel's later parts (by container id) has children."""
    page.wait_for_function("(ids) => ids.every(id => document.getElementById(id).children.length)", arg=list(parts))


# The texts the map draws now (names, places' labels), from MapLibre's rendered symbols.
RENDERED_TEXTS_JS = """() => {
  const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
  return m.queryRenderedFeatures().filter(f => f.layer.type === 'symbol').map(f => f.properties.text);
}"""


def switch_language(page, name: str) -> None:
    """Clicks a language by its name, until the map is relabelled (map_callbacks.switch_language) and idle."""
    before = page.evaluate("() => document.querySelector('#map-texts-sync').title")
    page.get_by_text(name, exact=True).click()
    page.wait_for_function(
        "(before) => document.querySelector('#map-texts-sync').title !== before", arg=before, polling=20
    )
    wait_for_map(page)


# A table's AG Grid API, or null while there is none: AG Grid's bundle runs after the first map
# (assets/grid.js), and dash-ag-grid 35.3.0's getApi throws until the grid is made.
GRID_API_JS = "(id) => { try { return window.dash_ag_grid.getApi(id) || null; } catch (err) { return null; } }"


def open_table(page, tab: str = "features") -> None:
    """Opens a table in the drawer under the map, as a click on its tab does, until its rows are drawn."""
    page.click(f"#tables-{tab}")
    page.wait_for_selector(f"#tables-{tab}.tab--selected")
    page.locator(".bottom-panel .ag-row").first.wait_for()


def lonlat_to_pixel(page, lon: float, lat: float) -> tuple[float, float]:
    """Page coordinates of a lon/lat on the map."""
    return tuple(
        page.evaluate(
            """([lon, lat]) => {
      const gd = document.querySelector('#map .js-plotly-plot');
      const m = gd._fullLayout.map._subplot.map;
      const p = m.project([lon, lat]);
      const r = m.getCanvas().getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }""",
            [lon, lat],
        )
    )


def feature_trace(page, key: str) -> dict:
    """The drawn state of one feature trace (see dashboard.feature_layers.SPECS)."""
    from dashboard.feature_layers import INDEX

    return page.evaluate(
        """(i) => {
      const t = document.querySelector('#map .js-plotly-plot').data[i];
      return {visible: t.visible !== false, lon: t.lon || [], lat: t.lat || [],
              ids: t.customdata || t.locations || []};
    }""",
        INDEX[key],
    )


def set_layers(page, wanted: set[str]) -> None:
    """Tick exactly the wanted layer toggles, then wait until the map shows them."""
    from layers.records import FEATURE_LAYERS

    for layer in FEATURE_LAYERS:
        box = page.locator(f"#layers input[value='{layer}']")
        if box.is_checked() != (layer in wanted):
            box.click()
    from dashboard.feature_layers import INDEX

    for layer in ("ports", "bays", "projects", "zones"):  # one trace each
        page.wait_for_function(
            """([i, want]) => {
              const t = document.querySelector('#map .js-plotly-plot').data[i];
              return (t.visible !== false) === want;
            }""",
            arg=[INDEX[layer], layer in wanted],
            timeout=15000,
        )
    wait_for_map(page)


# The map's colours as a screenshot shows them (the pixel tests read them).
CITIES = ["370200", "370600", "370700", "371000", "371100"]


def blend(hex_colour: str, opacity: float = 0.92, under: str = figures.SEA):
    c = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    u = [int(under[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(opacity * a + (1 - opacity) * b) for a, b in zip(c, u))


def pixel_near(img, x, y, dy=28, r=4):
    """Median colour of a small patch below a city's label (the label is text,
    and a thin county border may cross the patch)."""
    x, y = int(x), int(y + dy)
    px = [img.getpixel((i, j))[:3] for i in range(x - r, x + r + 1) for j in range(y - r, y + r + 1)]
    return tuple(sorted(p[k] for p in px)[len(px) // 2] for k in range(3))


def colours_close(a, b, tol=10):
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def city_colours(page, store):
    img = Image.open(io.BytesIO(page.screenshot()))
    out = {}
    for c in store.cities.itertuples():
        x, y = lonlat_to_pixel(page, c.label_lon, c.label_lat)
        out[c.adcode] = pixel_near(img, x, y)
    return out
