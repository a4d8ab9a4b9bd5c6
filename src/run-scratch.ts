/**
 * The parts of a run that no result keeps: its dependency counters, its ready queue, and the
 * functions it hands to `then` of the promises its tasks return. Made fresh for every invoke they
 * were most of what a small workflow allocates (a pair of closures per task alone was 168 of the
 * ~264 bytes that waiting for one promise costs), so a plan lends a set to one run at a time and
 * takes it back when the run settles. That is safe because a run settles only once nothing is in
 * flight: every reaction it handed out has fired by then, exactly once (they go to the intrinsic
 * `then` of a native promise, never to a user's), and the run touches nothing of it afterwards.
 */
import { IntrinsicPromise } from './intrinsic-promise.js';
import type { WorkflowPlan } from './plan.js';
import { FifoQueue, RankedQueue, type ReadyQueue } from './ready-queue.js';
import type { TaskArray } from './run-arrays.js';

/**
 * `Promise.prototype.then` as the language defines it, whatever a promise's own `then` is. A
 * constant of this module, not an import: an imported binding is a property load on every call,
 * which kept V8 from optimising `.call` on it (measured 2–3% slower on 100,000 tasks).
 */
const nativeThen = IntrinsicPromise.prototype.then;

/** What the reactions report to: the run that borrowed them. */
export interface ReactionTarget {
  taskFulfilled(task: number, attempt: number, value: unknown): void;
  attemptFailed(task: number, attempt: number, error: unknown): void;
}

/**
 * A plan keeps sets for later runs up to this many tasks' worth in all, and at most
 * {@link POOLED_SETS} of them; plans larger than this make a set per run. The sets stay for as
 * long as the plan (its class, or its builder) does, so this is what a burst of concurrent runs
 * leaves behind per workflow: with 4,096 tasks, a burst of 2,000 runs of the seed's 6-task graph
 * left 1.2 MiB; with 1,024, ~250 KiB for the seed's graph (170 sets).
 */
const POOLED_TASKS = 1_024;

/**
 * The most sets a plan keeps, whatever its size: a set's fixed part dominates small plans, and
 * 1,024 sets of a one-task workflow kept ~600 KiB (a service with a builder DAG per tenant keeps
 * that per DAG). 200 keep every set of the seed's graph.
 */
const POOLED_SETS = 200;

/** One run's scratch. */
export class RunScratch {
  /** The run these reactions report to while it is going. */
  target: ReactionTarget | undefined;
  /** How many dependencies each task still waits for. */
  readonly waitingFor: TaskArray;
  /** Room for the ready queue: each task enters it at most once per run. */
  private readonly queued: TaskArray;
  private fifo: FifoQueue | undefined;
  private ranked: RankedQueue | undefined;
  /**
   * Task `t`'s reactions at `2t` (fulfilled) and `2t + 1` (rejected), made on first use; only in a
   * set that is kept for later runs.
   */
  private readonly reactions: ((outcome: unknown) => void)[] = [];

  /**
   * @param kept Whether the plan keeps this set for later runs. Only then does it have reactions
   * to lend: the run of a set used once makes its own per promise (kept in an array for the whole
   * run, hundreds of thousands of them would outlive the young generation, which made a
   * 100,000-task run twice as slow).
   */
  constructor(
    plan: WorkflowPlan,
    readonly kept: boolean,
  ) {
    this.waitingFor = plan.runArrays.counters();
    this.queued = plan.runArrays.indexes();
  }

  /**
   * The empty ready queue of a run: under a concurrency limit, by `ranks` when more tasks are ready
   * than slots are free (see RankedQueue); else (`undefined`) first in, first out.
   */
  queue(ranks: Int32Array | undefined): ReadyQueue {
    if (ranks === undefined) return (this.fifo ??= new FifoQueue(this.queued)).clear();
    return (this.ranked ??= new RankedQueue(ranks, this.queued)).rankBy(ranks);
  }

  /**
   * Settles the first attempt of `task` with `promise`'s outcome when it settles, in a set that is
   * {@link kept}. Its own `then`, if someone replaced it, is not called (as `await` does not).
   */
  subscribe(task: number, promise: Promise<unknown>): void {
    const { reactions } = this;
    const at = 2 * task;
    if (reactions[at] === undefined) this.makeReactions(reactions, task);
    nativeThen.call(promise, reactions[at], reactions[at + 1]);
  }

  // Closures are made in functions of their own: see the note in scheduler.ts.
  private makeReactions(reactions: ((outcome: unknown) => void)[], task: number): void {
    reactions[2 * task] = (value) => this.target!.taskFulfilled(task, 1, value);
    reactions[2 * task + 1] = (error) => this.target!.attemptFailed(task, 1, error);
  }
}

/** The scratch sets of one plan that no run is using. */
export class ScratchPool {
  private readonly free: RunScratch[] = [];
  /** How many sets to keep for later runs. */
  private readonly capacity: number;

  constructor(taskCount: number) {
    this.capacity = Math.min(POOLED_SETS, Math.floor(POOLED_TASKS / Math.max(taskCount, 1)));
  }

  /** A set for one run of `plan`, reporting to `target`, its counters as the plan starts them. */
  borrow(plan: WorkflowPlan, target: ReactionTarget): RunScratch {
    let scratch = this.free.pop();
    if (scratch === undefined) {
      scratch = new RunScratch(plan, this.capacity > 0);
    } else {
      const { waitingFor } = scratch;
      const counts = plan.dependencyCounts;
      for (let task = 0; task < counts.length; task++) waitingFor[task] = counts[task];
    }
    scratch.target = target;
    return scratch;
  }

  /** Takes back the set of a run that has settled (so none of its reactions is pending). */
  giveBack(scratch: RunScratch): void {
    scratch.target = undefined;
    if (this.free.length < this.capacity) this.free.push(scratch);
  }
}
