#!/usr/bin/env node
// The npm registry this project installs from lacks some platform-only optional packages (e.g. the
// android/darwin/win32 builds of @unrs/resolver-binding-*). `npm install` leaves them out of
// package-lock.json but keeps them in their parent's optionalDependencies, and `npm ci` then refuses
// the lock as out of sync. This drops the optional dependencies that have no lock entry.
// Run after every `npm install`: node tools/workspace/src/prune-lockfile.cjs
const { readFileSync, writeFileSync } = require('node:fs');

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
let pruned = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  for (const name of Object.keys(entry.optionalDependencies)) {
    const nested = `${path}/node_modules/${name}`;
    if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) {
      delete entry.optionalDependencies[name];
      pruned++;
    }
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`pruned ${pruned} optional dependencies missing from the registry`);
