'use strict';
// What `node tools/build/build-app.cjs <app>` builds; bin/kiln.cjs builds `cli` from here too.
// The gallery's script and stylesheet, which it reads from `gallery-static/` beside the bundle.
const galleryAssets = ['gallery.js', 'gallery.css'].map((name) => ({ from: `libs/gallery/static/${name}`, to: `gallery-static/${name}` }));

const apps = {
  cli: {
    entry: 'apps/cli/src/main.ts',
    outfile: 'dist/apps/cli/main.js',
    // The bundled emulator (`--emulator`) reads its node catalogue from `data/` beside the bundle.
    assets: [{ from: 'tools/comfyui-emulator/src/data/object-info.json', to: 'data/object-info.json' }, ...galleryAssets],
  },
  worker: {
    // Two bundles: main.js installs the stop handlers before it requires worker.js (the worker
    // itself), so a SIGTERM while the worker loads stops it cleanly instead of killing it.
    entry: 'apps/worker/src/main.ts',
    outfile: 'dist/apps/worker/main.js',
    external: ['./worker.js'],
    parts: [{ entry: 'apps/worker/src/worker.ts', outfile: 'dist/apps/worker/worker.js', assets: galleryAssets }],
  },
};

module.exports = { apps };
