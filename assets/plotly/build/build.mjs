// plotly.js's own esbuild settings (plotly.js 4.1.1, esbuild-config.js), applied to
// entry.js instead of lib/index.js: the package on npm ships lib/ but not the
// custom-bundle task, which needs a clone of the repository.
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { glsl } from 'esbuild-plugin-glsl';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';
import { readFile } from 'node:fs/promises';

// MapLibre fades labels in and out over 300 ms (its fadeDuration), drawing a frame on
// every animation frame meanwhile. In software GL one frame of the atlas's map costs
// about 100 ms, and Chromium queues them: a PNG export drew 45 frames before its
// picture was read (5.3 s), a map stayed busy after each switch. plotly.js 4.1.1 sets
// MapLibre's options itself and offers no way to pass this one, so its map.js is
// patched here; the build stops if the line it patches is no longer there.
const MAP_OPTION = '        doubleClickZoom: false,\n';
const noLabelFade = {
  name: 'no-label-fade',
  setup(b) {
    b.onLoad({ filter: /plotly\.js[\\/]src[\\/]plots[\\/]map[\\/]map\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (source.split(MAP_OPTION).length !== 2) throw new Error(`no "${MAP_OPTION.trim()}" in ${args.path}`);
      return { contents: source.replace(MAP_OPTION, `        fadeDuration: 0,\n${MAP_OPTION}`), loader: 'js' };
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
  plugins: [noLabelFade, InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' },
  target: 'es2016',
  logLevel: 'warning',
});
