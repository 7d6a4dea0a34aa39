import { describeEachDatabase } from '@kiln/testing';
import {
  createPipelineRun,
  pipelineEntities,
  pipelineMigrations,
  recordCandidate,
  selectCandidates,
  setPipelineRunStatus,
} from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';
import { deriveSeed, jobSpecToPipelineRunInput, parseJobSpec, selectNextJob, type JobSlotsPort, type SelectNextJobResult } from '../src';
import { deriveChildSeed } from '../src/seeds/derive-seed';

// Stands in for the comfyui pack's job table: one row per job, holding its slot.
const jobSlots: JobSlotsPort = (manager, filter) => {
  // A run's slots are only a hint, so every held slot will do for `{ runId }`.
  const [where, params] = 'stepIds' in filter ? ['AND step_id = ANY($1)', [filter.stepIds]] : ['', []];
  return manager.query(
    `SELECT step_id AS "stepId", parent_candidate_id AS "parentCandidateId", index AS "slotIndex" FROM test_job_slots WHERE state IN ('in_flight', 'failed') ${where}`,
    params,
  );
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('selectNextJob', pipelineEntities, pipelineMigrations, (db) => {
  beforeAll(async () => {
    await db().query(`
      CREATE TABLE test_job_slots (
        id serial PRIMARY KEY, step_id uuid NOT NULL, parent_candidate_id uuid, index int NOT NULL,
        state text NOT NULL, seed bigint NOT NULL, output_name text NOT NULL
      )`);
  });

  async function newRun(yaml: string) {
    const parsed = parseJobSpec(yaml, { baseDir: '/tmp/kiln-specs' });
    if (!parsed.ok) throw new Error(parsed.message);
    return createPipelineRun(db().manager, jobSpecToPipelineRunInput(parsed.spec, { name: 'test' }));
  }

  const pipeline = (count: number, children = 0, seed: string | number = 7) => `
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors, seed: ${seed} }
steps:
  - { name: Sheet, prompt: s, count: ${count}, children: ${children} }
`;

  /** One caller's tick: select, and when there is work, hold the slot by inserting its job row before commit. */
  async function selectAndClaim(options: { runId?: string; runKind?: 'batch' | 'pipeline'; skipLocked?: boolean; holdMs?: number; state?: string } = {}) {
    return db().transaction(async (tx: EntityManager) => {
      const selection = await selectNextJob(tx, { jobSlots, runId: options.runId, runKind: options.runKind, skipLocked: options.skipLocked });
      if (selection.kind === 'no_work') return selection;
      // Widens the race window: without the step lock every caller would pick the same index.
      await sleep(options.holdMs ?? 0);
      await tx.query(
        `INSERT INTO test_job_slots (step_id, parent_candidate_id, index, state, seed, output_name) VALUES ($1, $2, $3, $4, $5, $6)`,
        [selection.step.id, selection.kind === 'child_generation' ? selection.parent.id : null, selection.index, options.state ?? 'in_flight', selection.seed, selection.outputName],
      );
      return selection;
    });
  }

  async function slotsOf(stepId: string): Promise<Array<{ parent_candidate_id: string | null; index: number }>> {
    return db().query(`SELECT parent_candidate_id, index FROM test_job_slots WHERE step_id = $1 ORDER BY index`, [stepId]);
  }

  it('lets 8 concurrent transactions claim exactly the 5 wanted slots, each index once', async () => {
    const run = await newRun(pipeline(5));

    const results = await Promise.all(Array.from({ length: 8 }, () => selectAndClaim({ runId: run.id, skipLocked: false, holdMs: 25 })));

    expect(results.filter((r) => r.kind === 'base_generation')).toHaveLength(5);
    expect(results.filter((r) => r.kind === 'no_work')).toHaveLength(3);
    expect((await slotsOf(run.steps[0].id)).map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('never over-generates when workers skip locked steps and race until no work is left', async () => {
    const run = await newRun(`${pipeline(6)}  - { name: Backdrop, prompt: b, count: 6 }\n`);
    const worker = async () => {
      for (let tick = 0; tick < 20; tick++) {
        if ((await selectAndClaim({ runId: run.id, holdMs: 5 })).kind === 'no_work') return;
      }
    };

    await Promise.all(Array.from({ length: 8 }, worker));
    while ((await selectAndClaim({ runId: run.id })).kind !== 'no_work');

    for (const step of run.steps) expect((await slotsOf(step.id)).map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('picks the smallest free index, counting recorded candidates, in-flight and failed jobs', async () => {
    const run = await newRun(pipeline(4));
    const stepId = run.steps[0].id;
    await recordCandidate(db().manager, { stepId, index: 0, imagePath: 'sheet/a.png', seed: 1 });
    await recordCandidate(db().manager, { stepId, index: 2, imagePath: 'sheet/c.png', seed: 3 });

    const first = await selectAndClaim({ runId: run.id, state: 'failed' });
    const second = await selectAndClaim({ runId: run.id });
    const third = await selectAndClaim({ runId: run.id });

    expect([first, second].map((r) => r.kind !== 'no_work' && r.index)).toEqual([1, 3]);
    expect(third.kind).toBe('no_work');
  });

  it('counts a job held in a slot once when its candidate is recorded too', async () => {
    const run = await newRun(pipeline(2));
    const stepId = run.steps[0].id;
    await recordCandidate(db().manager, { stepId, index: 0, imagePath: 'sheet/a.png', seed: 1 });
    await db().query(`INSERT INTO test_job_slots (step_id, index, state, seed, output_name) VALUES ($1, 0, 'in_flight', 1, 'a')`, [stepId]);

    const next = await selectAndClaim({ runId: run.id });

    expect(next.kind !== 'no_work' && next.index).toBe(1);
  });

  it("counts the caller's own uncommitted job: a second selection in the same transaction takes the next slot", async () => {
    const run = await newRun(pipeline(3));

    const indices = await db().transaction(async (tx) => {
      const picked: number[] = [];
      for (let i = 0; i < 4; i++) {
        const selection = await selectNextJob(tx, { jobSlots, runId: run.id });
        if (selection.kind === 'no_work') break;
        picked.push(selection.index);
        await tx.query(`INSERT INTO test_job_slots (step_id, index, state, seed, output_name) VALUES ($1, $2, 'in_flight', 1, 'x')`, [selection.step.id, selection.index]);
      }
      return picked;
    });

    expect(indices).toEqual([0, 1, 2]);
  });

  it('decides on the slots it reads once the step is locked, not on the read that picked the step', async () => {
    const run = await newRun(pipeline(2));
    const reads: Array<'hint' | 'step'> = [];
    // A hint that misses every held slot, as a read made before another caller committed would.
    const staleHint: JobSlotsPort = async (manager, filter) => {
      const decides = 'stepIds' in filter && filter.stepIds.length === 1;
      reads.push(decides ? 'step' : 'hint');
      return decides ? jobSlots(manager, filter) : [];
    };
    const claim = () =>
      db().transaction(async (tx) => {
        const selection = await selectNextJob(tx, { jobSlots: staleHint, runId: run.id });
        if (selection.kind === 'no_work') return selection;
        await tx.query(`INSERT INTO test_job_slots (step_id, index, state, seed, output_name) VALUES ($1, $2, 'in_flight', 1, 'x')`, [selection.step.id, selection.index]);
        return selection;
      });

    const picks = [await claim(), await claim(), await claim()];

    expect(picks.map((p) => p.kind !== 'no_work' && p.index)).toEqual([0, 1, false]);
    expect(reads.slice(0, 2)).toEqual(['hint', 'step']);
  });

  it('derives base seeds and unique names from the step, stable for the slot', async () => {
    const run = await newRun(pipeline(1, 0, 1234));

    const selection = await selectAndClaim({ runId: run.id });

    expect(selection).toMatchObject({
      kind: 'base_generation', index: 0, seedMode: 'derived', jobKey: 'sheet.base-0',
      seed: deriveSeed(1234, 'sheet', 0), run: { id: run.id }, step: { name: 'sheet' },
    });
    expect(selection.kind !== 'no_work' && selection.outputName).toMatch(/^sheet\/[0-9a-f]{16}_\d{8}T\d{6}Z\.png$/);
  });

  it('names batch outputs after the item with 1-based suffixes', async () => {
    const run = await newRun(`
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors }
items: [{ name: Bob the Brave, prompt: b, count: 2, seed: 42 }, { name: Mallsing, prompt: m, seed: 42 }]
`);

    const picks: SelectNextJobResult[] = [];
    for (let i = 0; i < 4; i++) picks.push(await selectAndClaim({ runId: run.id }));

    expect(picks.map((p) => p.kind !== 'no_work' && [p.outputName, p.seed])).toEqual([
      ['bob-the-brave-1.png', deriveSeed(42, 'bob-the-brave', 0)],
      ['bob-the-brave-2.png', deriveSeed(42, 'bob-the-brave', 1)],
      ['mallsing.png', deriveSeed(42, 'mallsing', 0)],
      false,
    ]);
  });

  it('generates children of selected candidates only, with seeds derived from the parent', async () => {
    const run = await newRun(pipeline(2, 2));
    const stepId = run.steps[0].id;
    const { candidate: chosen } = await recordCandidate(db().manager, { stepId, index: 0, imagePath: 'sheet/a.png', seed: 111 });
    await recordCandidate(db().manager, { stepId, index: 1, imagePath: 'sheet/b.png', seed: 222 });
    await recordCandidate(db().manager, { stepId, parentId: chosen.id, index: 0, imagePath: 'sheet/a0.png', seed: 5 });
    expect((await selectAndClaim({ runId: run.id })).kind).toBe('no_work');
    await selectCandidates(db().manager, [chosen.id]);

    const child = await selectAndClaim({ runId: run.id });
    const none = await selectAndClaim({ runId: run.id });

    expect(child).toMatchObject({ kind: 'child_generation', parent: { id: chosen.id }, index: 1, seed: deriveChildSeed(7, 'sheet', 111, 1) });
    expect(child.kind === 'child_generation' && child.jobKey).toBe(`sheet.child-${chosen.id}-1`);
    expect(none.kind).toBe('no_work');
  });

  it('scopes to one run, or works every active run oldest first', async () => {
    const older = await newRun(pipeline(1));
    const newer = await newRun(pipeline(1));
    const cancelled = await newRun(pipeline(1));
    await setPipelineRunStatus(db().manager, cancelled.id, 'cancelled');

    const scoped = await selectAndClaim({ runId: newer.id });
    const all = [await selectAndClaim(), await selectAndClaim(), await selectAndClaim()];

    expect(scoped.kind !== 'no_work' && scoped.run.id).toBe(newer.id);
    // The run comes with its folder but not its spec (the whole job file, parsed per selection otherwise).
    expect(scoped.kind !== 'no_work' && { folder: scoped.run.targetFolder, hasSpec: 'spec' in scoped.run && scoped.run.spec !== undefined }).toEqual({ folder: newer.targetFolder, hasSpec: false });
    const runIds = all.flatMap((r) => (r.kind === 'no_work' ? [] : [r.run.id]));
    expect(runIds[0]).toBe(older.id);
    expect(runIds).not.toContain(cancelled.id);
    expect(runIds).not.toContain(newer.id);
  });

  it('leaves batch runs alone when asked for pipeline runs only (the worker)', async () => {
    const batch = await newRun(`
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors, seed: 1 }
items:
  - { name: Only, prompt: p }
`);
    const pipelineRun = await newRun(pipeline(1));

    const picked: string[] = [];
    for (let next = await selectAndClaim({ runKind: 'pipeline' }); next.kind !== 'no_work'; next = await selectAndClaim({ runKind: 'pipeline' })) {
      picked.push(next.run.id);
    }
    const batchPick = await selectAndClaim({ runKind: 'batch', runId: batch.id });

    expect(picked).toContain(pipelineRun.id);
    expect(picked).not.toContain(batch.id);
    expect(batchPick.kind !== 'no_work' && batchPick.run.id).toBe(batch.id);
  });

  it('draws and reports a random seed per image for seed: random', async () => {
    const run = await newRun(pipeline(1, 0, 'random'));

    const selection = await db().transaction((tx) => selectNextJob(tx, { jobSlots, runId: run.id, drawSeed: () => 987654321 }));

    expect(selection).toMatchObject({ kind: 'base_generation', seed: 987654321, seedMode: 'random' });
  });

  it('refuses to run outside a transaction, where its lock would protect nothing', async () => {
    await expect(selectNextJob(db().manager, { jobSlots })).rejects.toMatchObject({ code: 'TRANSACTION_REQUIRED' });
  });
});
