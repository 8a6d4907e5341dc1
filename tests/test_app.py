"""Callbacks through the real HTTP endpoint, as the browser calls them."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import dash
import pytest

from dashboard import figures, ids
from dashboard.export import ASSETS
from dashboard.preload import REGENERATOR


def switch_table(app) -> dict:
    """The table the page switches from, as /_dash-layout sends it (dashboard.page.switch_table)."""

    def find(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == ids.SWITCHES:
                return node["props"]["data"]
            return next((f for f in map(find, node.values()) if f is not None), None)
        if isinstance(node, list):
            return next((f for f in map(find, node) if f is not None), None)
        return None

    return find(app.server.test_client().get("/_dash-layout").get_json())


def switch(app, indicator, view, scheme="natural_breaks"):
    """What the page shows when it switches to an indicator, view and scheme."""
    state, legend, title, sources = switch_table(app)["map"][f"{indicator}|{view}|{scheme}"]
    return {ids.MAP_STATE: state, ids.LEGEND: legend, ids.MAP_TITLE: title, ids.SOURCE_LINE: sources}


def test_the_page_can_switch_to_every_indicator_view_and_scheme_without_the_server(app, store):
    from dashboard.page import Page
    from layers import indicators as ind

    known = Page.make(store).known
    table = switch_table(app)
    assert set(table["bar"]) == set(known) and len(known) >= 4
    assert set(table["map"]) == {f"{i}|{v}|{s}" for i in known for v in ind.VIEWS for s in ind.SCHEMES}
    # each as Dash sends it: legend and source line as components, the chart as a figure
    state, legend, title, sources = table["map"]["gdp|target|quantiles"]
    assert set(state) == {"z", "colorscale", "zmin", "zmax", "customdata"} and "地区生产总值" in title
    assert {"type", "namespace", "props"} <= set(legend[0]) and table["bar"]["gdp"][0]["data"][0]["type"] == "bar"
    # and no switch goes to the server
    switched = {(i["id"], i["property"]) for cb in app.callback_map.values() if "callback" in cb for i in cb["inputs"]}
    assert not switched & {(ids.INDICATOR, "value"), (ids.VIEW, "value"), (ids.SCHEME, "value")}


def test_page_and_boundaries_are_served(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    for layer in ("cities", "counties", "context"):
        resp = client.get(f"/geo/{layer}.geojson")
        assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
        again = client.get(f"/geo/{layer}.geojson", headers={"If-None-Match": resp.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/geo/secret.geojson").status_code == 404


def test_every_preloaded_file_is_served(app):
    """The preload hints and the chunks the page runs early name paths of the installed
    Dash: an upgrade that moves one would leave the page fetching it twice."""
    import re

    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    hrefs = re.findall(r'<link rel="pre(?:load|fetch)"[^>]*href="([^"]+)"', page)
    assert len(hrefs) == 7 and hrefs[-1] == "/_dash-layout"  # (a link's page: test_links_browser)
    chunks = [s for s in re.findall(r'<script src="([^"]+)"', page) if "/async-" in s]
    assert len(chunks) == 3 and any(s.endswith("/async-graph.js") for s in chunks)
    assert {h: client.get(h).status_code for h in hrefs + chunks} == {h: 200 for h in hrefs + chunks}


def test_ag_grid_s_bundle_is_served_but_not_run_with_the_page(app):
    """The tables open in a drawer that starts closed: AG Grid's bundle is only named in the
    head (assets/grid.js runs it once the first map is whole)."""
    import re

    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert not [s for s in re.findall(r'<script src="([^"]+)"', page) if "ag_grid" in s]
    grid = re.search(r'<link rel="prefetch" as="script" id="grid-script" href="([^"]+)"', page).group(1)
    resp = client.get(grid)
    assert resp.status_code == 200 and b"window.dash_ag_grid=" in resp.get_data()


def test_the_page_brings_its_own_plotly_js_and_not_the_full_bundle(app):
    """dcc.Graph uses a window.Plotly the page already has (dcc 4.4.1) and loads its own otherwise."""
    import re

    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    ours = [s for s in scripts if "plotly-atlas.min.js" in s]
    assert len(ours) == 1 and client.get(ours[0]).status_code == 200
    assert "plotly.min.js" not in page
    # asked for first, at the script's own address (else the browser would fetch it twice)
    first = re.search(r'<link rel="preload" as="script" href="([^"]+)"', page)
    assert first and first.group(1) == ours[0] and page.index("<link rel=") == page.index(first.group(0))
    # every script the page loads comes before Dash's renderer starts the components
    assert scripts.index(ours[0]) < next(i for i, s in enumerate(scripts) if "dash_renderer" in s)


def test_the_page_runs_no_polyfill_but_brings_regenerator_runtime_before_dash_s_scripts(app):
    """Dash 4.4's babel-polyfill is left out (dashboard/preload.py); Dash's renderer and dcc
    call regeneratorRuntime, which the page's own copy provides before they run."""
    import re

    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert not [s for s in scripts if "polyfill" in s]
    # nor the DataTable's bundle: no view's layout (the parts put in later included) has one
    assert not [s for s in scripts if "dash_table" in s] and [s for s in scripts if "dash_ag_grid" in s or "dcc" in s]
    for link in ("", "?lang=en&plan=both&vs=baseline&read=j-1"):
        layout = client.get("/_dash-layout" + (f"?link={quote(link)}" if link else "")).get_data(as_text=True)
        assert '"namespace":"dash_core_components"' in layout and '"dash_table"' not in layout
    runtime = [i for i, s in enumerate(scripts) if s.startswith("/assets/regenerator/runtime.js")]
    renderer = next(i for i, s in enumerate(scripts) if "dash_renderer" in s)
    assert len(runtime) == 1 and runtime[0] < renderer
    served = client.get(scripts[runtime[0]]).get_data(as_text=True)
    assert "regeneratorRuntime = runtime" in served
    # the functions Dash's own scripts call on it (a Dash upgrade that needs more would show here)
    for name in ("dash/dash-renderer/build/dash_renderer.min.js", "dash/dcc/dash_core_components.js"):
        used = set(re.findall(r"regeneratorRuntime\.(\w+)", (Path(dash.__file__).parent.parent / name).read_text()))
        assert used and used <= {"mark", "wrap", "awrap", "async", "keys", "values"}, used
        assert all(f"exports.{fn} = " in served for fn in used), used


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is installed by make test (Debian's npm)")
def test_the_page_s_regenerator_runtime_is_the_npm_package_s(tmp_path):
    subprocess.run(
        ["npm", "pack", f"regenerator-runtime@{REGENERATOR}", "--silent"],
        cwd=tmp_path,
        check=True,
        timeout=300,
        capture_output=True,
    )
    subprocess.run(["tar", "xzf", f"regenerator-runtime-{REGENERATOR}.tgz"], cwd=tmp_path, check=True)
    assert (tmp_path / "package" / "runtime.js").read_bytes() == (ASSETS / "regenerator" / "runtime.js").read_bytes()


def _callback_ids(app) -> set:
    """The ids (plain strings) that the app's callbacks take or set."""
    found = {d["id"] for cb in app._callback_list for d in cb["inputs"] + cb["state"] if d["id"][0] != "{"}
    for cb in app._callback_list:
        outputs = cb["output"].strip(".").split("...") if cb["output"].startswith("..") else [cb["output"]]
        found |= {o.rsplit(".", 1)[0] for o in outputs if not o.startswith("{")}
    return found


def test_the_page_carries_its_components_ids_not_a_copy_of_its_layout(app):
    """Dash 4.4 put a copy of the whole layout in each page (validation_layout, 0.67 MB) for the
    browser to check the callbacks' ids against. The page carries each component's type and id
    alone (dashboard/later.checked), the parts put in after the first map included."""
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert len(page.encode()) < 20_000
    assert len(client.get("/_dash-layout").get_data()) > 100_000  # (the layout it would have copied)
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S)
    bare = json.loads(config.group(1))["validation_layout"]["props"]["children"]
    assert all(set(c["props"]) == {"id"} for c in bare)
    assert _callback_ids(app) <= {c["props"]["id"] for c in bare if isinstance(c["props"]["id"], str)}
    assert ids.BAR in _callback_ids(app)  # (a part put in later)


def _graphs(node) -> list:
    """The ids of the graphs a layout mounts (a Store's data is not mounted)."""
    if isinstance(node, list):
        return [g for child in node for g in _graphs(child)]
    if not isinstance(node, dict) or node.get("type") == "Store":
        return []
    found = [node["props"].get("id")] if node.get("type") == "Graph" else []
    return found + [g for value in node.values() for g in _graphs(value)]


@pytest.mark.parametrize("link", ["", "?vs=target"])
def test_a_second_map_is_in_the_page_only_when_two_are_compared(app, link):
    """A hidden graph for the second map took about 60 ms of the first map's load: there is
    none unless the view compares two years (its callback takes it by a pattern id). The bar
    chart is put in after the first map (dashboard/later.py)."""
    client = app.server.test_client()
    layout = client.get("/_dash-layout" + (f"?link={link}" if link else "")).get_json()
    second = [{"type": ids.MAP_COMPARE, "vs": "target"}] if link else []
    assert _graphs(layout) == [ids.MAP, *second]


def test_switch_sends_colours_not_geometry(app):
    data = switch(app, "urban_district_population", "target")
    state = data[ids.MAP_STATE]
    text = json.dumps(state, ensure_ascii=False)
    assert "coordinates" not in text and "geojson" not in text
    assert set(state) == {"z", "colorscale", "zmin", "zmax", "customdata"}
    z = state["z"]
    # Targets >600, >350, >200, >100, >100: four classes, Qingdao in the top one.
    assert z == [3, 2, 1, 0, 0]
    hover = state["customdata"]
    assert "> 600" in hover[0] and "规划原文" in hover[0]
    assert "下限" in json.dumps(data[ids.LEGEND], ensure_ascii=False)


def test_switch_to_a_view_without_data_shows_no_data(app):
    state = switch(app, "urban_district_population", "change")[ids.MAP_STATE]
    assert state["z"] == [-1] * 5
    assert state["colorscale"][0][1] == figures.NO_DATA
    assert all("无数据" in h for h in state["customdata"])


def test_baseline_and_target_colours_mean_the_same_value(app):
    a, b = switch(app, "gdp", "baseline"), switch(app, "gdp", "actual")
    assert a[ids.MAP_STATE]["colorscale"] == b[ids.MAP_STATE]["colorscale"]
    assert a[ids.LEGEND] == b[ids.LEGEND]


def test_bar_chart_follows_the_indicator(app):
    fig, _ = switch_table(app)["bar"]["urban_district_population"]
    bars = {b["name"]: b for b in fig["data"]}
    assert bars["2025年目标"]["text"] == ["> 600", "> 350", "> 200", "> 100", "> 100"]
    assert all(v is None for v in bars["2020年基数"]["y"])  # no source: no bar, not zero


def test_the_status_view_says_no_data_where_targets_or_results_are_missing(app):
    out = switch(app, "gdp", "status")
    state = out[ids.MAP_STATE]
    assert state["z"] == [-1] * 5  # no city has a sourced 2025 GDP target
    assert all("目标或实际无数据" in h for h in state["customdata"])
    legend = json.dumps(out[ids.LEGEND], ensure_ascii=False)
    assert "已达到目标" in legend and "未达到目标" in legend
