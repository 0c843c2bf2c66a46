#!/usr/bin/env node
// scripts/deps-current.mjs (used by scripts/ensure-deps.sh): are the installed npm packages
// the ones package-lock.json names? Plain Node, no package needed (it runs before the install).
//
//   exit 0: node_modules matches package-lock.json
//   exit 1: it does not; one line on stdout says why ("node_modules is missing", ...)
//
// npm writes node_modules/.package-lock.json at the end of every install: the packages it
// installed, at the versions and sources of package-lock.json, less the optional ones it
// skipped (other platforms' binaries). An interrupted install leaves none. So: every package
// of the hidden lockfile must have the lock's version and source and its folder, every
// package of the lock not in it must be optional, and no patch may be newer than the install.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const hiddenPath = join(root, 'node_modules', '.package-lock.json');

function stale(reason) {
  console.log(reason);
  process.exit(1);
}

if (!existsSync(join(root, 'node_modules'))) stale('node_modules is missing');
if (!existsSync(hiddenPath)) stale('the last install did not finish');

const lock = JSON.parse(readFileSync(lockPath, 'utf8')).packages ?? {};
const hidden = JSON.parse(readFileSync(hiddenPath, 'utf8')).packages ?? {};

for (const [path, entry] of Object.entries(hidden)) {
  const wanted = lock[path];
  if (!wanted) stale(`package-lock.json no longer lists ${path}`);
  if (wanted.version !== entry.version || wanted.resolved !== entry.resolved) {
    stale(`package-lock.json changed since the last install (${path})`);
  }
  if (!existsSync(join(root, path))) stale(`${path} is missing`);
}
for (const [path, entry] of Object.entries(lock)) {
  if (path === '' || path in hidden || entry.optional) continue;
  stale(`package-lock.json changed since the last install (${path} is not installed)`);
}

// patch-package applies patches/ on install: a newer patch needs an install.
const installedAt = statSync(hiddenPath).mtimeMs;
const patches = join(root, 'patches');
if (existsSync(patches)) {
  for (const name of readdirSync(patches)) {
    if (statSync(join(patches, name)).mtimeMs > installedAt) {
      stale(`patches/${name} changed since the last install`);
    }
  }
}
