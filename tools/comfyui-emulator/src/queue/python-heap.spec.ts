import { PythonHeap } from './python-heap';

describe('PythonHeap', () => {
  it('pops in order and leaves the raw array in heapq order', () => {
    const heap = new PythonHeap<number>((a, b) => a < b);
    for (const n of [5, 3, 8, 1, 9, 2]) heap.push(n);

    expect(heap.items).toEqual([1, 3, 2, 5, 9, 8]);
    const popped = [];
    for (let n = heap.pop(); n !== undefined; n = heap.pop()) popped.push(n);
    expect(popped).toEqual([1, 2, 3, 5, 8, 9]);
  });
});
