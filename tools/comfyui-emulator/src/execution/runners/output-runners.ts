import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getSaveImagePath, saveImageFileName } from '../../files/save-image-path';
import { encodePng } from '../../image/png-encoder';
import { stringifyPythonJson } from '../../python/python-json';
import { isPlainObject, pyStr } from '../../python/python-values';
import type { ImageBatch } from '../node-values';
import type { ImageRef, NodeRunContext, NodeRunner } from './runner-types';
import { imageInput } from './runner-values';

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
    const png = encodePng({ width: frame.width, height: frame.height, pixels: frame.render(), channels: 3, text, compressLevel });
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

/** Output nodes: files in output/ or temp/, or (SaveImageWebsocket) binary frames and no file at all. */
export const OUTPUT_RUNNERS: Record<string, NodeRunner> = {
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
  // custom_nodes/websocket_image_save.py: each image goes out through the progress bar hook as a
  // ("PNG", image, None) preview; the node returns {} so history records no output for it.
  SaveImageWebsocket: {
    run: (context) => {
      const frames = imageInput(context.inputs.images).frames;
      frames.forEach((frame, step) => {
        const png = encodePng({ width: frame.width, height: frame.height, pixels: frame.render(), channels: 3, compressLevel: 1 });
        context.reportProgress(step, frames.length, png);
      });
      return { outputs: [] };
    },
  },
};
