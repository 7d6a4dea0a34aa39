import * as fs from 'node:fs';
import * as path from 'node:path';
import { INPUT_IMAGE_INPUTS, modelInputSource } from '../models/model-inputs';
import { parsePythonJson } from '../python/python-json';
import { BUNDLED_CUSTOM_NODES } from './bundled-custom-nodes';

/** `[type_or_choices, options?]` as in /object_info. */
type InputSpec = [unknown, Record<string, unknown>?];

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
  /** Sorted file names of a model folder. */
  modelFiles(folder: string): string[];
  inputImages(): string[];
}

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

/** The node classes the emulator knows: the captured /object_info with live file lists spliced in. */
export class NodeCatalogue {
  private readonly nodes: Record<string, NodeInfo>;

  /** `customNodes`: names from BUNDLED_CUSTOM_NODES to load on top of the captured classes. */
  constructor(
    private readonly choices: DynamicChoices,
    customNodes: readonly string[] = [],
  ) {
    this.nodes = { ...loadCapturedCatalogue() };
    for (const name of customNodes) {
      const info = BUNDLED_CUSTOM_NODES[name];
      if (!info) throw new Error(`unknown custom node "${name}" (bundled: ${Object.keys(BUNDLED_CUSTOM_NODES).join(', ')})`);
      this.nodes[name] = info;
    }
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

  private liveChoices(classType: string, inputName: string): string[] | undefined {
    if (INPUT_IMAGE_INPUTS[classType] === inputName) return this.choices.inputImages();
    const source = modelInputSource(classType, inputName);
    return source ? [...this.choices.modelFiles(source.folder), ...(source.extra ?? [])] : undefined;
  }

  /** Splices the live lists into both COMBO forms: legacy `[[...], {...}]` and `["COMBO", {options: [...]}]`. */
  private withLiveChoices(info: NodeInfo): NodeInfo {
    let copy: NodeInfo | undefined;
    for (const category of ['required', 'optional'] as const) {
      const specs = info.input[category];
      if (!specs) continue;
      for (const [name, spec] of Object.entries(specs)) {
        const live = this.liveChoices(info.name, name);
        if (!live) continue;
        let updated: InputSpec;
        if (spec[0] === 'COMBO') updated = ['COMBO', { ...(spec[1] ?? {}), options: live }];
        else updated = spec.length > 1 ? [live, spec[1]] : [live];
        copy ??= { ...info, input: { ...info.input } };
        copy.input[category] = { ...(copy.input[category] ?? {}), [name]: updated };
      }
    }
    return copy ?? info;
  }
}
