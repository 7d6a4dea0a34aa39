import { describeEachDatabase } from '@kiln/testing';
import {
  candidateChangeStamp,
  createPipelineRun,
  findCandidate,
  listCandidateChildren,
  listRunCandidatesPage,
  pipelineEntities,
  pipelineMigrations,
  recordCandidate,
  rejectCandidates,
  resetCandidates,
  selectCandidates,
  tallyRunCandidates,
} from '../src';

describeEachDatabase('pipeline queries of the gallery', pipelineEntities, pipelineMigrations, (db) => {
  async function runWith(count: number) {
    const run = await createPipelineRun(db().manager, {
      name: 'gallery',
      kind: 'pipeline',
      targetFolder: '/tmp/kiln-gallery',
      steps: [{ name: 'base', workflow: 'txt2img', baseCount: count, childrenPerSelected: 2, naming: 'unique' }],
    });
    const candidates = [];
    for (let index = 0; index < count; index++) {
      candidates.push((await recordCandidate(db().manager, { stepId: run.steps[0].id, index, imagePath: `${index}.png`, seed: index })).candidate);
    }
    return { run, candidates };
  }

  it('pages a run’s candidates oldest first and counts every match', async () => {
    const { run, candidates } = await runWith(5);
    await selectCandidates(db().manager, [candidates[1].id, candidates[3].id]);

    const second = await listRunCandidatesPage(db().manager, run.id, { offset: 2, limit: 2 });
    const selected = await listRunCandidatesPage(db().manager, run.id, { status: 'selected', generation: 0, offset: 0, limit: 10 });

    expect(second.total).toBe(5);
    expect(second.candidates.map((c) => c.index)).toEqual([2, 3]);
    expect(selected.candidates.map((c) => c.index)).toEqual([1, 3]);
  });

  it('counts candidates per step, generation and status, and lists a candidate’s children', async () => {
    const { run, candidates } = await runWith(2);
    await selectCandidates(db().manager, [candidates[0].id]);
    const { candidate: child } = await recordCandidate(db().manager, { stepId: run.steps[0].id, parentId: candidates[0].id, index: 0, imagePath: 'c.png', seed: 9 });

    const tally = await tallyRunCandidates(db().manager, run.id);

    expect(tally).toEqual([
      { stepId: run.steps[0].id, generation: 0, status: 'new', count: 1 },
      { stepId: run.steps[0].id, generation: 0, status: 'selected', count: 1 },
      { stepId: run.steps[0].id, generation: 1, status: 'new', count: 1 },
    ]);
    expect((await listCandidateChildren(db().manager, candidates[0].id)).map((c) => c.id)).toEqual([child.id]);
    expect((await findCandidate(db().manager, child.id))?.parentId).toBe(candidates[0].id);
    expect(await findCandidate(db().manager, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('changes the change stamp on a new candidate and on every status change, including a swap of choices', async () => {
    const { candidates } = await runWith(2);
    const stamps = [await candidateChangeStamp(db().manager)];

    await selectCandidates(db().manager, [candidates[0].id]);
    stamps.push(await candidateChangeStamp(db().manager));
    await resetCandidates(db().manager, [candidates[0].id]);
    await selectCandidates(db().manager, [candidates[1].id]);
    stamps.push(await candidateChangeStamp(db().manager));
    await rejectCandidates(db().manager, [candidates[0].id]);
    stamps.push(await candidateChangeStamp(db().manager));
    await runWith(1);
    stamps.push(await candidateChangeStamp(db().manager));

    expect(new Set(stamps).size).toBe(stamps.length);
    expect((await findCandidate(db().manager, candidates[0].id))?.status).toBe('rejected');
  });
});
