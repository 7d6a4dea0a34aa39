import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from './heap-tuning';

describe('tuneHeapGrowth', () => {
  it('sets V8 heap growth for the worker', () => {
    const set: string[] = [];
    expect(tuneHeapGrowth(['--enable-source-maps'], (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it.each(['--heap-growing-percent=80', '--heap_growing_percent=20'])('leaves an operator’s own %s alone', (arg) => {
    const set: string[] = [];
    expect(tuneHeapGrowth([arg], (flags) => set.push(flags))).toBe(false);
    expect(set).toEqual([]);
  });
});
