/**
 * CPython's `heapq` push/pop/heapify, step for step, so `/queue`'s `queue_pending` shows the same
 * raw (unsorted) array order a real server would.
 */
export class PythonHeap<T> {
  items: T[] = [];

  constructor(private readonly lessThan: (a: T, b: T) => boolean) {}

  push(item: T): void {
    this.items.push(item);
    this.siftDown(0, this.items.length - 1);
  }

  pop(): T | undefined {
    const last = this.items.pop();
    if (last === undefined || this.items.length === 0) return last;
    const top = this.items[0];
    this.items[0] = last;
    this.siftUp(0);
    return top;
  }

  heapify(): void {
    for (let i = Math.floor(this.items.length / 2) - 1; i >= 0; i--) this.siftUp(i);
  }

  private siftDown(start: number, pos: number): void {
    const heap = this.items;
    const item = heap[pos];
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = heap[parentPos];
      if (!this.lessThan(item, parent)) break;
      heap[pos] = parent;
      pos = parentPos;
    }
    heap[pos] = item;
  }

  private siftUp(pos: number): void {
    const heap = this.items;
    const end = heap.length;
    const start = pos;
    const item = heap[pos];
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !this.lessThan(heap[child], heap[right])) child = right;
      heap[pos] = heap[child];
      pos = child;
      child = 2 * pos + 1;
    }
    heap[pos] = item;
    this.siftDown(start, pos);
  }
}
