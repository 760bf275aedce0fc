#!/usr/bin/env bash
# Installs eligo and runs the main job on the bundled demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ELIGO_DB="${ELIGO_DB:-sqlite:///$PWD/.demo/eligo.db}"
mkdir -p .demo
.venv/bin/eligo demo
