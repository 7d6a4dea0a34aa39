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

/** MODEL, CLIP, VAE, CONDITIONING, MASK and anything else: only identity matters here. */
export interface OpaqueValue {
  kind: 'opaque';
  type: string;
  fingerprint: string;
  text?: string;
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
