import type { ComfyUiClient } from '../client/comfyui-client';
import type { UploadedImage } from '../client/types';
import { readInputFile, type UploadRole } from '../files/read-input-file';

/**
 * Uploads each input file once per server for the life of an engine: its name is made from the
 * content's sha256 (`kiln-in-<sha>.png`), so a name the server already took has this very content.
 * Jobs posting at once share one upload; a failed upload is forgotten and tried again by the next job.
 */
export class UploadOnce {
  private readonly uploads = new Map<string, Promise<UploadedImage>>();

  /** The stored file, and whether an earlier job sent it (the server may have lost it since). */
  async upload(client: ComfyUiClient, server: string, file: { localPath: string; uploadName: string; role?: UploadRole }): Promise<{ stored: UploadedImage; reused: boolean }> {
    const key = `${server}\n${file.uploadName}`;
    const known = this.uploads.get(key);
    if (known) return { stored: await known, reused: true };
    const started = readInputFile(file.localPath, file.role).then((bytes) => client.uploadImage(bytes, { filename: file.uploadName, overwrite: true }));
    this.uploads.set(key, started);
    started.catch(() => this.uploads.delete(key));
    return { stored: await started, reused: false };
  }

  /** Sends these files again next time: the server refused a prompt that used them. */
  forget(server: string, uploadNames: string[]): void {
    for (const name of uploadNames) this.uploads.delete(`${server}\n${name}`);
  }
}
