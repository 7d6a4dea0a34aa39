import { fingerprintOf, patternImage } from '../../image/raster-image';
import { stringifyPythonJson } from '../../python/python-json';
import { toJsNumber } from '../../python/python-values';
import type { ImageBatch, LatentBatch, NodeValue, OpaqueValue } from '../node-values';

export function int(value: unknown): number {
  return Math.trunc(toJsNumber(value));
}

export function isNodeValue(value: unknown, kind: NodeValue['kind']): boolean {
  return typeof value === 'object' && value !== null && (value as NodeValue).kind === kind;
}

export function imageInput(value: unknown): ImageBatch {
  if (isNodeValue(value, 'image')) return value as ImageBatch;
  return { kind: 'image', frames: [patternImage(64, 64, fingerprintOf('placeholder', value))] };
}

export function latentInput(value: unknown): LatentBatch {
  if (isNodeValue(value, 'latent')) return value as LatentBatch;
  return { kind: 'latent', width: 512, height: 512, batch: 1, fingerprint: fingerprintOf('placeholder', value) };
}

export function opaque(type: string, ...parts: unknown[]): OpaqueValue {
  return { kind: 'opaque', type, fingerprint: fingerprintOf(type, ...parts) };
}

/** What a value contributes to a downstream fingerprint: its own fingerprint, or its Python JSON. */
export function identity(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'fingerprint' in value) {
    return String((value as { fingerprint: unknown }).fingerprint);
  }
  return stringifyPythonJson(value);
}

/** A node's identity from its class and inputs (names sorted, so JSON key order does not matter). */
export function fingerprintOfNode(classType: string, inputs: Record<string, unknown>): string {
  const parts = Object.keys(inputs)
    .sort()
    .map((name) => [name, identity(inputs[name])]);
  return fingerprintOf(classType, parts);
}

/** ComfyUI keeps latents at 1/8 of the pixel size, so decoded sizes snap down to multiples of 8. */
export function snapToLatentGrid(size: number): number {
  return Math.max(8, Math.floor(size / 8) * 8);
}

/** ComfyUI's "0 keeps the aspect ratio" rule of ImageScale and LatentUpscale. */
export function scaledSize(from: { width: number; height: number }, width: number, height: number): [number, number] {
  if (width === 0 && height === 0) return [from.width, from.height];
  if (width === 0) return [Math.max(1, Math.round((from.width * height) / from.height)), height];
  if (height === 0) return [width, Math.max(1, Math.round((from.height * width) / from.width))];
  return [width, height];
}
