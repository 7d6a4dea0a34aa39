import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Kiln workspace a program file belongs to: the nearest folder above `from` holding `nx.json`.
 * The default embedded database lives there, so the worker and `kiln` share it whatever folder
 * they are started from. Undefined outside a workspace.
 */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Folder the default `KILN_DATA_DIR` resolves against: the workspace root when the variable is not
 * set (one database for every process), the current folder for a relative value a person wrote.
 */
export function dataDirBase(env: Record<string, string | undefined>, cwd: string, workspaceRoot: string | undefined): string {
  return env['KILN_DATA_DIR']?.trim() ? cwd : (workspaceRoot ?? cwd);
}
