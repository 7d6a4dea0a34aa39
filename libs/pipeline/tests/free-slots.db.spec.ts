import { describeEachDatabase } from '@kiln/testing';
import { createPipelineRun, firstFreeSlot, listActiveStepIds, lockNextStepWithFreeSlot, pipelineEntities, pipelineMigrations, recordCandidate, selectCandidates, setPipelineRunStatus, type PipelineStep, type TakenSlot } from '../src';
import { type CreatePipelineStepInput } from '../src/commands/create-pipeline-run';

describeEachDatabase('free slots of steps', pipelineEntities, pipelineMigrations, (db, kind) => {
  async function newRun(steps: Array<Partial<CreatePipelineStepInput>>, kind: 'batch' | 'pipeline' = 'pipeline') {
    return createPipelineRun(db().manager, {
      name: 'slots',
      kind,
      targetFolder: '/tmp/kiln-out',
      spec: { items: 'a large job file' },
      steps: steps.map((step, i) => ({ name: `s${i}`, workflow: 'txt2img', baseCount: 1, ...step })),
    });
  }

  const held = (step: PipelineStep, slotIndex: number, parentCandidateId: string | null = null): TakenSlot => ({ stepId: step.id, parentCandidateId, slotIndex });

  /** Locks in a transaction of its own and keeps it open until `release` is called. */
  function holdLock(runId: string) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: (step: PipelineStep | null) => void;
    const lockedStep = new Promise<PipelineStep | null>((resolve) => (locked = resolve));
    const done = db().transaction(async (tx) => {
      locked(await lockNextStepWithFreeSlot(tx, { heldSlots: [], runId }));
      await released;
    });
    return { lockedStep, release: async () => (release(), done) };
  }

  describe('lockNextStepWithFreeSlot', () => {
    it('passes over steps whose slots are all recorded or held, and returns the step with its run but not its spec', async () => {
      const run = await newRun([{ baseCount: 2 }, { baseCount: 1 }, { baseCount: 1 }]);
      const [full, heldFull, open] = run.steps;
      await recordCandidate(db().manager, { stepId: full.id, index: 0, imagePath: 'a.png', seed: 1 });

      const step = await db().transaction((tx) =>
        lockNextStepWithFreeSlot(tx, { runId: run.id, heldSlots: [held(full, 1), held(heldFull, 0)] }),
      );

      expect(step?.id).toBe(open.id);
      expect(step?.run).toMatchObject({ id: run.id, targetFolder: '/tmp/kiln-out' });
      expect(step?.run?.spec).toBeUndefined();
    });

    it('counts a held slot whose candidate is already recorded once, not twice', async () => {
      const run = await newRun([{ baseCount: 2 }]);
      const step = run.steps[0];
      await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'a.png', seed: 1 });

      const locked = await db().transaction((tx) => lockNextStepWithFreeSlot(tx, { runId: run.id, heldSlots: [held(step, 0)] }));

      expect(locked?.id).toBe(step.id);
    });

    it('finds steps that want children of a selected candidate, and no others', async () => {
      const run = await newRun([{ baseCount: 1, childrenPerSelected: 2 }]);
      const step = run.steps[0];
      const { candidate: parent } = await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'a.png', seed: 1 });
      const lock = () => db().transaction((tx) => lockNextStepWithFreeSlot(tx, { runId: run.id, heldSlots: [held(step, 0, parent.id)] }));

      const beforeSelection = await lock();
      await selectCandidates(db().manager, [parent.id]);
      const afterSelection = await lock();
      await recordCandidate(db().manager, { stepId: step.id, parentId: parent.id, index: 1, imagePath: 'a1.png', seed: 2 });
      const childrenTaken = await lock();

      expect([beforeSelection?.id, afterSelection?.id, childrenTaken?.id]).toEqual([undefined, step.id, undefined]);
    });

    it('takes runs oldest first, then steps in order, leaving out excluded steps, inactive runs and other kinds', async () => {
      await db().query(`UPDATE pipeline_runs SET status = 'completed'`);
      const older = await newRun([{}, {}]);
      const newer = await newRun([{}]);
      const batch = await newRun([{}], 'batch');
      const cancelled = await newRun([{}]);
      await setPipelineRunStatus(db().manager, cancelled.id, 'cancelled');
      const lock = (options: { excludeStepIds?: string[]; runKind?: 'batch' | 'pipeline'; runId?: string }) =>
        db().transaction((tx) => lockNextStepWithFreeSlot(tx, { heldSlots: [], ...options }));

      const first = await lock({});
      const skippingOne = await lock({ excludeStepIds: [older.steps[0].id] });
      const skippingOlder = await lock({ excludeStepIds: older.steps.map((s) => s.id), runKind: 'pipeline' });
      const batches = await lock({ runKind: 'batch' });
      const ofCancelled = await lock({ runId: cancelled.id });

      expect([first?.id, skippingOne?.id, skippingOlder?.id, batches?.id, ofCancelled]).toEqual([
        older.steps[0].id, older.steps[1].id, newer.steps[0].id, batch.steps[0].id, null,
      ]);
    });

    // PGlite serves one connection: two transactions cannot overlap there.
    const withConcurrentTransactions = kind === 'postgres' ? it : it.skip;

    withConcurrentTransactions('skips a step another transaction holds locked, or waits for it when asked', async () => {
      const run = await newRun([{}, {}]);
      const holder = holdLock(run.id);
      expect((await holder.lockedStep)?.id).toBe(run.steps[0].id);

      const skipping = await db().transaction((tx) => lockNextStepWithFreeSlot(tx, { runId: run.id, heldSlots: [] }));
      const waiting = db().transaction((tx) => lockNextStepWithFreeSlot(tx, { runId: run.id, heldSlots: [], skipLocked: false }));
      const settledEarly = await Promise.race([waiting.then(() => 'returned'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 200))]);
      await holder.release();

      expect(skipping?.id).toBe(run.steps[1].id);
      expect(settledEarly).toBe('waiting');
      expect((await waiting)?.id).toBe(run.steps[0].id);
    });
  });

  describe('listActiveStepIds', () => {
    it('lists the steps of active runs, of one kind when asked', async () => {
      await db().query(`UPDATE pipeline_runs SET status = 'completed'`);
      const pipelineRun = await newRun([{}, {}]);
      const batch = await newRun([{}], 'batch');
      const cancelled = await newRun([{}]);
      await setPipelineRunStatus(db().manager, cancelled.id, 'cancelled');

      const all = await listActiveStepIds(db().manager);
      const batches = await listActiveStepIds(db().manager, { runKind: 'batch' });

      expect(all.sort()).toEqual([...pipelineRun.steps, ...batch.steps].map((s) => s.id).sort());
      expect(batches).toEqual([batch.steps[0].id]);
    });
  });

  describe('firstFreeSlot', () => {
    it('gives the smallest base index neither recorded nor held', async () => {
      const run = await newRun([{ baseCount: 4 }]);
      const step = run.steps[0];
      await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'a.png', seed: 1 });
      await recordCandidate(db().manager, { stepId: step.id, index: 2, imagePath: 'c.png', seed: 3 });

      const free = await firstFreeSlot(db().manager, step, [held(step, 1), held(step, 0)]);
      const none = await firstFreeSlot(db().manager, step, [held(step, 1), held(step, 3)]);

      expect(free).toEqual({ kind: 'base', index: 3 });
      expect(none).toBeNull();
    });

    it('gives children of the oldest selected candidate first, with the parent', async () => {
      const run = await newRun([{ baseCount: 3, childrenPerSelected: 2 }]);
      const step = run.steps[0];
      const { candidate: first } = await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'a.png', seed: 11 });
      const { candidate: second } = await recordCandidate(db().manager, { stepId: step.id, index: 1, imagePath: 'b.png', seed: 22 });
      await recordCandidate(db().manager, { stepId: step.id, parentId: first.id, index: 0, imagePath: 'a0.png', seed: 5 });
      await selectCandidates(db().manager, [second.id, first.id]);

      const childOfFirst = await firstFreeSlot(db().manager, step, []);
      const childOfSecond = await firstFreeSlot(db().manager, step, [held(step, 1, first.id)]);
      const base = await firstFreeSlot(db().manager, step, [held(step, 1, first.id), held(step, 0, second.id), held(step, 1, second.id)]);

      expect(childOfFirst).toMatchObject({ kind: 'child', index: 1, parent: { id: first.id, seed: 11, imagePath: 'a.png' } });
      expect(childOfSecond).toMatchObject({ kind: 'child', index: 0, parent: { id: second.id } });
      expect(base).toEqual({ kind: 'base', index: 2 });
    });

    it('ignores slots held in other steps', async () => {
      const run = await newRun([{ baseCount: 1 }, { baseCount: 1 }]);
      const [step, other] = run.steps;

      const free = await firstFreeSlot(db().manager, step, [held(other, 0)]);

      expect(free).toEqual({ kind: 'base', index: 0 });
    });
  });
});
