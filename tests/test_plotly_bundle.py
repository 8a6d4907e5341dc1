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
