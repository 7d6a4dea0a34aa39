import { fingerprintOf, patternImage } from '../../image/raster-image';
import { PythonFloat, pyStr, toJsNumber } from '../../python/python-values';
import type { ImageBatch, LatentBatch, NodeValue, OpaqueValue } from '../node-values';
import { failOnBrokenModelFile } from './loader-runners';
import type { NodeRunContext, NodeRunResult } from './runner-types';
import { fingerprintOfNode, int, isNodeValue, scaledSize, snapToLatentGrid } from './runner-values';

interface Size {
  width: number;
  height: number;
  batch: number;
}

function firstInput<T>(inputs: Record<string, unknown>, kind: NodeValue['kind'], accept: (value: T) => boolean = () => true): T | undefined {
  return Object.values(inputs).find((value) => isNodeValue(value, kind) && accept(value as T)) as T | undefined;
}

/** A numeric literal input (after validation's int()/float()), else undefined. */
function literal(inputs: Record<string, unknown>, name: string): number | undefined {
  const value = inputs[name];
  if (typeof value !== 'number' && typeof value !== 'bigint' && !(value instanceof PythonFloat)) return undefined;
  const n = toJsNumber(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The size a node's pictures and latents have: taken from its first latent, image or mask input,
 * then changed by literal `width`/`height` (0 keeps the aspect ratio) or `scale_by`; without such
 * inputs, `width`/`height`/`batch_size` literals (the Empty*Latent* family) or 512².
 */
function outputSize(inputs: Record<string, unknown>): Size {
  const latent = firstInput<LatentBatch>(inputs, 'latent');
  const image = firstInput<ImageBatch>(inputs, 'image');
  const mask = firstInput<OpaqueValue>(inputs, 'opaque', (value) => value.size !== undefined);
  const from: Size | undefined = latent
    ? { width: latent.width, height: latent.height, batch: latent.batch }
    : image
      ? { width: image.frames[0]?.width ?? 512, height: image.frames[0]?.height ?? 512, batch: image.frames.length }
      : mask?.size;
  const width = literal(inputs, 'width');
  const height = literal(inputs, 'height');
  const scaleBy = literal(inputs, 'scale_by');
  if (!from) return { width: width || 512, height: height || 512, batch: Math.max(1, literal(inputs, 'batch_size') ?? 1) };
  if (scaleBy !== undefined) return { ...from, width: Math.max(1, Math.round(from.width * scaleBy)), height: Math.max(1, Math.round(from.height * scaleBy)) };
  if (width !== undefined && height !== undefined) {
    const [w, h] = scaledSize(from, int(width), int(height));
    return { ...from, width: w, height: h };
  }
  return from;
}

function latentOutput(inputs: Record<string, unknown>, size: Size, fingerprint: string): LatentBatch {
  const upstream = firstInput<LatentBatch>(inputs, 'latent');
  const denoise = literal(inputs, 'denoise');
  const latent: LatentBatch = {
    kind: 'latent',
    width: snapToLatentGrid(size.width),
    height: snapToLatentGrid(size.height),
    batch: size.batch,
    fingerprint,
  };
  // img2img: the encoded pixels ride along so VAEDecode can blend them back by `denoise`.
  if (upstream?.source && upstream.width === latent.width && upstream.height === latent.height) {
    latent.source = upstream.source;
    latent.denoise = denoise !== undefined ? Math.min(1, Math.max(0, denoise)) : upstream.denoise;
  }
  return latent;
}

function opaqueOutput(type: string, inputs: Record<string, unknown>, size: Size, fingerprint: string): OpaqueValue {
  const value: OpaqueValue = { kind: 'opaque', type, fingerprint };
  const steps = literal(inputs, 'steps');
  if (type === 'SIGMAS' && steps !== undefined) value.steps = int(steps);
  if (type === 'MASK') value.size = size;
  return value;
}

/**
 * Runs any catalogue class by its RETURN_TYPES: IMAGE outputs are pictures of the node's
 * fingerprint at the size its inputs give, LATENT outputs carry size and batch along, anything else
 * is an opaque token of the class and inputs. Equal inputs give equal outputs, so caching and
 * byte-for-byte determinism hold, and a changed seed or prompt text anywhere upstream changes the picture.
 */
export function runGenericNode(context: NodeRunContext): NodeRunResult {
  failOnBrokenModelFile(context);
  const nodeFingerprint = fingerprintOfNode(context.classType, context.inputs);
  const size = outputSize(context.inputs);
  const outputs = context.outputTypes.map((type, slot): NodeValue => {
    const fingerprint = fingerprintOf(nodeFingerprint, slot);
    if (type === 'IMAGE') {
      const frames = Array.from({ length: size.batch }, (_, index) =>
        patternImage(size.width, size.height, fingerprintOf(fingerprint, index)),
      );
      return { kind: 'image', frames };
    }
    if (type === 'LATENT') return latentOutput(context.inputs, size, fingerprint);
    return opaqueOutput(pyStr(type), context.inputs, size, fingerprint);
  });
  return { outputs };
}

/** Progress steps of a class without its own runner: samplers report their `steps` (or their sigmas'). */
export function genericSteps(inputs: Record<string, unknown>, outputTypes: unknown[]): number {
  if (!outputTypes.includes('LATENT')) return 0;
  const steps = literal(inputs, 'steps');
  if (steps !== undefined) return int(steps);
  const sigmas = firstInput<OpaqueValue>(inputs, 'opaque', (value) => value.steps !== undefined);
  return sigmas?.steps ?? 0;
}
