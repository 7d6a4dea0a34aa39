import * as fs from 'node:fs';
import * as path from 'node:path';
import { postJson, waitForHistory } from './client';

interface SavedImage {
  filename: string;
  subfolder: string;
  type: string;
}

export interface FinishedPrompt {
  promptId: string;
  status: string;
  messages: Array<[string, Record<string, unknown>]>;
  outputs: Record<string, { images: SavedImage[] }>;
}

/** A workflow of the shared corpus (tools/testing/fixtures/workflow-corpus) as users export it ("Save (API)"). */
export function loadTestWorkflow(name: string): Record<string, { class_type: string; inputs: Record<string, unknown> }> {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../../../testing/fixtures/workflow-corpus', `${name}.api.json`), 'utf8'));
}

/** POST /prompt, wait for /history, as any client would. */
export async function runWorkflow(base: string, prompt: unknown, clientId?: string): Promise<FinishedPrompt> {
  const response = await postJson(`${base}/prompt`, { prompt, client_id: clientId });
  if (response.status !== 200) throw new Error(`POST /prompt answered ${response.status}: ${response.text}`);
  const { prompt_id: promptId } = response.json<{ prompt_id: string }>();
  const entry = (await waitForHistory(base, promptId, 15000)) as {
    status: { status_str: string; messages: FinishedPrompt['messages'] };
    outputs: FinishedPrompt['outputs'];
  };
  return { promptId, status: entry.status.status_str, messages: entry.status.messages, outputs: entry.outputs };
}

/** The bytes of a saved image through /view. */
async function viewImage(base: string, image: SavedImage): Promise<Buffer> {
  const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
  const response = await fetch(`${base}/view?${query}`);
  if (response.status !== 200) throw new Error(`/view answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Every image of a finished prompt, by output node id, as fetched through /view. */
export async function viewAll(base: string, finished: FinishedPrompt): Promise<Record<string, Buffer[]>> {
  const all: Record<string, Buffer[]> = {};
  for (const [nodeId, output] of Object.entries(finished.outputs)) {
    all[nodeId] = await Promise.all(output.images.map((image) => viewImage(base, image)));
  }
  return all;
}

