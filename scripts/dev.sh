#!/usr/bin/env bash
# scripts/dev.sh (`npm run dev`, inside scripts/with-stack.sh --keep): the task center in watch
# mode (nest start --watch, http://localhost:3000) and the dashboard's Vite dev server with
# live reload (http://localhost:5173/dashboard/, proxying /v1/api to the center). Ctrl-C stops
# both. The center also serves the last `npm run build:dashboard` at :3000/dashboard/; on a
# fresh clone (no dist/dashboard) that build is made here first, once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pids=()
stop() {
  trap '' INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [[ ${DASHBOARD_ENABLED:-true} != false && -z ${DASHBOARD_DIR:-} && ! -f dist/dashboard/index.html ]]; then
  echo "dev: building the dashboard once for :${PORT:-3000}/dashboard/ (no dist/dashboard yet; a few seconds)…" >&2
  t0=$SECONDS
  if npm run --silent build:dashboard -- --logLevel warn; then
    echo "dev: dashboard built in $((SECONDS - t0)) s" >&2
  else
    echo "dev: the dashboard build failed (see above); the API starts anyway" >&2
  fi
fi

echo "dev: starting the task center in watch mode (first build: about 15-30 s) and the dashboard's live-reload server at http://localhost:5173/dashboard/" >&2
npm run --silent start:dev &
pids+=($!)
TASK_CENTER_URL="http://127.0.0.1:${PORT:-3000}" npx vite --config apps/dashboard/vite.config.mts \
  --base /dashboard/ --clearScreen false &
pids+=($!)
wait -n "${pids[@]}"
