#!/usr/bin/env bash
# stack/up.sh: start the local dev/test stack without Docker (`npm run stack:up`).
#
#   * Kafka 3.9.1, KRaft single node (broker+controller) on 127.0.0.1:$STACK_KAFKA_PORT, or
#     with STACK_KAFKA_BROKERS=3 a three-node KRaft cluster (each node broker+controller,
#     all three controller voters): node i (1..3) serves clients on $STACK_KAFKA_PORT+2(i-1)
#     and its controller on $STACK_KAFKA_CONTROLLER_PORT+2(i-1), i.e. 9092/9093, 9094/9095,
#     9096/9097 by default; topics get replication factor 3 and min.insync.replicas 2
#     (docs/kafka-cluster.md). Its data lives in .stack/kafka-cluster/node-<i>/.
#   * a MongoDB-wire server on 127.0.0.1:$STACK_MONGO_PORT:
#       - $MONGODB_URI if it is set (nothing is started),
#       - else `mongod` if it is on PATH (and STACK_MONGO_BACKEND is not set),
#       - else FerretDB v1.24.2 with its SQLite handler (STACK_MONGO_BACKEND=sqlite, default)
#         or its PostgreSQL handler on a private PostgreSQL cluster
#         (STACK_MONGO_BACKEND=postgresql), started with plan_cache_mode=force_custom_plan so
#         that the GIN indexes of `npm run stack:pg-indexes` serve FerretDB's lookups.
#
# Idempotent: services that are already running (pid file alive + answering)
# are reused. State lives in <repo>/.stack/ (git-ignored); downloaded Kafka jars
# and the FerretDB binary are cached in ${TASK_CENTER_CACHE:-~/.cache/task-center}.
# On success writes .stack/env and prints its two lines on stdout:
#   KAFKA_BROKERS=127.0.0.1:9092
#   MONGODB_URI=mongodb://127.0.0.1:27017/task_center
# (with STACK_KAFKA_BROKERS=3: KAFKA_BROKERS lists the three nodes, and two more lines give a
# task center the cluster's topic settings: KAFKA_TOPIC_REPLICATION_FACTOR=3,
# KAFKA_TOPIC_MIN_INSYNC_REPLICAS=2).
# Progress goes to stderr; errors are one line on stderr prefixed "stack:".
#
# Settings (environment):
#   STACK_KAFKA_PORT (9092)  STACK_KAFKA_CONTROLLER_PORT (9093)  STACK_MONGO_PORT (27017)
#   STACK_KAFKA_BROKERS (1 | 3; default 1)
#   STACK_MONGO_BACKEND (sqlite | postgresql | mongod; default: mongod if on PATH, else sqlite)
#   STACK_PG_PORT (54329)  STACK_FERRETDB_PG_POOL (300: FerretDB's PostgreSQL connections)
#   STACK_PG_BINDIR (auto: /usr/lib/postgresql/<newest>/bin)
#   STACK_FERRETDB_DEBUG_PORT (28088, "-" disables FerretDB's debug HTTP listener)
#   STACK_KAFKA_TIMEOUT / STACK_MONGO_TIMEOUT (60 seconds each)
#   STACK_KAFKA_HEAP_OPTS ("-Xms256m -Xmx512m"; per node of a cluster "-Xms128m -Xmx384m")
#   TASK_CENTER_CACHE  MONGODB_URI
#   STACK_DIR (<repo>/.stack: where a second stack beside the first keeps its state, with its
#     own STACK_*_PORTs; CI runs two, scripts/test-all.sh)
#   STACK_FERRETDB_LOG_LEVEL (error: FerretDB logs every failed command, e.g. the
#     driver's unsupported `endSessions` on each client close, as a multi-line WARN)
#
# `bash stack/up.sh --status` prints "kafka=running|stopped" and "mongo=running|stopped"
# (used by scripts/with-stack.sh) and starts nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
CACHE="${TASK_CENTER_CACHE:-$HOME/.cache/task-center}"

KAFKA_VERSION=3.9.1
FERRETDB_VERSION=v1.24.2
KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION"

KAFKA_PORT="${STACK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${STACK_MONGO_PORT:-27017}"
PG_PORT="${STACK_PG_PORT:-54329}"
# FerretDB 1.24 (PostgreSQL) holds one pool connection per update while it waits for a second
# one: with as many updates in flight as the pool has connections (its default: 50) it hangs
# for good (seen under Agenda, whose MongoDB driver keeps up to 100 commands in flight). A pool
# larger than any client's in-flight commands (drivers default to 100) keeps it moving.
FERRETDB_PG_POOL="${STACK_FERRETDB_PG_POOL:-300}"
PG_MAX_CONNECTIONS=$((FERRETDB_PG_POOL + 50))
FERRETDB_DEBUG_PORT="${STACK_FERRETDB_DEBUG_PORT:-28088}"
KAFKA_TIMEOUT="${STACK_KAFKA_TIMEOUT:-60}"
MONGO_TIMEOUT="${STACK_MONGO_TIMEOUT:-60}"
KAFKA_NODES="${STACK_KAFKA_BROKERS:-1}"
if [[ $KAFKA_NODES == 3 ]]; then
  KAFKA_HEAP_OPTS="${STACK_KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
else
  KAFKA_HEAP_OPTS="${STACK_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
fi

KAFKA_DIR="$STACK_DIR/kafka"
CLUSTER_DIR="$STACK_DIR/kafka-cluster"
FERRET_DIR="$STACK_DIR/ferretdb"
MONGOD_DIR="$STACK_DIR/mongo"
PG_DIR="$STACK_DIR/postgres"
BACKEND_FILE="$STACK_DIR/mongo-backend"
ENV_FILE="$STACK_DIR/env"

# Markers that identify *our* processes in /proc/<pid>/cmdline (guards against pid reuse).
KAFKA_MARKER="$KAFKA_DIR/server.properties"
FERRET_MARKER="--state-dir=$FERRET_DIR"
MONGOD_MARKER="--dbpath $MONGOD_DIR"

# ---------------------------------------------------------------------------- helpers

say() { printf '%s\n' "$*" >&2; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

is_alive() { # pid -> alive and not a zombie
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r /proc/$1/stat ]]; then
    local st
    st="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    st="${st##*) }"
    [[ ${st%% *} != Z ]]
  fi
}

proc_cmdline() { # pid
  if [[ -r /proc/$1/cmdline ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -o args= -p "$1" 2>/dev/null || true
  fi
}

# our_pid <pidfile> <marker>: print the pid if that process is alive and is ours;
# otherwise remove the (stale) pid file and fail.
our_pid() {
  local file=$1 marker=$2 pid
  [[ -f $file ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  if [[ -n $pid ]] && is_alive "$pid" && [[ "$(proc_cmdline "$pid")" == *"$marker"* ]]; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

port_busy() { # port -> something accepts TCP connections on 127.0.0.1:port
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 3 bash -c ': <"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

port_owner_pid() { # port -> pid of the listener, when ss can tell
  command -v ss >/dev/null 2>&1 || return 1
  local line
  line="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1)" || return 1
  [[ -n $line ]] && printf '%s\n' "${line#pid=}"
}

# adopt <port> <pidfile> <marker>: our own daemon whose pid file got lost? Re-create it.
adopt() {
  local pid
  pid="$(port_owner_pid "$1")" || return 1
  [[ "$(proc_cmdline "$pid")" == *"$3"* ]] || return 1
  echo "$pid" >"$2"
  say "${2#"$STACK_DIR"/}: re-created (pid $pid was listening on $1)"
}

port_owner() { # port -> " (name pid N)" when ss can tell, else ""
  command -v ss >/dev/null 2>&1 || return 0
  local line
  line="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n1)" || true
  [[ -n $line ]] || return 0
  line="${line#users:((\"}"
  printf ' (%s pid %s)' "${line%%\"*}" "${line##*pid=}"
}

require_port_free() { # port envvar what
  if port_busy "$1"; then
    die "port $1 ($3) is already in use by another process$(port_owner "$1"), not one started by this stack; stop it or set $2 to another port"
  fi
}

check_port_number() { # value envvar
  if [[ ! $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then
    die "$2 must be a TCP port number (got '$1')"
  fi
}

show_log() { # file [lines]: tail of the current run (since the last "==== " marker line)
  local f=$1 n=${2:-30}
  [[ -s $f ]] || return 0
  say "---- last lines of ${f#"$ROOT"/} ----"
  awk '/^==== / { buf = ""; c = 0 } { buf = buf $0 "\n"; c++ } END { printf "%s", buf }' "$f" |
    tail -n "$n" >&2 || true
  say "----"
}

# Detach a daemon: own session (Ctrl-C in the calling terminal does not reach it),
# stdin from /dev/null, output to a log, lock fd closed. Sets LAUNCHED_PID.
SETSID=()
command -v setsid >/dev/null 2>&1 && SETSID=(setsid)
launch() { # logfile cmd...
  local log=$1
  shift
  (exec "${SETSID[@]}" nohup "$@" </dev/null >>"$log" 2>&1 9>&-) &
  LAUNCHED_PID=$!
}

probe() { # kind target -> exit status of stack/probe.mjs; rc 3 (missing package) is fatal
  local out rc=0
  out="$(node "$ROOT/stack/probe.mjs" "$@" 2>&1)" || rc=$?
  if ((rc == 3)); then die "${out#stack: }"; fi
  return "$rc"
}

# wait_ready <name> <"pid ..."|""> <timeout> <log...> -- <probe args>
wait_ready() {
  local name=$1 pid=$2 timeout=$3 logs=() deadline
  shift 3
  while [[ $1 != -- ]]; do logs+=("$1"); shift; done
  shift
  deadline=$((SECONDS + timeout))
  local where=""
  if ((${#logs[@]})); then
    where="$(printf '%s, ' "${logs[@]#"$ROOT"/}")"
    where=" (see ${where%, })"
  fi
  while :; do
    if probe "$@"; then return 0; fi
    local p
    for p in $pid; do
      if ! is_alive "$p"; then
        local l
        for l in "${logs[@]}"; do show_log "$l"; done
        die "$name exited during startup$where"
      fi
    done
    if ((SECONDS >= deadline)); then
      local l
      for l in "${logs[@]}"; do show_log "$l"; done
      local hint=""
      [[ -z $pid ]] || hint="; it is still running (pid $pid): 'npm run stack:down' stops it"
      die "$name did not answer within ${timeout}s$where$hint"
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------- status

kafka_pid() { our_pid "$KAFKA_DIR/pid" "$KAFKA_MARKER"; }

cluster_node_pid() { # node number (1..3)
  our_pid "$CLUSTER_DIR/node-$1/pid" "$CLUSTER_DIR/node-$1/server.properties"
}

cluster_pids() { # the pids of the cluster nodes that run; fails when none does
  local i pid out=""
  for i in 1 2 3; do
    if pid="$(cluster_node_pid "$i")"; then out+="$pid "; fi
  done
  [[ -n $out ]] && printf '%s\n' "${out% }"
}

mongo_pid() { # pid of our mongo-wire server, whichever backend
  our_pid "$FERRET_DIR/pid" "$FERRET_MARKER" || our_pid "$MONGOD_DIR/pid" "$MONGOD_MARKER"
}

if [[ ${1:-} == --status ]]; then
  if [[ $KAFKA_NODES == 3 ]]; then
    # running: all three nodes (a cluster missing one is started again by stack/up.sh)
    pids="$(cluster_pids || true)"
    if [[ $(wc -w <<<"$pids") == 3 ]]; then echo kafka=running; else echo kafka=stopped; fi
  elif kafka_pid >/dev/null; then echo kafka=running; else echo kafka=stopped; fi
  if mongo_pid >/dev/null; then echo mongo=running; else echo mongo=stopped; fi
  exit 0
elif [[ $# -gt 0 ]]; then
  die "usage: bash stack/up.sh [--status]"
fi

# ---------------------------------------------------------------------------- plan

check_port_number "$KAFKA_PORT" STACK_KAFKA_PORT
check_port_number "$KAFKA_CONTROLLER_PORT" STACK_KAFKA_CONTROLLER_PORT
[[ $KAFKA_NODES == 1 || $KAFKA_NODES == 3 ]] || die "STACK_KAFKA_BROKERS must be 1 or 3 (got '$KAFKA_NODES')"
if [[ $KAFKA_NODES == 3 ]]; then
  # node i: clients on KAFKA_PORT+2(i-1), controller on KAFKA_CONTROLLER_PORT+2(i-1)
  CLUSTER_PORTS=("$KAFKA_PORT" $((KAFKA_PORT + 2)) $((KAFKA_PORT + 4)))
  CLUSTER_CONTROLLER_PORTS=("$KAFKA_CONTROLLER_PORT" $((KAFKA_CONTROLLER_PORT + 2)) $((KAFKA_CONTROLLER_PORT + 4)))
  check_port_number "$((KAFKA_PORT + 4))" "STACK_KAFKA_PORT+4"
  check_port_number "$((KAFKA_CONTROLLER_PORT + 4))" "STACK_KAFKA_CONTROLLER_PORT+4"
  if [[ $(printf '%s\n' "${CLUSTER_PORTS[@]}" "${CLUSTER_CONTROLLER_PORTS[@]}" | sort -u | wc -l) != 6 ]]; then
    die "STACK_KAFKA_BROKERS=3 uses ports STACK_KAFKA_PORT+0/2/4 and STACK_KAFKA_CONTROLLER_PORT+0/2/4: they overlap (${CLUSTER_PORTS[*]} / ${CLUSTER_CONTROLLER_PORTS[*]}); pick ports an odd distance apart, e.g. 9092 and 9093"
  fi
fi
check_port_number "$MONGO_PORT" STACK_MONGO_PORT
check_port_number "$PG_PORT" STACK_PG_PORT
[[ $FERRETDB_DEBUG_PORT == - ]] || check_port_number "$FERRETDB_DEBUG_PORT" STACK_FERRETDB_DEBUG_PORT
[[ $KAFKA_TIMEOUT =~ ^[0-9]+$ ]] || die "STACK_KAFKA_TIMEOUT must be a number of seconds"
[[ $MONGO_TIMEOUT =~ ^[0-9]+$ ]] || die "STACK_MONGO_TIMEOUT must be a number of seconds"

command -v node >/dev/null 2>&1 || die "node not found on PATH: install Node.js 20 (https://nodejs.org or apt-get install -y nodejs)"

if [[ -n ${MONGODB_URI:-} ]]; then
  BACKEND=external
else
  case "${STACK_MONGO_BACKEND:-}" in
    "") if command -v mongod >/dev/null 2>&1; then BACKEND=mongod; else BACKEND=ferretdb-sqlite; fi ;;
    sqlite) BACKEND=ferretdb-sqlite ;;
    postgresql | postgres | pg) BACKEND=ferretdb-postgresql ;;
    mongod) BACKEND=mongod ;;
    *) die "STACK_MONGO_BACKEND must be sqlite, postgresql or mongod (got '$STACK_MONGO_BACKEND')" ;;
  esac
fi

mkdir -p "$STACK_DIR"
# One stack:up at a time per checkout (fd 9 is closed in every daemon we start).
exec 9>"$STACK_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 600 9 || die "another stack/up.sh is still running (lock: .stack/.lock)"
fi
rm -f "$ENV_FILE" # rewritten once everything answers

# A different backend than the one running: refuse instead of half-switching.
if [[ $BACKEND != external && -s $BACKEND_FILE ]]; then
  running_backend="$(head -n1 "$BACKEND_FILE")"
  if running_pid="$(mongo_pid)"; then
    if [[ $running_backend != "$BACKEND" ]]; then
      die "mongo backend '$running_backend' is running (pid $running_pid); run 'npm run stack:down' first to switch to '$BACKEND'"
    fi
  else
    rm -f "$BACKEND_FILE"
  fi
fi

# ---------------------------------------------------------------------------- kafka

fetch_kafka_jars() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  say "kafka: downloading Kafka $KAFKA_VERSION jars with Maven (first run, ~10-60 s)…"
  local tmp="$KAFKA_LIBS.tmp.$$" t0=$SECONDS
  mkdir -p "$(dirname "$KAFKA_LIBS")"
  rm -rf "$tmp"
  if ! mvn -q -B -f "$ROOT/stack/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" >"$STACK_DIR/mvn.log" 2>&1 </dev/null; then
    rm -rf "$tmp"
    show_log "$STACK_DIR/mvn.log"
    die "Maven could not download the Kafka jars (see .stack/mvn.log)"
  fi
  [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing in $tmp"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  say "kafka: jars downloaded in $((SECONDS - t0)) s"
}

java_cmd() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    die "java not found: Kafka needs a Java 17 runtime; install it (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"
  fi
  local ver major
  ver="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  major="${ver%%.*}"
  if [[ $major == 1 ]]; then major="$(cut -d. -f2 <<<"$ver")"; fi
  if [[ $major =~ ^[0-9]+$ ]] && ((major < 11)); then
    die "java $ver is too old: Kafka $KAFKA_VERSION needs Java 11+ (17 recommended; apt-get install -y openjdk-17-jre-headless)"
  fi
}

# A KRaft cluster id: 16 random bytes, URL-safe base64, not starting with "-" (an option).
new_cluster_id() {
  local id
  id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  while [[ $id == -* ]]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
  printf '%s' "$id"
}

# Java, and Maven unless the Kafka jars are cached already.
require_kafka_tools() {
  java_cmd
  if [[ ! -f $KAFKA_LIBS/.complete ]] && ! command -v mvn >/dev/null 2>&1; then
    die "mvn (Maven) not found: needed once to download the Kafka $KAFKA_VERSION jars; install it (apt-get install -y maven) or put the jars in $KAFKA_LIBS"
  fi
}

# kafka_jvm_opts <array name> [extra options...]: the broker JVM's options into the array.
kafka_jvm_opts() {
  local -n into=$1
  shift
  read -r -a into <<<"$KAFKA_HEAP_OPTS"
  into+=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "$@")
}

write_kafka_config() {
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by stack/up.sh on every start; edit the script, not this file.
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data

# single node: every internal topic has one replica
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1

# tests: topics appear on first use, consumer groups join without the 3 s delay
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=1
group.initial.rebalance.delay.ms=0

# small footprint (2 cores, 512 MB heap), short-lived data
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.dedupe.buffer.size=33554432
log.segment.bytes=16777216
log.retention.hours=6
log.retention.bytes=268435456
log.retention.check.interval.ms=60000
EOF
}

KAFKA_STARTED=0
KAFKA_REUSE=0
KAFKA_PID=""
KAFKA_STAMP="listeners=127.0.0.1:$KAFKA_PORT,127.0.0.1:$KAFKA_CONTROLLER_PORT"
# Checks only (nothing is started): reuse what runs, else ports free + tools present.
plan_kafka() {
  local cluster
  if cluster="$(cluster_pids)"; then
    die "kafka runs as a three-node cluster (pids $cluster, STACK_KAFKA_BROKERS=3); run 'npm run stack:down' first to use a single node"
  fi
  if KAFKA_PID="$(kafka_pid)" || { adopt "$KAFKA_PORT" "$KAFKA_DIR/pid" "$KAFKA_MARKER" && KAFKA_PID="$(kafka_pid)"; }; then
    local old
    old="$(cat "$KAFKA_DIR/stamp" 2>/dev/null || true)"
    if [[ $old != "$KAFKA_STAMP" ]]; then
      die "kafka is already running (pid $KAFKA_PID) with ${old:-other settings}; run 'npm run stack:down' first to use $KAFKA_STAMP"
    fi
    KAFKA_REUSE=1
    return 0
  fi
  require_port_free "$KAFKA_PORT" STACK_KAFKA_PORT "Kafka"
  require_port_free "$KAFKA_CONTROLLER_PORT" STACK_KAFKA_CONTROLLER_PORT "Kafka controller"
  require_kafka_tools
}

start_kafka() {
  ((KAFKA_REUSE)) && return 0
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  fetch_kafka_jars
  write_kafka_config

  local log4j="-Dlog4j.configuration=file:$ROOT/stack/log4j.properties"
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    local id
    id="$(new_cluster_id)"
    say "kafka: formatting KRaft storage in .stack/kafka/data (cluster id $id)"
    # Static quorum (controller.quorum.voters): plain `format`, no --standalone
    # (that one is for dynamic quorums configured with controller.quorum.bootstrap.servers).
    if ! "$JAVA" -Xmx256m "$log4j" "-Dkafka.logs.dir=$KAFKA_DIR/logs" -cp "$KAFKA_LIBS/*" \
      kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" \
      >"$KAFKA_DIR/format.log" 2>&1 </dev/null 9>&-; then
      show_log "$KAFKA_DIR/format.log"
      die "kafka storage format failed (see .stack/kafka/format.log)"
    fi
  fi

  say "kafka: starting Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  local opts
  kafka_jvm_opts opts "$log4j" "-Dkafka.logs.dir=$KAFKA_DIR/logs"
  : >"$KAFKA_DIR/kafka.out"
  printf '==== %s stack/up.sh: starting kafka.Kafka\n' "$(date '+%F %T')" >>"$KAFKA_DIR/logs/server.log"
  launch "$KAFKA_DIR/kafka.out" "$JAVA" "${opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties"
  KAFKA_PID=$LAUNCHED_PID
  echo "$KAFKA_PID" >"$KAFKA_DIR/pid"
  echo "$KAFKA_STAMP" >"$KAFKA_DIR/stamp"
  KAFKA_STARTED=1
  KAFKA_T0=$SECONDS
}

# ------------------------------------------------------------- kafka, three nodes

write_cluster_config() { # node number (1..3)
  local i=$1 dir="$CLUSTER_DIR/node-$1" voters="" n
  for n in 1 2 3; do voters+="$n@127.0.0.1:${CLUSTER_CONTROLLER_PORTS[n - 1]},"; done
  cat >"$dir/server.properties" <<EOF
# Generated by stack/up.sh (STACK_KAFKA_BROKERS=3) on every start; edit the script, not this file.
node.id=$i
process.roles=broker,controller
controller.quorum.voters=${voters%,}
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:${CLUSTER_PORTS[i - 1]},CONTROLLER://127.0.0.1:${CLUSTER_CONTROLLER_PORTS[i - 1]}
advertised.listeners=PLAINTEXT://127.0.0.1:${CLUSTER_PORTS[i - 1]}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data

# durability: every partition on all three nodes, an acks=all write needs two of them,
# a replica that was not in sync never becomes leader (docs/kafka-cluster.md)
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=3

# tests: topics appear on first use (with the durability above), groups join at once
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=1
group.initial.rebalance.delay.ms=0

# small footprint (three JVMs on a laptop), short-lived data
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.segment.bytes=16777216
log.retention.hours=6
log.retention.bytes=268435456
log.retention.check.interval.ms=60000
EOF
}

CLUSTER_STAMP=""
CLUSTER_TO_START=()
# Checks only (nothing is started): reuse the nodes that run, else ports free + tools present.
plan_kafka_cluster() {
  local pid i running=()
  if pid="$(kafka_pid)"; then
    die "kafka runs as a single node (pid $pid); run 'npm run stack:down' first to start a three-node cluster"
  fi
  CLUSTER_STAMP="brokers=3 listeners=$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}" "${CLUSTER_CONTROLLER_PORTS[@]}")"
  CLUSTER_STAMP="${CLUSTER_STAMP%,}"
  for i in 1 2 3; do
    if pid="$(cluster_node_pid "$i")" || { adopt "${CLUSTER_PORTS[i - 1]}" "$CLUSTER_DIR/node-$i/pid" \
      "$CLUSTER_DIR/node-$i/server.properties" && pid="$(cluster_node_pid "$i")"; }; then
      running+=("$pid")
    else
      CLUSTER_TO_START+=("$i")
    fi
  done
  if ((${#running[@]})); then
    local old
    old="$(cat "$CLUSTER_DIR/stamp" 2>/dev/null || true)"
    if [[ $old != "$CLUSTER_STAMP" ]]; then
      die "kafka is already running (pids ${running[*]}) with ${old:-other settings}; run 'npm run stack:down' first to use $CLUSTER_STAMP"
    fi
  fi
  ((${#CLUSTER_TO_START[@]})) || { KAFKA_REUSE=1; return 0; }
  for i in "${CLUSTER_TO_START[@]}"; do
    require_port_free "${CLUSTER_PORTS[i - 1]}" STACK_KAFKA_PORT "Kafka node $i"
    require_port_free "${CLUSTER_CONTROLLER_PORTS[i - 1]}" STACK_KAFKA_CONTROLLER_PORT "Kafka node $i controller"
  done
  require_kafka_tools
}

start_kafka_cluster() {
  ((KAFKA_REUSE)) && return 0
  fetch_kafka_jars
  local i formatted=1 log4j="-Dlog4j.configuration=file:$ROOT/stack/log4j.properties"
  for i in 1 2 3; do
    mkdir -p "$CLUSTER_DIR/node-$i/data" "$CLUSTER_DIR/node-$i/logs"
    write_cluster_config "$i"
    [[ -f $CLUSTER_DIR/node-$i/data/meta.properties ]] || formatted=0
  done
  if ((!formatted)); then
    # All three share one cluster id: a node formatted alone could not join the others.
    ((${#CLUSTER_TO_START[@]} == 3)) ||
      die "kafka cluster node storage is incomplete while some nodes run; run 'npm run stack:down' first"
    local id pids=()
    id="$(new_cluster_id)"
    say "kafka: formatting KRaft storage of 3 nodes in .stack/kafka-cluster (cluster id $id)"
    for i in 1 2 3; do
      rm -rf "$CLUSTER_DIR/node-$i/data"
      mkdir -p "$CLUSTER_DIR/node-$i/data"
      "$JAVA" -Xmx256m "$log4j" "-Dkafka.logs.dir=$CLUSTER_DIR/node-$i/logs" -cp "$KAFKA_LIBS/*" \
        kafka.tools.StorageTool format -t "$id" -c "$CLUSTER_DIR/node-$i/server.properties" \
        >"$CLUSTER_DIR/node-$i/format.log" 2>&1 </dev/null 9>&- &
      pids+=($!)
    done
    for i in 1 2 3; do
      if ! wait "${pids[i - 1]}"; then
        show_log "$CLUSTER_DIR/node-$i/format.log"
        die "kafka storage format of node $i failed (see .stack/kafka-cluster/node-$i/format.log)"
      fi
    done
  fi

  local opts
  kafka_jvm_opts opts "$log4j"
  for i in "${CLUSTER_TO_START[@]}"; do
    local dir="$CLUSTER_DIR/node-$i"
    say "kafka: starting Kafka $KAFKA_VERSION node $i (KRaft) on 127.0.0.1:${CLUSTER_PORTS[i - 1]}"
    : >"$dir/kafka.out"
    printf '==== %s stack/up.sh: starting kafka.Kafka node %s\n' "$(date '+%F %T')" "$i" >>"$dir/logs/server.log"
    launch "$dir/kafka.out" "$JAVA" "${opts[@]}" "-Dkafka.logs.dir=$dir/logs" -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties"
    echo "$LAUNCHED_PID" >"$dir/pid"
  done
  echo "$CLUSTER_STAMP" >"$CLUSTER_DIR/stamp"
  KAFKA_STARTED=1
  KAFKA_T0=$SECONDS
}

# ---------------------------------------------------------------------------- mongo

go_cmd() {
  command -v go >/dev/null 2>&1 || die "go not found: FerretDB $FERRETDB_VERSION is built from source once (~1-2 min); install Go 1.24+ (https://go.dev/dl/), or install mongod, or set MONGODB_URI"
  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)"
  v="${v#go}"
  local maj="${v%%.*}" min
  min="$(cut -d. -f2 <<<"$v")"
  min="${min%%[!0-9]*}"
  if [[ $maj =~ ^[0-9]+$ && $min =~ ^[0-9]+$ ]] && ((maj == 1 && min < 24)); then
    die "go $v is too old: building FerretDB $FERRETDB_VERSION needs Go 1.24+ (https://go.dev/dl/)"
  fi
}

build_ferretdb() {
  [[ -x $FERRETDB_BIN ]] && return 0
  go_cmd
  say "ferretdb: building FerretDB $FERRETDB_VERSION (first run, ~1-2 min)…"
  local work="$CACHE/ferretdb-build" t0=$SECONDS
  local log="$work/build.log" src="$work/src.$$" tmpbin="$FERRETDB_BIN.tmp.$$" dir
  mkdir -p "$work/empty"
  : >"$log"
  # `go install …@v1.24.2` does not work behind the registry proxy (403 on the
  # @v/list deprecation lookup) and the module zip lacks build/version/version.txt
  # (the binary panics at start without it), so: download the module, copy it,
  # add version.txt, build. Run outside any module (empty dir, GOWORK=off).
  local -x GOWORK=off GO111MODULE=on GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
  if ! dir="$(cd "$work/empty" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" 2>>"$log")"; then
    printf '%s\n' "$dir" >>"$log"
    show_log "$log"
    die "could not download the FerretDB $FERRETDB_VERSION module (see $log)"
  fi
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$dir")"
  [[ -n $dir && -d $dir ]] || die "go mod download did not report a module directory (see $log)"
  rm -rf "$src"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  if ! (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$tmpbin" ./cmd/ferretdb) >>"$log" 2>&1 </dev/null 9>&-; then
    rm -rf "$src" "$tmpbin"
    show_log "$log"
    die "building FerretDB $FERRETDB_VERSION failed (see $log)"
  fi
  rm -rf "$src"
  if ! "$tmpbin" --version >>"$log" 2>&1 </dev/null; then
    rm -f "$tmpbin"
    show_log "$log"
    die "the freshly built FerretDB binary does not run (see $log)"
  fi
  mv -f "$tmpbin" "$FERRETDB_BIN"
  say "ferretdb: built $FERRETDB_BIN in $((SECONDS - t0)) s"
}

# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
AS_PG=()
pg_setup_user() {
  PG_BINDIR="${STACK_PG_BINDIR:-}"
  if [[ -z $PG_BINDIR ]]; then
    local d
    while IFS= read -r d; do
      if [[ -x $d/initdb ]]; then PG_BINDIR=$d; fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  fi
  if [[ -z $PG_BINDIR ]] && command -v initdb >/dev/null 2>&1; then
    PG_BINDIR="$(dirname "$(command -v initdb)")"
  fi
  [[ -n $PG_BINDIR && -x $PG_BINDIR/initdb && -x $PG_BINDIR/pg_ctl ]] ||
    die "PostgreSQL server binaries not found (needed for STACK_MONGO_BACKEND=postgresql): apt-get install -y postgresql, or set STACK_PG_BINDIR"
  if ((EUID == 0)); then
    if ! id -u postgres >/dev/null 2>&1; then
      say "postgres: creating system user 'postgres'"
      useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres ||
        die "could not create the 'postgres' system user"
    fi
    AS_PG=(runuser -u postgres --)
  fi
}

pg_ctl_() { "${AS_PG[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" "$@"; }
psql_() { PGCONNECT_TIMEOUT=5 "$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

start_postgres() {
  mkdir -p "$PG_DIR"
  ((EUID == 0)) && chown postgres: "$PG_DIR"
  if ! "${AS_PG[@]}" test -w "$PG_DIR" 2>/dev/null; then
    die "the postgres user cannot write $PG_DIR (a parent directory is not accessible to it); make the path traversable (chmod o+x) or use STACK_MONGO_BACKEND=sqlite"
  fi
  if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    say "postgres: initializing a cluster in .stack/postgres/data"
    rm -rf "$PG_DIR/data"
    if ! (cd "$PG_DIR" && "${AS_PG[@]}" "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
      -E UTF8 --no-locale --no-instructions) >"$PG_DIR/initdb.log" 2>&1 </dev/null 9>&-; then
      show_log "$PG_DIR/initdb.log"
      die "PostgreSQL initdb failed (see .stack/postgres/initdb.log)"
    fi
    "${AS_PG[@]}" tee -a "$PG_DIR/data/postgresql.conf" >/dev/null <<'EOF'

# ---- task-center local stack (stack/up.sh) ----
# Only 127.0.0.1 over TCP (port is passed with -p on start), trust auth (initdb --auth=trust).
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
# max_connections is passed on the command line: FerretDB's pool + 50 (STACK_FERRETDB_PG_POOL)
# Modest tuning for local benchmarks.
shared_buffers = 256MB
effective_cache_size = 1GB
work_mem = 16MB
maintenance_work_mem = 128MB
max_wal_size = 2GB
checkpoint_timeout = 15min
wal_level = minimal
max_wal_senders = 0
# fsync stays on, so a crash cannot corrupt the cluster; synchronous_commit=off
# only risks losing the last ~0.6 s of acknowledged commits after an OS crash.
# Fine for a throwaway local dev/test stack, never for production.
synchronous_commit = off
log_min_messages = warning
log_checkpoints = off
EOF
  fi
  if pg_ctl_ status >/dev/null 2>&1; then
    say "postgres: already running"
  else
    say "postgres: starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! (cd "$PG_DIR" && "${SETSID[@]}" "${AS_PG[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" \
      -o "-p $PG_PORT -c plan_cache_mode=force_custom_plan -c max_connections=$PG_MAX_CONNECTIONS" -w -t "$MONGO_TIMEOUT" start) >"$PG_DIR/pg_ctl.log" 2>&1 </dev/null 9>&-; then
      show_log "$PG_DIR/pg_ctl.log"
      show_log "$PG_DIR/postgres.log"
      die "PostgreSQL did not start within ${MONGO_TIMEOUT}s (see .stack/postgres/postgres.log)"
    fi
  fi
  local has
  has="$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'" </dev/null 2>"$PG_DIR/psql.log")" ||
    die "cannot connect to PostgreSQL on 127.0.0.1:$PG_PORT: $(head -n1 "$PG_DIR/psql.log")"
  if [[ $has != 1 ]]; then
    psql_ -d postgres -c "CREATE DATABASE ferretdb" </dev/null 2>"$PG_DIR/psql.log" >/dev/null ||
      die "could not create the ferretdb database: $(head -n1 "$PG_DIR/psql.log")"
  fi
}

MONGO_STARTED=0
MONGO_REUSE=0
MONGO_PID=""
MONGO_LOG=""
MONGO_STAMP="backend=$BACKEND listen=127.0.0.1:$MONGO_PORT"
[[ $BACKEND != ferretdb-postgresql ]] || MONGO_STAMP+=" pg=127.0.0.1:$PG_PORT"

# Checks only (nothing is started): reuse what runs, else ports free + tools present.
plan_mongo() {
  local pidfile marker stampfile
  case $BACKEND in
    external) return 0 ;;
    mongod) pidfile="$MONGOD_DIR/pid" marker="$MONGOD_MARKER" stampfile="$MONGOD_DIR/stamp" MONGO_LOG="$MONGOD_DIR/mongod.log" ;;
    *) pidfile="$FERRET_DIR/pid" marker="$FERRET_MARKER" stampfile="$FERRET_DIR/stamp" MONGO_LOG="$FERRET_DIR/ferretdb.log" ;;
  esac
  if MONGO_PID="$(our_pid "$pidfile" "$marker")" ||
    { adopt "$MONGO_PORT" "$pidfile" "$marker" && MONGO_PID="$(our_pid "$pidfile" "$marker")"; }; then
    local old
    old="$(cat "$stampfile" 2>/dev/null || true)"
    if [[ $old != "$MONGO_STAMP" ]]; then
      die "mongo is already running (pid $MONGO_PID) with ${old:-other settings}; run 'npm run stack:down' first to use $MONGO_STAMP"
    fi
    MONGO_REUSE=1
    return 0
  fi
  case $BACKEND in
    mongod)
      require_port_free "$MONGO_PORT" STACK_MONGO_PORT "MongoDB"
      ;;
    ferretdb-*)
      require_port_free "$MONGO_PORT" STACK_MONGO_PORT "FerretDB"
      [[ $FERRETDB_DEBUG_PORT == - ]] ||
        require_port_free "$FERRETDB_DEBUG_PORT" STACK_FERRETDB_DEBUG_PORT "FerretDB debug HTTP, '-' disables it"
      [[ -x $FERRETDB_BIN ]] || go_cmd
      if [[ $BACKEND == ferretdb-postgresql ]]; then
        pg_setup_user
        if ! pg_ctl_ status >/dev/null 2>&1; then
          require_port_free "$PG_PORT" STACK_PG_PORT "PostgreSQL"
        fi
      fi
      ;;
  esac
}

start_mongo() {
  if ((MONGO_REUSE)); then
    echo "$BACKEND" >"$BACKEND_FILE"
    return 0
  fi
  case $BACKEND in
    external) return 0 ;;
    mongod)
      mkdir -p "$MONGOD_DIR"
      say "mongo: starting mongod on 127.0.0.1:$MONGO_PORT"
      launch "$MONGOD_DIR/mongod.out" mongod --dbpath "$MONGOD_DIR" --port "$MONGO_PORT" --bind_ip 127.0.0.1 \
        --wiredTigerCacheSizeGB 0.5 --logpath "$MONGO_LOG" --logappend
      MONGO_PID=$LAUNCHED_PID
      echo "$MONGO_PID" >"$MONGOD_DIR/pid"
      echo "$MONGO_STAMP" >"$MONGOD_DIR/stamp"
      ;;
    ferretdb-*)
      mkdir -p "$FERRET_DIR/sqlite"
      build_ferretdb
      local args=(--listen-addr="127.0.0.1:$MONGO_PORT" "$FERRET_MARKER" --telemetry=disable
        --log-level="${STACK_FERRETDB_LOG_LEVEL:-error}")
      if [[ $FERRETDB_DEBUG_PORT == - ]]; then
        args+=(--debug-addr=-)
      else
        args+=(--debug-addr="127.0.0.1:$FERRETDB_DEBUG_PORT")
      fi
      if [[ $BACKEND == ferretdb-postgresql ]]; then
        start_postgres
        args+=(--handler=postgresql
          --postgresql-url="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb?pool_max_conns=$FERRETDB_PG_POOL")
      else
        args+=(--handler=sqlite --sqlite-url="file:$FERRET_DIR/sqlite/")
      fi
      say "mongo: starting FerretDB $FERRETDB_VERSION (${BACKEND#ferretdb-} backend) on 127.0.0.1:$MONGO_PORT"
      printf '==== %s stack/up.sh: ferretdb %s\n' "$(date '+%F %T')" "${args[*]}" >>"$MONGO_LOG"
      launch "$MONGO_LOG" "$FERRETDB_BIN" "${args[@]}"
      MONGO_PID=$LAUNCHED_PID
      echo "$MONGO_PID" >"$FERRET_DIR/pid"
      echo "$MONGO_STAMP" >"$FERRET_DIR/stamp"
      ;;
  esac
  echo "$BACKEND" >"$BACKEND_FILE"
  MONGO_STARTED=1
  MONGO_T0=$SECONDS
}

# ---------------------------------------------------------------------------- main

# Check everything first, so that a busy port or a missing tool fails before anything starts.
if [[ $KAFKA_NODES == 3 ]]; then plan_kafka_cluster; else plan_kafka; fi
plan_mongo
# These return right after launching the JVMs; FerretDB builds/starts while Kafka boots.
if [[ $KAFKA_NODES == 3 ]]; then start_kafka_cluster; else start_kafka; fi
start_mongo
if [[ $BACKEND == external ]]; then
  MONGO_URI="$MONGODB_URI"
else
  MONGO_URI="mongodb://127.0.0.1:$MONGO_PORT/task_center"
fi

KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
if [[ $KAFKA_NODES == 3 ]]; then
  KAFKA_BROKERS="$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}")"
  KAFKA_BROKERS="${KAFKA_BROKERS%,}"
  KAFKA_PID="$(cluster_pids || true)"
  cluster_logs=()
  for i in 1 2 3; do cluster_logs+=("$CLUSTER_DIR/node-$i/logs/server.log" "$CLUSTER_DIR/node-$i/kafka.out"); done
  # the probe passes once every node of the list is a registered broker
  if ((KAFKA_STARTED)) || ! probe kafka "$KAFKA_BROKERS"; then
    wait_ready "kafka cluster" "$KAFKA_PID" "$KAFKA_TIMEOUT" "${cluster_logs[@]}" -- kafka "$KAFKA_BROKERS"
    say "kafka: 3 nodes ready on $KAFKA_BROKERS (pids $KAFKA_PID)"
  else
    say "kafka: 3 nodes already running (pids $KAFKA_PID)"
  fi
elif ((KAFKA_STARTED)); then
  wait_ready kafka "$KAFKA_PID" "$KAFKA_TIMEOUT" "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/kafka.out" -- kafka "$KAFKA_BROKERS"
  say "kafka: ready on $KAFKA_BROKERS (pid $KAFKA_PID, $((SECONDS - KAFKA_T0)) s)"
elif probe kafka "$KAFKA_BROKERS"; then
  say "kafka: already running (pid $KAFKA_PID)"
else
  say "kafka: running (pid $KAFKA_PID) but not answering yet; waiting…"
  wait_ready kafka "$KAFKA_PID" "$KAFKA_TIMEOUT" "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/kafka.out" -- kafka "$KAFKA_BROKERS"
  say "kafka: ready on $KAFKA_BROKERS (pid $KAFKA_PID)"
fi

if [[ $BACKEND == external ]]; then
  wait_ready "mongo (MONGODB_URI from the environment)" "" "$MONGO_TIMEOUT" -- mongo "$MONGO_URI"
  say "mongo: using MONGODB_URI from the environment (nothing started)"
elif ((MONGO_STARTED)); then
  wait_ready "mongo ($BACKEND)" "$MONGO_PID" "$MONGO_TIMEOUT" "$MONGO_LOG" -- mongo "$MONGO_URI"
  say "mongo: ready on 127.0.0.1:$MONGO_PORT ($BACKEND, pid $MONGO_PID, $((SECONDS - MONGO_T0)) s)"
elif probe mongo "$MONGO_URI"; then
  say "mongo: already running ($BACKEND, pid $MONGO_PID)"
else
  say "mongo: running ($BACKEND, pid $MONGO_PID) but not answering yet; waiting…"
  wait_ready "mongo ($BACKEND)" "$MONGO_PID" "$MONGO_TIMEOUT" "$MONGO_LOG" -- mongo "$MONGO_URI"
  say "mongo: ready on 127.0.0.1:$MONGO_PORT ($BACKEND, pid $MONGO_PID)"
fi

tmp="$(mktemp "$STACK_DIR/env.XXXXXX")"
printf 'KAFKA_BROKERS=%s\nMONGODB_URI=%s\n' "$KAFKA_BROKERS" "$MONGO_URI" >"$tmp"
if [[ $KAFKA_NODES == 3 ]]; then
  # A task center on this cluster creates its topics like the broker's defaults.
  printf 'KAFKA_TOPIC_REPLICATION_FACTOR=3\nKAFKA_TOPIC_MIN_INSYNC_REPLICAS=2\n' >>"$tmp"
fi
chmod 644 "$tmp"
mv -f "$tmp" "$ENV_FILE"
cat "$ENV_FILE"
