import { blendImages, fingerprintOf, patternImage } from '../../image/raster-image';
import { pyStr, toJsNumber } from '../../python/python-values';
import type { LatentBatch, OpaqueValue } from '../node-values';
import type { NodeRunner } from './runner-types';
import { identity, imageInput, int, latentInput, snapToLatentGrid } from './runner-values';

function conditioningText(value: unknown): string {
  return typeof value === 'object' && value !== null ? ((value as OpaqueValue).text ?? identity(value)) : String(value);
}

/** Pictures of a latent: one pattern per batch index; img2img blends the encoded pixels back by `denoise`. */
function decodeLatent(latent: LatentBatch) {
  return Array.from({ length: latent.batch }, (_, index) => {
    const pattern = patternImage(latent.width, latent.height, fingerprintOf(latent.fingerprint, index));
    const source = latent.source?.frames[index % latent.source.frames.length];
    return source && latent.denoise !== undefined && latent.denoise < 1 ? blendImages(source, pattern, latent.denoise) : pattern;
  });
}

/** Runners of the SD 1.5 core path; other samplers and latent nodes go through the generic runner. */
export const LATENT_RUNNERS: Record<string, NodeRunner> = {
  EmptyLatentImage: {
    run: ({ inputs }) => {
      const width = snapToLatentGrid(int(inputs.width));
      const height = snapToLatentGrid(int(inputs.height));
      const batch = int(inputs.batch_size);
      return { outputs: [{ kind: 'latent', width, height, batch, fingerprint: fingerprintOf('empty', width, height, batch) }] };
    },
  },
  VAEEncode: {
    run: ({ inputs }) => {
      const pixels = imageInput(inputs.pixels);
      const first = pixels.frames[0];
      const width = snapToLatentGrid(first.width);
      const height = snapToLatentGrid(first.height);
      const fingerprint = fingerprintOf('encode', pixels.frames.map((f) => f.fingerprint), identity(inputs.vae));
      return { outputs: [{ kind: 'latent', width, height, batch: pixels.frames.length, fingerprint, source: pixels }] };
    },
  },
  KSampler: {
    steps: (inputs) => int(inputs.steps),
    run: ({ inputs }) => {
      const latent = latentInput(inputs.latent_image);
      const denoise = Math.min(1, Math.max(0, toJsNumber(inputs.denoise)));
      const fingerprint = fingerprintOf(
        'ksampler',
        pyStr(inputs.seed),
        pyStr(inputs.steps),
        pyStr(inputs.cfg),
        pyStr(inputs.sampler_name),
        pyStr(inputs.scheduler),
        denoise,
        identity(inputs.model),
        conditioningText(inputs.positive),
        conditioningText(inputs.negative),
        latent.fingerprint,
      );
      return { outputs: [{ ...latent, fingerprint, denoise }] };
    },
  },
  VAEDecode: {
    run: ({ inputs }) => ({ outputs: [{ kind: 'image', frames: decodeLatent(latentInput(inputs.samples)) }] }),
  },
};
