#!/usr/bin/env bash
# scripts/test-all.sh: every suite (`npm run test:all`; `npm run test` starts the stack first).
#
#   1. the unit specs, on two Jest workers;
#   2. the integration suites in two lanes at once, each lane one suite at a time on a stack of
#      its own: lane 1 on the stack given by KAFKA_BROKERS/MONGODB_URI (scripts/with-stack.sh),
#      lane 2 (the suites listed in test/lanes.js, the chaos suite in its 2-minute CI form
#      first) on a second stack that stack/up.sh starts in .stack/lane-2 on the first
#      stack's ports + 100 (TEST_LANE2_PORT_OFFSET), and that is stopped again afterwards.
#
# Output: every line of a lane is prefixed with "[lane N]"; a lane's Jest summary comes at its
# end. Exits non-zero when any part failed (both lanes always run to their end).
#
#   TEST_LANES=1   one lane on the given stack (no second stack; the chaos suite is skipped
#                  unless CHAOS=1): for a machine that cannot start the local stack
#   CHAOS_MINUTES  length of the chaos suite's load in lane 2 (default 2: the CI form)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z ${KAFKA_BROKERS:-} || -z ${MONGODB_URI:-} ]]; then
  echo "test-all: KAFKA_BROKERS and MONGODB_URI must be set (npm run test starts the stack and sets them)" >&2
  exit 2
fi

npx jest --selectProjects unit --maxWorkers=2

if [[ ${TEST_LANES:-2} == 1 ]]; then
  exec npx jest --selectProjects integration
fi

lane() { node -e "console.log(require('./test/lanes.js').$1.join('\\n'))"; }
mapfile -t LANE2 < <(lane lane2)
mapfile -t LANE1_LAST < <(lane lane1Last)
for path in "${LANE2[@]}" "${LANE1_LAST[@]}"; do
  [[ -f $path ]] || {
    echo "test-all: test/lanes.js names $path, which does not exist" >&2
    exit 2
  }
done
ignore=()
for path in "${LANE2[@]}"; do ignore+=("${path//./\\.}\$"); done

offset="${TEST_LANE2_PORT_OFFSET:-100}"
lane2_env=(
  -u KAFKA_BROKERS -u MONGODB_URI
  STACK_DIR="$ROOT/.stack/lane-2"
  STACK_KAFKA_PORT=$((${STACK_KAFKA_PORT:-9092} + offset))
  STACK_KAFKA_CONTROLLER_PORT=$((${STACK_KAFKA_CONTROLLER_PORT:-9093} + offset))
  STACK_MONGO_PORT=$((${STACK_MONGO_PORT:-27017} + offset))
  STACK_PG_PORT=$((${STACK_PG_PORT:-54329} + offset))
  STACK_FERRETDB_DEBUG_PORT=-
  STACK_KAFKA_BROKERS=1
  CHAOS=1 CHAOS_MINUTES="${CHAOS_MINUTES:-2}" TEST_LANE=2
)
# The second stack runs the first one's MongoDB backend (FerretDB/SQLite unless told otherwise).
backend="$(cat .stack/mongo-backend 2>/dev/null || true)"
case $backend in
  ferretdb-postgresql) lane2_env+=(STACK_MONGO_BACKEND=postgresql) ;;
  ferretdb-sqlite) lane2_env+=(STACK_MONGO_BACKEND=sqlite) ;;
esac

prefix() { sed -u "s/^/[lane $1] /"; }

# What test/support/stack-guard.ts found (a service that had died before a suite), per stack:
# printed again at the very end, where a CI log's tail shows it.
guard_logs=("${STACK_DIR:-$ROOT/.stack}/guard.log" "$ROOT/.stack/lane-2/guard.log")
rm -f "${guard_logs[@]}"

t0=$SECONDS
(
  set +e
  TEST_LANE=1 npx jest --selectProjects integration --testPathIgnorePatterns "${ignore[@]}" 2>&1 |
    prefix 1
  exit "${PIPESTATUS[0]}"
) &
lane1=$!
(
  set +e
  env "${lane2_env[@]}" bash scripts/with-stack.sh \
    npx jest --selectProjects integration --runTestsByPath "${LANE2[@]}" 2>&1 | prefix 2
  exit "${PIPESTATUS[0]}"
) &
lane2=$!

# Ctrl-C reaches every process of the terminal's group; a SIGTERM (CI's timeout, with-stack.sh
# forwarding one) is passed on to both lanes, so that lane 2's with-stack.sh stops its stack.
on_term() {
  trap '' TERM
  pkill -TERM -P "$lane1" 2>/dev/null || true
  pkill -TERM -P "$lane2" 2>/dev/null || true
  wait || true
  exit 143
}
trap on_term TERM

rc1=0 rc2=0
wait "$lane1" || rc1=$?
echo "test-all: lane 1 ended with exit code $rc1 after $((SECONDS - t0)) s"
wait "$lane2" || rc2=$?
echo "test-all: lane 2 ended with exit code $rc2 after $((SECONDS - t0)) s"
for log in "${guard_logs[@]}"; do
  [[ -s $log ]] || continue
  echo "test-all: a service of ${log%/guard.log} had died during the run; test/support/stack-guard.ts found:"
  sed 's/^/  /' "$log"
done
((rc1 == 0 && rc2 == 0))
