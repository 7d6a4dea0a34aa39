import { ComfyUiClient } from '@kiln/comfyui';
import { startEmulator } from '@kiln/comfyui-emulator';
import type { ObjectInfo } from '@kiln/job-orchestration';
import { redactUrl } from '@kiln/settings';
import type { CliConfig } from '../config/cli-config';
import type { Reporter } from '../output/reporter';

/** ComfyUI as one command sees it: its server URLs (or the emulator's), ready for clients. */
export interface ComfyUiSession {
  urls: string[];
  /** For messages: the servers without credentials. */
  label: string;
  headers: Record<string, string>;
  isEmulator: boolean;
  client(url?: string): ComfyUiClient;
  close(): Promise<void>;
}

const EMULATOR_WARNING =
  'EMULATOR: using the bundled ComfyUI emulator, not a real ComfyUI. Its images are SYNTHETIC test patterns, not generated art.';

/** Connects to the configured servers, or starts the bundled emulator in this process (`--emulator`). */
export async function openComfySession(config: CliConfig, reporter: Reporter, env: NodeJS.ProcessEnv): Promise<ComfyUiSession> {
  if (config.comfy.kind === 'servers') {
    const urls = config.comfy.urls;
    return session(urls, config.comfyUiHeaders, false, async () => undefined);
  }
  const promptDurationMs = Number(env['KILN_EMULATOR_PROMPT_MS'] ?? 150);
  // ComfyUI ships custom_nodes/websocket_image_save.py: a real server offers SaveImageWebsocket too.
  const emulator = await startEmulator({ port: 0, promptDurationMs: Number.isFinite(promptDurationMs) ? promptDurationMs : 150, customNodes: ['SaveImageWebsocket'] });
  reporter.warn(`${EMULATOR_WARNING}\n  (emulator at ${emulator.url}; the same job file runs unchanged against a real ComfyUI with COMFYUI_BASE_URL)`);
  return session([emulator.url], {}, true, () => emulator.close());
}

function session(urls: string[], headers: Record<string, string>, isEmulator: boolean, close: () => Promise<unknown>): ComfyUiSession {
  const clients = new Map<string, ComfyUiClient>();
  return {
    urls,
    label: urls.map(redactUrl).join(', '),
    headers,
    isEmulator,
    client(url = urls[0]) {
      let client = clients.get(url);
      if (!client) {
        client = new ComfyUiClient({ baseUrl: url, headers, retry: { retries: 2, baseDelayMs: 200, maxDelayMs: 1000 } });
        clients.set(url, client);
      }
      return client;
    },
    async close() {
      await close();
    },
  };
}

/**
 * Checkpoints every server of the session offers (a job may land on any of them). Throws the
 * client's `COMFYUI_UNREACHABLE` when a server does not answer.
 */
export async function listAvailableCheckpoints(comfy: ComfyUiSession): Promise<string[]> {
  const lists = await Promise.all(comfy.urls.map((url) => comfy.client(url).listCheckpoints()));
  const [first, ...rest] = lists;
  return first.filter((name) => rest.every((list) => list.includes(name))).sort((a, b) => a.localeCompare(b));
}

/** The first server's `/object_info` (every node class), for converting UI-format workflows. */
export async function fetchObjectInfo(config: CliConfig, reporter: Reporter, env: NodeJS.ProcessEnv): Promise<ObjectInfo> {
  const comfy = await openComfySession(config, reporter, env);
  try {
    return await comfy.client().getObjectInfo();
  } finally {
    await comfy.close();
  }
}
