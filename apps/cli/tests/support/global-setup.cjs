'use strict';
// Builds dist/apps/cli/main.js once for every end-to-end spec, and prepares a migrated embedded
// database folder that each test copies (creating a PGlite cluster takes ~4 s; a copy ~0.1 s).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../../..');

module.exports = async function globalSetup() {
  const { buildApp } = require(path.join(root, 'tools/build/build-app.cjs'));
  const { apps } = require(path.join(root, 'tools/build/apps.cjs'));
  await buildApp(apps.cli);
  const template = path.join(root, 'tmp/cli-e2e/db-template');
  fs.rmSync(template, { recursive: true, force: true });
  fs.rmSync(`${template}.lock`, { force: true });
  fs.mkdirSync(path.dirname(template), { recursive: true });
  // Any database command creates and migrates the folder.
  execFileSync(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), 'pipeline', 'status'], {
    env: { ...process.env, KILN_DATA_DIR: template, DATABASE_URL: '' },
    stdio: 'ignore',
  });
  process.env.KILN_E2E_DB_TEMPLATE = template;
};
