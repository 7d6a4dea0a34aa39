import { loadSettings } from './load-settings';
import { SettingsError } from './settings-error';

function problemsOf(attempt: () => unknown): string {
  try {
    attempt();
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('loadSettings', () => {
  it('uses the documented defaults when nothing is set, resolved to the units the code uses', () => {
    const settings = loadSettings({}, { cwd: '/w' });

    expect(settings).toEqual({
      servers: ['http://localhost:8188'],
      pollIntervalMs: 5000,
      submitIntervalMs: 10_000,
      defaultTimeoutSeconds: 300,
      maxRetries: 3,
      maxInFlightPerServer: 2,
      comfyUiHeaders: {},
      databaseUrl: undefined,
      dataDir: '/w/.kiln/db',
      maxImages: 10_000,
      gallery: { host: '127.0.0.1', port: 8190, token: undefined },
    });
  });

  it('reads the gallery’s address and token, and refuses a short token without printing it', () => {
    const settings = loadSettings({ KILN_GALLERY_HOST: '0.0.0.0', KILN_GALLERY_PORT: '9000', KILN_GALLERY_TOKEN: 'a-secret-of-20-chars' }, { cwd: '/w' });
    const short = () => loadSettings({ KILN_GALLERY_TOKEN: 'short-secret' }, { cwd: '/w' });

    expect(settings.gallery).toEqual({ host: '0.0.0.0', port: 9000, token: 'a-secret-of-20-chars' });
    expect(short).toThrow(/KILN_GALLERY_TOKEN=<hidden>: must be at least 16 characters, no spaces/);
    expect(short).not.toThrow(/short-secret/);
  });

  it('reads a pool, seconds, counts, the auth header and the database', () => {
    const settings = loadSettings(
      {
        COMFYUI_BASE_URL: 'http://gpu1:8188/, https://host/comfy',
        COMFYUI_POLL_INTERVAL: '0.5',
        COMFYUI_TIMEOUT: '1',
        COMFYUI_MAX_RETRIES: '0',
        COMFYUI_MAX_IN_FLIGHT: '4',
        COMFYUI_AUTH_HEADER: 'Authorization: Bearer abc',
        DATABASE_URL: 'postgres://kiln@db/kiln',
        KILN_DATA_DIR: '/srv/kiln',
        KILN_MAX_IMAGES: '50000',
      },
      { cwd: '/w' },
    );

    expect(settings).toMatchObject({
      servers: ['http://gpu1:8188', 'https://host/comfy'],
      pollIntervalMs: 500,
      defaultTimeoutSeconds: 1,
      maxRetries: 0,
      maxInFlightPerServer: 4,
      comfyUiHeaders: { Authorization: 'Bearer abc' },
      databaseUrl: 'postgres://kiln@db/kiln',
      dataDir: '/srv/kiln',
      maxImages: 50_000,
    });
  });

  it('takes a blank variable as unset', () => {
    expect(loadSettings({ COMFYUI_TIMEOUT: ' ', COMFYUI_BASE_URL: '' }, { cwd: '/w' })).toMatchObject({ defaultTimeoutSeconds: 300, servers: ['http://localhost:8188'] });
  });

  it('names every bad value with its variable, the value and the fix, all at once, and hides secrets', () => {
    const message = problemsOf(() =>
      loadSettings(
        {
          COMFYUI_BASE_URL: 'localhost:8188',
          COMFYUI_POLL_INTERVAL: 'soon',
          COMFYUI_TIMEOUT: '0',
          COMFYUI_MAX_RETRIES: '1.5',
          COMFYUI_AUTH_HEADER: 'Bearer hunter1',
          DATABASE_URL: 'mysql://root:hunter2@db/kiln',
        },
        { cwd: '/w' },
      ),
    );

    expect(message).toContain('COMFYUI_BASE_URL="localhost:8188": must be http(s)://host:port');
    expect(message).toContain('COMFYUI_POLL_INTERVAL="soon": must be a number from 0.05 to 3600 (seconds); fix: give seconds between polls');
    expect(message).toContain('COMFYUI_TIMEOUT="0": must be a number from 1 to 86400 (seconds)');
    expect(message).toContain('COMFYUI_MAX_RETRIES="1.5": must be a whole number from 0 to 100');
    expect(message).toContain('COMFYUI_AUTH_HEADER=<hidden>: must be a header line');
    expect(message).toContain('DATABASE_URL=<hidden>: must be a postgres:// URL; fix: use postgres://');
    expect(message).not.toMatch(/hunter[12]/);
  });

  it('quotes a bad server list with the passwords of its URLs masked', () => {
    const message = problemsOf(() => loadSettings({ COMFYUI_BASE_URL: 'http://kiln:pw-48213@gpu1:8188, ftp://kiln:pw-48213@gpu2' }, { cwd: '/w' }));

    expect(message).toContain('COMFYUI_BASE_URL="http://kiln:***@gpu1:8188,ftp://kiln:***@gpu2": must be http(s)://host:port');
    expect(message).not.toContain('pw-48213');
  });

  it('names the flag a value came from, and reports the caller\'s problems with its own', () => {
    const message = problemsOf(() =>
      loadSettings(
        { COMFYUI_BASE_URL: 'ftp://nope', COMFYUI_SUBMIT_INTERVAL: '-1' },
        { cwd: '/w', sources: { COMFYUI_BASE_URL: '--server' }, problems: [{ source: '--emulator', message: 'excludes --server', fix: 'pick one' }] },
      ),
    );

    expect(message).toContain('--emulator: excludes --server; fix: pick one');
    expect(message).toContain('--server="ftp://nope": must be http(s)://host:port');
    expect(message).toContain('COMFYUI_SUBMIT_INTERVAL="-1"');
  });

  it('puts the default database under the workspace root for every process, and a relative KILN_DATA_DIR under the current folder', () => {
    expect(loadSettings({}, { cwd: '/home/me/elsewhere', workspaceRoot: '/opt/kiln' }).dataDir).toBe('/opt/kiln/.kiln/db');
    expect(loadSettings({ KILN_DATA_DIR: 'db' }, { cwd: '/home/me', workspaceRoot: '/opt/kiln' }).dataDir).toBe('/home/me/db');
  });
});

