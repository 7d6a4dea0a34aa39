import { GalleryError } from './errors';
import { resolveGalleryOptions, type GalleryOptions } from './gallery-options';
import { buildGalleryApp } from './http/gallery-server';

/** A gallery that is listening. */
export interface RunningGallery {
  url: string;
  close(): Promise<void>;
}

/** Checks the options, then serves the gallery until `close()`. */
export async function startGallery(options: GalleryOptions): Promise<RunningGallery> {
  const resolved = resolveGalleryOptions(options);
  const app = buildGalleryApp(resolved);
  try {
    await app.listen({ host: resolved.host, port: resolved.port });
  } catch (error) {
    await app.close();
    throw new GalleryError(
      'GALLERY_LISTEN_FAILED',
      `cannot listen on ${resolved.host}:${resolved.port} (${(error as Error).message}); set KILN_GALLERY_PORT to a free port`,
      { cause: error },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : resolved.port;
  const host = resolved.host.includes(':') && !resolved.host.startsWith('[') ? `[${resolved.host}]` : resolved.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
