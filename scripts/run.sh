#!/usr/bin/env bash
# Set up (if needed) and run the heritage-kit app on the bundled default town (Monaco).
# Extra arguments go to the app: --lang fr|en, --pack PATH, --screenshot FILE.
# Without a display (a server, CI), the first screen is rendered off-screen to monaco.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export KIVY_NO_ARGS=1
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" != Darwin ]; then
  echo "run: no display; rendering the first screen off-screen to monaco.png" >&2
  export SDL_VIDEODRIVER=offscreen KIVY_NO_CONSOLELOG=1
  export KIVY_HOME="${KIVY_HOME:-$(mktemp -d)}"
  exec .venv/bin/python -m mobile --pack content/monaco --screenshot monaco.png "$@"
fi
exec .venv/bin/python -m mobile --pack content/monaco "$@"
