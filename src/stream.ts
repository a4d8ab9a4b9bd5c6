/**
 * `WorkflowStream`: a run whose events can be read as they happen, with `for await`. Events are
 * buffered from the run's start, so a slow reader never slows the run and never loses an event;
 * the iteration ends when the run settles (throwing the run's error if it failed), and leaving the
 * loop early aborts the run.
 */
import { IntrinsicPromise as importedIntrinsicPromise } from './intrinsic-promise.js';
import { streamedRunSettings, type RunSettings } from './options.js';
import type { WorkflowPlan } from './plan.js';
import type { ExecutionResult } from './result.js';
import { EventLog } from './event-log.js';
import { inspectView, type InspectFunction } from './inspect-view.js';
import { RunAbort } from './run-abort.js';
import { settleStack } from './outcomes.js';
import { startRun } from './scheduler.js';
import { shareInstanceof } from './shared.js';
import type { WorkflowEvent } from './types.js';

/**
 * The language's `Promise` (see intrinsic-promise.ts), as a constant of this module: an imported
 * binding is a property load of its module on every `next()` in the CommonJS build.
 */
const IntrinsicPromise = importedIntrinsicPromise;

/**
 * A streamed run: an async iterable of its {@link WorkflowEvent}s, in the order they happened, and
 * its `result`. Made by `Workflow.stream` and `DagBuilder.stream`; single-consumer.
 *
 * @typeParam W - the workflow's type (its instance type; `DagTasks` for a builder's run), which
 *   types the events and `result`.
 * @typeParam P - the type of the run's parameter.
 * @example
 * ```ts
 * const run = Workflow.stream(new Checkout(repo), request);
 * for await (const event of run) {
 *   if (event.type === 'taskSuccess' && event.task === 'cart') console.log(event.value);
 * }
 * const result = await run.result;
 * ```
 */
export class WorkflowStream<W extends object = any, P = unknown> implements AsyncIterableIterator<
  WorkflowEvent<W>
> {
  /**
   * The run's outcome, as `invoke` would give it. Never an unhandled rejection when nobody awaits
   * it; after an early exit from the loop while the run was still going, it rejects with
   * `WorkflowAbortedError` — unless a failure had stopped the run already (its `allSettled` tasks
   * still running): then with that `WorkflowExecutionError`, as after the caller's signal aborts.
   */
  readonly result: Promise<ExecutionResult<W, P>>;
  /** Events not read yet. */
  private readonly log: EventLog;
  /**
   * Calls of `next()` waiting for an event, oldest first (the protocol lets a reader call `next()`
   * again before the last call settled). Made on the first wait: a reader that never waits makes
   * none.
   */
  private waiting: Waiter<W>[] | undefined;
  /** What the log calls while reads wait (made on the first wait). */
  private deliverToWaiting: (() => void) | undefined;
  private state: 'running' | 'succeeded' | 'failed' | 'closed' = 'running';
  /** Whether `return()` was called while the run was going. */
  private returning = false;
  private failure: unknown;
  /** Aborts the run when the reader leaves early. */
  private readonly abort: RunAbort;
  /** The workflow's name, for {@link toJSON}. */
  private readonly workflow: string;
  /** How the run ended, for {@link toJSON}: `state` also tells whether its end was read. */
  private outcome: 'running' | 'succeeded' | 'failed' = 'running';

  /** @internal Streams are made by `Workflow.stream` and `DagBuilder.stream`. */
  constructor(instance: W | undefined, plan: WorkflowPlan, param: P, settings: RunSettings) {
    this.workflow = plan.workflow;
    this.log = new EventLog(plan.names);
    this.abort = new RunAbort(settings.signal);
    this.result = startRun(
      instance,
      plan,
      param,
      streamedRunSettings(settings, this.log, this.abort),
    );
    this.result.then(
      () => this.end('succeeded', undefined),
      (error: unknown) => this.end('failed', error),
    );
  }

  /**
   * What `JSON.stringify` writes for a stream: its workflow's name and its run's state
   * (`'running'`, `'succeeded'` or `'failed'`) — not the events it holds unread, whose task values
   * may be large or secret, nor its inner state.
   *
   * @example
   * ```ts
   * JSON.stringify(Workflow.stream(new Checkout(repo), request)); // '{"workflow":"Checkout","state":"running"}'
   * ```
   */
  toJSON(): {
    /** The workflow's name. */
    workflow: string;
    /** Whether the run is still going, or how it ended. */
    state: 'running' | 'succeeded' | 'failed';
  } {
    return { workflow: this.workflow, state: this.outcome };
  }

  /**
   * What `console.log` and Node's `util.inspect` show for a stream:
   * `WorkflowStream { workflow: 'Checkout', state: 'running' }`, as in JSON.
   */
  [Symbol.for('nodejs.util.inspect.custom')](
    depth: number,
    options: { depth?: number | null },
    inspect?: InspectFunction,
  ): unknown {
    return inspectView('WorkflowStream', this.toJSON(), depth, options, inspect);
  }

  /** The stream itself: it can be iterated once. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The next event; `done` once the run has settled and every event was read. If the run failed
   * or was aborted, the read after the last event rejects with the run's error (once). After
   * `return()`, `done`.
   */
  next(): Promise<IteratorResult<WorkflowEvent<W>, undefined>> {
    if (!this.log.isEmpty) {
      return IntrinsicPromise.resolve({ value: this.log.take() as WorkflowEvent<W>, done: false });
    }
    if (this.state === 'running') return this.returning ? iterationDone() : this.wait();
    if (this.state === 'failed') {
      this.state = 'closed';
      return IntrinsicPromise.reject(this.failure);
    }
    return iterationDone();
  }

  /** A `next()` that waits for the next event, behind the calls already waiting. */
  private wait(): Promise<IteratorResult<WorkflowEvent<W>, undefined>> {
    this.log.onEvent = this.deliverToWaiting ??= () => this.deliver();
    return new IntrinsicPromise((resolve, reject) =>
      (this.waiting ??= []).push({ resolve, reject }),
    );
  }

  /**
   * Hands the event the log just took in to the oldest waiting read. Events are buffered only
   * while nobody waits, so it is the only one.
   */
  private deliver(): void {
    const waiting = this.waiting!;
    const waiter = waiting.shift()!;
    if (waiting.length === 0) this.log.onEvent = undefined;
    waiter.resolve({ value: this.log.take() as WorkflowEvent<W>, done: false });
  }

  /**
   * Stops reading (what `break` calls): aborts the run if it is still going, and settles once every
   * task it started has settled — also when a run interceptor settles `result` first. Once
   * `result` has settled, the run is over for the stream: a run that an interceptor let go on is
   * neither aborted nor waited for (abort it through `options.signal`).
   */
  async return(): Promise<IteratorResult<WorkflowEvent<W>, undefined>> {
    // Reading is over: the events not read (and those still to come) are dropped, and a `next()`
    // called from now on ends the iteration, as an async generator's does. A read already
    // waiting gets the run's end.
    this.log.close();
    this.log.clear();
    if (this.state === 'running') {
      this.returning = true;
      const reason = new DOMException('the stream was closed before the run ended', 'AbortError');
      // The run error keeps it as its `cause`, and tasks may keep their aborted signals: made here,
      // its stack would keep the reader's frames (a request handler), and this stream with the
      // caller's signal, for as long as they do, unless it is formatted now.
      settleStack(reason);
      this.abort.abort(reason);
      await this.result.then(
        () => undefined,
        () => undefined,
      );
      // A run interceptor may have settled `result` before the run it started (by racing it, say):
      // the aborted run's tasks may still be running.
      await this.abort.run?.then(
        () => undefined,
        () => undefined,
      );
    }
    this.state = 'closed';
    return { value: undefined, done: true };
  }

  /**
   * The run settled: reads waiting get its end. After `return()` the iteration is over already —
   * the run's end goes to the reads that were waiting, and a `next()` made from now on (before
   * `return()` itself settles) ends the iteration, as one made before the run settled does.
   * Called once, by the first reaction to the run's promise: the state is still `'running'` (only
   * `next()` and `return()` change it, after this reaction).
   */
  private end(state: 'succeeded' | 'failed', failure: unknown): void {
    this.outcome = state;
    this.log.close();
    this.state = this.returning ? 'closed' : state;
    this.failure = failure;
    const waiting = this.waiting;
    if (waiting === undefined || waiting.length === 0) return;
    this.waiting = undefined;
    // The first waiting read gets the run's error, as a read after the last event would; the
    // iteration is over for the others, as for an async generator that threw.
    if (state === 'failed') {
      this.state = 'closed';
      waiting.shift()!.reject(failure);
    }
    for (const waiter of waiting) waiter.resolve({ value: undefined, done: true });
  }
}

shareInstanceof(WorkflowStream, 'WorkflowStream');

/** The end of the iteration. */
function iterationDone(): Promise<IteratorReturnResult<undefined>> {
  return IntrinsicPromise.resolve({ value: undefined, done: true });
}

/** A call of `next()` waiting for an event. */
interface Waiter<W extends object> {
  readonly resolve: (result: IteratorResult<WorkflowEvent<W>, undefined>) => void;
  readonly reject: (error: unknown) => void;
}
