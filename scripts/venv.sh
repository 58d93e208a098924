# Sourced by scripts/run.sh and scripts/test.sh: make or update the project's virtual environment.
#
#   ensure_venv requirements.txt        # .venv with the pinned requirements, installed only when they changed
#
# Works with the system Python of Debian/Ubuntu (PEP 668: no pip installs outside a venv). Debian ships
# `python3 -m venv` in the python3-venv package: as root it is installed with apt-get, otherwise the one
# sudo command is printed. The callers run with `set -euo pipefail`. Set PYTHON to use another interpreter (3.11 or newer) for the venv.

VENV=.venv

_venv_fail() {
  echo "error: $*" >&2
  exit 1
}

_ensure_venv_module() {
  local python="$1"
  # Debian's python3 has the venv module but not ensurepip until python3-venv is installed.
  "$python" -c "import venv, ensurepip" 2>/dev/null && return 0
  local pkg
  pkg="python3-venv"
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's $pkg (python3 -m venv needs it)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
    "$python" -c "import venv, ensurepip" 2>/dev/null ||
      _venv_fail "$python -m venv still cannot make a virtual environment after installing $pkg"
  else
    _venv_fail "$python -m venv is not available; install it with: sudo apt-get install -y $pkg"
  fi
}

ensure_venv() {
  local requirements="$1"
  local python="${PYTHON:-python3}"
  command -v "$python" >/dev/null || _venv_fail "$python not found; install Python 3.11 or newer (sudo apt-get install -y python3)"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    _venv_fail "Python 3.11 or newer is needed; $python is $("$python" -c 'import sys; print(sys.version.split()[0])')"

  # A .venv left half-made (no pip) or made by another Python version is made anew.
  if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "$VENV is incomplete (no pip): making it again"
    rm -rf "$VENV"
  fi
  if [ -x "$VENV/bin/python" ] &&
     [ "$("$VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" != "$("$python" -c 'import sys; print(sys.version_info[:2])')" ]; then
    echo "$VENV was made by another Python version: making it again"
    rm -rf "$VENV"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    _ensure_venv_module "$python"
    echo "making the virtual environment $VENV with $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    "$python" -m venv "$VENV" || { rm -rf "$VENV"; _venv_fail "could not make $VENV"; }
  fi

  # Install only when the requirements (this file and the files it includes with -r) changed.
  local stamp="$VENV/.stamp-$(basename "$requirements")"
  local files=("$requirements")
  local inc
  while read -r inc; do files+=("$(dirname "$requirements")/$inc"); done \
    < <(sed -n 's/^-r[[:space:]]*//p' "$requirements")
  local digest
  digest="$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  echo "installing $requirements into $VENV (the first time takes a few minutes)"
  if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r "$requirements" |
       { grep -v '^Requirement already satisfied' || true; }; then
    _venv_fail "pip could not install $requirements (see above)"
  fi
  echo "$digest" > "$stamp"
}
