/**
 * The two ready queues of the scheduler. Each task enters a run's queue at most once, so both are
 * one preallocated array of task indexes (part of the scratch a run borrows from its plan, see
 * run-scratch.ts); both have the same members so the scheduler does not care which one it holds.
 */
import type { TaskArray } from './run-arrays.js';

/** The scheduler's view of a ready queue. */
export interface ReadyQueue {
  readonly size: number;
  push(node: number): void;
  /**
   * Removes and returns the next node; the queue must not be empty. `free`: how many tasks may
   * start now (at least 1), which decides the order under a limit.
   */
  pop(free: number): number;
  /** Keeps only the nodes `keep` accepts (a stop drops the tasks it cancelled). */
  retain(keep: (node: number) => boolean): void;
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

  retain(keep: (node: number) => boolean): void {
    this.tail = keepOnly(this.items, this.head, this.tail, keep);
    this.head = 0;
  }

  clear(): this {
    this.head = this.tail = 0;
    return this;
  }
}

/**
 * The ready queue under a concurrency limit. While the tasks waiting fit in the free slots, it is
 * first in, first out, as without a limit: they all start now, so no ranking is needed, and ranks
 * would only reorder them. When a pop finds more waiting than there are free slots, it turns its
 * contents into a binary min-heap by a fixed rank per node (lower first; O(n)) and pops by rank
 * until it is empty again, then goes back to push order. Every node it heaps leaves through the
 * heap, so heaping costs O(1) per node over a run. Each node is pushed at most once per run, so
 * both orders live in one preallocated array.
 */
export class RankedQueue implements ReadyQueue {
  /** In push order: the nodes are `items[head..tail)`; ranked: a heap in `items[0..tail)`. */
  private head = 0;
  private tail = 0;
  private ranked = false;

  /** `items`: room for every node, preallocated (its contents are overwritten). */
  constructor(
    private rank: Int32Array,
    private readonly items: TaskArray,
  ) {}

  /** Empties the queue, for another run that orders nodes by `rank`; returns it. */
  rankBy(rank: Int32Array): this {
    this.rank = rank;
    return this.clear();
  }

  get size(): number {
    return this.tail - this.head;
  }

  push(node: number): void {
    if (!this.ranked) {
      this.items[this.tail++] = node;
      return;
    }
    const { items, rank } = this;
    let position = this.tail++;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (rank[items[parent]] <= rank[node]) break;
      items[position] = items[parent];
      position = parent;
    }
    items[position] = node;
  }

  /**
   * Removes and returns the next node: the first pushed while every node waiting fits in the
   * `free` slots (at least 1), else the lowest-ranked. The queue must not be empty.
   */
  pop(free: number): number {
    if (!this.ranked) {
      if (this.tail - this.head <= free) return this.items[this.head++];
      this.heapify();
    }
    const { items } = this;
    const top = items[0];
    const last = items[--this.tail];
    if (this.tail > 0) this.siftDown(0, last);
    else this.ranked = false;
    return top;
  }

  /** Keeps only the nodes `keep` accepts, in their order. */
  retain(keep: (node: number) => boolean): void {
    const kept = (this.tail = keepOnly(this.items, this.head, this.tail, keep));
    this.head = 0;
    if (!this.ranked) return;
    if (kept === 0) this.ranked = false;
    else this.heapify();
  }

  clear(): this {
    this.head = this.tail = 0;
    this.ranked = false;
    return this;
  }

  /** Turns the nodes waiting, in push order, into a heap at the start of the array (Floyd's). */
  private heapify(): void {
    const { items, head } = this;
    const length = this.tail - head;
    if (head > 0)
      for (let position = 0; position < length; position++)
        items[position] = items[head + position];
    this.head = 0;
    this.tail = length;
    this.ranked = true;
    for (let position = (length >> 1) - 1; position >= 0; position--) {
      this.siftDown(position, items[position]);
    }
  }

  /** Places `node` at `position` or below it, moving lower-ranked children up. */
  private siftDown(position: number, node: number): void {
    const { items, rank } = this;
    const length = this.tail;
    const half = length >> 1;
    while (position < half) {
      let child = 2 * position + 1;
      if (child + 1 < length && rank[items[child + 1]] < rank[items[child]]) child++;
      if (rank[items[child]] >= rank[node]) break;
      items[position] = items[child];
      position = child;
    }
    items[position] = node;
  }
}

/**
 * Moves the nodes of `items[head..tail)` that `keep` accepts to the start of `items`, in their
 * order, and returns how many there are.
 */
function keepOnly(
  items: TaskArray,
  head: number,
  tail: number,
  keep: (node: number) => boolean,
): number {
  let kept = 0;
  for (let position = head; position < tail; position++) {
    if (keep(items[position])) items[kept++] = items[position];
  }
  return kept;
}
