import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng } from '../image/png-encoder';
import { patternImage } from '../image/raster-image';

const SIZE = 64;

/**
 * Writes a 64×64 PNG pattern named `name` into the input dir unless a file of that name exists.
 * The pattern derives from the name, so two emulators given the same names hold the same bytes.
 */
export function writeSyntheticInputImage(inputDir: string, name: string, fingerprint?: string): void {
  if (name === '' || name !== path.basename(name) || name.startsWith('.')) {
    throw new Error(`input image "${name}" must be a plain file name`);
  }
  const file = path.join(inputDir, name);
  if (fs.existsSync(file)) return;
  const seed = fingerprint ?? createHash('sha256').update(`input-image:${name}`).digest('hex');
  const image = patternImage(SIZE, SIZE, seed);
  fs.writeFileSync(file, encodePng({ width: SIZE, height: SIZE, pixels: image.render(), channels: 3 }));
}
