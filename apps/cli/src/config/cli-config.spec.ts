import { resolveCliConfig } from './cli-config';

describe('resolveCliConfig', () => {
  it('prefers --server over COMFYUI_BASE_URL over the default, and splits pools', () => {
    expect(resolveCliConfig({}, {}, '/w').comfy).toEqual({ kind: 'servers', urls: ['http://localhost:8188'] });
    expect(resolveCliConfig({}, { COMFYUI_BASE_URL: 'http://a:1, http://b:2' }, '/w').comfy).toEqual({ kind: 'servers', urls: ['http://a:1', 'http://b:2'] });
    expect(resolveCliConfig({ server: 'http://c:3' }, { COMFYUI_BASE_URL: 'http://a:1' }, '/w').comfy).toEqual({ kind: 'servers', urls: ['http://c:3'] });
    expect(resolveCliConfig({ emulator: true }, { COMFYUI_BASE_URL: 'http://a:1' }, '/w').comfy).toEqual({ kind: 'emulator' });
  });

  it('uses the embedded database in KILN_DATA_DIR (default .kiln/db) unless DATABASE_URL is set', () => {
    expect(resolveCliConfig({}, {}, '/w')).toMatchObject({ databaseUrl: undefined, dataDir: '/w/.kiln/db' });
    expect(resolveCliConfig({}, { KILN_DATA_DIR: 'db', DATABASE_URL: 'postgres://x/y' }, '/w')).toMatchObject({ databaseUrl: 'postgres://x/y', dataDir: '/w/db' });
  });

  it('names every wrong value in one invalid-input error', () => {
    const attempt = () => resolveCliConfig({ server: 'ftp://nope' }, { COMFYUI_POLL_INTERVAL: 'soon', COMFYUI_AUTH_HEADER: 'nocolon' }, '/w');

    expect(attempt).toThrow(expect.objectContaining({ exitCode: 2 }));
    for (const named of ["'ftp://nope'", 'COMFYUI_POLL_INTERVAL=soon', 'COMFYUI_AUTH_HEADER']) expect(attempt).toThrow(named);
  });
});
