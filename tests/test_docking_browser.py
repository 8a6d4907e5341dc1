"""The second plan in the atlas, as a planner uses it: the plan selector, the
links to the partner regions, the task filters, a city's view and a place both
plans name."""

import json
from pathlib import Path

from dashboard import figures, ids
from dashboard.page import Page
from dashboard.view import View
from layers import docking
from tests.browser import browser_page, open_table, wait_for_map, wait_for_places
from tests.dash_calls import call

SHOTS = Path(__file__).parent / "screenshots"


def _flow_segments(page) -> int:
    return page.evaluate(
        """(i) => {
      const t = document.querySelector('#map .js-plotly-plot').data[i];
      return t.visible === false ? 0 : (t.lon || []).filter(v => v !== null).length / 2;
    }""",
        figures.FLOWS,
    )


def test_the_task_filters_choose_places_and_links_through_the_endpoint(app, store):
    values = {
        f"{ids.LAYERS}.value": ["corridors", "projects"],
        f"{ids.PLAN}.value": "docking",
        f"{ids.LEAD}.value": ["省交通运输厅", "forged"],
    }
    out = json.loads(call(app, ids.GRID, values, f"{ids.LEAD}.value").data)["response"]
    led = set(docking.flows_matching(store.flows, store.tasks, leads=["省交通运输厅"])["task"])
    # It leads tasks 11 (牵头) and 12 (按职责分工负责); in task 15 it only supports (配合).
    assert led == {11, 12}
    rows = out[ids.GRID]["rowData"]
    # Each row's references (its own, then the other plan's: "第十章第一节 / 任务11·(三)") name a task led.
    tasks = {f"任务{n}" for n in led}
    assert rows and all({ref.split("·")[0] for ref in r["plan_ref"].split(" / ")} & tasks for r in rows)
    flows = out[ids.FLOWS_DATA]["data"]
    shown = {int(part.split("任务")[1].split(" ")[0]) for h in flows["hovertext"] if h for part in h.split("<br>")[1:]}
    assert shown <= led and shown
    jiaodong = json.loads(call(app, ids.GRID, {**values, f"{ids.PLAN}.value": "jiaodong"}, f"{ids.PLAN}.value").data)[
        "response"
    ]
    assert jiaodong[ids.FLOWS_DATA]["data"] == {"visible": False}  # no links without the docking plan


def test_choosing_the_plan_and_a_city_in_the_browser(server_url, store):
    page_data = Page.make(store)
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_places(page)
        assert _flow_segments(page) == 0
        assert page.locator(f"#{ids.SUBTITLE}-docking").is_hidden()  # the header names the plan shown
        page.locator(f"#{ids.PLAN}").get_by_text("两者", exact=True).click()
        page.locator(f"#{ids.SUBTITLE}-docking").wait_for(state="visible")
        assert page.locator(f"#{ids.SUBTITLE}-jiaodong").is_visible()
        expected = len(page_data.links(View(plan="both")))
        page.wait_for_function(
            "([i, n]) => { const t = document.querySelector('#map .js-plotly-plot').data[i];"
            " return t.visible !== false && t.lon.filter(v => v === null).length === n; }",
            arg=[figures.FLOWS, expected],
            timeout=20000,
        )
        wait_for_map(page)
        zoom = page.evaluate(
            "() => document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map.getZoom()"
        )
        assert zoom < 6  # moved out to show the partner regions
        page.screenshot(path=SHOTS / "16-docking-plan.png")
        # One city: its links only, and the tasks that name it.
        page.goto(f"{server_url}/?plan=both&city=370800&layers=corridors,projects")
        wait_for_places(page)
        page.wait_for_function(
            "() => ((document.querySelector('#city-view') || {}).textContent || '').includes('济宁市')"
        )
        view = page.locator("#city-view").text_content()
        for n in docking.tasks_naming(store.tasks, "370800")["number"]:
            assert f"任务{n}" in view
        assert "任务2" not in view  # task 2 names no city
        links = page_data.links(View(plan="both", city=("370800",)))
        page.wait_for_function(
            "([i, n]) => { const t = document.querySelector('#map .js-plotly-plot').data[i];"
            " return t.visible !== false && t.lon.filter(v => v === null).length === n; }",
            arg=[figures.FLOWS, len(links)],
            timeout=20000,
        )
        assert set(links["partner"]) <= {"310000", "320000", "330000", "340000", "110000", "120000", "130000"}
        open_table(page)
        assert "济宁礼飨" in page.locator(f"#{ids.GRID}").text_content()
        page.screenshot(path=SHOTS / "17-city-view.png")
        # A place both plans name: shown once, with both references.
        page.goto(f"{server_url}/?plan=both&sel=nuclear-haiyang&layers=projects")
        page.wait_for_function(
            "() => ((document.querySelector('#city-panel') || {}).textContent || '').includes('另见')"
        )
        panel = page.locator("#city-panel").text_content()
        assert "第十章" in panel and "任务18" in panel
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
