import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { WebSocketServer } from 'ws';
import { caught } from '../../tests/support/caught-comfyui-error';
import { ComfyUiClient } from './comfyui-client';
import type { ComfyUiClientOptions } from './options';

// A ComfyUI that lies, stalls and redirects: every answer Kiln reads has a size cap and a deadline,
// redirects stay on the server's origin, and credentials never leave it.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
}

const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function client(baseUrl: string, extra: Partial<ComfyUiClientOptions> = {}): ComfyUiClient {
  return new ComfyUiClient({ baseUrl, retry: { retries: 0 }, requestTimeoutMs: 1_000, ...extra });
}

const ref = { filename: 'a.png', subfolder: '', type: 'output' as const };

describe('ComfyUiClient against a hostile server', () => {
  // Real sockets: a spec run before this one in the same worker may have left nock blocking them.
  beforeAll(() => nock.enableNetConnect());
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('redirects', () => {
    it('refuses a /view redirect to another origin and sends that origin nothing, credentials least of all', async () => {
      const elsewhere = await serve((_req, res) => res.end('stolen'));
      const comfy = await serve((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/grab` }).end());

      const error = await caught(client(comfy.url, { headers: { 'X-Api-Key': 'secret-key-123' } }).downloadOutput(ref));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      expect(error.message).toContain(`to another origin (${elsewhere.url})`);
      expect(elsewhere.seen).toEqual([]);
      expect(error.message).not.toContain('secret-key-123');
    });

    it('follows a redirect on the same origin, with the auth header', async () => {
      const comfy = await serve((req, res) => {
        if (req.url?.startsWith('/view')) res.writeHead(307, { location: '/files/a.png' }).end();
        else res.end('image bytes');
      });

      const bytes = await client(comfy.url, { headers: { 'X-Api-Key': 'k-1234567' } }).downloadOutput(ref);

      expect(bytes.toString()).toBe('image bytes');
      expect(comfy.seen.map((s) => [s.url, s.headers['x-api-key']])).toEqual([
        ['/view?filename=a.png&subfolder=&type=output', 'k-1234567'],
        ['/files/a.png', 'k-1234567'],
      ]);
    });

    it('stops after three redirects instead of following a loop', async () => {
      const comfy = await serve((_req, res) => res.writeHead(302, { location: '/view?again=1' }).end());

      const error = await caught(client(comfy.url).downloadOutput(ref));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      expect(error.message).toContain('after 3 redirects already');
      expect(comfy.seen).toHaveLength(4);
    });
  });

  it('says a 401 means the server needs authentication and how to set COMFYUI_AUTH_HEADER', async () => {
    const comfy = await serve((_req, res) => res.writeHead(401).end('401: Unauthorized'));

    const error = await caught(client(comfy.url).getQueue());

    expect(error).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 401 });
    expect(error.message).toContain('The server needs authentication (Kiln sent no credentials)');
    expect(error.message).toContain('COMFYUI_AUTH_HEADER="Authorization: Bearer <token>"');
  });

  it('names the sent header, not its value, on a 403', async () => {
    const comfy = await serve((_req, res) => res.writeHead(403).end('forbidden'));

    const error = await caught(client(comfy.url, { headers: { Authorization: 'Bearer tok-987654' } }).getQueue());

    expect(error.message).toContain('Kiln sent the header(s) Authorization, which the server did not accept');
    expect(error.message).not.toContain('tok-987654');
  });

  it('redacts the auth header value when a rejecting server echoes it back', async () => {
    const comfy = await serve((req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'bad', message: `bad header ${String(req.headers['x-api-key'])}` }, node_errors: {} })),
    );

    const error = await caught(client(comfy.url, { headers: { 'X-Api-Key': 'echoed-secret-42' } }).submitPrompt({}));

    expect(error.code).toBe('COMFYUI_WORKFLOW_REJECTED');
    expect(error.message).toContain('bad header [REDACTED]');
    expect(`${error.message} ${error.bodyExcerpt}`).not.toContain('echoed-secret-42');
  });

  it('redacts the auth header and Basic credentials when a failed prompt\'s history quotes them', async () => {
    const basic = Buffer.from('kiln:url-pass-5521').toString('base64');
    const comfy = await serve((req, res) => {
      if (req.url?.startsWith('/queue')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ queue_running: [], queue_pending: [] }));
      const error = { prompt_id: 'p1', node_id: '3', node_type: 'KSampler', exception_type: 'RuntimeError', exception_message: `key ${String(req.headers['x-api-key'])} / ${String(req.headers.authorization)}`, traceback: [`raise for ${String(req.headers['x-api-key'])}`] };
      const entry = { prompt: [0, 'p1', {}, {}, []], outputs: {}, status: { status_str: 'error', completed: false, messages: [['execution_error', error]] } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ p1: entry }));
    });

    const status = await client(comfy.url.replace('http://', 'http://kiln:url-pass-5521@'), { headers: { 'X-Api-Key': 'echoed-secret-43' } }).getPromptStatus('p1');

    expect(status.state === 'failed' && status.error?.exceptionMessage).toBe('key [REDACTED] / [REDACTED]');
    expect(JSON.stringify(status)).not.toMatch(new RegExp(`echoed-secret-43|url-pass-5521|${basic}`));
  });

  it('redacts the auth header in event stream messages', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (socket, req) => {
      socket.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 's1' } }));
      const message = `bad key ${String(req.headers['x-api-key'])}`;
      socket.send(JSON.stringify({ type: 'execution_error', data: { prompt_id: 'p1', node_id: '3', node_type: 'KSampler', exception_type: 'E', exception_message: message, traceback: [], executed: [] } }));
    });
    const stream = client(`http://127.0.0.1:${(wss.address() as AddressInfo).port}`, { headers: { 'X-Api-Key': 'echoed-secret-44' } }).openEvents({ pingIntervalMs: 0 });
    const failed = new Promise<string>((resolve) => stream.once('execution_error', (e) => resolve(e.data.exception_message)));

    const message = await failed;
    await stream.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));

    expect(message).toBe('bad key [REDACTED]');
  });

  it('ends a body that trickles within the idle timeout at the response deadline', async () => {
    const comfy = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"queue_running": [');
      const timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(timer));
    });

    const error = await caught(client(comfy.url, { requestTimeoutMs: 500, responseDeadlineMs: 300 }).getQueue());

    expect(error.code).toBe('COMFYUI_TIMEOUT');
    expect(error.message).toContain('took longer than the response deadline of 300 ms (responseDeadlineMs)');
  });

  it('stops a trickling download at once when the caller aborts it', async () => {
    const comfy = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      const timer = setInterval(() => res.write('x'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const stop = new AbortController();
    const download = caught(client(comfy.url).downloadOutput(ref, { signal: stop.signal }));
    setTimeout(() => stop.abort(), 100);

    const error = await download;

    expect(error.code).toBe('COMFYUI_STOPPED');
  });

  it('refuses a full /object_info over its own limit and names the option', async () => {
    const comfy = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Big: 'x'.repeat(2_000) })));

    const error = await caught(client(comfy.url, { maxObjectInfoBytes: 1_000 }).getObjectInfo());

    expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
    expect(error.message).toContain('the limit of 1000 bytes (client option maxObjectInfoBytes)');
  });

  it('lists at most 20 of 200,000 choices in a rejection, closest to the bad value first', async () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `model-${i}.safetensors`);
    names.push('dreamshaper_8.safetensors');
    const body = JSON.stringify({
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '' },
      node_errors: {
        '4': {
          class_type: 'CheckpointLoaderSimple',
          dependent_outputs: ['9'],
          errors: [{ type: 'value_not_in_list', message: 'Value not in list', details: '', extra_info: { input_name: 'ckpt_name', input_config: [names], received_value: 'dreamshaper8.safetensors' } }],
        },
      },
    });
    const comfy = await serve((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(body));

    const error = await caught(client(comfy.url).submitPrompt({}));

    expect(error.message.length).toBeLessThan(2_000);
    expect(error.message).toContain("'dreamshaper8.safetensors' is not one of: dreamshaper_8.safetensors, ");
    expect(error.message).toMatch(/ and 199981 more$/m);
  });

  it('drops a WebSocket frame over the size limit (the larger of the JSON and download caps) by closing the socket', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (socket) => {
      socket.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 's1' } }));
      socket.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, pad: 'x'.repeat(5_000) } }));
    });
    const stream = client(`http://127.0.0.1:${(wss.address() as AddressInfo).port}`, { maxJsonBytes: 1_000, maxDownloadBytes: 1_000, reconnect: { baseDelayMs: 10_000, maxDelayMs: 10_000 } }).openEvents({ pingIntervalMs: 0 });
    const events: string[] = [];
    stream.on('event', (e) => events.push(e.type));
    stream.on('error', () => undefined);

    await new Promise<void>((resolve) => stream.once('disconnected', () => resolve()));
    await stream.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));

    expect(events).toEqual(['status']);
  });
});
