import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EmulatorContext } from '../emulator-context';
import { isInside, parseAnnotatedPath, type FolderType } from '../files/annotated-path';
import { viewContentType } from '../files/mime-types';
import { bareReply, type HttpReply } from '../http/http-reply';
import type { Route, RouteRequest } from '../http/router';
import { decodePng } from '../image/png-decoder';
import { encodePng } from '../image/png-encoder';

const FOLDER_TYPES: FolderType[] = ['output', 'input', 'temp'];

/** `channel=rgb|a` for PNG sources (other formats are served raw). */
function extractChannel(file: Buffer, channel: string): Buffer | undefined {
  const decoded = decodePng(file);
  if (!decoded) return undefined;
  if (channel === 'rgb') return encodePng({ width: decoded.width, height: decoded.height, pixels: decoded.rgb, channels: 3 });
  const rgba = new Uint8Array(decoded.width * decoded.height * 4);
  for (let i = 0; i < decoded.width * decoded.height; i++) rgba[i * 4 + 3] = decoded.alpha ? decoded.alpha[i] : 255;
  return encodePng({ width: decoded.width, height: decoded.height, pixels: rgba, channels: 4 });
}

function etagOf(stat: fs.Stats): string {
  const mtimeNs = BigInt(Math.floor(stat.mtimeMs * 1e6));
  return `"${mtimeNs.toString(16)}-${stat.size.toString(16)}"`;
}

/** A single `bytes=a-b` range, as aiohttp's FileResponse serves it. */
function rangeOf(header: string | undefined, size: number): [number, number] | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(size - 1, Number(match[2]));
  }
  return start > end || start >= size ? 'invalid' : [start, end];
}

/** `server.py` `view_image`: the checks in ComfyUI's order, then the file with FileResponse headers. */
function viewImage(context: EmulatorContext, request: RouteRequest): HttpReply {
  const query = request.query;
  const rawName = query.get('filename');
  if (rawName === null) return bareReply(404);
  const annotated = parseAnnotatedPath(rawName);
  const filename = annotated.name;
  if (!filename) return bareReply(400);
  if (filename.startsWith('/') || filename.includes('..')) return bareReply(400);
  const type = annotated.folderType ?? query.get('type') ?? 'output';
  if (!FOLDER_TYPES.includes(type as FolderType)) return bareReply(400);
  const baseDir = context.dirs[type as FolderType];
  let dir = baseDir;
  const subfolder = query.get('subfolder');
  if (subfolder !== null) {
    dir = path.join(baseDir, subfolder);
    if (!isInside(baseDir, path.resolve(dir))) return bareReply(403);
  }
  const baseName = path.posix.basename(filename);
  const file = path.join(dir, baseName);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return bareReply(404);
  }
  if (!stat.isFile()) return bareReply(404);

  let body: Buffer = fs.readFileSync(file);
  let contentType = viewContentType(baseName);
  const channel = query.get('channel');
  if (!query.has('preview') && (channel === 'rgb' || channel === 'a')) {
    const converted = extractChannel(body, channel);
    if (converted) {
      body = converted;
      contentType = 'image/png';
    }
  }
  const headers: Record<string, string> = {
    'Content-Disposition': `filename="${baseName}"`,
    'Content-Type': contentType,
    Etag: etagOf(stat),
    'Last-Modified': stat.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim() === headers.Etag)) {
    return { status: 304, headers: { Etag: headers.Etag, 'Last-Modified': headers['Last-Modified'] }, body: Buffer.alloc(0) };
  }
  const range = rangeOf(request.headers.range as string | undefined, body.length);
  if (range === 'invalid') {
    return { status: 416, headers: { 'Content-Range': `bytes */${body.length}` }, body: Buffer.alloc(0) };
  }
  let status = 200;
  if (range) {
    headers['Content-Range'] = `bytes ${range[0]}-${range[1]}/${body.length}`;
    body = body.subarray(range[0], range[1] + 1);
    status = 206;
  }
  return applyDownloadFaults(context, { status, headers, body });
}

function applyDownloadFaults(context: EmulatorContext, reply: HttpReply): HttpReply {
  const faults = context.faults.value;
  let result = reply;
  if (faults.viewBytesPerSecond > 0) result = { ...result, bytesPerSecond: faults.viewBytesPerSecond };
  if (context.faults.take('corruptViews')) {
    if (faults.corruptViewMode === 'truncate') {
      result = { ...result, truncateAt: Math.floor(result.body.length / 2) };
    } else {
      const garbage = Buffer.from(result.body);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (garbage[i] ^ 0xa5) & 0xff;
      result = { ...result, body: garbage };
    }
  }
  return result;
}

export function viewRoutes(context: EmulatorContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/view',
      handler: async (request) => {
        const delay = context.faults.value.viewDelayMs;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        return viewImage(context, request);
      },
    },
  ];
}
