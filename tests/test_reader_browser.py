"""The plan reader in Chromium: the words linked to their places both ways, and a
section's link reopened in a fresh browser on the same section and the same map."""

from pathlib import Path

import pytest

from dashboard import ids
from dashboard.feature_layers import INDEX
from dashboard.page import Page
from dashboard.view import View
from tests.browser import browser_page, lonlat_to_pixel, wait_for_map, wait_for_places

SHOTS = Path(__file__).parent / "screenshots"
POINT_TRACES = ("ports", "bays", "projects", "ecology-points")
CENTRE = "() => document.querySelector('#map .js-plotly-plot').layout.map.center"
NEAR = """([lon, lat, zoom]) => { const m = document.querySelector('#map .js-plotly-plot').layout.map;
  return Math.abs(m.center.lon - lon) < 0.01 && Math.abs(m.center.lat - lat) < 0.01 && Math.abs(m.zoom - zoom) < 0.01; }"""


@pytest.fixture(scope="module")
def atlas(store):
    return Page.make(store)


def _open_reader(page):
    page.locator(".bottom-tabs").get_by_text("规划原文", exact=True).click()
    page.wait_for_selector(".reader-toc button[data-sid]")


def _plan_text_requests(page):
    return [u for u in page.requests if "/plan-text/" in u]


# The places the map's point traces show, sorted.
SHOWN_JS = """(traces) => { const gd = document.querySelector('#map .js-plotly-plot'); const out = new Set();
  traces.forEach(i => { const t = gd.data[i]; if (t.visible !== false) (t.customdata || []).forEach(v => v && out.add(v)); });
  return Array.from(out).sort(); }"""


def _wait_for_shown(page, placed):
    page.wait_for_function(
        f"([traces, want]) => JSON.stringify(({SHOWN_JS})(traces)) === JSON.stringify(want)",
        arg=[[INDEX[k] for k in POINT_TRACES], sorted(placed)],
    )


def _placed(atlas, view):
    """The rows a view lists, and those drawn as points (not unplaced, nor known only by city:
    those are counted on their city's disc)."""
    rows = atlas.rows(atlas.criteria(view), "zh")
    drawn = {r["id"] for r in rows if atlas.by_id.loc[r["id"], "precision"] not in ("unplaced", "city")}
    return {r["id"] for r in rows}, drawn


def test_a_click_on_a_box_item_selects_its_place_and_moves_the_map(server_url, atlas):
    fid = "zl2-equipment-1"  # 专栏2, 海洋高端装备 (1)烟台东方航天港工程
    focus = atlas.place_focus(fid)
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_places(page)
        before = page.evaluate(CENTRE)
        _open_reader(page)
        page.click(".reader-toc button[data-sid='专栏2']")
        page.wait_for_selector(".reader-text[data-shown='专栏2']")
        assert len(_plan_text_requests(page)) == 1  # the chapter, once
        page.locator(".reader-text mark.q-place", has_text="(1)烟台东方航天港工程").click()
        page.wait_for_function(
            "() => (document.querySelector('#city-panel h3') || {}).innerText === '烟台东方航天港工程'"
        )
        page.wait_for_function(NEAR, arg=[focus["center"]["lon"], focus["center"]["lat"], focus["zoom"]])
        assert abs(before["lon"] - focus["center"]["lon"]) > 0.5  # it moved
        wait_for_map(page)
        page.wait_for_function(
            "(fid) => new URLSearchParams(location.search).get('sel') === fid", arg=fid
        )  # selected as a click in the table selects it
        assert page.locator(".reader-text mark.current").inner_text() == "(1)烟台东方航天港工程"
        # Another section of the same chapter: no request.
        page.click(".reader-toc button[data-sid='第四章第一节']")
        page.wait_for_selector(".reader-text[data-shown='第四章第一节']")
        assert len(_plan_text_requests(page)) == 1
        # "Show this section": the map and table show its 26 items, and the address keeps it.
        page.click(".reader-toc button[data-sid='专栏2']")
        page.wait_for_selector(".reader-text[data-shown='专栏2']")
        page.click(".reader-show")
        view = View(read="专栏2")
        rows, placed = _placed(atlas, view)
        assert len(rows) == 26
        page.wait_for_function("() => new URLSearchParams(location.search).get('read') === '专栏2'")
        page.wait_for_function("(n) => document.querySelector('.reader-filter').innerText.includes(n)", arg="26")
        _wait_for_shown(page, placed)  # with the reader open, and no table drawn
        link = page.evaluate("() => location.href")
        page.screenshot(path=SHOTS / "30-reader-box.png")
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
    _reopened(server_url, link, "专栏2", rows, placed)


def _reopened(server_url, link, sid, rows, placed):
    """The link in a fresh browser: the reader open on the section, the map and table filtered."""
    with browser_page(server_url) as page:
        page.goto(link)
        wait_for_places(page)
        page.wait_for_selector(f".reader-text[data-shown='{sid}']")
        assert page.locator(".reader-toc button.current").get_attribute("data-sid") == sid
        page.wait_for_function("() => document.querySelector('.reader-filter').innerText !== ''")
        page.locator(".bottom-tabs").get_by_text("规划要素", exact=True).click()
        page.wait_for_function(
            "(n) => document.querySelector('#feature-count').innerText.startsWith('显示 ' + n + ' ')", arg=len(rows)
        )
        _wait_for_shown(page, placed)
        assert page.foreign == [] and page.refused == [] and page.console_errors == []


def test_a_click_on_a_place_shows_its_quote_in_the_reader(server_url, store):
    haiyang = store.features.set_index("id").loc["nuclear-haiyang"]
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_places(page)
        page.fill("#search", "核电")  # three places: one to click, none hiding it
        page.press("#search", "Enter")
        page.wait_for_function("() => document.querySelector('#feature-count').innerText.startsWith('显示 3')")
        page.wait_for_function("() => document.querySelector('#focus-sync').title !== ''")
        wait_for_map(page)
        _open_reader(page)
        wait_for_map(page)  # at the height the reader leaves it
        x, y = lonlat_to_pixel(page, haiyang.geometry.x, haiyang.geometry.y)
        page.mouse.click(x, y)
        page.wait_for_function(f"() => document.querySelector('#{ids.READ_SYNC}').title === 'nuclear-haiyang'")
        shown = page.locator(".reader-text mark.current")
        assert shown.first.inner_text() in haiyang.quote
        assert page.get_attribute(".reader-text", "data-shown") == "第十章第二节"
        box, article = shown.first.bounding_box(), page.locator(".reader-text").bounding_box()
        assert article["y"] <= box["y"] and box["y"] + box["height"] <= article["y"] + article["height"]  # in view
        # Words that several places quote: each click selects the next of them.
        quoting = page.evaluate(
            "() => { const m = document.querySelector('.reader-text mark.current');"
            " return document.querySelector('.reader-text').marks[Number(m.dataset.m)].ids; }"
        )
        assert "nuclear-haiyang" in quoting and len(quoting) > 1
        following = quoting[(quoting.index("nuclear-haiyang") + 1) % len(quoting)]
        shown.first.click()
        page.wait_for_function("(fid) => new URLSearchParams(location.search).get('sel') === fid", arg=following)
        # Selected in the table with the reader closed: the reader opens on its quote.
        fid = sorted({"nuclear-rongcheng", "nuclear-rd-yantai"} - {following})[0]
        place = store.features.set_index("id").loc[fid]
        page.locator(".bottom-tabs").get_by_text("规划要素", exact=True).click()
        page.locator(".ag-row", has_text=place.name_zh).click()
        page.wait_for_function("(fid) => new URLSearchParams(location.search).get('sel') === fid", arg=fid)
        _open_reader(page)
        page.wait_for_function(f"(fid) => document.querySelector('#{ids.READ_SYNC}').title === fid", arg=fid)
        assert page.locator(".reader-text mark.current").first.inner_text() in place.quote
        assert page.foreign == [] and page.refused == [] and page.console_errors == []


def test_a_docking_place_shows_its_task_in_the_reader(server_url, store):
    """The other plan, the other way: a place of the docking plan selected, its task's words marked."""
    place = store.features.set_index("id").loc["dk-airport-jinan"]
    with browser_page(server_url) as page:
        page.goto(f"{server_url}/?plan=docking&sel=dk-airport-jinan")
        wait_for_places(page)
        _open_reader(page)
        page.wait_for_function(f"() => document.querySelector('#{ids.READ_SYNC}').title === 'dk-airport-jinan'")
        assert page.get_attribute(".reader-text", "data-shown") == "任务11"
        assert page.locator(".reader-text mark.current").first.inner_text() in place.quote
        assert page.foreign == [] and page.refused == [] and page.console_errors == []


def test_a_docking_task_link_opens_on_its_task_and_places(server_url, atlas):
    view = View(read="任务8", plan="docking").but(read="任务8", plan="docking")
    rows, placed = _placed(atlas, view)
    assert len(rows) == 10
    _reopened(server_url, server_url + "/" + view.query(), "任务8", rows, placed)


def test_a_section_with_no_place_says_so_and_shows_its_words(server_url):
    with browser_page(server_url) as page:
        page.goto(server_url + "/" + View(read="第八章").but(read="第八章").query())
        wait_for_places(page)
        page.wait_for_selector(".reader-text[data-shown='第八章']")
        assert "没有地图上的地点" in page.inner_text(".reader-filter")
        section = page.inner_text(".reader-text section[data-sid='第八章']")
        assert "本节没有地图上的地点" in section and "共同服务构建新发展格局" in section
        assert "主动融入国内大循环" in page.inner_text(".reader-text")  # its sections' words too
