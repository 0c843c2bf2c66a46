#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup/on_signal are only invoked from traps
# scripts/with-stack.sh [--keep] <command...>
#
# Runs <command> against the local stack (Kafka + a MongoDB-wire server):
#   * KAFKA_BROKERS and MONGODB_URI both set: just runs the command (your own stack / CI services).
#   * otherwise: `bash stack/up.sh` (reuses what is already running), exports KAFKA_BROKERS
#     and MONGODB_URI from .stack/env, runs the command, and afterwards (also on Ctrl-C /
#     SIGTERM) stops the services that *this invocation* started, unless --keep is given.
# Exits with the command's exit code (128+N if it was killed by signal N).
#
#   "test": "bash scripts/with-stack.sh npm run test:all"
#   "dev":  "bash scripts/with-stack.sh --keep npm run start:dev"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

keep=0
if [[ ${1:-} == --keep ]]; then
  keep=1
  shift
fi
if [[ $# -eq 0 ]]; then
  echo "usage: bash scripts/with-stack.sh [--keep] <command...>" >&2
  exit 2
fi

if [[ -n ${KAFKA_BROKERS:-} && -n ${MONGODB_URI:-} ]]; then
  exec "$@"
fi

# Which services are down now, i.e. would be started by this invocation?
to_stop=()
status="$(bash "$ROOT/stack/up.sh" --status)"
[[ $status == *kafka=running* ]] || to_stop+=(kafka)
[[ -n ${MONGODB_URI:-} || $status == *mongo=running* ]] || to_stop+=(mongo)

child=""
cleaned=0
cleanup() {
  ((cleaned)) && return 0
  cleaned=1
  if ((!keep && ${#to_stop[@]})); then
    bash "$ROOT/stack/down.sh" "${to_stop[@]}" || echo "with-stack: stack/down.sh failed" >&2
  fi
}
on_signal() { # name number
  trap '' INT TERM HUP
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    # Ctrl-C already reached the command (same process group); forward the others.
    # Escalate if it is still running: SIGTERM after 10 s, SIGKILL after 20 s.
    [[ $1 == INT ]] || kill "-$1" "$child" 2>/dev/null || true
    local t0=$SECONDS sent=""
    while kill -0 "$child" 2>/dev/null; do
      if ((SECONDS - t0 >= 20)) && [[ $sent != KILL ]]; then
        kill -KILL "$child" 2>/dev/null || true
        sent=KILL
      elif ((SECONDS - t0 >= 10)) && [[ -z $sent ]]; then
        kill -TERM "$child" 2>/dev/null || true
        sent=TERM
      fi
      sleep 0.2
    done
  fi
  cleanup
  exit $((128 + $2))
}
trap cleanup EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

bash "$ROOT/stack/up.sh"

if [[ -n ${KAFKA_BROKERS:-} ]]; then
  echo "with-stack: KAFKA_BROKERS is set but MONGODB_URI is not: using the local stack for both" >&2
fi
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line == [A-Z_]*=* ]] || continue
  export "${line%%=*}=${line#*=}"
done <"${STACK_DIR:-$ROOT/.stack}/env"

# Run the command in the background so that signals reach our traps at once; keep stdin,
# and undo the SIGINT/SIGQUIT ignore that bash applies to background jobs so that Ctrl-C
# still reaches the command directly (it is in the terminal's process group).
(
  trap - INT QUIT
  exec "$@"
) <&0 &
child=$!
rc=0
wait "$child" || rc=$?
child=""
exit "$rc"
