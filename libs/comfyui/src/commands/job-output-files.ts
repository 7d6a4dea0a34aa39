import { jobOutputNames } from '@kiln/job-orchestration';
import { collectOutputImages } from '../client/output-refs';
import type { OutputImage } from '../client/types';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';

/**
 * One image of a finished prompt and the file it becomes, relative to the run's folder: a file on
 * the server (`image`, from the history) or the bytes a `SaveImageWebsocket` node sent (`bytes`).
 */
export interface JobOutputFile {
  image?: OutputImage;
  bytes?: Buffer;
  name: string;
  nodeId: string;
  /** Which image of its node's batch (0-based) and how many the node made: they share one seed. */
  batchIndex: number;
  batchSize: number;
}

/**
 * The files a completed job yields: every image of every output node the spec chose, named
 * `name.png`, `name-1.png`… (a batch) or `name.<node slug>.png` (several nodes); a socket node's
 * images are `socketImages` (node id → images in the order sent). Jobs stored before
 * outputs were chosen keep the old rule: the first saved image. An empty list is an error to report.
 */
export function jobOutputFiles(job: ComfyUiJob, socketImages: Map<string, Buffer[]> = new Map()): { files: JobOutputFile[] } | { problem: string } {
  const images = collectOutputImages(job.resultMetadata?.outputs ?? {}, `history of ${job.promptId}`);
  const chosen = job.jobPayload.outputs;
  if (!chosen) {
    const image = images.find((i) => i.type === 'output') ?? images[0];
    return image ? { files: [{ image, name: job.jobPayload.outputName, nodeId: image.nodeId, batchIndex: 0, batchSize: 1 }] } : { problem: 'reported no image' };
  }
  const perNode: Array<Array<{ image?: OutputImage; bytes?: Buffer }>> = chosen.map((node) =>
    node.socket ? (socketImages.get(node.id) ?? []).map((bytes) => ({ bytes })) : images.filter((image) => image.nodeId === node.id).map((image) => ({ image })),
  );
  const empty = chosen.filter((_, i) => perNode[i].length === 0).map((node) => node.id);
  if (empty.length) {
    const made = [...new Set([...images.map((image) => image.nodeId), ...socketImages.keys()])];
    return { problem: `reported no image for output node ${empty.join(', ')} (images came from: ${made.join(', ') || 'no node'})` };
  }
  const names = jobOutputNames(job.jobPayload.outputName, chosen, perNode.map((list) => list.length));
  return {
    files: names.map((entry) => ({
      ...perNode[chosen.findIndex((node) => node.id === entry.nodeId)][entry.batchIndex],
      name: entry.name,
      nodeId: entry.nodeId,
      batchIndex: entry.batchIndex,
      batchSize: entry.batchSize,
    })),
  };
}
