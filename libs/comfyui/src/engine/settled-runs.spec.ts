import type { RunSummary } from './run-summary';
import { SettledRuns } from './settled-runs';

function summary(settled: boolean, open = 0): RunSummary {
  return { runId: 'r1', settled, completed: 1, open, failed: [] };
}

describe('SettledRuns', () => {
  it('answers a waiter once a check finds its run settled', async () => {
    const runs = new SettledRuns(async () => summary(true), jest.fn());
    const waiting = runs.wait('r1');

    await runs.check();

    await expect(waiting).resolves.toMatchObject({ runId: 'r1', settled: true });
  });

  it('does not answer a caller who asked after the check began', async () => {
    let answer!: (s: RunSummary) => void;
    const summarize = jest.fn(() => new Promise<RunSummary>((resolve) => (answer = resolve)));
    const runs = new SettledRuns(summarize, jest.fn());
    const early = runs.wait('r1');
    const checking = runs.check();
    // New work may have appeared since the check began: the late caller needs a check of its own.
    let lateAnswered = false;
    const late = runs.wait('r1').then((s) => ((lateAnswered = true), s));
    answer(summary(true));
    await checking;

    await expect(early).resolves.toMatchObject({ settled: true });
    expect(lateAnswered).toBe(false);

    const next = runs.check();
    answer(summary(true));
    await next;
    await expect(late).resolves.toMatchObject({ settled: true });
  });

  it('keeps waiting while the run is not settled, and asks for work when no job is open', async () => {
    const onWorkLeft = jest.fn();
    const summaries = [summary(false, 2), summary(false, 0)];
    const runs = new SettledRuns(async () => summaries.shift() as RunSummary, onWorkLeft);
    let answered = false;
    void runs.wait('r1').then(() => (answered = true));

    await runs.check();
    expect(onWorkLeft).not.toHaveBeenCalled();
    await runs.check();
    expect(onWorkLeft).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    expect(answered).toBe(false);
  });

  it('looks at nothing when nobody waits', async () => {
    const summarize = jest.fn(async () => summary(true));
    await new SettledRuns(summarize, jest.fn()).check();

    expect(summarize).not.toHaveBeenCalled();
  });
});
