"""The docking plan's places: quotes verbatim, in the task they cite, one row for a place both plans name."""

import re

import pandas as pd
import pytest

from geodata import features as gf
from layers import features as lf
from layers import records
from tests.test_features import _resolve as resolve_one

PLAN = "shandong-docking-2025"


def _docking(store):
    return store.features[store.features["plan"] == PLAN]


def test_every_quote_stands_in_the_task_its_reference_names(store, docking_text):
    tasks = store.tasks.set_index("number")
    rows = _docking(store)
    assert len(rows) >= 40
    for r in rows.itertuples():
        m = re.fullmatch(r"任务(\d+)·\(([一二三四五六])\)", r.plan_ref)
        assert m, r.plan_ref
        number, group = int(m.group(1)), m.group(2)
        assert r.quote in docking_text, r.id
        assert r.quote in tasks.loc[number, "quote"], (r.id, number)
        assert group == tasks.loc[number, "group"], r.id
        assert r.task == number and r.chapter == 2


def test_a_place_both_plans_name_is_one_row_with_both_references(store, docking_text):
    f = store.features
    both = f[f["also"] != ""]
    assert len(both) >= 4
    for r in both.itertuples():
        plan, ref, quote = gf.split_also(r.also)
        assert plan != r.plan
        if plan == PLAN:
            assert quote in docking_text
            assert quote in store.tasks.set_index("number").loc[gf.task_of(ref), "quote"]
    nuclear = f.set_index("id").loc[["nuclear-haiyang", "nuclear-rongcheng"]]
    assert (nuclear["plan"] == "jiaodong-2021").all() and (nuclear["task"] == 18).all()
    assert not f["name_zh"].str.contains("胶东半岛核电").any()  # not a second row
    # filtering by plan or task finds them under either plan
    docking = f[lf.matches(f, lf.Criteria(layers=records.FEATURE_LAYERS, plans=(PLAN,)))]
    assert {"nuclear-haiyang", "dk-cic-jining"} <= set(docking["id"])
    assert "zl2-equipment-1" not in set(docking["id"])
    task18 = f[lf.matches(f, lf.Criteria(layers=records.FEATURE_LAYERS, tasks=(18,)))]
    assert {"nuclear-haiyang", "nuclear-rongcheng", "dk-offshore-wind"} <= set(task18["id"])


@pytest.mark.parametrize(
    "name",
    [
        "中科院济南科创城",
        "国科研究院",
        "合肥国家实验室济南基地",
        "北京大学—万华化学研究中心",
        "德州(北京)协同创新中心",
        "济宁(上海)协同创新中心",
        "临沂(上海)协同创新中心",
        "菏泽(上海)协同创新中心",
        "烟台(上海)科创离岸双向孵化基地",
        "日照(上海)生命科学创新港",
        "京津冀创新转化(德州)中心",
        "中关村e谷·齐河生命科学谷",
        "枣庄长三角产业促进中心",
        "天衢新区",
        "中关村朝阳园飞地园区",
        "沂河新区",
        "鲁西新区",
        "济临经济协作区",
        "潍坊国家农业开放发展综合试验区",
        "济南国际陆港",
        "上合经贸产业园",
        "上合枢纽港",
        "京雄商高铁",
        "京沪高铁二通道",
        "京沪磁悬浮高速铁路(山东段)",
        "承南接北大通道",
        "京杭运河(山东段)",
        "西泇河",
        "北京中医药大学东方医院枣庄医院",
        "上海交通大学医学院附属上海儿童医学中心临沂医院",
        "山东海上风电基地",
        "鲁北风光储输一体化基地",
    ],
)
def test_the_places_the_plan_names_are_there(store, name):
    assert (_docking(store)["name_zh"] == name).sum() == 1


def test_vegetable_bases_brands_and_future_zones_are_at_their_places(store):
    f = _docking(store).set_index("id")
    for county in ("370783", "371324", "371522", "370481", "371424"):  # 寿光 兰陵 莘县 滕州 临邑
        row = f[f["county_adcode"] == county]
        assert len(row) == 1 and row.iloc[0]["precision"] == "county" and row.iloc[0]["category"] == "agri_base"
    brands = f[f["category"] == "brand"]
    assert sorted(brands["city_adcodes"]) == sorted(["371300", "370800", "371500", "370400"])
    assert set(f.loc[f["name_zh"].str.contains("未来产业先导区"), "city_adcodes"]) == {"370100", "370200", "370600"}


def test_lines_pass_through_the_cities_they_claim(store):
    _, cities = (
        pd.concat([store.counties, store.context_counties]).set_index("adcode").geometry,
        pd.concat(
            [store.cities, store.context[store.context["kind"] == "shandong_city"].rename(columns={"code": "adcode"})]
        )
        .set_index("adcode")
        .geometry,
    )
    lines = _docking(store)[_docking(store).geom_type == "LineString"]
    assert len(lines) >= 4
    for r in lines.itertuples():
        for code in r.city_adcodes.split(";"):
            assert r.geometry.intersects(cities[code]), (r.id, code)
    jxs = lines.set_index("name_zh").geometry["京雄商高铁"]
    beijing = store.context.set_index("code").geometry["110000"]
    assert jxs.intersects(beijing)  # it starts in Beijing


def test_unplaced_places_say_why(store):
    unplaced = _docking(store)[_docking(store)["precision"] == "unplaced"]
    assert len(unplaced) >= 5
    assert (unplaced["note"].str.len() > 20).all() and (unplaced["coord_source"] == "未能定位").all()


# ---- resolving a docking row


def _resolve(store, **over):
    """A docking row (a research centre at Jining's point), resolved as the build does."""
    return resolve_one(
        store,
        **{
            "plan": PLAN,
            "where": "city:370800",
            "category": "research",
            "name_zh": "某中心",
            "name_en": "A centre",
            "city_adcodes": "370800",
            "plan_ref": "任务1·(一)",
            **over,
        },
    )


def test_a_city_outside_jiaodong_is_a_place(store):
    out = _resolve(store).iloc[0]
    jining = store.context.set_index("code").loc["370800"]
    assert out["precision"] == "city" and out["task"] == 1 and out["chapter"] == 2
    assert (out.geometry.x, out.geometry.y) == (jining["label_lon"], jining["label_lat"])
    county = _resolve(store, where="county:370832").iloc[0]  # 梁山县, a county of Jining
    assert county["precision"] == "county" and county["county_adcode"] == "370832"
    assert jining.geometry.contains(county.geometry)


@pytest.mark.parametrize(
    "over,column,words",
    [
        ({"plan_ref": "第三章第一节"}, "plan_ref", "not a reference of shandong-docking-2025"),
        ({"plan": "jiaodong-2021"}, "plan_ref", "not a reference of jiaodong-2021"),
        ({"also": "shandong-docking-2025|任务2·(一)|q"}, "also", "row's own plan"),
        ({"also": "jiaodong-2021|任务2·(一)|q"}, "also", "not a reference of jiaodong-2021"),
        ({"where": "county:371425"}, "city_adcodes", "missing 371400"),
        ({"city_adcodes": "379900"}, "city_adcodes", "not a city of Shandong"),
    ],
)
def test_bad_docking_rows_are_named(store, over, column, words):
    with pytest.raises(records.RecordError, match=rf"row 2, column '{column}'.*{words}"):
        _resolve(store, **over)


def test_a_jiaodong_row_takes_the_task_of_its_second_reference(store):
    out = _resolve(
        store,
        plan="jiaodong-2021",
        plan_ref="第十章第二节",
        where="city:370600",
        city_adcodes="370600",
        also="shandong-docking-2025|任务18·(五)|q",
    ).iloc[0]
    assert out["task"] == 18 and out["chapter"] == 10


def test_task_of_and_chapter_of_read_both_plans():
    assert gf.task_of("任务21·(六)") == 21 and gf.task_of("第十章第二节") == 0
    assert gf.chapter_of("任务7·(二)") == 2 and gf.chapter_of("第七章") == 7
