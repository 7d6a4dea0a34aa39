import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** What the proxy saw: the client's request, and the real server's answer. */
export interface Exchange {
  method: string;
  /** Path and query, e.g. `/history/abc`. */
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A replacement answer; fields left out keep the real server's. */
interface Tampered {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body this many bytes per second (a trickle that stays under any idle timeout). */
  bytesPerSecond?: number;
}

interface TamperRules {
  /** Rewrites a request body before it reaches the server. */
  request?: (req: { method: string; path: string; body: Buffer }) => Buffer | undefined;
  /** Rewrites the server's answer; `undefined` passes it on untouched. */
  response?: (exchange: Exchange) => Tampered | undefined;
}

export interface TamperingProxy {
  url: string;
  set(rules: TamperRules): void;
  close(): Promise<void>;
}

/**
 * A hostile ComfyUI for tests: a proxy in front of the emulator that passes everything through
 * (WebSocket upgrades as raw bytes) except what the rules rewrite.
 */
export async function startTamperingProxy(upstreamUrl: string): Promise<TamperingProxy> {
  const upstream = new URL(upstreamUrl);
  let rules: TamperRules = {};
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    let body: Buffer = Buffer.concat(chunks);
    body = rules.request?.({ method, path, body }) ?? body;
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    const forwarded = request({ host: upstream.hostname, port: upstream.port, method, path, headers }, async (up) => {
      const upChunks: Buffer[] = [];
      for await (const chunk of up) upChunks.push(chunk as Buffer);
      const exchange: Exchange = { method, path, status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(upChunks) };
      const tampered = rules.response?.(exchange);
      const outBody = tampered?.body === undefined ? exchange.body : Buffer.from(tampered.body);
      const outHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(exchange.headers)) if (value !== undefined && name !== 'transfer-encoding') outHeaders[name] = value;
      Object.assign(outHeaders, tampered?.headers ?? {}, { 'content-length': String(outBody.length) });
      res.writeHead(tampered?.status ?? exchange.status, outHeaders);
      if (!tampered?.bytesPerSecond) return res.end(outBody);
      const perTick = Math.max(1, Math.round(tampered.bytesPerSecond / 20));
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= outBody.length) {
          clearInterval(timer);
          return res.end();
        }
        res.write(outBody.subarray(sent, sent + perTick));
        sent += perTick;
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    forwarded.on('error', () => res.destroy());
    forwarded.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // WebSocket upgrades: replay the request head to the emulator and splice the two sockets.
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const target = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      target.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) target.write(head);
      target.pipe(socket).pipe(target);
    });
    sockets.add(target);
    target.on('close', () => sockets.delete(target));
    target.on('error', () => socket.destroy());
    socket.on('error', () => target.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (next) => (rules = next),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
