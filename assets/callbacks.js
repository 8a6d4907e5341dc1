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
    // The second map's view, indicator and scheme, when one is wanted or one shown must go
    // (a new language builds the controls anew: with no second map, nothing is asked).
    askCompared: function (vs, indicator, scheme) {
      if (!vs && !document.querySelector('#' + ID.compareBox + ' .map-box')) { return noUpdate(); }
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
    relabel: async function (texts, data) { return counted(await window.atlas.relabel(texts, data)); },
    restyleFeatures: async function (rows, visible, tab, selected, data) {
      // The open table's rows, its column filters applied (none until it has drawn them);
      // else every row it holds.
      const open = tab === 'features';
      const trigger = window.dash_clientside.callback_context.triggered.map(function (t) { return t.prop_id; });
      if (open && trigger.length === 1 && trigger[0] === ID.grid + '.rowData') { return noUpdate(); }  // its filters follow
      // A table just opened has no filters yet, and its last rows may be an older table's.
      const shown = open && visible && trigger.indexOf(ID.tables + '.value') < 0 ? visible : rows;
      if (!shown) { return noUpdate(); }
      const n = await window.atlas.restyleFeatures(data, shown.map(function (r) { return r && r.id; }), selected);
      return n === false ? noUpdate() : String(n);
    },
    restyleFlows: async function (update) { return counted(await window.atlas.restyleTrace('flows', update)); },
    // The parts put in once the first map is whole, each in the place of its id (dashboard/later.py).
    // A place filled meanwhile keeps what it has: a new language builds the parts in place, and
    // an import refreshes the cards and the gaps.
    later: async function (parts) {
      const outputs = window.dash_clientside.callback_context.outputs_list;  // (only until the first await)
      await window.atlas.afterFirstMap();
      return outputs.map(function (o) {
        const filled = document.getElementById(o.id).childElementCount > 0;
        return o.id in parts && !filled ? parts[o.id] : noUpdate();
      });
    },
    closeTables: function (n) { return n ? '' : noUpdate(); },  // no tab is selected: the drawer is closed
    // The controls are folded by the screen's width until the button says otherwise.
    toggleControls: function (n) {
      const controls = document.querySelector('main .controls');
      if (!n || !controls) { return noUpdate(); }
      return window.getComputedStyle(controls).display === 'none' ? 'controls-open' : 'controls-closed';
    },
    selectRow: function (fid) { return window.atlas.selectRow(fid) ? fid : noUpdate(); },
    focus: async function (focus) {
      return (await window.atlas.focus(focus)) ? JSON.stringify(focus) : noUpdate();
    },
    syncCompared: function () {
      const trigger = window.dash_clientside.callback_context.triggered[0];
      // (the second map is the graph in its box: dashboard/layout.compare_map)
      const from = trigger && trigger.prop_id.startsWith(ID.map + '.') ? ID.map : ID.compareBox;
      window.atlas.syncMaps(from, from === ID.map ? ID.compareBox : ID.map);
      return noUpdate();
    },
    followCompared: async function (children) {
      const second = [].concat(children || []).some(function (c) { return c && c.props && c.props.className === 'map-box'; });
      if (!second) { return noUpdate(); }  // no second map (dashboard/layout.compare_map)
      const done = await window.atlas.syncMaps(ID.map, ID.compareBox, true);
      return done === false ? noUpdate() : String(Date.now());
    },
    // The slide a briefing choice and the presses of ‹ and › ask for, the presses taken in
    // the order pressed (atlas.presses: one call may carry several), from the last slide
    // asked for while it is still this briefing's (the server may not have shown it yet).
    stepSlide: function (chosen, prev, next, target, presenter, sizes) {
      const presses = window.atlas.presses.splice(0);
      const triggered = window.dash_clientside.callback_context.triggered.map(function (t) {
        return t.prop_id.split('.')[0];
      });
      const still = [noUpdate(), noUpdate()];
      if (!sizes) { return still; }
      const now = presenter || {};
      const chose = triggered.indexOf(ID.briefing) >= 0 && sizes[chosen];
      const brief = chose ? chosen : now.brief;
      let slide = chose ? 1 : (target && target.brief === now.brief ? target : now).slide;
      if (!sizes[brief] || !slide) { return still; }  // no briefing shown, or a rebuilt page
      const from = slide;
      presses.forEach(function (step) { slide = Math.min(sizes[brief], Math.max(1, slide + step)); });
      // A press past the first or last slide stays. A step hides the caption's words until
      // the map shows the slide (landCaption).
      if (!chose && slide === from) { return still; }
      return [{brief: brief, slide: slide, asked: Date.now()}, 'slide-caption turning'];
    },
    // The caption's words back, once the map has drawn what the step changed (slides.py
    // says why this runs last): after the map's next frames, so they show together.
    landCaption: async function (text, mapSync, featureSync, flowsSync, focusSync, cls) {
      if (!cls || cls.indexOf('turning') < 0) { return noUpdate(); }
      await window.atlas.painted();
      return 'slide-caption';
    },
    // Each plan's line in the header: shown when that plan is chosen, or all of them.
    showSubtitles: function (plan) {
      return window.dash_clientside.callback_context.outputs_list.map(function (o) {
        return !(plan === 'both' || o.id === 'subtitle-' + plan);
      });
    },
    fullscreen: function (n) {
      if (n && document.fullscreenEnabled && !document.fullscreenElement) {
        document.documentElement.requestFullscreen().catch(function () {});
      }
      return noUpdate();
    },
  };
})()});
