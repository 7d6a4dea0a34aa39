import type { SubmitJobResult } from '../commands/submit-job';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { PromptTracker } from './prompt-tracker';

function job(status: ComfyUiJob['status'], promptId = 'p1'): ComfyUiJob {
  return { id: `job-${promptId}`, promptId, status, startedAt: null } as ComfyUiJob;
}

function submitted(j: ComfyUiJob): SubmitJobResult {
  return { outcome: 'submitted', job: j, alreadyOnServer: false };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PromptTracker', () => {
  let prompts: PromptTracker;

  beforeEach(() => {
    prompts = new PromptTracker();
    prompts.open();
  });

  it('runs the handlers of one prompt in order, after its post has ended', async () => {
    const post = deferred<SubmitJobResult>();
    const order: string[] = [];
    void prompts.trackPost('p1', post.promise);

    const first = prompts.handle('p1', async () => {
      order.push('start:first');
      await new Promise((r) => setTimeout(r, 10));
      order.push('end:first');
    });
    const second = prompts.handle('p1', async () => {
      order.push('second');
    });
    await new Promise((r) => setTimeout(r, 20));
    order.push('posted');
    post.resolve(submitted(job('submitted')));
    await Promise.all([first, second]);

    expect(order).toEqual(['posted', 'start:first', 'end:first', 'second']);
  });

  it('does not hold other prompts behind a slow one', async () => {
    const slow = deferred<void>();
    const order: string[] = [];
    const a = prompts.handle('a', () => slow.promise.then(() => void order.push('a')));
    await prompts.handle('b', async () => void order.push('b'));
    slow.resolve();
    await a;

    expect(order).toEqual(['b', 'a']);
  });

  it('hands a handler error to its caller and runs the next handler of the prompt anyway', async () => {
    const failing = prompts.handle('p1', async () => {
      throw new Error('boom');
    });
    const next = jest.fn(async () => undefined);
    const after = prompts.handle('p1', next);

    await expect(failing).rejects.toThrow('boom');
    await after;
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('still handles the events of a prompt whose post failed', async () => {
    const failedPost = Promise.reject(new Error('post failed'));
    void prompts.trackPost('p1', failedPost).catch(() => undefined);
    const action = jest.fn(async () => undefined);

    await prompts.handle('p1', action);

    expect(action).toHaveBeenCalledTimes(1);
  });

  it('keeps the row of a submitted job for its done event, and hands it over once', async () => {
    const posted = job('submitted');
    await prompts.trackPost('p1', Promise.resolve(submitted(posted)));
    prompts.reportDone('p1');

    expect(prompts.isReportedDone('p1')).toBe(true);
    expect(prompts.takeDone('p1')).toBe(posted);
    expect(prompts.takeDone('p1')).toBeUndefined();
    expect(prompts.isReportedDone('p1')).toBe(false);
    expect(prompts.size()).toEqual({ posting: 0, promptWork: 0, postedJobs: 0, reportedDone: 0 });
  });

  it('keeps nothing for a post that did not submit', async () => {
    await prompts.trackPost('p1', Promise.resolve({ outcome: 'retry_scheduled', job: job('pending'), error: 'down' }));

    expect(prompts.takeDone('p1')).toBeUndefined();
  });

  it('updates the kept row when our own update marked it running, and drops it otherwise', async () => {
    const ours = job('submitted', 'p1');
    const theirs = job('submitted', 'p2');
    await prompts.trackPost('p1', Promise.resolve(submitted(ours)));
    await prompts.trackPost('p2', Promise.resolve(submitted(theirs)));
    const startedAt = new Date();

    prompts.startedRunning('p1', true, startedAt);
    prompts.startedRunning('p2', false, startedAt);

    expect(ours).toMatchObject({ status: 'running', startedAt });
    expect(prompts.takeDone('p1')).toBe(ours);
    expect(prompts.takeDone('p2')).toBeUndefined();
  });

  it('does not trust a kept row in any status but submitted or running', async () => {
    const posted = job('submitted');
    await prompts.trackPost('p1', Promise.resolve(submitted(posted)));
    posted.status = 'completed';

    expect(prompts.takeDone('p1')).toBeUndefined();
  });

  it('prunes kept rows of prompts no longer in flight, but not of posts under way', async () => {
    await prompts.trackPost('gone', Promise.resolve(submitted(job('submitted', 'gone'))));
    await prompts.trackPost('flying', Promise.resolve(submitted(job('submitted', 'flying'))));
    const stillPosting = deferred<SubmitJobResult>();
    void prompts.trackPost('posting', stillPosting.promise);

    prompts.prune(new Set(['flying']));

    expect(prompts.size()).toMatchObject({ posting: 1, postedJobs: 1 });
    expect(prompts.takeDone('flying')).toBeDefined();
    stillPosting.resolve(submitted(job('submitted', 'posting')));
    await stillPosting.promise;
  });

  it('once closed, waits for the handlers under way, refuses new events and posts, and forgets everything', async () => {
    const slow = deferred<void>();
    let finished = false;
    void prompts.handle('p1', () => slow.promise.then(() => void (finished = true)));
    await prompts.trackPost('p2', Promise.resolve(submitted(job('submitted', 'p2'))));
    prompts.reportDone('p2');

    const closed = prompts.close();
    const refused = jest.fn(async () => undefined);
    await prompts.handle('p3', refused);
    prompts.reportDone('p3');
    await prompts.trackPost('p4', Promise.resolve(submitted(job('submitted', 'p4'))));
    slow.resolve();
    await closed;

    expect(finished).toBe(true);
    expect(refused).not.toHaveBeenCalled();
    expect(prompts.size()).toEqual({ posting: 0, promptWork: 0, postedJobs: 0, reportedDone: 0 });
  });

  it('forgets a prompt once its handlers have ended', async () => {
    await prompts.handle('p1', async () => undefined);
    await new Promise((r) => setImmediate(r));

    expect(prompts.size().promptWork).toBe(0);
  });
});
