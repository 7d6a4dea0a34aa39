/** What Kiln records beside every image it writes (`<name>.json` next to `<name>.png`). */
export interface SidecarMetadata {
  item: string;
  seed: number;
  promptId: string;
  server: string;
  sha256: string;
  jobId: string;
  runId: string;
  parentCandidateId: string | null;
  /** The file on the server; absent for an image sent over the WebSocket (`comfyuiWebSocket`), which has none. */
  comfyuiFile?: { filename: string; subfolder: string; type: string };
  comfyuiWebSocket?: true;
  /** The output node the image came from; a batch shares one seed, `batchIndex` says which image it is. */
  output: { nodeId: string; batchIndex: number; batchSize: number; seedShared?: true };
  /** The workflow the server ran: its sha256 and the file beside the images that holds it. */
  workflow: { sha256: string; file: string };
  createdAt: string;
  /** prompt, checkpoint, size, sampler… from the job's summary. */
  [key: string]: unknown;
}

/** `out/mallsing.png` → `out/mallsing.json`. */
export function sidecarPath(imagePath: string): string {
  return imagePath.replace(/\.(png|jpe?g|webp)$/i, '') + '.json';
}
