// plotly.js's own esbuild settings (plotly.js 4.1.1, esbuild-config.js), applied to
// entry.js instead of lib/index.js: the package on npm ships lib/ but not the
// custom-bundle task, which needs a clone of the repository.
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { glsl } from 'esbuild-plugin-glsl';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';
import { readFile } from 'node:fs/promises';

// The page's own font for Chinese text (assets/style.css, copied here by build.sh), which
// the map's Chinese labels are drawn in too.
const css = await readFile('style.css', 'utf8');
const PAGE_FONTS = css.match(/^html, body \{[^}]*font-family: ([^;]+);/m)[1];

// Changes to plotly.js 4.1.1's own files (and one to MapLibre 6.9.0's), each for something
// they offer no option for.
// The build stops if what a change is made at is not found as many times as it says (once).
const PATCHES = [
  {
    // MapLibre fades labels in and out over 300 ms (its fadeDuration), drawing a frame on
    // every animation frame meanwhile; in software GL a frame of the atlas's map costs
    // about 100 ms, and Chromium queues them: a PNG export drew 45 frames before its
    // picture was read (5.3 s; 15 frames and 2.6 s without the fade).
    file: 'plotly.js/src/plots/map/map.js',
    at: '        doubleClickZoom: false,\n',
    put: '        fadeDuration: 0,\n        doubleClickZoom: false,\n',
  },
  {
    // MapLibre draws Chinese labels itself (TinySDF), in the labels' font stack: plotly.js
    // 4.1.1 names one of its web fonts there ('Open Sans Regular'), which the page does not
    // load, so each character was looked for in the system's fonts (Chromium asks fontconfig
    // once per new character: 64 of the first map's ms, for 77 characters, on Debian). They
    // are drawn in the page's own font for Chinese text instead ...
    file: 'plotly.js/src/plots/map/map.js',
    at: '        doubleClickZoom: false,\n',
    put: `        localIdeographFontFamily: ${JSON.stringify(PAGE_FONTS)},\n        doubleClickZoom: false,\n`,
  },
  {
    // ... which MapLibre 6.9.0 uses only for labels in its default font stack.
    file: 'maplibre-gl/dist/maplibre-gl.mjs',
    at: /=\w+===\w+&&(this\.localIdeographFontFamily!==``&&)/g,
    put: '=$1',
  },
  {
    // MapLibre starts its worker when the first map is made, and the map waits for it
    // (about 0.2 s here) before it draws anything. entry.js starts it as the bundle loads,
    // while Dash is still building the page.
    file: 'plotly.js/src/plots/map/map.js',
    at: 'var proto = Map.prototype;\n',
    put:
      'var proto = Map.prototype;\n' +
      'Map.prewarm = function() { setWorkerUrl(); maplibregl.prewarm(); };\n' +
      // A new map is painted once, when its traces are in and every source is loaded. Each
      // frame costs 40-100 ms in software GL (the canvas is read back for the compositor)
      // and delays the tiles still to come: the style's own frames (its background, before
      // plotly.js adds the traces) and those drawn while the tiles arrive are skipped.
      // holdPaint(map) returns what to call once the traces are added.
      'function holdPaint(map) {\n' +
      '    var painter = map.painter, paint = painter.render, traced = false, placing = false;\n' +
      '    var release = function() { painter.render = paint; };\n' +
      '    painter.render = function(style) {\n' +
      // (MapLibre 6.9.0's tiles read the painter's style as they load: set as render sets it)
      '        if(!traced || !map.loaded()) { painter.style = style; return; }\n' +
      // MapLibre 6.9.0 places the labels of tiles that arrived in this frame again in the
      // next (their placement is marked stale, and the map is drawn twice): the first map's
      // labels are placed once more before it is painted, and it is painted once.
      '        if(map._placementDirty && !placing) { placing = true; painter.style = style; return; }\n' +
      '        release();\n' +
      '        return paint.apply(painter, arguments);\n' +
      '    };\n' +
      '    setTimeout(release, 10000);  // never a map left unpainted for long\n' +
      '    return function() { traced = true; };\n' +
      '}\n',
  },
  {
    // ... from when plotly.js makes a map (createMap; its later updates are drawn as they go:
    // a drag while tiles load must be seen) ...
    file: 'plotly.js/src/plots/map/map.js',
    at: '    // make sure canvas does not inherit left and top css\n',
    put: '    var tracesAdded = holdPaint(map);\n\n    // make sure canvas does not inherit left and top css\n',
  },
  {
    // ... until its traces are added and loaded.
    file: 'plotly.js/src/plots/map/map.js',
    at: '            updateViewInitial(self, opts);\n            self.fillBelowLookup(calcData, fullLayout);\n',
    put: '            updateViewInitial(self, opts);\n            tracesAdded();\n            self.fillBelowLookup(calcData, fullLayout);\n',
  },
  {
    // A choropleth's fill follows MapLibre's feature state where the page has set it
    // (assets/atlas.js recolours that way: one frame, no new tiles), else the data's.
    file: 'plotly.js/src/traces/choroplethmap/convert.js',
    at: "        'fill-color': {type: 'identity', property: 'fc'},\n",
    put: "        'fill-color': ['coalesce', ['feature-state', 'fc'], ['get', 'fc']],\n",
  },
  {
    // MapLibre 6.9.0 cannot apply feature state to a source whose layers draw with legacy
    // functions ({type: 'identity'}): "this.expression.evaluate is not a function". The
    // choropleth's other per-feature paints become expressions too (opacities, a city's
    // heavier outline).
    file: 'plotly.js/src/traces/choroplethmap/convert.js',
    at: /\{type: 'identity', property: '(\w+)'\}/g,
    times: 5,
    put: "['get', '$1']",
  },
  {
    // ... and when plotly.js draws the trace itself, the state takes the data's colours.
    file: 'plotly.js/src/traces/choroplethmap/plot.js',
    at: '        .setData(optsAll.geojson);\n',
    put:
      '        .setData(optsAll.geojson);\n' +
      '    (optsAll.geojson.features || []).forEach(function(f) {\n' +  // (a hidden trace's is a blank Point)
      '        if(f.id !== undefined) subplot.map.setFeatureState({source: this.sourceId, id: f.id}, {fc: f.properties.fc});\n' +
      '    }, this);\n',
  },
  {
    // MapLibre 6.9.0 applies feature state to a tile that arrives after a layer on its
    // source was added anew (plotly.js re-adds a trace's layers when their order changes)
    // with that layer's paint not yet worked out, a constant: "this.expression.evaluate is
    // not a function", and the map's update fails. Such a tile is skipped here; the new
    // layer has its source's tiles made again anyway.
    file: 'maplibre-gl/dist/maplibre-gl-shared.mjs',
    at: 's.expression.isStateDependent===!0&&(s.expression=r.paint.get(n).value,',
    put: 's.expression.isStateDependent===!0&&r.paint.get(n).value.evaluate&&(s.expression=r.paint.get(n).value,',
  },
  {
    // MapLibre 6.9.0 draws the sky in every frame, a pass over the whole canvas (and one
    // more shader to compile for the first), though a flat map has no horizon in view:
    // 13 of 74 ms per frame of the atlas's map in software GL. Drawn when the map is
    // tilted or not Mercator; the sea (the style's background) covers a flat map anyway.
    file: 'maplibre-gl/dist/maplibre-gl.mjs',
    at: 'this.style.sky&&this.drawFunctions.sky(this,this.style.sky)',
    put:
      "this.style.sky&&(this.transform.pitch>0||this.style.projection.name!=='mercator')" +
      '&&this.drawFunctions.sky(this,this.style.sky)',
  },
  {
    // plotly.js 4.1.1 resolves a map's update (Plotly.restyle, relayout, react) at the first
    // 'render' event at which the map is loaded. MapLibre 6.9.0 can be loaded only after a
    // frame's last 'render': the tiles it held for fading labels, still loading, are let go
    // after the event, and the map goes idle with nothing left to draw. The update's promise
    // then waited for a frame that never came, and every later call on the plot with it
    // (assets/atlas.js queues them): a table filter no longer reached the map. 'idle' is
    // fired after a frame drawn with everything loaded, so it resolves the update too.
    file: 'plotly.js/src/plots/map/map.js',
    at: /    map\.on\('render', function onRender\(\) \{[^]*?\n    \}\);\n/,
    put:
      '    var onRender = function() {\n' +
      '        if(!map.loaded()) return;\n' +
      "        map.off('render', onRender);\n" +
      "        map.off('idle', onRender);\n" +
      '        setTimeout(resolve, 10);  // (plotly.js: after the render loop, for a map-gl 1.3.0 bug)\n' +
      '    };\n' +
      "    map.on('render', onRender);\n" +
      "    map.on('idle', onRender);\n",
  },
  {
    // A scattermap trace's markers and their labels are the same points, in the same order,
    // but plotly.js 4.1.1 gives each its own source: MapLibre's worker tiles each apart
    // (eight sources of the places and names, six tiles each, on the first map). Here the
    // labels' layer draws from the markers' source, whose points carry both's properties.
    file: 'plotly.js/src/traces/scattermap/convert.js',
    at: '    return opts;\n};\n\nfunction initContainer',
    put:
      '    if (!hasCluster) {\n' +
      '        var both = circle.layout.visibility === \'visible\' && symbol.layout.visibility === \'visible\';\n' +
      '        if (both) symbol.geojson.features.forEach(function (f, i) {\n' +
      '            Lib.extendFlat(circle.geojson.features[i].properties, f.properties);\n' +
      '        });\n' +
      '        circle.geojson = symbol.geojson = both || circle.layout.visibility === \'visible\' ? circle.geojson : symbol.geojson;\n' +
      '    }\n' +
      '    return opts;\n};\n\nfunction initContainer',
  },
  {
    file: 'plotly.js/src/traces/scattermap/plot.js',
    at: "        symbol: 'source-' + uid + '-symbol',\n",
    put: "        symbol: 'source-' + uid + '-circle',  // (the markers' source: convert.js)\n",
  },
  {
    // ... whose data is then set once per update, not once per layer ...
    file: 'plotly.js/src/traces/scattermap/plot.js',
    at: '    var isSourceExists = this.subplot.map.getSource(this.sourceIds[k]);\n    if(isSourceExists) {\n        isSourceExists.setData(opts.geojson);\n    } else {\n        this.subplot.map.addSource(this.sourceIds[k], sourceOpts);\n    }\n};\n\nproto.setSourceData = function(k, opts) {\n    this.subplot.map\n        .getSource(this.sourceIds[k])\n        .setData(opts.geojson);\n};\n',
    put:
      '    var isSourceExists = this.subplot.map.getSource(this.sourceIds[k]);\n    if(isSourceExists) {\n        this.setSourceData(k, opts);\n    } else {\n        this.subplot.map.addSource(this.sourceIds[k], sourceOpts);\n        this.dataOf[this.sourceIds[k]] = opts.geojson;\n    }\n};\n\n' +
      'proto.setSourceData = function(k, opts) {\n' +
      '    var id = this.sourceIds[k];\n' +
      '    if(this.dataOf[id] === opts.geojson) return;\n' +
      '    this.dataOf[id] = opts.geojson;\n' +
      '    this.subplot.map.getSource(id).setData(opts.geojson);\n' +
      '};\n',
  },
  {
    file: 'plotly.js/src/traces/scattermap/plot.js',
    at: '    this.below = null;\n}\n',
    put: '    this.below = null;\n    this.dataOf = {};  // the data last set on each source\n}\n',
  },
  {
    // ... and which goes with the markers' layer, the last to be removed.
    file: 'plotly.js/src/traces/scattermap/plot.js',
    at: '            if(!noSource) map.removeSource(lThis.sourceIds[k]);\n',
    put: "            if(!noSource && k !== 'symbol') map.removeSource(lThis.sourceIds[k]);\n",
  },
  {
    file: 'plotly.js/src/traces/scattermap/plot.js',
    at: '        map.removeLayer(this.layerIds[k]);\n        map.removeSource(this.sourceIds[k]);\n',
    put: "        map.removeLayer(this.layerIds[k]);\n        if(k !== 'symbol') map.removeSource(this.sourceIds[k]);\n",
  },
  {
    // MapLibre 6.9.0 compiles one shader for each mix of constant and per-feature paints it
    // meets, as the first map is drawn (in software GL, each costs its link and a first draw).
    // A choropleth's fill also draws its edges a second time, antialiased, in the fill's own
    // colour: the choropleth's line layer covers them (the atlas's choropleths all have one),
    // and that pass was a shader of its own.
    file: 'plotly.js/src/traces/choroplethmap/convert.js',
    at: "        'fill-opacity': opacitySetting\n    });\n",
    put: "        'fill-opacity': opacitySetting,\n        'fill-antialias': false\n    });\n",
  },
  {
    // The places' markers (opacity per point), their clusters (radius by count) and the
    // cities' badges (neither) were three circle shaders; each reads its radius and opacity
    // per point now, with its constant as the fallback: one shader. A layer at opacity 0
    // keeps its constant, by which MapLibre skips drawing it.
    file: 'plotly.js/src/traces/scattermap/convert.js',
    at: '    if (hasCircles && hasCluster) {\n',
    put:
      "    perPoint(circle.paint, 'circle-radius', 'mrc');\n" +
      "    perPoint(circle.paint, 'circle-opacity', 'mo');\n" +
      "    if (opts.cluster) perPoint(opts.cluster.paint, 'circle-opacity', 'mo');\n\n" +
      '    if (hasCircles && hasCluster) {\n',
  },
  {
    file: 'plotly.js/src/traces/scattermap/convert.js',
    at: 'function arrayifyAttribute(values, step) {\n',
    put:
      'function perPoint(paint, key, property) {\n' +
      '    var value = paint[key];\n' +
      "    if (typeof value === 'number' && value !== 0) paint[key] = ['coalesce', ['get', property], value];\n" +
      '}\n\n' +
      'function arrayifyAttribute(values, step) {\n',
  },
  {
    // dcc.Graph (dash 4.4.1) asks plotly.js to fit each graph to its box once it is drawn, and
    // once more when its box is first observed; plotly.js then relays the plot out anew (every
    // trace's defaults again: 40-60 ms for the map, while it loads) and tells Dash its layout
    // changed, though the plot already has its box's size. It does so only if the size differs,
    // as plotAutoSize would find it (a pixel either way is the same size there too).
    file: 'plotly.js/src/plots/plots.js',
    at: '            delete gd.layout.width;\n            delete gd.layout.height;\n',
    put:
      '            var drawn = gd._fullLayout, box = window.getComputedStyle(gd);\n' +
      '            if(drawn && !gd._context.fillFrame &&\n' +
      '                Math.abs(drawn.width - parseFloat(box.width)) <= 1 &&\n' +
      '                Math.abs(drawn.height - parseFloat(box.height)) <= 1) {\n' +
      '                resolve(gd);\n' +
      '                return;\n' +
      '            }\n\n' +
      '            delete gd.layout.width;\n            delete gd.layout.height;\n',
  },
];
const patched = {
  name: 'patches',
  setup(b) {
    b.onLoad({ filter: /node_modules[\\/](plotly\.js[\\/]src|maplibre-gl[\\/]dist)[\\/].*\.m?js$/ }, async (args) => {
      const mine = PATCHES.filter((p) => args.path.replaceAll('\\', '/').endsWith(`/node_modules/${p.file}`));
      if (!mine.length) return undefined;
      let source = await readFile(args.path, 'utf8');
      for (const p of mine) {
        const found = typeof p.at === 'string' ? source.split(p.at).length - 1 : (source.match(p.at) || []).length;
        if (found !== (p.times || 1)) throw new Error(`${found} times in ${p.file}, not ${p.times || 1}: ${p.at}`);
        source = source.replace(p.at, p.put);  // (a /g pattern: every one)
      }
      return { contents: source, loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['entry.js'],
  outfile: process.argv[2],
  format: 'iife',
  globalName: 'Plotly',
  bundle: true,
  minify: true,
  legalComments: 'eof',
  plugins: [patched, InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' },
  target: 'es2016',
  logLevel: 'warning',
});
