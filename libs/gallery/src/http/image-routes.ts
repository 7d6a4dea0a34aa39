import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { findCandidate, getPipelineRun } from '@kiln/pipeline';
import type { FastifyInstance } from 'fastify';
import { isId } from '../security/ids';
import { realFileInside, realPathInside } from '../security/inside-folder';
import { sendError, type GalleryContext } from './gallery-context';

/** The image type from its first bytes, not its name: only PNG, JPEG and WebP are served. */
async function imageType(file: string): Promise<string | null> {
  const handle = await open(file, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(12), 0, 12, 0);
    if (buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
    if (buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff) return 'image/jpeg';
    if (buffer.toString('latin1', 0, 4) === 'RIFF' && buffer.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * Images by candidate id only: the file is the candidate's recorded path, served only when its real
 * path lies inside its run's output folder. No route takes a path.
 */
export function registerImageRoutes(app: FastifyInstance, ctx: GalleryContext): void {
  async function locate(id: string): Promise<{ image: string; folder: string } | string> {
    if (!isId(id)) return `${id} is not a candidate id`;
    const candidate = await findCandidate(ctx.dataSource.manager, id);
    if (!candidate) return `no candidate with id ${id}`;
    const run = await getPipelineRun(ctx.dataSource.manager, candidate.runId);
    const folder = await realPathInside(run.targetFolder, '.').catch(() => null) ?? run.targetFolder;
    const image = await realFileInside(run.targetFolder, candidate.imagePath);
    if (!image) return `the image of candidate ${id} is missing, not a regular file, or outside its run's folder`;
    return { image, folder };
  }

  app.get<{ Params: { id: string } }>('/candidates/:id/image', async (request, reply) => {
    const found = await locate(request.params.id);
    if (typeof found === 'string') return sendError(ctx, request, reply, isId(request.params.id) ? 404 : 400, found);
    const type = await imageType(found.image);
    if (!type) return sendError(ctx, request, reply, 404, `the file of candidate ${request.params.id} is not a PNG, JPEG or WebP image`);
    return reply.type(type).header('cache-control', 'private, max-age=3600').send(createReadStream(found.image));
  });

  app.get<{ Params: { id: string } }>('/candidates/:id/thumbnail', async (request, reply) => {
    const found = await locate(request.params.id);
    if (typeof found === 'string') return sendError(ctx, request, reply, isId(request.params.id) ? 404 : 400, found);
    const etag = `"t-${request.params.id}"`;
    if (request.headers['if-none-match'] === etag) return reply.code(304).header('etag', etag).send();
    const thumbnail = await ctx.thumbnails.thumbnailOf(request.params.id, found.image, found.folder);
    if (!thumbnail) return sendError(ctx, request, reply, 404, `no thumbnail could be made of candidate ${request.params.id}`);
    // A candidate's image never changes, so neither does its thumbnail.
    return reply.type('image/webp').header('cache-control', 'private, max-age=31536000, immutable').header('etag', etag).send(createReadStream(thumbnail));
  });
}
