import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { resolveInputFile } from '../../files/input-file-path';
import { decodePng } from '../../image/png-decoder';
import { invertImage, patternImage, pixelImage, scaleImage, solidImage, type RasterImage } from '../../image/raster-image';
import { PythonException, toJsNumber } from '../../python/python-values';
import type { ImageBatch, OpaqueValue } from '../node-values';
import type { NodeRunContext, NodeRunner } from './runner-types';
import { imageInput, int, isNodeValue, opaque, scaledSize } from './runner-values';

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

function scaleFrames(images: ImageBatch, size: (frame: RasterImage) => [number, number], method: unknown, crop: unknown): ImageBatch {
  const frames = images.frames.map((frame) => {
    const [width, height] = size(frame);
    return scaleImage(frame, width, height, String(method), String(crop ?? 'disabled'));
  });
  return { kind: 'image', frames };
}

function upscaleFactor(model: unknown): number {
  return isNodeValue(model, 'opaque') ? ((model as OpaqueValue).scale ?? 4) : 4;
}

/** Upscale models are named by their factor by convention (`4x-UltraSharp.pth`, `RealESRGAN_x2.pth`). */
function scaleFromModelName(name: string): number {
  const match = /(?:^|[^0-9])x?([1-8])x|x([1-8])(?:[^0-9]|$)/i.exec(name);
  return Number(match?.[1] ?? match?.[2] ?? 4);
}

/** Runners whose output is IMAGE (and LoadImage's MASK). */
export const IMAGE_RUNNERS: Record<string, NodeRunner> = {
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
      const mask = opaque('MASK', frame.fingerprint, frame.width, frame.height);
      return { outputs: [images, { ...mask, size: { width: frame.width, height: frame.height, batch: 1 } }] };
    },
  },
  ImageScale: {
    run: ({ inputs }) => ({
      outputs: [
        scaleFrames(imageInput(inputs.image), (f) => scaledSize(f, int(inputs.width), int(inputs.height)), inputs.upscale_method, inputs.crop),
      ],
    }),
  },
  ImageScaleBy: {
    run: ({ inputs }) => {
      const by = toJsNumber(inputs.scale_by);
      const size = (f: RasterImage): [number, number] => [Math.max(1, Math.round(f.width * by)), Math.max(1, Math.round(f.height * by))];
      return { outputs: [scaleFrames(imageInput(inputs.image), size, inputs.upscale_method, 'disabled')] };
    },
  },
  ImageInvert: {
    run: ({ inputs }) => ({ outputs: [{ kind: 'image', frames: imageInput(inputs.image).frames.map(invertImage) }] }),
  },
  UpscaleModelLoader: {
    run: ({ inputs }) => {
      const name = String(inputs.model_name);
      return { outputs: [{ ...opaque('UPSCALE_MODEL', name), scale: scaleFromModelName(name) }] };
    },
  },
  ImageUpscaleWithModel: {
    run: ({ inputs }) => {
      const factor = upscaleFactor(inputs.upscale_model);
      const size = (f: RasterImage): [number, number] => [f.width * factor, f.height * factor];
      return { outputs: [scaleFrames(imageInput(inputs.image), size, 'bicubic', 'disabled')] };
    },
  },
};
