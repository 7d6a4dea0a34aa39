import { authHeaders, ConfigError, loadWorkerConfig } from './config';

describe('loadWorkerConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadWorkerConfig({});

    expect(config).toMatchObject({
      servers: ['http://localhost:8188'],
      pollIntervalSeconds: 5,
      submitIntervalSeconds: 10,
      timeoutSeconds: 300,
      maxRetries: 3,
      maxInFlightPerServer: 2,
      dataDir: '.kiln/db',
      logLevel: 'info',
      metricsPort: 9464,
      leaseSeconds: 60,
      shutdownTimeoutSeconds: 30,
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads a comma-separated pool of servers and numeric settings', () => {
    const config = loadWorkerConfig({
      COMFYUI_BASE_URL: 'http://gpu1:8188/, http://gpu2:8188',
      COMFYUI_POLL_INTERVAL: '0.5',
      COMFYUI_MAX_RETRIES: '5',
      DATABASE_URL: 'postgres://kiln@db/kiln',
    });

    expect(config.servers).toEqual(['http://gpu1:8188', 'http://gpu2:8188']);
    expect(config.pollIntervalSeconds).toBe(0.5);
    expect(config.maxRetries).toBe(5);
  });

  it('names every bad variable and its value at once, and hides secrets', () => {
    const attempt = () =>
      loadWorkerConfig({
        COMFYUI_BASE_URL: 'localhost:8188',
        COMFYUI_POLL_INTERVAL: 'soon',
        COMFYUI_MAX_RETRIES: '-1',
        DATABASE_URL: 'mysql://root:hunter2@db/kiln',
        LOG_LEVEL: 'loud',
      });

    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('COMFYUI_BASE_URL=["localhost:8188"]');
    expect(message).toContain('COMFYUI_POLL_INTERVAL="soon"');
    expect(message).toContain('COMFYUI_MAX_RETRIES="-1"');
    expect(message).toContain('DATABASE_URL=<hidden>');
    expect(message).toContain('LOG_LEVEL="loud"');
    expect(message).not.toContain('hunter2');
  });

  it('turns COMFYUI_AUTH_HEADER into a request header', () => {
    expect(authHeaders(loadWorkerConfig({ COMFYUI_AUTH_HEADER: 'Authorization: Bearer abc' }))).toEqual({ Authorization: 'Bearer abc' });
    expect(authHeaders(loadWorkerConfig({}))).toEqual({});
  });
});
