import { SettingsError } from '@kiln/settings';
import { loadWorkerConfig } from './config';

function messageOf(attempt: () => unknown): string {
  try {
    attempt();
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('loadWorkerConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadWorkerConfig({}, '/srv');

    expect(config).toMatchObject({
      servers: ['http://localhost:8188'],
      pollIntervalMs: 5000,
      submitIntervalMs: 10_000,
      defaultTimeoutSeconds: 300,
      maxRetries: 3,
      maxInFlightPerServer: 2,
      dataDir: '/srv/.kiln/db',
      logLevel: 'info',
      metricsPort: 9464,
      metricsHost: '127.0.0.1',
      leaseMs: 60_000,
      shutdownTimeoutSeconds: 30,
      gallery: { host: '127.0.0.1', port: 8190, token: undefined },
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads a comma-separated pool of servers and numeric settings', () => {
    const config = loadWorkerConfig(
      {
        COMFYUI_BASE_URL: 'http://gpu1:8188/, http://gpu2:8188',
        COMFYUI_POLL_INTERVAL: '0.5',
        COMFYUI_TIMEOUT: '1',
        COMFYUI_MAX_RETRIES: '5',
        KILN_LEASE_SECONDS: '5',
        DATABASE_URL: 'postgres://kiln@db/kiln',
      },
      '/srv',
    );

    expect(config.servers).toEqual(['http://gpu1:8188', 'http://gpu2:8188']);
    expect(config.pollIntervalMs).toBe(500);
    expect(config.defaultTimeoutSeconds).toBe(1);
    expect(config.maxRetries).toBe(5);
    expect(config.leaseMs).toBe(5000);
  });

  it('names every bad variable and its value at once, shared and worker-only, and hides secrets', () => {
    const message = messageOf(() =>
      loadWorkerConfig(
        {
          COMFYUI_BASE_URL: 'localhost:8188',
          COMFYUI_POLL_INTERVAL: 'soon',
          COMFYUI_MAX_RETRIES: '-1',
          DATABASE_URL: 'mysql://root:hunter2@db/kiln',
          LOG_LEVEL: 'loud',
          KILN_LEASE_SECONDS: '1',
        },
        '/srv',
      ),
    );

    expect(message).toContain('COMFYUI_BASE_URL="localhost:8188"');
    expect(message).toContain('COMFYUI_POLL_INTERVAL="soon"');
    expect(message).toContain('COMFYUI_MAX_RETRIES="-1"');
    expect(message).toContain('DATABASE_URL=<hidden>');
    expect(message).toContain('LOG_LEVEL="loud": must be one of error, warn, info, debug');
    expect(message).toContain('KILN_LEASE_SECONDS="1": must be a number from 5 to 3600 (seconds)');
    expect(message).not.toContain('hunter2');
  });

  it('turns COMFYUI_AUTH_HEADER into a request header', () => {
    expect(loadWorkerConfig({ COMFYUI_AUTH_HEADER: 'Authorization: Bearer abc' }, '/srv').comfyUiHeaders).toEqual({ Authorization: 'Bearer abc' });
    expect(loadWorkerConfig({}, '/srv').comfyUiHeaders).toEqual({});
  });
});
