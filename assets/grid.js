/* AG Grid's bundle (dash-ag-grid 35.3.0) runs once the first map is whole and the page idle,
   or when a table is first drawn if that is sooner; not with the page (dashboard/tables.py).
   Dash 4.4.1 looks up window.dash_ag_grid.AgGrid for every grid in the layout as the page
   loads, and for each render: until the bundle has run it finds this stand-in, which runs the
   bundle when it is first mounted and then draws the real grid inside itself. The bundle's
   namespace then takes this one's place, its AgGrid still the stand-in, so that Dash renders
   the same component before and after and no grid is made twice. */
(function () {
  const React = window.React;
  let real = null;
  let loading = null;

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        const script = document.createElement('script');
        script.src = document.getElementById(window.atlasIds.gridScript).href;  // dashboard/preload.py
        script.onload = function () {
          real = window.dash_ag_grid.AgGrid;
          AgGrid.dashPersistence = real.dashPersistence;
          window.dash_ag_grid = Object.assign({}, window.dash_ag_grid, {AgGrid: AgGrid});
          resolve();
        };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function AgGrid(props) {
    const [, setLoaded] = React.useState(!!real);
    React.useEffect(function () {
      if (!real) { load().then(function () { setLoaded(true); }); }
    }, []);
    // (until then, the room the grid will take)
    return real ? React.createElement(real, props) : React.createElement('div', {style: props.style});
  }
  // As the real AgGrid: Dash tells it whether a render is its own or its parent's.
  AgGrid.dashRenderType = true;
  // Dash waits for a lazy component before it gives it a callback's output: for the bundle
  // while it loads, then as for the real AgGrid (its own chunk). A grid not yet drawn is given
  // its props when it is drawn (Dash keeps them in its store).
  Object.defineProperty(AgGrid, '_dashprivate_isLazyComponentReady', {
    get: function () {
      if (real) { return real._dashprivate_isLazyComponentReady; }
      return loading && loading.then(function () { return real._dashprivate_isLazyComponentReady; });
    },
  });

  window.dash_ag_grid = {AgGrid: AgGrid, getApi: function () { return undefined; }};

  // Once the first map is whole (assets/atlas.js) the bundle, about 0.3 s of a core, runs when
  // the page is idle, so that a table opened after that opens as fast as with the bundle in the
  // page (run at a table's first opening, that opening took 1.0 s instead of 0.4 s).
  // (in an idle period after the one dashboard/later.py's parts are put in at)
  window.atlas.afterFirstMap().then(function () { window.requestIdleCallback(load, {timeout: 2000}); });
})();
