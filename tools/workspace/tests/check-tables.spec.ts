import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// The check runs on scratch workspaces built here, so the repository itself never holds a planted
// violation. Table and entity names are built from parts for the same reason.
const script = resolve(__dirname, '../src/check-tables.cjs');
const jobsTable = ['comfyui', 'jobs'].join('_');
const candidatesTable = ['image', 'candidates'].join('_');
const jobEntity = ['ComfyUi', 'Job'].join('');

function scratchWorkspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-tables-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function checkTables(dir: string) {
  return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
}

// Every table touched only by its owner, plus observers that are out of scope.
const cleanTree = {
  'libs/comfyui/src/jobs/job-ledger.ts': `export const q = 'SELECT * FROM ${jobsTable}';\nexport const r = (m: any, E: any) => m.getRepository(${jobEntity});\n`,
  'libs/comfyui/src/migrations/1-create.ts': `export const up = 'CREATE TABLE ${jobsTable} (candidate_id uuid REFERENCES ${candidatesTable}(id))';\n`,
  'libs/pipeline/src/queries/list-candidates.ts': `export const q = 'SELECT * FROM ${candidatesTable}';\n`,
  'apps/worker/src/main.ts': `import { releaseDeadLeases } from '@kiln/comfyui';\nexport const entities = [${jobEntity}];\n`,
  'apps/worker/tests/worker.e2e.spec.ts': `const oracle = 'SELECT count(*) FROM ${jobsTable}';\n`,
  'libs/pipeline/src/pipeline.spec.ts': `const oracle = 'SELECT * FROM ${jobsTable}';\n`,
  'tools/testing/test-database.ts': `const oracle = 'TRUNCATE ${jobsTable}';\n`,
  'bench/src/measure.cjs': `const oracle = 'SELECT * FROM ${jobsTable}';\n`,
};

describe('table-ownership check', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('passes when every table is touched only by its owner (specs, tests/, tools/testing and bench/ are observers)', () => {
    const dir = scratchWorkspace(cleanTree);
    dirs.push(dir);

    const result = checkTables(dir);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/table-ownership check passed: 4 source files, 4 tables/);
  });

  it('fails on SQL naming a table outside its owner and lists file:line', () => {
    const dir = scratchWorkspace({
      ...cleanTree,
      'apps/worker/src/dead-leases.ts': `// leases\nexport const sql = \`UPDATE ${jobsTable}\n  SET owner = NULL\`;\n`,
      'libs/job-orchestration/src/select.ts': `\n\n\nconst q = "SELECT 1 FROM ${candidatesTable.toUpperCase()}";\n`,
    });
    dirs.push(dir);

    const result = checkTables(dir);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('table-ownership check failed (2)');
    expect(result.stderr).toContain(`apps/worker/src/dead-leases.ts:2: table ${jobsTable} is owned by libs/comfyui/src/jobs/, libs/comfyui/src/migrations/`);
    expect(result.stderr).toContain(`libs/job-orchestration/src/select.ts:4: table ${candidatesTable} is owned by libs/pipeline/src/`);
  });

  it('fails on a repository or query builder on an entity outside its owner', () => {
    const dir = scratchWorkspace({
      ...cleanTree,
      'libs/comfyui/src/engine/job-engine.ts': `export const find = (m: any) =>\n  m.getRepository(\n    ${jobEntity},\n  ).findOneBy({});\nexport const count = (m: any) => m.count(${jobEntity}, {});\n`,
    });
    dirs.push(dir);

    const result = checkTables(dir);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('table-ownership check failed (2)');
    expect(result.stderr).toContain(`libs/comfyui/src/engine/job-engine.ts:2: entity ${jobEntity} (table ${jobsTable})`);
    expect(result.stderr).toContain(`libs/comfyui/src/engine/job-engine.ts:5: entity ${jobEntity} (table ${jobsTable})`);
  });
});
