import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workspaceRoot } from './support/cli-harness';

// The build script is plain CommonJS outside any project.
const { buildApp } = require(path.join(workspaceRoot, 'tools/build/build-app.cjs')) as {
  buildApp(target: { entry: string; outfile: string }): Promise<{ outfile: string; inputs: string[] }>;
};

describe('the esbuild bundle', () => {
  it('keeps the decorator metadata TypeORM and class-transformer read (design:type)', async () => {
    // Inside the workspace, so the bundle's external packages resolve from its node_modules.
    fs.mkdirSync(path.join(workspaceRoot, 'tmp'), { recursive: true });
    const outDir = fs.mkdtempSync(path.join(workspaceRoot, 'tmp/kiln-bundle-'));
    try {
      const built = await buildApp({ entry: path.relative(workspaceRoot, path.join(__dirname, 'fixtures/metadata-probe.ts')), outfile: path.join(outDir, 'probe.js') });

      const output = execFileSync(process.execPath, [built.outfile], { cwd: workspaceRoot, encoding: 'utf8' });

      expect(JSON.parse(output)).toEqual({ candidateSeed: 'Number', runName: 'String' });
      expect(built.inputs).toContain('libs/pipeline/src/entities/image-candidate.entity.ts');
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('starts `kiln --help` quickly, without loading the database, ORM or HTTP libraries', () => {
    const bundle = path.join(workspaceRoot, 'dist/apps/cli/main.js');
    const started = process.hrtime.bigint();

    const result = spawnSync(process.execPath, ['--require', path.join(__dirname, 'support/loaded-modules.cjs'), bundle, '--help'], { encoding: 'utf8' });

    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Examples:');
    const loaded = JSON.parse(/LOADED_PACKAGES=(.*)/.exec(result.stderr)?.[1] ?? '[]') as string[];
    expect(loaded).toEqual(['commander']);
    // The budget is 0.5 s; leave room for a busy test machine.
    expect(elapsedMs).toBeLessThan(1500);
  });
});
