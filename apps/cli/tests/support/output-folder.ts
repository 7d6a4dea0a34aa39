import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file under `dir` (its sub-folders too), as `/`-separated relative paths; none when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Temporary files a write or a manifest save leaves when it is cut short. */
export function temporaryFiles(dir: string): string[] {
  return filesUnder(dir).filter((file) => file.endsWith('.kiln-part') || file.endsWith('.tmp'));
}

/**
 * Checks that the output folder tells one story: the manifest lists exactly the images on disk, each
 * with its sidecar, with the bytes both recorded; no sidecar without its image; the stored workflows
 * folder holds workflows only. Returns the images.
 */
export function expectManifestToMatchDisk(out: string): string[] {
  const files = filesUnder(out);
  const images = files.filter((file) => file.endsWith('.png'));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'kiln-manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  expect(Object.keys(manifest.files).sort()).toEqual(images);
  expect(files.filter((file) => file.endsWith('.json') && !file.startsWith('kiln-workflows/') && file !== 'kiln-manifest.json')).toEqual(images.map((image) => image.replace(/\.png$/, '.json')));
  for (const image of images) {
    const digest = createHash('sha256').update(fs.readFileSync(path.join(out, image))).digest('hex');
    const sidecar = JSON.parse(fs.readFileSync(path.join(out, image.replace(/\.png$/, '.json')), 'utf8')) as { sha256: string };
    expect({ image, manifest: manifest.files[image].sha256, sidecar: sidecar.sha256 }).toEqual({ image, manifest: digest, sidecar: digest });
  }
  expect(files.filter((file) => file.startsWith('kiln-workflows/') && !/^kiln-workflows\/[0-9a-f]{64}\.json$/.test(file))).toEqual([]);
  return images;
}
