import * as path from 'node:path';

// The subset of Python's `mimetypes` table that matters for files a ComfyUI server serves.
const MIME_BY_EXTENSION: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.svg': 'image/svg+xml',
  '.ico': 'image/vnd.microsoft.icon',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/x-wav',
  '.flac': 'audio/flac',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** `mimetypes.guess_type(name)[0]`, or undefined. */
export function guessMimeType(fileName: string): string | undefined {
  return MIME_BY_EXTENSION[path.extname(fileName).toLowerCase()];
}

// /view forces these to download instead of rendering (server.py).
const DOWNLOAD_ONLY = new Set(['text/html', 'text/html-sandboxed', 'application/xhtml+xml', 'text/javascript', 'text/css']);

/** The Content-Type /view sends for a file. */
export function viewContentType(fileName: string): string {
  const guessed = guessMimeType(fileName) ?? 'application/octet-stream';
  return DOWNLOAD_ONLY.has(guessed) ? 'application/octet-stream' : guessed;
}
