#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite, the Kivy UI tests off-screen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
export KIVY_HOME="${KIVY_HOME:-$(mktemp -d)}"
exec .venv/bin/python -m pytest "$@"
