import type { ComfyUiClient } from '../client/comfyui-client';
import type { ObjectInfo } from '@kiln/job-orchestration';
import type { SystemStats } from '../client/types';

/** What one server can run: its node classes with their inputs and model lists, and who it is. */
export interface ServerCatalogue {
  server: string;
  /** The server for messages: its URL without credentials. */
  label: string;
  /** ComfyUI version and devices from `/system_stats`, e.g. `ComfyUI 0.3.64 on cuda:0 NVIDIA …`. */
  identity: string;
  objectInfo: ObjectInfo;
  readAt: Date;
}

/**
 * Each server's `/object_info`, read once and kept until {@link invalidate} (the event stream
 * reconnected: a restart may have brought other models or nodes). Concurrent callers share one read;
 * a failed read is not kept.
 */
export class ServerCatalogues {
  private readonly entries = new Map<string, Promise<ServerCatalogue>>();

  constructor(private readonly clientFor: (server: string) => ComfyUiClient) {}

  get(server: string): Promise<ServerCatalogue> {
    let entry = this.entries.get(server);
    if (!entry) {
      entry = readCatalogue(server, this.clientFor(server));
      this.entries.set(server, entry);
      entry.catch(() => {
        if (this.entries.get(server) === entry) this.entries.delete(server);
      });
    }
    return entry;
  }

  /** Forgets a server's catalogue: the next {@link get} reads it again. */
  invalidate(server: string): void {
    this.entries.delete(server);
  }
}

async function readCatalogue(server: string, client: ComfyUiClient): Promise<ServerCatalogue> {
  const [stats, objectInfo] = await Promise.all([client.getSystemStats(), client.getObjectInfo()]);
  return { server, label: client.baseUrl, identity: identityOf(stats), objectInfo, readAt: new Date() };
}

function identityOf(stats: SystemStats): string {
  const version = stats.system.comfyui_version ? `ComfyUI ${stats.system.comfyui_version}` : 'ComfyUI (version not reported)';
  const devices = stats.devices.map((d) => d.name).join(', ');
  return devices ? `${version} on ${devices}` : version;
}
