import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as testing from '@kiln/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiWorkflow } from '@kiln/job-orchestration';
import { ComfyUiClient } from '../../src/index';
import { ComfyUiError } from '../../src/errors';
import { declaredInputs } from '../../src/preflight/input-spec';
import { listOfferedModels } from '../../src/preflight/model-folders';
import { preflightWorkflow } from '../../src/preflight/preflight-workflow';
import { ServerCatalogues, type ServerCatalogue } from '../../src/preflight/server-catalogues';
import { loadWorkflow } from '../fixtures/comfyui-fixtures';

/**
 * The preflight against the live server at COMFYUI_CONTRACT_URL (else the emulator): what it
 * refuses, the server refuses with the same error type on the same node and input, and what it
 * passes, the server queues. Every model name is read from the server's own lists, never assumed.
 */
type ContractServer = { url: string; stop(): Promise<void> };
const startContractServer = (testing as unknown as Record<string, unknown>)['startContractServer'] as (() => Promise<ContractServer>) | undefined;
const liveUrl = process.env['COMFYUI_CONTRACT_URL'];
const describeContract = liveUrl || typeof startContractServer === 'function' ? describe : describe.skip;

const TIMEOUT_MS = 60_000;

function withNode(workflow: ApiWorkflow, nodeId: string, inputs: Record<string, unknown>): ApiWorkflow {
  return { ...workflow, [nodeId]: { ...workflow[nodeId], inputs: { ...workflow[nodeId].inputs, ...inputs } } };
}

/** `[code, node, input]` of each problem, sorted: ComfyUI lists one node's errors in a per-process random order. */
function sortedKeys(entries: Array<[string, string, string | undefined]>): string[] {
  return entries.map((entry) => JSON.stringify(entry)).sort();
}

async function serverVerdict(client: ComfyUiClient, workflow: ApiWorkflow): Promise<{ accepted: true; promptId: string } | { accepted: false; error: ComfyUiError }> {
  try {
    const { promptId } = await client.submitPrompt(workflow, { promptId: randomUUID() });
    return { accepted: true, promptId };
  } catch (error) {
    if (error instanceof ComfyUiError && error.code === 'COMFYUI_WORKFLOW_REJECTED') return { accepted: false, error };
    throw error;
  }
}

describeContract('preflight contract: agrees with the server', () => {
  const runId = randomUUID().slice(0, 8);
  const accepted: string[] = [];
  let server: ContractServer | undefined;
  let client: ComfyUiClient;
  let catalogue: ServerCatalogue;

  beforeAll(async () => {
    server = liveUrl ? undefined : await startContractServer?.();
    client = new ComfyUiClient({ baseUrl: liveUrl ?? server?.url ?? '', retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 500 }, requestTimeoutMs: 20_000 });
    catalogue = await new ServerCatalogues(() => client).get(client.baseUrl);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await client?.deleteFromQueue(accepted).catch(() => undefined);
    await client?.deleteFromHistory(accepted).catch(() => undefined);
    await server?.stop();
  }, TIMEOUT_MS);

  it('reads the catalogue with the server identity, and lists the checkpoints /models/checkpoints lists', async () => {
    const offered = listOfferedModels(catalogue.objectInfo);

    expect(catalogue.identity).toMatch(/^ComfyUI /);
    expect(Object.keys(catalogue.objectInfo).length).toBeGreaterThan(50);
    expect([...(offered['checkpoints'] ?? [])].sort()).toEqual([...(await client.listCheckpoints())].sort());
  });

  it('passes a no-model workflow the server then queues', async () => {
    const workflow = withNode(loadWorkflow('empty_save'), '2', { filename_prefix: `kiln-contract/${runId}/preflight` });

    const problems = preflightWorkflow(workflow, catalogue.objectInfo);
    const verdict = await serverVerdict(client, workflow);

    expect(problems).toEqual([]);
    expect(verdict.accepted).toBe(true);
    if (verdict.accepted) accepted.push(verdict.promptId);
  }, TIMEOUT_MS);

  it('refuses what the server refuses, with the same type on the same node and input', async () => {
    const offered = listOfferedModels(catalogue.objectInfo)['checkpoints'] ?? [];
    const cases: Array<[ApiWorkflow, string]> = [
      [withNode(loadWorkflow('ckpt_not_in_list'), '1', { ckpt_name: `kiln-contract-missing-${runId}.safetensors` }), 'value_not_in_list'],
      [loadWorkflow('missing_required_input'), 'required_input_missing'],
      [loadWorkflow('value_out_of_range'), 'value_smaller_than_min'],
    ];

    for (const [workflow, type] of cases) {
      const problems = preflightWorkflow(workflow, catalogue.objectInfo);
      const verdict = await serverVerdict(client, workflow);

      expect(verdict.accepted).toBe(false);
      if (verdict.accepted) continue;
      expect(problems.map((p) => [p.code, p.nodeId, p.input])).toEqual(verdict.error.nodeErrors.map((e) => [e.type, e.nodeId, e.inputName]));
      expect(problems[0].code).toBe(type);
    }
    const missing = preflightWorkflow(cases[0][0], catalogue.objectInfo)[0];
    expect([...(missing.choices ?? [])].sort()).toEqual([...offered].sort());
  }, TIMEOUT_MS);

  it('finds every problem the server finds in a LoRA chain at once, reading names and bounds from the server', async () => {
    const offered = listOfferedModels(catalogue.objectInfo);
    const bound = (classType: string, input: string, key: 'min' | 'max'): number => {
      const value = declaredInputs(catalogue.objectInfo[classType]).find((d) => d.name === input)?.options[key];
      if (typeof value !== 'number') throw new Error(`${classType}.${input} declares no ${key}`);
      return value;
    };
    const corpus = JSON.parse(readFileSync(path.join(testing.workflowCorpusDir(), 'sd15-lora-chain.api.json'), 'utf8')) as ApiWorkflow;
    const missingLora = `kiln-contract-missing-${runId}.safetensors`;
    let workflow = withNode(corpus, '4', { ckpt_name: offered['checkpoints']?.[0] ?? `kiln-contract-none-${runId}.safetensors` });
    workflow = withNode(workflow, '10', { lora_name: missingLora });
    workflow = withNode(workflow, '11', { lora_name: offered['loras']?.[0] ?? missingLora });
    workflow = withNode(workflow, '3', { scheduler: `kiln-contract-${runId}`, steps: bound('KSampler', 'steps', 'max') + 1 });
    workflow = withNode(workflow, '5', { width: bound('EmptyLatentImage', 'width', 'min') - 1 });
    delete workflow['5'].inputs['batch_size'];
    workflow = withNode(workflow, '8', { vae: ['4', 0] });

    const problems = preflightWorkflow(workflow, catalogue.objectInfo);
    const verdict = await serverVerdict(client, workflow);

    expect(verdict.accepted).toBe(false);
    if (verdict.accepted) return;
    expect(sortedKeys(problems.map((p) => [p.code, p.nodeId, p.input]))).toEqual(sortedKeys(verdict.error.nodeErrors.map((e) => [e.type, e.nodeId, e.inputName])));
    expect(problems.map((p) => p.code)).toEqual(
      expect.arrayContaining(['value_not_in_list', 'value_bigger_than_max', 'value_smaller_than_min', 'required_input_missing', 'return_type_mismatch']),
    );
    const lora = problems.find((p) => p.nodeId === '10' && p.input === 'lora_name');
    expect(lora).toMatchObject({ folder: 'loras', offered: offered['loras']?.length ?? 0 });
    expect(offered['loras'] ?? []).toEqual(expect.arrayContaining(lora?.choices ?? ['(none)']));
  }, TIMEOUT_MS);

  it('names a node class the server does not have, which the server refuses as well', async () => {
    const workflow = loadWorkflow('unknown_class_type');

    const problems = preflightWorkflow(workflow, catalogue.objectInfo);
    const verdict = await serverVerdict(client, workflow);

    expect(problems).toEqual([expect.objectContaining({ code: 'missing_node_class', classType: 'NoSuchNodeType' })]);
    expect(verdict.accepted).toBe(false);
  }, TIMEOUT_MS);
});
