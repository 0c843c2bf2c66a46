#!/usr/bin/env bash
# stack/down.sh: stop what stack/up.sh started (`npm run stack:down`), and only that:
# processes are found through the pid files under .stack/ and checked against their
# command line before being signalled (SIGTERM, up to $STACK_STOP_TIMEOUT=20 s, then
# SIGKILL); the nodes of a three-node Kafka cluster (STACK_KAFKA_BROKERS=3) stop together.
# The PostgreSQL cluster of STACK_MONGO_BACKEND=postgresql is stopped with
# `pg_ctl stop`. Data in .stack/ is kept unless --purge is given.
#
#   bash stack/down.sh [--purge] [kafka|mongo ...]     (no service name = everything)
#
# Idempotent: exits 0 when nothing is running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
KAFKA_DIR="$STACK_DIR/kafka"
CLUSTER_DIR="$STACK_DIR/kafka-cluster"
FERRET_DIR="$STACK_DIR/ferretdb"
MONGOD_DIR="$STACK_DIR/mongo"
PG_DIR="$STACK_DIR/postgres"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"

# Must match stack/up.sh.
KAFKA_MARKER="$KAFKA_DIR/server.properties"
FERRET_MARKER="--state-dir=$FERRET_DIR"
MONGOD_MARKER="--dbpath $MONGOD_DIR"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

purge=0
services=()
for arg in "$@"; do
  case $arg in
    --purge) purge=1 ;;
    kafka | mongo) services+=("$arg") ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "usage: bash stack/down.sh [--purge] [kafka|mongo ...]" ;;
  esac
done
((${#services[@]})) || services=(kafka mongo)
want() { [[ " ${services[*]} " == *" $1 "* ]]; }

is_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r /proc/$1/stat ]]; then
    local st
    st="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    st="${st##*) }"
    [[ ${st%% *} != Z ]]
  fi
}

proc_cmdline() {
  if [[ -r /proc/$1/cmdline ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -o args= -p "$1" 2>/dev/null || true
  fi
}

# stop_pidfile <name> <pidfile> <marker>
stop_pidfile() {
  local name=$1 file=$2 marker=$3 pid
  [[ -f $file ]] || return 0
  pid="$(tr -dc '0-9' <"$file")"
  if [[ -z $pid ]] || ! is_alive "$pid" || [[ "$(proc_cmdline "$pid")" != *"$marker"* ]]; then
    rm -f "$file"
    return 0
  fi
  say "$name: stopping (pid $pid)…"
  local t0=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  while is_alive "$pid" && ((SECONDS - t0 < STOP_TIMEOUT)); do sleep 0.2; done
  if is_alive "$pid"; then
    say "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    local t1=$SECONDS
    while is_alive "$pid" && ((SECONDS - t1 < 5)); do sleep 0.1; done
  fi
  rm -f "$file"
  say "$name: stopped ($((SECONDS - t0)) s)"
}

stop_postgres() {
  [[ -f $PG_DIR/data/postmaster.pid ]] || return 0
  local pid
  pid="$(head -n1 "$PG_DIR/data/postmaster.pid" | tr -dc '0-9')"
  if [[ -z $pid ]] || ! is_alive "$pid" || [[ "$(proc_cmdline "$pid")" != *"$PG_DIR/data"* ]]; then
    return 0 # stale postmaster.pid; postgres itself deals with it on the next start
  fi
  local bindir="${STACK_PG_BINDIR:-}" as_pg=()
  if [[ -z $bindir ]]; then
    # the postgres binary that runs the cluster knows where pg_ctl is
    local exe
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
    [[ -n $exe && -x $(dirname "$exe")/pg_ctl ]] && bindir="$(dirname "$exe")"
  fi
  ((EUID == 0)) && as_pg=(runuser -u postgres --)
  say "postgres: stopping (pid $pid)…"
  local t0=$SECONDS
  if [[ -n $bindir ]] && "${as_pg[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1; then
    say "postgres: stopped ($((SECONDS - t0)) s)"
    return 0
  fi
  # pg_ctl unavailable or timed out: SIGINT is postgres' "fast shutdown", then SIGQUIT/SIGKILL.
  kill -INT "$pid" 2>/dev/null || true
  while is_alive "$pid" && ((SECONDS - t0 < 2 * STOP_TIMEOUT)); do sleep 0.2; done
  if is_alive "$pid"; then
    say "postgres: still running, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  say "postgres: stopped ($((SECONDS - t0)) s)"
}

[[ -d $STACK_DIR ]] || exit 0

if want mongo; then
  stop_pidfile "mongo (ferretdb)" "$FERRET_DIR/pid" "$FERRET_MARKER"
  stop_pidfile "mongo (mongod)" "$MONGOD_DIR/pid" "$MONGOD_MARKER"
  stop_postgres
  rm -f "$STACK_DIR/mongo-backend"
fi
if want kafka; then
  stop_pidfile kafka "$KAFKA_DIR/pid" "$KAFKA_MARKER"
  # All nodes at once: stopped one by one, the last ones wait for a quorum that is gone.
  for node in "$CLUSTER_DIR"/node-*; do
    [[ -f $node/pid ]] || continue
    stop_pidfile "kafka ${node##*/}" "$node/pid" "$node/server.properties" &
  done
  wait
fi
rm -f "$STACK_DIR/env"

if ((purge)); then
  if want kafka && want mongo; then
    rm -rf "$STACK_DIR"
    say "stack: removed .stack/ (all local data)"
  else
    want kafka && rm -rf "$KAFKA_DIR" "$CLUSTER_DIR"
    want mongo && rm -rf "$FERRET_DIR" "$MONGOD_DIR" "$PG_DIR"
    say "stack: removed the data of: ${services[*]}"
  fi
fi
exit 0
