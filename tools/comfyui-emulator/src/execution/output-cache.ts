import type { NodeValue } from './node-values';

export interface CachedNodeResult {
  outputs: NodeValue[];
  ui?: unknown;
}

/**
 * ComfyUI's classic cache: results keyed by input signature. At each prompt start, entries the new
 * prompt does not use are dropped, so only the previous prompt helps and memory stays bounded.
 */
export class OutputCache {
  private readonly entries = new Map<string, CachedNodeResult>();

  retainOnly(signatures: Set<string>): void {
    for (const key of this.entries.keys()) if (!signatures.has(key)) this.entries.delete(key);
  }

  get(signature: string): CachedNodeResult | undefined {
    return this.entries.get(signature);
  }

  set(signature: string, result: CachedNodeResult): void {
    this.entries.set(signature, result);
  }

  clear(): void {
    this.entries.clear();
  }
}
