#!/usr/bin/env node
// Table-ownership check: fails, naming file:line, when SQL or a TypeORM call on a table appears
// outside the folders that own it (tools/workspace/src/table-owners.cjs). Specs, `tests/`,
// tools/testing and bench/ are out of scope: they read the database from outside, as an oracle.
const owners = require('./table-owners.cjs');
const { checkTableOwnership } = require('./find-foreign-table-access.cjs');

const root = process.argv[2] ?? process.cwd();
const { problems, fileCount } = checkTableOwnership(root, owners);
if (problems.length) {
  console.error(`table-ownership check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`table-ownership check passed: ${fileCount} source files, ${owners.length} tables, each touched only by its owner`);
