import type { ComfyUiJobPayload } from '../jobs/comfyui-job.entity';
import { describeProblem, type PreflightProblem } from '../preflight/preflight-problem';
import { preflightWorkflow } from '../preflight/preflight-workflow';
import type { ServerCatalogue, ServerCatalogues } from '../preflight/server-catalogues';

/** Which servers of the pool can run a job's workflow. */
export type Capability =
  /** At least one server can run it (possibly busy now). */
  | { kind: 'capable'; servers: string[] }
  /** Every server's catalogue is known and none can: `message` names per server what it lacks. */
  | { kind: 'impossible'; message: string }
  /** No known catalogue can run it yet, but some catalogue is still unread (server down, starting): wait. */
  | { kind: 'unknown' };

/**
 * Routes jobs by what each server has: a job's workflow is preflighted against every server's
 * `/object_info` (cached per step and kind, since jobs of one step differ only by seed and names).
 * Catalogues are read in the background; a server whose catalogue is unread takes no work until it
 * is read, so a job never lands on a server that lacks its models.
 */
export class CapabilityRouter {
  private readonly known = new Map<string, ServerCatalogue>();
  private readonly reading = new Set<string>();
  private readonly failing = new Set<string>();
  private readonly verdicts = new Map<string, Map<string, PreflightProblem[]>>();

  constructor(
    private readonly servers: readonly string[],
    private readonly catalogues: ServerCatalogues,
    private readonly onError: (server: string, error: unknown) => void,
    /** A catalogue was read: work deferred for want of it can go now. */
    private readonly onRead: (server: string) => void = () => undefined,
  ) {}

  /** Starts reading unread catalogues without waiting (the submitter must not stall on a dead server). */
  refreshInBackground(): void {
    for (const server of this.servers) if (!this.known.has(server) && !this.reading.has(server)) void this.read(server);
  }

  /** Forgets a server's catalogue (its event stream reconnected: it may have restarted with other files). */
  invalidate(server: string): void {
    this.catalogues.invalidate(server);
    this.known.delete(server);
    this.verdicts.delete(server);
    this.refreshInBackground();
  }

  /** The servers that can run `payload`; `key` names its workflow up to seed and names (step id and kind). */
  capabilityOf(key: string, payload: Pick<ComfyUiJobPayload, 'workflow' | 'uploads'>): Capability {
    const capable: string[] = [];
    const lacking: string[] = [];
    for (const server of this.servers) {
      const problems = this.problemsOn(server, key, payload);
      if (problems === undefined) continue;
      if (problems.length === 0) capable.push(server);
      else lacking.push(`${this.known.get(server)?.label ?? server}: ${problems.map(describeProblem).join('; ')}`);
    }
    if (capable.length > 0) return { kind: 'capable', servers: capable };
    if (lacking.length < this.servers.length) return { kind: 'unknown' };
    return { kind: 'impossible', message: `no server can run its workflow (preflight): ${lacking.join(' | ')}` };
  }

  private problemsOn(server: string, key: string, payload: Pick<ComfyUiJobPayload, 'workflow' | 'uploads'>): PreflightProblem[] | undefined {
    const catalogue = this.known.get(server);
    if (!catalogue) return undefined;
    let perKey = this.verdicts.get(server);
    if (!perKey) this.verdicts.set(server, (perKey = new Map()));
    let problems = perKey.get(key);
    if (!problems) {
      problems = preflightWorkflow(payload.workflow, catalogue.objectInfo, payload.uploads);
      perKey.set(key, problems);
    }
    return problems;
  }

  private async read(server: string): Promise<void> {
    this.reading.add(server);
    try {
      const catalogue = await this.catalogues.get(server);
      this.known.set(server, catalogue);
      this.verdicts.delete(server);
      this.failing.delete(server);
      this.onRead(server);
    } catch (error) {
      // Said once per outage, not on every submit tick.
      if (!this.failing.has(server)) this.onError(server, error);
      this.failing.add(server);
    } finally {
      this.reading.delete(server);
    }
  }
}
