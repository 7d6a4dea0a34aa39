import { ChoiceSetting, dataDirBase, KilnSettings, kilnVariables, NumberSetting, readSettings, TextSetting, resolveSettings, type Env, type Settings, type SettingVariables } from '@kiln/settings';

const logLevels = ['error', 'warn', 'info', 'debug'] as const;

/**
 * The shared settings plus the worker's own variables. Only the worker reads these, so they live
 * here; they are validated in the same pass as the shared ones, so one start names every bad value.
 * @internal exported for its spec
 */
export class WorkerSettings extends KilnSettings {
  @ChoiceSetting(logLevels)
  logLevel!: (typeof logLevels)[number];

  @NumberSetting(0, 65_535, { integer: true })
  metricsPort!: number;

  @TextSetting(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address to listen on')
  metricsHost!: string;

  @NumberSetting(5, 3600, { unit: 'seconds' })
  leaseSeconds!: number;

  @NumberSetting(1, 3600, { unit: 'seconds' })
  shutdownTimeoutSeconds!: number;
}

/**
 * Every variable the worker reads, with its default.
 * @internal exported for its spec
 */
export const workerVariables: SettingVariables<WorkerSettings> = {
  ...kilnVariables,
  logLevel: { name: 'LOG_LEVEL', default: 'info', fix: `use one of ${logLevels.join(', ')}, or unset it` },
  metricsPort: { name: 'KILN_METRICS_PORT', default: '9464', fix: 'give a free port, or 0 to turn /metrics and /healthz off' },
  metricsHost: { name: 'KILN_METRICS_HOST', default: '127.0.0.1', fix: 'give an address such as 127.0.0.1, or 0.0.0.0 to serve every interface (the endpoints have no authentication)' },
  leaseSeconds: { name: 'KILN_LEASE_SECONDS', default: '60', fix: 'give seconds, e.g. 60, or unset it' },
  shutdownTimeoutSeconds: { name: 'KILN_SHUTDOWN_TIMEOUT', default: '30', fix: 'give seconds, e.g. 30, or unset it' },
};

/** The worker's settings, resolved once at start. */
export interface WorkerConfig extends Settings {
  logLevel: (typeof logLevels)[number];
  /** /metrics and /healthz; 0 turns them off. */
  metricsPort: number;
  /** Address /metrics and /healthz listen on: loopback unless an operator opens it (no authentication). */
  metricsHost: string;
  /** How long a job claimed by this worker stays reserved if the worker dies. */
  leaseMs: number;
  /** After SIGTERM/SIGINT, the longest wait for work under way. */
  shutdownTimeoutSeconds: number;
}

/** Reads and validates the worker's env; a SettingsError names every bad value at once. */
export function loadWorkerConfig(env: Env, cwd: string, workspaceRoot?: string): WorkerConfig {
  const values = readSettings(WorkerSettings, workerVariables, env);
  return {
    ...resolveSettings(values, cwd, dataDirBase(env, cwd, workspaceRoot)),
    logLevel: values.logLevel,
    metricsPort: values.metricsPort,
    metricsHost: values.metricsHost,
    leaseMs: values.leaseSeconds * 1000,
    shutdownTimeoutSeconds: values.shutdownTimeoutSeconds,
  };
}
