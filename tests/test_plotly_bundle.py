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
