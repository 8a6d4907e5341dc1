"""Two maps side by side: the same indicator in two years, one classification,
one pan and zoom."""

from pathlib import Path

from tests.browser import browser_page, wait_for_places

SHOTS = Path(__file__).parent / "screenshots"
VIEW_OF = """(id) => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  const m = gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
  return m ? [m.getCenter().lng, m.getCenter().lat, m.getZoom()] : null;
}"""


def _same_view(page) -> bool:
    a, b = page.evaluate(VIEW_OF, "map"), page.evaluate(VIEW_OF, "compare-box")  # (the second map's box)
    return bool(a and b) and all(abs(x - y) < 1e-3 for x, y in zip(a, b))


def test_the_second_map_shares_classes_and_moves_with_the_first(server_url):
    with browser_page(server_url) as page:
        page.goto(f"{server_url}/?indicator=gdp&view=baseline&vs=actual&layers=")
        wait_for_places(page)
        page.wait_for_function(
            "() => !!document.querySelector('#compare-box .js-plotly-plot')"
            " && document.querySelector('#compare-box').title !== ''",
            timeout=30000,
        )
        titles = page.eval_on_selector_all(".map-title", "(els) => els.map(e => e.textContent)")
        assert titles[:1] == ["2020年基数 · 地区生产总值"] and "2025年实际 · 地区生产总值" in titles
        scales = page.evaluate("""() => ['map', 'compare-box'].map(id =>
            JSON.stringify(document.querySelector('#' + id + ' .js-plotly-plot').data[0].colorscale))""")
        assert scales[0] == scales[1]  # one classification for both years
        assert _same_view(page)
        # Moving either map moves the other.
        page.evaluate("() => window.atlas.focus({center: {lon: 121.2, lat: 37.2}, zoom: 8})")
        page.wait_for_function(f"() => ({VIEW_OF})('compare-box')[2] > 7.9", timeout=10000)
        assert _same_view(page)
        before = page.evaluate(VIEW_OF, "map")
        box = page.locator("#compare-box .map").bounding_box()  # drag the second map, as a hand would
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 120, y + 60, steps=8)
        page.mouse.up()
        page.wait_for_function(f"(b) => Math.abs(({VIEW_OF})('map')[0] - b) > 0.05", arg=before[0], timeout=10000)
        page.wait_for_timeout(500)
        assert _same_view(page)
        # The first map, moved by the second, is where the address bar says.
        lon = page.evaluate(VIEW_OF, "map")[0]
        page.wait_for_function(
            "(x) => Math.abs(parseFloat(new URLSearchParams(location.search).get('lon')) - x) < 1e-3",
            arg=lon,
            timeout=10000,
        )
        page.screenshot(path=SHOTS / "18-compare.png")
        # A second map for another year replaces the first one made.
        page.locator("#compare-view").click()
        page.get_by_role("dialog").get_by_role("option", name="2025年目标").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.map-title')]"
            ".some(e => e.textContent === '2025年目标 · 地区生产总值')"
        )
        page.wait_for_function("() => location.search.includes('vs=target')")
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
