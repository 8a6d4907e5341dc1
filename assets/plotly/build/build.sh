#!/bin/sh
# Rebuilds assets/plotly/plotly-atlas.min.js from the npm registry, with the versions
# package-lock.json pins. Usage: build.sh [OUT] (default: the committed file).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/../plotly-atlas.min.js}")
# A fixed folder: the inlined CSS's element id is a hash of its absolute path
# (esbuild-plugin-inline-css 0.0.1), so the same path gives the same bytes.
work=/tmp/atlas-plotly-bundle
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$here/build.mjs" "$here/../../style.css" "$work/"
cd "$work"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node build.mjs "$work/plotly-atlas.min.js"
cp node_modules/plotly.js/LICENSE "$(dirname "$out")/LICENSE-plotly.js.txt"
mv "$work/plotly-atlas.min.js" "$out"
