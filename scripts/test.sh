#!/usr/bin/env bash
# Run every check and every test (unit, AppTest and browser) in the project's .venv.
# Usage: bash scripts/test.sh [extra pytest arguments]
#
# 1. makes or updates .venv with requirements-dev.txt (pip runs only when the requirements changed)
# 2. installs Debian's Chromium for the browser tests when run as root
# 3. the checks in CHECKS below, each run even when an earlier one failed
# 4. pytest on every core (pytest-xdist; each test file stays on one worker, in order)
# The script fails when any check or test failed, and says which at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements-dev.txt
PY=.venv/bin/python

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

# The checks, all on. Leave one out only while working (CHECKS="lint data" bash scripts/test.sh);
# CI runs them all.
CHECKS="${CHECKS:-lint format types data packaging}"
SOURCES=(tracker ui views app.py scripts tests bench)
failed=()

check() {  # check NAME HINT COMMAND...: run one check, time it, remember a failure and how to fix it
  local name="$1" hint="$2" start=$SECONDS
  shift 2
  case " $CHECKS " in *" $name "*) ;; *) echo "==> $name: skipped (not in CHECKS)"; return 0 ;; esac
  echo "==> $name: $*"
  if "$@"; then
    echo "    $name passed ($((SECONDS - start)) s)"
  else
    echo "    $name FAILED ($((SECONDS - start)) s): $hint"
    failed+=("$name: $hint")
  fi
}

check lint "fix the findings above (many with: $PY -m ruff check --fix ${SOURCES[*]})" \
  "$PY" -m ruff check "${SOURCES[@]}"
check format "the files above are not formatted; run: $PY -m ruff format ${SOURCES[*]}" \
  "$PY" -m ruff format --check --output-format concise "${SOURCES[@]}"
check types "fix the type errors above (settings: [tool.mypy] in pyproject.toml)" \
  "$PY" -m mypy tracker
check data "data/ is not what scripts/build_data.py makes (above)" \
  "$PY" scripts/check_data_build.py
check packaging "make pyproject.toml's [project.dependencies] pin what requirements.txt pins" \
  "$PY" scripts/check_packaging.py

echo "==> pytest: unit, AppTest and browser tests on every core (bash scripts/test.sh -n 0 for one process)"
status=0
"$PY" -m pytest -n auto --dist loadfile "$@" || status=$?

if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "FAILED checks (the tests above ran anyway):"
  printf '  %s\n' "${failed[@]}"
  [ "$status" != 0 ] || status=1
fi
exit "$status"
