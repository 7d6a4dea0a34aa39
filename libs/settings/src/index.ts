export { loadSettings } from './load-settings';
export { readSettings } from './read-settings';
export type { Env, SettingVariables } from './read-settings';
export { KilnSettings, kilnVariables } from './kiln-settings';
export { resolveSettings } from './settings';
export type { Settings } from './settings';
export { ChoiceSetting, NumberSetting, TextSetting } from './setting-rules';
/** @public the worker's README test reads each setting's rule text */
export { ruleOf } from './setting-rules';
export { SettingsError } from './settings-error';
export type { SettingProblem } from './settings-error';
export { dataDirBase, findWorkspaceRoot } from './workspace-root';
export { redactText, redactUrl, secretsOfHeaders } from './redact';
