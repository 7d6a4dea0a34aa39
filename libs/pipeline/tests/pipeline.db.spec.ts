import { describeEachDatabase } from '@kiln/testing';
import { createPipelineRun, getPipelineRun, listRunCandidates, pipelineEntities, pipelineMigrations, recordCandidate, rejectCandidates, selectCandidates, ImageCandidate } from '../src';
import { listDescendants } from '../src/queries/list-candidates';
import { PipelineError } from '../src/errors';

describeEachDatabase('pipeline pack', pipelineEntities, pipelineMigrations, (db) => {
  async function newRun(name = 'portraits') {
    return createPipelineRun(db().manager, {
      name,
      kind: 'pipeline',
      targetFolder: '/tmp/kiln-out',
      baseSeed: 1234,
      steps: [
        { name: 'base', workflow: 'txt2img', baseCount: 2, childrenPerSelected: 3, naming: 'unique' },
        { name: 'other', workflow: 'txt2img', baseCount: 1 },
      ],
    });
  }

  it('creates a run with its steps in order and reads it back', async () => {
    const run = await newRun();

    const read = await getPipelineRun(db().manager, run.id);

    expect(read.status).toBe('active');
    expect(read.baseSeed).toBe(1234);
    expect(read.steps.map((s) => [s.name, s.position, s.baseCount, s.childrenPerSelected, s.naming])).toEqual([
      ['base', 0, 2, 3, 'unique'],
      ['other', 1, 1, 0, 'deterministic'],
    ]);
  });

  it('rejects a run whose steps are not slugs or repeat a name, naming each problem', async () => {
    const attempt = createPipelineRun(db().manager, {
      name: 'bad',
      kind: 'batch',
      targetFolder: 'out',
      steps: [
        { name: 'Not A Slug', workflow: 'txt2img', baseCount: 1 },
        { name: 'a', workflow: 'txt2img', baseCount: -1 },
        { name: 'a', workflow: 'txt2img', baseCount: 1 },
      ],
    });

    await expect(attempt).rejects.toThrow(PipelineError);
    await expect(attempt).rejects.toThrow(/steps\[0\]\.name: 'Not A Slug' must be a slug/);
    await expect(attempt).rejects.toThrow(/steps\[1\]\.baseCount: -1/);
    await expect(attempt).rejects.toThrow(/steps\[2\]\.name: 'a' is used by another step/);
  });

  it('records base candidates at generation 0 and children one generation below their parent', async () => {
    const run = await newRun();
    const step = run.steps[0];

    const { candidate: base } = await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'a.png', seed: 2 ** 53 - 1 });
    const { candidate: child } = await recordCandidate(db().manager, { stepId: step.id, parentId: base.id, index: 0, imagePath: 'b.png', seed: 7 });
    const { candidate: grandchild } = await recordCandidate(db().manager, { stepId: step.id, parentId: child.id, index: 0, imagePath: 'c.png', seed: 8 });

    const reread = await db().getRepository(ImageCandidate).findOneByOrFail({ id: base.id });
    expect([base.generation, child.generation, grandchild.generation]).toEqual([0, 1, 2]);
    expect(child.parentId).toBe(base.id);
    expect(reread.childCount).toBe(1);
    expect(reread.seed).toBe(2 ** 53 - 1);
    expect(base.runId).toBe(run.id);
  });

  it('keeps child_count exact when many transactions record children of one parent at once', async () => {
    const run = await newRun();
    const step = run.steps[0];
    const { candidate: parent } = await recordCandidate(db().manager, { stepId: step.id, index: 1, imagePath: 'p.png', seed: 1 });

    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db().transaction((tx) =>
          recordCandidate(tx, { stepId: step.id, parentId: parent.id, index: i, imagePath: `child-${i}.png`, seed: i }),
        ),
      ),
    );

    const reread = await db().getRepository(ImageCandidate).findOneByOrFail({ id: parent.id });
    const children = await db().getRepository(ImageCandidate).countBy({ parentId: parent.id });
    expect(children).toBe(12);
    expect(reread.childCount).toBe(12);
  });

  it('records a candidate once per source key, without raising the parent twice', async () => {
    const run = await newRun();
    const step = run.steps[0];
    const { candidate: parent } = await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'p.png', seed: 1 });
    const input = { stepId: step.id, parentId: parent.id, index: 0, imagePath: 'c.png', seed: 2, sourceKey: 'job-1' };

    const first = await recordCandidate(db().manager, input);
    const second = await recordCandidate(db().manager, input);

    const reread = await db().getRepository(ImageCandidate).findOneByOrFail({ id: parent.id });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.candidate.id).toBe(first.candidate.id);
    expect(reread.childCount).toBe(1);
  });

  it('records a base candidate as stored, once per source key, and names a missing step', async () => {
    const run = await newRun();
    const step = run.steps[0];
    const input = { stepId: step.id, index: 3, imagePath: 'base.png', seed: 2 ** 53 - 1, metadata: { prompt: 'p' }, sourceKey: 'job-base' };

    const first = await recordCandidate(db().manager, input);
    const second = await recordCandidate(db().manager, { ...input, imagePath: 'other.png' });

    const stored = await db().getRepository(ImageCandidate).findOneByOrFail({ id: first.candidate.id });
    expect(first.created).toBe(true);
    expect(first.candidate).toEqual(stored);
    expect(stored).toMatchObject({ runId: run.id, stepId: step.id, parentId: null, generation: 0, index: 3, childCount: 0, status: 'new', seed: 2 ** 53 - 1 });
    expect(second).toMatchObject({ created: false, candidate: { id: first.candidate.id, imagePath: 'base.png' } });
    await expect(
      recordCandidate(db().manager, { stepId: '00000000-0000-0000-0000-000000000000', index: 0, imagePath: 'x.png', seed: 1 }),
    ).rejects.toMatchObject({ code: 'PIPELINE_STEP_NOT_FOUND' });
  });

  it('refuses a second candidate in the same slot and leaves the parent count alone', async () => {
    const run = await newRun();
    const step = run.steps[0];
    const { candidate: parent } = await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'p.png', seed: 1 });
    await recordCandidate(db().manager, { stepId: step.id, parentId: parent.id, index: 0, imagePath: 'c1.png', seed: 2 });

    await expect(
      recordCandidate(db().manager, { stepId: step.id, parentId: parent.id, index: 0, imagePath: 'c2.png', seed: 3 }),
    ).rejects.toThrow(/duplicate key/);

    const reread = await db().getRepository(ImageCandidate).findOneByOrFail({ id: parent.id });
    expect(reread.childCount).toBe(1);
  });

  it('refuses a parent from another step and an unknown parent', async () => {
    const run = await newRun();
    const { candidate: parent } = await recordCandidate(db().manager, { stepId: run.steps[1].id, index: 0, imagePath: 'p.png', seed: 1 });

    await expect(
      recordCandidate(db().manager, { stepId: run.steps[0].id, parentId: parent.id, index: 0, imagePath: 'x.png', seed: 1 }),
    ).rejects.toMatchObject({ code: 'CANDIDATE_PARENT_MISMATCH' });
    await expect(
      recordCandidate(db().manager, {
        stepId: run.steps[0].id,
        parentId: '00000000-0000-0000-0000-000000000000',
        index: 0,
        imagePath: 'x.png',
        seed: 1,
      }),
    ).rejects.toMatchObject({ code: 'CANDIDATE_NOT_FOUND' });
  });

  it('selects and rejects candidates, and names unknown ids', async () => {
    const run = await newRun();
    const step = run.steps[0];
    const a = (await recordCandidate(db().manager, { stepId: step.id, index: 0, imagePath: 'a.png', seed: 1 })).candidate;
    const b = (await recordCandidate(db().manager, { stepId: step.id, index: 1, imagePath: 'b.png', seed: 2 })).candidate;

    await selectCandidates(db().manager, [a.id]);
    await rejectCandidates(db().manager, [b.id]);
    await selectCandidates(db().manager, [b.id]);

    const statuses = await listRunCandidates(db().manager, run.id);
    expect(statuses.map((c) => [c.imagePath, c.status])).toEqual([
      ['a.png', 'selected'],
      ['b.png', 'selected'],
    ]);
    expect((await listRunCandidates(db().manager, run.id, { status: 'selected', stepId: step.id })).length).toBe(2);
    await expect(selectCandidates(db().manager, ['00000000-0000-0000-0000-000000000001'])).rejects.toThrow(
      /no candidate with id 00000000-0000-0000-0000-000000000001/,
    );
  });

  it('lists every descendant of a candidate, generation by generation, and nothing else', async () => {
    const run = await newRun();
    const step = run.steps[0];
    const record = (index: number, parentId: string | null, imagePath: string) =>
      recordCandidate(db().manager, { stepId: step.id, index, parentId, imagePath, seed: index }).then((r) => r.candidate);
    const root = await record(0, null, 'root.png');
    const other = await record(1, null, 'other.png');
    const c1 = await record(0, root.id, 'c1.png');
    await record(1, root.id, 'c2.png');
    await record(0, c1.id, 'g1.png');
    await record(0, other.id, 'unrelated.png');

    const descendants = await listDescendants(db().manager, root.id);

    expect(descendants.map((c) => c.imagePath)).toEqual(['c1.png', 'c2.png', 'g1.png']);
    expect(await listDescendants(db().manager, c1.id)).toHaveLength(1);
  });

  it('only lists candidates of the run asked for', async () => {
    const run = await newRun('one');
    const otherRun = await newRun('two');
    await recordCandidate(db().manager, { stepId: run.steps[0].id, index: 0, imagePath: 'mine.png', seed: 1 });
    await recordCandidate(db().manager, { stepId: otherRun.steps[0].id, index: 0, imagePath: 'theirs.png', seed: 1 });

    expect((await listRunCandidates(db().manager, run.id)).map((c) => c.imagePath)).toEqual(['mine.png']);
  });
});
