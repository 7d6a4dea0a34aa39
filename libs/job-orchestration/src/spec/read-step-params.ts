import { JobOrchestrationError } from '../errors';
import type { SeedPolicy, StepParams } from './resolved-job-spec';

/** The step whose stored params are read: a `PipelineStep` satisfies it. */
export interface StoredStepParams {
  id?: string;
  name: string;
  /** `PipelineStep.params`, as {@link jobSpecToPipelineRunInput} wrote them. */
  params: unknown;
}

type RequiredKey<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type ValueKind<V> = V extends SeedPolicy ? 'seed' : V extends string ? 'string' : V extends number ? 'number' : V extends object ? 'map' : never;
// Typed from StepParams, so a field added to it or made optional fails to compile until it is listed here.
type FieldRules = { [K in keyof StepParams]-?: { kind: ValueKind<NonNullable<StepParams[K]>>; required: K extends RequiredKey<StepParams> ? true : false } };

const FIELD_RULES: FieldRules = {
  displayName: { kind: 'string', required: true },
  prompt: { kind: 'string', required: false },
  negativePrompt: { kind: 'string', required: false },
  checkpoint: { kind: 'string', required: false },
  width: { kind: 'number', required: false },
  height: { kind: 'number', required: false },
  steps: { kind: 'number', required: false },
  cfg: { kind: 'number', required: false },
  sampler: { kind: 'string', required: false },
  scheduler: { kind: 'string', required: false },
  denoise: { kind: 'number', required: false },
  image: { kind: 'string', required: false },
  imageSha256: { kind: 'string', required: false },
  mask: { kind: 'string', required: false },
  maskSha256: { kind: 'string', required: false },
  seed: { kind: 'seed', required: true },
  set: { kind: 'map', required: false },
  timeoutSeconds: { kind: 'number', required: false },
};

/**
 * The typed generation parameters of a stored step. Only the fields of {@link StepParams} are
 * returned; anything else in the stored JSON is left out.
 * @throws JobOrchestrationError `STEP_DEFINITION_INVALID` naming the step and every unusable field.
 */
export function readStepParams(step: StoredStepParams): StepParams {
  const stored = step.params;
  const problems: string[] = [];
  const params: Record<string, unknown> = {};
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    problems.push('params are not an object');
  } else {
    for (const [key, rule] of Object.entries(FIELD_RULES)) {
      const value = (stored as Record<string, unknown>)[key];
      if (value === undefined) {
        if (rule.required) problems.push(`${key} is missing`);
        continue;
      }
      const read = readValue(value, rule.kind);
      if (read === undefined) problems.push(`${key} is not ${rule.kind === 'seed' ? 'a seed policy' : rule.kind === 'map' ? 'a map of widget values' : `a ${rule.kind}`}: ${JSON.stringify(value)}`);
      else params[key] = read;
    }
  }
  if (problems.length > 0) {
    const named = step.id ? `${step.name} (${step.id})` : step.name;
    throw new JobOrchestrationError('STEP_DEFINITION_INVALID', `step ${named} has unusable params: ${problems.join('; ')} (expected the output of jobSpecToPipelineRunInput)`);
  }
  return params as unknown as StepParams;
}

/** The value when it is of the kind (a seed policy rebuilt from its own fields), else undefined. */
function readValue(value: unknown, kind: 'string' | 'number' | 'seed' | 'map'): unknown {
  if (kind === 'string') return typeof value === 'string' ? value : undefined;
  if (kind === 'map') return readSetMap(value);
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  const seed = value as Partial<{ mode: unknown; base: unknown }> | null;
  if (typeof seed !== 'object' || seed === null) return undefined;
  if (seed.mode === 'random') return { mode: 'random' } satisfies SeedPolicy;
  if (seed.mode === 'workflow') return { mode: 'workflow' } satisfies SeedPolicy;
  if (seed.mode === 'fixed' && Number.isSafeInteger(seed.base)) return { mode: 'fixed', base: seed.base as number } satisfies SeedPolicy;
  return undefined;
}

/** A stored `set:` map: own keys only, each value text, a finite number or a boolean. */
function readSetMap(value: unknown): Record<string, string | number | boolean> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const map: Record<string, string | number | boolean> = Object.create(null);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) return undefined;
    map[key] = v;
  }
  return { ...map };
}
