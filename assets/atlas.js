/* The component ids the page's scripts use, as dashboard/ids.py names them
   (a test holds them to it). */
window.atlasIds = {
  map: 'map', grid: 'feature-grid', slideNext: 'slide-next',
  slidePrev: 'slide-prev', presentExit: 'present-exit', briefing: 'briefing', exportPrefix: 'export-',
  uploadStatus: 'upload-status', uploadCheck: 'upload-check', compare: 'compare-view', tables: 'tables',
  read: 'read-section', selected: 'selected-feature', plan: 'plan', compareBox: 'compare-box',
  layoutPreload: 'layout-preload', gridScript: 'grid-script', featureSync: 'feature-sync',
};

/* Map updates in the browser. Every change to the map goes through one queue:
   plotly's map updates are asynchronous, and two at once can make MapLibre
   add the same source twice ("Source already exists"). */
window.atlas = (function () {
  const ID = window.atlasIds;
  let queue = Promise.resolve();
  let shown = {};  // trace index -> the ids it shows, joined
  let drawn = {};  // trace index -> whether it is visible now
  let current = null;  // the graph those describe (a link opened anew makes a new one)
  let seen = null;  // the places' data those describe (a new language sends new data)
  let firstMap = null;  // resolves once the first map is whole
  const counts = {map: 0, features: 0, redraws: 0, names: 0};  // redraws: feature updates that changed the map

  function plot(id) { return document.querySelector('#' + id + ' .js-plotly-plot'); }
  function graph() { return plot(ID.map); }
  // A trace's number on the map, by the uid dashboard/figures.map_figure gives it.
  function traceIndex(gd, uid) { return gd.data.findIndex(function (t) { return t.uid === uid; }); }

  // The map graph is loaded lazily: wait for it, and for a new one's map to
  // load its style. A restyle that reaches a map still loading its style
  // leaves MapLibre's layers out of step with the traces (plotly.js 4.1).
  function ready() {
    return new Promise(function (resolve) {
      (function check() {
        const gd = graph();
        const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
        if (sub && sub.map && window.Plotly && (gd === current || sub.map.isStyleLoaded())) {
          if (gd === current) { resolve(gd); return; }
          const fit = gd.layout.meta && gd.layout.meta.fit;
          // plotly.js 4.1.1 sets a new map's first view when it has loaded: a move before is lost.
          if (fit && !sub.map.loaded()) { setTimeout(check, 50); return; }
          current = gd; shown = {}; drawn = {}; seen = null;
          // A new map shows whole what its figure asks to fit, moving only if it does not already.
          const camera = fit && fitted(gd, fit, gd.layout.map.center, gd.layout.map.zoom);
          if (!camera) { resolve(gd); return; }
          window.Plotly.relayout(gd, {'map.center': camera.center, 'map.zoom': camera.zoom}).then(function () { resolve(gd); });
        }
        else { setTimeout(check, 50); }
      })();
    });
  }

  // The camera that shows `bounds` whole in the map's free part (right of the legend on a
  // screen wide enough for both, above a briefing's caption), or null if the view asked for
  // (`center`, `zoom`) shows them there already: a view that fits is kept as it was given;
  // one that does not moves and, if it must, widens, never zooming in past `zoom`.
  function fitted(gd, bounds, center, zoom) {
    const map = gd._fullLayout.map._subplot.map;
    const box = map.getCanvas().getBoundingClientRect();
    const legend = document.querySelector('.legend-block');
    const beside = legend && box.width > 700 ? Math.max(0, legend.getBoundingClientRect().right - box.left) : 0;
    const caption = document.querySelector('.present .slide-caption');
    const below = caption && caption.offsetParent ? Math.max(0, box.bottom - caption.getBoundingClientRect().top) : 0;
    const padding = {left: beside + 12, right: 12, top: 48, bottom: below + 24};
    if (center && shows(box, padding, bounds, center, zoom)) { return null; }
    const camera = map.cameraForBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], {padding: padding});
    if (!camera) { return null; }
    return {center: {lon: camera.center.lng, lat: camera.center.lat}, zoom: Math.min(camera.zoom, zoom)};
  }

  // Whether `bounds` lie inside the box less its padding at that centre and zoom (Web
  // Mercator, MapLibre's 512-pixel world at zoom 0).
  function shows(box, pad, bounds, center, zoom) {
    const size = 512 * Math.pow(2, zoom);
    const x = function (lon) { return (lon + 180) / 360 * size; };
    const y = function (lat) {
      const s = Math.sin(lat * Math.PI / 180);
      return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size;
    };
    const dx = box.width / 2 - x(center.lon), dy = box.height / 2 - y(center.lat);
    return x(bounds[0]) + dx >= pad.left - 2 && x(bounds[2]) + dx <= box.width - pad.right + 2
      && y(bounds[3]) + dy >= pad.top - 2 && y(bounds[1]) + dy <= box.height - pad.bottom + 2;
  }

  function enqueue(step) {
    const run = queue.then(step);
    queue = run.catch(function (err) { console.error('atlas map update', err); });
    return run;
  }

  // What a trace of a new map shows as the page built it (feature_layers.filled_traces,
  // the same arrays as below): its first update then redraws only the traces that differ,
  // not every one, which in software WebGL costs a second first paint.
  function seed(gd, index) {
    const t = gd.data[index];
    const ids = [];
    if (t.visible !== false) {
      (t.customdata || []).forEach(function (id) {
        // A badge's customdata is [its city, ...the ids it counts] (badgeArrays).
        if (Array.isArray(id)) { ids.push.apply(ids, id.slice(1)); }
        else if (id != null && ids[ids.length - 1] !== id) { ids.push(id); }
      });
    }
    shown[index] = ids.join('|');
    drawn[index] = t.visible !== false;
  }

  // A trace's arrays for the given ids. An empty trace is hidden instead:
  // plotly.js 4.1 fails ("Source already exists") when a map trace that had
  // points is given none and then some again.
  function arrays(data, trace, ids) {
    if (trace.geom === 'badge') { return badgeArrays(trace, ids); }
    const items = ids.map(function (id) { return lookup(data, trace, id); }).filter(Boolean);
    if (!items.length) { return {visible: false}; }
    const ids2 = items.map(function (it) { return it.id; });
    const hover = items.map(function (it) { return it.item.hover; });
    if (trace.geom === 'area') {
      return {visible: true, locations: ids2, z: ids2.map(function () { return 0; }),
              customdata: ids2, hovertext: hover};
    }
    if (trace.geom === 'line') {
      const out = {visible: true, lon: [], lat: [], customdata: [], hovertext: []};
      items.forEach(function (it) {
        out.lon.push.apply(out.lon, it.item.lon.concat([null]));
        out.lat.push.apply(out.lat, it.item.lat.concat([null]));
        it.item.lon.forEach(function () { out.customdata.push(it.id); out.hovertext.push(it.item.hover); });
        out.customdata.push(null); out.hovertext.push(null);
      });
      return out;
    }
    const out = {visible: true, customdata: ids2, hovertext: hover,
                 lon: items.map(function (it) { return it.item.lon; }),
                 lat: items.map(function (it) { return it.item.lat; }),
                 'marker.opacity': items.map(function (it) { return trace.highlight ? 0.9 : it.item.opacity; })};
    if (trace.text) { out.text = items.map(function (it) { return it.item.text; }); }
    return out;
  }

  // The cities' badges for the shown ids (in the trace's order): one per city, its count
  // as its text, its places' names in its hover, [city, ...ids] as its customdata. The
  // same arrays as dashboard/feature_layers.badge_arrays, which fills the page's first map.
  function badgeArrays(trace, ids) {
    const byCity = new Map();
    ids.forEach(function (id) {
      const item = trace.items[id];
      if (!item) { return; }
      if (!byCity.has(item.city)) { byCity.set(item.city, []); }
      byCity.get(item.city).push(id);
    });
    if (!byCity.size) { return {visible: false}; }
    const words = trace.words, most = trace.names;
    const out = {visible: true, lon: [], lat: [], text: [], customdata: [], hovertext: []};
    byCity.forEach(function (members, code) {
      const city = trace.cities[code];
      const listed = members.slice(0, most).map(function (id) { return trace.items[id].name; });
      if (members.length > most) { listed.push(words.more.split('{n}').join(String(members.length - most))); }
      const head = words.head.split('{city}').join(city.name).split('{n}').join(String(members.length));
      out.lon.push(city.lon);
      out.lat.push(city.lat);
      out.text.push(String(members.length));
      out.customdata.push([code].concat(members));
      out.hovertext.push(['<b>' + head + '</b>'].concat(listed, ['<i>' + words.click + '</i>']).join('<br>'));
    });
    return out;
  }

  // A feature's item: from its own trace, or for a highlight from whichever trace of the
  // same geometry holds it (a place known only to its city: at its city's badge).
  function lookup(data, trace, id) {
    const sources = trace.highlight ? data.filter(function (t) {
      return !t.highlight && (t.geom === trace.geom || (t.geom === 'badge' && trace.geom === 'point'));
    }) : [trace];
    for (const t of sources) {
      if (t.items[id]) { return {id: id, item: t.items[id]}; }
    }
    return null;
  }

  // Map traces' attributes changed and only their own MapLibre sources redrawn: the figure's
  // data, defaults and calcdata are brought up to date as Plotly.restyle would (so hover
  // texts and any later redraw follow), but plotly.js 4.1.1's restyle would then set the
  // data of every trace's source again (about a second for this map's 66 sources in
  // software WebGL). Not for a trace shown or hidden: that takes Plotly.restyle. The
  // internals come from the page's own plotly.js (assets/plotly/build/entry.js).
  // Only what changes is set, and only a trace whose drawing changes is drawn again: a new
  // language's hover texts need no repaint (a repaint is some 100 ms a frame here).
  function patch(gd, changes) {
    const redrawn = [];  // [index, the drawn attributes that changed]
    changes.forEach(function (c) {
      const trace = gd.data[c.index];
      const drawn = [];
      for (const [path, value] of Object.entries(c.update)) {
        const keys = path.split('.');
        let node = trace;
        keys.slice(0, -1).forEach(function (k) { node = node[k] = Object.assign({}, node[k]); });
        const last = keys[keys.length - 1];
        if (JSON.stringify(node[last]) === JSON.stringify(value)) { continue; }
        node[last] = value;
        if (!HOVER_ONLY.has(path)) { drawn.push(path); }
      }
      if (drawn.length) { redrawn.push([c.index, drawn]); }
    });
    const internals = window.Plotly.atlasInternals;
    internals.supplyDefaults(gd);
    internals.doCalcdata(gd);
    const subplot = gd._fullLayout.map._subplot;
    redrawn.forEach(function ([i, drawn]) {
      const trace = gd._fullData[i];
      if (trace.type === 'choroplethmap' && drawn.every(function (p) { return COLOURS_ONLY.has(p); })) {
        recolour(subplot.map, subplot.traceHash[trace.uid].sourceId, internals.choroplethColours(gd.calcdata[i]).geojson.features);
      } else {
        subplot.traceHash[trace.uid].update(gd.calcdata[i]);
      }
    });
  }
  const HOVER_ONLY = new Set(['customdata', 'hovertext', 'hovertemplate']);  // read on hover, not drawn
  const COLOURS_ONLY = new Set(['z', 'zmin', 'zmax', 'colorscale']);  // the same polygons, new fills

  // A choropleth's new fills as MapLibre feature state, which its layer draws first (the
  // page's plotly.js: assets/plotly/build/build.mjs): drawn in the next frame. plotly.js
  // 4.1.1 sets its source's data again instead, and MapLibre's workers cut the polygons
  // into tiles anew, each tile a frame of its own when it comes back: three repaints, not
  // one (about 100 ms each in software WebGL).
  function recolour(map, source, features) {
    features.forEach(function (f) { map.setFeatureState({source: source, id: f.id}, {fc: f.properties.fc}); });
  }

  // Whether an update leaves a trace as shown as it is (patch can draw it).
  function keepsShown(gd, index, update) {
    return gd._fullData[index].visible === true && (update.visible === undefined || update.visible === true);
  }

  // The places' traces drawn for the ids `idsOf(trace)` gives, in one restyle of the traces
  // that changed; with `again`, also of those showing the same ids (their texts are new).
  async function drawPlaces(gd, data, idsOf, again) {
    const changed = [];
    const reshown = [];  // clustered traces coming back into view
    for (const trace of data) {
      if (!(trace.index in shown)) { seed(gd, trace.index); }
      const ids = idsOf(trace);
      const signature = ids.join('|');
      if (shown[trace.index] === signature && !(again && signature)) { continue; }
      shown[trace.index] = signature;
      const update = arrays(data, trace, ids);
      if (trace.cluster && update.visible && !drawn[trace.index]) {
        // plotly.js 4.1 drops the clustering of a trace that is shown and given new
        // points in one step: give it the points first, then show it.
        delete update.visible;
        reshown.push(trace.index);
      }
      drawn[trace.index] = !!(update.visible || reshown.includes(trace.index));
      changed.push({index: trace.index, update: update});
    }
    if (changed.length) { counts.redraws += 1; }
    const kept = changed.filter(function (c) { return keepsShown(gd, c.index, c.update); });
    const others = changed.filter(function (c) { return !kept.includes(c); });
    if (kept.length) { patch(gd, kept); }
    if (others.length) {
      const keys = new Set();
      others.forEach(function (c) { Object.keys(c.update).forEach(function (k) { keys.add(k); }); });
      const update = {};
      // undefined leaves that trace's attribute as it is
      keys.forEach(function (k) { update[k] = others.map(function (c) { return c.update[k]; }); });
      await window.Plotly.restyle(gd, update, others.map(function (c) { return c.index; }));
    }
    if (reshown.length) { await window.Plotly.restyle(gd, {visible: false}, reshown); }
    if (reshown.length) { await window.Plotly.restyle(gd, {visible: true}, reshown); }
  }

  // One trace's arrays, by its uid; false if it shows them already (a restyle costs a repaint).
  function restyleUid(gd, uid, update) {
    const index = traceIndex(gd, uid);
    const signature = JSON.stringify(update);
    if (!update || shown[index] === signature) { return false; }
    shown[index] = signature;
    if (update.visible === false && gd._fullData[index].visible !== true) { return false; }  // hidden already
    if (keepsShown(gd, index, update)) { patch(gd, [{index: index, update: update}]); return true; }
    return window.Plotly.restyle(gd, wrap(update), [index]);
  }

  function wrap(update) {
    const out = {};
    for (const [key, value] of Object.entries(update)) { out[key] = [value]; }
    return out;
  }

  return {
    // Each returns a promise of a count of applied updates (tests wait on it),
    // or false when there is nothing to do.
    // The choropleth's colours, or its outline widths.
    restyleChoropleth: function (state) {
      if (!state) { return false; }
      return enqueue(async function () {
        const gd = await ready();
        patch(gd, [{index: traceIndex(gd, 'choropleth'), update: state}]);
      })
        .then(function () { counts.map += 1; return counts.map; });
    },
    // The plan's places: draw exactly the visible ids, and the selected one highlighted.
    restyleFeatures: function (data, visibleIds, selected) {
      if (!data) { return false; }
      // Worked out inside the queue, so that updates apply in the order they came.
      return enqueue(async function () {
        const gd = await ready();
        const relabelled = seen !== null && data !== seen;  // new data is a new language
        seen = data;
        const visible = new Set(visibleIds || []);
        await drawPlaces(gd, data, function (trace) {
          return trace.highlight ? (selected ? [selected] : []) : trace.order.filter(function (id) { return visible.has(id); });
        }, relabelled);
        counts.features += 1;
        return counts.features;
      });
    },
    featureRedraws: function () { return counts.redraws; },
    // Whether the first map is whole: its places drawn (restyleFeatures) and every tile in.
    whole: function () {
      const gd = graph();
      const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
      const placed = (document.getElementById(ID.featureSync) || {}).title;
      return !!(placed && sub && sub.map && sub.map.loaded() && !sub.map.isMoving());
    },
    // Resolves once the first map is whole and painted, 0.1 s more, and the page idle: what
    // waits for it (dashboard/later.py, AG Grid's bundle) takes the main thread neither from the
    // map nor from the moments after it is shown (a first click; anything that watches for the
    // map, as the benchmarks do every 50 ms). The map is whole one frame before it is painted
    // (build.mjs, holdPaint); MapLibre 6.9.0 sets _fullyLoaded as it paints it, and the frame
    // after that one is read back for the screen (about 0.25 s in software GL).
    afterFirstMap: function () {
      const self = this;
      firstMap = firstMap || new Promise(function (resolve) {
        (function check() {
          if (!self.whole() || !graph()._fullLayout.map._subplot.map._fullyLoaded) { setTimeout(check, 100); return; }
          window.requestAnimationFrame(function () {
            setTimeout(function () { window.requestIdleCallback(resolve, {timeout: 2000}); }, 100);
          });
        })();
      });
      return firstMap;
    },
    // The map in a new language, at once: the cities' and regions' names (by trace uid), the
    // places it shows (the new `data`, the same ids) and the links (map_callbacks.switch_language).
    relabel: function (texts, data) {
      if (!texts) { return false; }
      return enqueue(async function () {
        const gd = await ready();
        patch(gd, Object.keys(texts.names).map(function (uid) {
          return {index: traceIndex(gd, uid), update: {text: texts.names[uid]}};
        }));
        if (data && data !== seen) {
          seen = data;
          await drawPlaces(gd, data, function (trace) {  // the ids it shows, in the order restyleFeatures gives
            const now = shown[trace.index] ? shown[trace.index].split('|') : [];
            const has = new Set(now);
            return trace.highlight ? now : trace.order.filter(function (id) { return has.has(id); });
          }, true);
        }
        await restyleUid(gd, 'flows', texts.flows);
      }).then(function () { counts.names += 1; return counts.names; });
    },
    // The arrays a feature trace is given for these ids (tests compare them with the server's).
    arraysFor: function (data, index, ids) {
      return arrays(data, data.find(function (t) { return t.index === index; }), ids);
    },
    // Resolves when the updates queued so far are applied and the map has drawn them
    // (MapLibre draws on the next animation frame).
    painted: function () {
      const frame = function () { return new Promise(function (resolve) { requestAnimationFrame(resolve); }); };
      return enqueue(async function () { await frame(); await frame(); });
    },
    // One trace's arrays, as the server made them (the docking plan's flows), by its uid.
    restyleTrace: function (uid, update) {
      if (!update) { return false; }
      return enqueue(async function () { return restyleUid(await ready(), uid, update); }).then(function (done) {
        if (done === false) { return false; }
        counts.map += 1; return counts.map;
      });
    },
    // Move one map to where the other is (the compared maps pan and zoom together).
    // With `wait`, first wait (up to 20 s) for a newly made second map to load.
    syncMaps: function (fromId, toId, wait) {
      const self = this;
      const sub = function (id) {
        const gd = plot(id);
        return gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
      };
      if (wait) {
        return new Promise(function (resolve) {
          const until = Date.now() + 20000;
          (function check() {
            const a = sub(fromId), b = sub(toId);
            if (a && b && a.map.isStyleLoaded() && b.map.isStyleLoaded()) { self.syncMaps(fromId, toId); resolve(true); }
            else if (Date.now() > until) { resolve(false); }
            else { setTimeout(check, 100); }
          })();
        });
      }
      const a = sub(fromId), b = sub(toId);
      if (!a || !b) { return false; }
      const m = a.map, n = b.map;
      const c = m.getCenter(), d = n.getCenter();
      // Both report their moves: stop when they already agree.
      if (Math.abs(m.getZoom() - n.getZoom()) < 1e-3 && Math.abs(c.lng - d.lng) < 1e-5 && Math.abs(c.lat - d.lat) < 1e-5) {
        return false;
      }
      // Through plotly, so that its layout (and the address bar, for the main map) follows.
      window.Plotly.relayout(plot(toId),
                             {'map.center': {lon: c.lng, lat: c.lat}, 'map.zoom': m.getZoom()});
      return true;
    },
    // Select a place's row in the table and scroll it into view (once the table
    // exists: a shared link can name a place before the table is made).
    selectRow: function (fid, tries) {
      let api = null;
      try { api = window.dash_ag_grid && window.dash_ag_grid.getApi(ID.grid); } catch (err) { api = null; }
      if (!api) {
        if ((tries || 0) < 50 && fid) { setTimeout(function () { window.atlas.selectRow(fid, (tries || 0) + 1); }, 100); }
        return false;
      }
      const node = fid ? api.getRowNode(fid) : null;
      if (!node) { return false; }
      node.setSelected(true, true);
      api.ensureNodeVisible(node, 'middle');
      return true;
    },
    focus: function (view) {
      if (!view) { return false; }
      return enqueue(async function () {
        const gd = await ready();
        // A new slide's caption is measured as drawn: wait for the frame that draws it.
        if (document.querySelector('.present')) { await new Promise(function (resolve) { requestAnimationFrame(resolve); }); }
        const camera = (view.bounds && fitted(gd, view.bounds, view.center, view.zoom)) || view;
        return window.Plotly.relayout(gd, {'map.center': camera.center, 'map.zoom': camera.zoom});
      }).then(function () { return true; });
    },
  };
})();

/* Each press of ‹ or › (a click, or a key below), in the order pressed. Dash 4.4 hands
   a callback the clicks that arrive while it is busy as one call, and its trigger list
   does not say their order: at the last slide, "next" then "back" would step nowhere.
   atlas.stepSlide takes them from here instead. Capture phase: before React sees the click. */
window.atlas.presses = [];
document.addEventListener('click', function (event) {
  const ID = window.atlasIds;
  const button = event.target.closest && event.target.closest('#' + ID.slidePrev + ', #' + ID.slideNext);
  if (button) { window.atlas.presses.push(button.id === ID.slideNext ? 1 : -1); }
}, true);

/* A clicker or the arrow keys step through a briefing; Esc leaves the
   presentation. Each presses the button a mouse would. */
document.addEventListener('keydown', function (event) {
  const tag = (event.target && event.target.tagName) || '';
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || event.target.isContentEditable) { return; }
  const ID = window.atlasIds;
  const keys = {ArrowRight: ID.slideNext, PageDown: ID.slideNext, ArrowLeft: ID.slidePrev,
                PageUp: ID.slidePrev, Escape: ID.presentExit};
  const id = keys[event.key];
  if (!id || !document.querySelector('.app.present')) { return; }
  const button = document.getElementById(id);
  if (button) { event.preventDefault(); button.click(); }
});


/* On a touch screen, a swipe across a briefing's caption steps it (to the left: the next
   slide), pressing the button a finger would; the map keeps its own pan and zoom. */
(function () {
  let start = null;
  document.addEventListener('touchstart', function (event) {
    const caption = event.target.closest && event.target.closest('.present .slide-caption');
    start = caption && event.touches.length === 1 ? {x: event.touches[0].clientX, y: event.touches[0].clientY} : null;
  }, {passive: true});
  document.addEventListener('touchend', function (event) {
    if (!start) { return; }
    const touch = event.changedTouches[0];
    const dx = touch.clientX - start.x, dy = touch.clientY - start.y;
    start = null;
    if (Math.abs(dx) < 40 || Math.abs(dx) < 2 * Math.abs(dy)) { return; }  // a tap, or a scroll
    const button = document.getElementById(dx < 0 ? window.atlasIds.slideNext : window.atlasIds.slidePrev);
    if (button) { button.click(); }
  }, {passive: true});
})();

/* No lost clicks: a callback request that gets no answer (the worker that held
   it died) or a 502/503/504 from a proxy is sent once more. Dash 4.4's renderer
   posts callbacks through the global fetch, looked up at each call, so wrapping
   window.fetch covers every one. The upload's callback is never sent twice: an
   import is not idempotent. */
(function () {
  const send = window.fetch;
  const CALLBACK = '/_dash-update-component';
  const NOT_RETRIED = window.atlasIds.uploadStatus;  // the import's callback
  const RETRY_STATUS = [502, 503, 504];
  const RETRY_AFTER_MS = 200;  // a moment for a proxy or the server to take another worker

  function retryable(input, init) {
    if (!init || String(init.method || '').toUpperCase() !== 'POST' || typeof init.body !== 'string') { return false; }
    try {
      const url = new URL(input instanceof Request ? input.url : String(input), window.location.href);
      if (!url.pathname.endsWith(CALLBACK)) { return false; }  // under any path prefix
      const outputs = [].concat(JSON.parse(init.body).outputs || []);
      return !outputs.some(function (o) { return o && o.id === NOT_RETRIED; });
    } catch (err) { return false; }
  }

  function again(input, init) {
    return new Promise(function (resolve) { setTimeout(resolve, RETRY_AFTER_MS); })
      .then(function () { return send.call(window, input, init); });
  }

  window.fetch = function (input, init) {
    const preloaded = document.getElementById(window.atlasIds.layoutPreload);
    if (preloaded && typeof input === 'string' && /\/_dash-layout$/.test(input)) {
      // The layout the page's head asked for already (dashboard/preload.py): a page opened on
      // a link is built for its view at once (dashboard/layout.page_layout), not plain and then
      // rebuilt.
      return send.call(window, preloaded.getAttribute('href'), init);
    }
    if (!retryable(input, init)) { return send.apply(window, arguments); }
    return send.call(window, input, init).then(function (resp) {
      return RETRY_STATUS.includes(resp.status) ? again(input, init) : resp;
    }, function (err) {
      if (init.signal && init.signal.aborted) { throw err; }  // cancelled by the page: not a failure
      return again(input, init);
    });
  };
})();


/* A PNG takes seconds to draw on the server: fetch it, show that it is being
   prepared, and when the server is busy (503) count down its Retry-After and
   ask again. The text is the link's data-status (drawn by the stylesheet), so
   the link React renders is left as it is. */
document.addEventListener('click', function (event) {
  const link = event.target.closest && event.target.closest('#' + window.atlasIds.exportPrefix + 'png');
  if (!link || !window.fetch || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
  event.preventDefault();
  if (link.dataset.status) { return; }  // already on its way
  const say = function (text) {
    if (text) { link.dataset.status = text; } else { delete link.dataset.status; }
  };
  (function attempt(tries) {
    say(link.dataset.preparing);
    fetch(link.href).then(function (resp) {
      if (resp.status === 503 && tries < 30) {
        let left = parseInt(resp.headers.get('Retry-After'), 10) || 10;
        (function tick() {
          if (left <= 0) { attempt(tries + 1); return; }
          say(link.dataset.busy.replace('{s}', left));
          left -= 1;
          setTimeout(tick, 1000);
        })();
        return null;
      }
      if (!resp.ok) { throw new Error('HTTP ' + resp.status); }
      const named = /filename=([^;]+)/.exec(resp.headers.get('Content-Disposition') || '');
      return resp.blob().then(function (blob) {
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = named ? named[1] : 'jiaodong.png';
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        say(null);
      });
    }).catch(function (err) {
      console.warn('PNG export', err);
      say(link.dataset.failed);
      setTimeout(function () { say(null); }, 5000);
    });
  })(0);
});
