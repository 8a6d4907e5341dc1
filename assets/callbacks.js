/* The page's clientside callbacks (dash.ClientsideFunction("atlas", name)): each
   hands its work to window.atlas (atlas.js) or writes the view's address. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {atlas: (function () {
  const ID = window.atlasIds;
  const noUpdate = function () { return window.dash_clientside.no_update; };
  const counted = function (n) { return n ? String(n) : noUpdate(); };

  // The view's query string, written as dashboard.view.View.query writes it: keys in
  // order, a default left out unless the address named it, lists joined by commas.
  function encode(spec, values, before) {
    const pairs = [];
    spec.keys.forEach(function (key) {
      const value = values[key];
      const text = textOf(value);
      const named = before.has(key) && before.get(key) === text;
      if (text === textOf(spec.defaults[key]) && !named) { return; }
      if (text === '' && !(key === 'layers' && Array.isArray(value))) { return; }  // no layers at all is a view
      pairs.push(key + '=' + escape(text));
    });
    return pairs.length ? '?' + pairs.join('&') : '';
  }
  function textOf(value) {
    if (value === null || value === undefined) { return ''; }
    if (Array.isArray(value)) { return value.map(String).join(','); }
    return String(value);
  }
  // As Python's urlencode (quote_plus) with ',' kept.
  function escape(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    }).replace(/%20/g, '+').replace(/%2C/gi, ',');
  }
  function decimals(x) { return Number(x).toFixed(4).replace(/0+$/, '').replace(/\.$/, ''); }

  return {
    // An indicator, view or scheme chosen: what it shows, from the page's table
    // (dashboard.page.switch_table); a choice the table lacks changes nothing.
    switchMap: function (indicator, view, scheme, table) {
      const shown = table && table.map[indicator + '|' + view + '|' + scheme];
      return shown || [noUpdate(), noUpdate(), noUpdate(), noUpdate()];
    },
    switchBar: function (indicator, table) {
      const shown = table && table.bar[indicator];
      return shown || [noUpdate(), noUpdate()];
    },
    // The second map's view, indicator and scheme, when one is shown or the view was just chosen.
    askCompared: function (vs, indicator, scheme) {
      const chose = window.dash_clientside.callback_context.triggered.some(function (t) {
        return t.prop_id === ID.compare + '.value';
      });
      if (!vs && !chose) { return noUpdate(); }
      return {vs: vs, indicator: indicator, scheme: scheme};
    },
    // Controls, selection, the map's extent and the presenter's keys -> the view's query.
    writeView: function () {
      const args = Array.prototype.slice.call(arguments);
      const spec = args.pop(), query = args.pop(), presenter = args.pop() || {};
      const relayout = args.pop(), selected = args.pop();
      if (query === null || query === undefined) { return noUpdate(); }  // the link is not read yet
      const before = new URLSearchParams(query);
      const values = {};
      spec.controls.forEach(function (key, i) { values[key] = args[i]; });
      spec.presenter.forEach(function (key) { values[key] = presenter[key]; });
      values.sel = typeof selected === 'string' ? selected : null;
      // The map's own move; else the extent the view names (a move reported earlier may be stale).
      const moved = window.dash_clientside.callback_context.triggered.some(function (t) {
        return t.prop_id === ID.map + '.relayoutData';
      }) && relayout && relayout['map.center'] && typeof relayout['map.zoom'] === 'number';
      ['lon', 'lat', 'z'].forEach(function (key) { values[key] = before.get(key); });
      if (moved) {
        values.lon = decimals(relayout['map.center'].lon);
        values.lat = decimals(relayout['map.center'].lat);
        values.z = decimals(relayout['map.zoom']);
      }
      const out = encode(spec, values, before);
      return out === query ? noUpdate() : out;
    },
    // The address bar shows the view (no new history entry, and no callback: the
    // address is read only when a link is opened).
    showAddress: function (query) {
      if (typeof query !== 'string' || query === window.location.search) { return noUpdate(); }
      window.history.replaceState(window.history.state, '', window.location.pathname + query + window.location.hash);
      return query;
    },
    // The export links follow the view.
    exportLinks: function (query) {
      const q = query || '';
      return window.dash_clientside.callback_context.outputs_list.map(function (o) {
        return '/export/view.' + o.id.slice(ID.exportPrefix.length) + q;
      });
    },
    restyleChoropleth: async function (state) { return counted(await window.atlas.restyleChoropleth(state)); },
    restyleFeatures: async function (visible, selected, rows, data) {
      if (!document.getElementById(ID.grid)) { visible = rows; }  // another tab is open: no table drawn
      if (!visible) { return noUpdate(); }  // the table is not ready yet
      const n = await window.atlas.restyleFeatures(data, visible.map(function (r) { return r && r.id; }), selected);
      return n === false ? noUpdate() : String(n);
    },
    restyleFlows: async function (update) { return counted(await window.atlas.restyleTrace('flows', update)); },
    selectRow: function (fid) { return window.atlas.selectRow(fid) ? fid : noUpdate(); },
    focus: async function (focus) {
      return (await window.atlas.focus(focus)) ? JSON.stringify(focus) : noUpdate();
    },
    syncCompared: function () {
      const trigger = window.dash_clientside.callback_context.triggered[0];
      const from = trigger && trigger.prop_id.startsWith(ID.map + '.') ? ID.map : ID.mapCompare;
      window.atlas.syncMaps(from, from === ID.map ? ID.mapCompare : ID.map);
      return noUpdate();
    },
    followCompared: async function () {
      const done = await window.atlas.syncMaps(ID.map, ID.mapCompare, true);
      return done === false ? noUpdate() : String(Date.now());
    },
    // The slide a briefing choice or a press of ‹ or › asks for: from the last one asked
    // for while it is still this briefing's (the server may not have shown it yet).
    stepSlide: function (chosen, prev, next, target, presenter, sizes) {
      const trigger = window.dash_clientside.callback_context.triggered[0];
      const id = trigger && trigger.prop_id.split('.')[0];
      const pressed = {[ID.briefing]: chosen, [ID.slidePrev]: prev, [ID.slideNext]: next}[id];
      if (!pressed || !sizes) { return noUpdate(); }  // a rebuilt page, nothing pressed
      if (id === ID.briefing) {
        return sizes[chosen] ? {brief: chosen, slide: 1, asked: Date.now()} : noUpdate();
      }
      const now = presenter || {};
      const base = target && target.brief === now.brief ? target : now;
      const slide = (base.slide || 1) + (id === ID.slideNext ? 1 : -1);
      if (!sizes[base.brief] || slide < 1 || slide > sizes[base.brief]) { return noUpdate(); }  // stay
      return {brief: base.brief, slide: slide, asked: Date.now()};
    },
    fullscreen: function (n) {
      if (n && document.fullscreenEnabled && !document.fullscreenElement) {
        document.documentElement.requestFullscreen().catch(function () {});
      }
      return noUpdate();
    },
  };
})()});
