import * as os from 'node:os';
import type { EmulatorContext } from '../emulator-context';
import { jsonReply, textReply } from '../http/http-reply';
import type { Route } from '../http/router';
import { FEATURE_FLAGS } from '../ws/ws-hub';

function systemStats(context: EmulatorContext) {
  const total = os.totalmem();
  const free = os.freemem();
  return {
    system: {
      os: 'posix',
      ram_total: total,
      ram_free: free,
      comfyui_version: '0.3.64',
      required_frontend_version: '1.27.10',
      installed_templates_version: null,
      required_templates_version: '0.1.95',
      python_version: '3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]',
      pytorch_version: '1.13.0a0',
      embedded_python: false,
      argv: ['main.py', '--cpu', '--listen', context.options.host, '--port', String(context.options.port), '--comfyui-emulator'],
    },
    devices: [
      { name: 'cpu', type: 'cpu', index: null, vram_total: total, vram_free: free, torch_vram_total: total, torch_vram_free: free },
    ],
  };
}

const INDEX_HTML =
  '<!doctype html><html><head><title>ComfyUI</title></head>' +
  '<body><p>ComfyUI emulator (Kiln). API only: see /object_info, /queue, /history.</p></body></html>';

export function systemRoutes(context: EmulatorContext): Route[] {
  return [
    { method: 'GET', pattern: '/system_stats', handler: () => jsonReply(systemStats(context)) },
    { method: 'GET', pattern: '/features', handler: () => jsonReply(FEATURE_FLAGS) },
    { method: 'GET', pattern: '/extensions', handler: () => jsonReply([]) },
    {
      method: 'GET',
      pattern: '/',
      handler: () => textReply(200, INDEX_HTML, { 'Content-Type': 'text/html; charset=utf-8' }),
    },
  ];
}
