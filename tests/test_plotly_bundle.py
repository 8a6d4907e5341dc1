"""The page's plotly.js (assets/plotly/) holds the trace types the atlas draws and is what
its build script makes from the npm packages package-lock.json pins."""

import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO

BUILD = REPO / "assets" / "plotly" / "build"
BUNDLE = REPO / "assets" / "plotly" / "plotly-atlas.min.js"


def test_the_bundle_registers_every_trace_type_the_page_draws(app):
    drawn = set()

    def walk(node):  # every figure in the page: the map, the chart and the switch table's charts
        if isinstance(node, dict):
            if isinstance(node.get("data"), list) and "layout" in node:
                drawn.update(trace["type"] for trace in node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(app.server.test_client().get("/_dash-layout").get_json())
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", (BUILD / "entry.js").read_text()))
    assert {"choroplethmap", "scattermap", "bar"} <= drawn <= registered - {"core"}, (drawn, registered)


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is installed by make test (Debian's npm)")
def test_the_committed_bundle_is_what_the_build_script_makes(tmp_path):
    out = tmp_path / "plotly-atlas.min.js"
    subprocess.run([str(BUILD / "build.sh"), str(out)], check=True, timeout=900, capture_output=True)
    assert out.read_bytes() == BUNDLE.read_bytes()


def test_the_page_s_map_and_the_pictures_draw_labels_without_a_fade(server_url):
    """MapLibre's label fade drew a frame per animation frame for 300 ms after each
    change (45 frames for one PNG in software GL); the build turns it off."""
    from dashboard import export
    from tests.browser import browser_page, wait_for_map

    assert export.PLOTLY_JS.resolve() == BUNDLE.resolve()  # the pictures use the page's plotly.js
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        fade = page.evaluate(
            "() => document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map._fadeDuration"
        )
    assert fade == 0  # MapLibre 6.9.0's own default is 300


def test_maplibre_s_worker_starts_as_the_bundle_loads_before_any_map(server_url):
    """The first map waited about 0.2 s for MapLibre to start its worker; the bundle starts it."""
    from tests.browser import browser_page

    html = '<!doctype html><meta charset="utf-8"><script src="/assets/plotly/plotly-atlas.min.js"></script>'
    with browser_page(server_url) as page:
        page.route(server_url + "/bare", lambda route: route.fulfill(body=html, content_type="text/html"))
        page.goto(server_url + "/bare")
        page.wait_for_function("() => !!window.Plotly")
        assert page.evaluate("() => document.querySelector('.js-plotly-plot')") is None  # no map
        for _ in range(100):  # (Playwright reports a worker a moment after it is made)
            if page.workers:
                break
            page.wait_for_timeout(50)
        assert len(page.workers) == 1, page.workers  # MapLibre 6.9.0's pool: one worker on two cores


# Counts WebGL draw calls between MapLibre's 'render' events, with whether the map was loaded
# and how many sources it had: what each frame painted.
FRAMES_JS = """() => {
  window.drawCalls = 0;
  for (const C of [WebGLRenderingContext, WebGL2RenderingContext]) {
    for (const name of ['drawElements', 'drawArrays']) {
      const draw = C.prototype[name];
      C.prototype[name] = function() { window.drawCalls++; return draw.apply(this, arguments); };
    }
  }
  window.frames = [];
  const watch = () => {
    const gd = document.querySelector('#map .js-plotly-plot');
    const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
      && gd._fullLayout.map._subplot.map;
    if (!m) return requestAnimationFrame(watch);
    m.on('render', () => {
      window.frames.push([window.drawCalls, m.loaded(), Object.keys(m.getStyle().sources).length]);
      window.drawCalls = 0;
    });
  };
  watch();
}"""


def test_a_new_map_is_painted_once_every_source_is_in(server_url, store):
    """Each frame painted while the first map loads costs 40-100 ms in software GL; the build
    holds them (build.mjs, holdPaint), the style's own frames before the traces included,
    and the map is painted whole, once: its labels placed first (MapLibre 6.9.0 places the
    labels of the last tiles in again in the frame after they arrive, and drew it twice)."""
    from dashboard.figures import SEA
    from tests.browser import blend, browser_page, city_colours, colours_close, wait_for_map

    with browser_page(server_url) as page:
        page.add_init_script(f"({FRAMES_JS})()")
        page.goto(server_url)
        wait_for_map(page)
        page.wait_for_timeout(500)  # (any frame after the first whole one)
        frames = page.evaluate("() => window.frames")
        whole = next(i for i, f in enumerate(frames) if f[1] and f[2] > 1)  # loaded, with the traces
        assert any(not f[1] for f in frames[:whole]), frames  # (so there were frames to hold)
        assert [f[0] for f in frames[:whole]] == [0] * whole, frames  # none drew
        painted = [i for i, f in enumerate(frames) if f[0] > 0]
        assert len(painted) == 1 and painted[0] in (whole, whole + 1), frames  # then the whole map, at once
        sea = blend(SEA, 1.0)
        painted = city_colours(page, store)
        assert not any(colours_close(c, sea) for c in painted.values()), painted  # the cities, not the sea


# Each layer of the map: the source it draws from.
LAYER_SOURCES_JS = """() => {
  const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
  return Object.fromEntries(m.getLayersOrder().map(id => [id, m.getLayer(id).source]));
}"""

# What one trace draws now: its labels' texts and how many of its markers.
DRAWN_JS = """(i) => {
  const gd = document.querySelector('#map .js-plotly-plot'), m = gd._fullLayout.map._subplot.map;
  const layer = 'plotly-trace-layer-' + gd._fullData[i].uid + '-';
  const drawn = (k) => m.getLayer(layer + k) ? m.queryRenderedFeatures({layers: [layer + k]}) : [];
  return {texts: drawn('symbol').map(f => f.properties.text), markers: drawn('circle').length};
}"""


def test_a_trace_s_markers_and_labels_are_drawn_from_one_source(server_url):
    """plotly.js 4.1.1 gave a scattermap trace's labels a source of their own, the same points
    as its markers', which MapLibre's worker tiled apart; the build has them share the markers'
    (build.mjs). A layer switched off and on again draws its markers and labels, with no error."""
    from dashboard.feature_layers import INDEX
    from tests.browser import browser_page, set_layers, wait_for_map

    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        sources = page.evaluate(LAYER_SOURCES_JS)
        labels = [layer for layer in sources if layer.endswith("-symbol")]
        assert len(labels) >= 8, sources  # the cities' names and the places' layers
        assert all(sources[layer] == sources[layer[: -len("symbol")] + "circle"] for layer in labels), sources
        shown = page.evaluate(DRAWN_JS, INDEX["ports"])
        assert shown["markers"] > 0 and any(shown["texts"]), shown
        set_layers(page, {"bays", "projects"})
        assert page.evaluate(DRAWN_JS, INDEX["ports"]) == {"texts": [], "markers": 0}
        set_layers(page, {"ports", "bays", "projects"})
        again = page.evaluate(DRAWN_JS, INDEX["ports"])
        assert again["markers"] == shown["markers"] and sorted(again["texts"]) == sorted(shown["texts"]), again
        assert not page.console_errors, page.console_errors


# The shader programs this map has compiled: one per program and configuration it drew with.
PROGRAMS_JS = (
    """() => Object.keys(document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map.painter.cache)"""
)


def test_a_flat_map_draws_no_sky_and_a_tilted_one_does(server_url):
    """MapLibre 6.9.0 drew its sky, a pass over the whole canvas, in every frame of the flat
    map (13 of 74 ms per frame in software GL), where the sea covers it; the build draws it
    only when the map is tilted, and the horizon can be in view."""
    from tests.browser import browser_page, wait_for_map

    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        flat = page.evaluate(PROGRAMS_JS)
        assert any(p.startswith("fill/") for p in flat) and not any(p.startswith("sky/") for p in flat), flat
        page.evaluate(
            "() => document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map.jumpTo({pitch: 60})"
        )
        page.wait_for_function(f"() => ({PROGRAMS_JS})().some(p => p.startsWith('sky/'))", timeout=10000)
        assert not page.console_errors, page.console_errors


def test_the_first_map_s_circles_share_one_shader_and_no_fill_draws_its_edges_twice(server_url):
    """Each shader costs its compile, link and first draw in software GL as the first map is
    drawn (build.mjs): the places' markers, their clusters and the cities' badges (all on the
    first map) share one; a choropleth's edges are its line layer's, not its fill's again."""
    from tests.browser import browser_page, wait_for_places

    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_places(page)
        programs = page.evaluate(PROGRAMS_JS)
        circles = [p for p in programs if p.startswith("circle/")]
        assert len(circles) == 1 and "/a_circle-opacity/a_circle-radius/" in circles[0], programs
        assert not [p for p in programs if p.startswith("fillOutline/a_")], programs
        assert not [p for p in programs if p.startswith("background/")], programs  # (the sea: figures.MAP_STYLE)
        assert len(programs) == 7, programs


# The font each glyph MapLibre draws itself (TinySDF) is drawn in, from the page's first script.
GLYPH_FONTS_JS = """
window.__fonts = {};
const fillText = OffscreenCanvasRenderingContext2D.prototype.fillText;
OffscreenCanvasRenderingContext2D.prototype.fillText = function (text) {
  window.__fonts[text] = this.font;
  return fillText.apply(this, arguments);
};
"""


def test_the_map_s_chinese_labels_are_drawn_in_the_page_s_font(server_url):
    """plotly.js names a web font the page does not load ('Open Sans Regular') for the labels:
    Chromium looked each Chinese character up in the system's fonts as MapLibre drew it (64 ms
    of the first map for 77 characters). They are drawn in the page's font for Chinese text."""
    from tests.browser import browser_page, wait_for_places

    with browser_page(server_url) as page:
        page.add_init_script(GLYPH_FONTS_JS)
        page.goto(server_url)
        wait_for_places(page)
        fonts = page.evaluate("() => window.__fonts")
        first = page.evaluate("() => getComputedStyle(document.body).fontFamily.split(',')[0]")
    chinese = {text: font for text, font in fonts.items() if "\u4e00" <= text <= "\u9fff"}
    assert len(chinese) > 20 and first.strip('"') == "Noto Sans CJK SC"  # (assets/style.css)
    assert all(font.split("px ", 1)[1].startswith(first) for font in chinese.values()), chinese


# Resizes the map to its box as dcc.Graph does, and what plotly.js told Dash of it.
RESIZE_JS = """async () => {
  const gd = document.querySelector('#map .js-plotly-plot'), told = [];
  gd.on('plotly_relayout', (e) => told.push(e));
  await window.Plotly.Plots.resize(gd);
  gd.removeAllListeners('plotly_relayout');
  return {told: told, size: [gd._fullLayout.width, gd._fullLayout.height]};
}"""


def test_a_map_at_its_box_s_size_is_not_laid_out_again_and_one_that_is_not_is(server_url):
    """dcc.Graph asks plotly.js to fit the map to its box once it is drawn and when the box is
    first observed; plotly.js 4.1.1 relaid the whole map out each time (40-60 ms as it loads)
    and told Dash so, at the same size. The build does it only for a new size (build.mjs)."""
    from tests.browser import browser_page, wait_for_map

    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        same = page.evaluate(RESIZE_JS)
        assert same["told"] == [], same
        page.evaluate("() => { document.querySelector('#map .js-plotly-plot').style.height = '400px'; }")
        smaller = page.evaluate(RESIZE_JS)
        assert smaller["told"] == [{"autosize": True}] and smaller["size"][1] == 400, smaller
        wait_for_map(page)  # and MapLibre's canvas follows


# A frame at whose 'render' event the map is not yet loaded, and is loaded right after it:
# MapLibre 6.9.0 lets go of the tiles it held for fading labels after that event.
LOADED_AFTER_RENDER_JS = """async () => {
  const sub = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot, map = sub.map;
  map.loaded = function () { return false; };
  const update = new Promise(function (resolve) { sub.resolveOnRender(resolve); });
  map.once('render', function () { delete map.loaded; });  // after plotly.js's listener
  map.triggerRepaint();
  const late = new Promise(function (resolve) { setTimeout(resolve, 5000, 'still waiting'); });
  return Promise.race([update.then(function () { return 'resolved'; }), late]);
}"""


def test_a_map_update_resolves_when_the_map_is_loaded_only_after_its_last_frame(server_url):
    """plotly.js 4.1.1 resolved a map's update only at a 'render' event with the map loaded;
    one loaded only after its last frame's event left the update, and every update queued
    after it (a table's filter among them), waiting for good. The build resolves it at 'idle'."""
    from tests.browser import browser_page, wait_for_map

    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        assert page.evaluate(LOADED_AFTER_RENDER_JS) == "resolved"
        assert not page.console_errors, page.console_errors
