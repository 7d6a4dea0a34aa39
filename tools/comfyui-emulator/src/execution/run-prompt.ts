import type { NodeCatalogue } from '../catalogue/node-catalogue';
import type { EmulatorDirs } from '../files/input-file-path';
import { PythonException, isPlainObject, pyStr } from '../python/python-values';
import type { HistoryEntry } from '../queue/history-store';
import { queueTuple, type QueueItem } from '../queue/queue-item';
import { computeSignatures, withIsChangedMarks } from './cache-signature';
import { executionOrder } from './execution-order';
import { INJECTED_FAILURE_TRACEBACK } from './captured-tracebacks';
import { genericSteps, runGenericNode, runnerFor, type NodeRunContext } from './node-runners';
import { describeValue, type NodeValue } from './node-values';
import type { PreviewMetadata } from '../ws/ws-hub';
import type { OutputCache } from './output-cache';
import { ProgressReporter } from './progress-reporter';
import { RunStopped, type RunControl } from './run-control';

export interface PromptRunDeps {
  catalogue: NodeCatalogue;
  cache: OutputCache;
  dirs: EmulatorDirs;
  /** `send_sync(type, data, sid)`; sid null = broadcast. */
  send(type: string, data: unknown, sid: string | null): void;
  /** `send_sync(UNENCODED_PREVIEW_IMAGE, ("PNG", image, None), sid)`: one binary PNG frame. */
  sendPreviewImage(png: Buffer, sid: string | null, metadata: PreviewMetadata): void;
  isBrokenCheckpoint(name: string): boolean;
  /** Time to spend in this node (its share of the prompt duration plus its class's extra). */
  nodeDurationMs(classType: string, nodesToRun: number): number;
  /** Fault decisions for this prompt, taken once at start. */
  faults: { hang: boolean; fail: boolean; failMessage: string };
  onNodeStart(nodeId: string | undefined): void;
}

export type PromptRunOutcome = 'success' | 'error' | 'interrupted';

interface NodeFailure {
  nodeId: string;
  exception: PythonException;
  inputs: Record<string, unknown>;
}

const MAX_PROGRESS_MESSAGES = 100;

/** The sid a prompt's events go to: `extra_data.client_id`, or null (most events then go nowhere). */
export function clientSidOf(extraData: Record<string, unknown>): string | null {
  const clientId = extraData.client_id;
  if (clientId === undefined || clientId === null) return null;
  return typeof clientId === 'string' ? clientId : `\u0000${pyStr(clientId)}`;
}

/**
 * Executes one prompt like `PromptExecutor.execute_async`: start/cached messages, each staged node
 * with progress_state/executing/progress/executed, then success, error or interrupt.
 * Returns the history entry to store; a cancelled run (restart/close) throws RunStopped('cancel').
 */
export async function runPrompt(
  item: QueueItem,
  deps: PromptRunDeps,
  control: RunControl,
): Promise<{ outcome: PromptRunOutcome; entry: HistoryEntry }> {
  const promptId = item.promptId;
  const prompt = item.prompt;
  const sid = clientSidOf(item.extraData);
  const messages: Array<[string, unknown]> = [];
  const addMessage = (event: string, data: Record<string, unknown>, broadcast: boolean) => {
    const stamped = { ...data, timestamp: Date.now() };
    messages.push([event, stamped]);
    if (sid !== null || broadcast) deps.send(event, stamped, sid);
  };
  const toClient = (type: string, data: unknown) => {
    if (sid !== null) deps.send(type, data, sid);
  };

  const classOf = (id: string) => pyStr((prompt[id] as Record<string, unknown>).class_type);
  addMessage('execution_start', { prompt_id: promptId }, false);
  const signatures = computeSignatures(prompt, deps.dirs);
  deps.cache.retainOnly(new Set(signatures.values()));
  const isCached = (id: string) => deps.cache.get(signatures.get(id) ?? '') !== undefined;
  const cachedNodes = Object.keys(prompt).filter(isCached);
  addMessage('execution_cached', { nodes: cachedNodes, prompt_id: promptId }, false);

  const progress = new ProgressReporter(promptId, (type, data) => deps.send(type, data, sid));
  const isOutputNode = (id: string) => deps.catalogue.get(classOf(id))?.output_node === true;
  const order = executionOrder(prompt, item.outputsToExecute, isCached, isOutputNode);
  const nodesToRun = order.filter((id) => !isCached(id)).length;
  const promptSeenByNodes = withIsChangedMarks(prompt, deps.dirs);
  const results = new Map<string, NodeValue[]>();
  const executed: string[] = [];
  let outcome: PromptRunOutcome = 'success';
  let faultPending = deps.faults.hang || deps.faults.fail;

  const resolveInputs = (id: string): Record<string, unknown> => {
    const node = prompt[id] as Record<string, unknown>;
    const inputs = isPlainObject(node.inputs) ? node.inputs : {};
    const resolved: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(inputs)) {
      if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') {
        const source = results.get(value[0]) ?? deps.cache.get(signatures.get(value[0]) ?? '')?.outputs;
        resolved[name] = source?.[Number(value[1])];
      } else {
        resolved[name] = value;
      }
    }
    return resolved;
  };

  try {
    for (const nodeId of order) {
      const classType = classOf(nodeId);
      const cached = deps.cache.get(signatures.get(nodeId) ?? '');
      if (cached && !faultPending) {
        toClient('executed', { node: nodeId, display_node: nodeId, output: cached.ui ?? null, prompt_id: promptId });
        progress.finish(nodeId);
        continue;
      }
      control.check();
      progress.start(nodeId);
      deps.onNodeStart(nodeId);
      toClient('executing', { node: nodeId, display_node: nodeId, prompt_id: promptId });
      const inputs = resolveInputs(nodeId);
      try {
        if (faultPending) {
          faultPending = false;
          if (deps.faults.hang) await control.waitForever();
          throw new PythonException('RuntimeError', deps.faults.failMessage, INJECTED_FAILURE_TRACEBACK);
        }
        const runner = runnerFor(classType);
        const outputTypes = deps.catalogue.get(classType)?.output ?? [];
        const duration = deps.nodeDurationMs(classType, nodesToRun);
        const steps = Math.max(0, runner ? (runner.steps?.(inputs) ?? 0) : genericSteps(inputs, outputTypes));
        if (steps > 0) {
          const reported = Math.min(steps, MAX_PROGRESS_MESSAGES);
          for (let i = 1; i <= reported; i++) {
            await control.wait(duration / reported);
            const value = Math.round((i * steps) / reported);
            deps.send('progress', { value, max: steps, prompt_id: promptId, node: nodeId }, sid);
            progress.update(nodeId, value, steps);
          }
        } else {
          await control.wait(duration);
        }
        const context: NodeRunContext = {
          nodeId,
          classType,
          promptId,
          inputs,
          prompt: promptSeenByNodes,
          extraData: item.extraData,
          dirs: deps.dirs,
          outputTypes,
          isBrokenCheckpoint: deps.isBrokenCheckpoint,
          reportProgress: (value, max, previewPng) => {
            deps.send('progress', { value, max, prompt_id: promptId, node: nodeId }, sid);
            progress.update(nodeId, value, max);
            if (!previewPng) return;
            const metadata = { node_id: nodeId, prompt_id: promptId, display_node_id: nodeId, parent_node_id: null, real_node_id: nodeId };
            deps.sendPreviewImage(previewPng, sid, metadata);
          },
        };
        const result = runner ? runner.run(context) : runGenericNode(context);
        results.set(nodeId, result.outputs);
        deps.cache.set(signatures.get(nodeId) ?? nodeId, { outputs: result.outputs, ui: result.ui });
        executed.push(nodeId);
        if (result.ui) toClient('executed', { node: nodeId, display_node: nodeId, output: result.ui, prompt_id: promptId });
        progress.finish(nodeId);
      } catch (error) {
        if (error instanceof RunStopped) throw error;
        throw { nodeId, exception: toPythonException(error), inputs } satisfies NodeFailure;
      }
    }
    addMessage('execution_success', { prompt_id: promptId }, false);
  } catch (error) {
    if (error instanceof RunStopped) {
      if (error.reason === 'cancel') throw error;
      outcome = 'interrupted';
      const nodeId = progress.lastStarted ?? order[0] ?? '';
      addMessage(
        'execution_interrupted',
        { prompt_id: promptId, node_id: nodeId, node_type: nodeId ? classOf(nodeId) : '', executed },
        true,
      );
    } else {
      outcome = 'error';
      const failure = error as NodeFailure;
      addMessage(
        'execution_error',
        {
          prompt_id: promptId,
          node_id: failure.nodeId,
          node_type: classOf(failure.nodeId),
          executed,
          exception_message: `${failure.exception.message}\n`,
          exception_type: failure.exception.pythonType,
          traceback: failure.exception.pythonTraceback,
          current_inputs: currentInputs(failure, prompt),
          current_outputs: Object.keys(prompt),
        },
        false,
      );
    }
  }
  deps.onNodeStart(undefined);
  return { outcome, entry: buildHistoryEntry(item, outcome, messages, signatures, deps.cache) };
}

function toPythonException(error: unknown): PythonException {
  if (error instanceof PythonException) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PythonException('Exception', message);
}

/** `current_inputs`: every input as a one-element list, non-primitives as `str()`; hidden inputs too. */
function currentInputs(failure: NodeFailure, prompt: Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(failure.inputs)) {
    const primitive = value === null || ['string', 'number', 'boolean'].includes(typeof value);
    out[name] = [primitive ? value : describeValue(value)];
  }
  const node = prompt[failure.nodeId] as Record<string, unknown>;
  if (node.class_type === 'SaveImage' || node.class_type === 'PreviewImage') {
    out.prompt = [pyStr(prompt)];
    out.extra_pnginfo = [null];
  }
  return out;
}

function buildHistoryEntry(
  item: QueueItem,
  outcome: PromptRunOutcome,
  messages: Array<[string, unknown]>,
  signatures: Map<string, string>,
  cache: OutputCache,
): HistoryEntry {
  const outputs = new Map<string, unknown>();
  const meta = new Map<string, unknown>();
  for (const nodeId of Object.keys(item.prompt)) {
    const ui = cache.get(signatures.get(nodeId) ?? '')?.ui;
    if (ui === undefined) continue;
    outputs.set(nodeId, ui);
    meta.set(nodeId, { node_id: nodeId, display_node: nodeId, parent_node: null, real_node_id: nodeId });
  }
  const extraData = { ...item.extraData };
  delete extraData.auth_token_comfy_org;
  delete extraData.api_key_comfy_org;
  return {
    prompt: queueTuple(item, extraData),
    outputs,
    status: { status_str: outcome === 'success' ? 'success' : 'error', completed: outcome === 'success', messages },
    meta,
  };
}
