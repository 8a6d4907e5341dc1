// The atlas's partial plotly.js: the core and the three trace types the app draws
// (dashboard/figures.py: Choroplethmap, Scattermap, bar). Exports use the full bundle.
var Plotly = require('plotly.js/lib/core');
var Plots = require('plotly.js/src/plots/plots');

Plotly.register([
  require('plotly.js/lib/choroplethmap'),
  require('plotly.js/lib/scattermap'),
  require('plotly.js/lib/bar'),
]);

// For assets/atlas.js: recolouring the choropleth with Plotly.restyle makes plotly.js
// 4.1.1 set the data of every trace's MapLibre source again (twice the time of the
// choropleth's own with the atlas's places shown). These two let the page bring the
// figure's data up to date and then update the choropleth's source alone.
Plotly.atlasInternals = {supplyDefaults: Plots.supplyDefaults, doCalcdata: Plots.doCalcdata};

module.exports = Plotly;

// No frame of a half-loaded map on its first load. MapLibre 6.9.0 (in plotly.js 4.1.1) draws a
// frame each time a source's tiles arrive; with software WebGL a frame of the atlas's seventy
// sources takes about 100 ms, and some ten partial frames came before the first whole map. So
// until the map is whole for the first time it draws no frame but the painter's first (the sea
// alone: held back too, MapLibre drew no layer afterwards). After that it draws as MapLibre
// does: held back while tiles load, a pan lost most of a quick drag.
var maplibregl = require('maplibre-gl/dist/maplibre-gl.mjs');
var setupPainter = maplibregl.Map.prototype._setupPainter;
maplibregl.Map.prototype._setupPainter = function () {
  setupPainter.apply(this, arguments);
  var map = this;
  var painter = this.painter;
  var draw = painter.render;
  var whole = false;
  var calls = 0;
  painter.render = function () {
    calls += 1;
    // A static map (plotly.js's image export) reads its canvas when plotly.js is done: as is.
    if (!whole && map._interactive && calls > 1) {
      var style = map.style;
      // plotly.js names its traces' sources source-<uid>; they come after the style has loaded.
      whole = !!style && style.loaded() && Object.keys(style.tileManagers).some(function (id) {
        return id.indexOf('source-') === 0;
      });
      if (!whole) { return; }
    }
    return draw.apply(this, arguments);
  };
};
