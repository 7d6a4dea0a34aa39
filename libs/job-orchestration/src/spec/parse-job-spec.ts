import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { decodeSpecText, MAX_SPEC_BYTES, tooLargeIssue, type JobSpecFormat } from './decode-spec-text';
import { JobSpec } from './job-spec.classes';
import { resolveInside } from './resolve-inside';
import { resolveJobSpec } from './resolve-job-spec';
import type { ReadWorkflowFile } from './workflow-loader';
import type { ResolvedJobSpec } from './resolved-job-spec';
import type { ObjectInfo } from '../workflow/object-info';
import { formatSpecIssues, validationErrorsToIssues, type SpecIssue } from './spec-issue';

/** Largest workflow file a spec may point at. */
const MAX_WORKFLOW_BYTES = 5 * 1024 * 1024;
/** Largest input image (`image:`, `mask:`) a spec may point at. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Options of {@link parseJobSpec}. */
export interface ParseJobSpecOptions {
  /** Folder relative paths in the spec are resolved against (the spec file's folder). */
  baseDir: string;
  /** Shown in messages; its extension picks the format when `format` is not given. */
  sourceName?: string;
  format?: JobSpecFormat;
  /** Reads workflow files; defaults to a size-bounded read that refuses symlinks leaving `baseDir`. */
  readWorkflowFile?: ReadWorkflowFile;
  /** Most images the spec may ask for (KILN_MAX_IMAGES); default 10,000. */
  maxImages?: number;
  /** sha256 of an input image; defaults to a size-bounded read with the same symlink rule. */
  hashInputFile?: (absolutePath: string) => string;
  /** The server's `/object_info`, to convert UI-format workflow files; without it they are an error (code `needs-object-info`). */
  objectInfo?: ObjectInfo;
}

/** A valid spec, or every problem found in it at once (`message` renders them all). */
export type ParseJobSpecResult =
  | { ok: true; spec: ResolvedJobSpec }
  | { ok: false; issues: SpecIssue[]; message: string };

/** Parses, validates and resolves job file text. Never runs anything the text contains. */
export function parseJobSpec(text: string, options: ParseJobSpecOptions): ParseJobSpecResult {
  const sourceName = options.sourceName ?? 'job spec';
  const format = options.format ?? (/\.json$/i.test(sourceName) ? 'json' : 'yaml');
  const decoded = decodeSpecText(text, format);
  if (!decoded.ok) return failure(decoded.issues, sourceName);
  if (typeof decoded.data !== 'object' || decoded.data === null || Array.isArray(decoded.data)) {
    const empty = decoded.data === null || decoded.data === undefined;
    return failure(
      [{ path: '', kind: 'invalid', message: empty ? 'the file is empty' : 'the top level must be a mapping', fix: 'start with "version: 1", "output:" and "items:"' }],
      sourceName,
    );
  }
  const source = decoded.data as Record<string, unknown>;
  const spec = plainToInstance(JobSpec, source);
  const issues = validationErrorsToIssues(
    validateSync(spec, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: true, value: true } }),
  );
  const readWorkflowFile = options.readWorkflowFile ?? boundedReader(options.baseDir);
  const hashInputFile = options.hashInputFile ?? boundedHasher(options.baseDir);
  const resolved = resolveJobSpec(spec, source, { baseDir: options.baseDir, readWorkflowFile, hashInputFile, objectInfo: options.objectInfo, maxImages: options.maxImages });
  issues.push(...resolved.issues);
  if (issues.length || !resolved.resolved) return failure(issues, sourceName);
  return { ok: true, spec: resolved.resolved };
}

/** Reads a job file (`.json` is JSON, anything else YAML) and parses it like {@link parseJobSpec}. */
export function loadJobSpecFile(file: string, options: Pick<ParseJobSpecOptions, 'objectInfo' | 'maxImages'> = {}): ParseJobSpecResult {
  const absolute = path.resolve(file);
  const sourceName = path.basename(absolute);
  let size: number;
  try {
    const stat = fs.statSync(absolute);
    if (!stat.isFile()) return failure([{ path: '', kind: 'invalid', message: `${absolute} is not a file`, fix: 'give the path of a .yaml or .json job file' }], sourceName);
    size = stat.size;
  } catch (error) {
    return failure([{ path: '', kind: 'invalid', message: `cannot read ${absolute}: ${(error as Error).message}`, fix: 'check the path' }], sourceName);
  }
  // Checked before reading so a huge file is never loaded into memory.
  if (size > MAX_SPEC_BYTES) return failure([tooLargeIssue(size)], sourceName);
  return parseJobSpec(fs.readFileSync(absolute, 'utf8'), { baseDir: path.dirname(absolute), sourceName, objectInfo: options.objectInfo, maxImages: options.maxImages });
}

function boundedReader(baseDir: string): ReadWorkflowFile {
  return (absolutePath) => fs.readFileSync(checkedRealPath(baseDir, absolutePath, MAX_WORKFLOW_BYTES, 'workflow files'), 'utf8');
}

function boundedHasher(baseDir: string): (absolutePath: string) => string {
  return (absolutePath) => createHash('sha256').update(fs.readFileSync(checkedRealPath(baseDir, absolutePath, MAX_INPUT_BYTES, 'input images'))).digest('hex');
}

function checkedRealPath(baseDir: string, absolutePath: string, maxBytes: number, what: string): string {
  // A symlink inside the folder could still point anywhere: check where it really lands.
  const real = fs.realpathSync(absolutePath);
  const inside = resolveInside(fs.realpathSync(baseDir), path.relative(fs.realpathSync(baseDir), real));
  if (!inside.ok) throw new Error(`it is a link to ${real}, outside the spec's folder`);
  const stat = fs.statSync(real);
  // A FIFO or a device (/dev/zero) would block the read or never end.
  if (!stat.isFile()) throw new Error('it is not a regular file (a folder, FIFO or device)');
  const size = stat.size;
  if (size > maxBytes) throw new Error(`it is ${size} bytes; ${what} are limited to ${maxBytes}`);
  return real;
}

function failure(issues: SpecIssue[], sourceName: string): ParseJobSpecResult {
  return { ok: false, issues, message: formatSpecIssues(issues, sourceName) };
}
