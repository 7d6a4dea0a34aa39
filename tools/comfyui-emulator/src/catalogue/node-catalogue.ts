import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePythonJson } from '../python/python-json';

/** `[type_or_choices, options?]` as in /object_info. */
export type InputSpec = [unknown, Record<string, unknown>?];

export interface NodeInfo {
  input: {
    required?: Record<string, InputSpec>;
    optional?: Record<string, InputSpec>;
    hidden?: Record<string, unknown>;
  };
  input_order: { required?: string[]; optional?: string[]; hidden?: string[] };
  output: unknown[];
  output_node: boolean;
  name: string;
  [key: string]: unknown;
}

export interface NodeInput {
  name: string;
  category: 'required' | 'optional';
  spec: InputSpec;
}

/** Lists that the real server builds from folders; the captured catalogue holds the capture server's files. */
export interface DynamicChoices {
  checkpoints(): string[];
  inputImages(): string[];
}

const CAPTURED_CHECKPOINT_CHOICES = ['tiny-test.safetensors'];
const CAPTURED_INPUT_IMAGE_CHOICES = ['example.png'];

let capturedCatalogue: Record<string, NodeInfo> | undefined;

function findCatalogueFile(): string {
  // Works from the sources (ts-jest) and from the esbuild bundle made by bin/, whose __dirname is src/.
  const candidates = [path.join(__dirname, '../data/object-info.json'), path.join(__dirname, 'data/object-info.json')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`object-info.json not found (looked in ${candidates.join(', ')})`);
  return found;
}

function loadCapturedCatalogue(): Record<string, NodeInfo> {
  capturedCatalogue ??= parsePythonJson(fs.readFileSync(findCatalogueFile(), 'utf8')) as Record<string, NodeInfo>;
  return capturedCatalogue;
}

function sameList(value: unknown, expected: string[]): boolean {
  return Array.isArray(value) && value.length === expected.length && value.every((v, i) => v === expected[i]);
}

/** The node classes the emulator knows: the captured /object_info with live file lists spliced in. */
export class NodeCatalogue {
  private readonly nodes: Record<string, NodeInfo>;

  constructor(private readonly choices: DynamicChoices) {
    this.nodes = loadCapturedCatalogue();
  }

  has(classType: unknown): boolean {
    return typeof classType === 'string' && Object.prototype.hasOwnProperty.call(this.nodes, classType);
  }

  classNames(): string[] {
    return Object.keys(this.nodes);
  }

  /** The class's info as /object_info/{class} shows it now (file lists re-read on every call, like ComfyUI). */
  get(classType: string): NodeInfo | undefined {
    const info = this.has(classType) ? this.nodes[classType] : undefined;
    return info ? this.withLiveChoices(info) : undefined;
  }

  /** Required then optional inputs, in the node's declared order. */
  inputsOf(info: NodeInfo): NodeInput[] {
    const inputs: NodeInput[] = [];
    for (const category of ['required', 'optional'] as const) {
      const specs = info.input[category] ?? {};
      const order = info.input_order?.[category] ?? Object.keys(specs);
      for (const name of order) {
        if (specs[name]) inputs.push({ name, category, spec: specs[name] });
      }
    }
    return inputs;
  }

  private withLiveChoices(info: NodeInfo): NodeInfo {
    let copy: NodeInfo | undefined;
    for (const category of ['required', 'optional'] as const) {
      const specs = info.input[category];
      if (!specs) continue;
      for (const [name, spec] of Object.entries(specs)) {
        const live = sameList(spec[0], CAPTURED_CHECKPOINT_CHOICES)
          ? [...this.choices.checkpoints()].sort()
          : sameList(spec[0], CAPTURED_INPUT_IMAGE_CHOICES)
            ? this.choices.inputImages()
            : undefined;
        if (!live) continue;
        copy ??= { ...info, input: { ...info.input } };
        const section = { ...(copy.input[category] ?? {}) };
        section[name] = spec.length > 1 ? [live, spec[1]] : [live];
        copy.input[category] = section;
      }
    }
    return copy ?? info;
  }
}
