import type { DataSource } from 'typeorm';
import { EngineMetrics } from './engine-metrics';
import { engineDefaults, resolveEngineOptions } from './resolve-engine-options';

const dataSource = {} as DataSource;

describe('resolveEngineOptions', () => {
  it('fills every default', () => {
    const resolved = resolveEngineOptions({ dataSource, servers: ['http://gpu-1'], defaultTimeoutSeconds: 300 });

    expect(resolved).toMatchObject({
      client: {},
      maxInFlightPerServer: engineDefaults.maxInFlightPerServer,
      pollIntervalMs: 5000,
      submitIntervalMs: 10_000,
      defaultTimeoutSeconds: 300,
      retry: { maxRetries: 3, baseDelayMs: 2000, maxDelayMs: 60_000 },
      useEvents: true,
      leaseMs: 60_000,
      exclusive: false,
      runId: undefined,
      runKind: undefined,
    });
    expect(resolved.workerId).toMatch(/^.+:\d+:[0-9a-f]{8}$/);
    expect(resolved.metrics).toBeInstanceOf(EngineMetrics);
    expect(resolved.logger).toBeDefined();
  });

  it('keeps what the caller set, including false and zero', () => {
    const resolved = resolveEngineOptions({
      dataSource,
      servers: ['http://gpu-1'],
      maxInFlightPerServer: 1,
      defaultTimeoutSeconds: 42,
      maxRetries: 0,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 100,
      useEvents: false,
      workerId: 'w1',
      runKind: 'pipeline',
    });

    expect(resolved).toMatchObject({
      maxInFlightPerServer: 1,
      defaultTimeoutSeconds: 42,
      retry: { maxRetries: 0, baseDelayMs: 20, maxDelayMs: 100 },
      useEvents: false,
      workerId: 'w1',
      runKind: 'pipeline',
    });
  });

  it('refuses an empty pool', () => {
    expect(() => resolveEngineOptions({ dataSource, servers: [], defaultTimeoutSeconds: 300 })).toThrow('at least one ComfyUI server');
  });
});
