export type GalleryErrorCode = 'GALLERY_TOKEN_REQUIRED' | 'GALLERY_LISTEN_FAILED';

/** Why the gallery cannot start; the message says how to fix it. */
export class GalleryError extends Error {
  override readonly name = 'GalleryError';
  constructor(
    readonly code: GalleryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
