import { listRunCandidates } from '@kiln/pipeline';
import type { DataSource } from 'typeorm';
import type { Manifest } from '../manifest/manifest';
import { sha256, type PlannedImage } from './plan-batch';
import { MAX_OUTPUT_FILE_BYTES, readRegularFileSync } from '../files/read-regular-file';

/**
 * Adds to the manifest the images an interrupted run recorded in the database but did not get to
 * write into the manifest (a crash between the two). Returns how many entries it added.
 */
export async function reconcileManifest(dataSource: DataSource, runId: string, plan: PlannedImage[], manifest: Manifest, source: string): Promise<number> {
  const byFile = new Map(plan.map((image) => [image.absoluteFile, image]));
  let added = 0;
  for (const candidate of await listRunCandidates(dataSource.manager, runId)) {
    const image = byFile.get(candidate.imagePath);
    if (!image || manifest.get(image.relativeFile)?.itemKey === image.itemKey) continue;
    const recorded = candidate.metadata['sha256'];
    let actual: string;
    try {
      actual = sha256(readRegularFileSync(image.absoluteFile, MAX_OUTPUT_FILE_BYTES));
    } catch {
      continue;
    }
    if (recorded !== actual) continue;
    manifest.record(image.relativeFile, {
      item: image.itemName,
      index: image.index,
      itemKey: image.itemKey,
      prompt: image.prompt,
      negativePrompt: image.negativePrompt,
      checkpoint: image.checkpoint,
      ...(image.inputs ? { inputs: image.inputs } : {}),
      seed: candidate.seed,
      seedMode: typeof image.seed === 'number' ? 'fixed' : image.seed,
      promptId: typeof candidate.metadata['promptId'] === 'string' ? (candidate.metadata['promptId'] as string) : undefined,
      sha256: actual,
      source,
      runId,
      createdAt: candidate.createdAt.toISOString(),
    });
    added++;
  }
  return added;
}
