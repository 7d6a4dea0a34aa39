import { canTransition, jobTransitions } from './job-transitions';
import type { ComfyUiJobStatus } from './comfyui-job.entity';

const all: ComfyUiJobStatus[] = ['pending', 'submitted', 'running', 'completed', 'failed'];

describe('job transitions', () => {
  it.each([
    ['pending', 'submitted'],
    ['pending', 'failed'],
    ['submitted', 'running'],
    ['submitted', 'completed'],
    ['submitted', 'failed'],
    ['submitted', 'pending'],
    ['running', 'completed'],
    ['running', 'failed'],
    ['running', 'pending'],
    ['completed', 'failed'],
    ['failed', 'pending'],
    ['failed', 'completed'],
  ] as Array<[ComfyUiJobStatus, ComfyUiJobStatus]>)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('forbids every other move, including staying put and leaving completed for anything but failed', () => {
    const allowed = new Set(Object.entries(jobTransitions).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)));
    const forbidden = all.flatMap((from) => all.map((to) => [from, to] as const)).filter(([f, t]) => !allowed.has(`${f}→${t}`));

    expect(forbidden).toContainEqual(['completed', 'pending']);
    expect(forbidden).toContainEqual(['pending', 'running']);
    expect(forbidden).toContainEqual(['pending', 'completed']);
    expect(forbidden).toContainEqual(['running', 'submitted']);
    for (const [from, to] of forbidden) expect(canTransition(from, to)).toBe(false);
    expect(forbidden).toHaveLength(25 - 12);
  });
});
