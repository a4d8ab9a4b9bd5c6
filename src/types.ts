/**
 * Public types shared by the decorators, the scheduler and the results. Everything here is derived
 * from the workflow class itself, so `result.get('x')` is typed without hand-written declarations.
 */

/** Any function; task methods may take any arguments and return anything. */
export type AnyFunction = (...args: any[]) => any;

/**
 * The names of the methods of `W` — the names a task can have.
 *
 * @example
 * ```ts
 * class Flow { a() { return 1; } b = 2; }
 * type Names = TaskName<Flow>; // 'a'
 * ```
 */
export type TaskName<W> = {
  [K in keyof W]-?: W[K] extends AnyFunction ? K : never;
}[keyof W] &
  string;

/**
 * The awaited return type of task `K` of workflow `W`.
 *
 * @example
 * ```ts
 * class Flow { async a() { return 1; } }
 * type A = TaskResult<Flow, 'a'>; // number
 * ```
 */
export type TaskResult<W, K extends keyof W> = W[K] extends AnyFunction
  ? Awaited<ReturnType<W[K]>>
  : never;

/**
 * Per-task options, given to `@Task(options)`.
 *
 * @example
 * ```ts
 * class Flow {
 *   @Task({ timeout: 2_000, retries: 2, retryDelay: (attempt) => 100 * 2 ** attempt })
 *   async fetchPrices(@Signal() signal: AbortSignal) { return fetch(url, { signal }); }
 * }
 * ```
 */
export interface TaskOptions {
  /**
   * Milliseconds one attempt may take. When it elapses the attempt fails with a
   * `TaskTimeoutError` and its `@Signal()` aborts; the run does not wait for the abandoned promise.
   * @default undefined (no timeout)
   */
  timeout?: number;
  /**
   * Extra attempts after a failed one (a task runs at most `1 + retries` times).
   * @default 0
   */
  retries?: number;
  /**
   * Milliseconds to wait before a retry: a number, or a function of the attempt that failed
   * (1-based) and its error. The wait ends early, without retrying, when the run stops.
   * @default 0
   */
  retryDelay?: number | ((attempt: number, error: unknown) => number);
}

/** Passed to {@link WorkflowHooks.onTaskStart}. */
export interface TaskStartEvent {
  /** Task name. */
  task: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
}

/** Passed to {@link WorkflowHooks.onTaskSuccess}. */
export interface TaskSuccessEvent extends TaskStartEvent {
  /** What the task returned (awaited). */
  value: unknown;
  /** Duration of the successful attempt in milliseconds. */
  durationMs: number;
}

/** Passed to {@link WorkflowHooks.onTaskFailure} (a task's final failure). */
export interface TaskFailureEvent extends TaskStartEvent {
  /** What the last attempt threw (a `TaskTimeoutError` if it timed out). */
  error: unknown;
}

/** Passed to {@link WorkflowHooks.onTaskRetry} when an attempt failed and another follows. */
export interface TaskRetryEvent extends TaskFailureEvent {
  /** Milliseconds before the next attempt starts. */
  delayMs: number;
}

/** Passed to {@link WorkflowHooks.onTaskProgress}: what a task reported through `ctx.progress`. */
export interface TaskProgressEvent extends TaskStartEvent {
  /** The value given to `progress(data)`. */
  data: unknown;
}

/**
 * What a task receives for the `CONTEXT` token (or a `@Context()` parameter): who it is, which
 * attempt this is, its abort signal, and a way to report progress.
 *
 * @example
 * ```ts
 * class Import {
 *   @Task() @DependsOn(PARAM, CONTEXT)
 *   async rows(files: string[], ctx: TaskContext) {
 *     for (const [done, file] of files.entries()) {
 *       await load(file, ctx.signal);
 *       ctx.progress({ done: done + 1, of: files.length });
 *     }
 *   }
 * }
 * ```
 */
export interface TaskContext {
  /** The task's name. */
  readonly task: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** The attempt's signal: the very object `SIGNAL` and `@Signal()` give in this attempt. */
  readonly signal: AbortSignal;
  /**
   * Reports progress: emits a `taskProgress` event to the run's stream and calls the
   * `onTaskProgress` hook. Harmless when nobody listens; ignored once the run has settled.
   */
  progress(data: unknown): void;
}

/**
 * Observers of one run. Hooks are called synchronously; `onTaskSuccess` is called before any
 * dependent starts. A hook that throws fails the run with that error (as a failure of the task the
 * hook was called for). A returned promise is not awaited, but its rejection fails the run too (or,
 * after the run settled, becomes a process warning).
 *
 * @example
 * ```ts
 * await Workflow.invoke(flow, input, {
 *   hooks: { onTaskSuccess: ({ task, durationMs }) => metrics.timing(task, durationMs) },
 * });
 * ```
 */
export interface WorkflowHooks {
  /** An attempt of a task is about to be called. */
  onTaskStart?(event: TaskStartEvent): void;
  /** A task succeeded; its dependents have not started yet. */
  onTaskSuccess?(event: TaskSuccessEvent): void;
  /** A task failed for good (after its retries). */
  onTaskFailure?(event: TaskFailureEvent): void;
  /** An attempt failed and the task will be retried after `delayMs`. */
  onTaskRetry?(event: TaskRetryEvent): void;
  /** A task reported progress with `ctx.progress(data)`. */
  onTaskProgress?(event: TaskProgressEvent): void;
}

/**
 * Options of one `Workflow.invoke` call.
 *
 * @example
 * ```ts
 * await Workflow.invoke(new Checkout(repo), req, {
 *   concurrency: 4,
 *   targets: ['cart'],
 *   signal: AbortSignal.timeout(5_000),
 * });
 * ```
 */
export interface InvokeOptions<W = any> {
  /**
   * Aborting it stops the run: no new task starts, running tasks see their `@Signal()` abort, and
   * the promise rejects with `WorkflowAbortedError`. An already-aborted signal starts nothing.
   */
  signal?: AbortSignal;
  /**
   * At most this many tasks in flight: a positive integer or `Infinity`. When more are ready, the
   * task with the longest remaining path to a sink starts first (ties in declaration order).
   * @default Infinity
   */
  concurrency?: number;
  /**
   * Run only these tasks and their transitive dependencies.
   * @default every task
   */
  targets?: readonly TaskName<W>[];
  /**
   * Functions to run instead of the named task methods for this run, with the same argument
   * binding and `this` bound to the instance.
   */
  overrides?: { [K in TaskName<W>]?: (this: W, ...args: any[]) => unknown };
  /** Observers of task starts, successes, failures and retries. */
  hooks?: WorkflowHooks;
  /**
   * `true`: the first failure stops the run. `false`: tasks not downstream of a failure keep
   * running, dependents of failed tasks are skipped, and the run rejects at the end with every
   * failure.
   * @default true
   */
  failFast?: boolean;
}

/** How a task ended in a run. */
export type TaskStatus = 'succeeded' | 'failed' | 'skipped';

/**
 * One task's entry in `ExecutionResult.trace`. Times are milliseconds since the run began; a
 * skipped task never started, so its `start` and `end` are both the time it was skipped.
 */
export interface TaskTrace {
  /** The task name. */
  readonly task: string;
  /** How the task ended. */
  readonly status: TaskStatus;
  /** When the task started, in ms since the run began. */
  readonly start: number;
  /** When it settled (for a timed-out attempt: when it timed out), in ms since the run began. */
  readonly end: number;
  /** Attempts made (0 for a skipped task). */
  readonly attempts: number;
}

/** One task of a {@link WorkflowGraph}. */
export interface TaskNode {
  /** The task (method) name. */
  readonly name: string;
  /** Tasks this one waits for, in `@DependsOn` order, without repeats. */
  readonly dependsOn: readonly string[];
  /** Tasks that wait for this one, in declaration order. */
  readonly dependents: readonly string[];
}

/** The validated DAG of a workflow class, as returned by `Workflow.graph`. */
export interface WorkflowGraph {
  /** The class name. */
  readonly workflow: string;
  /** Every task, in declaration order (base-class tasks first). */
  readonly tasks: readonly TaskNode[];
  /** Tasks with no dependencies. */
  readonly roots: readonly string[];
  /** Tasks nothing depends on. */
  readonly sinks: readonly string[];
  /** A topological order: every task comes after all of its dependencies. */
  readonly order: readonly string[];
}
