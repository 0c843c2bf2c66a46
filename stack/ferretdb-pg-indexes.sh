#!/usr/bin/env bash
# stack/ferretdb-pg-indexes.sh: applies stack/ferretdb-pg-indexes.sql (GIN indexes that let
# FerretDB v1's PostgreSQL backend answer lookups from an index; see the file) to the
# PostgreSQL database behind FerretDB. `npm run stack:pg-indexes`.
#
#   STACK_PG_URL   (default postgres://postgres@127.0.0.1:$STACK_PG_PORT/ferretdb, the local stack's)
#   STACK_PG_PORT  (54329)  STACK_PG_BINDIR (auto: /usr/lib/postgresql/<newest>/bin, else PATH)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="${STACK_PG_URL:-postgres://postgres@127.0.0.1:${STACK_PG_PORT:-54329}/ferretdb}"
BINDIR="${STACK_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
PSQL="psql"
[[ -n $BINDIR && -x $BINDIR/psql ]] && PSQL="$BINDIR/psql"
command -v "$PSQL" >/dev/null || { echo "stack: psql not found (apt-get install postgresql-client)" >&2; exit 1; }
PGCONNECT_TIMEOUT=5 "$PSQL" -X -q "$URL" -v ON_ERROR_STOP=1 -f "$ROOT/stack/ferretdb-pg-indexes.sql" 2>&1 |
  sed -e 's/^psql:[^ ]* NOTICE:  //'
