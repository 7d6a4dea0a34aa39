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
  comfyuiFile: { filename: string; subfolder: string; type: string };
  createdAt: string;
  /** prompt, checkpoint, size, sampler… from the job's summary. */
  [key: string]: unknown;
}

/** `out/mallsing.png` → `out/mallsing.json`. */
export function sidecarPath(imagePath: string): string {
  return imagePath.replace(/\.(png|jpe?g|webp)$/i, '') + '.json';
}
