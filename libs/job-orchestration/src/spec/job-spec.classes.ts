import 'reflect-metadata';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsDivisibleBy,
  Max,
  MaxLength,
  Min,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { MAX_SEED } from '../seeds/derive-seed';
import { COMFYUI_SAMPLERS, COMFYUI_SCHEDULERS } from './comfyui-choices';
import { didYouMean } from './did-you-mean';
import { Describe, Nested } from './schema-metadata';

/** Largest `count`/`children` per entry: a typo like `count: 1000000` must not flood a GPU farm. */
const MAX_IMAGES_PER_ENTRY = 1000;
/** Largest number of items or steps in one spec. */
const MAX_ENTRIES = 10000;

const NUMBER = { allowNaN: false, allowInfinity: false } as const;
const BIND_PATH = /^[^.\s]+\.inputs\.[^.\s]+$/;

function oneOfMessage(kind: string, choices: readonly string[]) {
  return (args: ValidationArguments): string => {
    const guess = typeof args.value === 'string' ? didYouMean(args.value, choices) : undefined;
    return guess
      ? `unknown ${kind} (did you mean ${guess}?)`
      : `unknown ${kind}; ComfyUI knows: ${choices.join(', ')}`;
  };
}

function IsSeed(): PropertyDecorator {
  return ValidateBy({
    name: 'isSeed',
    validator: {
      validate: (value: unknown) =>
        value === 'random' || value === 'workflow' || (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SEED),
      defaultMessage: () => `must be "random", "workflow" or a whole number from 0 to ${MAX_SEED}`,
    },
  });
}

const BIND_PATH_SCHEMA = { type: 'string', pattern: BIND_PATH.source };
const BIND_SCHEMA = { oneOf: [BIND_PATH_SCHEMA, { type: 'array', minItems: 1, maxItems: 64, items: BIND_PATH_SCHEMA }] };

/** One bind path, or a non-empty list of them (one value, several places). */
function IsBindPaths(): PropertyDecorator {
  return ValidateBy({
    name: 'isBindPaths',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'string' && BIND_PATH.test(value)) ||
        (Array.isArray(value) && value.length > 0 && value.length <= 64 && value.every((v) => typeof v === 'string' && BIND_PATH.test(v))),
      defaultMessage: () => 'must be a path like "<node id>.inputs.<input name>", or a list of them',
    },
  });
}

/** Values of a `set:` map: plain data a widget can hold. */
function isWidgetValue(value: unknown): boolean {
  return (typeof value === 'string' && value.length <= 20000) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function IsSetMap(): PropertyDecorator {
  return ValidateBy({
    name: 'isSetMap',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
        const entries = Object.entries(value);
        return entries.length <= 1000 && entries.every(([key, v]) => BIND_PATH.test(key) && isWidgetValue(v));
      },
      defaultMessage: (args?: ValidationArguments) => {
        const value = args?.value as Record<string, unknown> | undefined;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a mapping of "<node id>.inputs.<input name>": value';
        const badKey = Object.keys(value).find((key) => !BIND_PATH.test(key));
        if (badKey !== undefined) return `key ${JSON.stringify(badKey)} is not "<node id>.inputs.<input name>"`;
        const badValue = Object.keys(value).find((key) => !isWidgetValue(value[key]));
        return `${JSON.stringify(badValue)} must be text, a number or true/false`;
      },
    },
  });
}

/** Where images go. */
export class OutputSpec {
  @Describe('Folder the images are written to, relative to the spec file (absolute paths are allowed).')
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  dir!: string;

  @Describe('Replace files that already exist (default false: an existing file fails the item).')
  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;
}

/** Generation parameters: allowed under `defaults` and overridable per item or step. */
export class GenerationParamsSpec {
  @Describe('Checkpoint file name as ComfyUI lists it (GET /models/checkpoints); checked before anything is queued.')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  checkpoint?: string;

  @Describe('txt2img, img2img, the name of an entry under `workflows:`, or a path (relative to the spec) to an API-format workflow .json.')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  workflow?: string;

  @Describe('Positive prompt.')
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  prompt?: string;

  @Describe('Negative prompt.')
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  negative_prompt?: string;

  @Describe('Image width in pixels (multiple of 8).')
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(16384)
  @IsDivisibleBy(8)
  width?: number;

  @Describe('Image height in pixels (multiple of 8).')
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(16384)
  @IsDivisibleBy(8)
  height?: number;

  @Describe('Sampling steps.')
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  steps?: number;

  @Describe('Classifier-free guidance scale.')
  @IsOptional()
  @IsNumber(NUMBER)
  @Min(0)
  @Max(100)
  cfg?: number;

  @Describe('KSampler sampler_name.')
  @IsOptional()
  @IsString()
  @IsIn(COMFYUI_SAMPLERS, { message: oneOfMessage('sampler', COMFYUI_SAMPLERS) })
  sampler?: string;

  @Describe('KSampler scheduler.')
  @IsOptional()
  @IsString()
  @IsIn(COMFYUI_SCHEDULERS, { message: oneOfMessage('scheduler', COMFYUI_SCHEDULERS) })
  scheduler?: string;

  @Describe('Base seed (each image gets a seed derived from it, the item and the image index), "random" for a fresh recorded seed per image, or "workflow" to keep (and record) the seed the workflow file holds.', {
    oneOf: [{ type: 'integer', minimum: 0, maximum: MAX_SEED }, { const: 'random' }, { const: 'workflow' }],
  })
  @IsOptional()
  @IsSeed()
  seed?: number | 'random' | 'workflow';

  @Describe('Any widget of the workflow: "<node id>.inputs.<input name>": value (a LoRA strength, a refiner checkpoint, unet_name…). Item entries override defaults entry by entry.', {
    type: 'object',
    propertyNames: BIND_PATH_SCHEMA,
    additionalProperties: { type: ['string', 'number', 'boolean'] },
  })
  @IsOptional()
  @IsSetMap()
  set?: Record<string, string | number | boolean>;

  @Describe('Denoise of the sampler (img2img strength with image:), placed like steps. In a pipeline step: the denoise of its child generations.')
  @IsOptional()
  @IsNumber(NUMBER)
  @Min(0)
  @Max(1)
  denoise?: number;

  @Describe('Input image (img2img, ControlNet, inpainting): a file relative to the spec, uploaded once per content and bound to the LoadImage.')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  image?: string;

  @Describe('Inpainting mask: a file relative to the spec, bound to the LoadImageMask.')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  mask?: string;

  @Describe('The image output node to keep when the workflow has several (its id, e.g. "19" or "57:9").')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  output?: string;

  @Describe('"all": keep the images of every output node, named <name>.<node title slug>.png.')
  @IsOptional()
  @IsIn(['all'], { message: 'must be "all" (or use output: "<node id>" for one node)' })
  outputs?: 'all';

  @Describe('Seconds one image may take before it fails; unset: COMFYUI_TIMEOUT of the process that runs the job (default 300).')
  @IsOptional()
  @IsNumber(NUMBER)
  @Min(1)
  @Max(86400)
  timeout?: number;
}

/** One named entry of a batch: `count` images of one prompt. */
export class ItemSpec extends GenerationParamsSpec {
  @Describe('Display name; its slug names the output file (`Bob the Brave` → bob-the-brave.png).')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Describe('Number of images for this item (default 1); several get -1, -2… suffixes.')
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_IMAGES_PER_ENTRY)
  count?: number;
}

/** One step of a pipeline: `count` base candidates, then `children` img2img variations per selected candidate. */
export class StepSpec extends GenerationParamsSpec {
  @Describe('Step name; its slug is the folder of the step\'s candidates.')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Describe('Number of base candidates to generate.')
  @IsInt()
  @Min(0)
  @Max(MAX_IMAGES_PER_ENTRY)
  count!: number;

  @Describe('Child generations per candidate a person selects (default 0).')
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_IMAGES_PER_ENTRY)
  children?: number;

  @Describe('Workflow of child generations (default img2img); same forms as `workflow`, needs a LoadImage.')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  child_workflow?: string;
}

/** Where each parameter goes in a user workflow: `"<node id>.inputs.<input name>"`, or a list of them. */
export class WorkflowBindSpec {
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() prompt?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() negative_prompt?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() checkpoint?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() width?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() height?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() steps?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() cfg?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() sampler?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() scheduler?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() seed?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() denoise?: string | string[];
  @Describe('The LoadImage input that receives the parent image of child generations.', BIND_SCHEMA) @IsOptional() @IsBindPaths() image?: string | string[];
  @Describe('The LoadImageMask input that receives `mask:`.', BIND_SCHEMA) @IsOptional() @IsBindPaths() mask?: string | string[];
  @Describe('', BIND_SCHEMA) @IsOptional() @IsBindPaths() filename_prefix?: string | string[];
}

/** A user workflow exported from ComfyUI with "Save (API)". */
export class WorkflowEntrySpec {
  @Describe('Path of the API-format workflow .json, relative to the spec file (read as data only).')
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  file!: string;

  @Describe('Explicit parameter placement (a path or a list of paths); parameters left out are found by walking the graph from its sampling nodes.')
  @IsOptional()
  @Nested(() => WorkflowBindSpec)
  bind?: WorkflowBindSpec;

  @Describe('The image output node to keep when the workflow has several (its id, e.g. "19" or "57:9").')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  output?: string;

  @Describe('"all": keep the images of every output node, named <name>.<node title slug>.png.')
  @IsOptional()
  @IsIn(['all'], { message: 'must be "all" (or use output: "<node id>" for one node)' })
  outputs?: 'all';
}

/** A Kiln job file: a batch (`items`) or a pipeline (`steps`). */
export class JobSpec {
  @Describe('Format version; always 1.')
  @IsIn([1], { message: 'must be 1 (the only job file format version)' })
  version!: 1;

  @IsDefined()
  @Nested(() => OutputSpec)
  output!: OutputSpec;

  @Describe('Parameters every item or step inherits unless it sets its own.')
  @IsOptional()
  @Nested(() => GenerationParamsSpec)
  defaults?: GenerationParamsSpec;

  @Describe('Batch entries (a spec has items or steps, not both).')
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ENTRIES)
  @Nested(() => ItemSpec, 'array')
  items?: ItemSpec[];

  @Describe('Pipeline steps (a spec has items or steps, not both).')
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ENTRIES)
  @Nested(() => StepSpec, 'array')
  steps?: StepSpec[];

  @Describe('Named user workflows that `workflow:` / `child_workflow:` can refer to.')
  @IsOptional()
  @Nested(() => WorkflowEntrySpec, 'map')
  workflows?: Map<string, WorkflowEntrySpec>;
}
