'use strict';
// Preloaded with --require: prints, at exit, which node_modules packages the process loaded.
process.on('exit', () => {
  const packages = new Set();
  for (const id of Object.keys(require.cache)) {
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(id);
    if (match) packages.add(match[1].replace(/\\/g, '/'));
  }
  process.stderr.write(`\nLOADED_PACKAGES=${JSON.stringify([...packages].sort())}\n`);
});
