// Set by tools/build/build-app.cjs (esbuild `define`) from the root package.json.
declare const __KILN_VERSION__: string | undefined;

/** The version `kiln --version` prints: the workspace's. */
export const KILN_VERSION: string = typeof __KILN_VERSION__ === 'string' ? __KILN_VERSION__ : '0.0.0-dev';
