import { isPlainObject } from '../python/python-values';
import type { ApiPrompt } from '../validation/validate-prompt';

function linksOf(prompt: ApiPrompt, id: string): Array<[string, string]> {
  const node = prompt[id];
  const inputs = isPlainObject(node) && isPlainObject(node.inputs) ? node.inputs : {};
  const links: Array<[string, string]> = [];
  for (const value of Object.values(inputs)) {
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && value[0] in prompt) {
      links.push([value[0], id]);
    }
  }
  return links;
}

/**
 * The order ComfyUI runs nodes in: `ExecutionList` staging (a stack walk from each output that skips
 * cached ancestors) and `ux_friendly_pick_node` (outputs first, then their feeders, then the oldest
 * ready node). Output nodes are always staged, even when cached.
 */
export function executionOrder(
  prompt: ApiPrompt,
  outputs: string[],
  isCached: (id: string) => boolean,
  isOutputNode: (id: string) => boolean,
): string[] {
  const pending = new Set<string>();
  const blockCount = new Map<string, number>();
  const blocking = new Map<string, Set<string>>();

  const addNode = (root: string) => {
    const stack = [root];
    const links: Array<[string, string]> = [];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (pending.has(id)) continue;
      pending.add(id);
      blockCount.set(id, 0);
      blocking.set(id, new Set());
      for (const link of linksOf(prompt, id)) {
        if (!isCached(link[0])) stack.push(link[0]);
        links.push(link);
      }
    }
    for (const [from, to] of links) {
      if (isCached(from)) continue;
      addNode(from);
      const blocked = blocking.get(from) as Set<string>;
      if (!blocked.has(to)) {
        blocked.add(to);
        blockCount.set(to, (blockCount.get(to) ?? 0) + 1);
      }
    }
  };
  for (const output of outputs) addNode(output);

  const pick = (ready: string[]): string => {
    const feeds = (id: string, depth: number): boolean =>
      [...(blocking.get(id) ?? [])].some((next) => (depth === 0 ? isOutputNode(next) : feeds(next, depth - 1)));
    return (
      ready.find(isOutputNode) ?? ready.find((id) => feeds(id, 0)) ?? ready.find((id) => feeds(id, 1)) ?? ready[0]
    );
  };

  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter((id) => blockCount.get(id) === 0);
    if (ready.length === 0) break; // a cycle; validation normally rejects these first
    const id = pick(ready);
    order.push(id);
    pending.delete(id);
    for (const blocked of blocking.get(id) ?? []) blockCount.set(blocked, (blockCount.get(blocked) ?? 1) - 1);
    blocking.delete(id);
  }
  return order;
}
