import { KilnSettings, kilnVariables } from './kiln-settings';
import { readSettings, type Env, type ReadSettingsOptions } from './read-settings';
import { resolveSettings, type Settings } from './settings';
import { dataDirBase } from './workspace-root';

export interface LoadSettingsOptions extends ReadSettingsOptions {
  /** Folder relative paths (`KILN_DATA_DIR`) are resolved against. */
  cwd: string;
  /** Kiln's workspace: the default `KILN_DATA_DIR` (unset) lives under it. */
  workspaceRoot?: string;
}

/** Reads, validates and resolves the settings both apps share; throws a SettingsError naming every bad value. */
export function loadSettings(env: Env, options: LoadSettingsOptions): Settings {
  return resolveSettings(readSettings(KilnSettings, kilnVariables, env, options), options.cwd, dataDirBase(env, options.cwd, options.workspaceRoot));
}
