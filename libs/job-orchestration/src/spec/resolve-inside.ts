import * as path from 'node:path';

/** Resolves a spec-relative path that must stay inside `baseDir`. */
export function resolveInside(baseDir: string, file: string): { ok: true; path: string } | { ok: false; problem: string } {
  if (file.includes('\0')) return { ok: false, problem: 'contains a NUL character' };
  if (path.isAbsolute(file) || /^[A-Za-z]:|^\\\\/.test(file)) return { ok: false, problem: 'must be relative to the spec file, not absolute' };
  const absolute = path.resolve(baseDir, file);
  const relative = path.relative(baseDir, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { ok: false, problem: `resolves to ${absolute}, outside the spec's folder ${baseDir}` };
  }
  return { ok: true, path: absolute };
}
