import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { loadWorkerConfig } from './config';
import { startMetricsServer } from './metrics-server';

describe('metrics server', () => {
  it('listens on loopback by default, and on KILN_METRICS_HOST when set', async () => {
    const host = loadWorkerConfig({}, '/srv').metricsHost;
    const server = await startMetricsServer(0, host, new Registry(), async () => ({ ok: true, details: {} }));
    const address = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    expect(address.address).toBe('127.0.0.1');
    expect(loadWorkerConfig({ KILN_METRICS_HOST: '0.0.0.0' }, '/srv').metricsHost).toBe('0.0.0.0');
  });
});
