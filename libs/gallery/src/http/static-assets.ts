import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface StaticAsset {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * The gallery's script and stylesheet: `static/` of the lib when run from source, `gallery-static/`
 * beside an app bundle (tools/build copies it there). Read once; served from memory by name only.
 */
export function loadStaticAssets(): Map<string, StaticAsset> {
  const folder = [path.join(__dirname, 'gallery-static'), path.join(__dirname, '..', '..', 'static')].find((dir) => existsSync(path.join(dir, 'gallery.js')));
  if (!folder) throw new Error(`the gallery's static files are missing (looked beside ${__dirname}); rebuild the app`);
  const assets = new Map<string, StaticAsset>();
  for (const [name, type] of [
    ['gallery.js', 'text/javascript; charset=utf-8'],
    ['gallery.css', 'text/css; charset=utf-8'],
  ] as const) {
    const body = readFileSync(path.join(folder, name));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}
