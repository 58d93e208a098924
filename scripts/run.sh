#!/usr/bin/env bash
# Run the dashboard: make or update .venv with requirements.txt, then `streamlit run app.py`.
# Usage: bash scripts/run.sh [extra streamlit arguments, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
