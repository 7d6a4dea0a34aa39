/** Options of commands that talk to ComfyUI. */
export interface ServerOptions {
  server?: string;
  emulator?: boolean;
  json?: boolean;
}

export interface RunOptions extends ServerOptions {
  out?: string;
  overwrite?: boolean;
  dryRun?: boolean;
}

export interface GenerateOptions extends ServerOptions {
  prompt: string;
  checkpoint: string;
  name?: string;
  out: string;
  seed?: number | 'random';
  negative?: string;
  width?: number;
  height?: number;
  steps?: number;
  cfg?: number;
  sampler?: string;
  scheduler?: string;
  workflow?: string;
  timeout?: number;
  overwrite?: boolean;
}

export interface PipelineStartOptions extends ServerOptions {
  checkCheckpoints: boolean;
}

export interface JsonOption {
  json?: boolean;
}

export interface CandidatesListOptions extends JsonOption {
  status?: 'new' | 'selected' | 'rejected';
}
