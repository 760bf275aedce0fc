#!/usr/bin/env bash
# The Spark screening check: installs a Java runtime (if missing) and the `spark` extra, then runs
# the tests marked `spark`. Needs scripts/setup.sh to have run (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
fi
.venv/bin/python -m pip install --quiet -e '.[spark]'
.venv/bin/python -m pytest -m spark "$@"
