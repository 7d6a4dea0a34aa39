import { Transform, Type, plainToInstance } from 'class-transformer';
import { ValidateNested } from 'class-validator';

/** A JSON Schema fragment (draft 2020-12), kept loose on purpose: it is only ever serialized. */
export type JsonSchema = Record<string, unknown>;

type Constructor = new () => object;

/** Any class, as decorators and class-validator's metadata see it. */
export type AnyClass = abstract new (...args: never[]) => unknown;

/** How a property nests another spec class; the JSON Schema generator reads this, as does class-transformer. */
export interface NestedShape {
  readonly of: () => Constructor;
  readonly as: 'object' | 'array' | 'map';
}

interface PropertyHint {
  description?: string;
  /** Replaces the schema derived from the validators (for unions class-validator cannot describe). */
  schema?: JsonSchema;
  nested?: NestedShape;
}

const hints = new Map<object, Map<string, PropertyHint>>();

function addHint(target: object, property: string, hint: PropertyHint): void {
  const owner = target.constructor;
  const perClass = hints.get(owner) ?? new Map<string, PropertyHint>();
  perClass.set(property, { ...perClass.get(property), ...hint });
  hints.set(owner, perClass);
}

/** Documents a property in the published JSON Schema. */
export function Describe(description: string, schema?: JsonSchema): PropertyDecorator {
  return (target, property) => addHint(target, String(property), { description, schema });
}

/**
 * A nested spec class: an object, an array of them, or a name → object mapping. Sets the explicit
 * class-transformer type (never design-type reflection, which bundlers drop) and nested validation.
 */
export function Nested(of: () => Constructor, as: NestedShape['as'] = 'object'): PropertyDecorator {
  return (target, property) => {
    addHint(target, String(property), { nested: { of, as } });
    ValidateNested()(target, property);
    if (as !== 'map') {
      Type(of)(target, property);
      return;
    }
    // class-validator walks Map values (error paths use the key); a plain record would be opaque to it.
    Transform(({ value }) =>
      isPlainRecord(value)
        ? new Map(Object.entries(value).map(([key, entry]) => [key, isPlainRecord(entry) ? plainToInstance(of(), entry) : entry]))
        : value,
    )(target, property);
  };
}

/**
 * Hints declared on `cls` and its base classes, own declarations winning.
 * @internal exported for its spec
 */
export function getPropertyHints(cls: AnyClass): Map<string, PropertyHint> {
  const chain: object[] = [];
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  const merged = new Map<string, PropertyHint>();
  for (const c of chain) for (const [property, hint] of hints.get(c) ?? []) merged.set(property, { ...merged.get(property), ...hint });
  return merged;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}
