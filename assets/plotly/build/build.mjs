// plotly.js's own esbuild settings (plotly.js 4.1.1, esbuild-config.js), applied to
// entry.js instead of lib/index.js: the package on npm ships lib/ but not the
// custom-bundle task, which needs a clone of the repository.
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { glsl } from 'esbuild-plugin-glsl';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';
import { readFile } from 'node:fs/promises';

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
    // MapLibre starts its worker when the first map is made, and the map waits for it
    // (about 0.2 s here) before it draws anything. entry.js starts it as the bundle loads,
    // while Dash is still building the page.
    file: 'plotly.js/src/plots/map/map.js',
    at: 'var proto = Map.prototype;\n',
    put:
      'var proto = Map.prototype;\n' +
      'Map.prewarm = function() { setWorkerUrl(); maplibregl.prewarm(); };\n' +
      // A map's first draw is painted once every source is in. Each frame drawn while the
      // tiles arrive costs about 100 ms in software GL and delays the tiles still to come
      // (8 frames in all before, 4 after). The painter's first frames go through (the style's
      // background, before the traces are added): MapLibre needs them to set itself up.
      'function paintWhenLoaded(map) {\n' +
      '    var painter = map.painter, paint = painter.render;\n' +
      '    var release = function() { painter.render = paint; };\n' +
      '    painter.render = function() {\n' +
      '        if(!map.loaded()) return;\n' +
      '        release();\n' +
      '        return paint.apply(painter, arguments);\n' +
      '    };\n' +
      '    setTimeout(release, 10000);  // never a map left unpainted for long\n' +
      '}\n',
  },
  {
    // ... applied when plotly.js adds the traces of a new map (createMap), not on updates:
    // a drag while tiles load must be drawn as it goes.
    file: 'plotly.js/src/plots/map/map.js',
    at: '            updateViewInitial(self, opts);\n            self.fillBelowLookup(calcData, fullLayout);\n',
    put: '            updateViewInitial(self, opts);\n            paintWhenLoaded(map);\n            self.fillBelowLookup(calcData, fullLayout);\n',
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
