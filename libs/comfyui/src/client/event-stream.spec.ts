import { afterEach, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { wsServerMessages } from '../../tests/fixtures/comfyui-fixtures';
import { ComfyUiError } from '../errors';
import { ComfyUiClient } from './comfyui-client';
import type { ComfyUiEventStream, ReconnectedInfo } from './event-stream';
import type { ComfyUiEvent } from './events';

interface TestServer {
  port: number;
  upgrades: IncomingMessage[];
  sockets: WebSocket[];
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startServer(
  onConnection: (socket: WebSocket, request: IncomingMessage) => void,
  options: { port?: number; autoPong?: boolean; verifyClient?: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number) => void) => void } = {},
): Promise<TestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0, verifyClient: options.verifyClient, autoPong: options.autoPong ?? true });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const server: TestServer = {
    port: (wss.address() as AddressInfo).port,
    upgrades: [],
    sockets: [],
    close: async () => {
      for (const socket of server.sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  wss.on('connection', (socket, request) => {
    server.upgrades.push(request);
    server.sockets.push(socket);
    onConnection(socket, request);
  });
  cleanups.push(() => server.close());
  return server;
}

function statusFrame(sid?: string, queueRemaining = 0): string {
  return JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queueRemaining } }, ...(sid ? { sid } : {}) } });
}

function openStream(port: number, extra: { headers?: Record<string, string>; basePath?: string; clientId?: string; pingIntervalMs?: number } = {}): ComfyUiEventStream {
  const client = new ComfyUiClient({
    baseUrl: `http://127.0.0.1:${port}${extra.basePath ?? ''}`,
    clientId: extra.clientId ?? 'ws-test-client',
    headers: extra.headers,
    reconnect: { baseDelayMs: 10, maxDelayMs: 40 },
    requestTimeoutMs: 1_000,
  });
  const stream = client.openEvents({ pingIntervalMs: extra.pingIntervalMs ?? 0 });
  cleanups.push(() => stream.close());
  return stream;
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ComfyUiEventStream', () => {
  it('connects to /ws with the clientId, the configured headers and no Origin, under a base path', async () => {
    const server = await startServer((socket) => socket.send(statusFrame('ws-test-client')));
    const stream = openStream(server.port, { headers: { Authorization: 'Bearer ws-secret' }, basePath: '/comfy' });

    await stream.waitUntilReady(1_000);

    const [upgrade] = server.upgrades;
    expect(upgrade.url).toBe('/comfy/ws?clientId=ws-test-client');
    expect(upgrade.headers['authorization']).toBe('Bearer ws-secret');
    expect(upgrade.headers['origin']).toBeUndefined();
    expect(stream.sid).toBe('ws-test-client');
  });

  it('replays a captured run as typed events, ignoring progress_state', async () => {
    const trace = wsServerMessages('ws_messages_success');
    const server = await startServer((socket) => trace.forEach((message) => socket.send(JSON.stringify(message))));
    const events: ComfyUiEvent[] = [];
    const done: string[] = [];
    const stream = openStream(server.port);
    stream.on('event', (event) => events.push(event));
    stream.on('executing', (event) => {
      if (event.data.node === null && event.data.prompt_id) done.push(event.data.prompt_id);
    });

    await waitFor(() => done.length === 1);

    expect(events.map((e) => e.type)).toEqual(trace.map((m) => m.type).filter((type) => type !== 'progress_state'));
    expect(done).toEqual(['c5c608ab-4c53-48af-a740-5eb03f8bd040']);
    const executed = events.find((e) => e.type === 'executed');
    expect(executed?.data).toMatchObject({ node: '3', output: { images: [{ filename: 'wsfresh_00001_.png' }, { filename: 'wsfresh_00002_.png' }] } });
  });

  it('skips binary frames, unknown types, malformed JSON and hostile outputs', async () => {
    const server = await startServer((socket) => {
      socket.send(statusFrame('ws-test-client'));
      const preview = Buffer.alloc(12);
      preview.writeUInt32BE(1, 0);
      preview.writeUInt32BE(2, 4);
      socket.send(preview, { binary: true });
      socket.send(JSON.stringify({ type: 'crystools.monitor', data: { cpu: 1 } }));
      socket.send('{not json');
      socket.send(JSON.stringify({ type: 'progress', data: { value: 'x' } }));
      socket.send(JSON.stringify({ type: 'executed', data: { node: '9', prompt_id: 'p', output: { images: [{ filename: '../x.png', subfolder: '', type: 'output' }] } } }));
      socket.send(JSON.stringify({ type: 'progress', data: { value: 1, max: 2, prompt_id: 'p', node: '3' } }));
    });
    const events: ComfyUiEvent[] = [];
    const stream = openStream(server.port);
    stream.on('event', (event) => events.push(event));

    await waitFor(() => events.some((e) => e.type === 'progress'));

    expect(events.map((e) => e.type)).toEqual(['status', 'progress']);
  });

  it('reconnects after a drop and signals reconnected so callers re-check their prompts', async () => {
    const server = await startServer((socket) => socket.send(statusFrame('ws-test-client')));
    const stream = openStream(server.port);
    const reconnects: ReconnectedInfo[] = [];
    const disconnects: number[] = [];
    stream.on('reconnected', (info) => reconnects.push(info));
    stream.on('disconnected', ({ code }) => disconnects.push(code));
    await stream.waitUntilReady(1_000);

    server.sockets[0].terminate();
    await waitFor(() => reconnects.length === 1);

    expect(disconnects).toHaveLength(1);
    expect(server.upgrades).toHaveLength(2);
    expect(reconnects[0]).toMatchObject({ sid: 'ws-test-client', previousSid: 'ws-test-client', sidChanged: false, attempts: 1 });
    expect(stream.isReady).toBe(true);
  });

  it('keeps retrying with backoff while the server is down and comes back when it restarts', async () => {
    const first = await startServer((socket) => socket.send(statusFrame('ws-test-client')));
    const port = first.port;
    const stream = openStream(port);
    const reconnects: ReconnectedInfo[] = [];
    stream.on('reconnected', (info) => reconnects.push(info));
    const errors: ComfyUiError[] = [];
    stream.on('error', (error) => errors.push(error));
    await stream.waitUntilReady(1_000);

    await first.close();
    await waitFor(() => errors.length >= 2);
    await startServer((socket) => socket.send(statusFrame('ws-test-client')), { port });
    await waitFor(() => reconnects.length === 1);

    expect(errors[0].code).toBe('COMFYUI_UNREACHABLE');
    expect(reconnects[0].attempts).toBeGreaterThanOrEqual(2);
  });

  it('drops a connection whose pings go unanswered and reconnects', async () => {
    const server = await startServer((socket) => socket.send(statusFrame('ws-test-client')), { autoPong: false });
    const stream = openStream(server.port, { pingIntervalMs: 20 });
    const reconnects: ReconnectedInfo[] = [];
    stream.on('reconnected', (info) => reconnects.push(info));
    await stream.waitUntilReady(1_000);

    await waitFor(() => reconnects.length === 1);

    expect(server.upgrades.length).toBeGreaterThanOrEqual(2);
  });

  it('detects a new server session from a status frame carrying a different sid', async () => {
    const server = await startServer((socket) => socket.send(statusFrame('ws-test-client')));
    const stream = openStream(server.port);
    const reconnects: ReconnectedInfo[] = [];
    stream.on('reconnected', (info) => reconnects.push(info));
    await stream.waitUntilReady(1_000);

    server.sockets[0].send(statusFrame('f3a1e0c2b6d94c6f'));
    await waitFor(() => reconnects.length === 1);

    expect(reconnects[0]).toMatchObject({ sid: 'f3a1e0c2b6d94c6f', previousSid: 'ws-test-client', sidChanged: true });
  });

  it('reports a refused upgrade (403) as an HTTP error event', async () => {
    const server = await startServer(() => undefined, { verifyClient: (_info, cb) => cb(false, 403) });
    const stream = openStream(server.port);
    const errors: ComfyUiError[] = [];
    stream.on('error', (error) => errors.push(error));

    await waitFor(() => errors.length >= 1);

    expect(errors[0]).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 403 });
  });

  it('closes cleanly: no reconnect afterwards, and waiting callers are released', async () => {
    const server = await startServer((socket) => socket.send(statusFrame('ws-test-client')));
    const stream = openStream(server.port);
    await stream.waitUntilReady(1_000);

    await stream.close();
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect(server.upgrades).toHaveLength(1);
    expect(stream.isClosed).toBe(true);
    await expect(stream.waitUntilReady(10)).rejects.toBeInstanceOf(ComfyUiError);
  });

  it('can be closed while waiting to reconnect', async () => {
    const server = await startServer(() => undefined);
    const port = server.port;
    await server.close();
    const stream = openStream(port);
    const waiting = stream.waitUntilReady(5_000);

    await new Promise((resolve) => setTimeout(resolve, 30));
    await stream.close();

    await expect(waiting).rejects.toMatchObject({ code: 'COMFYUI_UNREACHABLE' });
  });

  it('times out waiting for a session that never comes', async () => {
    const server = await startServer(() => undefined);
    const stream = openStream(server.port);

    await expect(stream.waitUntilReady(50)).rejects.toMatchObject({ code: 'COMFYUI_TIMEOUT' });
  });

  it('returns the same stream while it is open: one socket per clientId', async () => {
    const server = await startServer((socket) => socket.send(statusFrame('ws-test-client')));
    const client = new ComfyUiClient({ baseUrl: `http://127.0.0.1:${server.port}` });

    const first = client.openEvents();
    const second = client.openEvents();
    await first.close();
    const third = client.openEvents();
    await third.close();

    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });
});
