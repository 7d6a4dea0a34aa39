import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPipelineRun, recordCandidate, type ImageCandidate, type PipelineRun, type PipelineStep } from '@kiln/pipeline';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import type { DataSource } from 'typeorm';

const folders: string[] = [];

export function tempFolder(prefix = 'kiln-gallery-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

export function removeTempFolders(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A real PNG of one colour. */
export function png(size = 64, red = 200): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: red, g: 80, b: 40 } } }).png().toBuffer();
}

export interface GalleryRun {
  run: PipelineRun & { steps: PipelineStep[] };
  folder: string;
  candidates: ImageCandidate[];
}

/** A pipeline run with `count` base candidates whose PNG and sidecar are really on disk. */
export async function runWithCandidates(dataSource: DataSource, count: number, name = 'portraits'): Promise<GalleryRun> {
  const folder = tempFolder();
  const run = await createPipelineRun(dataSource.manager, {
    name,
    kind: 'pipeline',
    targetFolder: folder,
    baseSeed: 1,
    steps: [{ name: 'heroes', workflow: 'txt2img', baseCount: count, childrenPerSelected: 2, naming: 'unique' }],
  });
  mkdirSync(path.join(folder, 'heroes'), { recursive: true });
  const candidates: ImageCandidate[] = [];
  for (let index = 0; index < count; index++) {
    const imagePath = path.join(folder, 'heroes', `hero-${index}.png`);
    writeFileSync(imagePath, await png(64, 40 + index));
    const sidecar = { item: `heroes #${index}`, seed: 1000 + index, promptId: `prompt-${index}`, server: 'http://gpu:8188', sha256: 'ab'.repeat(32), prompt: `a hero number ${index}`, negativePrompt: 'blurry', checkpoint: 'sd_xl_base_1.0.safetensors', steps: 20, cfg: 7 };
    writeFileSync(imagePath.replace(/\.png$/, '.json'), JSON.stringify(sidecar));
    const { candidate } = await recordCandidate(dataSource.manager, { stepId: run.steps[0].id, index, imagePath, seed: 1000 + index, metadata: { prompt: sidecar.prompt } });
    candidates.push(candidate);
  }
  return { run, folder, candidates };
}

/** The CSRF token a page carries in its meta tag. */
export function csrfOf(page: LightMyRequestResponse): string {
  const match = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body);
  if (!match) throw new Error(`no CSRF token in the page:\n${page.body.slice(0, 500)}`);
  return match[1];
}
