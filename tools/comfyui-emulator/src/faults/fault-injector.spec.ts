import { FaultInjector } from './fault-injector';

describe('FaultInjector', () => {
  it('applies a rule to the next N matching requests only', () => {
    const faults = new FaultInjector({ requests: [{ route: 'POST /prompt', status: 500, times: 2 }] });

    const hits = [1, 2, 3].map(() => faults.pickRequestFault('POST', '/prompt') !== undefined);

    expect(hits).toEqual([true, true, false]);
    expect(faults.pickRequestFault('GET', '/prompt')).toBeUndefined();
  });

  it('spreads a share evenly and matches path prefixes with *', () => {
    const faults = new FaultInjector({ requests: [{ route: 'GET /history/*', status: 500, share: 0.25 }] });

    const hits = Array.from({ length: 8 }, () => faults.pickRequestFault('GET', '/history/x') !== undefined);

    expect(hits).toEqual([false, false, false, true, false, false, false, true]);
  });

  it('counts down "next N" faults', () => {
    const faults = new FaultInjector({ failPrompts: 1 });

    expect([faults.take('failPrompts'), faults.take('failPrompts')]).toEqual([true, false]);
  });
});
