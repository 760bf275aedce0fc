#!/usr/bin/env bash
# Installs eligo, loads the bundled demo trials, matches a sample patient, then serves the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ELIGO_DB="${ELIGO_DB:-sqlite:///$PWD/.demo/eligo.db}"
mkdir -p .demo
.venv/bin/eligo demo
.venv/bin/eligo serve --host "${ELIGO_HOST:-127.0.0.1}" --port "${ELIGO_PORT:-8000}"
