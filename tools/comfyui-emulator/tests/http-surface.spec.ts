import { startEmulator, type RunningEmulator } from '../src/index';
import { RecordingSocket, postJson, request, waitForHistory } from './support/client';
import { loadWorkflow } from './support/fixtures';
import { txt2img } from './support/workflows';

describe('HTTP surface', () => {
  let emulator: RunningEmulator;
  let base: string;

  beforeEach(async () => {
    emulator = await startEmulator({ maxUploadBytes: 64 * 1024, historyLimit: 3 });
    base = emulator.url;
  });

  afterEach(() => emulator.close());

  it('answers unknown paths with 404 text and known paths with the wrong method with 405', async () => {
    const missing = await request(`${base}/nope`);
    const wrongMethod = await request(`${base}/queue`, { method: 'PUT' });

    expect([missing.status, missing.text, missing.headers.get('content-type')]).toEqual([
      404,
      '404: Not Found',
      'text/plain; charset=utf-8',
    ]);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET,POST');
  });

  it('rejects bodies over the upload limit with 413', async () => {
    const response = await postJson(`${base}/prompt`, 'x'.repeat(70 * 1024));

    expect(response.status).toBe(413);
  });

  it('mirrors every route under /api', async () => {
    const direct = await request(`${base}/object_info/EmptyImage`);
    const mirrored = await request(`${base}/api/object_info/EmptyImage`);

    expect(mirrored.text).toBe(direct.text);
  });

  it('refuses a cross-origin request to a loopback host with an empty 403', async () => {
    const response = await request(`${base}/queue`, { headers: { Origin: 'http://evil.example' } });

    expect([response.status, response.text]).toEqual([403, '']);
  });

  it('echoes a client number as a float and puts front prompts first', async () => {
    emulator.setFaults({ hangPrompts: 1 });
    await postJson(`${base}/prompt`, { prompt: loadWorkflow('empty_save'), prompt_id: 'blocker' });
    const explicit = await postJson(`${base}/prompt`, { prompt: loadWorkflow('no_outputs'), number: 5 });
    const late = await postJson(`${base}/prompt`, { prompt: txt2img({ seed: 1 }), prompt_id: 'late' });
    const front = await postJson(`${base}/prompt`, { prompt: txt2img({ seed: 2 }), prompt_id: 'front', front: true });

    const queue = (await request(`${base}/queue`)).json<{ queue_pending: unknown[][]; queue_running: unknown[][] }>();
    await postJson(`${base}/interrupt`, {});
    await waitForHistory(base, 'late');

    expect(explicit.status).toBe(400);
    expect(late.text).toContain('"number": 1,');
    expect(front.json<{ number: number }>().number).toBe(-2);
    expect(queue.queue_running[0][1]).toBe('blocker');
    expect(queue.queue_pending.map((item) => item.length)).toEqual([5, 5]);
    const history = (await request(`${base}/history`)).json<Record<string, unknown>>();
    expect(Object.keys(history)).toEqual(['blocker', 'front', 'late']);
  });

  it('echoes an explicit number as Python would (5.0)', async () => {
    const response = await postJson(`${base}/prompt`, { prompt: loadWorkflow('empty_save'), number: 5 });

    expect(response.text).toMatch(/"number": 5\.0,/);
  });

  it('deletes pending prompts and clears the queue, never the running one', async () => {
    emulator.setFaults({ hangPrompts: 1 });
    await postJson(`${base}/prompt`, { prompt: loadWorkflow('empty_save'), prompt_id: 'running' });
    for (const id of ['p1', 'p2', 'p3']) {
      await postJson(`${base}/prompt`, { prompt: txt2img({ seed: id.length + Number(id[1]) }), prompt_id: id });
    }

    await postJson(`${base}/queue`, { delete: ['p2', 'running', 'unknown'] });
    const afterDelete = (await request(`${base}/queue`)).json<{ queue_pending: unknown[][]; queue_running: unknown[][] }>();
    await postJson(`${base}/queue`, { clear: true });
    const afterClear = (await request(`${base}/queue`)).json<{ queue_pending: unknown[][]; queue_running: unknown[][] }>();

    expect(afterDelete.queue_pending.map((item) => item[1]).sort()).toEqual(['p1', 'p3']);
    expect(afterDelete.queue_running[0][1]).toBe('running');
    expect(afterClear.queue_pending).toEqual([]);
    expect(afterClear.queue_running).toHaveLength(1);
  });

  it('caps history at limit+1 like ComfyUI and frees deleted entries', async () => {
    for (let seed = 0; seed < 6; seed++) {
      const { prompt_id: id } = (await postJson(`${base}/prompt`, { prompt: txt2img({ seed }) })).json<{ prompt_id: string }>();
      await waitForHistory(base, id);
    }
    const capped = Object.keys((await request(`${base}/history`)).json<object>());

    await postJson(`${base}/history`, { delete: [capped[0]] });
    const afterDelete = emulator.stats().historySize;
    await postJson(`${base}/history`, { clear: true });

    expect(capped).toHaveLength(4);
    expect(afterDelete).toBe(3);
    expect(emulator.stats().historySize).toBe(0);
  });

  it('answers 500 for a non-integer max_items and windows history with offset', async () => {
    for (let seed = 0; seed < 3; seed++) {
      const { prompt_id: id } = (await postJson(`${base}/prompt`, { prompt: txt2img({ seed }), prompt_id: `h${seed}` })).json<{ prompt_id: string }>();
      await waitForHistory(base, id);
    }

    expect((await request(`${base}/history?max_items=abc`)).status).toBe(500);
    expect(Object.keys((await request(`${base}/history?offset=1&max_items=1`)).json<object>())).toEqual(['h1']);
    expect(Object.keys((await request(`${base}/history?max_items=2`)).json<object>())).toEqual(['h1', 'h2']);
  });

  it('applies the /view path rules: 404 without filename, 400 for .., 403 for an escaping subfolder', async () => {
    expect((await request(`${base}/view`)).status).toBe(404);
    expect((await request(`${base}/view?filename=a..b.png`)).status).toBe(400);
    expect((await request(`${base}/view?filename=%2Fetc%2Fpasswd`)).status).toBe(400);
    expect((await request(`${base}/view?filename=x.png&subfolder=../..`)).status).toBe(403);
    expect((await request(`${base}/view?filename=example.png&type=output`)).status).toBe(404);
    const annotated = await request(`${base}/view?filename=${encodeURIComponent('example.png [input]')}&type=output`);
    expect([annotated.status, annotated.headers.get('content-type')]).toEqual([200, 'image/png']);
  });

  it('reports value_not_in_list for long combos as a list length with input_config null', async () => {
    const prompt = txt2img();
    prompt['3'].inputs.sampler_name = 'warp_drive';

    const response = await postJson(`${base}/prompt`, { prompt });

    const error = response.json<{ node_errors: Record<string, { errors: Array<Record<string, unknown>> }> }>().node_errors['3'].errors[0];
    expect(error).toEqual({
      type: 'value_not_in_list',
      message: 'Value not in list',
      details: "sampler_name: 'warp_drive' not in (list of length 42)",
      extra_info: { input_name: 'sampler_name', input_config: null, received_value: 'warp_drive' },
    });
  });

  it('offers the configured checkpoints in /models/checkpoints and the CheckpointLoaderSimple combo', async () => {
    const custom = await startEmulator({ checkpoints: ['b.safetensors', 'a.safetensors'] });
    try {
      const models = (await request(`${custom.url}/models/checkpoints`)).json();
      const info = (await request(`${custom.url}/object_info/CheckpointLoaderSimple`)).json<Record<string, { input: { required: { ckpt_name: unknown[] } } }>>();

      expect(models).toEqual(['a.safetensors', 'b.safetensors']);
      expect(info.CheckpointLoaderSimple.input.required.ckpt_name[0]).toEqual(['a.safetensors', 'b.safetensors']);
    } finally {
      await custom.close();
    }
  });

  it('serves everything, WebSocket included, under a base path', async () => {
    const proxied = await startEmulator({ basePath: '/comfy/' });
    try {
      expect(proxied.url).toMatch(/\/comfy$/);
      expect((await request(`${proxied.url}/api/prompt`)).status).toBe(200);
      expect((await request(proxied.url.replace(/\/comfy$/, '/prompt'))).status).toBe(404);
      const socket = await RecordingSocket.open(proxied.url, 'proxied');
      expect(socket.messages[0].data.sid).toBe('proxied');
      await socket.close();
    } finally {
      await proxied.close();
    }
  });

  it('replies to the feature_flags handshake', async () => {
    const socket = await RecordingSocket.open(base);
    socket.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));

    const reply = await socket.waitFor((m) => m.type === 'feature_flags');
    await socket.close();

    expect(reply.data).toEqual({ supports_preview_metadata: true, max_upload_size: 104857600 });
    expect(String(socket.messages[0].data.sid)).toMatch(/^[0-9a-f]{32}$/);
  });
});
