"""The plan's places in Chromium: markers, table and map in step, search, selection."""

from pathlib import Path

import pytest

from dashboard import feature_layers as fl
from dashboard.feature_layers import BADGES, INDEX
from dashboard.page import Page
from dashboard.view import View
from layers import features as lf
from tests.browser import (
    GRID_API_JS,
    browser_page,
    feature_trace,
    lonlat_to_pixel,
    open_table,
    set_layers,
    wait_for_map,
    wait_for_places,
)

SHOTS = Path(__file__).parent / "screenshots"
POINT_TRACES = ("ports", "bays", "projects", "ecology-points")


# Whether the first map was whole (its places drawn, every tile in) when AG Grid's bundle ran:
# the bundle makes its webpack chunk list as it runs.
BUNDLE_RAN_JS = """() => { let chunks;
  Object.defineProperty(window, 'webpackChunkdash_ag_grid', {configurable: true, get: () => chunks, set: (v) => {
    const gd = document.querySelector('#map .js-plotly-plot');
    const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
    window.gridBundleRan = {mapWhole: !!(m && m.loaded() && !m.isMoving()),
      placed: !!(document.getElementById('feature-sync') || {}).title, table: !!document.querySelector('.ag-root')};
    chunks = v; } }); }"""


@pytest.fixture(scope="module")
def page(server_url):
    SHOTS.mkdir(exist_ok=True)
    with browser_page(server_url) as page:
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.add_init_script(f"({BUNDLE_RAN_JS})()")
        page.goto(server_url)
        wait_for_places(page)
        yield page


def _grid_ids(page):
    return set(
        page.evaluate("""() => {
      const api = dash_ag_grid.getApi('feature-grid'); const out = [];
      api.forEachNodeAfterFilter(n => out.push(n.data.id)); return out; }""")
    )


def _map_ids(page, store, keys=POINT_TRACES):
    seen = set()
    for key in keys:
        t = feature_trace(page, key)
        if t["visible"]:
            seen |= {i for i in t["ids"] if i}
    return seen


def _placed(store, ids):
    """The ids drawn as places: neither unplaced nor known only by their city (a badge)."""
    f = store.features.set_index("id")
    return {i for i in ids if f.loc[i, "precision"] not in ("unplaced", "city")}


def _badges(page) -> dict:
    """What the cities' badges show: city -> the ids each counts, and its count."""
    return page.evaluate(
        """(i) => { const t = document.querySelector('#map .js-plotly-plot').data[i];
      if (t.visible === false) { return {}; }
      const out = {}; t.customdata.forEach((cd, k) => { out[cd[0]] = {ids: cd.slice(1), n: t.text[k]}; });
      return out; }""",
        BADGES,
    )


def _by_city(store, ids) -> dict:
    """The table's ids known only by their city, by city, in the badges' form."""
    f = store.features.set_index("id")
    out = {}
    for i in sorted(ids, key=list(f.index).index):
        if f.loc[i, "precision"] == "city" and f.loc[i].geometry.geom_type == "Point":
            out.setdefault(f.loc[i, "city_adcodes"].split(";")[0], []).append(i)
    return {c: {"ids": v, "n": str(len(v))} for c, v in out.items()}


def _clear_filters(page) -> None:
    """Clicks 清除筛选 and waits until the server's answer is applied: an answer that lands
    later sets the filters back to the plain view's, undoing what the test sets next
    (a layer's toggle clicked off came back on, 2 runs in 8)."""
    with page.expect_response(
        lambda r: "_dash-update-component" in r.url and '"clear-filters"' in (r.request.post_data or "")
    ) as answer:
        page.click("#clear-filters")
    answer.value.finished()
    page.wait_for_function(
        """(want) => [...document.querySelectorAll('#layers input')].filter(i => i.checked)
            .map(i => i.value).sort().join() === want""",
        arg=",".join(sorted(View().layers)),
    )


def test_default_layers_are_drawn_and_match_the_table(page, store):
    page.screenshot(path=SHOTS / "04-plan-layers.png")
    # The table's drawer starts closed and no table is built; the map shows its rows all the same.
    assert page.locator(".ag-root").count() == 0
    drawn = _map_ids(page, store)
    # The places the page was built with are the table's: the browser redrew none of them.
    assert page.evaluate("() => window.atlas.featureRedraws()") == 0
    # AG Grid's bundle ran only once the first map was whole, with no table open (assets/grid.js).
    page.wait_for_function("() => !!window.gridBundleRan", timeout=10000)
    assert page.evaluate("() => window.gridBundleRan") == {"mapWhole": True, "placed": True, "table": False}
    open_table(page)
    grid = _grid_ids(page)
    assert len(grid) > 150
    assert _map_ids(page, store) == drawn == _placed(store, grid)
    assert _badges(page) == _by_city(store, grid)
    # The open table's rows are the ones drawn: opening it redrew nothing.
    assert page.evaluate("() => window.atlas.featureRedraws()") == 0
    # The bundle ran once, and new rows from Dash update the grid it made, not a new one.
    assert page.evaluate("() => document.querySelectorAll('script[src*=dash_ag_grid]').length") == 1
    page.evaluate("() => { document.querySelector('.bottom-panel .ag-root').dataset.first = 'yes'; }")
    page.fill("#search", "核电")
    page.press("#search", "Enter")
    page.wait_for_function("() => document.querySelector('#feature-count').innerText.startsWith('显示 3')")
    page.wait_for_function(f"() => ({GRID_API_JS})('feature-grid').getDisplayedRowCount() === 3")
    assert page.evaluate("() => document.querySelector('.bottom-panel .ag-root').dataset.first") == "yes"
    page.fill("#search", "")
    page.press("#search", "Enter")
    page.wait_for_function(f"() => ({GRID_API_JS})('feature-grid').getDisplayedRowCount() === {len(grid)}")
    assert not feature_trace(page, "zones")["visible"]
    assert page.foreign == [] and page.errors == [] and page.refused == [] and page.console_errors == []


def test_search_filters_both_and_moves_the_map(page, store):
    page.fill("#search", "核电")
    page.press("#search", "Enter")
    page.wait_for_function("() => document.querySelector('#feature-count').innerText.startsWith('显示 3')")
    page.wait_for_function("() => document.querySelector('#focus-sync').title !== ''")
    wait_for_map(page)
    grid = _grid_ids(page)
    assert grid == {"nuclear-haiyang", "nuclear-rongcheng", "nuclear-rd-yantai"}
    page.wait_for_function(
        """(n) => {
        const t = document.querySelector('#map .js-plotly-plot').data[n];
        return t.visible !== false && t.customdata.length === 2; }""",
        arg=INDEX["projects"],
    )
    # The Yantai research centre is known only by its city: counted on Yantai's disc.
    assert _map_ids(page, store) == _placed(store, grid) == grid - {"nuclear-rd-yantai"}
    assert _settled(page, store) == grid and _badges(page) == {"370600": {"ids": ["nuclear-rd-yantai"], "n": "1"}}
    centre = page.evaluate("() => document.querySelector('#map .js-plotly-plot').layout.map.center")
    assert 121 < centre["lon"] < 123
    page.screenshot(path=SHOTS / "05-search-nuclear.png")


def test_clicking_a_marker_opens_the_panel_and_selects_the_row(page, store):
    haiyang = store.features.set_index("id").loc["nuclear-haiyang"].geometry
    x, y = lonlat_to_pixel(page, haiyang.x, haiyang.y)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => document.querySelector('#city-panel h3') && "
        "document.querySelector('#city-panel h3').innerText === '海阳核电基地'"
    )
    panel = page.inner_text("#city-panel")
    assert "稳步有序推进海阳、荣成等沿海核电基地建设" in panel and "第十章第二节" in panel
    assert "精确位置" in panel and "reactormap.com" in panel
    page.wait_for_selector(".ag-row-selected")
    assert "海阳核电基地" in page.inner_text(".ag-row-selected")
    page.wait_for_function(
        "(n) => document.querySelector('#map .js-plotly-plot').data[n].visible !== false", arg=INDEX["highlight-point"]
    )
    hl = feature_trace(page, "highlight-point")
    assert abs(hl["lon"][0] - haiyang.x) < 1e-4 and abs(hl["lat"][0] - haiyang.y) < 1e-4
    page.screenshot(path=SHOTS / "06-feature-panel.png")


def test_a_table_filter_filters_the_map(page, store):
    _clear_filters(page)
    page.wait_for_function("() => !document.querySelector('#feature-count').innerText.startsWith('显示 3')")
    before = page.evaluate("() => document.querySelector('#feature-sync').title")
    page.evaluate("""() => dash_ag_grid.getApi('feature-grid').setFilterModel(
        {category: {filterType: 'text', type: 'contains', filter: '机场'}})""")
    page.wait_for_function("(b) => document.querySelector('#feature-sync').title !== b", arg=before)
    page.wait_for_function(
        """(n) => {
        const t = document.querySelector('#map .js-plotly-plot').data[n];
        return t.visible !== false && t.customdata.length < 10; }""",
        arg=INDEX["projects"],
    )
    grid = _grid_ids(page)
    assert grid and all(i.startswith("airport-") for i in grid)
    assert _map_ids(page, store) == _placed(store, grid)
    page.evaluate("() => dash_ag_grid.getApi('feature-grid').setFilterModel(null)")


def test_zones_layer_toggles_on_with_its_polygons(page, store):
    set_layers(page, {"zones", "corridors"})
    zones = feature_trace(page, "zones")
    assert set(zones["ids"]) == set(store.features.loc[store.features["layer"] == "zones", "id"])
    assert feature_trace(page, "corridors-rail")["visible"]
    assert not feature_trace(page, "ports")["visible"]
    page.evaluate("() => window.atlas.focus({center: {lon: 120.3, lat: 36.55}, zoom: 6.5})")
    page.wait_for_timeout(300)
    wait_for_map(page)
    page.screenshot(path=SHOTS / "07-zones-and-corridors.png")
    assert page.errors == [] and page.foreign == [] and page.refused == [] and page.console_errors == []


def test_injected_markup_in_search_is_just_text(page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.fill("#search", "<img src=x onerror=alert(1)>")
    page.press("#search", "Enter")
    page.wait_for_function("() => document.querySelector('#feature-count').innerText.startsWith('显示 0')")
    assert dialogs == [] and page.errors == []


CLUSTERED_SOURCES = """() => { const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
  return Object.values(m.getStyle().sources).filter(s => s.cluster).length; }"""


def test_projects_stay_clustered_after_being_hidden_and_shown(page):
    page.fill("#search", "")
    page.press("#search", "Enter")
    set_layers(page, {"ports"})
    set_layers(page, {"ports", "projects"})
    page.wait_for_function(CLUSTERED_SOURCES, timeout=15000)  # a count: truthy once clustered
    assert page.evaluate(CLUSTERED_SOURCES) == 1


def _settled(page, store, timeout=20000):
    """Waits until the badges show what the table holds, and returns the table's ids."""
    page.wait_for_function(f"() => !!({GRID_API_JS})('feature-grid')")
    grid = _grid_ids(page)
    page.wait_for_function(
        """([i, want]) => { const t = document.querySelector('#map .js-plotly-plot').data[i];
          const got = {}; if (t.visible !== false) { t.customdata.forEach((cd, k) => {
            got[cd[0]] = {ids: cd.slice(1), n: t.text[k]}; }); }
          return JSON.stringify(got) === JSON.stringify(want); }""",
        arg=[BADGES, _by_city(store, grid)],
        timeout=timeout,
    )
    return grid


def test_places_known_only_by_city_are_counted_on_their_citys_badge(page, store):
    page.fill("#search", "")
    page.press("#search", "Enter")
    _clear_filters(page)
    set_layers(page, {"ports", "projects"})
    page.fill("#search", "港")  # a filter: the ports, and the projects named after one
    page.press("#search", "Enter")
    # The count the search gives (the count before it may still be on its way from the layers' clicks).
    atlas = Page.make(store)
    want = len(atlas.rows(atlas.criteria(View(layers=("ports", "projects"), q="港")), "zh"))
    page.wait_for_function(
        "(n) => document.querySelector('#feature-count').innerText.startsWith('显示 ' + n + ' /')", arg=want
    )
    grid = _settled(page, store)
    badges = _badges(page)
    assert badges and sum(int(b["n"]) for b in badges.values()) < 40
    # No place known only by its city is drawn as a point; the others are, as before.
    points = _map_ids(page, store)
    assert points == _placed(store, grid)
    assert not {i for b in badges.values() for i in b["ids"]} & points
    wait_for_map(page)
    page.screenshot(path=SHOTS / "08-city-badges.png")
    assert page.errors == [] and page.console_errors == []


def test_clicking_a_badge_lists_its_places(page, store):
    badges = _badges(page)
    code = "370700" if "370700" in badges else sorted(badges)[0]
    lon, lat = page.evaluate(
        """([i, code]) => { const t = document.querySelector('#map .js-plotly-plot').data[i];
          const k = t.customdata.findIndex(cd => cd[0] === code); return [t.lon[k], t.lat[k]]; }""",
        [BADGES, code],
    )
    page.evaluate("([lon, lat]) => window.atlas.focus({center: {lon: lon, lat: lat}, zoom: 8})", [lon, lat])
    page.wait_for_function(
        "([lon, lat]) => { const c = document.querySelector('#map .js-plotly-plot').layout.map.center;"
        " return Math.abs(c.lon - lon) < 1e-3 && Math.abs(c.lat - lat) < 1e-3; }",
        arg=[lon, lat],
    )
    wait_for_map(page)
    x, y = lonlat_to_pixel(page, lon, lat)
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext")
    assert "点击在表格中列出" in page.text_content(".hoverlayer")
    page.mouse.click(x, y)
    # The city and precision filters are set to the badge's, and the table lists its places.
    page.wait_for_function(
        "(n) => document.querySelector('#feature-count').innerText.startsWith('显示 ' + n + ' /')",
        arg=len(badges[code]["ids"]),
    )
    page.wait_for_selector("#tables-features.tab--selected")
    page.locator(".bottom-panel .ag-row").first.wait_for()
    grid = _settled(page, store)
    assert sorted(grid) == sorted(badges[code]["ids"])
    assert _badges(page) == {code: badges[code]}
    page.screenshot(path=SHOTS / "09-badge-listed.png")
    page.fill("#search", "")
    page.press("#search", "Enter")
    _clear_filters(page)
    assert page.errors == [] and page.console_errors == []


def test_the_browser_gives_a_badge_the_servers_arrays(page, store):
    anchors = lf.city_points(store, store.features)
    for lang in ("zh", "en"):
        data = fl.trace_data(
            store.features, lf.display_points(store.features), lf.names_for(store, lang), lang, anchors
        )
        order = data[-1]["order"]
        for ids in (order, order[::3], order[5:9], [], [i for i in order if "port" in i]):
            got = page.evaluate("([d, i, ids]) => window.atlas.arraysFor(d, i, ids)", [data, BADGES, ids])
            assert got == fl.badge_arrays(data[-1], ids)
