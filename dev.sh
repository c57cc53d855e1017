#!/usr/bin/env bash
# Set up and run the workbench. The README's two commands are:
#   bash dev.sh app    set up, then run the app on the demo data at http://localhost:8501
#   bash dev.sh test   set up (with Chromium for the browser tests), then lint, type-check, test
# Other verbs: setup, lint, bench.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"

find_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "dev.sh: Python 3.11 or newer is needed" >&2
  exit 2
}

setup() {
  local extra="${1:-}"
  if [ ! -x "$PY" ]; then
    "$(find_python)" -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extra:+-$extra}"
  if [ ! -f "$stamp" ]; then
    "$PY" -m pip install --quiet -e ".${extra:+[$extra]}"
    touch "$stamp"
  fi
  # The translations: compiled from the .po catalogues (the app also compiles a
  # missing or stale one in memory, so a fresh clone never shows raw messages).
  "$VENV/bin/pybabel" compile --statistics -d workbench/locale -D workbench >/dev/null
}

browser() {
  # Debian's Chromium and a CJK font for the real-browser tests; Playwright's own
  # browser download is never used (it cannot work offline).
  if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'wqy'; then
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null
}

lint() {
  "$VENV/bin/ruff" format --check .
  "$VENV/bin/ruff" check .
  "$VENV/bin/mypy"
}

case "${1:-}" in
  app)
    setup
    exec "$VENV/bin/streamlit" run app.py --server.port 8501 --browser.gatherUsageStats false
    ;;
  test)
    setup dev
    browser
    lint
    exec "$VENV/bin/pytest" -q
    ;;
  setup)
    setup dev
    browser
    ;;
  lint)
    setup dev
    lint
    ;;
  bench)
    setup dev
    browser
    shift
    exec "$PY" -m bench "$@"
    ;;
  *)
    echo "usage: bash dev.sh app|test|setup|lint|bench" >&2
    exit 2
    ;;
esac
