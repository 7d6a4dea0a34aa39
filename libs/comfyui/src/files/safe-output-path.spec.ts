import { join, resolve } from 'node:path';
import { safeOutputPath } from './safe-output-path';

describe('safeOutputPath', () => {
  it('joins names and sub-folders inside the run folder', () => {
    expect(safeOutputPath('/out', 'mallsing.png')).toBe(resolve('/out/mallsing.png'));
    expect(safeOutputPath('/out', join('base', 'abc_123.png'))).toBe(resolve('/out/base/abc_123.png'));
  });

  it.each(['../escape.png', '/etc/passwd', 'a/../../b.png', '', '..', 'a\0b.png'])('refuses %j', (name) => {
    expect(() => safeOutputPath('/out', name)).toThrow(expect.objectContaining({ code: 'OUTPUT_UNSAFE_PATH' }));
  });
});
