// The atlas's partial plotly.js: the core and the three trace types the app draws
// (dashboard/figures.py: Choroplethmap, Scattermap, bar). PNG exports draw with it too.
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
// The third gives a choropleth's colours per feature, as plotly.js draws them, so that the
// page can recolour it through MapLibre's feature state (no new tiles; see atlas.js).
Plotly.atlasInternals = {
  supplyDefaults: Plots.supplyDefaults,
  doCalcdata: Plots.doCalcdata,
  choroplethColours: require('plotly.js/src/traces/choroplethmap/convert').convert,
};

// MapLibre's worker, started now rather than when the first map is made (build.mjs).
require('plotly.js/src/plots/map/map').prewarm();

module.exports = Plotly;
