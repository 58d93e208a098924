#!/usr/bin/env bash
# Install everything the tests need, then run every test.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python3 -m ruff check tracker ui pages app.py scripts tests bench
python3 -m pytest "$@"
