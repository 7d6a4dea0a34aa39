import { resolveCliConfig } from './cli-config';

describe('resolveCliConfig', () => {
  it('prefers --server over COMFYUI_BASE_URL over the default, and splits pools', () => {
    expect(resolveCliConfig({}, {}, '/w').comfy).toEqual({ kind: 'servers', urls: ['http://localhost:8188'] });
    expect(resolveCliConfig({}, { COMFYUI_BASE_URL: 'http://a:1, http://b:2' }, '/w').comfy).toEqual({ kind: 'servers', urls: ['http://a:1', 'http://b:2'] });
    expect(resolveCliConfig({ server: 'http://c:3' }, { COMFYUI_BASE_URL: 'http://a:1' }, '/w').comfy).toEqual({ kind: 'servers', urls: ['http://c:3'] });
    expect(resolveCliConfig({ emulator: true }, { COMFYUI_BASE_URL: 'http://a:1' }, '/w').comfy).toEqual({ kind: 'emulator' });
  });

  it('uses the embedded database in KILN_DATA_DIR (default .kiln/db) unless DATABASE_URL is set', () => {
    expect(resolveCliConfig({}, {}, '/w', '/opt/kiln')).toMatchObject({ databaseUrl: undefined, dataDir: '/opt/kiln/.kiln/db' });
    expect(resolveCliConfig({}, { KILN_DATA_DIR: 'db', DATABASE_URL: 'postgres://x/y' }, '/w')).toMatchObject({ databaseUrl: 'postgres://x/y', dataDir: '/w/db' });
  });

  it('names every wrong value in one invalid-input error', () => {
    const attempt = () => resolveCliConfig({ server: 'ftp://nope' }, { COMFYUI_POLL_INTERVAL: 'soon', COMFYUI_AUTH_HEADER: 'nocolon' }, '/w');

    expect(attempt).toThrow(expect.objectContaining({ exitCode: 2 }));
    for (const named of ['--server="ftp://nope"', 'COMFYUI_POLL_INTERVAL="soon"', 'COMFYUI_AUTH_HEADER=<hidden>']) expect(attempt).toThrow(named);
  });

  it('ignores COMFYUI_BASE_URL with --emulator, and refuses --server with it', () => {
    expect(resolveCliConfig({ emulator: true }, { COMFYUI_BASE_URL: 'not a url' }, '/w').comfy).toEqual({ kind: 'emulator' });
    expect(() => resolveCliConfig({ emulator: true, server: 'http://a:1' }, {}, '/w')).toThrow('--server: excludes --emulator');
    expect(() => resolveCliConfig({ server: ' ' }, {}, '/w')).toThrow('--server=" ": is empty');
  });

  it('reads the shared settings in the units the code uses, with the same bounds as the worker', () => {
    expect(resolveCliConfig({}, { COMFYUI_POLL_INTERVAL: '0.25', COMFYUI_TIMEOUT: '42' }, '/w')).toMatchObject({ pollIntervalMs: 250, submitIntervalMs: 10_000, defaultTimeoutSeconds: 42, maxInFlightPerServer: 2 });
    expect(() => resolveCliConfig({}, { COMFYUI_POLL_INTERVAL: '0.01' }, '/w')).toThrow('COMFYUI_POLL_INTERVAL="0.01": must be a number from 0.05 to 3600 (seconds)');
  });
});
