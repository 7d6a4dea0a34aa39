import { parseDocument } from 'yaml';
import { joinPath, type SpecIssue } from './spec-issue';

/** Largest job file accepted: far above any real spec, far below what would hurt to parse. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Alias expansions allowed in a YAML spec: enough for shared defaults, too few for a "billion laughs". */
const MAX_YAML_ALIASES = 100;

/** Text format of a job file. */
export type JobSpecFormat = 'yaml' | 'json';

export type DecodeSpecTextResult = { ok: true; data: unknown } | { ok: false; issues: SpecIssue[] };

// Keys that would reach object prototypes when copied into class instances.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Turns job file text into plain data (null, booleans, finite-or-not numbers, strings, arrays,
 * plain objects) or reports why it cannot. YAML uses the core schema only: no custom or
 * language-specific tags, no binary/set/timestamp types, bounded aliases, unique keys.
 */
export function decodeSpecText(text: string, format: JobSpecFormat): DecodeSpecTextResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) return fail(tooLargeIssue(bytes));
  const decoded = format === 'json' ? decodeJson(text) : decodeYaml(text);
  if (!decoded.ok) return decoded;
  const issues: SpecIssue[] = [];
  checkPlainData(decoded.data, '', issues);
  return issues.length ? { ok: false, issues } : decoded;
}

/** The issue reported for a file over {@link MAX_SPEC_BYTES}. */
export function tooLargeIssue(bytes: number): SpecIssue {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return {
    path: '',
    kind: 'invalid',
    message: `the file is ${mb(bytes)}; job specs are limited to ${mb(MAX_SPEC_BYTES)}`,
    fix: 'split it into several job files',
  };
}

function decodeJson(text: string): DecodeSpecTextResult {
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch (error) {
    return fail({ path: '', kind: 'invalid', message: `invalid JSON: ${(error as Error).message}`, fix: 'correct the JSON syntax at that position' });
  }
}

function decodeYaml(text: string): DecodeSpecTextResult {
  const document = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    customTags: [],
    resolveKnownTags: false,
    merge: false,
    uniqueKeys: true,
    prettyErrors: true,
  });
  // Warnings include unresolved tags (`!!js/function`, `!foo`): with a data-only format those are errors.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length) {
    return {
      ok: false,
      issues: problems.map((problem) => {
        const tag = problem.code === 'TAG_RESOLVE_FAILED';
        const firstLine = problem.message.split('\n')[0].replace(/:\s*$/, '');
        return {
          path: '',
          kind: 'invalid',
          message: tag ? `YAML tags are not allowed in a job spec: ${firstLine}` : `invalid YAML: ${firstLine}`,
          fix: tag ? 'remove the tag; job specs hold plain data only (strings, numbers, booleans, lists, mappings)' : 'correct the YAML syntax at that line',
        };
      }),
    };
  }
  try {
    return { ok: true, data: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (error) {
    return fail({
      path: '',
      kind: 'invalid',
      message: `YAML aliases expand too much (${(error as Error).message})`,
      fix: `use fewer alias references (at most ${MAX_YAML_ALIASES} expansions)`,
    });
  }
}

function checkPlainData(value: unknown, path: string, issues: SpecIssue[]): void {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
  if (Array.isArray(value)) {
    value.forEach((entry, index) => checkPlainData(entry, joinPath(path, index), issues));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) {
      const child = joinPath(path, key);
      if (FORBIDDEN_KEYS.has(key)) issues.push({ path: child, kind: 'unsupported', message: 'not part of the format' });
      else checkPlainData((value as Record<string, unknown>)[key], child, issues);
    }
    return;
  }
  issues.push({ path, kind: 'invalid', message: 'is not plain data', fix: 'use only strings, numbers, booleans, lists and mappings' });
}

function fail(issue: SpecIssue): DecodeSpecTextResult {
  return { ok: false, issues: [issue] };
}
