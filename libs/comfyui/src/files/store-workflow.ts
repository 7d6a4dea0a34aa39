import * as path from 'node:path';
import { fileSha256, sha256, writeFileAtomically, type WriteFile } from './write-file-atomically';

/** Folder under a run's output folder that holds each distinct submitted workflow once. */
const WORKFLOWS_DIR = 'kiln-workflows';

/**
 * Stores the workflow the server ran as `kiln-workflows/<sha256>.json` under the output folder
 * (once per distinct graph), so every sidecar's claims can be checked against it.
 */
export async function storeWorkflow(targetFolder: string, workflow: unknown, writerKey: string, write: WriteFile = writeFileAtomically): Promise<{ sha256: string; file: string }> {
  const bytes = Buffer.from(`${JSON.stringify(workflow, null, 2)}\n`);
  const digest = sha256(bytes);
  const file = `${WORKFLOWS_DIR}/${digest}.json`;
  const target = path.join(targetFolder, WORKFLOWS_DIR, `${digest}.json`);
  if ((await fileSha256(target)) !== digest) await write(target, bytes, writerKey);
  return { sha256: digest, file };
}
