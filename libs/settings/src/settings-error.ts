/** One bad value: where it came from, how it is shown (secrets hidden), what is wrong and the fix. */
export interface SettingProblem {
  /** The environment variable or flag, e.g. `COMFYUI_TIMEOUT` or `--server`. */
  source: string;
  /** The value as shown in messages: JSON-quoted, or `<hidden>` for a secret; absent for a flag conflict. */
  shown?: string;
  /** What is wrong, e.g. `must be a number from 1 to 86400 (seconds)`. */
  message: string;
  fix: string;
}

export type SettingsErrorCode = 'SETTINGS_INVALID';

/** Every bad setting of one start, named at once. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  readonly code: SettingsErrorCode = 'SETTINGS_INVALID';

  constructor(readonly problems: SettingProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${describeProblem(p)}`).join('\n')}`);
  }
}

function describeProblem(problem: SettingProblem): string {
  const named = problem.shown === undefined ? problem.source : `${problem.source}=${problem.shown}`;
  return `${named}: ${problem.message}; fix: ${problem.fix}`;
}
