"""The view in the URL: parsed without trust, written back, restored in the browser."""

import pytest

from dashboard.view import View
from tests.browser import browser_page, wait_for_places

ALLOWED = {
    "indicators": ("gdp", "urban_district_population"),
    "categories": ("rail", "nuclear"),
    "cities": ("370200", "370600"),
    "chapters": (3, 10),
    "features": ("nuclear-haiyang",),
}


def test_a_good_query_is_kept_whole():
    view, dropped = View.parse(
        "?indicator=gdp&view=target&scheme=quantiles&layers=ports,zones&city=370600"
        "&chapter=10&q=核电&sel=nuclear-haiyang&lon=121.4&lat=36.7&z=9",
        ALLOWED,
    )
    assert dropped == []
    assert view.layers == ("ports", "zones") and view.chapter == (10,)
    assert view.focus == {"center": {"lon": 121.4, "lat": 36.7}, "zoom": 9.0}
    assert View.parse(view.query(), ALLOWED)[0] == view


@pytest.mark.parametrize(
    "query,dropped",
    [
        ("?layers=ports,secret", "layers=secret"),
        ("?indicator=<script>alert(1)</script>", "indicator=<script>alert(1)</script>"),
        ("?view=forecast", "view=forecast"),
        ("?lon=200&lat=36&z=8", "lon=200"),
        ("?lon=abc&lat=36&z=8", "lon=abc"),
        ("?z=nan&lon=120&lat=36", "z=nan"),
        ("?lon=120", "lon/lat/z"),
        ("?debug=1", "debug"),
        ("?sel=no-such-place", "sel=no-such-place"),
        ("?chapter=4x", "chapter=4x"),
    ],
)
def test_bad_parts_are_dropped_with_a_word_and_the_rest_kept(query, dropped):
    view, ignored = View.parse(query + "&scheme=quantiles", ALLOWED)
    assert any(d.startswith(dropped) for d in ignored), ignored
    assert view.scheme == "quantiles"


def test_a_shared_link_restores_the_view_and_a_bad_one_says_what_it_ignored(server_url, store):
    from layers import features as lf

    expected = int(lf.matches(store.features, lf.Criteria(layers=("zones", "ports"), text="港")).sum())
    link = (
        f"{server_url}/?indicator=urban_district_population&view=target&layers=zones,ports"
        "&q=港&lon=120.4&lat=36.2&z=8.5&oops=1"
    )
    with browser_page(server_url) as page:
        page.goto(link)
        wait_for_places(page)
        page.wait_for_function("() => document.querySelector('#map-title').textContent.includes('城区人口')")
        assert "2025年目标" in page.inner_text("#map-title")
        assert page.locator("#layers input[value='zones']").is_checked()
        assert not page.locator("#layers input[value='projects']").is_checked()
        assert page.input_value("#search") == "港"
        page.wait_for_function(
            "n => document.querySelector('#feature-count').innerText.startsWith('显示 ' + n + ' ')", arg=expected
        )
        page.wait_for_function("""() => Math.abs(document.querySelector('#map .js-plotly-plot')
            .layout.map.zoom - 8.5) < 0.01""")
        assert "oops" in page.inner_text("#url-notice")
        # The URL now says what the page shows, without the part it ignored.
        page.wait_for_function("() => !location.search.includes('oops')")
        search = page.evaluate("() => decodeURIComponent(location.search)")
        assert "indicator=urban_district_population" in search and "layers=zones,ports" in search
        page.locator("#view").get_by_text("2020年基数", exact=True).click()
        page.wait_for_function("() => !location.search.includes('view=')")  # back to the default
        page.screenshot(path=__import__("pathlib").Path(__file__).parent / "screenshots" / "11-shared-link.png")
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
