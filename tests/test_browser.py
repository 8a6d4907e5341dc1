"""The page as a person sees it, in Debian's Chromium, with nothing from elsewhere."""

from pathlib import Path

import pytest

from dashboard import figures
from layers import indicators as ind
from tests.browser import (
    CITIES,
    blend,
    browser_page,
    city_colours,
    colours_close,
    lonlat_to_pixel,
    set_layers,
    wait_for_map,
)

SHOTS = Path(__file__).parent / "screenshots"


def _expected(store, indicator, view):
    values = ind.city_view(store.indicators, indicator, view, CITIES)
    breaks = ind.shared_breaks(store.indicators, indicator, view, CITIES)
    colours = figures.class_colors(breaks, view)
    return {
        cv.adcode: blend(colours[ind.class_of(cv.value, breaks)] if cv.value is not None else figures.NO_DATA)
        for cv in values
    }


@pytest.fixture(scope="module")
def page(server_url):
    SHOTS.mkdir(exist_ok=True)
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        set_layers(page, set())  # the choropleth alone: its colours are what these tests read
        yield page


def test_page_loads_offline_and_draws_the_map(page, store):
    assert page.foreign == [], f"requests to other hosts: {page.foreign}"
    assert page.refused == [], f"blocked by the page's security policy: {page.refused}"
    assert page.console_errors == []
    assert any(u.endswith("/geo/counties.geojson") for u in page.requests)
    # Nothing the map does not draw: no glyph ranges (labels use the page's fonts), no Leaflet.
    assert [u for u in page.requests if "/glyphs/" in u or "/vendor/" in u] == []
    # One plotly.js, the page's own partial bundle: dcc.Graph did not load the full one.
    assert [u for u in page.requests if "plotly" in u] == [u for u in page.requests if "plotly-atlas.min.js" in u] != []
    placed = page.evaluate("""() => {
      const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
      return m.queryRenderedFeatures().filter(f => f.layer.type === 'symbol').length;
    }""")
    assert placed >= len(CITIES), placed  # the city names, at least
    page.screenshot(path=SHOTS / "01-gdp-baseline.png")
    seen = city_colours(page, store)
    expected = _expected(store, "gdp", "baseline")
    for code in CITIES:
        assert colours_close(seen[code], expected[code]), (code, seen[code], expected[code])
    # Not blank: the five cities show at least three different colours.
    assert len({seen[c] for c in CITIES}) >= 3


def test_every_bar_label_stands_clear_of_the_chart_legend(page):
    """The value above the tallest bar (Qingdao's GDP) stood above the plot, under the legend."""
    page.wait_for_function("() => document.querySelectorAll('#bar text.bartext').length > 0", polling=50)
    boxes = page.evaluate("""() => {
      const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.height]; };
      return {legend: box(document.querySelector('#bar g.legend')),
              labels: [...document.querySelectorAll('#bar text.bartext')].filter(t => t.textContent).map(box)};
    }""")
    legend_bottom = boxes["legend"][1]
    assert len(boxes["labels"]) >= 8  # (2020 and 2025 values of the five cities, some missing)
    assert all(h > 0 and top >= legend_bottom for top, _, h in boxes["labels"]), boxes


def _recoloured(page, count: int) -> None:
    """Wait until the map has applied `count` colour updates (#map-sync counts them), then drawn them."""
    page.wait_for_function("n => Number(document.querySelector('#map-sync').title || 0) >= n", arg=count)
    wait_for_map(page)


def _applied(page) -> int:
    return int(page.get_attribute("#map-sync", "title") or 0)


def test_switching_indicator_changes_the_colours(page, store):
    before, applied, asked = city_colours(page, store), _applied(page), len(page.requests)
    page.click("#indicator")
    page.get_by_role("option", name="城区人口(万人)").click()
    page.keyboard.press("Escape")
    _recoloured(page, applied + 1)
    page.locator("#view").get_by_text("2025年目标", exact=True).click()
    _recoloured(page, applied + 2)
    assert "城区人口" in page.inner_text("#map-title")
    # the page held what the switches show: no request to the server
    assert [u for u in page.requests[asked:] if "_dash-update-component" in u] == []
    page.screenshot(path=SHOTS / "02-urban-population-target.png")
    seen = city_colours(page, store)
    expected = _expected(store, "urban_district_population", "target")
    for code in CITIES:
        assert colours_close(seen[code], expected[code]), (code, seen[code], expected[code])
    assert seen != before
    assert seen["371000"] == seen["371100"]  # both targets are "> 100万"
    assert "> 600" in page.inner_text("#bar")


def test_view_without_data_is_grey_not_zero(page, store):
    applied = _applied(page)
    page.locator("#view").get_by_text("目标较基数变化", exact=True).click()
    _recoloured(page, applied + 1)
    assert "变化" in page.inner_text("#map-title")
    seen = city_colours(page, store)
    assert all(colours_close(seen[c], blend(figures.NO_DATA)) for c in CITIES)
    assert "无数据" in page.inner_text("#legend")


def test_the_colours_follow_the_figure_whoever_draws_it(page, store):
    """A switch recolours the cities through MapLibre's feature state; plotly.js, drawing
    the trace itself from the figure, must not be overridden by an older state."""
    before, applied = city_colours(page, store), _applied(page)
    saved = page.evaluate("""() => {
      const t = document.querySelector('#map .js-plotly-plot').data[0];
      return {z: [t.z], zmin: t.zmin, zmax: t.zmax, colorscale: [t.colorscale]};
    }""")
    page.locator("#view").get_by_text("2025年目标", exact=True).click()
    _recoloured(page, applied + 1)
    switched = city_colours(page, store)
    assert switched != before
    page.evaluate(  # the figure as it was, drawn by plotly.js's own restyle
        "s => Plotly.restyle(document.querySelector('#map .js-plotly-plot'), s, [0])", saved
    )
    wait_for_map(page)
    assert city_colours(page, store) == before


def test_clicking_a_city_opens_its_plan_positioning(page, store):
    qd = store.cities.set_index("adcode").loc["370200"]
    x, y = lonlat_to_pixel(page, qd.label_lon, qd.label_lat)
    page.mouse.click(x, y + 28)
    page.wait_for_selector("#city-panel h3")
    panel = page.inner_text("#city-panel")
    page.screenshot(path=SHOTS / "03-qingdao-panel.png")
    assert "青岛市" in panel and "全球海洋中心城市" in panel and "专栏1" in panel
    # Target cards: the 城区人口 target "> 600" has no 2025 result yet, and says so.
    assert "> 600" in panel and "目标或实际无数据" in panel and "已达到目标" not in panel
    widths = page.evaluate("() => document.querySelector('#map .js-plotly-plot').data[0].marker.line.width")
    assert widths[0] > widths[1]  # Qingdao's outline drawn heavier
    assert page.foreign == []
