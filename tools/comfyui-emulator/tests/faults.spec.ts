import { startEmulator, type RunningEmulator } from '../src/index';
import { RecordingSocket, postJson, request, waitForHistory, waitUntil } from './support/client';
import { loadWorkflow } from './support/fixtures';
import { rawGet } from './support/raw-http';

const emptySave = () => loadWorkflow('empty_save');

describe('fault injection', () => {
  let emulator: RunningEmulator;
  let base: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    base = emulator.url;
  });

  afterEach(() => emulator.close());

  it('answers the next N matching requests with a plain-text 500, then recovers', async () => {
    emulator.setFaults({ requests: [{ route: 'GET /queue', status: 500, times: 2 }] });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(`${base}/queue`)).status);
    const fault = await (async () => {
      emulator.setFaults({ requests: [{ route: 'GET /queue', status: 500, times: 1 }] });
      return request(`${base}/queue`);
    })();

    expect(statuses).toEqual([500, 500, 200]);
    expect(fault.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(fault.text).toBe('500 Internal Server Error\n\nServer got itself in trouble');
    expect(emulator.stats().faultsInjected).toBe(3);
  });

  it('rejects POST /prompt with a ComfyUI-shaped 400 without queueing or using a number', async () => {
    emulator.setFaults({ requests: [{ route: 'POST /prompt', status: 400, times: 1 }] });

    const rejected = await postJson(`${base}/prompt`, { prompt: emptySave() });
    const accepted = await postJson(`${base}/prompt`, { prompt: emptySave() });

    expect(rejected.status).toBe(400);
    expect(rejected.json()).toEqual({
      error: { type: 'emulator_fault', message: 'Injected fault (comfyui-emulator)', details: '', extra_info: {} },
      node_errors: {},
    });
    expect(accepted.json<{ number: number }>().number).toBe(0);
  });

  it('echoes the named request headers in the error, as a server quoting rejected credentials does', async () => {
    emulator.setFaults({ requests: [{ route: 'POST /prompt', status: 400, echoHeaders: ['X-Api-Key'], times: 1 }, { route: 'GET /queue', status: 401, echoHeaders: ['authorization'], times: 1 }] });

    const rejected = await fetch(`${base}/prompt`, { method: 'POST', headers: { 'x-api-key': 'k-123' }, body: JSON.stringify({ prompt: emptySave() }) });
    const unauthorized = await fetch(`${base}/queue`, { headers: { authorization: 'Bearer t-456' } });

    expect(((await rejected.json()) as { error: { message: string } }).error.message).toBe('Injected fault (comfyui-emulator); received X-Api-Key: k-123');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.text()).toBe('401: Unauthorized; received authorization: Bearer t-456');
  });

  it('hits an evenly spread share of requests, deterministically', async () => {
    emulator.setFaults({ requests: [{ route: 'GET /prompt', status: 503, share: 0.5 }] });

    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(`${base}/api/prompt`)).status);

    expect(statuses).toEqual([200, 503, 200, 503, 200, 503]);
  });

  it('runs the handler first with afterHandler, so the prompt is queued although the client sees 500', async () => {
    emulator.setFaults({ requests: [{ route: 'POST /prompt', status: 500, afterHandler: true, times: 1 }] });

    const response = await postJson(`${base}/prompt`, { prompt: emptySave(), prompt_id: 'lost-answer' });

    expect(response.status).toBe(500);
    const entry = await waitForHistory(base, 'lost-answer');
    expect((entry.status as { status_str: string }).status_str).toBe('success');
  });

  it('delays responses globally and per route', async () => {
    emulator.setFaults({ responseDelayMs: 60, requests: [{ route: 'GET /history', delayMs: 60 }] });

    const started = Date.now();
    await request(`${base}/queue`);
    const queueMs = Date.now() - started;
    await request(`${base}/history`);
    const historyMs = Date.now() - started - queueMs;

    expect(queueMs).toBeGreaterThanOrEqual(55);
    expect(historyMs).toBeGreaterThanOrEqual(115);
  });

  it('hangs up without a response when destroySocket is set', async () => {
    emulator.setFaults({ requests: [{ route: 'GET /system_stats', destroySocket: true, times: 1 }] });

    await expect(rawGet(`${base}/system_stats`)).rejects.toThrow();
    expect((await rawGet(`${base}/system_stats`)).status).toBe(200);
  });

  it('destroys the next N TCP connections', async () => {
    emulator.setFaults({ dropConnections: 2 });

    await expect(rawGet(`${base}/queue`)).rejects.toThrow();
    await expect(rawGet(`${base}/queue`)).rejects.toThrow();
    expect((await rawGet(`${base}/queue`)).status).toBe(200);
  });

  it('really stops listening while refusing connections, then listens on the same port again', async () => {
    const refusing = emulator.refuseConnections(150);

    await expect(rawGet(`${base}/queue`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await refusing;
    expect((await rawGet(`${base}/queue`)).status).toBe(200);
  });

  it('refuses the next WebSocket upgrade with 503', async () => {
    emulator.setFaults({ rejectWebSockets: 1 });

    await expect(RecordingSocket.open(base, 'a')).rejects.toThrow(/503/);
    const socket = await RecordingSocket.open(base, 'b');
    await socket.close();
  });

  it('drops every WebSocket abruptly', async () => {
    const first = await RecordingSocket.open(base, 'one');
    const second = await RecordingSocket.open(base, 'two');

    emulator.dropWebSockets();

    await waitUntil(() => first.closed && second.closed);
    expect(first.closeCode).toBe(1006);
    expect(emulator.stats().wsConnections).toBe(0);
  });

  it('hangs a prompt until it is interrupted, then records execution_interrupted', async () => {
    emulator.setFaults({ hangPrompts: 1 });
    const socket = await RecordingSocket.open(base, 'hang');

    const { prompt_id: promptId } = (await postJson(`${base}/prompt`, { prompt: emptySave(), client_id: 'hang' })).json<{ prompt_id: string }>();
    await socket.waitFor((m) => m.type === 'executing' && m.data.node !== null);
    const queue = (await request(`${base}/queue`)).json<{ queue_running: unknown[][] }>();
    await postJson(`${base}/interrupt`, { prompt_id: promptId });
    await socket.waitForDone(promptId);
    const entry = await waitForHistory(base, promptId);
    await socket.close();

    expect(queue.queue_running).toHaveLength(1);
    expect(queue.queue_running[0]).toHaveLength(5);
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
    const messages = (entry.status as { messages: Array<[string, unknown]> }).messages.map(([type]) => type);
    expect(messages).toEqual(['execution_start', 'execution_cached', 'execution_interrupted']);
    const tail = socket.messages.slice(-3).map((m) => m.type);
    expect(tail).toEqual(['execution_interrupted', 'status', 'executing']);
  });

  it('fails the next prompt at run time with an execution_error', async () => {
    emulator.setFaults({ failPrompts: 1, failPromptMessage: 'GPU on fire' });

    const failed = (await postJson(`${base}/prompt`, { prompt: emptySave() })).json<{ prompt_id: string }>();
    const entry = await waitForHistory(base, failed.prompt_id);

    const [, error] = (entry.status as { messages: Array<[string, Record<string, unknown>]> }).messages[2];
    expect(error).toMatchObject({ exception_message: 'GPU on fire\n', exception_type: 'RuntimeError', node_id: '1' });
    expect(emulator.stats().promptsFailed).toBe(1);
  });

  it('restarts: forgets queue, history and counter, closes sockets, keeps files', async () => {
    const first = (await postJson(`${base}/prompt`, { prompt: emptySave() })).json<{ prompt_id: string }>();
    await waitForHistory(base, first.prompt_id);
    emulator.setFaults({ hangPrompts: 1 });
    const socket = await RecordingSocket.open(base, 'r');
    const workflow = emptySave();
    (workflow['1'] as { inputs: Record<string, unknown> }).inputs.color = 255;
    await postJson(`${base}/prompt`, { prompt: workflow, client_id: 'r' });
    await postJson(`${base}/prompt`, { prompt: emptySave() });

    await emulator.restart();

    await waitUntil(() => socket.closed);
    expect((await request(`${base}/history`)).json()).toEqual({});
    expect((await request(`${base}/queue`)).json()).toEqual({ queue_running: [], queue_pending: [] });
    expect((await postJson(`${base}/prompt`, { prompt: emptySave() })).json<{ number: number }>().number).toBe(0);
    expect((await request(`${base}/view?filename=test_00001_.png`)).status).toBe(200);
    expect(emulator.stats().restarts).toBe(1);
  });

  it('refuses connections for downMs after a restart with downtime', async () => {
    const restarting = emulator.restart(120);

    await expect(rawGet(`${base}/queue`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await restarting;
    expect((await rawGet(`${base}/queue`)).status).toBe(200);
  });

  describe('on /view downloads', () => {
    beforeEach(async () => {
      const { prompt_id: id } = (await postJson(`${base}/prompt`, { prompt: emptySave() })).json<{ prompt_id: string }>();
      await waitForHistory(base, id);
    });

    it('corrupts the next download but keeps its length', async () => {
      const good = Buffer.from(await (await fetch(`${base}/view?filename=test_00001_.png`)).arrayBuffer());
      emulator.setFaults({ corruptViews: 1, corruptViewMode: 'garbage' });

      const bad = Buffer.from(await (await fetch(`${base}/view?filename=test_00001_.png`)).arrayBuffer());

      expect(bad.length).toBe(good.length);
      expect(bad.subarray(0, 8).equals(good.subarray(0, 8))).toBe(false);
    });

    it('truncates the next download and closes the connection', async () => {
      emulator.setFaults({ corruptViews: 1, corruptViewMode: 'truncate' });

      await expect(rawGet(`${base}/view?filename=test_00001_.png`)).rejects.toThrow();
      expect((await rawGet(`${base}/view?filename=test_00001_.png`)).status).toBe(200);
    });

    it('throttles downloads to viewBytesPerSecond', async () => {
      emulator.setFaults({ viewBytesPerSecond: 2000 });

      const started = Date.now();
      const response = await rawGet(`${base}/view?filename=test_00001_.png`);

      expect(response.body.length).toBeGreaterThan(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });
  });

  describe('control endpoint', () => {
    it('sets, shows and clears faults over HTTP', async () => {
      const set = await postJson(`${base}/__emulator/faults`, { requests: [{ route: '*', status: 500 }], hangPrompts: 2 });
      const hit = await request(`${base}/queue`);
      const shown = (await request(`${base}/__emulator/faults`)).json<{ hangPrompts: number }>();
      const cleared = await request(`${base}/__emulator/faults`, { method: 'DELETE' });
      const after = await request(`${base}/queue`);

      expect(set.status).toBe(200);
      expect(hit.status).toBe(500);
      expect(shown.hangPrompts).toBe(2);
      expect(cleared.json<{ requests: unknown[] }>().requests).toEqual([]);
      expect(after.status).toBe(200);
    });

    it('rejects unknown fault names with 400', async () => {
      const response = await postJson(`${base}/__emulator/faults`, { explode: true });

      expect(response.status).toBe(400);
      expect(response.json()).toEqual({ error: 'unknown fault "explode"' });
    });

    it('reports stats, including requests per route', async () => {
      await request(`${base}/queue`);
      await request(`${base}/api/history/abc`);
      await postJson(`${base}/prompt`, { prompt: loadWorkflow('no_outputs') });

      const stats = (await request(`${base}/__emulator/stats`)).json<Record<string, unknown>>();

      expect(stats).toMatchObject({ promptsAccepted: 0, promptsRejected: 1, queueLength: 0, running: false });
      expect(stats.requestsByRoute).toMatchObject({ 'GET /queue': 1, 'GET /history/{prompt_id}': 1, 'POST /prompt': 1 });
    });

    it('restarts and resets over HTTP', async () => {
      await postJson(`${base}/prompt`, { prompt: loadWorkflow('no_outputs') });
      emulator.setFaults({ failPrompts: 3 });

      await postJson(`${base}/__emulator/reset`, {});
      await waitUntil(() => emulator.stats().restarts === 0 && emulator.faults().failPrompts === 0);

      expect(emulator.stats().promptsRejected).toBe(0);
      const restart = await postJson(`${base}/__emulator/restart`, {});
      expect(restart.json()).toEqual({ restarting: true, downMs: 0 });
      await waitUntil(() => emulator.stats().restarts === 1);
    });
  });
});
