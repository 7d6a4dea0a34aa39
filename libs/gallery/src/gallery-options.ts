import type { DataSource } from 'typeorm';
import { GalleryError } from './errors';

/** What a gallery needs; the apps build it from their validated settings. */
export interface GalleryOptions {
  dataSource: DataSource;
  /** Address to listen on; default 127.0.0.1. Anything but loopback requires `token`. */
  host?: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The secret of the login form; when set, every page asks for it once per browser session. */
  token?: string;
  /** How often the change feed asks the database whether pages are stale (ms); default 1000. */
  changePollMs?: number;
  /** Where a line about the gallery goes (its URL when it starts); never gets the token. */
  log?: (message: string) => void;
}

/** The options with defaults applied and the listen rules checked. */
export interface ResolvedGalleryOptions extends Required<Omit<GalleryOptions, 'token' | 'log'>> {
  token?: string;
  log: (message: string) => void;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Applies defaults; refuses a non-loopback address without a token (anyone on the network could change runs). */
export function resolveGalleryOptions(options: GalleryOptions): ResolvedGalleryOptions {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.token) {
    throw new GalleryError(
      'GALLERY_TOKEN_REQUIRED',
      `KILN_GALLERY_HOST=${host} is not a loopback address, and without a token anyone who reaches it could select, reject and retry your runs: ` +
        `set KILN_GALLERY_TOKEN to a secret of at least 16 characters (e.g. export KILN_GALLERY_TOKEN=$(openssl rand -hex 16)), ` +
        `or unset KILN_GALLERY_HOST to listen on 127.0.0.1 only`,
    );
  }
  return {
    dataSource: options.dataSource,
    host,
    port: options.port,
    token: options.token,
    changePollMs: options.changePollMs ?? 1000,
    log: options.log ?? (() => undefined),
  };
}
