#!/usr/bin/env bash
# Set up a fresh machine for heritage-kit: system libraries (Debian, as root),
# a virtual environment in .venv, and the package with every extra.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: the libraries Kivy needs to render (also off-screen, through EGL), and the tools the export tests use.
need=()
# poppler-utils, zbar-tools: the leaflet tests read the PDF and its QR codes; fonts-dejavu-core: embedded in PDFs;
# chromium, chromium-driver, npm: the site tests open pages in a real headless Chromium and run axe-core in it;
# espeak-ng, sox, libsox-fmt-all: `heritage-kit pack audio` reads texts aloud into OGG files.
# postgresql: the inbox storage tests start a throwaway cluster (initdb + pg_ctl in a temp dir).
for pkg in libgl1 libegl1 libmtdev1 poppler-utils zbar-tools fonts-dejavu-core chromium chromium-driver espeak-ng sox libsox-fmt-all postgresql; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# npm: only when the machine has none. Debian's npm package depends on Debian's nodejs, which cannot sit beside
# a NodeSource nodejs (apt then stops with "held broken packages"); that nodejs ships its own npm.
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} (sudo apt-get install ${need[*]})" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.heritage-kit-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[app,build,server,dev,export]"
  touch "$stamp"
fi

# axe-core (npm registry), pinned in tests/web/package.json, for the accessibility tests.
if command -v npm >/dev/null 2>&1 && [ ! -f tests/web/node_modules/axe-core/axe.min.js ]; then
  npm install --prefix tests/web --no-audit --no-fund --silent >/dev/null
fi
