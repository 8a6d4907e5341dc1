"""The plans' texts as section trees: the Jiaodong plan's chapters, sections and 专栏,
the docking plan's groups and tasks, and every quote in the section its reference names."""

import re

import pytest

from layers import plan_text as pt
from layers import plans

JIAODONG, DOCKING = pt.JIAODONG, plans.DOCKING


@pytest.fixture(scope="module")
def texts():
    return {p: pt.parse(p) for p in (JIAODONG, DOCKING)}


def _subtree(doc, sid):
    """The section and every section below it."""
    out, grew = {sid}, True
    while grew:
        more = {s.id for s in doc.sections if s.parent in out} - out
        grew, out = bool(more), out | more
    return out


def _innermost(doc, at):
    return next(s.id for s in doc.sections if s.start <= at < s.end)


@pytest.mark.parametrize("plan", [JIAODONG, DOCKING])
def test_the_sections_cover_the_whole_text_in_order(texts, plan):
    doc = texts[plan]
    spans = [(s.start, s.end) for s in doc.sections]
    assert spans[0][0] == 0 and spans[-1][1] == len(doc.text)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(spans, spans[1:]))  # no gap, no overlap
    assert len({s.id for s in doc.sections}) == len(doc.sections)
    assert all(s.start <= s.body <= s.end for s in doc.sections)


def test_no_section_id_is_in_both_plans(texts):
    assert not {s.id for s in texts[JIAODONG].sections} & {s.id for s in texts[DOCKING].sections}


def test_the_jiaodong_plan_has_fourteen_chapters_their_sections_and_five_boxes(texts):
    doc = texts[JIAODONG]
    chapters = [s for s in doc.sections if s.level == 1 and s.id.endswith("章")]
    assert [c.id for c in chapters] == [f"第{n}章" for n in "一二三四五六七八九十"] + [
        "第十一章",
        "第十二章",
        "第十三章",
        "第十四章",
    ]
    # The body's headings are those of the plan's own contents list, in its order.
    contents = doc.own(doc.section("目录"))
    listed = [re.sub(r"\s+", " ", line).strip() for line in contents.splitlines() if re.match(r"第.{1,3}[章节]", line)]
    assert [s.title for s in doc.sections if s.level in (1, 2) and s.id.startswith("第")] == listed
    assert len(listed) == 14 + 52  # chapters and their sections
    boxes = {s.id: s.parent for s in doc.sections if s.level == 3}
    assert boxes == {
        "专栏1": "第三章第三节",
        "专栏2": "第四章第三节",
        "专栏3": "第七章第一节",
        "专栏4": "第九章第四节",
        "专栏5": "第十章第三节",
    }
    assert doc.section("专栏2").title == "专栏2 重大海洋产业项目"
    assert doc.own(doc.section("前言")).count("本规划是指导胶东经济圈一体化发展的纲领性文件") == 1
    assert doc.section("第十章第二节").title == "第二节 强化能源协同保障"


def test_the_docking_plan_has_six_groups_of_its_twenty_one_tasks(texts, store):
    doc = texts[DOCKING]
    tasks = store.tasks.set_index("number")
    groups = [s for s in doc.sections if s.level == 2]
    assert [g.id for g in groups] == [f"({g})" for g in "一二三四五六"]
    assert [g.title for g in groups] == [
        f"({g}){t}" for g, t in dict(zip(tasks["group"], tasks["group_title_zh"])).items()
    ]
    numbered = [s for s in doc.sections if s.level == 3]
    assert [s.id for s in numbered] == [f"任务{n}" for n in range(1, 22)]
    for s in numbered:
        row = tasks.loc[int(s.id[2:])]
        assert doc.own(s) == row.quote  # the task from "1." to its closing parenthesis, and nothing else
        assert s.parent == f"({row.group})" and s.title.endswith(row.title_zh)
    assert [s.id for s in doc.sections if s.level == 1] == ["方案通知", "方案前言", "总体要求", "重点任务", "保障措施"]


@pytest.mark.parametrize(
    ("ref", "sid"),
    [
        ("第四章·专栏2·海洋高端装备(1)", "专栏2"),
        ("第十章第二节", "第十章第二节"),
        ("规划 第一章第一节 发展基础", "第一章第一节"),
        ("规划 前言", "前言"),
        ("专栏1 城市发展定位", "专栏1"),
        ("任务7·(二)", "任务7"),
        ("https://m.guanhai.com.cn/p/39112.html", None),
    ],
)
def test_a_reference_names_its_section(ref, sid):
    assert pt.section_of(ref) == sid


def test_every_quote_stands_in_the_section_its_reference_names(texts, store):
    quotes = pt.quotes(store, texts)
    f = store.features
    expected = {
        "place": len(f) + (f["also"] != "").sum(),
        "task": len(store.tasks),
        "flow": len(store.flows),
        "figure": store.indicators["source"].str.startswith("规划").sum(),
        "city": len(store.cities),
    }
    assert {k: sum(q.kind == k for q in quotes) for k in expected} == expected  # none left out
    for q in quotes:
        doc = texts[q.plan]
        assert _innermost(doc, q.start) in _subtree(doc, q.section), (q.kind, q.key, q.section)
        assert q.end <= doc.subtree_end[q.section]


def test_a_quote_is_not_found_in_another_section(texts):
    doc = texts[JIAODONG]
    words = "(1)烟台东方航天港工程"
    assert pt.find(doc, "专栏2", words) is not None
    assert pt.find(doc, "专栏4", words) is None and pt.find(doc, "第四章第一节", words) is None
    assert pt.find(doc, "第四章", words) is not None  # a chapter holds its sections and boxes
    assert pt.find(doc, "no such section", words) is None


def test_a_heading_quoted_with_plain_spaces_is_found(texts):
    doc = texts[JIAODONG]
    start, end = pt.find(doc, "第十二章第二节", "第二节  建设胶州—高密临空临港协作区")
    assert doc.text[start:end].replace("\u00a0", " ") == "第二节  建设胶州—高密临空临港协作区"
