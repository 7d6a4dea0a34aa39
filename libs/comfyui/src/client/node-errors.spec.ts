import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import type { ApiWorkflow } from '@kiln/job-orchestration';
import { loadHttpFixture, loadWorkflow, nockReply } from '../../tests/fixtures/comfyui-fixtures';
import { ComfyUiError } from '../errors';
import { ComfyUiClient } from './comfyui-client';
import { parseNodeErrors } from './node-errors';

const BASE = 'http://comfy.test:8188';

async function rejectionFor(fixture: string, workflow = 'empty_save'): Promise<ComfyUiError> {
  nock(BASE).post('/prompt').reply(...nockReply(loadHttpFixture(fixture)));
  return submitAndCatch(loadWorkflow(workflow));
}

async function submitAndCatch(workflow: ApiWorkflow): Promise<ComfyUiError> {
  try {
    await new ComfyUiClient({ baseUrl: BASE, retry: { retries: 0 } }).submitPrompt(workflow);
  } catch (error) {
    if (error instanceof ComfyUiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('workflow rejections (400 on /prompt)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('names node, class, input, value and the allowed choices for a checkpoint not in the list', async () => {
    const error = await rejectionFor('post_prompt_ckpt_not_in_list_400', 'ckpt_not_in_list');

    expect(error.code).toBe('COMFYUI_WORKFLOW_REJECTED');
    expect(error.status).toBe(400);
    expect(error.comfyUiErrorType).toBe('prompt_outputs_failed_validation');
    expect(error.message).toContain("node 1 (CheckpointLoaderSimple) input ckpt_name: 'does-not-exist.safetensors' is not one of: tiny-test.safetensors");
    expect(error.nodeErrors).toEqual([
      expect.objectContaining({
        nodeId: '1',
        classType: 'CheckpointLoaderSimple',
        type: 'value_not_in_list',
        inputName: 'ckpt_name',
        receivedValue: 'does-not-exist.safetensors',
        dependentOutputs: ['4'],
      }),
    ]);
  });

  it('explains a missing required input', async () => {
    const error = await rejectionFor('post_prompt_missing_required_input_400', 'missing_required_input');

    expect(error.nodeErrors[0].readable).toBe('node 1 (EmptyImage) input height: required input is missing');
    expect(error.message).toContain('node 1 (EmptyImage) input height: required input is missing');
  });

  it('explains a value below the minimum', async () => {
    const error = await rejectionFor('post_prompt_value_below_min_400', 'value_out_of_range');

    expect(error.nodeErrors[0].readable).toBe('node 1 (EmptyImage) input width: 0 is smaller than the minimum 1');
  });

  it('explains an unknown class type from the top-level error', async () => {
    const error = await rejectionFor('post_prompt_unknown_class_type_400', 'unknown_class_type');

    expect(error.comfyUiErrorType).toBe('invalid_prompt');
    expect(error.nodeErrors).toEqual([]);
    expect(error.message).toContain("Cannot execute because node NoSuchNodeType does not exist. (Node ID '#1')");
  });

  it('explains a workflow without output nodes', async () => {
    const error = await rejectionFor('post_prompt_no_outputs_400', 'no_outputs');

    expect(error.comfyUiErrorType).toBe('prompt_no_outputs');
    expect(error.message).toContain('Prompt has no outputs');
  });

  it('explains a request without a prompt, without repeating the details', async () => {
    const error = await rejectionFor('post_prompt_no_prompt_key_400');

    expect(error.comfyUiErrorType).toBe('no_prompt');
    expect(error.message).toBe('ComfyUI rejected the workflow (HTTP 400): No prompt provided');
  });

  it('explains a custom validation failure without repeating the input name', async () => {
    const error = await rejectionFor('post_prompt_loadimage_missing_file_400', 'loadimage_missing_file');

    expect(error.nodeErrors[0].readable).toBe('node 1 (LoadImage) input image: Invalid image file: no-such-upload.png');
  });

  it('tolerates the old string form {"error": "no prompt", "node_errors": []}', async () => {
    nock(BASE).post('/prompt').reply(400, { error: 'no prompt', node_errors: [] });

    const error = await submitAndCatch({});

    expect(error).toMatchObject({ code: 'COMFYUI_WORKFLOW_REJECTED', comfyUiErrorType: 'no_prompt', nodeErrors: [] });
    expect(error.message).toContain('no prompt');
  });

  it('tolerates a 400 that is not JSON', async () => {
    nock(BASE).post('/prompt').reply(400, 'Bad Request');

    const error = await submitAndCatch({});

    expect(error.code).toBe('COMFYUI_WORKFLOW_REJECTED');
    expect(error.message).toContain('Bad Request');
  });
});

describe('parseNodeErrors', () => {
  it('says how many choices there were when ComfyUI elides a long list', () => {
    const [error] = parseNodeErrors({
      '4': {
        class_type: 'CheckpointLoaderSimple',
        dependent_outputs: ['9'],
        errors: [
          {
            type: 'value_not_in_list',
            message: 'Value not in list',
            details: "ckpt_name: 'x.safetensors' not in (list of length 42)",
            extra_info: { input_name: 'ckpt_name', input_config: null, received_value: 'x.safetensors' },
          },
        ],
      },
    });

    expect(error.readable).toBe("node 4 (CheckpointLoaderSimple) input ckpt_name: 'x.safetensors' is not one of the 42 allowed values");
  });

  it('explains a link of the wrong type', () => {
    const [error] = parseNodeErrors({
      '8': {
        class_type: 'VAEDecode',
        errors: [
          {
            type: 'return_type_mismatch',
            message: 'Return type mismatch between linked nodes',
            details: 'samples, received_type(CONDITIONING) mismatch input_type(LATENT)',
            extra_info: { input_name: 'samples', input_config: ['LATENT', {}], received_type: 'CONDITIONING', linked_node: ['6', 0] },
          },
        ],
      },
    });

    expect(error.readable).toBe('node 8 (VAEDecode) input samples: linked output is CONDITIONING but the input takes LATENT');
  });

  it('falls back to message and details for types it does not know', () => {
    const [error] = parseNodeErrors({ '2': { errors: [{ type: 'exception_during_validation', message: 'Exception when validating node', details: "'99'", extra_info: {} }] } });

    expect(error.readable).toBe("node 2: Exception when validating node: '99'");
  });

  it('reads nothing from the old array form', () => {
    expect(parseNodeErrors([])).toEqual([]);
  });
});
