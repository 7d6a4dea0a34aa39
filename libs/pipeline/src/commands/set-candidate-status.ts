import { In, type EntityManager } from 'typeorm';
import { ImageCandidate, type CandidateStatus } from '../entities/image-candidate.entity';
import { PipelineError } from '../errors';
import { inTransaction } from './in-transaction';

/** Marks candidates as chosen: each selected candidate gets its step's children generated. */
export function selectCandidates(manager: EntityManager, ids: string[]): Promise<ImageCandidate[]> {
  return setCandidateStatus(manager, ids, 'selected');
}

/** Marks candidates as discarded; a rejected candidate gets no (further) children. */
export function rejectCandidates(manager: EntityManager, ids: string[]): Promise<ImageCandidate[]> {
  return setCandidateStatus(manager, ids, 'rejected');
}

/** Takes a person's choice back (their undo): the candidates are `new` again; children already made stay. */
export function resetCandidates(manager: EntityManager, ids: string[]): Promise<ImageCandidate[]> {
  return setCandidateStatus(manager, ids, 'new');
}

async function setCandidateStatus(
  manager: EntityManager,
  ids: string[],
  status: CandidateStatus,
): Promise<ImageCandidate[]> {
  const unique = [...new Set(ids)];
  return inTransaction(manager, async (tx) => {
    const repo = tx.getRepository(ImageCandidate);
    const found = unique.length ? await repo.findBy({ id: In(unique) }) : [];
    const missing = unique.filter((id) => !found.some((c) => c.id === id));
    if (missing.length) {
      throw new PipelineError('CANDIDATE_NOT_FOUND', `no candidate with id ${missing.join(', ')}`);
    }
    await repo.update({ id: In(unique) }, { status });
    return repo.findBy({ id: In(unique) });
  });
}
