'use strict';
// The process-level specs spawn the bundled worker: build dist/apps/worker/main.js once for all of them.
const path = require('node:path');

const root = path.resolve(__dirname, '../../../..');

module.exports = async function globalSetup() {
  const { buildApp } = require(path.join(root, 'tools/build/build-app.cjs'));
  const { apps } = require(path.join(root, 'tools/build/apps.cjs'));
  await buildApp(apps.worker);
};
