import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

  it('reads model folders from --models-file, then each --models flag', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-cli-')), 'models.json');
    fs.writeFileSync(file, JSON.stringify({ loras: ['old.safetensors'], vae: ['ae.safetensors'] }));

    const command = parseCliArgs([
      '--models-file', file, '--models', 'loras=x.safetensors,y.safetensors', '--models', 'unet=flux1-dev.safetensors',
      '--input-images', 'pose.png', '--custom-nodes', 'SaveImageWebsocket',
    ]);

    expect(command).toMatchObject({
      options: {
        models: { loras: ['x.safetensors', 'y.safetensors'], vae: ['ae.safetensors'], unet: ['flux1-dev.safetensors'] },
        inputImages: ['pose.png'],
        customNodes: ['SaveImageWebsocket'],
      },
    });
    expect(() => parseCliArgs(['--models', 'no-equals-sign'])).toThrow(/folder=file/);
  });

  it('defaults to port 8188 and rejects unknown flags', () => {
    expect(parseCliArgs([])).toMatchObject({ options: { port: 8188 } });
    expect(() => parseCliArgs(['--bogus'])).toThrow();
  });
});
