#!/bin/sh
# Builds the portal's CSS and copies GOV.UK Frontend's JavaScript into portal/static/dist/.
#
#   frontend/build.sh                 install the pinned packages (npm ci), then build
#   frontend/build.sh --no-install    build with the node_modules already installed
#
# Works from a clean checkout; needs Node 20+ and npm (the registry only for `npm ci`).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dist="$here/../portal/static/dist"
govuk="$here/node_modules/govuk-frontend/dist/govuk"

cd "$here"
if [ "${1:-}" != "--no-install" ]; then
  # No install scripts: sass is plain JavaScript; only its optional file watcher has one.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

rm -rf "$dist"
mkdir -p "$dist"

./node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps "$here/scss/portal.scss" "$dist/portal.css"

# The ES module build: portal/static/js/init.js imports initAll from it.
cp "$govuk/govuk-frontend.min.js" "$govuk/govuk-frontend.min.js.map" "$dist/"

echo "built $(cd "$dist" && ls | tr '\n' ' ')"
