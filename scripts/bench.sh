#!/usr/bin/env bash
# Set up (if needed) and run the benchmarks (pytest-benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
export KIVY_HOME="${KIVY_HOME:-$(mktemp -d)}"
exec .venv/bin/python -m pytest benchmarks --benchmark-only --benchmark-columns=min,median,mean,max,rounds "$@"
