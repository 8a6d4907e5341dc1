"""`read=`: a section of a plan's text in the view, whose places alone the map and table show."""

import pytest

from dashboard.page import Page
from dashboard.view import View

ALLOWED = {"sections": ("第十章第二节", "专栏2", "任务7", "第八章")}


@pytest.fixture(scope="module")
def page(store):
    return Page.make(store)


@pytest.mark.parametrize("section", ALLOWED["sections"])
def test_a_section_is_read_and_written_back(section):
    view, dropped = View.parse(f"?read={section}&scheme=quantiles", ALLOWED)
    assert dropped == [] and view.read == section
    assert View.parse(view.query(), ALLOWED)[0] == view
    assert "read=" in view.query()


def test_the_address_spells_it_as_a_link_does():
    query = View(read="第十章第二节").but(read="第十章第二节").query()
    assert query == "?read=%E7%AC%AC%E5%8D%81%E7%AB%A0%E7%AC%AC%E4%BA%8C%E8%8A%82"


@pytest.mark.parametrize(
    "value",
    ["第十五章", "第十章第九节", "专栏9", "任务22", "<script>alert(1)</script>", "", "第十章第二节,专栏2", "x" * 400],
)
def test_an_unknown_section_is_dropped_with_a_word_and_the_rest_kept(value):
    view, dropped = View.parse(f"?read={value}&scheme=quantiles", ALLOWED)
    assert view.read is None and view.scheme == "quantiles"
    assert any(d.startswith("read=") for d in dropped), dropped


def test_the_default_is_no_section():
    assert View().read is None and "read" not in View().query()
    assert View(read="专栏2").but(read=None).query() == ""


def test_every_section_of_both_plans_is_a_known_value(page):
    view, dropped = page.parse("?read=第十章第二节")
    assert dropped == [] and view.read == "第十章第二节"
    assert page.parse("?read=任务7")[0].read == "任务7"
    assert page.parse("?read=第十章第九节")[1] == ["read=第十章第九节"]


def test_a_section_shows_exactly_its_places(page, store):
    f = store.features
    rows = page.rows(page.criteria(View(read="第十章第二节", layers=tuple(f["layer"].unique()))), "zh")
    named = set(f.loc[f["plan_ref"] == "第十章第二节", "id"])  # the places whose own reference names it
    also = {r.id for r in f.itertuples() if r.also.split("|")[1:2] == ["第十章第二节"]}
    assert {r["id"] for r in rows} == named | also and len(named) == 20


def test_a_chapter_shows_its_sections_and_boxes(page, store):
    every = tuple(store.features["layer"].unique())
    chapter = {r["id"] for r in page.rows(page.criteria(View(read="第四章", layers=every)), "zh")}
    box = {r["id"] for r in page.rows(page.criteria(View(read="专栏2", layers=every)), "zh")}
    assert len(box) == 26 and box < chapter  # the 26 items of 专栏2, and the chapter's other places


def test_a_section_with_no_place_shows_none(page):
    view = View(read="第八章")
    assert page.library.places["第八章"] == ()
    assert page.rows(page.criteria(view), "zh") == []
