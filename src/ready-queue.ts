/**
 * The two ready queues of the scheduler. Each task enters a run's queue at most once, so both are
 * one preallocated array of task indexes (made by the run, see run-arrays.ts); both have
 * the same three members so the scheduler does not care which one it holds.
 */
import type { TaskArray } from './run-arrays.js';

/** The scheduler's view of a ready queue. */
export interface ReadyQueue {
  readonly size: number;
  push(node: number): void;
  /** Removes and returns the next node; the queue must not be empty. */
  pop(): number;
  /** Empties the queue, for another run; returns it. */
  clear(): this;
}

/** First in, first out: used when concurrency is unlimited, so ready tasks start in the order they became ready. */
export class FifoQueue implements ReadyQueue {
  private head = 0;
  private tail = 0;

  /** `items`: room for every task, preallocated (its contents are overwritten). */
  constructor(private readonly items: TaskArray) {}

  get size(): number {
    return this.tail - this.head;
  }

  push(node: number): void {
    this.items[this.tail++] = node;
  }

  pop(): number {
    return this.items[this.head++];
  }

  clear(): this {
    this.head = this.tail = 0;
    return this;
  }
}

/**
 * A binary min-heap of node indexes ordered by a fixed rank per node (lower rank first). Each node
 * is pushed at most once per run, so the heap is one preallocated array.
 */
export class RankedQueue implements ReadyQueue {
  private length = 0;

  /** `heap`: room for every node, preallocated (its contents are overwritten). */
  constructor(
    private rank: Int32Array,
    private readonly heap: TaskArray,
  ) {}

  /** Empties the queue, for another run that orders nodes by `rank`; returns it. */
  rankBy(rank: Int32Array): this {
    this.rank = rank;
    return this.clear();
  }

  get size(): number {
    return this.length;
  }

  push(node: number): void {
    const { heap, rank } = this;
    let position = this.length++;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (rank[heap[parent]] <= rank[node]) break;
      heap[position] = heap[parent];
      position = parent;
    }
    heap[position] = node;
  }

  /** Removes and returns the lowest-ranked node; the queue must not be empty. */
  pop(): number {
    const { heap, rank } = this;
    const top = heap[0];
    const last = heap[--this.length];
    let position = 0;
    const half = this.length >> 1;
    while (position < half) {
      let child = 2 * position + 1;
      if (child + 1 < this.length && rank[heap[child + 1]] < rank[heap[child]]) child++;
      if (rank[heap[child]] >= rank[last]) break;
      heap[position] = heap[child];
      position = child;
    }
    heap[position] = last;
    return top;
  }

  clear(): this {
    this.length = 0;
    return this;
  }
}
