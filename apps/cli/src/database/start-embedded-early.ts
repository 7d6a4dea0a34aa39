import { hasEmbeddedDatabase, startEmbeddedServer, type EmbeddedServer } from '@kiln/database';
import type { CliConfig } from '../config/cli-config';

/**
 * Starts the embedded database now, so PGlite boots (about half a second of WebAssembly, in its own
 * thread) while the command loads its code, reads the job file and asks ComfyUI for checkpoints.
 * Only for a folder that already holds a database and is free: a new folder is still created only
 * once the run goes ahead, and a locked one is still reported where the database is opened.
 * The caller closes it (or hands it to {@link openKilnDatabase}, which then owns it).
 */
export function startEmbeddedDatabaseEarly(config: CliConfig): EmbeddedServer | undefined {
  if (config.databaseUrl || !hasEmbeddedDatabase(config.dataDir)) return undefined;
  try {
    return startEmbeddedServer(config.dataDir);
  } catch {
    return undefined;
  }
}
