import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { redactUrl } from './redact';
import { SettingsError, type SettingProblem } from './settings-error';

/** The process environment, or any map of variable → value. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The environment variable behind one settings field. */
interface SettingVariable {
  name: string;
  /** Used when the variable is unset or blank, written as in the environment; none: the setting is optional. */
  default?: string;
  /** Never echoed in messages; `'url-password'`: URLs that may hold a password, echoed without it. */
  secret?: boolean | 'url-password';
  /** Comma-separated: the field receives the trimmed, non-empty parts. */
  list?: boolean;
  /** What to do about a bad value. */
  fix: string;
}

/** Every field of a settings class, with its variable. */
export type SettingVariables<T extends object> = { readonly [K in keyof T]-?: SettingVariable };

export interface ReadSettingsOptions {
  /** Where a variable's value came from when not the environment, e.g. `{ COMFYUI_BASE_URL: '--server' }`. */
  sources?: Readonly<Record<string, string>>;
  /** Problems the caller found (e.g. conflicting flags), reported together with these. */
  problems?: readonly SettingProblem[];
}

/**
 * Reads a settings class from `env` and validates it. Blank counts as unset (`FOO= cmd` gets the
 * default). Every bad value is named in one {@link SettingsError}.
 */
export function readSettings<T extends object>(settingsClass: new () => T, variables: SettingVariables<T>, env: Env, options: ReadSettingsOptions = {}): T {
  const raw: Record<string, unknown> = {};
  const given: Record<string, string | undefined> = {};
  for (const [field, variable] of Object.entries(variables) as Array<[string, SettingVariable]>) {
    const value = env[variable.name]?.trim() ? env[variable.name] : undefined;
    given[field] = value;
    const effective = value ?? variable.default;
    if (effective !== undefined) raw[field] = variable.list ? splitList(effective) : effective.trim();
  }
  const settings = plainToInstance(settingsClass, raw);
  const problems = [...(options.problems ?? [])];
  for (const error of validateSync(settings)) {
    const variable = variables[error.property as keyof T];
    problems.push({
      source: options.sources?.[variable.name] ?? variable.name,
      shown: shownValue(variable, given[error.property] ?? variable.default ?? ''),
      message: [...new Set(Object.values(error.constraints ?? {}))].join('; '),
      fix: variable.fix,
    });
  }
  if (problems.length) throw new SettingsError(problems);
  return settings;
}

/** A bad value as a message quotes it: JSON-quoted, with no secret in it. */
function shownValue(variable: SettingVariable, value: string): string {
  if (variable.secret === true) return '<hidden>';
  if (variable.secret === 'url-password') return JSON.stringify((variable.list ? splitList(value) : [value.trim()]).map(redactUrl).join(','));
  return JSON.stringify(value);
}

function splitList(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}
