#!/usr/bin/env bash
# scripts/dev.sh (`npm run dev`, inside scripts/with-stack.sh --keep): the task center in watch
# mode (nest start --watch, http://localhost:3000) and the dashboard's Vite dev server with
# live reload (http://localhost:5173/dashboard/, proxying /v1/api to the center). Ctrl-C stops
# both. The center also serves the last `npm run build:dashboard` at :3000/dashboard/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pids=()
stop() {
  trap '' INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

npm run --silent start:dev &
pids+=($!)
TASK_CENTER_URL="http://127.0.0.1:${PORT:-3000}" npx vite --config apps/dashboard/vite.config.mts \
  --base /dashboard/ --clearScreen false &
pids+=($!)
echo "dev: API http://localhost:${PORT:-3000}/v1/api · dashboard with live reload http://localhost:5173/dashboard/" >&2
wait -n "${pids[@]}"
