#!/usr/bin/env node
'use strict';
// The `kiln` command. Runs the bundled CLI (dist/apps/cli/main.js), building it first when it is
// missing or older than any file it was built from, so `npx kiln …` works right after `npm ci`.
// The check only stats the files listed in main.js.inputs.json (a few hundred stats, ~ms).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'dist/apps/cli/main.js');
const builder = path.join(root, 'tools/build/build-app.cjs');
const appsFile = path.join(root, 'tools/build/apps.cjs');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function isStale() {
  const built = mtime(bundle);
  if (built === undefined) return true;
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(`${bundle}.inputs.json`, 'utf8')).inputs;
  } catch {
    return true;
  }
  for (const input of [...inputs, path.relative(root, builder), path.relative(root, appsFile)]) {
    const changed = mtime(path.join(root, input));
    if (changed === undefined || changed > built) return true;
  }
  return false;
}

async function main() {
  // Without sources (an installed copy) the bundle is all there is.
  const hasSources = fs.existsSync(path.join(root, 'apps/cli/src/main.ts')) && fs.existsSync(builder);
  if (hasSources && process.env.KILN_SKIP_BUILD !== '1' && isStale()) {
    process.stderr.write('kiln: building the CLI (sources changed since the last build)…\n');
    await require(builder).buildApp(require(appsFile).apps.cli);
  }
  require(bundle);
}

main().catch((error) => {
  process.stderr.write(`kiln: could not build or start the CLI: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});
