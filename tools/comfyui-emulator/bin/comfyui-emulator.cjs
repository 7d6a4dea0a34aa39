#!/usr/bin/env node
// Starts the emulator from its TypeScript sources: esbuild bundles src/cli.ts in memory (~100 ms),
// dependencies stay in node_modules. No build step, no ts-node start-up cost.
'use strict';
const path = require('node:path');
const Module = require('node:module');
const { buildSync } = require('esbuild');

const entry = path.join(__dirname, '..', 'src', 'cli.ts');
const result = buildSync({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  write: false,
  sourcemap: 'inline',
  logLevel: 'error',
});
const bundle = new Module(entry, module);
bundle.filename = entry;
bundle.paths = Module._nodeModulePaths(path.dirname(entry));
bundle._compile(result.outputFiles[0].text, entry);
bundle.exports.main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
