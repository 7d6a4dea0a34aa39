import { sidecarPath } from '@kiln/comfyui';
import type { Manifest, ManifestEntry } from '../manifest/manifest';
import { sha256, type PlannedImage } from './plan-batch';
import { MAX_OUTPUT_FILE_BYTES, readRegularFileSync } from '../files/read-regular-file';

/** What is at a planned image's path before the batch starts. */
export type OutputState =
  | { kind: 'absent' }
  /** Made by kiln from this very item (same key, same bytes as recorded): skip it. */
  | { kind: 'made'; entry: ManifestEntry }
  /** Written by the interrupted run being resumed, not yet recorded: the engine finishes it. */
  | { kind: 'in-progress' }
  /** Something else is there: refused unless overwrite. */
  | { kind: 'in-the-way'; reason: string };

/**
 * Decides, for each planned image, whether its file is already made (skip), absent (generate) or in
 * the way. "Made" needs the manifest entry of the file to have the same item key and its sha256 to
 * match the file's bytes, so an edited spec or a replaced file never counts as done.
 */
export function inspectOutput(image: PlannedImage, manifest: Manifest, resumedRunId?: string): OutputState {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(image.absoluteFile, MAX_OUTPUT_FILE_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'in-the-way', reason: `cannot read it: ${(error as Error).message}` };
  }
  const entry = manifest.get(image.relativeFile);
  if (!entry && resumedRunId && writtenByRun(image.absoluteFile, bytes, resumedRunId)) return { kind: 'in-progress' };
  if (!entry) return { kind: 'in-the-way', reason: 'it was not made by kiln (not in kiln-manifest.json)' };
  if (entry.itemKey !== image.itemKey) {
    return { kind: 'in-the-way', reason: `it was made from a different definition of '${entry.item}' (prompt, checkpoint, seed or settings changed)` };
  }
  if (sha256(bytes) !== entry.sha256) return { kind: 'in-the-way', reason: 'it was changed after kiln wrote it' };
  return { kind: 'made', entry };
}

/** Far above any sidecar Kiln writes. */
const MAX_SIDECAR_BYTES = 1024 * 1024;

/** The sidecar beside the image says the resumed run wrote exactly these bytes. */
function writtenByRun(imageFile: string, bytes: Buffer, runId: string): boolean {
  try {
    const sidecar = JSON.parse(readRegularFileSync(sidecarPath(imageFile), MAX_SIDECAR_BYTES).toString('utf8')) as { runId?: unknown; sha256?: unknown };
    return sidecar.runId === runId && sidecar.sha256 === sha256(bytes);
  } catch {
    return false;
  }
}
