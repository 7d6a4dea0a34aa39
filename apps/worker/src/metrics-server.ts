import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * Serves Prometheus metrics on /metrics and a liveness answer on /healthz, on `host` (loopback by
 * default: the endpoints have no authentication).
 */
export async function startMetricsServer(
  port: number,
  host: string,
  registry: Registry,
  health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>,
): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.url === '/metrics') {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(await registry.metrics());
        } else if (req.url === '/healthz') {
          const result = await health();
          res.writeHead(result.ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: result.ok ? 'ok' : 'unhealthy', ...result.details }));
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found: try /metrics or /healthz\n');
        }
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${(error as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
