import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EmulatorContext } from '../emulator-context';
import { isInside } from '../files/annotated-path';
import { bareReply, jsonReply, type HttpReply } from '../http/http-reply';
import type { Route, RouteRequest } from '../http/router';
import { PythonException } from '../python/python-values';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function parseMultipart(request: RouteRequest): Promise<FormData> {
  const contentType = request.headers['content-type'];
  if (typeof contentType !== 'string' || !contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new PythonException('AssertionError', 'multipart/form-data expected');
  }
  // undici (built into Node) parses multipart bodies for us.
  return new Response(request.body, { headers: { 'content-type': contentType } }).formData();
}

function textField(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** `server.py` `image_upload`: `name (1).ext` on clashes, identical content kept under the existing name. */
async function uploadImage(context: EmulatorContext, request: RouteRequest): Promise<HttpReply> {
  const form = await parseMultipart(request);
  const image = form.get('image');
  const overwrite = textField(form, 'overwrite');
  const uploadType = textField(form, 'type') ?? 'input';
  if (uploadType !== 'input' && uploadType !== 'temp' && uploadType !== 'output') {
    // 0.3.64 crashes on unknown types (UnboundLocalError).
    throw new PythonException('UnboundLocalError', "cannot access local variable 'type_dir'");
  }
  const uploadDir = context.dirs[uploadType];
  if (!image || typeof image === 'string') return bareReply(400);
  let filename = image.name;
  if (!filename) return bareReply(400);
  const subfolder = textField(form, 'subfolder') ?? '';
  const folder = path.join(uploadDir, path.normalize(subfolder || '.'));
  let filepath = path.resolve(folder, filename);
  if (!isInside(uploadDir, filepath)) return bareReply(400);
  fs.mkdirSync(folder, { recursive: true });
  const bytes = Buffer.from(await image.arrayBuffer());
  const ext = path.extname(filename);
  const stem = filename.slice(0, filename.length - ext.length);
  let duplicate = false;
  if (overwrite !== 'true' && overwrite !== '1') {
    const digest = sha256(bytes);
    for (let i = 1; fs.existsSync(filepath); i++) {
      if (sha256(fs.readFileSync(filepath)) === digest) {
        duplicate = true;
        break;
      }
      filename = `${stem} (${i})${ext}`;
      filepath = path.join(folder, filename);
    }
  }
  if (!duplicate) fs.writeFileSync(filepath, bytes);
  return jsonReply({ name: filename, subfolder, type: uploadType });
}

export function uploadImageRoutes(context: EmulatorContext): Route[] {
  return [{ method: 'POST', pattern: '/upload/image', handler: (request) => uploadImage(context, request) }];
}
