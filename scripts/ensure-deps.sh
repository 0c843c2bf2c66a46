#!/usr/bin/env bash
# scripts/ensure-deps.sh: installs the npm packages (npm ci) when node_modules does not match
# package-lock.json: missing, an unfinished install, a changed lock or patch
# (scripts/deps-current.mjs says which). The first step of `npm run dev`, `npm test` and
# `npm run stack:up`, so that on a fresh clone they are the first and only command. Prints
# nothing when node_modules is current; else a progress line before the install and its
# duration after, on stderr:
#   deps: installing the npm packages with npm ci (node_modules is missing; 30 s to 2 min)…
#   deps: installed in 31 s
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }

command -v node >/dev/null 2>&1 || {
  say "deps: node not found on PATH: install Node.js 20.19 or newer (https://nodejs.org)"
  exit 1
}
# package.json's engines: npm ci only warns, and the failures come later and read worse.
if ! node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  process.exit(maj > 20 || (maj === 20 && min >= 19) ? 0 : 1);'; then
  say "deps: Node.js $(node --version) is too old: Task Center needs 20.19 or newer (https://nodejs.org)"
  exit 1
fi

reason="$(node scripts/deps-current.mjs)" && exit 0

# One install at a time per checkout (`npm run dev` and `npm test` started together on a
# fresh clone): the second waits, then finds node_modules current.
exec 8<package-lock.json
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 8; then
    say "deps: another install is running in this checkout; waiting for it…"
    flock 8
  fi
  reason="$(node scripts/deps-current.mjs)" && exit 0
fi

say "deps: installing the npm packages with npm ci ($reason; 30 s to 2 min)…"
t0=$SECONDS
# --include=dev: dev and the tests need the dev dependencies even under NODE_ENV=production.
if ! npm ci --include=dev --no-audit --no-fund 8<&-; then
  say "deps: npm ci failed (its output is above); fix that and run the command again"
  exit 1
fi
say "deps: installed in $((SECONDS - t0)) s"
