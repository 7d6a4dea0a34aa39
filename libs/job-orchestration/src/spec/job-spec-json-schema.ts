import { getMetadataStorage } from 'class-validator';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
import { JobSpec } from './job-spec.classes';
import { getPropertyHints, type AnyClass, type JsonSchema } from './schema-metadata';

/** Where the published schema lives, relative to the job-orchestration project root. */
export const JOB_SPEC_SCHEMA_PATH = 'schema/job-spec.schema.json';

type Constructor = new () => object;

/**
 * JSON Schema (draft-07, for editors) of the job file format, generated from the validation classes'
 * class-validator metadata plus the nesting/description hints they declare, so it cannot drift.
 */
export function buildJobSpecJsonSchema(): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const root = classSchema(JobSpec, definitions);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://kiln.local/schema/job-spec.schema.json',
    title: 'Kiln job spec',
    description: 'A Kiln job file: a batch (items) or a pipeline (steps). Data only.',
    ...root,
    oneOf: [{ required: ['items'] }, { required: ['steps'] }],
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function classSchema(cls: AnyClass, definitions: Record<string, JsonSchema>): JsonSchema {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  const hints = getPropertyHints(cls);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const property of [...byProperty.keys()].sort()) {
    const metadatas = byProperty.get(property) ?? [];
    if (!metadatas.some((m) => m.type === 'conditionalValidation')) required.push(property);
    const hint = hints.get(property);
    let schema: JsonSchema;
    if (hint?.schema) schema = { ...hint.schema };
    else if (hint?.nested) schema = nestedSchema(hint.nested.of(), hint.nested.as, metadatas, definitions);
    else schema = constraintSchema(metadatas);
    properties[property] = hint?.description ? { description: hint.description, ...schema } : schema;
  }
  return { type: 'object', additionalProperties: false, ...(required.length ? { required } : {}), properties };
}

function nestedSchema(of: Constructor, as: 'object' | 'array' | 'map', metadatas: ValidationMetadata[], definitions: Record<string, JsonSchema>): JsonSchema {
  const name = of.name;
  if (!definitions[name]) {
    definitions[name] = {}; // placeholder first: guards against self-referencing classes
    definitions[name] = classSchema(of, definitions);
  }
  const ref = { $ref: `#/definitions/${name}` };
  if (as === 'map') return { type: 'object', additionalProperties: ref };
  if (as === 'array') return { ...constraintSchema(metadatas), items: ref };
  return ref;
}

function constraintSchema(metadatas: ValidationMetadata[]): JsonSchema {
  const schema: JsonSchema = {};
  for (const metadata of metadatas) {
    const c = metadata.constraints?.[0];
    switch (metadata.name) {
      case 'isString': schema['type'] = 'string'; break;
      case 'isInt': schema['type'] = 'integer'; break;
      case 'isNumber': schema['type'] = 'number'; break;
      case 'isBoolean': schema['type'] = 'boolean'; break;
      case 'isArray': schema['type'] = 'array'; break;
      case 'isIn': schema['enum'] = [...(c as unknown[])]; break;
      case 'min': schema['minimum'] = c; break;
      case 'max': schema['maximum'] = c; break;
      case 'isDivisibleBy': schema['multipleOf'] = c; break;
      case 'isNotEmpty': schema['minLength'] = 1; break;
      case 'maxLength': schema['maxLength'] = c; break;
      case 'matches': schema['pattern'] = (c as RegExp).source; break;
      case 'arrayMinSize': schema['minItems'] = c; break;
      case 'arrayMaxSize': schema['maxItems'] = c; break;
    }
  }
  return schema;
}
