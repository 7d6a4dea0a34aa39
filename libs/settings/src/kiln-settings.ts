import { ListSetting, NumberSetting, TextSetting } from './setting-rules';
import type { SettingVariables } from './read-settings';

/**
 * The environment both apps read, in the units people write it (seconds), validated with the same
 * bounds everywhere. The apps use {@link Settings}, resolved from it once.
 */
export class KilnSettings {
  @ListSetting(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'http(s)://host:port (a base path is allowed), comma-separated for a pool')
  servers!: string[];

  @NumberSetting(0.05, 3600, { unit: 'seconds' })
  pollIntervalSeconds!: number;

  @NumberSetting(0.05, 3600, { unit: 'seconds' })
  submitIntervalSeconds!: number;

  @NumberSetting(1, 86_400, { unit: 'seconds' })
  timeoutSeconds!: number;

  @NumberSetting(0, 100, { integer: true })
  maxRetries!: number;

  @NumberSetting(1, 64, { integer: true })
  maxInFlightPerServer!: number;

  @TextSetting(/^[A-Za-z0-9-]+:\s*\S.*$/, 'a header line "Name: value"', { optional: true })
  authHeader?: string;

  @TextSetting(/^postgres(ql)?:\/\//, 'a postgres:// URL', { optional: true })
  databaseUrl?: string;

  @TextSetting(/^[^\0]+$/, 'a folder path')
  dataDir!: string;

  @NumberSetting(1, 10_000_000, { integer: true })
  maxImages!: number;
  @TextSetting(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address')
  galleryHost!: string;

  @NumberSetting(0, 65_535, { integer: true })
  galleryPort!: number;

  @TextSetting(/^\S{16,}$/, 'at least 16 characters, no spaces', { optional: true })
  galleryToken?: string;
}

/** The variable of each field, with its default: the only place the defaults are written. */
export const kilnVariables: SettingVariables<KilnSettings> = {
  servers: { name: 'COMFYUI_BASE_URL', default: 'http://localhost:8188', list: true, secret: 'url-password', fix: 'give a URL such as http://127.0.0.1:8188 (several separated by commas)' },
  pollIntervalSeconds: { name: 'COMFYUI_POLL_INTERVAL', default: '5', fix: 'give seconds between polls, e.g. 5, or unset it' },
  submitIntervalSeconds: { name: 'COMFYUI_SUBMIT_INTERVAL', default: '10', fix: 'give seconds between idle submit ticks, e.g. 10, or unset it' },
  timeoutSeconds: { name: 'COMFYUI_TIMEOUT', default: '300', fix: 'give the seconds an image may take, e.g. 300, or unset it' },
  maxRetries: { name: 'COMFYUI_MAX_RETRIES', default: '3', fix: 'give a count such as 3 (0 turns retries off), or unset it' },
  maxInFlightPerServer: { name: 'COMFYUI_MAX_IN_FLIGHT', default: '2', fix: 'give prompts per server, e.g. 2, or unset it' },
  authHeader: { name: 'COMFYUI_AUTH_HEADER', secret: true, fix: 'write it as "Authorization: Bearer <token>", or unset it' },
  databaseUrl: { name: 'DATABASE_URL', secret: true, fix: 'use postgres://user:password@host:5432/db, or unset it for the embedded database' },
  maxImages: { name: 'KILN_MAX_IMAGES', default: '10000', fix: 'give the most images one job file may ask for, e.g. 10000, or unset it' },
  dataDir: { name: 'KILN_DATA_DIR', default: '.kiln/db', fix: 'give a folder path, or unset it' },
  galleryHost: { name: 'KILN_GALLERY_HOST', default: '127.0.0.1', fix: 'give an address such as 127.0.0.1 (this machine only) or 0.0.0.0 (with KILN_GALLERY_TOKEN), or unset it' },
  galleryPort: { name: 'KILN_GALLERY_PORT', default: '8190', fix: 'give a free port, or 0 to turn the worker\'s gallery off' },
  galleryToken: { name: 'KILN_GALLERY_TOKEN', secret: true, fix: 'give a secret of at least 16 characters, e.g. the output of `openssl rand -hex 16`, or unset it' },
};
