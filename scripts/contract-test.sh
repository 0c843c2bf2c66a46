#!/usr/bin/env bash
# The OpenAPI contract test: schemathesis against a running task center.
#   scripts/contract-test.sh BASE_URL [schemathesis run options...]
# e.g. scripts/contract-test.sh http://127.0.0.1:3000 --max-examples 500   (the long form)
# Installs schemathesis from requirements/contract.txt (exact versions) into .venv/contract the
# first time and whenever that file changes. TASK_CENTER_API_KEY: the key to send (the server
# under test should have API_KEYS set, so that the ignored_auth check has something to check).
# Defaults: every check, every phase, 40 examples per operation, seed 1; later options win.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base_url="${1:?usage: scripts/contract-test.sh BASE_URL [schemathesis options...]}"
shift

venv="$root/.venv/contract"
requirements="$root/requirements/contract.txt"
stamp="$venv/.requirements.sha256"
python="${CONTRACT_PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/schemathesis" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "contract-test: installing schemathesis into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --requirement "$requirements"
  echo "$want" >"$stamp"
fi

export TASK_CENTER_API_KEY="${TASK_CENTER_API_KEY:-}"
exec "$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run \
  "${base_url%/}/docs-json" \
  --url "${base_url%/}" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${CONTRACT_MAX_EXAMPLES:-40}" \
  --seed "${CONTRACT_SEED:-1}" \
  --workers "${CONTRACT_WORKERS:-1}" \
  --output-truncate false \
  --no-color \
  "$@"
