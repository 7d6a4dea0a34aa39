/**
 * The routing key of a job: its step and whether it is a child generation. Jobs of one key differ
 * only by seed and output names, so they need the same node classes and models (the job ledger
 * computes the same key in SQL).
 */
export function capabilityKey(stepId: string, isChild: boolean): string {
  return `${stepId}:${isChild ? 'child' : 'base'}`;
}
