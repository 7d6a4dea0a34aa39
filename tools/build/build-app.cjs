#!/usr/bin/env node
'use strict';
// Bundles an app into one CommonJS file with esbuild.
//
// Why a plugin: esbuild compiles decorators but drops `emitDecoratorMetadata`, which TypeORM and
// class-transformer read (`design:type`). Files that contain decorators therefore go through
// TypeScript's own `transpileModule` first, with the repo's compiler options, and esbuild bundles
// the result. Everything else takes esbuild's fast path.
//
// Usage: node tools/build/build-app.cjs <app>            (an app of tools/build/apps.cjs)
//        node tools/build/build-app.cjs <entry.ts> <outfile.js>
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '../..');
/**
 * Bundled although listed in dependencies. ky: ESM-only, so a CommonJS bundle cannot `require` it.
 * The others load on every `kiln run` and cost far more as hundreds of node_modules files (resolved,
 * read and compiled one by one) than bundled: ~230 ms of a start-up measured in the hundreds, most of
 * it class-validator, whose ES build lets esbuild drop the validators (and libphonenumber) we never
 * use. Kept external: packages that locate files beside themselves (PGlite's WebAssembly, loaded in a
 * worker), load optional drivers at run time (typeorm, pg), or that `kiln --help` needs (commander).
 */
const BUNDLED_DEPENDENCIES = new Set(['ky', 'class-validator', 'class-transformer', 'yaml', 'winston', 'prom-client', 'ws', 'cli-progress']);
/** Optional native add-ons `ws` tries to `require`; absent, it uses its JavaScript code. */
const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];
const DECORATOR = /^[ \t]*@[A-Za-z_$]|[)\]}] *@[A-Za-z_$][\w$]*\(/m;

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Every runtime dependency stays a `require` of node_modules, except the ESM-only ones. */
function externalPackages() {
  const { dependencies = {} } = readJson(path.join(workspaceRoot, 'package.json'));
  return Object.keys(dependencies)
    .filter((name) => !BUNDLED_DEPENDENCIES.has(name))
    .flatMap((name) => [name, `${name}/*`])
    .concat(OPTIONAL_NATIVE);
}

/** `@kiln/*` → the lib's index.ts, from tsconfig.base.json `paths`. */
function workspaceAliases() {
  const { compilerOptions } = readJson(path.join(workspaceRoot, 'tsconfig.base.json'));
  const aliases = {};
  for (const [name, targets] of Object.entries(compilerOptions.paths ?? {})) {
    if (name.includes('*')) continue;
    aliases[name] = path.join(workspaceRoot, targets[0]);
  }
  return aliases;
}

function decoratorMetadataPlugin() {
  let ts;
  let compilerOptions;
  return {
    name: 'decorator-metadata',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        if (!DECORATOR.test(source)) return undefined;
        ts ??= require('typescript');
        compilerOptions ??= loadCompilerOptions(ts);
        const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: args.path });
        // Loader `ts`: the output is plain JS, but esbuild then tolerates imports of type-only names.
        return { contents: outputText, loader: 'ts', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

function loadCompilerOptions(ts) {
  const configFile = path.join(workspaceRoot, 'tsconfig.base.json');
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, workspaceRoot);
  return {
    ...options,
    // ES modules out, so esbuild still sees imports and exports to bundle.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    declaration: false,
    noEmit: false,
  };
}

/**
 * Bundles `entry` into `outfile` (+ `.map`) and writes `<outfile>.inputs.json`, the workspace files
 * the bundle was made from, which `bin/kiln.cjs` uses to tell whether the bundle is stale.
 * `assets` are copied beside the bundle (`{ from: workspace path, to: path relative to the bundle }`)
 * for code that reads files next to itself. Files are written to temporary names and renamed, so a
 * concurrent reader never sees half a bundle. `external`: paths the entry requires at run time
 * instead of bundling (another bundle beside it); `parts`: those other bundles, built first.
 */
async function buildApp({ entry, outfile, assets = [], minify = false, external = [], parts = [] }) {
  for (const part of parts) await buildApp({ minify, ...part });
  const esbuild = require('esbuild');
  const absoluteOut = path.resolve(workspaceRoot, outfile);
  const result = await esbuild.build({
    entryPoints: [path.resolve(workspaceRoot, entry)],
    outfile: absoluteOut,
    bundle: true,
    platform: 'node',
    // ES builds first: esbuild can leave out what a bundled package's CommonJS build would load whole.
    mainFields: ['module', 'main'],
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    minify,
    keepNames: true,
    write: false,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: workspaceRoot,
    tsconfig: path.join(workspaceRoot, 'tsconfig.base.json'),
    alias: workspaceAliases(),
    define: { __KILN_VERSION__: JSON.stringify(readJson(path.join(workspaceRoot, 'package.json')).version) },
    external: [...externalPackages(), ...external],
    plugins: [decoratorMetadataPlugin()],
  });
  fs.mkdirSync(path.dirname(absoluteOut), { recursive: true });
  const bundled = Object.keys(result.metafile.inputs);
  const inputs = bundled
    .filter((input) => !input.includes('node_modules/') && !input.includes(':'))
    .concat(assets.map((asset) => asset.from))
    // Packages bundled from node_modules: an install that changes them changes the lockfile.
    .concat(bundled.some((input) => input.includes('node_modules/')) ? ['package-lock.json'] : [])
    .sort();
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })),
    ...assets.map((asset) => ({
      path: path.join(path.dirname(absoluteOut), asset.to),
      contents: fs.readFileSync(path.join(workspaceRoot, asset.from)),
    })),
    { path: `${absoluteOut}.inputs.json`, contents: Buffer.from(`${JSON.stringify({ inputs }, null, 1)}\n`) },
  ];
  // The inputs list last: its presence means the bundle beside it is complete.
  for (const file of files) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(temp, file.contents);
    fs.renameSync(temp, file.path);
  }
  return { outfile: absoluteOut, inputs };
}

module.exports = { buildApp, workspaceRoot };

if (require.main === module) {
  const args = process.argv.slice(2);
  const { apps } = require('./apps.cjs');
  const target = args.length === 1 ? apps[args[0]] : { entry: args[0], outfile: args[1] };
  if (!target || !target.entry || !target.outfile) {
    console.error(`usage: node tools/build/build-app.cjs <${Object.keys(apps).join('|')}> | <entry.ts> <outfile.js>`);
    process.exit(2);
  }
  const started = Date.now();
  buildApp(target).then(
    (built) => console.log(`built ${path.relative(process.cwd(), built.outfile)} from ${built.inputs.length} files in ${Date.now() - started} ms`),
    (error) => {
      console.error(error.message ?? error);
      process.exit(1);
    },
  );
}
