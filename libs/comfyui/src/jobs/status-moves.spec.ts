import { JobError } from './job-error';
import { checkedMove } from './job-transitions';

describe('status moves written by one statement', () => {
  it('declares a move the transition table allows', () => {
    expect(checkedMove(['submitted', 'running'], 'pending')).toEqual({ from: ['submitted', 'running'], to: 'pending' });
  });

  it('refuses a move the transition table forbids, naming the statuses it may not leave', () => {
    const declare = () => checkedMove(['submitted', 'completed', 'pending'], 'running');

    expect(declare).toThrow(JobError);
    expect(declare).toThrow('a statement moves jobs from completed, pending to running, which the transition table forbids');
  });

  it('fails to load the ledger when the table stops allowing a move one of its statements makes', () => {
    jest.isolateModules(() => {
      // Fresh copies of the modules: the table edit stays inside this test.
      const transitions = require('./job-transitions') as typeof import('./job-transitions');
      (transitions.jobTransitions as Record<string, readonly string[]>)['submitted'] = ['completed', 'failed', 'pending'];

      expect(() => require('./status-moves')).toThrow('a statement moves jobs from submitted to running, which the transition table forbids');
    });
  });

  it('loads with the table as it is', () => {
    jest.isolateModules(() => {
      expect(() => require('./status-moves')).not.toThrow();
    });
  });
});
