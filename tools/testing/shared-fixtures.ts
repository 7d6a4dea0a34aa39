import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The captured ComfyUI fixtures, in `shared/` beside the repository (`../shared` from the repo root;
 * CI clones it there too). `KILN_SHARED_DIR` points elsewhere.
 */
export function comfyFixturesDir(): string {
  const shared = process.env['KILN_SHARED_DIR'] ?? resolve(__dirname, '../../../shared');
  const dir = resolve(shared, 'fixtures/comfyui');
  if (!existsSync(dir)) throw new Error(`ComfyUI fixtures not found at ${dir}: put shared/ beside the repository or set KILN_SHARED_DIR`);
  return dir;
}
