"""Map first, at the screen sizes planners use: the map takes most of the window, its
legend and layers are in view without scrolling, and the first view frames what the plan
covers; a shared link reads on a phone."""

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from dashboard import figures, ids, later, panels
from dashboard.page import all_figures
from tests.browser import (
    CITIES,
    blend,
    browser_page,
    city_colours,
    colours_close,
    let_the_map_go,
    lonlat_to_pixel,
    open_with_the_map_held,
    wait_for_parts,
    wait_for_places,
)

SHOTS = Path(__file__).parent / "screenshots"

# Where each lon/lat falls on the map's canvas, with the canvas's size, the legend's right
# edge over it, and the map's share of the window.
PLACED = """(points) => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const box = m.getCanvas().getBoundingClientRect();
  const legend = document.querySelector('.legend-block').getBoundingClientRect();
  return {
    points: points.map(p => { const q = m.project(p); return [q.x, q.y]; }),
    width: box.width, height: box.height, legendRight: legend.right - box.left,
    share: box.width * box.height / (innerWidth * innerHeight),
  };
}"""


def _corners(bounds) -> list:
    west, south, east, north = (float(v) for v in bounds)
    return [[west, south], [west, north], [east, south], [east, north]]


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(s) => { const r = document.querySelector(s).getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
          && r.bottom <= innerHeight && r.right <= innerWidth; }""",
        selector,
    )


@pytest.mark.parametrize("size", [(1366, 768), (1600, 900), (1920, 1080)])
def test_the_map_comes_first_and_frames_the_five_cities(server_url, store, size):
    SHOTS.mkdir(exist_ok=True)
    with browser_page(server_url, *size) as page:
        page.goto(server_url)
        wait_for_places(page)
        got = page.evaluate(PLACED, _corners(store.cities.total_bounds))
        assert got["share"] >= 0.6
        # The five cities whole, beside the legend that lies over the map's left side.
        for x, y in got["points"]:
            assert got["legendRight"] < x < got["width"] and 0 < y < got["height"]
        # The legend and the layer list, on screen without scrolling.
        assert page.evaluate("() => document.scrollingElement.scrollTop") == 0
        assert _in_view(page, "#legend") and _in_view(page, "#layers")
        assert page.foreign == [] and page.console_errors == []
        # The choropleth drawn under the places, not left the sea's colour: a change to how the map
        # draws can leave the page's first map blank while maps restyled later draw.
        seen = city_colours(page, store)
        assert not [c for c in CITIES if colours_close(seen[c], blend(figures.SEA, 1.0))], seen
        assert len({seen[c] for c in CITIES}) >= 3, seen
        page.screenshot(path=SHOTS / f"20-map-first-{size[0]}x{size[1]}.png")


def test_the_docking_plan_opens_on_beijing_to_shanghai(server_url, store):
    context = store.context.set_index("code")
    with browser_page(server_url, 1366, 768) as page:
        page.goto(f"{server_url}/?plan=docking")
        wait_for_places(page)
        corners = _corners(context.loc["110000"].geometry.bounds) + _corners(context.loc["310000"].geometry.bounds)
        got = page.evaluate(PLACED, corners)
        for x, y in got["points"]:
            assert got["legendRight"] < x < got["width"] and 0 < y < got["height"]


def test_a_shared_link_reads_on_a_phone(server_url):
    link = f"{server_url}/?indicator=resident_population&view=target&lon=120.4&lat=36.4&z=6.6"
    with browser_page(server_url, 390, 844) as page:
        page.goto(link)
        wait_for_places(page)
        assert page.locator("#map-title").text_content() == "2025年目标 · 常住人口"
        centre = page.evaluate("() => document.querySelector('#map .js-plotly-plot')._fullLayout.map.center")
        assert abs(centre["lon"] - 120.4) < 0.01 and abs(centre["lat"] - 36.4) < 0.01
        # The map first, the legend's classes on it; its layers unfold on a tap.
        assert page.evaluate(PLACED, [])["share"] >= 0.5
        assert _in_view(page, "#legend") and not page.locator("#layers").is_visible()
        page.locator(".legend-block").click()
        assert page.locator("#layers").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.screenshot(path=SHOTS / "21-phone-link.png")


SWIPE_JS = """(dx) => {
  const el = document.querySelector('#slide-caption');
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const touch = (cx) => new Touch({identifier: 1, target: el, clientX: cx, clientY: y});
  el.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(x)], changedTouches: [touch(x)], bubbles: true}));
  el.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(x + dx)], bubbles: true}));
}"""

SHOWN_JS = """(t) => { const c = document.querySelector('#slide-caption');
  return !!c && !c.classList.contains('turning') && (c.querySelector('h2') || {}).textContent === t; }"""


def test_a_briefing_steps_by_swipe_on_a_phone(server_url, store):
    from dashboard import slides
    from dashboard.page import Page

    titles = [s.title["zh"] for s in slides.load_all(Page.make(store).parse)[0]["ports-and-sea"].slides]
    with browser_page(server_url, 390, 844) as page:
        page.goto(f"{server_url}/?brief=ports-and-sea&slide=1&mode=present")
        page.wait_for_function(SHOWN_JS, arg=titles[0], timeout=30000)
        wait_for_places(page)
        assert _in_view(page, "#slide-caption") and _in_view(page, "#slide-next")
        page.evaluate(SWIPE_JS, -120)  # to the left: the next slide
        page.wait_for_function(SHOWN_JS, arg=titles[1], timeout=30000)
        page.screenshot(path=SHOTS / "21-phone-briefing.png")
        page.evaluate(SWIPE_JS, 15)  # a tap, not a swipe: stays
        page.evaluate(SWIPE_JS, 120)  # to the right: back
        page.wait_for_function(SHOWN_JS, arg=titles[0], timeout=30000)
        assert "slide=1" in page.url


# Each frame, from the page's first script: when the first map is whole (assets/atlas.js),
# when it is painted (MapLibre 6.9.0's _fullyLoaded) and when each of the side panel's later
# parts first has children.
LATER_JS = """
window.__seen = {};
(function frame() {
  const now = performance.now(), seen = window.__seen;
  if (!('whole' in seen) && window.atlas && window.atlas.whole()) { seen.whole = now; }
  const gd = document.querySelector('#map .js-plotly-plot');
  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
  if (!('painted' in seen) && 'whole' in seen && map._fullyLoaded) { seen.painted = now; }
  for (const id of %s) {
    const box = document.getElementById(id);
    if (!(id in seen) && box && box.children.length) { seen[id] = now; }
  }
  requestAnimationFrame(frame);
})();
"""


def test_the_side_panels_lower_parts_come_after_the_first_map(server_url, store):
    """The bar chart with the circle's summary, and below the fold the circle's cards and the
    data gaps, are mounted once the first map is whole (dashboard/later.py): the main thread
    is the map's until then."""
    cards = panels.circle_cards(all_figures(store), store.indicator_defs)
    with browser_page(server_url) as page:
        page.add_init_script(LATER_JS % json.dumps(list(later.PARTS)))
        page.goto(server_url)
        wait_for_places(page)
        page.wait_for_function("(ids) => ids.every(id => id in window.__seen)", arg=list(later.PARTS), polling=50)
        seen = page.evaluate("() => window.__seen")
        assert all(seen[part] > seen["painted"] >= seen["whole"] for part in later.PARTS), seen
        assert page.locator(f"#{ids.CIRCLE_CARDS} .card").count() == len(cards) > 0
        assert page.console_errors == []


def test_the_chart_put_in_after_the_first_map_shows_the_indicator_chosen_before(server_url):
    """An indicator chosen while the first map loads is the one the bar chart shows when it is
    put in (dashboard/later.py), not the one the page was built for."""
    with browser_page(server_url) as page:
        held = open_with_the_map_held(page, server_url)
        page.click("#indicator")
        page.get_by_role("option", name="城区人口(万人)").click()
        page.keyboard.press("Escape")
        page.wait_for_function("() => document.querySelector('#map-title').textContent.includes('城区人口')")
        assert page.locator(f"#{ids.BAR}").count() == 0  # not in yet
        let_the_map_go(page, held)
        unit = "() => document.querySelector('#bar .js-plotly-plot')._fullLayout.yaxis.title.text"
        assert "万人" in page.evaluate(unit)
        assert "(万人)" in page.inner_text(f"#{ids.CIRCLE_SUMMARY}")  # (the page was built for 亿元)
        assert page.console_errors == []


def test_a_language_chosen_while_the_first_map_loads_is_the_side_panels(server_url):
    """A new language builds the side panel with its parts in place; the parts the page
    opened with, in the language before, are not put in over them once the map is whole."""
    with browser_page(server_url) as page:
        held = open_with_the_map_held(page, server_url)
        page.get_by_text("English", exact=True).click()
        page.wait_for_function("() => document.querySelector('header h1').textContent.includes('Jiaodong')")
        let_the_map_go(page, held)
        switched = {part: page.inner_text(f"#{part}") for part in later.PARTS}
        assert page.console_errors == []
    with browser_page(server_url) as page:  # as a page opened in English has them
        page.goto(f"{server_url}/?lang=en")
        wait_for_places(page)
        wait_for_parts(page, later.PARTS)
        opened = {part: page.inner_text(f"#{part}") for part in later.PARTS}
    assert switched == opened and "Resident population" in switched[ids.CIRCLE_CARDS]


def test_the_sea_is_the_paper_under_the_map_not_a_layer_it_draws(server_url):
    """A background layer is a pass over the whole canvas, and one more shader for the first map,
    in software GL: the page's map draws none, and the figure's paper, the sea, shows through."""
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_places(page)
        layers = page.evaluate(
            "() => document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map"
            ".getStyle().layers.map(l => l.type)"
        )
        x, y = lonlat_to_pixel(page, 122.6, 35.6)  # the Yellow Sea, east of Qingdao
        shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    assert "background" not in layers and "fill" in layers
    assert shot.getpixel((int(x), int(y))) == blend(figures.SEA, 1.0)
