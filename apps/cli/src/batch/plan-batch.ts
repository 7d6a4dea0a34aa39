import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { deriveSeed, deterministicOutputName, jobOutputNames, type ResolvedJobSpec, type ResolvedStep } from '@kiln/job-orchestration';

/** One image a batch will make (or has made). */
export interface PlannedImage {
  /** Slug of the item: the pipeline step name. */
  stepName: string;
  /** The item name for people, `#n` appended when the item makes several images. */
  label: string;
  /** Item name as written in the spec. */
  itemName: string;
  index: number;
  /** Path relative to the output folder. */
  relativeFile: string;
  absoluteFile: string;
  /** The derived seed, `random` until one is drawn, or `workflow`: the graph's own (read when the job is made). */
  seed: number | 'random' | 'workflow';
  checkpoint?: string;
  prompt?: string;
  negativePrompt?: string;
  /** sha256 of the item's `image:` / `mask:` files, when it has them. */
  inputs?: { image?: string; mask?: string };
  /** Fingerprint of everything that decides the image; equal keys mean "the same item". */
  itemKey: string;
}

/** Every image of a batch, in spec order, with its file name and seed. */
export function planBatch(spec: ResolvedJobSpec): PlannedImage[] {
  const images: PlannedImage[] = [];
  for (const step of spec.steps) {
    for (let index = 0; index < step.baseCount; index++) {
      const relativeFile = firstFileOf(step, deterministicOutputName(step.name, index, step.baseCount));
      const seed = step.params.seed.mode === 'fixed' ? deriveSeed(step.params.seed.base, step.name, index) : step.params.seed.mode;
      images.push({
        stepName: step.name,
        itemName: step.params.displayName,
        label: step.baseCount > 1 ? `${step.params.displayName} #${index + 1}` : step.params.displayName,
        index,
        relativeFile,
        absoluteFile: path.join(spec.outputDir, relativeFile),
        seed,
        checkpoint: step.params.checkpoint,
        prompt: step.params.prompt,
        negativePrompt: step.params.negativePrompt,
        ...(step.params.imageSha256 || step.params.maskSha256 ? { inputs: { image: step.params.imageSha256, mask: step.params.maskSha256 } } : {}),
        itemKey: itemKey(step, index, seed),
      });
    }
  }
  return images;
}

/** The first file a job of the step writes (`name-1.png` for a batch, `name.<node>.png` for several nodes). */
function firstFileOf(step: ResolvedStep, outputName: string): string {
  const outputs = step.workflow.base.outputs;
  if (!outputs) return outputName;
  return jobOutputNames(outputName, outputs.nodes, outputs.nodes.map(() => outputs.batchSize))[0]?.name ?? outputName;
}

/**
 * Everything that decides an image: the item, its index, every generation parameter, the workflow
 * and the seed (or `random`). Timeouts and overwrite do not change the image and are left out.
 */
function itemKey(step: ResolvedStep, index: number, seed: PlannedImage['seed']): string {
  const { timeoutSeconds: _timeout, displayName: _name, seed: _policy, ...params } = step.params;
  return sha256(canonicalJson({ v: 1, step: step.name, index, seed, params, workflow: step.workflow.base }));
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so equal data always gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
