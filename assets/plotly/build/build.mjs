// plotly.js's own esbuild settings (plotly.js 4.1.1, esbuild-config.js), applied to
// entry.js instead of lib/index.js: the package on npm ships lib/ but not the
// custom-bundle task, which needs a clone of the repository.
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { glsl } from 'esbuild-plugin-glsl';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';
import { readFile } from 'node:fs/promises';

// Changes to plotly.js 4.1.1's own files, each for something it offers no option for.
// The build stops if a line a change is made at is no longer there exactly once.
const PATCHES = [
  {
    // MapLibre fades labels in and out over 300 ms (its fadeDuration), drawing a frame on
    // every animation frame meanwhile; in software GL a frame of the atlas's map costs
    // about 100 ms, and Chromium queues them: a PNG export drew 45 frames before its
    // picture was read (5.3 s; 15 frames and 2.6 s without the fade).
    file: 'src/plots/map/map.js',
    at: '        doubleClickZoom: false,\n',
    put: '        fadeDuration: 0,\n        doubleClickZoom: false,\n',
  },
  {
    // A choropleth's fill follows MapLibre's feature state where the page has set it
    // (assets/atlas.js recolours that way: one frame, no new tiles), else the data's.
    file: 'src/traces/choroplethmap/convert.js',
    at: "        'fill-color': {type: 'identity', property: 'fc'},\n",
    put: "        'fill-color': ['coalesce', ['feature-state', 'fc'], ['get', 'fc']],\n",
  },
  {
    // ... and when plotly.js draws the trace itself, the state takes the data's colours.
    file: 'src/traces/choroplethmap/plot.js',
    at: '        .setData(optsAll.geojson);\n',
    put:
      '        .setData(optsAll.geojson);\n' +
      '    (optsAll.geojson.features || []).forEach(function(f) {\n' +  // (a hidden trace's is a blank Point)
      '        if(f.id !== undefined) subplot.map.setFeatureState({source: this.sourceId, id: f.id}, {fc: f.properties.fc});\n' +
      '    }, this);\n',
  },
];
const patched = {
  name: 'patched-plotly',
  setup(b) {
    b.onLoad({ filter: /plotly\.js[\\/]src[\\/].*\.js$/ }, async (args) => {
      const mine = PATCHES.filter((p) => args.path.replaceAll('\\', '/').endsWith(`plotly.js/${p.file}`));
      if (!mine.length) return undefined;
      let source = await readFile(args.path, 'utf8');
      for (const p of mine) {
        if (source.split(p.at).length !== 2) throw new Error(`not once in ${p.file}: ${p.at.trim()}`);
        source = source.replace(p.at, p.put);
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
