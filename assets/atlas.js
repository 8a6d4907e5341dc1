/* Map updates in the browser. Every change to the map goes through one queue:
   plotly's map updates are asynchronous, and two at once can make MapLibre
   add the same source twice ("Source already exists"). */
window.atlas = (function () {
  let queue = Promise.resolve();
  const shown = {};  // trace index -> digest of the data it shows
  const counts = {map: 0, features: 0};

  function graph() { return document.querySelector('#map .js-plotly-plot'); }

  function enqueue(step) {
    queue = queue.then(step).catch(function (err) { console.error('atlas map update', err); });
    return queue;
  }

  function wrap(update) {
    const out = {};
    for (const [key, value] of Object.entries(update)) { out[key] = [value]; }
    return out;
  }

  return {
    // Each returns a promise of a count of applied updates (tests wait on it),
    // or false when there is nothing to do.
    // The choropleth's colours (trace 0), or its outline widths.
    restyleChoropleth: function (state) {
      const gd = graph();
      if (!state || !gd) { return false; }
      return enqueue(function () { return window.Plotly.restyle(gd, wrap(state), [0]); })
        .then(function () { counts.map += 1; return counts.map; });
    },
    // The plan's places: restyle only the traces whose data changed.
    restyleFeatures: function (updates, initial) {
      const gd = graph();
      if (!updates || !gd) { return false; }
      for (const item of updates) {
        const last = item.index in shown ? shown[item.index] : initial[item.index];
        if (last === item.digest) { continue; }
        shown[item.index] = item.digest;
        enqueue(function () { return window.Plotly.restyle(gd, wrap(item.update), [item.index]); });
      }
      return enqueue(function () {}).then(function () { counts.features += 1; return counts.features; });
    },
    // Select a place's row in the table and scroll it into view.
    selectRow: function (fid) {
      const api = window.dash_ag_grid && window.dash_ag_grid.getApi('feature-grid');
      const node = api && fid ? api.getRowNode(fid) : null;
      if (!node) { return false; }
      node.setSelected(true, true);
      api.ensureNodeVisible(node, 'middle');
      return true;
    },
    focus: function (view) {
      const gd = graph();
      if (!view || !gd) { return false; }
      return enqueue(function () {
        return window.Plotly.relayout(gd, {'map.center': view.center, 'map.zoom': view.zoom});
      }).then(function () { return true; });
    },
  };
})();
