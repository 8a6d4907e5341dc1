"""The docking plan (2025–2027): its 21 tasks and the links they draw, checked against the text."""

import re

import pytest

from layers import docking, records
from layers import store as store_mod
from tests.conftest import REPO

PLAN = "shandong-docking-2025"
JJJ = {"110000", "120000", "130000"}
YRD = {"310000", "320000", "330000", "340000"}


def _tasks_in(text):
    """(number, group, title, full text) of every numbered task, read straight from the plan."""
    body = text[text.index("二、重点任务") : text.index("三、保障措施")]
    marks = sorted(
        [(m.start(), "group", m.group(1)) for m in re.finditer(r"\(([一二三四五六])\)[^。(]+。", body)]
        + [(m.start(), "task", m) for m in re.finditer(r"(\d{1,2})\.([^。]{2,30})。", body)]
    )
    out, group = [], None
    for k, (pos, kind, m) in enumerate(marks):
        if kind == "group":
            group = m
            continue
        end = marks[k + 1][0] if k + 1 < len(marks) else len(body)
        out.append((int(m.group(1)), group, m.group(2), body[pos:end]))
    return out


def test_the_plan_has_21_tasks_in_six_groups(docking_text):
    parsed = _tasks_in(docking_text)
    assert [n for n, *_ in parsed] == list(range(1, 22))
    groups = [g for _, g, *_ in parsed]
    assert {g: groups.count(g) for g in groups} == {"一": 4, "二": 6, "三": 3, "四": 3, "五": 3, "六": 2}
    assert all(t.endswith(")") for *_, t in parsed)


def test_every_task_is_in_the_table_with_its_number_group_and_title(store, docking_text):
    table = store.tasks.set_index("number")
    assert len(table) == 21 and set(table["plan"]) == {PLAN}
    for number, group, title, text in _tasks_in(docking_text):
        row = table.loc[number]
        assert (row["group"], row["title_zh"]) == (group, title), number
        assert row["quote"] == text, number
        assert row["quote"] in docking_text
        assert row["quote"].endswith(row["responsibility_quote"])
        assert row["group_title_zh"] in docking_text


def test_departments_are_the_plans_own_names(store):
    for r in store.tasks.itertuples():
        inner = r.responsibility_quote[1:-1]
        named = [
            d for part in re.split(r",", inner) for d in re.sub(r"(牵头|按职责分工负责|配合)$", "", part).split("、")
        ]
        lead = r.lead_departments.split(";")
        support = [d for d in r.supporting_departments.split(";") if d]
        assert sorted(lead + support) == sorted(named), r.number
        for d in lead:  # a lead is named before 牵头 or in a 按职责分工负责 list
            clause = next(p for p in inner.split(",") if d in re.sub(r"(牵头|按职责分工负责|配合)$", "", p).split("、"))
            assert clause.endswith(("牵头", "按职责分工负责")), (r.number, d)
            role = "lead" if clause.endswith("牵头") else "responsible"
            assert r.lead_role == role, (r.number, d, r.lead_role)


def test_responsible_departments_are_not_labelled_lead(store, docking_text):
    """按职责分工负责 (tasks 3, 4, 6 …) is its own role: never shown under 牵头部门."""
    from dashboard.i18n import t
    from dashboard.tables import task_columns, task_rows
    from layers.features import names_for

    texts = {n: text[text.rindex("(") :] for n, _, _, text in _tasks_in(docking_text)}
    responsible = {n for n, tail in texts.items() if "按职责分工负责" in tail}
    assert responsible == {3, 4, 6, 7, 9, 12, 14, 16, 18, 21}
    rows = {r["number"]: r for r in task_rows(store, names_for(store, "zh"), "zh")}
    for n, r in rows.items():
        assert bool(r["responsible"]) == (n in responsible) and bool(r["lead"]) == (n not in responsible), n
    headers = {c["field"]: c["headerName"] for c in task_columns("zh")}
    assert headers["lead"] == "牵头部门" and "负责" in headers["responsible"]
    assert "负责" in t("filter.lead", "zh") and "responsible" in t("filter.lead", "en")


CITY_NAMES = {
    "370100": "济南",
    "370200": "青岛",
    "370300": "淄博",
    "370400": "枣庄",
    "370500": "东营",
    "370600": "烟台",
    "370700": "潍坊",
    "370800": "济宁",
    "370900": "泰安",
    "371000": "威海",
    "371100": "日照",
    "371300": "临沂",
    "371400": "德州",
    "371500": "聊城",
    "371600": "滨州",
    "371700": "菏泽",
}


def test_every_city_the_text_names_is_in_the_task_row(store):
    for r in store.tasks.itertuples():
        body = r.quote[: -len(r.responsibility_quote)]  # departments such as 青岛海关 do not count
        named = {code for code, name in CITY_NAMES.items() if name in body}
        assert named <= set(r.cities.split(";")) - {""}, (r.number, named)


def test_partner_regions_follow_the_words(store):
    for r in store.tasks.itertuples():
        partners = set(filter(None, r.partner_regions.split(";")))
        body = r.quote[: -len(r.responsibility_quote)]
        expected = set()
        expected |= JJJ if "京津冀" in body else set()
        expected |= YRD if "长三角" in body else set()
        expected |= {"110000", "310000"} if "京沪" in body else set()
        expected |= {"110000"} if "北京" in body else set()
        expected |= {"310000"} if "上海" in body else set()
        assert expected <= partners, (r.number, expected - partners)
        assert partners <= expected | {"340000"}, (r.number, partners - expected)  # 合肥 (Anhui) in task 1


# ---- flows


def test_every_flow_is_in_its_tasks_words_and_regions(store):
    tasks = store.tasks.set_index("number")
    assert len(store.flows) >= 100
    for r in store.flows.itertuples():
        task = tasks.loc[r.task]
        assert r.quote in task["quote"], (r.task, r.quote)
        assert r.partner in task["partner_regions"].split(";"), (r.task, r.partner)
        assert r.city == "province" or r.city in task["cities"].split(";"), (r.task, r.city)
        assert r.group == task["group"]


@pytest.mark.parametrize(
    "task,city,partner",
    [
        (1, "371400", "110000"),
        (1, "370800", "310000"),
        (1, "371300", "310000"),
        (1, "371700", "310000"),
        (6, "370400", "320000"),
        (6, "371400", "110000"),
        (6, "371300", "310000"),
        (6, "371700", "340000"),
        (8, "371500", "120000"),
        (21, "370400", "110000"),
        (21, "371300", "310000"),
    ],
)
def test_the_links_the_text_draws_are_there(store, task, city, partner):
    f = store.flows
    assert ((f["task"] == task) & (f["city"] == city) & (f["partner"] == partner)).any()


def test_flow_ends_are_the_label_points(store):
    points = dict(zip(store.context["code"], zip(store.context["label_lon"], store.context["label_lat"])))
    points |= dict(zip(store.cities["adcode"], zip(store.cities["label_lon"], store.cities["label_lat"])))
    for r in store.flows.itertuples():
        assert (r.to_lon, r.to_lat) == points[r.partner]
        if r.city != "province":
            assert (r.from_lon, r.from_lat) == points[r.city]
    province = store.flows[store.flows["city"] == "province"][["from_lon", "from_lat"]].drop_duplicates()
    assert len(province) == 1
    import shapely

    shandong = shapely.union_all(
        [*store.cities.geometry, *store.context[store.context["kind"] == "shandong_city"].geometry]
    )
    assert shandong.contains(shapely.Point(*province.iloc[0]))


def test_flows_filter_by_group_lead_and_city(store):
    f, t = store.flows, store.tasks
    assert len(docking.flows_matching(f, t)) == len(f)
    one = docking.flows_matching(f, t, groups=("一",))
    assert set(one["task"]) == {1, 2, 3, 4}
    kjt = docking.flows_matching(f, t, leads=("省科技厅",))
    assert set(kjt["task"]) == {1, 2, 3, 4, 6}
    both = docking.flows_matching(f, t, groups=("二",), leads=("省科技厅",), cities=("370400",))
    assert set(both["task"]) == {6} and set(both["city"]) == {"370400"}
    assert "省科技厅" in docking.departments(t) and "有关市政府" in docking.departments(t, "supporting")


def test_a_flow_of_an_unknown_task_fails_on_load(damaged_store):
    copy = damaged_store("UPDATE flows SET task = 99 WHERE fid = 2")
    with pytest.raises(records.RecordError, match=r"#flows, row 2, column 'task'"):
        store_mod.load(copy)


def test_a_bad_task_row_is_named(tmp_path):
    src = (REPO / "geodata" / "sources" / "tasks.csv").read_text(encoding="utf-8")
    bad = src.replace(",一,协同培育发展新质生产力,", ",七,协同培育发展新质生产力,", 1)
    path = tmp_path / "tasks.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(records.RecordError, match=r"row 2, column 'group'"):
        records.read_csv(path, records.TASKS)


def test_each_plans_frame_holds_what_it_covers(store):
    """A plan's map opens on bounds it must show whole: the five cities for the Jiaodong plan,
    Beijing to Shanghai with the five cities for the docking plan (their boundaries in the store)."""
    from layers import plans

    def holds(frame, bounds, slack=0.05):
        west, south, east, north = frame
        return (
            west <= bounds[0] + slack
            and south <= bounds[1] + slack
            and east >= bounds[2] - slack
            and north >= bounds[3] - slack
        )

    cities = store.cities.total_bounds
    context = store.context.set_index("code")
    jiaodong, docking = plans.JIAODONG_FRAME["bounds"], plans.SHANDONG_TO_SHANGHAI["bounds"]
    assert holds(jiaodong, cities) and all(abs(a - b) < 0.05 for a, b in zip(jiaodong, cities))  # no more than them
    for code in ("110000", "310000"):
        assert holds(docking, context.loc[code].geometry.bounds)
    assert holds(docking, cities)
    assert plans.frame("jiaodong") == plans.JIAODONG_FRAME and plans.frame("docking") == plans.SHANDONG_TO_SHANGHAI


def test_each_link_is_drawn_as_an_arc_between_its_ends(store):
    """Links that share a city would lie on one another as straight lines: each is an arc from
    its Shandong end to its partner's, bent off the straight line, one gap after each."""
    from dashboard import feature_layers as fl
    from dashboard.page import Page
    from dashboard.view import View

    page = Page.make(store)
    links = page.links(View(plan="docking"))
    data = fl.flow_data(links, store.tasks, page.names["zh"])
    assert data["lon"].count(None) == len(links)
    arcs, arc = [], []
    for x, y in zip(data["lon"], data["lat"]):
        if x is None:
            arcs.append(arc)
            arc = []
        else:
            arc.append((x, y))
    for (a, b), r in zip([(arc[0], arc[-1]) for arc in arcs], links.itertuples()):
        assert a == (round(r.from_lon, 4), round(r.from_lat, 4)) and b == (round(r.to_lon, 4), round(r.to_lat, 4))
    mid = arcs[0][len(arcs[0]) // 2]
    straight = ((arcs[0][0][0] + arcs[0][-1][0]) / 2, (arcs[0][0][1] + arcs[0][-1][1]) / 2)
    assert abs(mid[0] - straight[0]) + abs(mid[1] - straight[1]) > 0.1
