#!/usr/bin/env bash
# Installs eligo, the system packages its tests need (PostgreSQL, Chromium), and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
bash scripts/setup.sh
.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest "$@"
