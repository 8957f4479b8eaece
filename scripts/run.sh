#!/usr/bin/env bash
# Set up (if needed) and run heritage-kit on the bundled default town (Monaco).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/heritage-kit pack info content/monaco
