import { describeEachDatabase } from '@kiln/testing';
import {
  countCandidatesByRun,
  createPipelineRun,
  pipelineEntities,
  pipelineMigrations,
  recordCandidate,
  resolveCandidateIdPrefix,
  resolveRunIdPrefix,
  type IdPrefixMatch,
} from '../src';

/** 17 uuids over 16 hex digits: at least two share their first one. */
const enoughForASharedFirstDigit = 17;

function sharedFirstDigit(ids: string[]): string {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id[0])) return id[0];
    seen.add(id[0]);
  }
  throw new Error('no two ids share a first digit');
}

function expectAmbiguous(match: IdPrefixMatch, prefix: string): void {
  expect(match.kind).toBe('ambiguous');
  const candidates = match.kind === 'ambiguous' ? match.candidates : [];
  expect(candidates.length).toBeGreaterThanOrEqual(2);
  expect(candidates.length).toBeLessThanOrEqual(5);
  expect(candidates.every((id) => id.startsWith(prefix))).toBe(true);
}

describeEachDatabase('pipeline id prefixes and counts', pipelineEntities, pipelineMigrations, (db) => {
  let runs: Array<{ id: string; stepId: string }>;
  let candidates: string[];

  beforeAll(async () => {
    runs = [];
    candidates = [];
    for (let i = 0; i < enoughForASharedFirstDigit; i++) {
      const run = await createPipelineRun(db().manager, { name: `r${i}`, kind: 'pipeline', targetFolder: '/tmp/kiln-out', steps: [{ name: 'base', workflow: 'txt2img', baseCount: 3 }] });
      runs.push({ id: run.id, stepId: run.steps[0].id });
      candidates.push((await recordCandidate(db().manager, { stepId: run.steps[0].id, index: 0, imagePath: `${i}.png`, seed: i })).candidate.id);
    }
  });

  it('finds a run by its full id, by a unique prefix in any case, and names nothing for an unknown one', async () => {
    const id = runs[0].id;

    expect(await resolveRunIdPrefix(db().manager, id)).toEqual({ kind: 'found', id });
    expect(await resolveRunIdPrefix(db().manager, id.slice(0, 30).toUpperCase())).toEqual({ kind: 'found', id });
    expect(await resolveRunIdPrefix(db().manager, 'ffffffff-ffff-ffff-ffff-fffffffffff')).toEqual({ kind: 'not_found' });
    expect(await resolveRunIdPrefix(db().manager, '%')).toEqual({ kind: 'not_found' });
  });

  it('lists a few candidates for a run prefix shared by several runs', async () => {
    const prefix = sharedFirstDigit(runs.map((r) => r.id));

    expectAmbiguous(await resolveRunIdPrefix(db().manager, prefix), prefix);
  });

  it('resolves candidate ids the same way, and never to a run', async () => {
    const id = candidates[0];
    const prefix = sharedFirstDigit(candidates);

    expect(await resolveCandidateIdPrefix(db().manager, id.slice(0, 30))).toEqual({ kind: 'found', id });
    expect(await resolveCandidateIdPrefix(db().manager, runs[0].id)).toEqual({ kind: 'not_found' });
    expectAmbiguous(await resolveCandidateIdPrefix(db().manager, prefix), prefix);
  });

  it('counts candidates per run and leaves runs without any out', async () => {
    await recordCandidate(db().manager, { stepId: runs[1].stepId, index: 1, imagePath: 'second.png', seed: 2 });
    const empty = await createPipelineRun(db().manager, { name: 'empty', kind: 'batch', targetFolder: '/tmp/kiln-out', steps: [{ name: 'base', workflow: 'txt2img', baseCount: 1 }] });

    const counts = await countCandidatesByRun(db().manager);

    expect(counts.get(runs[0].id)).toBe(1);
    expect(counts.get(runs[1].id)).toBe(2);
    expect(counts.has(empty.id)).toBe(false);
  });
});
