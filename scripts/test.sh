#!/usr/bin/env bash
# Install everything the tests need, then run every test (unit, AppTest and browser).
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The browser tests drive Debian's Chromium; never a downloaded browser.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: /usr/bin/chromium is missing and this is not root: the browser tests will be skipped" \
         "(sudo apt-get install -y chromium)"
  fi
fi
python3 -m ruff check tracker ui pages app.py scripts tests bench
python3 -m pytest "$@"
