import { defaultFaults, type EmulatorFaults, type RequestFaultRule } from './emulator-faults';

interface RuleState {
  rule: RequestFaultRule;
  seen: number;
  applied: number;
}

type CountedFault = 'dropConnections' | 'rejectWebSockets' | 'hangPrompts' | 'failPrompts' | 'corruptViews';

function routeMatches(pattern: string, method: string, path: string): boolean {
  if (pattern.trim() === '*') return true;
  const [patternMethod, patternPath = '*'] = pattern.trim().split(/\s+/, 2);
  if (patternMethod !== '*' && patternMethod.toUpperCase() !== method) return false;
  if (patternPath === '*') return true;
  if (patternPath.endsWith('*')) return path.startsWith(patternPath.slice(0, -1));
  return path === patternPath;
}

/** Holds the active faults and decides, deterministically, which request or prompt gets hit. */
export class FaultInjector {
  private faults: EmulatorFaults = defaultFaults();
  private rules: RuleState[] = [];
  injected = 0;

  constructor(initial?: Partial<EmulatorFaults>) {
    if (initial) this.set(initial);
  }

  /** Merges into the current faults; a new `requests` list replaces the old one and restarts its counters. */
  set(partial: Partial<EmulatorFaults>): void {
    this.faults = { ...this.faults, ...partial };
    if (partial.requests) this.rules = partial.requests.map((rule) => ({ rule: { ...rule }, seen: 0, applied: 0 }));
  }

  reset(): void {
    this.faults = defaultFaults();
    this.rules = [];
  }

  current(): EmulatorFaults {
    return { ...this.faults, requests: this.rules.filter((s) => !this.spent(s)).map((s) => ({ ...s.rule })) };
  }

  get value(): Readonly<EmulatorFaults> {
    return this.faults;
  }

  /** The rule to apply to this request, if any (consumes `times`/`share` counters). */
  pickRequestFault(method: string, path: string): RequestFaultRule | undefined {
    for (const state of this.rules) {
      if (this.spent(state) || !routeMatches(state.rule.route, method, path)) continue;
      state.seen++;
      const share = state.rule.share;
      if (share !== undefined && Math.floor(state.seen * share) === Math.floor((state.seen - 1) * share)) continue;
      state.applied++;
      this.injected++;
      return state.rule;
    }
    return undefined;
  }

  /** Decrements a "next N" counter; true when this occurrence is hit. */
  take(fault: CountedFault): boolean {
    if (this.faults[fault] <= 0) return false;
    this.faults = { ...this.faults, [fault]: this.faults[fault] - 1 };
    this.injected++;
    return true;
  }

  private spent(state: RuleState): boolean {
    return state.rule.times !== undefined && state.applied >= state.rule.times;
  }
}
