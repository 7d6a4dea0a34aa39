import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as testing from '@kiln/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ApiWorkflow } from '@kiln/job-orchestration';
import { ComfyUiClient } from '../../src/index';
import { ComfyUiError } from '../../src/errors';
import { type ComfyUiEvent } from '../../src/client/events';
import { type ComfyUiEventStream } from '../../src/client/event-stream';
import { type PromptStatus } from '../../src/client/types';
import { loadWorkflow, loadWorkflowBytes } from '../fixtures/comfyui-fixtures';

/**
 * Runs the client against a live ComfyUI at COMFYUI_CONTRACT_URL, or else against the project's
 * emulator (`startContractServer` from @kiln/testing). Skipped when neither is available.
 * Written to pass unchanged against a real ComfyUI 0.3.x: no-model workflows only, unique
 * filename prefixes and upload names, no assumption about which checkpoints exist.
 */
type ContractServer = { url: string; stop(): Promise<void> };
const startContractServer = (testing as unknown as Record<string, unknown>)['startContractServer'] as (() => Promise<ContractServer>) | undefined;
const liveUrl = process.env['COMFYUI_CONTRACT_URL'];
const describeContract = liveUrl || typeof startContractServer === 'function' ? describe : describe.skip;

const RUN_TIMEOUT_MS = 60_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function withNode(workflow: ApiWorkflow, nodeId: string, inputs: Record<string, unknown>): ApiWorkflow {
  return { ...workflow, [nodeId]: { ...workflow[nodeId], inputs: { ...workflow[nodeId].inputs, ...inputs } } };
}

async function rejection(promise: Promise<unknown>): Promise<ComfyUiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ComfyUiError) return error;
    throw error;
  }
  throw new Error('expected the server to reject the call');
}

describeContract('ComfyUiClient contract', () => {
  const runId = randomUUID().slice(0, 8);
  const submitted: string[] = [];
  let server: ContractServer | undefined;
  let client: ComfyUiClient;
  let stream: ComfyUiEventStream | undefined;
  let tmp: string;

  beforeAll(async () => {
    server = liveUrl ? undefined : await startContractServer?.();
    client = new ComfyUiClient({
      baseUrl: liveUrl ?? server?.url ?? '',
      clientId: `kiln-contract-${runId}`,
      retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 500 },
      requestTimeoutMs: 20_000,
    });
    tmp = await mkdtemp(path.join(tmpdir(), 'comfy-contract-'));
  }, RUN_TIMEOUT_MS);

  afterAll(async () => {
    await stream?.close();
    await client?.deleteFromHistory(submitted).catch(() => undefined);
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }, RUN_TIMEOUT_MS);

  /** Sends a client-chosen id; servers older than 2025-07 ignore it and pick their own, so use the answer. */
  async function submit(workflow: ApiWorkflow): Promise<string> {
    const result = await client.submitPrompt(workflow, { promptId: randomUUID() });
    submitted.push(result.promptId);
    return result.promptId;
  }

  async function waitForEnd(promptId: string): Promise<PromptStatus> {
    const deadline = Date.now() + RUN_TIMEOUT_MS - 5_000;
    for (;;) {
      const status = await client.getPromptStatus(promptId);
      if (status.state === 'completed' || status.state === 'failed') return status;
      if (status.state === 'unknown' || Date.now() > deadline) throw new Error(`prompt ${promptId} ended up ${status.state}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('reads system stats, the queue, node info and the checkpoint list', async () => {
    const stats = await client.getSystemStats();
    const queue = await client.getQueue();
    const info = await client.getObjectInfo('EmptyImage');
    const unknown = await client.getObjectInfo(`NoSuchNode${runId}`);
    const checkpoints = await client.listCheckpoints();

    expect(typeof stats.system.os).toBe('string');
    expect(stats.devices.length).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(queue.running) && Array.isArray(queue.pending)).toBe(true);
    expect(info['EmptyImage'].input.required?.['width']?.[0]).toBe('INT');
    expect(unknown).toEqual({});
    expect(checkpoints.every((name) => typeof name === 'string')).toBe(true);
  });

  it(
    'runs a no-model workflow end to end: events, status, outputs and downloads',
    async () => {
      const prefix = `kiln-contract/${runId}/empty`;
      const events: ComfyUiEvent[] = [];
      stream = client.openEvents();
      stream.on('event', (event) => events.push(event));
      await stream.waitUntilReady(10_000);
      const workflow = withNode(loadWorkflow('empty_save'), '2', { filename_prefix: prefix });

      const promptId = await submit(workflow);
      const finished = new Promise<void>((resolve) => {
        const check = (event: ComfyUiEvent): void => {
          if (event.type === 'executing' && event.data.node === null && event.data.prompt_id === promptId) resolve();
        };
        events.forEach(check);
        stream?.on('event', check);
      });
      await finished;
      const status = await client.getPromptStatus(promptId);

      expect(status.state).toBe('completed');
      if (status.state !== 'completed') return;
      const ours = events.filter((e) => 'prompt_id' in e.data && e.data.prompt_id === promptId).map((e) => e.type);
      expect(ours).toEqual(expect.arrayContaining(['execution_start', 'executed', 'execution_success', 'executing']));
      expect(status.outputs).toHaveLength(1);
      const [image] = status.outputs;
      expect(image).toMatchObject({ nodeId: '2', subfolder: `kiln-contract/${runId}`, type: 'output' });
      expect(image.filename).toMatch(/^empty_\d{5}_\.png$/);
      const bytes = await client.downloadOutput(image);
      expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(pngSize(bytes)).toEqual({ width: 64, height: 64 });
      const file = path.join(tmp, 'empty.png');
      await expect(client.downloadOutputToFile(image, file)).resolves.toEqual({ bytes: bytes.length });
      expect((await readFile(file)).equals(bytes)).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'uploads an image and runs LoadImage → ImageScale → ImageInvert → SaveImage + PreviewImage',
    async () => {
      const uploadName = `kiln-contract-${runId}.png`;
      const uploaded = await client.uploadImage(loadWorkflowBytes('oracle-input.png'), { filename: uploadName, overwrite: true });
      const workflow = withNode(withNode(loadWorkflow('load_scale_invert_save'), '1', { image: uploaded.name }), '4', {
        filename_prefix: `kiln-contract/${runId}/inverted`,
      });

      const status = await waitForEnd(await submit(workflow));

      expect(uploaded).toEqual({ name: uploadName, subfolder: '', type: 'input' });
      expect(status.state).toBe('completed');
      if (status.state !== 'completed') return;
      const saved = status.outputs.find((o) => o.nodeId === '4');
      const preview = status.outputs.find((o) => o.nodeId === '5');
      expect(saved).toMatchObject({ subfolder: `kiln-contract/${runId}`, type: 'output' });
      expect(preview).toMatchObject({ type: 'temp' });
      if (!saved) throw new Error('no SaveImage output');
      expect(pngSize(await client.downloadOutput(saved))).toEqual({ width: 32, height: 24 });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'reports a run-time failure with ComfyUI execution_error',
    async () => {
      const workflow = withNode(loadWorkflow('empty_save'), '2', { filename_prefix: `../kiln-contract-escape-${runId}` });

      const status = await waitForEnd(await submit(workflow));

      expect(status).toMatchObject({ state: 'failed', reason: 'error', error: { nodeId: '2', nodeType: 'SaveImage' } });
      expect(status.state === 'failed' && status.error?.exceptionMessage).toContain('outside the output folder');
    },
    RUN_TIMEOUT_MS,
  );

  it('rejects invalid workflows with readable node errors', async () => {
    const missingCkpt = `kiln-contract-missing-${runId}.safetensors`;

    const unknownClass = await rejection(client.submitPrompt(loadWorkflow('unknown_class_type')));
    const missingInput = await rejection(client.submitPrompt(loadWorkflow('missing_required_input')));
    const belowMin = await rejection(client.submitPrompt(loadWorkflow('value_out_of_range')));
    const noOutputs = await rejection(client.submitPrompt(loadWorkflow('no_outputs')));
    const notInList = await rejection(client.submitPrompt(withNode(loadWorkflow('ckpt_not_in_list'), '1', { ckpt_name: missingCkpt })));

    for (const error of [unknownClass, missingInput, belowMin, noOutputs, notInList]) expect(error).toMatchObject({ code: 'COMFYUI_WORKFLOW_REJECTED', status: 400 });
    expect(unknownClass.message).toContain('NoSuchNodeType');
    expect(missingInput.nodeErrors).toEqual([expect.objectContaining({ nodeId: '1', type: 'required_input_missing', inputName: 'height' })]);
    expect(belowMin.nodeErrors).toEqual([expect.objectContaining({ nodeId: '1', type: 'value_smaller_than_min', inputName: 'width' })]);
    expect(noOutputs.comfyUiErrorType).toBe('prompt_no_outputs');
    expect(notInList.nodeErrors).toEqual([expect.objectContaining({ nodeId: '1', classType: 'CheckpointLoaderSimple', type: 'value_not_in_list', inputName: 'ckpt_name' })]);
    expect(notInList.message).toContain(`node 1 (CheckpointLoaderSimple) input ckpt_name: '${missingCkpt}'`);
  });

  it('knows nothing of a prompt it never saw, and forgets a deleted one', async () => {
    const stranger = randomUUID();
    const promptId = await submit(withNode(loadWorkflow('empty_save'), '2', { filename_prefix: `kiln-contract/${runId}/forget` }));
    await waitForEnd(promptId);

    await client.deleteFromHistory([promptId]);

    await expect(client.getPromptStatus(stranger)).resolves.toEqual({ state: 'unknown', promptId: stranger });
    await expect(client.getHistory(stranger)).resolves.toBeUndefined();
    await expect(client.getHistory(promptId)).resolves.toBeUndefined();
  }, RUN_TIMEOUT_MS);

  it('accepts the bare-200 calls and reports a missing file as 404', async () => {
    await expect(client.deleteFromQueue([randomUUID()])).resolves.toBeUndefined();
    await expect(client.interrupt(randomUUID())).resolves.toBeUndefined();
    await expect(client.interrupt()).resolves.toBeUndefined();

    const missing = await rejection(client.downloadOutput({ filename: `kiln-contract-none-${runId}.png`, subfolder: '', type: 'output' }));

    expect(missing).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 404 });
  });
});
