"""Callbacks through the real HTTP endpoint, as the browser calls them."""
import json

from dashboard import figures, ids

OUTPUTS = [(ids.MAP_STATE, "data"), (ids.LEGEND, "children"), (ids.MAP_TITLE, "children")]


def switch(client, indicator, view, scheme="natural_breaks"):
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in OUTPUTS],
        "inputs": [{"id": ids.INDICATOR, "property": "value", "value": indicator},
                   {"id": ids.VIEW, "property": "value", "value": view},
                   {"id": ids.SCHEME, "property": "value", "value": scheme}],
        "changedPropIds": [f"{ids.VIEW}.value"], "state": [],
    }
    return client.post("/_dash-update-component", json=body)


def test_page_and_boundaries_are_served(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    for layer in ("cities", "counties", "context"):
        resp = client.get(f"/geo/{layer}.geojson")
        assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
        again = client.get(f"/geo/{layer}.geojson", headers={"If-None-Match": resp.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/geo/secret.geojson").status_code == 404


def test_switch_sends_colours_not_geometry(app):
    resp = switch(app.server.test_client(), "urban_district_population", "target")
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
    data = json.loads(switch(app.server.test_client(), "urban_district_population", "change").data)
    state = data["response"][ids.MAP_STATE]["data"]
    assert state["z"] == [-1] * 5
    assert state["colorscale"][0][1] == figures.NO_DATA
    assert all("无数据" in h for h in state["customdata"])


def test_baseline_and_target_colours_mean_the_same_value(app):
    client = app.server.test_client()
    a = json.loads(switch(client, "gdp", "baseline").data)["response"]
    b = json.loads(switch(client, "gdp", "actual").data)["response"]
    assert a[ids.MAP_STATE]["data"]["colorscale"] == b[ids.MAP_STATE]["data"]["colorscale"]
    assert a[ids.LEGEND]["children"] == b[ids.LEGEND]["children"]


def test_bar_chart_follows_the_indicator(app):
    fig = _bars(app, "urban_district_population")
    bars = {b["name"]: b for b in fig["response"][ids.BAR]["figure"]["data"]}
    assert bars["2025年目标"]["text"] == ["> 600", "> 350", "> 200", "> 100", "> 100"]
    assert all(v is None for v in bars["2020年基数"]["y"])  # no source: no bar, not zero


def _bars(app, indicator):
    outputs = [{"id": ids.BAR, "property": "figure"}, {"id": ids.CIRCLE_SUMMARY, "property": "children"}]
    body = {"output": f"..{ids.BAR}.figure...{ids.CIRCLE_SUMMARY}.children..", "outputs": outputs,
            "inputs": [{"id": ids.INDICATOR, "property": "value", "value": indicator}],
            "changedPropIds": [f"{ids.INDICATOR}.value"], "state": []}
    return json.loads(app.server.test_client().post("/_dash-update-component", json=body).data)


def test_the_circle_summary_sets_the_plan_beside_the_cities_sum(app):
    text = json.dumps(_bars(app, "gdp")["response"][ids.CIRCLE_SUMMARY], ensure_ascii=False)
    # 2020: the plan's 31,000 beside the five cities' sum, approximate (Weihai's ≈ 3,000).
    assert "31,000" in text and "≈ 31,096" in text
    assert "> 40,000" in text and "缺威海市、日照市" in text  # no 2025 sum without all five
    rate = json.dumps(_bars(app, "urbanization_rate")["response"][ids.CIRCLE_SUMMARY], ensure_ascii=False)
    assert "比率,不合计" in rate


def test_unknown_indicator_changes_nothing(app):
    resp = switch(app.server.test_client(), "<script>", "baseline")
    assert resp.status_code == 204


def test_legend_lists_classes_and_no_data():
    breaks = [1.0, 5.0, 9.0]
    defn = {"unit": "万人", "unit_en": "10k people", "decimals": 0}
    rows = figures.legend(breaks, "baseline", defn)
    texts = [r.children[1].children for r in rows[1:]]
    assert texts == ["≤ 1", "1 – 5", "5 – 9", "无数据"]
    assert "下限" in str(figures.legend(breaks, "target", defn, bounded=True)[-1].children)


def test_colorscale_steps_with_no_data_first():
    scale = figures.colorscale(["#111111", "#222222"])
    assert scale[0] == [0, figures.NO_DATA] and scale[-1] == [1.0, "#222222"]
    assert len({c for _, c in scale}) == 3


def test_diverging_colours_for_negative_change():
    colors = figures.class_colors([-5.0, -1.0, 2.0, 8.0], "change")
    assert colors[0] in figures.DIVERGING_NEG and colors[-1] in figures.DIVERGING_POS


def test_server_refuses_to_start_on_a_damaged_store(tmp_path):
    import os
    import subprocess
    import sys
    bad = tmp_path / "atlas.gpkg"
    bad.write_text("not a geopackage")
    env = dict(os.environ, ATLAS_STORE=str(bad), PORT="1")
    run = subprocess.run([sys.executable, "-m", "dashboard"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2
    assert str(bad) in run.stderr and "Traceback" not in run.stderr


def test_the_classification_scheme_changes_the_classes_and_bad_ones_are_ignored(app):
    client = app.server.test_client()
    z = {s: json.loads(switch(client, "gdp", "baseline", s).data)["response"][ids.MAP_STATE]["data"]["z"]
         for s in ("natural_breaks", "quantiles", "equal_interval")}
    assert len({tuple(v) for v in z.values()}) >= 2  # the schemes do not all agree
    assert switch(client, "gdp", "baseline", "<script>").status_code == 204
