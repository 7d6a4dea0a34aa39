import { bindTargets, parseBindPath, type WorkflowTemplate } from './api-workflow';

/**
 * The seed a template holds at its first seed place (the first pass), for `seed: workflow`: what
 * the graph will really use, so it is what gets recorded. Undefined when the graph has none.
 */
export function readWorkflowSeed(template: WorkflowTemplate): number | undefined {
  const target = parseBindPath(bindTargets(template.bindings, 'seed')[0] ?? '');
  const value = target ? template.graph[target.nodeId]?.inputs[target.input] : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
