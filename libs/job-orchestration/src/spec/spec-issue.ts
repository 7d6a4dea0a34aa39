import { getMetadataStorage, type ValidationError } from 'class-validator';
import { didYouMean } from './did-you-mean';
import type { AnyClass } from './schema-metadata';

/** One problem in a job spec: where it is, what is wrong, the offending value and how to fix it. */
export interface SpecIssue {
  /** `items[3].seed`-style path; `''` for the whole file. */
  path: string;
  message: string;
  /** `unsupported`: a key the format does not have (reported together in one line). */
  kind: 'invalid' | 'unsupported';
  value?: unknown;
  fix?: string;
  /** `needs-object-info`: a UI-format workflow that converts once the server's `/object_info` is given. */
  code?: 'needs-object-info';
}

const TYPE_CONSTRAINTS = ['nestedValidation', 'isArray', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isSeed', 'isBindPaths', 'isSetMap'];

/** Flattens class-validator's error tree into issues with spec-style paths. */
export function validationErrorsToIssues(errors: ValidationError[], parentPath = ''): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const error of errors) {
    const path = joinPath(parentPath, error.property, error.target);
    const constraints = error.constraints ?? {};
    if (constraints['whitelistValidation']) {
      const known = error.target ? knownProperties(error.target.constructor as AnyClass) : [];
      const guess = didYouMean(error.property, known);
      issues.push({ path, kind: 'unsupported', message: guess ? `did you mean ${guess}?` : 'not part of the format', value: error.value });
    } else if (Object.keys(constraints).length > 0) {
      issues.push(constraintIssue(path, error));
    }
    if (error.children?.length) issues.push(...validationErrorsToIssues(error.children, path));
  }
  return issues;
}

/** Appends a key or index to a path: `items` + 3 → `items[3]`, `workflows` + `my key` → `workflows["my key"]`. */
export function joinPath(parent: string, key: string | number, container?: unknown): string {
  if (typeof key === 'number' || (Array.isArray(container) && /^\d+$/.test(key))) return `${parent}[${key}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent ? `${parent}.${key}` : key;
}

/** A value as it would appear in the spec, shortened. */
function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Map) return 'a mapping';
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

/** Renders every issue in one message; unsupported keys share one line so they are fixed together. */
export function formatSpecIssues(issues: readonly SpecIssue[], source: string): string {
  const unsupported = issues.filter((issue) => issue.kind === 'unsupported');
  const lines: string[] = [];
  if (unsupported.length) {
    const listed = unsupported.map((issue) => (issue.message.startsWith('did you mean') ? `${issue.path} (${issue.message})` : issue.path));
    lines.push(`unsupported fields: ${listed.join(', ')}; fix: remove them or correct their spelling`);
  }
  for (const issue of issues) {
    if (issue.kind === 'unsupported') continue;
    const got = 'value' in issue && issue.value !== undefined ? ` (got ${showValue(issue.value)})` : '';
    const where = issue.path ? `${issue.path}: ` : '';
    lines.push(`${where}${issue.message}${got}${issue.fix ? `; fix: ${issue.fix}` : ''}`);
  }
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  return `job spec ${source} is invalid (${count}):\n${lines.map((line) => `  - ${line}`).join('\n')}`;
}

function constraintIssue(path: string, error: ValidationError): SpecIssue {
  const failed = Object.keys(error.constraints ?? {});
  if (error.value === undefined) {
    return { path, kind: 'invalid', message: 'is required', fix: `add ${error.property}` };
  }
  const typeFailure = failed.find((name) => TYPE_CONSTRAINTS.includes(name));
  const reported = typeFailure ? [typeFailure] : failed;
  const parameters = error.target ? constraintParameters(error.target.constructor as AnyClass, error.property) : new Map<string, unknown>();
  const parts = reported.map((name) => describeConstraint(name, error, parameters.get(name)));
  return {
    path,
    kind: 'invalid',
    value: error.value,
    message: parts.map((part) => part.problem).join('; '),
    fix: parts.map((part) => part.fix).filter(Boolean).join('; ') || undefined,
  };
}

function describeConstraint(name: string, error: ValidationError, parameter: unknown): { problem: string; fix?: string } {
  const original = (error.constraints ?? {})[name] ?? '';
  switch (name) {
    case 'isInt':
      return { problem: 'must be a whole number', fix: 'write a number without quotes or decimals, e.g. 1024' };
    case 'isNumber':
      return { problem: 'must be a number', fix: 'write a number without quotes, e.g. 7.5' };
    case 'isString':
      return { problem: 'must be text', fix: 'write a string (quote it if YAML reads it as a number or boolean)' };
    case 'isBoolean':
      return { problem: 'must be true or false', fix: 'write true or false without quotes' };
    case 'isArray':
      return { problem: 'must be a list', fix: 'write one "- " entry per line' };
    case 'nestedValidation':
      return { problem: 'must be a mapping', fix: 'write "key: value" entries here' };
    case 'isNotEmpty':
      return { problem: 'must not be empty', fix: 'give it a value or remove the key' };
    case 'min':
      return { problem: `must be at least ${parameter}`, fix: `use ${parameter} or more` };
    case 'max':
      return { problem: `must be at most ${parameter}`, fix: `use ${parameter} or less` };
    case 'isDivisibleBy': {
      const step = Number(parameter);
      const nearest = typeof error.value === 'number' ? Math.max(step, Math.round(error.value / step) * step) : step;
      return { problem: `must be a multiple of ${step}`, fix: `use e.g. ${nearest}` };
    }
    case 'maxLength':
      return { problem: `must be at most ${parameter} characters`, fix: 'shorten it' };
    case 'arrayMinSize':
      return { problem: `must have at least ${parameter} entry`, fix: 'add an entry or remove the key' };
    case 'arrayMaxSize':
      return { problem: `must have at most ${parameter} entries`, fix: 'split the spec into several files' };
    case 'matches':
      return { problem: 'must be a path like "<node id>.inputs.<input name>"', fix: 'e.g. "3.inputs.seed"' };
    case 'isSeed':
      return { problem: original, fix: 'e.g. seed: 1234, seed: random, or seed: workflow' };
    case 'isIn':
      return { problem: original.startsWith(`${error.property} `) ? original.slice(error.property.length + 1) : original };
    default:
      return { problem: original.startsWith(`${error.property} `) ? original.slice(error.property.length + 1) : original };
  }
}

function knownProperties(cls: AnyClass): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return [...new Set(metadatas.map((metadata) => metadata.propertyName))];
}

function constraintParameters(cls: AnyClass, property: string): Map<string, unknown> {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return new Map(
    metadatas
      .filter((metadata) => metadata.propertyName === property && metadata.name)
      .map((metadata) => [metadata.name as string, metadata.constraints?.[0]]),
  );
}
