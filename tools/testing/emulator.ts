import { startEmulator } from '../comfyui-emulator/src';
import type { EmulatorOptions, RunningEmulator } from '../comfyui-emulator/src';

export type { EmulatorOptions, RunningEmulator };

/** An in-process ComfyUI emulator on a free port, for tests. Close it in afterAll. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, host: '127.0.0.1', ...options });
}

/**
 * The server the contract suite runs against: `COMFYUI_CONTRACT_URL` when set (a real ComfyUI),
 * otherwise an in-process emulator.
 */
export async function startContractServer(): Promise<{ url: string; emulated: boolean; stop(): Promise<void> }> {
  const external = process.env['COMFYUI_CONTRACT_URL'];
  if (external) return { url: external.replace(/\/+$/, ''), emulated: false, stop: async () => undefined };
  const emulator = await startTestEmulator();
  return { url: emulator.url, emulated: true, stop: () => emulator.close() };
}
