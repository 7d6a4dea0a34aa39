import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { loadHttpFixture, loadWorkflow, nockReply } from '../../tests/fixtures/comfyui-fixtures';
import { caught } from '../../tests/support/caught-comfyui-error';
import { ComfyUiClient } from './comfyui-client';
import type { ComfyUiClientLogger, ComfyUiClientOptions } from './options';

const BASE = 'http://comfy.test:8188';
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8188'), { code: 'ECONNREFUSED' });

function makeClient(extra: Partial<ComfyUiClientOptions> = {}): ComfyUiClient {
  return new ComfyUiClient({ baseUrl: BASE, clientId: 'test-client', retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 }, requestTimeoutMs: 500, ...extra });
}

function recordingLogger(): ComfyUiClientLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (message, meta) => lines.push(`debug ${message} ${JSON.stringify(meta)}`),
    warn: (message, meta) => lines.push(`warn ${message} ${JSON.stringify(meta)}`),
  };
}

describe('ComfyUiClient transport', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  describe('retries', () => {
    it('retries a GET after two connection failures and succeeds, logging each retry', async () => {
      nock(BASE).get('/queue').times(2).replyWithError(refused());
      nock(BASE).get('/queue').reply(...nockReply(loadHttpFixture('get_queue_idle')));
      const logger = recordingLogger();

      const queue = await makeClient({ logger }).getQueue();

      expect(queue).toEqual({ running: [], pending: [] });
      expect(logger.lines.filter((l) => l.startsWith('warn comfyui request failed, retrying'))).toEqual([
        expect.stringContaining('"attempt":1,"of":3'),
        expect.stringContaining('"attempt":2,"of":3'),
      ]);
      expect(nock.isDone()).toBe(true);
    });

    it('gives up after the configured retries with the attempt count and a fix in the message', async () => {
      nock(BASE).get('/queue').times(3).replyWithError(refused());

      const error = await caught(makeClient().getQueue());

      expect(error.code).toBe('COMFYUI_UNREACHABLE');
      expect(error.attempts).toBe(3);
      expect(error.message).toContain('http://comfy.test:8188/queue');
      expect(error.message).toContain('tried 3 times');
      expect(error.message).toContain('Start ComfyUI');
      expect(error.message).toContain('COMFYUI_BASE_URL');
      expect(error.cause).toBeInstanceOf(Error);
    });

    it('never retries a 400 on /prompt', async () => {
      const scope = nock(BASE).post('/prompt').times(2).reply(...nockReply(loadHttpFixture('post_prompt_no_outputs_400')));

      const error = await caught(makeClient().submitPrompt(loadWorkflow('no_outputs'), { promptId: 'p', retry: true }));

      expect(error.code).toBe('COMFYUI_WORKFLOW_REJECTED');
      expect(scope.pendingMocks()).toHaveLength(1);
    });

    it('never retries a 4xx on a GET', async () => {
      const scope = nock(BASE).get('/view').query(true).times(2).reply(...nockReply(loadHttpFixture('get_view_bad_type_400')));

      const error = await caught(makeClient().downloadOutput({ filename: 'test_00001_.png', subfolder: '', type: 'output' }));

      expect(error).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 400, attempts: 1 });
      expect(scope.pendingMocks()).toHaveLength(1);
    });

    it('retries a 5xx and then surfaces it with status and a bounded body excerpt', async () => {
      const fixture = loadHttpFixture('post_prompt_malformed_json');
      nock(BASE).get('/system_stats').times(3).reply(...nockReply(fixture));

      const error = await caught(makeClient().getSystemStats());

      expect(error).toMatchObject({ code: 'COMFYUI_HTTP_ERROR', status: 500, attempts: 3 });
      expect(error.bodyExcerpt).toBe('500 Internal Server Error\n\nServer got itself in trouble');
      expect(error.message).toContain('HTTP 500');
      expect(error.message).toContain('tried 3 times');
    });

    it('bounds the body excerpt of a huge error page', async () => {
      nock(BASE).get('/queue').reply(404, 'x'.repeat(100_000));

      const error = await caught(makeClient().getQueue());

      expect(error.bodyExcerpt?.length).toBeLessThanOrEqual(500);
      expect(error.message.length).toBeLessThan(800);
    });

    it('succeeds after a 5xx is followed by a 200', async () => {
      nock(BASE).get('/queue').reply(502, 'bad gateway').get('/queue').reply(...nockReply(loadHttpFixture('get_queue_idle')));

      await expect(makeClient().getQueue()).resolves.toEqual({ running: [], pending: [] });
    });

    it('does not retry at all with retries: 0', async () => {
      const scope = nock(BASE).get('/queue').times(2).replyWithError(refused());

      const error = await caught(makeClient({ retry: { retries: 0 } }).getQueue());

      expect(error.attempts).toBe(1);
      expect(error.message).toContain('tried 1 time.');
      expect(scope.pendingMocks()).toHaveLength(1);
    });
  });

  describe('timeouts', () => {
    it('times out a request whose answer does not come in time', async () => {
      nock(BASE).get('/queue').times(3).delay(300).reply(200, '{}');

      const error = await caught(makeClient({ requestTimeoutMs: 30 }).getQueue());

      expect(error.code).toBe('COMFYUI_TIMEOUT');
      expect(error.attempts).toBe(3);
      expect(error.message).toContain('within 30 ms');
      expect(error.message).toContain('requestTimeoutMs');
    });

    it('times out a body that stalls after the headers', async () => {
      nock(BASE).get('/queue').delayBody(300).reply(200, '{"queue_running": [], "queue_pending": []}');

      const error = await caught(makeClient({ requestTimeoutMs: 30, retry: { retries: 0 } }).getQueue());

      expect(error.code).toBe('COMFYUI_TIMEOUT');
    });
  });

  describe('bad responses', () => {
    it('rejects a non-JSON 200 body (e.g. a proxy login page)', async () => {
      nock(BASE).get('/queue').reply(200, '<html>login</html>', { 'Content-Type': 'text/html' });

      const error = await caught(makeClient().getQueue());

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      expect(error.message).toContain('not JSON (text/html)');
      expect(error.attempts).toBeUndefined();
    });

    it('rejects a JSON body of the wrong shape, naming the field', async () => {
      nock(BASE).get('/queue').reply(200, { queue_running: 'nope', queue_pending: [] });

      const error = await caught(makeClient().getQueue());

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      expect(error.message).toContain('queue_running: expected an array');
    });

    it('rejects a JSON body over maxJsonBytes', async () => {
      nock(BASE).get('/system_stats').reply(200, JSON.stringify({ padding: 'x'.repeat(5_000) }));

      const error = await caught(makeClient({ maxJsonBytes: 1_000 }).getSystemStats());

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
      expect(error.message).toContain('limit of 1000 bytes (client option maxJsonBytes)');
    });

    it('rejects a JSON body whose Content-Length is over maxJsonBytes before reading it', async () => {
      nock(BASE).get('/system_stats').reply(200, '{}', { 'Content-Length': '999999' });

      const error = await caught(makeClient({ maxJsonBytes: 1_000 }).getSystemStats());

      expect(error.message).toContain('999999 bytes, over the limit of 1000 bytes');
    });

    it('rejects a history entry for another prompt id', async () => {
      nock(BASE).get('/history/mine').reply(...nockReply(loadHttpFixture('get_history_emptyimage_success')));

      const error = await caught(makeClient().getHistory('mine'));

      expect(error.code).toBe('COMFYUI_BAD_RESPONSE');
    });
  });

  describe('base path and auth', () => {
    it('keeps a reverse-proxy base path for every route', async () => {
      const paths: string[] = [];
      nock('https://host.test')
        .persist()
        .get(/.*/)
        .reply(function reply(uri) {
          paths.push(uri);
          return uri.startsWith('/comfy/queue') ? [200, { queue_running: [], queue_pending: [] }] : [200, {}];
        });
      const client = new ComfyUiClient({ baseUrl: 'https://host.test/comfy', retry: { retries: 0 } });

      await client.getQueue();
      await client.getHistory('abc');
      await client.getObjectInfo('EmptyImage');

      expect(client.baseUrl).toBe('https://host.test/comfy/');
      expect(paths).toEqual(['/comfy/queue', '/comfy/history/abc', '/comfy/object_info/EmptyImage']);
    });

    it('sends the configured headers on every request', async () => {
      const seen: Array<string | undefined> = [];
      const auth = 'Bearer s3cr3t-token-value';
      nock(BASE, { reqheaders: { authorization: (value) => (seen.push(value), true) } })
        .get('/queue')
        .reply(200, { queue_running: [], queue_pending: [] })
        .post('/prompt')
        .reply(...nockReply(loadHttpFixture('post_prompt_emptyimage_success')))
        .post('/interrupt')
        .reply(200)
        .get('/view')
        .query(true)
        .reply(200, Buffer.from('png'))
        .post('/upload/image')
        .reply(...nockReply(loadHttpFixture('post_upload_image')));
      const client = makeClient({ headers: { Authorization: auth } });

      await client.getQueue();
      await client.submitPrompt(loadWorkflow('empty_save'));
      await client.interrupt();
      await client.downloadOutput({ filename: 'a.png', subfolder: '', type: 'output' });
      await client.uploadImage(Buffer.from('x'), { filename: 'x.png' });

      expect(seen).toEqual([auth, auth, auth, auth, auth]);
    });

    it('turns user:pass in the base URL into a Basic header and keeps it out of URLs', async () => {
      let header: string | undefined;
      nock('http://comfy.test:8188', { reqheaders: { authorization: (v) => ((header = v), true) } })
        .get('/queue')
        .reply(200, { queue_running: [], queue_pending: [] });
      const client = new ComfyUiClient({ baseUrl: 'http://alice:pw%21@comfy.test:8188' });

      await client.getQueue();

      expect(header).toBe(`Basic ${Buffer.from('alice:pw!').toString('base64')}`);
      expect(client.baseUrl).toBe('http://comfy.test:8188/');
    });

    it('never puts header values into error messages, excerpts or logs', async () => {
      const token = 'Bearer very-secret-token-123';
      nock(BASE).get('/queue').times(3).reply(500, `echo: Authorization: ${token}`);
      nock(BASE).get('/history/x').reply(200, `not json ${token}`);
      const logger = recordingLogger();
      const client = makeClient({ headers: { Authorization: token }, logger });

      const httpError = await caught(client.getQueue());
      const badError = await caught(client.getHistory('x'));

      for (const text of [httpError.message, httpError.bodyExcerpt ?? '', badError.message, badError.bodyExcerpt ?? '', ...logger.lines]) {
        expect(text).not.toContain('very-secret-token-123');
      }
      expect(httpError.message).toContain('[REDACTED]');
    });

    it('rejects a base URL that is not http(s)', () => {
      expect(() => new ComfyUiClient({ baseUrl: 'ftp://x' })).toThrow(/COMFYUI_BASE_URL/);
      expect(() => new ComfyUiClient({ baseUrl: 'localhost:8188' })).toThrow(/COMFYUI_BASE_URL/);
    });
  });

  describe('against a real socket', () => {
    let port: number;

    beforeAll(async () => {
      // A port that was just free: nothing listens there any more.
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      nock.enableNetConnect('127.0.0.1');
    });
    afterAll(() => nock.disableNetConnect());

    it('reports connection refused as unreachable with the URL tried', async () => {
      const client = new ComfyUiClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });

      const error = await caught(client.getSystemStats());

      expect(error.code).toBe('COMFYUI_UNREACHABLE');
      expect(error.message).toContain(`http://127.0.0.1:${port}/system_stats`);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).toContain('tried 2 times');
    });
  });
});
