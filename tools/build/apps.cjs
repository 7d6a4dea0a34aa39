'use strict';
// What `node tools/build/build-app.cjs <app>` builds; bin/kiln.cjs builds `cli` from here too.
const apps = {
  cli: {
    entry: 'apps/cli/src/main.ts',
    outfile: 'dist/apps/cli/main.js',
    // The bundled emulator (`--emulator`) reads its node catalogue from `data/` beside the bundle.
    assets: [{ from: 'tools/comfyui-emulator/src/data/object-info.json', to: 'data/object-info.json' }],
  },
  worker: {
    entry: 'apps/worker/src/main.ts',
    outfile: 'dist/apps/worker/main.js',
    assets: [],
  },
};

module.exports = { apps };
