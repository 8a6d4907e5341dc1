"""Presenting, as a presenter does: a briefing walked slide by slide with the
keys a clicker sends, the language switched, and the exports opened."""

import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from PIL import Image

from dashboard import slides
from dashboard.page import Page
from dashboard.view import View
from tests.browser import (
    ARGS,
    CHROMIUM,
    RENDERED_TEXTS_JS,
    browser_page,
    switch_language,
    wait_for_map,
    wait_for_places,
)

SHOTS = Path(__file__).parent / "screenshots"


def _query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def _slide_shown(page, title: str) -> None:
    page.wait_for_function(
        "(t) => (document.querySelector('#slide-text h2') || {}).textContent === t", arg=title, timeout=20000
    )
    wait_for_map(page)


def test_a_briefing_walked_with_a_clicker_and_each_slide_reopened_from_its_url(server_url, store):
    briefing = slides.load_all(Page.make(store).parse)[0]["ports-and-sea"]
    with browser_page(server_url, 1920, 1080) as page:
        page.goto(server_url)
        wait_for_places(page)
        page.locator("#briefing").click()
        page.get_by_text(briefing.title["zh"], exact=True).click()
        urls = []
        for n, slide in enumerate(briefing.slides, 1):
            if n > 1:
                page.keyboard.press("PageDown" if n % 2 else "ArrowRight")
            _slide_shown(page, slide.title["zh"])
            q = _query(page)
            assert (q["brief"], q["slide"], q["mode"]) == ("ports-and-sea", str(n), "present")
            assert page.locator("#root").get_attribute("class") == "app present"
            assert page.locator("#slide-count").text_content() == f"第 {n} / {len(briefing.slides)} 页"
            # The slide's view is on the map: its layers exactly.
            want = View.parse(slide.view, {})[0].layers
            ticked = page.eval_on_selector_all("#layers input", "(els) => els.filter(e => e.checked).map(e => e.value)")
            assert sorted(ticked) == sorted(want)
            urls.append((page.url, slide, sorted(ticked), page.locator("#map-title").text_content()))
            if n == 1:
                page.screenshot(path=SHOTS / "12-presentation-slide.png")
        # Presses count in the order pressed, however fast they come: two in one moment
        # reach the page's callback as one call. Past the last slide stays, then back one.
        page.evaluate(
            """() => ['ArrowRight', 'PageUp'].forEach(key =>
                document.body.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true})))"""
        )
        _slide_shown(page, briefing.slides[-2].title["zh"])
        assert _query(page)["slide"] == str(len(briefing.slides) - 1)
        page.keyboard.press("Escape")
        page.wait_for_function("() => document.querySelector('#root').className === 'app'")
        assert "mode" not in _query(page) and "brief" not in _query(page)
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
    # Each slide's URL, opened afresh, is the same slide.
    with browser_page(server_url, 1920, 1080) as page:
        for url, slide, ticked, title in urls:
            page.goto(url)
            _slide_shown(page, slide.title["zh"])
            page.wait_for_function("(t) => document.querySelector('#map-title').textContent === t", arg=title)
            got = page.eval_on_selector_all("#layers input", "(els) => els.filter(e => e.checked).map(e => e.value)")
            assert sorted(got) == ticked
            assert page.locator("#root").get_attribute("class") == "app present"


# Records, in the page, when the main map's updates finish and when the caption's words
# are shown (not hidden while a step is under way) with a new title.
WATCH_JS = """() => {
  window.mapDone = []; window.captionShown = []; Error.stackTraceLimit = 40;
  const gd = document.querySelector('#map .js-plotly-plot');
  for (const name of ['restyle', 'relayout', 'react']) {
    const call = window.Plotly[name];
    window.Plotly[name] = function (target, ...rest) {
      // dcc.Graph re-plots its own figure at times (the traces it holds are the map's): no change.
      const same = name === 'react' && target === gd && rest[0].data.every((t, i) => t === gd.data[i]);
      const done = call.call(window.Plotly, target, ...rest);
      if (target === gd && !same) {
        Promise.resolve(done).then(() => window.mapDone.push({at: performance.now(), name, what: JSON.stringify(rest[0]).slice(0, 80)}));
      }
      return done;
    };
  }
  const caption = document.querySelector('#slide-caption');
  let last = null;
  new MutationObserver(() => {
    const h2 = caption.querySelector('#slide-text h2');
    const title = !caption.classList.contains('turning') && h2 ? h2.textContent : null;
    if (title && title !== last) { window.captionShown.push({at: performance.now(), title}); }
    if (title) { last = title; }
  }).observe(caption, {attributes: true, childList: true, subtree: true, characterData: true});
}"""


# The places drawn as markers that lie under the caption box.
UNDER_CAPTION_JS = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const box = m.getCanvas().getBoundingClientRect();
  const cap = document.querySelector('#slide-caption').getBoundingClientRect();
  const under = [];
  gd.data.forEach(t => {
    if (t.visible === false || t.type !== 'scattermap' || (t.mode || '').includes('lines') || !t.customdata) { return; }
    (t.lon || []).forEach((lon, i) => {
      if (lon == null) { return; }
      const p = m.project([lon, t.lat[i]]);
      const x = box.left + p.x, y = box.top + p.y;
      if (x >= cap.left && x <= cap.right && y >= cap.top && y <= cap.bottom) { under.push(t.customdata[i]); }
    });
  });
  return under;
}"""


def test_each_step_shows_the_slides_words_only_once_its_map_is_drawn(server_url, store):
    briefing = slides.load_all(Page.make(store).parse)[0]["ports-and-sea"]
    with browser_page(server_url, 1366, 768) as page:
        page.goto(f"{server_url}/?brief=ports-and-sea&slide=1&mode=present")
        _slide_shown(page, briefing.slides[0].title["zh"])
        wait_for_places(page)
        page.evaluate(WATCH_JS)
        for n, slide in enumerate(briefing.slides[1:], 2):
            pressed = page.evaluate("() => performance.now()")
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(t) => window.captionShown.some(c => c.title === t)", arg=slide.title["zh"], timeout=30000
            )
            wait_for_map(page)
            page.wait_for_timeout(300)  # any update the step set off late
            shown = page.evaluate("(t) => window.captionShown.find(c => c.title === t).at", slide.title["zh"])
            done = page.evaluate("(from) => window.mapDone.filter(d => d.at > from)", pressed)
            assert done, f"slide {n}: the map did not change"
            # No update of the map after the caption said the slide was there.
            late = [(round(d["at"] - shown), d["name"], d["what"]) for d in done if d["at"] > shown]
            assert not late, (n, late)
            # The caption covers none of the slide's places.
            assert page.evaluate(UNDER_CAPTION_JS) == [], n
            page.screenshot(path=SHOTS / f"12-slide-{n}-1366.png")
        assert page.console_errors == []


MAP_NOW_JS = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  return {same: window.mapBefore === m, center: m.getCenter(), zoom: m.getZoom(),
          hover: gd.data[0].customdata, places: gd.data.filter(t => t.visible === true && t.uid !== 'choropleth'
            && t.hovertext).map(t => t.hovertext).flat().filter(Boolean)};
}"""


def test_the_language_switches_in_place_and_keeps_the_view(server_url, store):
    with browser_page(server_url) as page:
        page.goto(f"{server_url}/?indicator=urban_district_population&view=target&layers=ports&city=371100")
        wait_for_places(page)
        page.wait_for_function("() => document.querySelector('#map-title').textContent.includes('城区人口')")
        page.evaluate("""() => { window.notReloaded = true;
          window.mapBefore = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map; }""")
        before = page.evaluate(MAP_NOW_JS)
        switch_language(page, "English")
        assert page.evaluate("() => document.querySelector('header h1').textContent.includes('Jiaodong')")
        assert page.evaluate("() => window.notReloaded === true")  # no reload
        # The same map, where it was, relabelled: names, hovers and places' labels in English.
        now = page.evaluate(MAP_NOW_JS)
        assert now["same"] and (now["center"], now["zoom"]) == (before["center"], before["zoom"])
        drawn = page.evaluate(RENDERED_TEXTS_JS)
        cities = store.cities
        assert set(cities["name_en"]) <= set(drawn) and not set(cities["name_zh"]) & set(drawn), drawn
        assert "Port of Rizhao" in drawn, drawn
        assert all(h.startswith(f"<b>{n}</b>") for h, n in zip(now["hover"], cities["name_en"])), now["hover"]
        # (a place's hover cites the plan's own, Chinese, section)
        assert now["places"] and all(h.split("</b>")[0].isascii() for h in now["places"]), now["places"]
        # No project clusters are drawn, the layer being off.
        assert page.evaluate(
            """() => {
          const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
          return m.getStyle().layers.filter(l => l.id.includes('-cluster')
                                           && m.getLayoutProperty(l.id, 'visibility') !== 'none').length === 0;
        }"""
        )
        assert page.locator("#map-title").text_content() == "2025 target · Urban-district population"
        assert "Showing 3 of" in page.locator("#feature-count").text_content()  # the filter is kept
        assert _query(page)["lang"] == "en" and _query(page)["city"] == "371100"
        legend = page.locator("#legend").text_content()
        assert "million people" in legend and "6" in legend  # 600 万人 is 6 million
        page.screenshot(path=SHOTS / "13-english.png")
        switch_language(page, "中文")
        assert page.evaluate("() => document.querySelector('header h1').textContent.includes('胶东')")
        drawn = page.evaluate(RENDERED_TEXTS_JS)
        assert set(cities["name_zh"]) <= set(drawn) and "日照港" in drawn, drawn
        assert page.evaluate(MAP_NOW_JS)["same"]
        assert "lang" not in _query(page) and page.evaluate("() => window.notReloaded === true")
        assert page.foreign == [] and page.refused == [] and page.console_errors == []


def test_the_png_export_is_a_slide_with_title_legend_and_sources(app):
    resp = app.server.test_client().get("/export/view.png?indicator=gdp&view=actual&layers=ports")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    image = Image.open(io.BytesIO(resp.data)).convert("RGB")
    assert image.size == (1920, 1080)
    image.save(SHOTS / "14-export.png")
    # The legend box (white, top right) holds the classes' colours.
    legend = image.crop((1380, 110, 1900, 420))
    colors = {c for _, c in legend.getcolors(200000)}
    from dashboard import figures

    wanted = {tuple(int(h[i : i + 2], 16) for i in (1, 3, 5)) for h in figures.SEQUENTIAL}
    assert len(wanted & colors) >= 3
    assert image.getpixel((960, 30)) == (255, 255, 255)  # the title band is white paper, not map
    sea = tuple(int(figures.SEA[i : i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((1850, 950)) == sea  # the map draws its sea (figures.PICTURE_STYLE)


def test_the_html_export_draws_with_the_network_off(app, tmp_path):
    from playwright.sync_api import sync_playwright

    body = app.server.test_client().get("/export/view.html?layers=ports,zones&view=target").data
    path = tmp_path / "map.html"
    path.write_bytes(body)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1600, "height": 900})
        page = context.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        # Leaflet drew the boundaries and the places (on a canvas: count its layers).
        page.wait_for_function(
            """() => {
          const name = Object.keys(window).find(k => k.startsWith('map_'));
          return name && Object.keys(window[name]._layers).length > 20
            && document.querySelector('canvas.leaflet-zoom-animated');
        }""",
            timeout=20000,
        )
        assert "2025年目标" in page.locator(".atlas-box").first.text_content()
        page.screenshot(path=SHOTS / "15-export-html.png")
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        assert errors == []  # e.g. a script that needs a library the file does not carry
        browser.close()
