import { mkdir, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { realPathInside } from '../security/inside-folder';

/**
 * Thumbnails live in the run's own output folder, so the gallery writes nowhere else.
 * @internal exported for its spec
 */
export const THUMBNAIL_FOLDER = '.kiln-thumbnails';
const EDGE = 320;

/**
 * Makes each candidate's thumbnail once (WebP, at most 320 px a side) and keeps it on disk; a
 * thumbnail asked for while being made waits for the same work.
 */
export class ThumbnailCache {
  private readonly making = new Map<string, Promise<string | null>>();

  /** The thumbnail's path, or null when the image cannot be read or the folder is not the run's. */
  thumbnailOf(candidateId: string, realImage: string, runFolder: string): Promise<string | null> {
    const underway = this.making.get(candidateId);
    if (underway) return underway;
    const work = this.make(candidateId, realImage, runFolder).finally(() => this.making.delete(candidateId));
    this.making.set(candidateId, work);
    return work;
  }

  private async make(candidateId: string, realImage: string, runFolder: string): Promise<string | null> {
    await mkdir(path.join(runFolder, THUMBNAIL_FOLDER), { recursive: true });
    const folder = await realPathInside(runFolder, THUMBNAIL_FOLDER);
    if (!folder) return null;
    const target = path.join(folder, `${candidateId}.webp`);
    if (await exists(target)) return target;
    const temp = `${target}.${process.pid}.tmp`;
    try {
      await sharp(realImage).resize(EDGE, EDGE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toFile(temp);
      await rename(temp, target);
      return target;
    } catch {
      await rm(temp, { force: true });
      return null;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
