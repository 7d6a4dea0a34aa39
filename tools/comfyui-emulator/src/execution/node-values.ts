import type { RasterImage } from '../image/raster-image';

/** IMAGE: a batch of same-sized frames. */
export interface ImageBatch {
  kind: 'image';
  frames: RasterImage[];
}

/** LATENT: sizes in pixels (multiples of 8, like ComfyUI's 1/8 latents decoded back). */
export interface LatentBatch {
  kind: 'latent';
  width: number;
  height: number;
  batch: number;
  fingerprint: string;
  /** img2img: the encoded pixels and how much of them the sampler replaces. */
  source?: ImageBatch;
  denoise?: number;
}

/** MODEL, CLIP, VAE, CONDITIONING, NOISE, GUIDER, SIGMAS, MASK and anything else: only identity matters here. */
export interface OpaqueValue {
  kind: 'opaque';
  type: string;
  /** Digest of the class and inputs that made it, so equal inputs give equal tokens (and pictures). */
  fingerprint: string;
  text?: string;
  /** SIGMAS: the scheduler's step count, which the sampler reports as progress. */
  steps?: number;
  /** UPSCALE_MODEL: the model's scale factor. */
  scale?: number;
  /** MASK: the size it covers, so images made from it keep that size. */
  size?: { width: number; height: number; batch: number };
}

export type NodeValue = ImageBatch | LatentBatch | OpaqueValue;

/** What `str()` of a node value looks like in `execution_error.current_inputs`. */
export function describeValue(value: unknown): string {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return String(value);
  const node = value as NodeValue;
  if (node.kind === 'image') {
    const first = node.frames[0];
    return `tensor(<${node.frames.length}x${first?.height ?? 0}x${first?.width ?? 0}x3 image>)`;
  }
  if (node.kind === 'latent') return `{'samples': tensor(<${node.batch}x4x${node.height / 8}x${node.width / 8}>)}`;
  return `<${node.type} ${node.fingerprint.slice(0, 8)}>`;
}
