"""Shared links, opened as the person they were sent to opens them: in a fresh browser,
whatever its own language. The page shows exactly the view the link names, in the
link's language, and the address bar afterwards names the same view."""

import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlparse

import pytest

from dashboard import export, ids
from dashboard import view as views
from dashboard.i18n import t
from dashboard.page import Page, map_view
from dashboard.view import View
from layers.records import FEATURE_LAYERS
from tests.browser import ARGS, CHROMIUM, wait_for_places

REPO = Path(__file__).resolve().parent.parent
WAIT_MS = 60000  # a shared machine under load can take this long to draw a map
SHOTS = Path(__file__).parent / "screenshots"

# Every key a link may carry, each set to a value that is not its default.
EVERY_KEY = (
    "?plan=both&indicator=urban_district_population&view=target&scheme=quantiles&vs=actual"
    "&layers=projects,zones&category=research&city=370200&chapter=2&precision=city&status=build"
    "&group=二&lead=省发展改革委&q=青岛&sel=dk-future-qingdao&lon=120.4&lat=36.2&z=8.5"
    "&read=任务7&brief=ports-and-sea&slide=2&mode=present"
)

# Dash has run every callback it was asked to, and the map has drawn and stopped moving.
SETTLED_JS = """() => {
  const s = window.store && window.store.getState();
  if (!s || !s.callbacks) { return false; }
  const busy = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed', 'stored']
    .some(k => (s.callbacks[k] || []).length);
  const gd = document.querySelector('#map .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  const m = sub && sub.map;
  return !busy && !!(m && m.loaded() && m.areTilesLoaded() && !m.isMoving());
}"""

# The props the renderer holds for components (what the controls are set to).
PROPS_JS = """(wanted) => {
  const s = window.store.getState();
  return wanted.map(([id, prop]) => {
    let o = s.layout;
    for (const k of s.paths.strs[id]) { o = o[k]; }
    return o.props[prop] === undefined ? null : o.props[prop];
  });
}"""

EXTENT_JS = """() => {
  const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
  const c = m.getCenter();
  return {lon: c.lng, lat: c.lat, zoom: m.getZoom()};
}"""


@pytest.fixture(scope="module")
def atlas(store):
    return Page.make(store)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@contextmanager
def fresh_page(browser, server_url: str, link: str, locale: str = "zh-CN"):
    """The link opened in a new browser context (no cookies, no storage, no history),
    settled: the map drawn and no callback pending."""
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale=locale)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda m: m.type == "error"
        and "/glyphs/" not in (m.location or {}).get("url", "")
        and page.console_errors.append(m.text),
    )
    try:
        page.goto(f"{server_url}/{link}")
        wait_for_places(page, WAIT_MS)
        page.wait_for_function(SETTLED_JS, timeout=WAIT_MS, polling=50)
        yield page
    finally:
        context.close()


def _same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def _same_view(got: View, want: View) -> bool:
    """Two views are the same: the same keys named and the same values, lists in any
    order, the extent to the four decimals an address carries."""
    if got.named != want.named:
        return False
    for key in views.KEYS:
        a, b = getattr(got, key), getattr(want, key)
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) >= 1e-4:
                return False
        elif not _same(list(a) if isinstance(a, tuple) else a, list(b) if isinstance(b, tuple) else b):
            return False
    return True


def address(page, atlas) -> tuple[View, list]:
    return atlas.parse(urlparse(page.url).query)


def check_view(page, atlas, link: str) -> View:
    """The page shows the view the link names, in its language; the address bar names it too.
    Returns that view."""
    want, dropped = atlas.parse(link)
    lang = want.lang
    # The language: the link's, for the whole page.
    assert page.locator("#body").get_attribute("lang") == lang
    assert page.locator("header h1").text_content() == t("title", lang)
    assert page.locator("#lang input:checked").get_attribute("value") == lang
    # Each control as the link sets it (what it leaves out: the default).
    controls = page.evaluate(PROPS_JS, [[cid, "value"] for _, cid in views.CONTROLS] + [[ids.SELECTED, "data"]])
    for (key, _), shown, expected in zip(views.CONTROLS, controls, want.control_values()):
        assert _same(shown, expected), (key, shown, expected)
    assert controls[-1] == want.sel
    # … and as a person sees it.
    for radio, key in ((ids.PLAN, "plan"), (ids.VIEW, "view"), (ids.SCHEME, "scheme")):
        assert page.locator(f"#{radio} input:checked").get_attribute("value") == getattr(want, key)
    ticked = page.eval_on_selector_all(f"#{ids.LAYERS} input", "els => els.filter(e => e.checked).map(e => e.value)")
    assert sorted(ticked) == sorted(want.layers)
    assert page.input_value(f"#{ids.SEARCH}") == want.q
    names = atlas.names[lang]
    for city in want.city:
        assert names.cities[city] in page.locator(f"#{ids.CITY}-value").text_content()
    assert (
        page.locator("#map-title").text_content()
        == map_view(atlas.store, want.indicator, want.view, lang, want.scheme)[2]
    )
    rows = atlas.rows(atlas.criteria(want), lang)
    total = len(atlas.store.features)
    # The count as the table's tab draws it, or as the page holds it when the reader's tab is open (read=).
    drawn = page.locator(f"#{ids.COUNT}")
    count = drawn.text_content() if drawn.count() else page.evaluate(PROPS_JS, [[ids.COUNT, "children"]])[0]
    assert count == t("filter.count", lang).format(n=len(rows), total=total)
    if want.read:
        page.wait_for_selector(f".reader-text[data-shown='{want.read}']", state="attached")
    if want.sel:
        place = atlas.by_id.loc[want.sel]
        assert page.locator("#city-panel h3").text_content() == place["name_zh" if lang == "zh" else "name_en"]
    if want.vs:
        assert t(f"view.{want.vs}", lang) in page.locator("#compare-box .map-title").text_content()
    if want.focus:  # the map is where the link says
        seen = page.evaluate(EXTENT_JS)
        assert abs(seen["lon"] - want.lon) < 1e-3, seen
        assert abs(seen["lat"] - want.lat) < 1e-3, seen
        assert abs(seen["zoom"] - want.z) < 1e-3, seen
    if want.brief:
        briefing = atlas.briefings[want.brief]
        slide = briefing.slides[(want.slide or 1) - 1]
        assert page.locator("#slide-text h2").text_content() == slide.title[lang]
    assert page.locator("#root").get_attribute("class") == ("app present" if want.mode else "app")
    # The address bar afterwards: the same view, nothing it cannot read.
    after, after_dropped = address(page, atlas)
    assert after_dropped == [] and _same_view(after, want), (page.url, want)
    if not dropped:
        assert page.locator("#url-notice").text_content() == ""
        assert dict(parse_qsl(urlparse(page.url).query)).keys() == dict(parse_qsl(link.lstrip("?"))).keys()
    assert page.console_errors == []
    return want


@pytest.mark.parametrize("lang,locale", [("en", "zh-CN"), ("zh", "en-US")])
def test_a_link_with_every_key_opens_its_view_in_its_language(browser, server_url, atlas, lang, locale):
    """The browser's own language is the other one: the link's wins."""
    link = f"{EVERY_KEY}&lang={lang}"
    assert {k for k, _ in parse_qsl(link.lstrip("?"))} == set(views.KEYS)  # every key
    view, dropped = atlas.parse(link)
    assert dropped == []
    assert atlas.rows(atlas.criteria(view), lang)  # the filters leave something to see
    with fresh_page(browser, server_url, link, locale) as page:
        page.screenshot(path=SHOTS / f"16-every-key-{lang}.png")
        check_view(page, atlas, link)


# What the page fetched, when it asked and when the answer was in.
FETCHED_JS = """() => ({
  search: new URL(performance.getEntriesByType('navigation')[0].name).search,
  asked: performance.getEntriesByType('resource').map(e =>
    [new URL(e.name).pathname + new URL(e.name).search, e.startTime, e.responseEnd]),
})"""


@pytest.mark.parametrize("link", ["", EVERY_KEY], ids=["plain", "every-key"])
def test_the_page_asks_for_its_layout_once_as_it_arrives(browser, server_url, atlas, link):
    """Dash's layout (built for the link's view) and its callbacks' list are asked for by the
    page's head (dashboard/preload.py) while its scripts load, and Dash takes them from there
    rather than asking again; dcc's chunks come with the scripts, not after the layout.
    The layout is the page as its callbacks would set it: none asks the server anything as
    the page opens (the slide shown, the address read, the export links written)."""
    from dashboard.preload import URI_COMPONENT_SAFE

    with fresh_page(browser, server_url, link) as page:
        got = page.evaluate(FETCHED_JS)
        exports = page.eval_on_selector_all(".export-links a", "els => els.map(a => a.getAttribute('href'))")
    assert len(exports) == len(export.WRITERS)
    for href in exports:
        path, _, query = href.partition("?")
        assert path.startswith("/export/view.") and atlas.view("?" + query) == atlas.view(link), href
    asked = {}
    for path, start, end in got["asked"]:
        asked.setdefault(path.split("?")[0], []).append((path, start, end))
    search = got["search"]  # the link as the browser encodes it (the app rewrites the address later)
    layout = "/_dash-layout" + (f"?link={quote(search, safe=URI_COMPONENT_SAFE)}" if search else "")
    assert [p for p, *_ in asked["/_dash-layout"]] == [layout]  # once, the link's
    assert len(asked["/_dash-dependencies"]) == 1
    # Dash itself cannot ask before its renderer's script has arrived.
    renderer = next(fetched[0][2] for path, fetched in asked.items() if "dash_renderer" in path)
    assert asked["/_dash-layout"][0][1] < renderer and asked["/_dash-dependencies"][0][1] < renderer
    graph = [p for p in asked if p.endswith("/async-graph.js")]
    assert len(graph) == 1 and len(asked[graph[0]]) == 1
    assert "/_dash-update-component" not in asked


def test_a_bad_part_is_dropped_with_a_notice_and_the_rest_kept(browser, server_url, atlas):
    link = (
        "?lang=en&indicator=urban_district_population&view=forecast&city=370200&oops=1"
        "&lon=200&lat=36&z=8&layers=secret,<b>&sel=no-such-place"
    )
    with fresh_page(browser, server_url, link) as page:
        want = check_view(page, atlas, link)
        assert want == View(
            lang="en",
            indicator="urban_district_population",
            city=("370200",),
            named=frozenset({"lang", "indicator", "city"}),
        )
        notice = page.locator("#url-notice").text_content()
        assert notice.startswith(t("url.dropped", "en"))
        for part in ("view=forecast", "oops", "lon=200", "layers=secret,<b>", "sel=no-such-place"):
            assert part in notice, (part, notice)
        # A layers= with no known layer: the default layers, not an empty map.
        ticked = page.eval_on_selector_all("#layers input", "els => els.filter(e => e.checked).map(e => e.value)")
        assert sorted(ticked) == sorted(View().layers) != sorted(FEATURE_LAYERS)
        query = dict(parse_qsl(urlparse(page.url).query))
        assert query == {"lang": "en", "indicator": "urban_district_population", "city": "370200"}


def test_a_layers_value_keeps_its_known_layers():
    view, dropped = View.parse("?layers=zones,secret", {})
    assert view == View(layers=("zones",), named=frozenset({"layers"})) and dropped == ["layers=secret"]
    assert View.parse("?layers=", {})[0] == View(layers=(), named=frozenset({"layers"}))  # no layers at all is a view


def test_a_selection_keeps_the_links_extent(browser, server_url, atlas):
    # Well away from the port of Qingdao, and wider than a port is framed.
    link = "?sel=port-qingdao&layers=ports&lon=121.5&lat=37.2&z=7.25"
    with fresh_page(browser, server_url, link) as page:
        check_view(page, atlas, link)
        page.screenshot(path=SHOTS / "17-selection-extent.png")
        # Framing the place would have moved the map: the check above can fail.
        framed = atlas.place_focus("port-qingdao")
        assert abs(framed["zoom"] - 7.25) > 1 and abs(framed["center"]["lat"] - 37.2) > 0.5


def _readme_links() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    section = text[text.index("## Sharing a view") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"`(\?[^`\s]+)`", section)


def test_the_readme_shows_links_in_both_languages():
    links = _readme_links()
    langs = {dict(parse_qsl(link[1:])).get("lang", "zh") for link in links}
    assert langs == {"zh", "en"}, links


@pytest.mark.parametrize("link", _readme_links())
def test_each_example_link_in_the_readme_opens_its_view(browser, server_url, atlas, link):
    assert atlas.parse(link)[1] == []
    with fresh_page(browser, server_url, link, "en-US") as page:
        check_view(page, atlas, link)


def test_leaving_a_briefing_returns_to_the_view_from_before_it(browser, server_url, atlas):
    link = "?indicator=gdp&view=actual&layers=zones&city=370600&lon=121.2&lat=37.1&z=8&lang=en"
    with fresh_page(browser, server_url, link) as page:
        check_view(page, atlas, link)
        briefing = atlas.briefings["ports-and-sea"]
        page.locator("#briefing").click()
        page.get_by_text(briefing.title["en"], exact=True).click()
        page.wait_for_function(
            "(t) => (document.querySelector('#slide-text h2') || {}).textContent === t",
            arg=briefing.slides[0].title["en"],
            timeout=WAIT_MS,
        )
        page.wait_for_function(SETTLED_JS, timeout=WAIT_MS, polling=50)
        assert address(page, atlas)[0].brief == "ports-and-sea"
        page.keyboard.press("Escape")
        page.wait_for_function("() => document.querySelector('#root').className === 'app'", timeout=WAIT_MS)
        page.wait_for_function(SETTLED_JS, timeout=WAIT_MS, polling=50)
        check_view(page, atlas, link)
