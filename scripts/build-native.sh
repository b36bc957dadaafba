#!/usr/bin/env bash
# npm run build:native: generates the native sources made from tables, then builds the addon
# incrementally. node-gyp configures only when there is no Makefile yet or a source folder gained
# or lost a file since (binding.gyp lists the sources with ls at configure time; the Makefile
# itself tracks edits to binding.gyp and to every header).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/gen/generate.mjs
if [[ ! -f native/build/Makefile ]] ||
  [[ -n $(find native/core native/addon -type d -newer native/build/Makefile -print -quit) ]]; then
  node-gyp configure --directory=native
fi
node-gyp build --directory=native --jobs=2
