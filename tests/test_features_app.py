"""The plan's places in the app: filtering, selection and bad input, through the HTTP endpoint."""

import json
import re

import pytest
from shapely.geometry import Point

from dashboard import feature_layers as fl
from dashboard import figures, ids
from layers import features as lf
from tests.dash_calls import call


def _filter(app, **values):
    full = {f"{ids.LAYERS}.value": list(lf.DEFAULT_LAYERS)}
    full.update({f"{k}.value": v for k, v in values.items()})
    changed = f"{ids.SEARCH}.value" if "search" in values else f"{ids.LAYERS}.value"
    return call(app, ids.GRID, full, changed)


def test_filter_by_city_and_layer_returns_only_matching_rows(app, store):
    resp = _filter(app, layers=["ports"], city=["371100"])
    rows = json.loads(resp.data)["response"][ids.GRID]["rowData"]
    names = {r["name"] for r in rows}
    assert names == {"日照港", "岚山港区", "日照邮轮港"}
    assert "显示 3 / " in json.loads(resp.data)["response"][ids.COUNT]["children"]


def test_search_finds_english_names_and_moves_the_map(app):
    resp = _filter(app, search="nuclear")
    data = json.loads(resp.data)["response"]
    names = {r["name"] for r in data[ids.GRID]["rowData"]}
    assert {"海阳核电基地", "荣成核电基地(石岛湾)", "烟台核电研发中心"} <= names
    focus = data[ids.FOCUS]["data"]
    assert 121 < focus["center"]["lon"] < 123 and 36.5 < focus["center"]["lat"] < 37.6


def test_a_citys_counts_are_the_tables(app):
    """The city's view counts what the table shows, and says how many all layers hold."""
    for layers in (list(lf.DEFAULT_LAYERS), ["ports"]):
        full = {f"{ids.LAYERS}.value": layers, f"{ids.CITY}.value": ["371000"], f"{ids.PLAN}.value": "jiaodong"}
        data = json.loads(call(app, ids.GRID, full, f"{ids.CITY}.value").data)["response"]
        rows = data[ids.GRID]["rowData"]
        text = json.dumps(data[ids.CITY_VIEW]["children"], ensure_ascii=False)
        shown, every = map(int, re.search(r"胶东[^:]*:图上 (\d+) 处\(全部图层共 (\d+) 处\)", text).groups())
        assert shown == len(rows) and every >= shown, (layers, shown, len(rows))
        assert re.search(r"深度对接[^:]*:图上 0 处", text)  # the other plan's places are not shown


def test_choosing_a_city_or_a_filter_frames_what_it_selects(app, store):
    def focus(values, changed):
        full = {f"{ids.LAYERS}.value": list(lf.DEFAULT_LAYERS), **{f"{k}.value": v for k, v in values.items()}}
        return json.loads(call(app, ids.GRID, full, changed).data)["response"].get(ids.FOCUS, {}).get("data")

    # A city: the city whole, whatever places it holds.
    west, south, east, north = store.cities.set_index("adcode").loc["371100"].geometry.bounds
    got = focus({ids.CITY: ["371100"]}, f"{ids.CITY}.value")
    assert got["bounds"] == [round(v, 5) for v in (west, south, east, north)]
    assert south < got["center"]["lat"] < north and west < got["center"]["lon"] < east
    # A Shandong city of the docking plan, which the atlas draws as context.
    jinan = focus({ids.CITY: ["370100"], ids.PLAN: "docking"}, f"{ids.CITY}.value")
    assert 116.5 < jinan["center"]["lon"] < 117.7
    # A category: the places it selects (the nuclear plants lie on the east coast).
    got = focus({ids.CATEGORY: ["nuclear"]}, f"{ids.CATEGORY}.value")
    assert got and got["bounds"][0] > 120.5, got
    # The layers' toggles leave the map where it is.
    assert focus({ids.CITY: ["371100"]}, f"{ids.LAYERS}.value") is None


@pytest.mark.parametrize(
    "values",
    [
        {"layers": "ports", "chapter": ["x", None], "precision": [{"a": 1}], "search": 12345},
        {"layers": ["../etc"], "category": ["<b>x</b>"], "search": "<script>alert(1)</script>"},
        {"layers": None, "city": "370200", "status": [[]], "search": "x" * 10000},
    ],
)
def test_malformed_filter_values_are_dropped_not_trusted(app, values):
    resp = _filter(app, **values)
    assert resp.status_code == 200
    rows = json.loads(resp.data)["response"][ids.GRID]["rowData"]
    assert isinstance(rows, list)  # unknown values restrict nothing they should not


def test_clicking_a_feature_on_the_map_selects_it(app):
    click = {"points": [{"curveNumber": fl.INDEX["ports"], "customdata": "port-qingdao"}]}
    resp = call(app, ids.SELECTED, {f"{ids.MAP}.clickData": click}, f"{ids.MAP}.clickData")
    assert json.loads(resp.data)["response"][ids.SELECTED]["data"] == "port-qingdao"


@pytest.mark.parametrize(
    "click",
    [
        {"points": [{"curveNumber": fl.INDEX["ports"], "customdata": "no-such-place"}]},
        {"points": [{"curveNumber": "x"}]},
        {"points": []},
        "nonsense",
        None,
    ],
)
def test_bad_clicks_change_nothing(app, click):
    resp = call(app, ids.SELECTED, {f"{ids.MAP}.clickData": click}, f"{ids.MAP}.clickData")
    assert resp.status_code == 204


def test_selecting_a_feature_opens_its_panel_with_quote_and_source(app, store):
    resp = call(app, ids.CITY_PANEL, {f"{ids.SELECTED}.data": "nuclear-haiyang"}, f"{ids.SELECTED}.data")
    data = json.loads(resp.data)["response"]
    text = json.dumps(data, ensure_ascii=False)
    assert "海阳核电基地" in text and "稳步有序推进海阳、荣成等沿海核电基地建设" in text
    assert "reactormap.com" in text and "精确位置" in text
    assert data[ids.FOCUS]["data"]["zoom"] == lf.MAX_ZOOM["site"]


def test_a_city_level_place_is_not_zoomed_in_past_its_precision(app):
    resp = call(app, ids.CITY_PANEL, {f"{ids.SELECTED}.data": "port-yantai-west"}, f"{ids.SELECTED}.data")
    assert json.loads(resp.data)["response"][ids.FOCUS]["data"]["zoom"] <= lf.MAX_ZOOM["city"]


def test_every_placed_feature_is_drawable_in_exactly_one_trace(store):
    data = fl.trace_data(store.features, lf.display_points(store.features), lf.names_for(store))
    held = [i for t in data if not t.get("highlight") for i in t["order"]]
    placed = store.features.loc[store.features["precision"] != "unplaced", "id"]
    assert sorted(held) == sorted(placed)
    by_id = {i: (t, t["items"][i]) for t in data if not t.get("highlight") for i in t["order"]}
    trace, item = by_id["rail-weiyan"]
    assert trace["index"] == fl.INDEX["corridors-rail"] and len(item["lon"]) == 2
    trace, item = by_id["port-qingdao"]
    assert trace["text"] and item["opacity"] == fl.OPACITY["site"] and "精确位置" in item["hover"]
    assert {t["index"] for t in data if t.get("highlight")} == {fl.INDEX["highlight-line"], fl.INDEX["highlight-point"]}


def test_zones_geojson_is_served_with_ids(app):
    body = json.loads(app.server.test_client().get("/geo/zones.geojson").data)
    assert {f["id"] for f in body["features"]} >= {"pilot-laixi-laiyang", "pilot-jiaozhou-gaomi"}
    # No glyph URL in the map style: MapLibre draws every label locally and asks no server.
    assert "glyphs" not in figures.MAP_STYLE


def _drawn(store, visible):
    """The page's first map's place traces for the visible ids, as filled_traces draws them."""
    anchors = lf.city_points(store, store.features)
    data = fl.trace_data(store.features, lf.display_points(store.features), lf.names_for(store), "zh", anchors)
    return data, fl.filled_traces(data, set(visible))


def test_no_trace_draws_a_place_known_only_by_city_as_a_point(store):
    f = store.features
    city_level = set(f.loc[fl.city_level(f), "id"])
    assert len(city_level) == 111
    data, drawn = _drawn(store, f["id"])
    points = [tr for spec, tr in zip(fl.SPECS, drawn) if spec.geom == "point" and spec.layer]
    assert not city_level & {i for tr in points if tr.visible is not False for i in tr.customdata}
    badges = drawn[-1]
    assert [cd[0] for cd in badges.customdata] == list(dict.fromkeys(c for c in data[-1]["cities"]))
    assert sorted(i for cd in badges.customdata for i in cd[1:]) == sorted(city_level)
    assert [int(n) for n in badges.text] == [len(cd) - 1 for cd in badges.customdata]
    # One badge per city, at its city's point, listing its first names and how many more.
    weifang = next(h for cd, h in zip(badges.customdata, badges.hovertext) if cd[0] == "370700")
    assert weifang.startswith("<b>潍坊市 · 城市级要素(仅知所在城市):22 个</b>") and "……另有 14 个" in weifang


def test_a_badge_counts_only_the_places_shown(store):
    f = store.features
    ports = f[(f["layer"] == "ports") & fl.city_level(f)]
    _, drawn = _drawn(store, ports["id"])
    badges = drawn[-1]
    assert sum(int(n) for n in badges.text) == len(ports) == 8
    _, none = _drawn(store, f.loc[~fl.city_level(f), "id"])
    assert none[-1].visible is False


def test_each_citys_point_lies_in_it_near_its_label_point(store):
    anchors = lf.city_points(store, store.features)
    cities = store.cities.set_index("adcode")
    for code, (lon, lat) in anchors.items():
        if code in cities.index:
            row = cities.loc[code]
            assert row.geometry.contains(Point(lon, lat))
            assert (
                abs(lon - row.label_lon) <= lf.ANCHOR_REACH + 1e-6
                and abs(lat - row.label_lat) <= lf.ANCHOR_REACH + 1e-6
            )


def test_clicking_a_badge_lists_its_citys_places_known_only_by_city(app):
    click = {"points": [{"curveNumber": fl.BADGES, "customdata": ["370700", "port-weifang"]}]}
    resp = call(app, ids.PRECISION, {f"{ids.MAP}.clickData": click}, f"{ids.MAP}.clickData")
    out = json.loads(resp.data)["response"]
    assert out[ids.CITY]["value"] == ["370700"] and out[ids.PRECISION]["value"] == ["city"]
    assert out[ids.TABLES]["value"] == "features"


@pytest.mark.parametrize("customdata", [["999999"], "370700", [], None, [{"a": 1}]])
def test_a_bad_badge_click_changes_nothing(app, customdata):
    click = {"points": [{"curveNumber": fl.BADGES, "customdata": customdata}]}
    resp = call(app, ids.PRECISION, {f"{ids.MAP}.clickData": click}, f"{ids.MAP}.clickData")
    assert resp.status_code == 204
