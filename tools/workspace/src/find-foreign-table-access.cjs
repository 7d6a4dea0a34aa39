const { readdirSync, readFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

// The source the check reads. Specs, `tests/` folders, tools/testing and bench/ are left out on
// purpose: they observe the database from outside, as an oracle, so they may read any table.
const scannedRoots = ['libs', 'apps', 'tools'];
const sourceFile = /\.(ts|cts|mts|js|cjs|mjs)$/;
const skippedDirs = new Set(['node_modules', 'dist', 'tmp', 'coverage', 'tests', '.nx']);
// The owner table itself names every table; it is data, not access.
const ownerTableFile = 'tools/workspace/src/table-owners.cjs';

function isOutOfScope(path) {
  return path.endsWith('.spec.ts') || path.startsWith('tools/testing/') || path === ownerTableFile;
}

/** Workspace-relative paths (with '/') of the source files the check reads. */
function listScannedFiles(root) {
  const files = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skippedDirs.has(entry.name)) walk(full);
      } else if (sourceFile.test(entry.name)) {
        const path = relative(root, full).split(sep).join('/');
        if (!isOutOfScope(path)) files.push(path);
      }
    }
  };
  for (const folder of scannedRoots) walk(join(root, folder));
  return files.sort();
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The ways a file reaches a table: its name in any text (SQL), or its entity class passed as the
 * first argument of a call (`getRepository(E)`, `manager.find(E, …)`, `.from(E, 'e')`…). A foreign
 * key (`REFERENCES table(id)`) declares a dependency on the table, it does not touch its rows.
 */
function accessPatterns(owner) {
  return [
    { what: `table ${owner.table}`, pattern: new RegExp(`(?<!REFERENCES\\s+)\\b${escape(owner.table)}\\b`, 'gi') },
    ...owner.entities.map((entity) => ({
      what: `entity ${entity} (table ${owner.table})`,
      pattern: new RegExp(`\\(\\s*${escape(entity)}\\s*[,)]`, 'g'),
    })),
  ];
}

function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Problems in the given files, one readable line each (`path:line: …`), for every access to a table
 * outside its owners. `files` are `{ path, text }` with workspace-relative paths.
 */
function findForeignTableAccess(files, owners) {
  const problems = [];
  for (const { path, text } of files) {
    for (const owner of owners) {
      if (owner.owners.some((folder) => path.startsWith(folder))) continue;
      for (const { what, pattern } of accessPatterns(owner)) {
        for (const match of text.matchAll(pattern)) {
          problems.push(`${path}:${lineOf(text, match.index)}: ${what} is owned by ${owner.owners.join(', ')}`);
        }
      }
    }
  }
  return problems.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Reads the workspace at `root` and returns its problems and how many files were read. */
function checkTableOwnership(root, owners) {
  const paths = listScannedFiles(root);
  const files = paths.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
  return { problems: findForeignTableAccess(files, owners), fileCount: files.length };
}

module.exports = { checkTableOwnership };
