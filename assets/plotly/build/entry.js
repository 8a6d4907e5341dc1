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

// No frame of a half-loaded map. MapLibre 6.9.0 (in plotly.js 4.1.1) draws a frame each time
// a source's tiles arrive; with software WebGL a frame of the atlas's seventy sources takes
// about 100 ms. Some ten partial frames came before the first whole map, and a recolour drew
// the old colours once more while its new data was being tiled. So a frame is drawn only
// when every source is in, or while the map moves (a pan or zoom draws as it goes).
var maplibregl = require('maplibre-gl/dist/maplibre-gl.mjs');
var setupPainter = maplibregl.Map.prototype._setupPainter;
maplibregl.Map.prototype._setupPainter = function () {
  setupPainter.apply(this, arguments);
  var map = this;
  var painter = this.painter;
  var draw = painter.render;
  var drawn = false;
  var calls = 0;
  painter.render = function () {
    // A static map (plotly.js's image export) reads its canvas when plotly.js is done: as is.
    if (!map._interactive) { return draw.apply(this, arguments); }
    calls += 1;
    var style = map.style;
    // plotly.js names its traces' sources source-<uid>; they come after the style has loaded.
    var whole = !!style && style.loaded() && (drawn || Object.keys(style.tileManagers).some(function (id) {
      return id.indexOf('source-') === 0;
    }));
    if (whole || (drawn && map.isMoving())) {
      drawn = true;
      return draw.apply(this, arguments);
    }
    // The painter's first call (the sea alone) is let through: held back, no layer was drawn
    // afterwards either.
    if (calls === 1) { return draw.apply(this, arguments); }
  };
};
