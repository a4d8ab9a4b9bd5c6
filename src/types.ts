/**
 * Public types shared by the decorators, the scheduler and the results. Everything here is derived
 * from the workflow class itself, so `result.get('x')` is typed without hand-written declarations.
 */

import type { ExecutionResult } from './result.js';

/**
 * Any function; task methods may take any arguments and return anything.
 *
 * @example
 * ```ts
 * const task: AnyFunction = async (id: string) => load(id);
 * ```
 */
export type AnyFunction = (...args: any[]) => any;

/**
 * Whether `T` is `any`, the only type that takes both branches of `T extends never` (so the check
 * is `0 | 1`): the values of an untyped run are `unknown`, and its hooks keep their plain events.
 * Unlike `0 extends 1 & T`, this stays unresolved for a `T` constrained to `object` (the `W` of
 * `ExecutionResult`), which TypeScript would otherwise settle as `false` before `T` is known. With
 * `T` in its check type (not its extends type), `IsAny` of a subclass relates to `IsAny` of its
 * base class, as `ExecutionResult`'s covariance needs.
 */
type IsAny<T> = (T extends never ? 1 : 0) extends 0 ? false : true;

/**
 * The names of the methods of `W` — the names a task can have. An optional method (`m?() {…}`),
 * whose member type includes `undefined`, is a method too. An index signature of `W`
 * (`[key: string]: unknown`) names no task: the methods `W` names are its tasks.
 *
 * @example
 * ```ts
 * class Flow { a() { return 1; } b = 2; }
 * type Names = TaskName<Flow>; // 'a'
 * ```
 */
export type TaskName<W> = MethodName<NamedMembers<W>> | IndexedTaskName<W>;

/**
 * The tasks of `W` are the methods it names, without its index signatures (`keyof` of a class with
 * `[key: string]: …`, or a base class with one, is `string | number`, which swallows the names of
 * its methods) — unless it names no method: then the index signature of a builder's `DagTasks` (or
 * of the `Record` that types the events of a class whose tasks are all private) says that any name
 * may be a task. A union rather than one conditional type: in a generic class (`Flow<T>` with a
 * member typed `T`, which may or may not be a function) the condition stays unresolved until `T`
 * is known, and `@DependsOn<Flow<T>>('load')` in its body must still see the names it declares.
 */
type IndexedTaskName<W> = [MethodName<NamedMembers<W>>] extends [never] ? MethodName<W> : never;

/** The names of the methods of `W`, a numeric name as a string. */
type MethodName<W> = {
  [K in keyof W]-?: NonNullable<W[K]> extends AnyFunction ? NameOfKey<K> : never;
}[keyof W] &
  string;

/**
 * The members of `W` that it names: without its index signatures, whose keys (`string`,
 * `number`, `symbol`, a pattern such as `` `on${string}` ``) are the ones an empty object fits a
 * `Record` of: it has no member of a name of its own. A `Record` of `never`, which no inherited
 * `Object.prototype` member fits either (with `unknown`, `{}` would fit `Record<'toString', …>`,
 * and tasks named `toString` or `valueOf` would name no task).
 */
type NamedMembers<W> = {
  [K in keyof W as Record<never, never> extends Record<K, never> ? never : K]: W[K];
};

/**
 * The member of `W` that the task name `K` names: `W[K]`, or, for a method with a numeric name
 * (`2() {…}`, which `keyof` lists as the number `2` and {@link TaskName} as the string `'2'`), the
 * member under that number. An indexed access, not a conditional type on `keyof W`, so that the
 * member of a subclass relates to the member of its base class. Internal, and not exported from
 * this module either: a consumer's declarations (`declaration: true`) then write it out where an
 * inferred type holds it (generic code spreading an `InvokeOptions<W>`), where an alias exported
 * from this module only would fail their build ("cannot be named", TS2742).
 */
type MemberNamed<W, K> = MembersByName<W>[NameOfKey<K> & NamesOfMembers<W>];

/**
 * `keyof MembersByName<W>`, computed once per `W`: TypeScript recomputes the `keyof` of a mapped
 * type with an `as` clause at each instantiation, one name per member, while it keeps the
 * instantiations of a conditional type. Written inline in {@link MemberNamed}, that cost every
 * task of `W` a pass over all of them: typed hooks or a stream of a 400-task class took 530,000
 * instantiations instead of 50,000. Non-distributive, so a union `W` keeps the keys it had.
 */
type NamesOfMembers<W> = [W] extends [unknown] ? keyof MembersByName<W> : never;

/** The members of `W` by the names tasks have. */
type MembersByName<W> = { [K in keyof W as NameOfKey<K>]: W[K] };

/** A key as a task is named: a numeric key `2` as the string `'2'`. */
type NameOfKey<K> = K extends number ? `${K}` : K;

/**
 * The workflow type `W` of a run's options, known from the instance alone: options give a call no
 * `W` (untyped options, `InvokeOptions<any>`, leave the result typed by the instance), yet generic
 * code passes its own `InvokeOptions<W>`, `TaskName<W>[]` or `WorkflowHooks<W>` on for a type
 * parameter `W`: TypeScript relates this indexed access to `W` before `W` is known, which it never
 * does for a conditional type with an `infer` (`[W] extends [infer U] ? U : never`).
 * Internal: not exported from the package.
 */
export type WorkflowOfInstance<W> = [W][W extends unknown ? 0 : never];

/**
 * The awaited return type of task `K` of workflow `W` (of an optional method, its return type
 * without the `undefined` of the member) — `unknown` when `W` is `any` (a workflow
 * whose type is not known: a run error caught in a `catch`, a run interceptor's `next()`, an
 * `ExecutionResult` or `WorkflowEvent` without type arguments), so no `any` reaches user code.
 *
 * @example
 * ```ts
 * class Flow { async a() { return 1; } }
 * type A = TaskResult<Flow, 'a'>; // number
 * ```
 */
export type TaskResult<W, K extends keyof W | TaskName<W>> =
  IsAny<W> extends true ? unknown : ReturnOf<MemberNamed<W, K>>;

/** The awaited return type of the method member `M` (optional or not); `never` for a non-method. */
type ReturnOf<M> = NonNullable<M> extends AnyFunction ? Awaited<ReturnType<NonNullable<M>>> : never;

/**
 * What `ExecutionResult.toObject()` returns: each task's {@link TaskResult}, optional. Keyed by
 * every member of `W`, a member that is no method typed `never` (never present), so that its keys
 * do not depend on which members are methods: TypeScript then sees that a subclass's object
 * (more keys, each value a subtype) fits its base class's. Exported so that generic code can name
 * it: the inferred type of a helper returning `result.toObject()` for any `W` is `TaskValues<W>`.
 *
 * @example
 * ```ts
 * class Flow { a() { return 1; } async b() { return 'x'; } }
 * type Values = TaskValues<Flow>; // { a?: number; b?: string }
 * const valuesOf = <W extends object>(result: ExecutionResult<W>): TaskValues<W> =>
 *   result.toObject();
 * ```
 */
export type TaskValues<W> =
  IsAny<W> extends true
    ? { [task: string]: unknown }
    : { [K in keyof W as NameOfKey<K>]?: ReturnOf<W[K]> };

/**
 * Per-task options, given to `@Task(options)`. `T` is what the `fallback` returns (or resolves
 * to), which the method decorated must return too, since the fallback's value becomes the task's.
 * Options written in the call need no type; options declared apart and shared between tasks take
 * `TaskOptions` (a fallback returning `unknown`: not checked) or `TaskOptions<T>` (one returning
 * a `T`, which then fits only methods whose value a `T` is).
 *
 * @example
 * ```ts
 * class Flow {
 *   @Task({ timeout: 2_000, retries: 2, retryDelay: (attempt) => 100 * 2 ** attempt })
 *   @DependsOn(SIGNAL) async fetchPrices(signal: AbortSignal) { return fetch(url, { signal }); }
 * }
 * const zeroed: TaskOptions<number> = { retries: 1, fallback: () => 0 };
 * ```
 */
export interface TaskOptions<T = unknown> {
  /**
   * Milliseconds one attempt may take. When it elapses the attempt fails with a
   * `TaskTimeoutError` and its signal aborts; the run does not wait for the abandoned promise.
   * At most 2,147,483,647 (what a timer can wait); `Infinity` means no timeout, as `undefined` does.
   * @default undefined (no timeout)
   */
  timeout?: number | undefined;
  /**
   * Extra attempts after a failed one (a task runs at most `1 + retries` times).
   * @default 0
   */
  retries?: number | undefined;
  /**
   * Milliseconds to wait before a retry: a number, or a function of the attempt that failed
   * (1-based) and its error. Without a delay (`0`) the retry starts at once, in a microtask, with
   * no timer. The wait ends early, without retrying, when the run stops — except for an
   * `allSettled` task, which waits and retries.
   * @default 0
   */
  retryDelay?: number | ((attempt: number, error: unknown) => number) | undefined;
  /**
   * When the task runs, given how its dependencies ended. A task whose rule can no longer be met
   * is skipped, with a reason naming the dependency:
   * - `'allSucceeded'`: every dependency succeeded (each argument is its value);
   * - `'noneFailed'`: no dependency failed (a skipped dependency's argument is `undefined`);
   * - `'allSettled'`: always, once every dependency has settled (each argument is a
   *   {@link Settled}) — even after the run stopped, as the workflow's `finally`.
   * @default 'allSucceeded'
   */
  when?: 'allSucceeded' | 'noneFailed' | 'allSettled' | undefined;
  /**
   * Called with the error when the task fails for good (after its retries, a timeout included):
   * its (awaited) return value becomes the task's value and the run goes on as if it had
   * succeeded. If it throws, the task fails with that error; if it calls `skip(reason)`, the task
   * is skipped instead. Its second argument is the task's signal, which aborts when the run stops
   * (already, when the stop caused the failure; never, for an `allSettled` task): the run waits
   * for an async fallback, as for a task in flight, so one that takes time should honour it.
   * In `@Task(options)`, it must return (or resolve to) a value of the method's type.
   * @default undefined (no fallback)
   */
  fallback?: ((error: unknown, signal: AbortSignal) => T | PromiseLike<T>) | undefined;
  /**
   * Which errors are retried: called with the error and the 1-based number of the attempt that
   * threw; `false` fails the task at once. If it throws, the task fails with that error (the
   * attempt's own error is kept as `attemptError` in the run's `failures`).
   * @default every error is retried
   */
  retryIf?: ((error: unknown, attempt: number) => boolean) | undefined;
  /**
   * Under a `concurrency` limit, ready tasks start in order of cumulative priority (this number
   * plus the largest of 0 and the cumulative priorities of the tasks that depend on it), then
   * longest remaining path, then declaration order. A finite number (negative ones go last).
   * @default 0
   */
  priority?: number | undefined;
}

/**
 * How a dependency of an `allSettled` task ended, as its argument: its value, its error, or why it
 * was skipped (a task that never started because the run stopped counts as skipped).
 *
 * @example
 * ```ts
 * class Booking {
 *   @Task({ when: 'allSettled' }) @DependsOn('reserve')
 *   release(reserved: Settled<Lock>) {
 *     if (reserved.status === 'succeeded') reserved.value.unlock();
 *   }
 * }
 * ```
 */
export type Settled<T> = SettledSuccess<T> | SettledFailure | SettledSkip;

/**
 * A {@link Settled} dependency that succeeded.
 *
 * @example
 * ```ts
 * if (settled.status === 'succeeded') settled.value; // the dependency's value
 * ```
 */
export interface SettledSuccess<T> {
  /** Always `'succeeded'`. */
  readonly status: 'succeeded';
  /** What the dependency returned (awaited). */
  readonly value: T;
}

/**
 * A {@link Settled} dependency that failed.
 *
 * @example
 * ```ts
 * if (settled.status === 'failed') console.error(settled.error);
 * ```
 */
export interface SettledFailure {
  /** Always `'failed'`. */
  readonly status: 'failed';
  /** What it threw. */
  readonly error: unknown;
}

/**
 * A {@link Settled} dependency that was skipped, or never started because the run stopped.
 *
 * @example
 * ```ts
 * if (settled.status === 'skipped') console.log('skipped:', settled.reason);
 * ```
 */
export interface SettledSkip {
  /** Always `'skipped'`. */
  readonly status: 'skipped';
  /** Why. */
  readonly reason: string;
}

/**
 * What {@link WorkflowHooks.onTaskStart} is called with: an attempt of a task is about to start.
 *
 * @example
 * ```ts
 * const hooks: WorkflowHooks = {
 *   onTaskStart: ({ task, attempt }) => log.info(`${task} attempt ${attempt}`),
 * };
 * ```
 */
export interface TaskStartEvent {
  /** Task name. */
  task: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
}

/**
 * What {@link WorkflowHooks.onTaskSuccess} is called with: a task succeeded (or its `fallback`
 * recovered it).
 *
 * @example
 * ```ts
 * const hooks: WorkflowHooks = {
 *   onTaskSuccess: ({ task, durationMs }) => metrics.timing(task, durationMs),
 * };
 * ```
 */
export interface TaskSuccessEvent extends TaskStartEvent {
  /** What the task returned (awaited). */
  value: unknown;
  /**
   * Milliseconds from the task's start (its first attempt) to this success: earlier attempts,
   * retry delays and a fallback included — the trace entry's `end - start`.
   */
  durationMs: number;
  /** Present when the value came from the task's `fallback`: the error it recovered from. */
  recoveredFrom?: unknown;
}

/**
 * What {@link WorkflowHooks.onTaskFailure} is called with: a task failed for good (after its
 * retries).
 *
 * @example
 * ```ts
 * const hooks: WorkflowHooks = {
 *   onTaskFailure: ({ task, error }) => log.error(`${task} failed`, error),
 * };
 * ```
 */
export interface TaskFailureEvent extends TaskStartEvent {
  /**
   * What the task failed with: what its last attempt threw (a `TaskTimeoutError` if it timed
   * out) — or, when `retryIf`, a `retryDelay` function, an `onTaskRetry` hook or the `fallback`
   * threw while handling that, or the `onTaskStart` hook of the retry that followed it, or the
   * `onTaskSuccess` hook of the fallback's recovery, what they threw (the attempt's own error is
   * then `attemptError` of the task's entry in the run error's `failures`). For `onTaskRetry`,
   * what the attempt threw.
   */
  error: unknown;
}

/**
 * What {@link WorkflowHooks.onTaskRetry} is called with: an attempt failed and another follows.
 *
 * @example
 * ```ts
 * const hooks: WorkflowHooks = {
 *   onTaskRetry: ({ task, attempt, delayMs }) => log.warn(`${task} #${attempt}: ${delayMs} ms`),
 * };
 * ```
 */
export interface TaskRetryEvent extends TaskFailureEvent {
  /** Milliseconds before the next attempt starts. */
  delayMs: number;
}

/**
 * What {@link WorkflowHooks.onTaskSkip} is called with: a task was skipped.
 *
 * @example
 * ```ts
 * const hooks: WorkflowHooks = {
 *   onTaskSkip: ({ task, reason }) => log.info(`${task} skipped: ${reason}`),
 * };
 * ```
 */
export interface TaskSkipEvent {
  /** Task name. */
  task: string;
  /** Why it was skipped: the string given to `skip()`, or which dependency made it skip. */
  reason: string;
}

/**
 * What {@link WorkflowHooks.onTaskProgress} is called with: what a task reported through
 * `ctx.progress`.
 *
 * @example
 * ```ts
 * const hooks: WorkflowHooks = { onTaskProgress: ({ task, data }) => bar.update(task, data) };
 * ```
 */
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
   * `onTaskProgress` hook. Harmless when nobody listens; ignored once this attempt is over (the
   * task settled, this attempt failed — the task may be waiting for a retry or its fallback — or
   * the run settled). Throws what `onTaskProgress` throws (a `skip()` there as a `TypeError`: a
   * hook cannot skip the task).
   */
  progress(data: unknown): void;
}

/**
 * Observers of one run. Hooks are called synchronously; `onTaskSuccess` is called before any
 * dependent starts. A hook that throws fails the run with that error, as a failure of the task the
 * hook was called for, which no `fallback` recovers — except `onTaskProgress`: its error is thrown
 * to the `progress()` call, in the task. A returned promise is not awaited, but its rejection fails
 * the run too (or, after the run settled, becomes a process warning). For a workflow type `W` that
 * names its tasks (as `Workflow.invoke` infers it), each event's `task` is one of `W`'s task
 * names, and `onTaskSuccess`'s `value` has that task's type once `task` is narrowed.
 *
 * @typeParam W - the workflow's type, which types the events' `task` and `onTaskSuccess`'s `value`;
 *   `any` (the default) for plain events.
 * @example
 * ```ts
 * await Workflow.invoke(flow, input, {
 *   hooks: { onTaskSuccess: ({ task, durationMs }) => metrics.timing(task, durationMs) },
 * });
 * ```
 */
export interface WorkflowHooks<W = any> {
  /** An attempt of a task is about to be called. Its event: a {@link TaskStartEvent}. */
  onTaskStart?: ((event: HookEvent<W, TaskStartEvent>) => void) | undefined;
  /**
   * A task succeeded; its dependents have not started yet. Its event: a {@link TaskSuccessEvent}.
   */
  onTaskSuccess?: ((event: SuccessHookEvent<W>) => void) | undefined;
  /** A task failed for good (after its retries). Its event: a {@link TaskFailureEvent}. */
  onTaskFailure?: ((event: HookEvent<W, TaskFailureEvent>) => void) | undefined;
  /**
   * An attempt failed and the task will be retried after `delayMs`. Its event: a
   * {@link TaskRetryEvent}.
   */
  onTaskRetry?: ((event: HookEvent<W, TaskRetryEvent>) => void) | undefined;
  /** A task reported progress with `ctx.progress(data)`. Its event: a {@link TaskProgressEvent}. */
  onTaskProgress?: ((event: HookEvent<W, TaskProgressEvent>) => void) | undefined;
  /**
   * A task was skipped: it called `skip()`, or its `when` rule can no longer be met. Its event: a
   * {@link TaskSkipEvent}.
   */
  onTaskSkip?: ((event: HookEvent<W, TaskSkipEvent>) => void) | undefined;
}

/**
 * Whether hooks of a run of `W` keep their plain events: `W` is `any`, or its type names no task
 * (its tasks are `private` or `protected`, which `keyof` does not see).
 */
type UntypedHooks<W> = IsAny<W> extends true ? true : [TaskName<W>] extends [never] ? true : false;

/** A hook's event for a run of `W`: its `task` is one of `W`'s task names. */
type HookEvent<W, E> = UntypedHooks<W> extends true ? E : E & { task: TaskName<W> };

/** `onTaskSuccess`'s event for a run of `W`: once `task` is narrowed, `value` is that task's. */
type SuccessHookEvent<W> =
  UntypedHooks<W> extends true
    ? TaskSuccessEvent
    : { [K in TaskName<W>]: TaskSuccessEvent & { task: K; value: TaskResult<W, K> } }[TaskName<W>];

/**
 * Options of one run: the third argument of `Workflow.invoke` and `Workflow.stream` (a builder's
 * `invoke` and `stream` take {@link DagInvokeOptions}).
 *
 * @typeParam W - the workflow's type, whose task names `targets`, `overrides` and `hooks` take;
 *   `Workflow.invoke` infers it from the instance.
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
   * Aborting it stops the run: no new task starts, the signals of running tasks (`SIGNAL`,
   * `@Signal()`, `ctx.signal`) abort, and the promise rejects with `WorkflowAbortedError`. An
   * already-aborted signal starts nothing.
   */
  signal?: AbortSignal | undefined;
  /**
   * At most this many tasks in flight: a positive integer or `Infinity`. When more are ready, the
   * one with the highest cumulative `priority` (its own plus the largest of 0 and its dependents')
   * starts first, then the one with the longest remaining path to a sink, then the first declared
   * (with `targets`, counting only the tasks the run runs).
   * @default Infinity
   */
  concurrency?: number | undefined;
  /**
   * Run only these tasks and their transitive dependencies.
   * @default every task
   */
  // Not `(TaskName<W> & string)[]`, which would write the names out in a compile error, as in
  // `get`: this is a property's type, so it is what a consumer's helper that builds `targets`
  // infers, and writes into its declarations — there the alias stays one name. A misspelt name
  // still gets the compiler's "Did you mean".
  targets?: readonly TaskName<W>[] | undefined;
  /**
   * Functions to run instead of the named task methods for this run, with the same argument
   * binding and `this` bound to the instance. Each takes the task's arguments and returns what the
   * task does (or a promise of it), so `result.get` stays true to its type. An entry given as
   * `undefined` runs the task itself.
   */
  overrides?:
    | {
        [K in TaskName<W>]?: TaskOverride<W, K> | InheritedMember<K> | undefined;
      }
    | undefined;
  /**
   * Observers of task starts, successes, failures, retries, skips and progress: an object, a class
   * instance (called with `this` = it) or a class whose hooks are `static`. Hooks that hold no hook
   * (`{}`, or every hook `undefined`) cost nothing, as none given.
   */
  hooks?: WorkflowHooks<W> | undefined;
  /**
   * Wrappers around the whole run and around each task attempt, outermost first. An empty list
   * (or none) costs nothing.
   */
  interceptors?: readonly WorkflowInterceptor[] | undefined;
  /**
   * `true`: the first failure stops the run. `false`: tasks not downstream of a failure keep
   * running, dependents of failed tasks are skipped, and the run rejects at the end with every
   * failure.
   * @default true
   */
  failFast?: boolean | undefined;
}

/**
 * The function `InvokeOptions.overrides` takes for task `K` of `W`: the task's arguments in, what
 * it returns (or a promise of it) out, `this` the instance. The whole function type is the
 * conditional type, not only its parameters: while `Workflow.invoke` infers `W`, TypeScript then
 * types an inline override by this type once `W` is known, so that `() => 'gold'` keeps the
 * literal type a task returning `'gold' | 'standard'` asks for, instead of widening it to `string`.
 * Internal: not exported from the package.
 */
type TaskOverride<W, K extends TaskName<W>> =
  NonNullable<MemberNamed<W, K>> extends (...args: infer A) => unknown
    ? (this: W, ...args: A) => TaskResult<W, K> | PromiseLike<TaskResult<W, K>>
    : never;

/**
 * For a task named like an `Object.prototype` method (`valueOf`, `hasOwnProperty`, …), that
 * method's type, which its entry of `overrides` takes too: TypeScript checks an object's inherited
 * `Object.prototype` members against the optional members of the type it is given for, so an
 * `overrides` object that does not override that task would otherwise not compile (the run reads
 * only an object's own entries). Internal: not exported from the package.
 */
// eslint-disable-next-line @typescript-eslint/no-wrapper-object-types -- the members every object has
type InheritedMember<K> = K extends keyof Object ? Object[K] : never;

/**
 * How a task ended in a run.
 *
 * @example
 * ```ts
 * const statuses: TaskStatus[] = result.trace.map((entry) => entry.status); // ['succeeded', …]
 * ```
 */
export type TaskStatus = 'succeeded' | 'failed' | 'skipped';

/**
 * One task's entry in `ExecutionResult.trace`. Times are milliseconds since the run began. A task
 * skipped because of a dependency never started (`attempts: 0`): its `start` and `end` are both
 * the time it was skipped; a task that called `skip()` has its real start and end.
 *
 * @example
 * ```ts
 * for (const { task, status, start, end, attempts } of result.trace) {
 *   console.log(task, status, end - start, attempts);
 * }
 * ```
 */
export interface TaskTrace {
  /** The task name. */
  readonly task: string;
  /** How the task ended. */
  readonly status: TaskStatus;
  /** When the task started, in ms since the run began. */
  readonly start: number;
  /**
   * When it settled (for a timed-out attempt: when it timed out), in ms since the run began: a
   * clock reading taken once it had settled, which tasks settling in the same turn of the
   * microtask queue may share.
   */
  readonly end: number;
  /** Attempts made (0 for a task skipped before it started). */
  readonly attempts: number;
  /** Why the task was skipped (skipped tasks only). */
  readonly reason?: string;
  /** The error the task's `fallback` recovered from (recovered tasks only). */
  readonly recoveredFrom?: unknown;
}

/**
 * One task of a {@link WorkflowGraph}.
 *
 * @example
 * ```ts
 * for (const { name, dependsOn } of Workflow.graph(Checkout).tasks) console.log(name, dependsOn);
 * ```
 */
export interface TaskNode {
  /** The task (method) name. */
  readonly name: string;
  /** Tasks this one waits for, in `@DependsOn` order, without repeats. */
  readonly dependsOn: readonly string[];
  /** Tasks that wait for this one, in declaration order. */
  readonly dependents: readonly string[];
}

/**
 * The validated DAG of a workflow class, as returned by `Workflow.graph` (or of a builder's DAG, as
 * its `graph()` returns it).
 *
 * @example
 * ```ts
 * const graph: WorkflowGraph = Workflow.graph(Checkout);
 * graph.order; // ['user', 'cart', 'discount'], every task after its dependencies
 * ```
 */
export interface WorkflowGraph {
  /** The workflow's name: its class name, or a builder's `name`. */
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

/**
 * What a run interceptor is told about the run it wraps.
 *
 * @example
 * ```ts
 * const logged: WorkflowInterceptor = {
 *   run: (info: RunInterceptorInfo, next) => (console.log('run', info.workflow), next()),
 * };
 * ```
 */
export interface RunInterceptorInfo {
  /** The workflow's name. */
  readonly workflow: string;
  /** The value passed to `invoke`. */
  readonly param: unknown;
}

/**
 * What a task interceptor is told about the attempt it wraps.
 *
 * @example
 * ```ts
 * const logged: WorkflowInterceptor = {
 *   task: ({ task, attempt }: TaskInterceptorInfo, next) => (console.log(task, attempt), next()),
 * };
 * ```
 */
export interface TaskInterceptorInfo extends RunInterceptorInfo {
  /** The task's name. */
  readonly task: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /**
   * The run this attempt belongs to: the very object the run interceptors received as `info` (one
   * per run, even when no interceptor has a `run` method). Key per-run state by it — the context
   * active when the attempt starts may be another's (an abort from elsewhere can start an
   * `allSettled` task), and concurrent runs may have equal `workflow` and `param`.
   *
   * @example
   * ```ts
   * const startedAt = new WeakMap<RunInterceptorInfo, number>();
   * const interceptor: WorkflowInterceptor = {
   *   run(info, next) { startedAt.set(info, Date.now()); return next(); },
   *   task(info, next) { console.log(info.task, Date.now() - startedAt.get(info.run)!); return next(); },
   * };
   * ```
   */
  readonly run: RunInterceptorInfo;
  /**
   * Aborts when this attempt should stop: at its timeout, or when the run stops (the caller's
   * signal aborts, or a failure stops it) — except for a `when: 'allSettled'` task, which runs
   * anyway. The very signal the task gets in this attempt, when it takes one (`SIGNAL`,
   * `@Signal()`, `ctx.signal`). An interceptor that holds `next()` back (a rate limiter, a lock) listens to it, so that a run
   * stopping never waits for it. A getter, not an own property: `{ ...info }` leaves it out.
   *
   * @example
   * ```ts
   * const limited: WorkflowInterceptor = {
   *   async task(info, next) {
   *     await slots.acquire(info.signal); // rejects when the signal aborts
   *     try { return await next(); } finally { slots.release(); }
   *   },
   * };
   * ```
   */
  readonly signal: AbortSignal;
}

/**
 * An interceptor, given in `InvokeOptions.interceptors`: it wraps a whole run (`run`) and every
 * task attempt (`task`), like a NestJS interceptor: `next()` runs the wrapped work and returns its
 * promise; the interceptor may time, log, transform or throw. The body runs inside the
 * interceptor's call, so context set around `next()` (AsyncLocalStorage, an OpenTelemetry context)
 * is seen inside the task.
 *
 * @example
 * ```ts
 * const timing: WorkflowInterceptor = {
 *   async task({ task, attempt }, next) {
 *     const started = performance.now();
 *     try {
 *       return await next();
 *     } finally {
 *       console.log(`${task}#${attempt}: ${performance.now() - started} ms`);
 *     }
 *   },
 * };
 * await Workflow.invoke(flow, input, { interceptors: [timing] });
 * ```
 */
export interface WorkflowInterceptor {
  /**
   * Wraps the run: `next()` starts it and resolves with the `ExecutionResult` (or rejects with the
   * run's error). What this returns or throws is what `invoke` resolves or rejects with — but
   * `undefined`, the slip of an `async` interceptor that awaits `next()` without returning it,
   * is a `TypeError` that says to return it (its `cause`: the run's error, if this swallowed it),
   * which the interceptors outside get from `next()`. A `next()` called once the promise this
   * returned has settled starts no run: its promise rejects.
   */
  run?: ((info: RunInterceptorInfo, next: () => Promise<ExecutionResult>) => unknown) | undefined;
  /**
   * Wraps one attempt of a task: `next()` calls the task and returns a promise of its value. What
   * this returns (awaited) or throws is the attempt's outcome — unless the task's `timeout` fires
   * first: then every layer's `next()` rejects with the `TaskTimeoutError` and the attempt fails
   * with it. Not calling `next()` skips the body; calling `skip()` (or rethrowing the body's, which
   * `next()` rejects with) skips the task. A `next()` called once the attempt has ended does not
   * call the task: its promise rejects.
   */
  task?: ((info: TaskInterceptorInfo, next: () => Promise<unknown>) => unknown) | undefined;
}

/**
 * What all events of a run share.
 *
 * @example
 * ```ts
 * const at = (event: WorkflowEventBase) => `${event.task} at ${event.time.toFixed(1)} ms`;
 * ```
 */
export interface WorkflowEventBase<K extends string = string> {
  /** The task the event is about. */
  readonly task: K;
  /** When it happened, in ms since the run began (the trace's clock); never decreases. */
  readonly time: number;
}

/**
 * One event of a streamed run (what a {@link WorkflowStream} yields), discriminated by `type`.
 * Every event has `type`, `task` (the task's name) and `time` (ms since the run began, the
 * trace's clock; it never decreases), and:
 * - `taskStart`: `attempt` (1 for the first attempt, 2 for the first retry, …): an attempt started;
 * - `taskSuccess`: `attempt`, `value` (what the task returned, awaited) and, when the task's
 *   `fallback` gave the value, `recoveredFrom` (the error it recovered from);
 * - `taskFailure`: `attempt`, `error` (what the attempt threw) and `willRetry` (whether another
 *   attempt follows);
 * - `taskSkip`: `reason` (the string given to `skip()`, or which dependency made it skip);
 * - `taskProgress`: `attempt` and `data` (the value the task gave `ctx.progress(data)`).
 *
 * Once `type` and `task` are narrowed, a `taskSuccess` event's `value` has that task's type (for a
 * workflow whose tasks are all `private` or `protected`, events name any task and `value` is
 * `unknown`).
 *
 * @typeParam W - the workflow's type, which types `task` and a `taskSuccess` event's `value`.
 * @example
 * ```ts
 * for await (const event of Workflow.stream(new Checkout(repo), req)) {
 *   if (event.type === 'taskSuccess' && event.task === 'cart') event.value; // cart's result type
 * }
 * ```
 */
export type WorkflowEvent<W = any> = EventOf<[TaskName<W>] extends [never] ? UnnamedTasks : W>;

/**
 * How the events of a workflow whose type names no task are typed (its tasks are `private` or
 * `protected`, which `keyof` does not see): any task name, values `unknown` — as hooks keep their
 * plain events.
 */
type UnnamedTasks = Record<string, () => unknown>;

/**
 * {@link WorkflowEvent}, for a `W` that names its tasks. Each event a plain object type, `task`
 * its first member, rather than a {@link WorkflowEventBase} intersected with the rest (which it
 * still fits): TypeScript then narrows a union of them on `task` (`switch (event.task)` over a
 * stream's events, once narrowed on `type`) by a lookup, not a pass over every task's event in
 * each `case`, which made such a `switch` over a 1,000-task class take 10 s of type-checking.
 */
type EventOf<W> = {
  [K in TaskName<W>]:
    | {
        /** The task the event is about. */
        readonly task: K;
        /** When it happened, in ms since the run began (the trace's clock); never decreases. */
        readonly time: number;
        /** An attempt of the task started. */
        readonly type: 'taskStart';
        /** 1 for the first attempt, 2 for the first retry, … */
        readonly attempt: number;
      }
    | {
        /** The task the event is about. */
        readonly task: K;
        /** When it happened, in ms since the run began (the trace's clock); never decreases. */
        readonly time: number;
        /** The task succeeded. */
        readonly type: 'taskSuccess';
        /** The attempt that succeeded. */
        readonly attempt: number;
        /** What the task returned (awaited). */
        readonly value: TaskResult<W, K>;
        /** Present when the value came from the task's `fallback`. */
        readonly recoveredFrom?: unknown;
      }
    | {
        /** The task the event is about. */
        readonly task: K;
        /** When it happened, in ms since the run began (the trace's clock); never decreases. */
        readonly time: number;
        /** An attempt failed. */
        readonly type: 'taskFailure';
        /** The attempt that failed. */
        readonly attempt: number;
        /** What it threw. */
        readonly error: unknown;
        /** Whether another attempt follows. */
        readonly willRetry: boolean;
      }
    | {
        /** The task the event is about. */
        readonly task: K;
        /** When it happened, in ms since the run began (the trace's clock); never decreases. */
        readonly time: number;
        /** The task was skipped. */
        readonly type: 'taskSkip';
        /** Why: the string given to `skip()`, or which dependency made it skip. */
        readonly reason: string;
      }
    | {
        /** The task the event is about. */
        readonly task: K;
        /** When it happened, in ms since the run began (the trace's clock); never decreases. */
        readonly time: number;
        /** The task reported progress with `ctx.progress(data)`. */
        readonly type: 'taskProgress';
        /** The attempt that reported it. */
        readonly attempt: number;
        /** The value given to `progress` (the same object, not a copy). */
        readonly data: unknown;
      };
}[TaskName<W>];
