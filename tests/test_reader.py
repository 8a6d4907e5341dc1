"""The reader's server side: a part's text as sent (small, marked, cached for good),
the search in the texts, and the callbacks' answers to what a request may send."""

import gzip
import json

import pytest

from dashboard import ids, reader
from dashboard.page import Page
from tests.dash_calls import call


@pytest.fixture(scope="module")
def atlas(store):
    return Page.make(store)


@pytest.fixture(scope="module")
def reading(atlas):
    return reader._reading(atlas)


def test_every_part_is_a_few_kilobytes_gzipped_and_each_section_in_one(atlas, reading):
    of = reader.parts(atlas.library)
    assert set(of) == set(atlas.library.sections)
    for body in reading["payloads"].values():
        assert len(gzip.compress(body)) < 8_000
    sent = {}
    for (lang, _), body in reading["payloads"].items():
        for s in json.loads(body)["sections"]:
            sent.setdefault(lang, []).append(s["id"])
    assert all(sorted(ids_) == sorted(of) for ids_ in sent.values())  # each section once, in one part


def test_a_part_holds_the_plans_words_whole_and_marks_the_quotes(atlas, reading):
    numbered = reader._numbered(atlas.library)
    part = json.loads(reading["payloads"][("zh", numbered["专栏2"])])
    box = next(s for s in part["sections"] if s["id"] == "专栏2")
    pieces = [p for b in box["blocks"] for p in b["p"]]
    words = "".join(p if isinstance(p, str) else p[0] for p in pieces)
    doc = atlas.library.texts["jiaodong-2021"]
    assert "".join(words.split()) == "".join(doc.own(doc.section("专栏2")).split())  # only spaces between lines go
    marked = {p[0]: p[1] for p in pieces if not isinstance(p, str)}
    assert part["marks"][marked["(1)烟台东方航天港工程"]]["ids"] == ["zl2-equipment-1"]
    assert sum(1 for m in marked.values() if part["marks"][m]["ids"]) == 26 and box["n"] == 26
    assert reading["index"]["zl2-equipment-1"] == [numbered["专栏2"], "专栏2", marked["(1)烟台东方航天港工程"]]


def test_every_place_has_its_quote_in_the_text(atlas, reading):
    assert set(reading["index"]) == set(atlas.by_id.index)
    for fid, (part, sid, mark) in reading["index"].items():
        data = json.loads(reading["payloads"][("zh", part)])
        assert fid in data["marks"][mark]["ids"] and sid in {s["id"] for s in data["sections"]}
        own = atlas.by_id.loc[fid, "plan"]
        assert atlas.library.sections[sid].plan == own  # its own reference first


def test_the_route_answers_only_what_it_has(app, reading):
    client = app.server.test_client()
    version = reading["version"]
    ok = client.get(f"/plan-text/{version}/en/0.json")
    assert ok.status_code == 200 and ok.mimetype == "application/json" and "immutable" in ok.headers["Cache-Control"]
    assert json.loads(ok.data)["sections"][0]["id"] == "通知"
    for bad in (f"{version}/fr/0.json", f"{version}/zh/999.json", "0000/zh/0.json"):
        assert client.get(f"/plan-text/{bad}").status_code == 404


def test_the_search_finds_the_words_in_both_plans_and_says_when_it_finds_none(atlas):
    found = reader.hits(atlas, "核电", "zh")
    sections = [b.to_plotly_json()["props"]["data-sid"] for b in found[1:]]
    assert "第十章第二节" in sections and "任务18" in sections
    assert found[0].children == f"找到 {len(sections)} 处"
    assert reader.hits(atlas, "不存在的词语", "en")[0].children == "Not in the text"
    assert reader.hits(atlas, "   ", "zh") == []
    many = reader.hits(atlas, "的", "zh")
    assert len(many) == reader.MAX_HITS + 1 and many[0].children == f"前 {reader.MAX_HITS} 处(更多未列出)"


@pytest.mark.parametrize("value", [None, 3, ["核电"], {"a": 1}, "<script>", "x" * 5000])
def test_the_search_callback_takes_anything_and_answers_plainly(app, value):
    resp = call(app, ids.READ_HITS, {f"{ids.READ_SEARCH}.value": value}, f"{ids.READ_SEARCH}.value")
    assert resp.status_code in (200, 204)
