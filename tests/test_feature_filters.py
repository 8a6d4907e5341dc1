"""Filtering, display positions and focus of the plan's places (layers/features.py)."""

import math

import shapely

from layers import features as lf
from layers.records import COORD_GRADES


def test_default_criteria_show_the_default_layers_only(store):
    hits = store.features[lf.matches(store.features, lf.Criteria())]
    assert set(hits["layer"]) == set(lf.DEFAULT_LAYERS)


def test_parse_drops_unknown_values():
    c = lf.Criteria.parse(
        layers=["ports", "secret"], chapters=[4, "4", 99], cities="370200", text="  港 ", known={"chapters": (4, 10)}
    )
    assert c.layers == ("ports",) and c.chapters == (4,) and c.cities == () and c.text == "港"


def test_city_chapter_and_text_filters_combine(store):
    f = store.features
    c = lf.Criteria(layers=("projects",), cities=("370600",), chapters=(10,), text="LNG")
    hits = f[lf.matches(f, c)]
    assert len(hits) >= 2
    assert all("370600" in r.city_adcodes.split(";") and r.chapter == 10 for r in hits.itertuples())
    assert all("lng" in (r.name_en + r.name_zh).casefold() for r in hits.itertuples())


def test_text_search_is_case_insensitive_and_literal(store):
    f = store.features
    upper = f[lf.matches(f, lf.Criteria(layers=lf.FEATURE_LAYERS, text="PORT OF QINGDAO"))]
    assert set(upper["id"]) == {"port-qingdao", "port-dongjiakou", "port-huangdao"}  # "(Port of Qingdao)"
    assert not lf.matches(f, lf.Criteria(layers=lf.FEATURE_LAYERS, text=".*")).any()


def test_shared_positions_are_fanned_out_and_stored_geometry_kept(store):
    f = store.features
    pos = lf.display_points(f)
    points = f[f.geom_type == "Point"]
    same = points.geometry.apply(lambda g: (round(g.x, 6), round(g.y, 6)))
    crowded = same.value_counts()
    spot = crowded.index[0]
    group = same[same == spot].index
    assert len(group) > 5  # some city's point carries many projects
    shown = {(round(pos.loc[i, "lon"], 6), round(pos.loc[i, "lat"], 6)) for i in group}
    assert len(shown) == len(group)  # each drawn at its own spot
    radius = max(math.dist(spot, p) for p in shown)
    assert radius < lf.SPREAD * math.sqrt(len(group)) * 1.6  # and close to where it belongs
    alone = crowded[crowded == 1].index[0]
    i = same[same == alone].index[0]
    assert (pos.loc[i, "lon"], pos.loc[i, "lat"]) == (f.geometry[i].x, f.geometry[i].y)
    assert shapely.equals(store.features.geometry[i], f.geometry[i])


def test_focus_view_fits_and_caps_zoom():
    one = lf.focus_view([shapely.Point(120, 36)], max_zoom=9)
    assert one == {"center": {"lon": 120.0, "lat": 36.0}, "zoom": 9.0, "bounds": [120.0, 36.0, 120.0, 36.0]}
    wide = lf.focus_view([shapely.Point(119, 35), shapely.Point(122.5, 37.8)])
    assert wide["zoom"] < 7.5 and 120 < wide["center"]["lon"] < 121
    assert wide["bounds"] == [119.0, 35.0, 122.5, 37.8]  # what the browser fits to its map's size
    assert lf.focus_view([None]) is None


def test_table_rows_name_every_code(store):
    from dashboard.i18n import TEXT

    rows = lf.table_rows(store.features, lf.names_for(store), TEXT["zh"])
    assert len(rows) == len(store.features)
    row = next(r for r in rows if r["id"] == "pipe-dongjiakou-dongying")
    assert row["layer"] == "轴带与通道" and row["category"] == "油气管道" and row["cities"] == "青岛市"
    plan = dict(zip(store.features["id"], store.features["plan"]))
    unplaced = [r for r in rows if r["precision"].startswith("未能定位")]
    assert {r["id"] for r in unplaced if plan[r["id"]] == "jiaodong-2021"} == {
        "zl3-river-3",
        "zl3-river-6",
        "zl5-water-1",
        "zl5-water-2",
    }
    jining = next(r for r in rows if r["id"] == "dk-cic-jining")  # a city outside Jiaodong is named too
    assert jining["cities"] == "济宁市"
    grade = {r["id"]: r["grade"] for r in rows}
    assert grade["port-qingdao"] == TEXT["zh"]["grade.registry"]  # searoute's record
    assert grade["bay-laizhou"] == TEXT["zh"]["grade.mirror"]  # a copy of Wikipedia, not Wikipedia
    assert grade["lng-weihai"] == grade["port-weihai"]  # drawn at the port's point, on its source
    english = lf.table_rows(store.features, lf.names_for(store, "en"), TEXT["en"], "en")
    assert {r["grade"] for r in english} <= {TEXT["en"][f"grade.{g}"] for g in COORD_GRADES}


def test_the_place_panel_says_who_gives_the_position(store):
    from dashboard.i18n import TEXT
    from dashboard.panels import feature_panel

    row = store.features.set_index("id").loc["airport-yantai"].to_dict()
    row["id"] = "airport-yantai"
    for lang in ("zh", "en"):
        text = str(feature_panel(row, lf.names_for(store, lang), lang))
        assert TEXT[lang]["feature.grade"] in text and TEXT[lang]["grade.registry"] in text
        assert TEXT[lang]["grade.mirror"] not in text
