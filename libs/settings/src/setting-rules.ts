import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/**
 * Validation decorators of settings. Each states its rule once, in words: the same text is the
 * error message and what the README's Configuration table shows, so the two cannot drift.
 */
const rules = new Map<object, Map<string, string>>();

function register(target: object, property: string | symbol, rule: string): void {
  const perClass = rules.get(target.constructor) ?? new Map<string, string>();
  perClass.set(String(property), rule);
  rules.set(target.constructor, perClass);
}

/**
 * The rule of a settings field in words, e.g. `a number from 1 to 86400 (seconds)`.
 * @public the worker's README test reads the rule texts
 */
export function ruleOf(settingsClass: abstract new () => object, property: string): string | undefined {
  for (let owner: unknown = settingsClass; typeof owner === 'function'; owner = Object.getPrototypeOf(owner)) {
    const rule = rules.get(owner)?.get(property);
    if (rule) return rule;
  }
  return undefined;
}

/** A number in `[min, max]`; explicit `@Type(() => Number)`, since bundlers drop decorator metadata. */
export function NumberSetting(min: number, max: number, options: { integer?: boolean; unit?: string } = {}): PropertyDecorator {
  const rule = `${options.integer ? 'a whole number' : 'a number'} from ${min} to ${max}${options.unit ? ` (${options.unit})` : ''}`;
  const message = `must be ${rule}`;
  return (target, property) => {
    register(target, property, rule);
    Type(() => Number)(target, property);
    (options.integer ? IsInt({ message }) : IsNumber({ allowNaN: false, allowInfinity: false }, { message }))(target, property);
    Min(min, { message })(target, property);
    Max(max, { message })(target, property);
  };
}

/** A non-empty list of values each matching `pattern` (a comma-separated variable). */
export function ListSetting(pattern: RegExp, rule: string): PropertyDecorator {
  const message = `must be ${rule}`;
  return (target, property) => {
    register(target, property, rule);
    ArrayNotEmpty({ message })(target, property);
    Matches(pattern, { each: true, message })(target, property);
  };
}

/** A value matching `pattern`; `optional`: unset is allowed. */
export function TextSetting(pattern: RegExp, rule: string, options: { optional?: boolean } = {}): PropertyDecorator {
  const message = `must be ${rule}`;
  return (target, property) => {
    register(target, property, rule);
    if (options.optional) IsOptional()(target, property);
    IsString({ message })(target, property);
    MinLength(1, { message })(target, property);
    Matches(pattern, { message })(target, property);
  };
}

/** One of `choices`. */
export function ChoiceSetting(choices: readonly string[]): PropertyDecorator {
  const rule = `one of ${choices.join(', ')}`;
  return (target, property) => {
    register(target, property, rule);
    IsIn([...choices], { message: `must be ${rule}` })(target, property);
  };
}
