import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveInputFile } from '../files/input-file-path';
import { getSaveImagePath, saveImageFileName } from '../files/save-image-path';
import { decodePng } from '../image/png-decoder';
import { encodePng } from '../image/png-encoder';
import {
  blendImages,
  fingerprintOf,
  invertImage,
  patternImage,
  pixelImage,
  scaleImage,
  solidImage,
  type RasterImage,
} from '../image/raster-image';
import { stringifyPythonJson } from '../python/python-json';
import { PythonException, isPlainObject, pyStr, toJsNumber } from '../python/python-values';
import type { ApiPrompt } from '../validation/validate-prompt';
import { CHECKPOINT_LOAD_TRACEBACK } from './captured-tracebacks';
import type { ImageBatch, LatentBatch, NodeValue, OpaqueValue } from './node-values';

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp';
}

export interface NodeRunContext {
  nodeId: string;
  promptId: string;
  /** Literal inputs after validation coercion, and upstream values for links. */
  inputs: Record<string, unknown>;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  dirs: { output: string; input: string; temp: string };
  /** RETURN_TYPES from the catalogue, for nodes the emulator only imitates. */
  outputTypes: unknown[];
  isBrokenCheckpoint(name: string): boolean;
}

export interface NodeRunResult {
  outputs: NodeValue[];
  ui?: { images: ImageRef[] };
}

export interface NodeRunner {
  /** Progress steps reported while running (KSampler: `steps`). */
  steps?(inputs: Record<string, unknown>): number;
  run(context: NodeRunContext): NodeRunResult;
}

function int(value: unknown): number {
  return Math.trunc(toJsNumber(value));
}

function imageInput(value: unknown): ImageBatch {
  if (typeof value === 'object' && value !== null && (value as NodeValue).kind === 'image') return value as ImageBatch;
  return { kind: 'image', frames: [patternImage(64, 64, fingerprintOf('placeholder', value))] };
}

function latentInput(value: unknown): LatentBatch {
  if (typeof value === 'object' && value !== null && (value as NodeValue).kind === 'latent') return value as LatentBatch;
  return { kind: 'latent', width: 512, height: 512, batch: 1, fingerprint: fingerprintOf('placeholder', value) };
}

function opaque(type: string, ...parts: unknown[]): OpaqueValue {
  return { kind: 'opaque', type, fingerprint: fingerprintOf(type, ...parts) };
}

function identity(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'fingerprint' in value) {
    return String((value as { fingerprint: unknown }).fingerprint);
  }
  return stringifyPythonJson(value);
}

function conditioningText(value: unknown): string {
  return typeof value === 'object' && value !== null ? ((value as OpaqueValue).text ?? identity(value)) : String(value);
}

/** ComfyUI keeps latents at 1/8 of the pixel size, so decoded sizes snap down to multiples of 8. */
function snapToLatentGrid(size: number): number {
  return Math.max(8, Math.floor(size / 8) * 8);
}

function pngMetadata(context: NodeRunContext): Array<[string, string]> {
  const text: Array<[string, string]> = [['prompt', stringifyPythonJson(context.prompt)]];
  const extra = context.extraData.extra_pnginfo;
  if (isPlainObject(extra)) {
    for (const [key, value] of Object.entries(extra)) text.push([key, stringifyPythonJson(value)]);
  }
  return text;
}

function saveFrames(
  context: NodeRunContext,
  images: ImageBatch,
  prefix: string,
  baseDir: string,
  type: 'output' | 'temp',
  compressLevel: number,
): ImageRef[] {
  const first = images.frames[0];
  const target = getSaveImagePath(prefix, baseDir, first?.width ?? 0, first?.height ?? 0);
  let counter = target.counter;
  const text = pngMetadata(context);
  return images.frames.map((frame, batchNumber) => {
    const filename = saveImageFileName(target.fileBase, batchNumber, counter++);
    const png = encodePng({
      width: frame.width,
      height: frame.height,
      pixels: frame.render(),
      channels: 3,
      text,
      compressLevel,
    });
    fs.writeFileSync(path.join(target.fullOutputFolder, filename), png);
    return { filename, subfolder: target.subfolder, type };
  });
}

function previewSuffix(promptId: string, nodeId: string): string {
  // ComfyUI picks 5 random letters per node instance; a digest keeps the emulator deterministic.
  const digest = createHash('sha256').update(`${promptId}:${nodeId}`).digest();
  const letters = 'abcdefghijklmnopqrstupvxyz';
  return Array.from(digest.subarray(0, 5), (byte) => letters[byte % letters.length]).join('');
}

function loadImageFile(context: NodeRunContext): ImageBatch {
  const file = resolveInputFile(String(context.inputs.image), context.dirs);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file ?? '');
  } catch {
    throw new PythonException('FileNotFoundError', `[Errno 2] No such file or directory: '${file ?? context.inputs.image}'`);
  }
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const decoded = decodePng(bytes);
  const frame: RasterImage = decoded
    ? pixelImage(decoded.width, decoded.height, decoded.rgb, fingerprint)
    : patternImage(64, 64, fingerprint);
  return { kind: 'image', frames: [frame] };
}

function scaledSize(frame: RasterImage, width: number, height: number): [number, number] {
  if (width === 0 && height === 0) return [frame.width, frame.height];
  if (width === 0) return [Math.max(1, Math.round((frame.width * height) / frame.height)), height];
  if (height === 0) return [width, Math.max(1, Math.round((frame.height * width) / frame.width))];
  return [width, height];
}

/** Nodes the emulator really executes; every other catalogue class gets `imitateNode`. */
export const NODE_RUNNERS: Record<string, NodeRunner> = {
  EmptyImage: {
    run: ({ inputs }) => {
      const frame = solidImage(int(inputs.width), int(inputs.height), int(inputs.color));
      return { outputs: [{ kind: 'image', frames: Array.from({ length: int(inputs.batch_size) }, () => frame) }] };
    },
  },
  LoadImage: {
    run: (context) => {
      const images = loadImageFile(context);
      const frame = images.frames[0];
      return { outputs: [images, opaque('MASK', frame.fingerprint, frame.width, frame.height)] };
    },
  },
  ImageScale: {
    run: ({ inputs }) => {
      const images = imageInput(inputs.image);
      const frames = images.frames.map((frame) => {
        const [width, height] = scaledSize(frame, int(inputs.width), int(inputs.height));
        return scaleImage(frame, width, height, String(inputs.upscale_method), String(inputs.crop));
      });
      return { outputs: [{ kind: 'image', frames }] };
    },
  },
  ImageInvert: {
    run: ({ inputs }) => ({ outputs: [{ kind: 'image', frames: imageInput(inputs.image).frames.map(invertImage) }] }),
  },
  SaveImage: {
    run: (context) => {
      const images = imageInput(context.inputs.images);
      const prefix = pyStr(context.inputs.filename_prefix ?? 'ComfyUI');
      return { outputs: [], ui: { images: saveFrames(context, images, prefix, context.dirs.output, 'output', 4) } };
    },
  },
  PreviewImage: {
    run: (context) => {
      const images = imageInput(context.inputs.images);
      const prefix = `ComfyUI_temp_${previewSuffix(context.promptId, context.nodeId)}`;
      return { outputs: [], ui: { images: saveFrames(context, images, prefix, context.dirs.temp, 'temp', 1) } };
    },
  },
  CheckpointLoaderSimple: {
    run: ({ inputs, isBrokenCheckpoint }) => {
      const name = String(inputs.ckpt_name);
      if (isBrokenCheckpoint(name)) {
        throw new PythonException(
          'safetensors_rust.SafetensorError',
          'Error while deserializing header: HeaderTooSmall',
          CHECKPOINT_LOAD_TRACEBACK,
        );
      }
      return { outputs: [opaque('MODEL', name), opaque('CLIP', name), opaque('VAE', name)] };
    },
  },
  CLIPTextEncode: {
    run: ({ inputs }) => {
      const text = pyStr(inputs.text);
      return { outputs: [{ ...opaque('CONDITIONING', text, identity(inputs.clip)), text }] };
    },
  },
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
    run: ({ inputs }) => {
      const latent = latentInput(inputs.samples);
      const frames = Array.from({ length: latent.batch }, (_, index) => {
        const pattern = patternImage(latent.width, latent.height, fingerprintOf(latent.fingerprint, index));
        const source = latent.source?.frames[index % latent.source.frames.length];
        return source && latent.denoise !== undefined && latent.denoise < 1
          ? blendImages(source, pattern, latent.denoise)
          : pattern;
      });
      return { outputs: [{ kind: 'image', frames }] };
    },
  },
};

/** Stand-in for catalogue classes without a runner: deterministic placeholders per RETURN_TYPE. */
export function imitateNode(context: NodeRunContext, classType: string): NodeRunResult {
  const seed = fingerprintOf(classType, Object.entries(context.inputs).map(([k, v]) => [k, identity(v)]));
  const width = int(context.inputs.width) || 512;
  const height = int(context.inputs.height) || 512;
  const outputs = context.outputTypes.map((type, index): NodeValue => {
    const slotSeed = fingerprintOf(seed, index);
    if (type === 'IMAGE') return { kind: 'image', frames: [patternImage(width, height, slotSeed)] };
    if (type === 'LATENT') {
      return { kind: 'latent', width: snapToLatentGrid(width), height: snapToLatentGrid(height), batch: 1, fingerprint: slotSeed };
    }
    return opaque(pyStr(type), slotSeed);
  });
  return { outputs };
}
