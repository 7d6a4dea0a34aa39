/**
 * A rule that disturbs HTTP requests matching `route`. Rules are checked in order and the first one
 * that applies wins. Selection is deterministic: counters, never randomness.
 */
export interface RequestFaultRule {
  /**
   * Which requests: `"POST /prompt"`, `"GET /view"`, `"GET /history/*"`, `"* /queue"` or `"*"`.
   * Paths are matched after the base path and the `/api` mirror prefix are removed.
   */
  route: string;
  /**
   * Answer with this status instead. 400 gets a ComfyUI-shaped JSON error
   * (`{"error": {"type": "emulator_fault", …}, "node_errors": {}}`), 500 aiohttp's plain-text page,
   * anything else `"<status>: <reason>"` as text/plain.
   */
  status?: number;
  /**
   * Request headers (case-insensitive names) whose values the error quotes, as a proxy or server that
   * echoes the credentials it rejected does: appended to the 400's `error.message`, or to the text body
   * of any other status.
   */
  echoHeaders?: string[];
  /** Wait this long before answering (combined with `status`, the error comes late). */
  delayMs?: number;
  /** Close the TCP connection without any response (a "socket hang up" for the client). */
  destroySocket?: boolean;
  /**
   * Run the real handler first, then throw its answer away and reply with the fault. The side effect
   * happens (e.g. the prompt is queued) but the client sees a failure: for idempotency tests.
   */
  afterHandler?: boolean;
  /** Apply to the next N matching requests only, then the rule is spent. Omit for "always". */
  times?: number;
  /**
   * Apply to this share (0..1) of matching requests, spread evenly by a counter:
   * 0.5 hits the 2nd, 4th, 6th… match; 0.25 the 4th, 8th…
   */
  share?: number;
}

/** Everything the emulator can do wrong on purpose. Set at start, via `setFaults` or `POST /__emulator/faults`. */
export interface EmulatorFaults {
  /** Per-route HTTP failures, delays and hang-ups. */
  requests: RequestFaultRule[];
  /** Extra delay for every HTTP response, in ms (control endpoints excepted). */
  responseDelayMs: number;
  /** Destroy the next N accepted TCP connections at once (HTTP and WebSocket alike). */
  dropConnections: number;
  /** Refuse the next N WebSocket upgrades with HTTP 503. */
  rejectWebSockets: number;
  /** The next N prompts to start never finish until interrupted (or restart/close). */
  hangPrompts: number;
  /** The next N prompts to start fail at their first node with an `execution_error`. */
  failPrompts: number;
  /** `exception_message` of injected prompt failures (a `\n` is appended, as ComfyUI does). */
  failPromptMessage: string;
  /** Delay before /view sends its body, in ms. */
  viewDelayMs: number;
  /** Throttle /view bodies to this many bytes per second (0 = unthrottled). */
  viewBytesPerSecond: number;
  /**
   * Corrupt the next N successful /view downloads: `corruptViewMode` `"garbage"` keeps the length but
   * overwrites the bytes (PNG signature included); `"truncate"` announces the full Content-Length,
   * sends half and closes the socket.
   */
  corruptViews: number;
  corruptViewMode: 'garbage' | 'truncate';
}

export function defaultFaults(): EmulatorFaults {
  return {
    requests: [],
    responseDelayMs: 0,
    dropConnections: 0,
    rejectWebSockets: 0,
    hangPrompts: 0,
    failPrompts: 0,
    failPromptMessage: 'Injected failure (comfyui-emulator)',
    viewDelayMs: 0,
    viewBytesPerSecond: 0,
    corruptViews: 0,
    corruptViewMode: 'garbage',
  };
}
