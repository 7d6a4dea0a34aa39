/** Counters and gauges for tests and benchmarks (`stats()` and `GET /__emulator/stats`). */
export interface EmulatorStats {
  /** POST /prompt answered 200. */
  promptsAccepted: number;
  /** POST /prompt answered 400 (validation) or 500 (malformed). */
  promptsRejected: number;
  /** Prompts whose run ended (success, error or interrupt) and reached history. */
  promptsExecuted: number;
  promptsSucceeded: number;
  promptsFailed: number;
  promptsInterrupted: number;
  /** Pending prompts. */
  queueLength: number;
  /** True while a prompt runs. */
  running: boolean;
  historySize: number;
  /** Open WebSocket connections. */
  wsConnections: number;
  /** Requests per route, keyed like `"POST /prompt"` or `"GET /history/{prompt_id}"`; unmatched as `"GET <unknown>"`. */
  requestsByRoute: Record<string, number>;
  /** Faults applied so far (requests, connections, prompts, downloads). */
  faultsInjected: number;
  /** Emulated restarts. */
  restarts: number;
}

export interface StatCounters {
  promptsAccepted: number;
  promptsRejected: number;
  promptsExecuted: number;
  promptsSucceeded: number;
  promptsFailed: number;
  promptsInterrupted: number;
  restarts: number;
  requestsByRoute: Record<string, number>;
}

export function emptyCounters(): StatCounters {
  return {
    promptsAccepted: 0,
    promptsRejected: 0,
    promptsExecuted: 0,
    promptsSucceeded: 0,
    promptsFailed: 0,
    promptsInterrupted: 0,
    restarts: 0,
    requestsByRoute: {},
  };
}
