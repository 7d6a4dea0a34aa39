import { findWorkspaceRoot, loadSettings, SettingsError, type Env, type SettingProblem, type Settings } from '@kiln/settings';
import { CliError } from '../errors';

/** Where ComfyUI is: one or more servers, or the bundled emulator started in-process. */
type ComfyUiTarget = { kind: 'servers'; urls: string[] } | { kind: 'emulator' };

/** Flags shared by commands that talk to ComfyUI. */
export interface ServerFlags {
  server?: string;
  emulator?: boolean;
}

/** Settings of one CLI invocation: the shared settings, with ComfyUI's location taken from the flags first. */
export interface CliConfig extends Omit<Settings, 'servers'> {
  comfy: ComfyUiTarget;
}

/** Flags > environment > defaults; every wrong value, flag or variable, is named in one error (exit code 2). */
export function resolveCliConfig(flags: ServerFlags, env: Env, cwd: string, workspaceRoot = findWorkspaceRoot(__dirname)): CliConfig {
  const problems: SettingProblem[] = [];
  if (flags.emulator && flags.server) {
    problems.push({ source: '--server', message: 'excludes --emulator', fix: 'pick one of them' });
  }
  if (flags.server !== undefined && !flags.server.trim()) {
    problems.push({ source: '--server', shown: JSON.stringify(flags.server), message: 'is empty', fix: 'give a URL such as http://127.0.0.1:8188' });
  }
  // --server stands in for COMFYUI_BASE_URL (and is named in its errors); --emulator makes it moot.
  const { COMFYUI_BASE_URL: fromEnv, ...rest } = env;
  const baseUrl = flags.emulator ? undefined : (flags.server ?? fromEnv);
  let settings: Settings;
  try {
    settings = loadSettings({ ...rest, COMFYUI_BASE_URL: baseUrl }, { cwd, workspaceRoot, problems, sources: flags.server ? { COMFYUI_BASE_URL: '--server' } : {} });
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError('INVALID_INPUT', error.message, { details: { problems: error.problems } });
    throw error;
  }
  const { servers, ...shared } = settings;
  return { ...shared, comfy: flags.emulator ? { kind: 'emulator' } : { kind: 'servers', urls: servers } };
}
