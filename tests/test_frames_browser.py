"""The map's frames, counted in Debian's Chromium: in software WebGL each costs about 100 ms."""

from dashboard import figures
from tests.browser import browser_page, set_layers, wait_for_map
from tests.test_browser import _city_colours, _close, _expected, _recoloured

# From the moment MapLibre's map exists (found each animation frame, before it first draws):
# each frame that drew anything, and whether the cities' choropleth and every other source
# were all in at that frame.
FRAMES_JS = """() => {
  window.atlasFrames = [];
  const find = () => {
    const gd = document.querySelector('#map .js-plotly-plot');
    const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
      && gd._fullLayout.map._subplot.map;
    if (!m) { requestAnimationFrame(find); return; }
    window.atlasHookedBeforeLoad = !m.loaded();
    const gl = m.painter.context.gl;
    let draws = 0;
    for (const name of ['drawElements', 'drawArrays']) {
      const call = gl[name].bind(gl);
      gl[name] = function () { draws += 1; return call.apply(null, arguments); };
    }
    m.on('render', () => {
      if (!draws) { return; }
      const cities = gd._fullData.find(t => t.type === 'choroplethmap' && t.featureidkey === 'properties.adcode');
      const source = cities && m.getSource('source-' + cities.uid);
      const traces = Object.keys(m.style.tileManagers).some(id => id.startsWith('source-'));
      window.atlasFrames.push({draws: draws, cities: !!(source && source.loaded()), all: m.style.loaded(), traces: traces});
      draws = 0;
    });
  };
  requestAnimationFrame(find);
}"""


def test_the_map_draws_no_frame_of_a_half_loaded_map_when_it_first_loads(server_url, store):
    """Each frame costs about 100 ms in software WebGL: none is spent on a map whose data is
    still coming in when it first loads; and after that the map draws every change."""
    with browser_page(server_url) as page:
        page.add_init_script(f"({FRAMES_JS})()")
        page.goto(server_url)
        wait_for_map(page)
        hooked, frames = page.evaluate("() => [window.atlasHookedBeforeLoad, window.atlasFrames]")
        assert hooked, "the map was found only after it had loaded"
        # The painter's first frame may be the sea alone, drawn before plotly.js adds any trace.
        partial = [i for i, f in enumerate(frames) if not (f["cities"] and f["all"])]
        assert partial in ([], [0]) and not (partial and frames[0]["traces"]), frames[:4]
        assert len(frames) > len(partial), "no frame of the whole map was drawn"
        # And what was drawn shows: no city is left the colour of the sea.
        sea = tuple(int(figures.SEA[i : i + 2], 16) for i in (1, 3, 5))
        colours = _city_colours(page, store)
        assert not [c for c, rgb in colours.items() if _close(rgb, sea)], colours
        set_layers(page, set())  # the choropleth alone, so that its colours can be read
        for n, (indicator, name) in enumerate(
            (("urban_district_population", "城区人口(万人)"), ("gdp", "地区生产总值(亿元)"))
        ):
            page.click("#indicator")
            page.get_by_role("option", name=name).click()
            _recoloured(page, n + 1)
            assert _close(_city_colours(page, store)["370200"], _expected(store, indicator, "baseline")["370200"])
