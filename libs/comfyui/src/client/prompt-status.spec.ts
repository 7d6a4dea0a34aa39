import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { loadHttpFixture, nockReply } from '../../tests/fixtures/comfyui-fixtures';
import { ComfyUiError } from '../errors';
import { ComfyUiClient } from './comfyui-client';

const BASE = 'http://comfy.test:8188';
const EMPTY_QUEUE = { queue_running: [], queue_pending: [] };

function client(): ComfyUiClient {
  return new ComfyUiClient({ baseUrl: BASE, retry: { retries: 0 } });
}

function historyBody(fixture: string): Record<string, Record<string, unknown>> {
  return JSON.parse(loadHttpFixture(fixture).text) as Record<string, Record<string, unknown>>;
}

describe('getPromptStatus', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('is queued with its run-order position while pending, without asking history', async () => {
    nock(BASE)
      .get('/queue')
      .reply(200, { queue_running: [[1, 'r', {}, {}, []]], queue_pending: [[3, 'p', {}, {}, []], [2, 'q', {}, {}, []]] });

    const status = await client().getPromptStatus('p');

    expect(status).toEqual({ state: 'queued', promptId: 'p', number: 3, position: 1 });
  });

  it('is running while in queue_running', async () => {
    nock(BASE).get('/queue').reply(200, { queue_running: [[1, 'r', {}, {}, []]], queue_pending: [] });

    await expect(client().getPromptStatus('r')).resolves.toEqual({ state: 'running', promptId: 'r', number: 1 });
  });

  it('reads /queue before /history, so a prompt that just finished is found in history', async () => {
    const order: string[] = [];
    const id = '0f62418b-a517-4605-837f-8bd4d9464e6e';
    nock(BASE)
      .get('/queue')
      .reply(() => (order.push('queue'), [200, EMPTY_QUEUE]))
      .get(`/history/${id}`)
      .reply(() => (order.push('history'), [200, historyBody('get_history_emptyimage_success')]));

    const status = await client().getPromptStatus(id);

    expect(order).toEqual(['queue', 'history']);
    expect(status.state).toBe('completed');
  });

  it('is completed with the history entry and every output image (output and temp)', async () => {
    const id = '9937bd0c-6838-40de-877c-bb7eae949bad';
    nock(BASE).get('/queue').reply(200, EMPTY_QUEUE).get(`/history/${id}`).reply(...nockReply(loadHttpFixture('get_history_load_scale_invert')));

    const status = await client().getPromptStatus(id);

    expect(status.state).toBe('completed');
    if (status.state !== 'completed') return;
    expect(status.outputs).toEqual([
      { nodeId: '4', filename: 'inverted_00001_.png', subfolder: 'oracle', type: 'output' },
      { nodeId: '5', filename: 'ComfyUI_temp_zkpbp_00001_.png', subfolder: '', type: 'temp' },
    ]);
    expect(status.history.prompt[1]).toBe(id);
  });

  it('is failed with ComfyUI execution_error for a run-time error', async () => {
    const id = 'a9e0331c-46d4-4134-ba68-649ff71769d4';
    nock(BASE).get('/queue').reply(200, EMPTY_QUEUE).get(`/history/${id}`).reply(...nockReply(loadHttpFixture('get_history_ckpt_runtime_error')));

    const status = await client().getPromptStatus(id);

    expect(status).toMatchObject({
      state: 'failed',
      reason: 'error',
      error: {
        promptId: id,
        nodeId: '1',
        nodeType: 'CheckpointLoaderSimple',
        exceptionType: 'safetensors_rust.SafetensorError',
        exceptionMessage: 'Error while deserializing header: HeaderTooSmall',
      },
      outputs: [],
    });
  });

  it('is failed with reason interrupted for an interrupted prompt', async () => {
    const entry = historyBody('get_history_emptyimage_success')['0f62418b-a517-4605-837f-8bd4d9464e6e'];
    const interrupted = {
      ...entry,
      outputs: {},
      status: {
        status_str: 'error',
        completed: false,
        messages: [
          ['execution_start', { prompt_id: 'x', timestamp: 1 }],
          ['execution_interrupted', { prompt_id: 'x', node_id: '3', node_type: 'KSampler', executed: ['1', '2'], timestamp: 2 }],
        ],
      },
    };
    nock(BASE).get('/queue').reply(200, EMPTY_QUEUE).get('/history/x').reply(200, { x: interrupted });

    const status = await client().getPromptStatus('x');

    expect(status).toMatchObject({ state: 'failed', reason: 'interrupted', interrupted: { nodeId: '3', nodeType: 'KSampler', executed: ['1', '2'] } });
  });

  it('is unknown when neither queue nor history has it', async () => {
    nock(BASE).get('/queue').reply(...nockReply(loadHttpFixture('get_queue_idle'))).get('/history/gone').reply(200, {});

    await expect(client().getPromptStatus('gone')).resolves.toEqual({ state: 'unknown', promptId: 'gone' });
  });

  it.each([
    ['a parent directory', { filename: '../../.ssh/id_rsa', subfolder: '' }],
    ['an absolute subfolder', { filename: 'x.png', subfolder: '/etc' }],
    ['a parent-directory subfolder', { filename: 'x.png', subfolder: 'a/../../b' }],
    ['a backslash', { filename: '..\\x.png', subfolder: '' }],
    ['a NUL byte', { filename: 'x.png\u0000.txt', subfolder: '' }],
  ])('treats an output with %s as a hostile answer', async (_label, ref) => {
    const entry = historyBody('get_history_emptyimage_success')['0f62418b-a517-4605-837f-8bd4d9464e6e'];
    nock(BASE)
      .get('/queue')
      .reply(200, EMPTY_QUEUE)
      .get('/history/h')
      .reply(200, { h: { ...entry, outputs: { '2': { images: [{ ...ref, type: 'output' }] } } } });

    const error = await client()
      .getPromptStatus('h')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ComfyUiError);
    expect(error).toMatchObject({ code: 'COMFYUI_BAD_RESPONSE' });
    expect((error as ComfyUiError).message).toContain('hostile output path');
  });

  it('accepts a nested subfolder', async () => {
    const entry = historyBody('get_history_emptyimage_success')['0f62418b-a517-4605-837f-8bd4d9464e6e'];
    nock(BASE)
      .get('/queue')
      .reply(200, EMPTY_QUEUE)
      .get('/history/n')
      .reply(200, { n: { ...entry, outputs: { '2': { images: [{ filename: 'a_00001_.png', subfolder: 'smoke/deep', type: 'output' }] } } } });

    const status = await client().getPromptStatus('n');

    expect(status.state === 'completed' && status.outputs[0].subfolder).toBe('smoke/deep');
  });
});

describe('getFinishedPromptStatus', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('answers from history alone when the prompt is there', async () => {
    const id = '0f62418b-a517-4605-837f-8bd4d9464e6e';
    const queue = nock(BASE).get('/queue').reply(200, EMPTY_QUEUE);
    nock(BASE).get(`/history/${id}`).reply(200, historyBody('get_history_emptyimage_success'));

    const status = await client().getFinishedPromptStatus(id);

    expect(status.state).toBe('completed');
    expect(queue.isDone()).toBe(false);
  });

  it('falls back to queue then history when history does not have it yet', async () => {
    const order: string[] = [];
    nock(BASE)
      .get('/history/r')
      .reply(() => (order.push('history'), [200, {}]))
      .get('/queue')
      .reply(() => (order.push('queue'), [200, { queue_running: [[1, 'r', {}, {}, []]], queue_pending: [] }]));

    const status = await client().getFinishedPromptStatus('r');

    expect(order).toEqual(['history', 'queue']);
    expect(status).toEqual({ state: 'running', promptId: 'r', number: 1 });
  });
});
