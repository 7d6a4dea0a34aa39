import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { COMFY_FIXTURES_DIR, loadHttpFixture, loadViewFixture, loadWorkflow, loadWorkflowBytes, nockReply } from '../../tests/fixtures/comfyui-fixtures';
import { caught } from '../../tests/support/caught-comfyui-error';
import { ComfyUiClient } from './comfyui-client';

const BASE = 'http://comfy.test:8188';

function makeClient(extra: Partial<ConstructorParameters<typeof ComfyUiClient>[0]> = {}): ComfyUiClient {
  return new ComfyUiClient({ baseUrl: BASE, clientId: 'test-client', retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 }, requestTimeoutMs: 500, ...extra });
}

describe('ComfyUiClient calls', () => {
  let tmp: string;

  beforeAll(async () => {
    nock.disableNetConnect();
    tmp = await mkdtemp(path.join(tmpdir(), 'comfyui-client-'));
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await rm(tmp, { recursive: true, force: true });
  });

  describe('submitPrompt', () => {
    it('posts the workflow with client_id and returns prompt id and number', async () => {
      const workflow = loadWorkflow('empty_save');
      let sent: Record<string, unknown> = {};
      const scope = nock(BASE)
        .post('/prompt', (body: Record<string, unknown>) => ((sent = body), true))
        .reply(...nockReply(loadHttpFixture('post_prompt_emptyimage_success')));

      const submitted = await makeClient().submitPrompt(workflow);

      expect(submitted).toEqual({ promptId: '0f62418b-a517-4605-837f-8bd4d9464e6e', number: 0, nodeErrors: [] });
      expect(sent).toEqual({ prompt: workflow, client_id: 'test-client' });
      expect(scope.isDone()).toBe(true);
    });

    it('sends a client-chosen prompt_id, extra_data and front', async () => {
      let sent: Record<string, unknown> = {};
      nock(BASE)
        .post('/prompt', (body: Record<string, unknown>) => ((sent = body), true))
        .reply(...nockReply(loadHttpFixture('post_prompt_client_prompt_id')));

      const submitted = await makeClient().submitPrompt(loadWorkflow('empty_save'), {
        promptId: 'my-own-prompt-id-123',
        extraData: { extra_pnginfo: { workflow: {} } },
        front: true,
      });

      expect(submitted.promptId).toBe('my-own-prompt-id-123');
      expect(sent).toMatchObject({ prompt_id: 'my-own-prompt-id-123', extra_data: { extra_pnginfo: { workflow: {} } }, front: true, client_id: 'test-client' });
    });

    it('returns the node errors of a partially valid workflow accepted with 200', async () => {
      nock(BASE).post('/prompt').reply(...nockReply(loadHttpFixture('post_prompt_partial_invalid_accepted_200')));

      const submitted = await makeClient().submitPrompt(loadWorkflow('partial_invalid'));

      expect(submitted.nodeErrors).toHaveLength(1);
      expect(submitted.nodeErrors[0]).toMatchObject({ nodeId: '3', classType: 'ImageInvert', type: 'required_input_missing', inputName: 'image', dependentOutputs: ['4'] });
    });

    it('does not retry a failed submit without the retry option', async () => {
      const scope = nock(BASE).post('/prompt').times(3).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

      const error = await caught(makeClient().submitPrompt(loadWorkflow('empty_save')));

      expect(error.code).toBe('COMFYUI_UNREACHABLE');
      expect(error.attempts).toBe(1);
      expect(scope.pendingMocks()).toHaveLength(1);
    });

    it('with retry, looks the prompt id up before resending and returns the accepted prompt instead of queueing it twice', async () => {
      const posts: string[] = [];
      nock(BASE)
        .post('/prompt', (body: { prompt_id: string }) => (posts.push(body.prompt_id), true))
        .delay(1_000)
        .reply(200, {});
      nock(BASE)
        .get('/queue')
        .reply(200, () => ({ queue_running: [], queue_pending: [[7, posts[0], {}, { client_id: 'test-client' }, ['2']]] }));

      const submitted = await makeClient({ requestTimeoutMs: 50 }).submitPrompt(loadWorkflow('empty_save'), { retry: true });

      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(submitted).toEqual({ promptId: posts[0], number: 7, nodeErrors: [] });
    });

    it('with retry and a supplied prompt id, resends when the server does not have it yet', async () => {
      nock(BASE).post('/prompt').reply(503, 'proxy: upstream starting');
      nock(BASE).get('/queue').reply(...nockReply(loadHttpFixture('get_queue_idle')));
      nock(BASE).get('/history/my-own-prompt-id-123').reply(200, {});
      nock(BASE).post('/prompt').reply(...nockReply(loadHttpFixture('post_prompt_client_prompt_id')));

      const submitted = await makeClient().submitPrompt(loadWorkflow('empty_save'), { promptId: 'my-own-prompt-id-123', retry: true });

      expect(submitted.promptId).toBe('my-own-prompt-id-123');
      expect(nock.isDone()).toBe(true);
    });
  });

  describe('queue and history', () => {
    it('reads an idle queue', async () => {
      nock(BASE).get('/queue').reply(...nockReply(loadHttpFixture('get_queue_idle')));

      await expect(makeClient().getQueue()).resolves.toEqual({ running: [], pending: [] });
    });

    it('sorts pending items into run order', async () => {
      nock(BASE)
        .get('/queue')
        .reply(200, {
          queue_running: [[3, 'r', {}, { client_id: 'c' }, ['9']]],
          queue_pending: [
            [5, 'b', {}, {}, ['2']],
            [-1, 'z', {}, {}, ['2']],
            [5, 'a', {}, {}, ['2']],
          ],
        });

      const queue = await makeClient().getQueue();

      expect(queue.running.map((i) => i.promptId)).toEqual(['r']);
      expect(queue.pending.map((i) => i.promptId)).toEqual(['z', 'a', 'b']);
      expect(queue.running[0]).toEqual({ number: 3, promptId: 'r', prompt: {}, extraData: { client_id: 'c' }, outputsToExecute: ['9'] });
    });

    it('returns the history entry of a finished prompt', async () => {
      const id = '0f62418b-a517-4605-837f-8bd4d9464e6e';
      nock(BASE).get(`/history/${id}`).reply(...nockReply(loadHttpFixture('get_history_emptyimage_success')));

      const entry = await makeClient().getHistory(id);

      expect(entry?.status?.status_str).toBe('success');
      expect(entry?.outputs['2']).toEqual({ images: [{ filename: 'test_00001_.png', subfolder: '', type: 'output' }] });
    });

    it('returns undefined for an id history does not know ({} with 200)', async () => {
      const id = '00000000-0000-0000-0000-000000000000';
      nock(BASE).get(`/history/${id}`).reply(...nockReply(loadHttpFixture('get_history_unknown_id')));

      await expect(makeClient().getHistory(id)).resolves.toBeUndefined();
    });

    it('encodes the prompt id as one path segment', async () => {
      nock(BASE).get('/history/a%2Fb%3F').reply(200, {});

      await expect(makeClient().getHistory('a/b?')).resolves.toBeUndefined();
    });

    it('deletes from queue and history with {delete: [...]} and never parses the empty 200 body', async () => {
      const bodies: unknown[] = [];
      nock(BASE)
        .post('/queue', (body) => (bodies.push(body), true))
        .reply(...nockReply(loadHttpFixture('post_queue_clear')))
        .post('/history', (body) => (bodies.push(body), true))
        .reply(...nockReply(loadHttpFixture('post_queue_clear')));
      const client = makeClient();

      await client.deleteFromQueue(['a', 'b']);
      await client.deleteFromHistory(['c']);

      expect(bodies).toEqual([{ delete: ['a', 'b'] }, { delete: ['c'] }]);
    });

    it('sends nothing when asked to delete no ids', async () => {
      const client = makeClient();

      await client.deleteFromQueue([]);
      await client.deleteFromHistory([]);

      expect(nock.pendingMocks()).toEqual([]);
    });
  });

  describe('interrupt', () => {
    it('interrupts globally with {} and per prompt with {prompt_id}', async () => {
      const bodies: unknown[] = [];
      nock(BASE)
        .post('/interrupt', (body) => (bodies.push(body), true))
        .times(2)
        .reply(...nockReply(loadHttpFixture('post_interrupt')));
      const client = makeClient();

      await client.interrupt();
      await client.interrupt('p1');

      expect(bodies).toEqual([{}, { prompt_id: 'p1' }]);
    });

    it('tolerates a non-empty body on a bare-200 endpoint without parsing it', async () => {
      nock(BASE).post('/interrupt').reply(200, 'not json at all', { 'Content-Type': 'text/plain' });

      await expect(makeClient().interrupt()).resolves.toBeUndefined();
    });
  });

  describe('downloads', () => {
    const ref = { filename: 'test_00001_.png', subfolder: '', type: 'output' as const };

    it('downloads an output as bytes with filename, subfolder and type in the query', async () => {
      const fixture = loadViewFixture('get_view_output_png');
      nock(BASE).get('/view').query({ filename: 'test_00001_.png', subfolder: '', type: 'output' }).reply(...nockReply(fixture));

      const bytes = await makeClient().downloadOutput(ref);

      expect(bytes.equals(fixture.body)).toBe(true);
    });

    it('streams an output into a file', async () => {
      const fixture = loadViewFixture('get_view_inverted_png');
      nock(BASE).get('/view').query({ filename: 'inverted_00001_.png', subfolder: 'oracle', type: 'output' }).reply(...nockReply(fixture));
      const file = path.join(tmp, 'inverted.png');

      const result = await makeClient().downloadOutputToFile({ filename: 'inverted_00001_.png', subfolder: 'oracle', type: 'output' }, file);

      expect(result).toEqual({ bytes: fixture.body.length });
      expect((await readFile(file)).equals(fixture.body)).toBe(true);
    });

    it('refuses a download over maxDownloadBytes declared by Content-Length', async () => {
      nock(BASE).get('/view').query(true).reply(...nockReply(loadViewFixture('get_view_output_png')));

      const error = await caught(makeClient({ maxDownloadBytes: 100 }).downloadOutput(ref));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      expect(error.message).toContain('limit of 100 bytes');
    });

    it('stops streaming a body without Content-Length once it passes the cap and removes the partial file', async () => {
      nock(BASE).get('/view').query(true).reply(200, () => Buffer.alloc(5_000), { 'Content-Type': 'image/png' });
      const file = path.join(tmp, 'too-big.png');

      const error = await caught(makeClient({ maxDownloadBytes: 1_000 }).downloadOutputToFile(ref, file));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      await expect(stat(file)).rejects.toThrow();
    });

    it('leaves an existing file alone when the download is refused before streaming', async () => {
      nock(BASE).get('/view').query(true).reply(...nockReply(loadViewFixture('get_view_output_png')));
      const file = path.join(tmp, 'keep.png');
      await writeFile(file, 'previous');

      const error = await caught(makeClient({ maxDownloadBytes: 100 }).downloadOutputToFile(ref, file));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      await expect(readFile(file, 'utf8')).resolves.toBe('previous');
    });

    it('surfaces a missing file as HTTP 404', async () => {
      nock(BASE).get('/view').query(true).reply(...nockReply(loadHttpFixture('get_view_missing_file_404')));

      const error = await caught(makeClient().downloadOutput({ filename: 'does-not-exist.png', subfolder: '', type: 'output' }));

      expect(error).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 404 });
    });

    it('refuses to request a hostile ref', async () => {
      const error = await caught(makeClient().downloadOutput({ filename: '../../etc/passwd', subfolder: '', type: 'output' }));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
    });
  });

  describe('uploadImage', () => {
    it('uploads multipart image, type, subfolder and overwrite and returns the stored name', async () => {
      const png = loadWorkflowBytes('oracle-input.png');
      let sent = '';
      nock(BASE)
        .post('/upload/image', (body: string) => ((sent = Buffer.from(body, 'hex').toString('latin1')), true))
        .reply(...nockReply(loadHttpFixture('post_upload_image_subfolder')));

      const uploaded = await makeClient().uploadImage(png, { filename: 'oracle-input.png', subfolder: 'sub', overwrite: true });

      expect(uploaded).toEqual({ name: 'oracle-input.png', subfolder: 'sub', type: 'input' });
      expect(sent).toMatch(/name="image"; filename="oracle-input.png"/);
      expect(sent).toMatch(/name="type"\r\n\r\ninput\r\n/);
      expect(sent).toMatch(/name="subfolder"\r\n\r\nsub\r\n/);
      expect(sent).toMatch(/name="overwrite"\r\n\r\ntrue\r\n/);
    });

    it('reports the renamed name of a clash', async () => {
      nock(BASE).post('/upload/image').reply(...nockReply(loadHttpFixture('post_upload_image_name_clash_renamed')));

      const uploaded = await makeClient().uploadImage(loadWorkflowBytes('oracle-input-v2.png'), { filename: 'oracle-input.png' });

      expect(uploaded.name).toBe('oracle-input (1).png');
    });

    it('surfaces a 400 as an HTTP error without retrying', async () => {
      const scope = nock(BASE).post('/upload/image').times(2).reply(...nockReply(loadHttpFixture('post_upload_image_missing_file_400')));

      const error = await caught(makeClient().uploadImage(Buffer.alloc(0), { filename: 'x.png', overwrite: true }));

      expect(error).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 400, attempts: 1 });
      expect(scope.pendingMocks()).toHaveLength(1);
    });

    it('retries an upload with overwrite, which is safe to repeat, building the form afresh', async () => {
      nock(BASE).post('/upload/image').replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      nock(BASE)
        .post('/upload/image', (body: string) => Buffer.from(body, 'hex').includes('filename="a.png"'))
        .reply(...nockReply(loadHttpFixture('post_upload_image')));

      const uploaded = await makeClient().uploadImage(loadWorkflowBytes('oracle-input.png'), { filename: 'a.png', overwrite: true });

      expect(uploaded.name).toBe('oracle-input.png');
    });

    it('rejects a hostile stored name in the reply', async () => {
      nock(BASE).post('/upload/image').reply(200, { name: '../evil.png', subfolder: '', type: 'input' });

      const error = await caught(makeClient().uploadImage(Buffer.from('x'), { filename: 'x.png' }));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
    });
  });

  describe('listCheckpoints', () => {
    it('reads /models/checkpoints', async () => {
      nock(BASE).get('/models/checkpoints').reply(...nockReply(loadHttpFixture('get_models_checkpoints')));

      await expect(makeClient().listCheckpoints()).resolves.toEqual(['tiny-test.safetensors']);
    });

    it('falls back to object_info (legacy list form) when /models/checkpoints 404s', async () => {
      nock(BASE)
        .get('/models/checkpoints')
        .reply(...nockReply(loadHttpFixture('get_models_unknown_folder')))
        .get('/object_info/CheckpointLoaderSimple')
        .reply(...nockReply(loadHttpFixture('get_object_info_CheckpointLoaderSimple')));

      await expect(makeClient().listCheckpoints()).resolves.toEqual(['tiny-test.safetensors']);
    });

    it('reads the COMBO form of object_info', async () => {
      nock(BASE)
        .get('/models/checkpoints')
        .reply(404, '')
        .get('/object_info/CheckpointLoaderSimple')
        .reply(200, {
          CheckpointLoaderSimple: { name: 'CheckpointLoaderSimple', input: { required: { ckpt_name: ['COMBO', { options: ['a.safetensors', 'sub/b.safetensors'] }] } } },
        });

      await expect(makeClient().listCheckpoints()).resolves.toEqual(['a.safetensors', 'sub/b.safetensors']);
    });

    it('does not fall back on errors other than 404', async () => {
      nock(BASE).get('/models/checkpoints').reply(403, 'forbidden');

      const error = await caught(makeClient().listCheckpoints());

      expect(error).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 403 });
    });
  });

  describe('object info and system stats', () => {
    it('reads one node class', async () => {
      nock(BASE).get('/object_info/EmptyImage').reply(...nockReply(loadHttpFixture('get_object_info_EmptyImage')));

      const info = await makeClient().getObjectInfo('EmptyImage');

      expect(info['EmptyImage'].input.required?.['width']).toEqual(['INT', { default: 512, min: 1, max: 16384, step: 1 }]);
    });

    it('returns {} for an unknown node class', async () => {
      nock(BASE).get('/object_info/NoSuchNodeType').reply(...nockReply(loadHttpFixture('get_object_info_unknown_node')));

      await expect(makeClient().getObjectInfo('NoSuchNodeType')).resolves.toEqual({});
    });

    it('reads all node classes', async () => {
      const full = await readFile(path.join(COMFY_FIXTURES_DIR, 'responses/get_object_info_full.json'));
      nock(BASE).get('/object_info').reply(200, full, { 'Content-Type': 'application/json' });

      const info = await makeClient().getObjectInfo();

      expect(Object.keys(info)).toHaveLength(382);
      expect(info['EmptyImage']).toBeDefined();
    });

    it('reads system stats', async () => {
      nock(BASE).get('/system_stats').reply(...nockReply(loadHttpFixture('get_system_stats')));

      const stats = await makeClient().getSystemStats();

      expect(stats.system.comfyui_version).toBe('0.3.64');
      expect(stats.devices[0]).toMatchObject({ name: 'cpu', type: 'cpu', index: null });
    });
  });
});
