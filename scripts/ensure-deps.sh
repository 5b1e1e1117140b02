#!/bin/sh
# Installs the npm dependencies (including Node 24 itself, from the `node` package) when they are
# missing or older than package-lock.json. npm puts node_modules/.bin first on PATH for scripts,
# so every later `node` in an npm script is the pinned Node 24, whatever Node ran npm.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
fi
