"""Callbacks through the real HTTP endpoint, as the browser calls them."""

import json

from dashboard import figures, ids
from tests.dash_calls import call


def switch(app, indicator, view, scheme="natural_breaks", lang="zh"):
    return call(
        app,
        ids.MAP_STATE,
        {
            f"{ids.INDICATOR}.value": indicator,
            f"{ids.VIEW}.value": view,
            f"{ids.SCHEME}.value": scheme,
            f"{ids.LANG}.value": lang,
        },
        f"{ids.VIEW}.value",
    )


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
    """The preload hints name paths of the installed Dash and plotly: an upgrade that moves one
    would leave the page fetching it twice."""
    import re

    client = app.server.test_client()
    hrefs = re.findall(r'<link rel="preload"[^>]*href="([^"]+)"', client.get("/").get_data(as_text=True))
    assert len(hrefs) == 7 and any("plotly.min.js" in h for h in hrefs)
    assert {h: client.get(h).status_code for h in hrefs} == {h: 200 for h in hrefs}


def test_switch_sends_colours_not_geometry(app):
    resp = switch(app, "urban_district_population", "target")
    assert resp.status_code == 200
    data = json.loads(resp.data)["response"]
    state = data[ids.MAP_STATE]["data"]
    text = json.dumps(state, ensure_ascii=False)
    assert "coordinates" not in text and "geojson" not in text
    assert set(state) == {"z", "colorscale", "zmin", "zmax", "customdata"}
    z = state["z"]
    # Targets >600, >350, >200, >100, >100: four classes, Qingdao in the top one.
    assert z == [3, 2, 1, 0, 0]
    hover = state["customdata"]
    assert "> 600" in hover[0] and "规划原文" in hover[0]
    assert "下限" in json.dumps(data[ids.LEGEND]["children"], ensure_ascii=False)


def test_switch_to_a_view_without_data_shows_no_data(app):
    data = json.loads(switch(app, "urban_district_population", "change").data)
    state = data["response"][ids.MAP_STATE]["data"]
    assert state["z"] == [-1] * 5
    assert state["colorscale"][0][1] == figures.NO_DATA
    assert all("无数据" in h for h in state["customdata"])


def test_baseline_and_target_colours_mean_the_same_value(app):
    a = json.loads(switch(app, "gdp", "baseline").data)["response"]
    b = json.loads(switch(app, "gdp", "actual").data)["response"]
    assert a[ids.MAP_STATE]["data"]["colorscale"] == b[ids.MAP_STATE]["data"]["colorscale"]
    assert a[ids.LEGEND]["children"] == b[ids.LEGEND]["children"]


def test_bar_chart_follows_the_indicator(app):
    fig = _bars(app, "urban_district_population")
    bars = {b["name"]: b for b in fig["response"][ids.BAR]["figure"]["data"]}
    assert bars["2025年目标"]["text"] == ["> 600", "> 350", "> 200", "> 100", "> 100"]
    assert all(v is None for v in bars["2020年基数"]["y"])  # no source: no bar, not zero


def _bars(app, indicator, lang="zh"):
    resp = call(
        app, ids.BAR, {f"{ids.INDICATOR}.value": indicator, f"{ids.LANG}.value": lang}, f"{ids.INDICATOR}.value"
    )
    return json.loads(resp.data)


def test_the_status_view_says_no_data_where_targets_or_results_are_missing(app):
    out = json.loads(switch(app, "gdp", "status").data)["response"]
    state = out[ids.MAP_STATE]["data"]
    assert state["z"] == [-1] * 5  # no city has a sourced 2025 GDP target
    assert all("目标或实际无数据" in h for h in state["customdata"])
    legend = json.dumps(out[ids.LEGEND]["children"], ensure_ascii=False)
    assert "已达到目标" in legend and "未达到目标" in legend
