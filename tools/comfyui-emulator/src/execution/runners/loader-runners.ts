import { modelInputSource } from '../../models/model-inputs';
import { PythonException, pyStr } from '../../python/python-values';
import { CHECKPOINT_LOAD_TRACEBACK } from '../captured-tracebacks';
import type { NodeRunContext, NodeRunner } from './runner-types';
import { identity, opaque } from './runner-values';

/**
 * A model file marked broken fails at load time like the captured `ckpt_runtime_error` run
 * (the captured traceback belongs to CheckpointLoaderSimple; other loaders raise without one).
 */
export function failOnBrokenModelFile(context: NodeRunContext): void {
  for (const [name, value] of Object.entries(context.inputs)) {
    if (typeof value !== 'string' || !modelInputSource(context.classType, name) || !context.isBrokenCheckpoint(value)) continue;
    const traceback = context.classType === 'CheckpointLoaderSimple' ? CHECKPOINT_LOAD_TRACEBACK : undefined;
    throw new PythonException('safetensors_rust.SafetensorError', 'Error while deserializing header: HeaderTooSmall', traceback);
  }
}

/** Loaders and encoders whose tokens keep a readable trace (checkpoint name, prompt text). */
export const LOADER_RUNNERS: Record<string, NodeRunner> = {
  CheckpointLoaderSimple: {
    run: (context) => {
      failOnBrokenModelFile(context);
      const name = String(context.inputs.ckpt_name);
      return { outputs: [opaque('MODEL', name), opaque('CLIP', name), opaque('VAE', name)] };
    },
  },
  CLIPTextEncode: {
    run: ({ inputs }) => {
      const text = pyStr(inputs.text);
      return { outputs: [{ ...opaque('CONDITIONING', text, identity(inputs.clip)), text }] };
    },
  },
};
