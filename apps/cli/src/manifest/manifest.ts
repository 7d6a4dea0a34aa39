import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../errors';
import { MAX_OUTPUT_FILE_BYTES, NotARegularFileError, readRegularFileSync } from '../files/read-regular-file';

export const MANIFEST_FILE = 'kiln-manifest.json';

/** What the manifest knows about one file kiln made. */
export interface ManifestEntry {
  /** Item name as written in the spec. */
  item: string;
  /** Image index within the item (0-based). */
  index: number;
  /** Fingerprint of everything that decides the image (see `itemKey`): equal key, same item. */
  itemKey: string;
  prompt?: string;
  negativePrompt?: string;
  checkpoint?: string;
  seed: number;
  /** `workflow`: the seed the workflow file holds (the spec said `seed: workflow`). */
  seedMode: 'fixed' | 'random' | 'workflow';
  /** sha256 of the input files the item was made from (`image:`, `mask:`). */
  inputs?: { image?: string; mask?: string };
  /** The output node the file came from; images of one batch share the seed (`batchIndex` says which). */
  output?: { nodeId: string; batchIndex: number; batchSize: number };
  promptId?: string;
  sha256: string;
  /** The spec file (or `kiln generate`) that made it. */
  source: string;
  runId?: string;
  createdAt: string;
}

interface ManifestFile {
  version: 1;
  /** Keyed by path relative to the output folder, `/`-separated. */
  files: Record<string, ManifestEntry>;
}

/**
 * `kiln-manifest.json` in an output folder: which files kiln made there, from which item, with which
 * seed and hash. Rewritten whole to a temporary file and renamed, so a crash leaves the old or the
 * new manifest, never half of one.
 */
export class Manifest {
  private constructor(
    readonly dir: string,
    private readonly data: ManifestFile,
    /** Set when an unreadable manifest was set aside. */
    readonly warning?: string,
  ) {}

  static load(dir: string): Manifest {
    const file = path.join(dir, MANIFEST_FILE);
    let text: string;
    try {
      text = readRegularFileSync(file, MAX_OUTPUT_FILE_BYTES).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Manifest(dir, { version: 1, files: {} });
      if (error instanceof NotARegularFileError) {
        throw new CliError('INVALID_INPUT', `cannot use the output folder's manifest: ${error.message}; nothing was queued\n  fix: remove it (kiln writes a new one), or choose another output folder`);
      }
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as ManifestFile;
      if (parsed?.version !== 1 || typeof parsed.files !== 'object' || parsed.files === null) throw new Error('unknown format');
      return new Manifest(dir, parsed);
    } catch (error) {
      const aside = `${file}.unreadable-${Date.now()}`;
      fs.renameSync(file, aside);
      return new Manifest(dir, { version: 1, files: {} }, `${file} was unreadable (${(error as Error).message}); moved it to ${aside} and started a new one`);
    }
  }

  get(relativeFile: string): ManifestEntry | undefined {
    return this.data.files[toKey(relativeFile)];
  }

  entries(): Array<[string, ManifestEntry]> {
    return Object.entries(this.data.files);
  }

  /** Records (or replaces) a file's entry and saves at once. */
  record(relativeFile: string, entry: ManifestEntry): void {
    this.recordAll([[relativeFile, entry]]);
  }

  /**
   * Records (or replaces) the entries of one job's files and saves at once. When the save fails
   * (a full disk), the manifest stays as it was, on disk and here: a later save must not list files
   * that were taken away because this one failed.
   */
  recordAll(entries: ReadonlyArray<[relativeFile: string, entry: ManifestEntry]>): void {
    const before = new Map(entries.map(([file]) => [toKey(file), this.data.files[toKey(file)]]));
    for (const [file, entry] of entries) this.data.files[toKey(file)] = entry;
    try {
      this.save();
    } catch (error) {
      for (const [key, previous] of before) {
        if (previous) this.data.files[key] = previous;
        else delete this.data.files[key];
      }
      throw error;
    }
  }

  save(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, MANIFEST_FILE);
    const temp = `${file}.${process.pid}.tmp`;
    const sorted: ManifestFile = { version: 1, files: Object.fromEntries(Object.entries(this.data.files).sort(([a], [b]) => a.localeCompare(b))) };
    try {
      fs.writeFileSync(temp, `${JSON.stringify(sorted, null, 2)}\n`);
      fs.renameSync(temp, file);
    } catch (error) {
      // A full disk fails the write half-way: leave no temporary file, the old manifest stands.
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }
}

function toKey(relativeFile: string): string {
  return relativeFile.split(path.sep).join('/');
}
