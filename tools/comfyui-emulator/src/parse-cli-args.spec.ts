import { parseCliArgs } from './parse-cli-args';

describe('parseCliArgs', () => {
  it('maps the documented flags to emulator options', () => {
    const command = parseCliArgs([
      '--port', '9000', '--host', '0.0.0.0', '--checkpoints', 'a.safetensors, b.safetensors',
      '--duration-ms', '250', '--base-path', '/comfy', '--output-dir', 'out', '--input-dir', 'in',
    ]);

    expect(command).toEqual({
      kind: 'start',
      quiet: false,
      options: {
        port: 9000, host: '0.0.0.0', checkpoints: ['a.safetensors', 'b.safetensors'], promptDurationMs: 250,
        basePath: '/comfy', outputDir: 'out', inputDir: 'in',
      },
    });
  });

  it('defaults to port 8188 and rejects unknown flags', () => {
    expect(parseCliArgs([])).toMatchObject({ options: { port: 8188 } });
    expect(() => parseCliArgs(['--bogus'])).toThrow();
  });
});
