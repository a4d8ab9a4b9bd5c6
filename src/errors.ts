/**
 * The errors of a run: a task failed, the run was aborted, an attempt timed out, or an option was
 * invalid. Messages always name the workflow and, where one is involved, the task. (Definition
 * errors live in `definition-errors.ts`; `TaskResultError` lives with the results.)
 */
import {
  bareName,
  describeInput,
  describeThrown,
  errorAsJson,
  isError,
  quotedName,
  thrownAsJson,
} from './describe.js';
import type { ExecutionResult } from './result.js';
import { shareInstanceof } from './shared.js';
import type { WorkflowHooks } from './types.js';

/**
 * The error a run rejects with when a task failed (after its retries): `task` names the first
 * that failed, `cause` is what it threw, `failures` lists every failure and `result` holds what
 * did succeed. Every task already in flight had settled before this rejection.
 *
 * @typeParam W - the workflow's type (its instance type; `DagTasks` for a builder's run), which
 *   types `result`; `any` in a `catch`, where the run is not known.
 * @typeParam P - the type of the run's parameter.
 * @example
 * ```ts
 * try {
 *   await Workflow.invoke(flow, input);
 * } catch (error) {
 *   if (error instanceof WorkflowExecutionError) {
 *     console.error(error.task, error.cause, error.result.has('cart'));
 *   }
 * }
 * ```
 */
export class WorkflowExecutionError<W extends object = any, P = unknown> extends Error {
  /** Always `'WorkflowExecutionError'`. */
  override readonly name = 'WorkflowExecutionError';

  constructor(
    /** The workflow's name: its class name, or a builder's `name`. */
    readonly workflow: string,
    /** The first task that failed. */
    readonly task: string,
    /** What that task threw. */
    override readonly cause: unknown,
    /** Every task failure of the run, in the order they happened. */
    readonly failures: readonly TaskFailure[],
    /** What did succeed. */
    readonly result: ExecutionResult<W, P>,
  ) {
    super(
      `${bareName(workflow)}: ${firstFailureText(workflow, task, cause, failures)}` +
        othersText(failures),
      { cause },
    );
  }

  /**
   * The error as JSON holds it — what a structured logger writes: every thrown error as
   * `{ name, message }`, a thrown string as it is, any other value described, so that a `BigInt`
   * or a value that refers to itself never makes the log line throw; the result as its own
   * `toJSON()` gives it.
   */
  toJSON(): object {
    return runErrorAsJson(this, { task: this.task });
  }
}
shareInstanceof(WorkflowExecutionError, 'WorkflowExecutionError');

/**
 * A run error as JSON holds it (see {@link WorkflowExecutionError.toJSON}): its `name`, `message`
 * and `workflow`, then `own` (what only its kind has), then `cause`, `failures` and `result`, all
 * plain data that `structuredClone` copies as `JSON.stringify` writes it.
 */
function runErrorAsJson(error: WorkflowExecutionError | WorkflowAbortedError, own: object): object {
  const { workflow, cause, failures, result } = error;
  return errorAsJson(error, {
    workflow,
    ...own,
    cause: thrownAsJson(cause),
    failures: failures.map(failureAsJson),
    // The result's own JSON, not the result: a structured clone of `toJSON()` — how a run error is
    // sent to a worker — would copy the result's `param` and none of its trace.
    result: typeof result?.toJSON === 'function' ? result.toJSON() : result,
  });
}

/** An entry of a run error's `failures` as JSON holds it: what was thrown, as {@link thrownAsJson}. */
function failureAsJson(failure: TaskFailure): object {
  return 'attemptError' in failure
    ? {
        task: failure.task,
        error: thrownAsJson(failure.error),
        attemptError: thrownAsJson(failure.attemptError),
      }
    : { task: failure.task, error: thrownAsJson(failure.error) };
}

/**
 * `failure`, an entry a run adds to its `failures`, with two methods of its own for logs, not
 * enumerable (spreading, `Object.keys` and deep equality still see `task`, `error` and
 * `attemptError` only):
 * - `toJSON`, which writes it as the run error's `toJSON()` does. Loggers that do not call the
 *   error's `toJSON` — pino's `err` serializer, winston's `errors` format — copy its own fields and
 *   write `failures` as they are, where an `Error` becomes `{}` and a `BigInt` throws.
 * - Node's custom inspection: `console.error(runError)` (depth 2) reaches the entries but not
 *   their errors, which it would show as `[Error]`; there, an error is shown by its name and
 *   message, `[TypeError: socket hang up]`. With depth to spare, the entry prints as it is.
 */
export function loggableFailure(failure: TaskFailure): TaskFailure {
  Object.defineProperties(failure, FAILURE_METHODS);
  return failure;
}

const FAILURE_METHODS: PropertyDescriptorMap = {
  toJSON: {
    value(this: TaskFailure): object {
      return failureAsJson(this);
    },
  },
  [Symbol.for('nodejs.util.inspect.custom')]: {
    value(this: TaskFailure, depth: number, options: { stylize?: Stylize }): unknown {
      // A plain copy, not the entry itself: a runtime may print what this returns as it is.
      const view: Record<string, unknown> = { ...this };
      // Only at a depth of 0 are the entry's values past the depth asked for (null: no limit).
      if (depth !== 0) return view;
      const stylize = typeof options?.stylize === 'function' ? options.stylize : undefined;
      view.error = errorInBrief(this.error, stylize);
      if ('attemptError' in view) view.attemptError = errorInBrief(this.attemptError, stylize);
      return view;
    },
  },
};

/** The `stylize` Node passes to a custom inspection method, which colours `text` as `style`. */
type Stylize = (text: string, style: string) => string;

/**
 * `thrown` as Node's `inspect` shows an object past its depth — when it is an `Error`, with its
 * message: `[TypeError: socket hang up]` (cut short, as {@link describeThrown} cuts it) where
 * Node writes `[TypeError]`. Any other value as it is, for Node to show.
 */
function errorInBrief(thrown: unknown, stylize: Stylize | undefined): unknown {
  if (!isError(thrown)) return thrown;
  const { name, message } = thrownAsJson(thrown) as { name: string; message: string };
  const text = message === '' ? `[${name}]` : `[${name}: ${describeThrown(thrown)}]`;
  const shown = stylize === undefined ? text : stylize(text, 'special');
  return { [Symbol.for('nodejs.util.inspect.custom')]: () => shown };
}

/**
 * The headline of a run error: {@link failureHeadline} of its first failure — naming the hook that
 * failed the run when a hook did (and `task` and `cause` are that failure's, as a run makes them).
 * Reads the entry only once a run marked it: one a caller gave may be anything. Never throws.
 */
function firstFailureText(
  workflow: string,
  task: string,
  cause: unknown,
  failures: readonly TaskFailure[],
): string {
  const first = failures[0] as TaskFailure | undefined;
  // `WeakMap.get` of a non-object is `undefined`; a marked entry is the run's own plain object.
  let hook = hookFailures.get(first as TaskFailure);
  if (hook !== undefined && (first!.task !== task || !Object.is(first!.error, cause))) {
    hook = undefined;
  }
  return failureHeadline(workflow, task, cause, hook);
}

/**
 * ` (and 2 more: "b", the onTaskFailure hook of "c")` for the failures after the first; long
 * lists are cut short.
 */
function othersText(failures: readonly TaskFailure[]): string {
  const others = failures.slice(1).map((failure) => {
    const hook = hookFailures.get(failure);
    return hook === undefined
      ? quotedName(failure.task)
      : `the ${hook.hook} hook of ${quotedName(failure.task)}`;
  });
  if (others.length === 0) return '';
  const shown = others.length > 5 ? [...others.slice(0, 5), '…'] : others;
  return ` (and ${others.length} more: ${shown.join(', ')})`;
}

/**
 * One entry of the `failures` of a {@link WorkflowExecutionError} or a {@link WorkflowAbortedError}.
 * In JSON, an entry a run made is written as the run error's `toJSON()` writes it.
 *
 * @example
 * ```ts
 * for (const { task, error, attemptError } of runError.failures) {
 *   console.error(task, error, attemptError ?? '');
 * }
 * ```
 */
export interface TaskFailure {
  /** The task that failed. */
  readonly task: string;
  /** What it threw (or what its hook threw). */
  readonly error: unknown;
  /**
   * The attempt's own error, when `error` was thrown while handling it — by `retryIf`, a
   * `retryDelay` function, an `onTaskRetry` hook, the `onTaskStart` hook of the retry or the
   * task's `fallback` — or the error a fallback recovered the task from, when `error` is what the
   * `onTaskSuccess` hook of that recovery threw. Absent otherwise.
   */
  readonly attemptError?: unknown;
}

/**
 * The error a run rejects with when it was aborted: its `signal` aborted, or the reader of its
 * stream left the loop early. `name` is `'AbortError'`, like the DOM's, so generic abort handling
 * recognises it.
 *
 * @typeParam W - the workflow's type (its instance type; `DagTasks` for a builder's run), which
 *   types `result`; `any` in a `catch`, where the run is not known.
 * @typeParam P - the type of the run's parameter.
 * @example
 * ```ts
 * const controller = new AbortController();
 * const run = Workflow.invoke(flow, input, { signal: controller.signal });
 * controller.abort(new Error('user left'));
 * await run.catch((error) => error instanceof WorkflowAbortedError); // true
 * ```
 */
export class WorkflowAbortedError<W extends object = any, P = unknown> extends Error {
  /** Always `'AbortError'`, as for the DOM's abort errors. */
  override readonly name = 'AbortError';

  constructor(
    /** The workflow's name: its class name, or a builder's `name`. */
    readonly workflow: string,
    /** The signal's `reason` (for a stream left early, an `AbortError` that says so). */
    override readonly cause: unknown,
    /** What succeeded, before the abort and after it (tasks in flight then, `allSettled` tasks). */
    readonly result: ExecutionResult<W, P>,
    /**
     * The task failures of the run, in the order they happened — those before the abort (with
     * `failFast: false`, or while a retry waited) and those after it: a retry wait it ended, and
     * tasks in flight that failed once it came (one that gives up when its signal aborts, as
     * `fetch` does, among them). Empty when none.
     */
    readonly failures: readonly TaskFailure[] = [],
  ) {
    super(`${bareName(workflow)}: the run was aborted: ${describeThrown(cause)}`, { cause });
  }

  /** The error as JSON holds it (as {@link WorkflowExecutionError.toJSON}). */
  toJSON(): object {
    return runErrorAsJson(this, {});
  }
}
shareInstanceof(WorkflowAbortedError, 'WorkflowAbortedError');

/**
 * The error an attempt of a task fails with when it takes longer than the task's `timeout`. The
 * attempt's signal (`SIGNAL`, `@Signal()`, `ctx.signal`) aborts with this error as its reason.
 *
 * @example
 * ```ts
 * class Flow {
 *   @Task({ timeout: 1_000 }) @DependsOn(SIGNAL) slow(signal: AbortSignal) {
 *     return fetch('https://slow.example', { signal });
 *   }
 * }
 * // rejects with WorkflowExecutionError whose cause is a TaskTimeoutError
 * ```
 */
export class TaskTimeoutError extends Error {
  /** Always `'TaskTimeoutError'`. */
  override readonly name = 'TaskTimeoutError';

  constructor(
    /** The workflow's name: its class name, or a builder's `name`. */
    readonly workflow: string,
    /** The task that timed out. */
    readonly task: string,
    /** Its timeout in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`${bareName(workflow)}: task ${quotedName(task)} timed out after ${timeoutMs} ms`);
  }

  /** The error as JSON holds it: `name`, `message`, `workflow`, `task` and `timeoutMs`. */
  toJSON(): object {
    const { workflow, task, timeoutMs } = this;
    return errorAsJson(this, { workflow, task, timeoutMs });
  }
}
shareInstanceof(TaskTimeoutError, 'TaskTimeoutError');

/** A hook a run calls, by name. */
export type HookName = keyof WorkflowHooks;

/**
 * A failure of a run that a hook made, rather than its task: which hook, whether it threw or the
 * promise it returned rejected, and whether the task failed because of it (a throwing
 * `onTaskStart`, `onTaskSuccess` or `onTaskRetry`) or only the run did.
 */
export interface HookFailure {
  readonly hook: HookName;
  readonly rejected: boolean;
  readonly failedTask: boolean;
}

/**
 * The failures of runs' errors that hooks made (see {@link markHookFailure}): what their messages
 * say instead of the task alone. Keyed by the entry, so that it lives as long as the error does.
 */
const hookFailures = new WeakMap<TaskFailure, HookFailure>();

/** Records that `failure`, an entry of a run's `failures`, is what `hook` made. */
export function markHookFailure(failure: TaskFailure, hook: HookFailure): void {
  hookFailures.set(failure, hook);
}

/** The hook that made `failure`, an entry of a run's `failures`, if one did. */
export function hookFailureOf(failure: TaskFailure): HookFailure | undefined {
  return hookFailures.get(failure);
}

/**
 * A failure of task `task` with `thrown`, after the workflow's name: `task "a" failed: boom` (see
 * {@link failureText}); when a hook made it, `task "a" failed: its onTaskStart hook threw: boom`
 * if the task failed because of it, else `the onTaskSkip hook of task "a" threw: boom` (or
 * `rejected:`, for the promise an `async` hook returned).
 */
export function failureHeadline(
  workflow: string,
  task: string,
  thrown: unknown,
  hook: HookFailure | undefined,
): string {
  if (hook === undefined || hook.failedTask) {
    return `task ${quotedName(task)} ${failureText(workflow, task, thrown, '', hook?.hook)}`;
  }
  return `the ${hook.hook} hook of task ${quotedName(task)} ${hook.rejected ? 'rejected' : 'threw'}: ${describeThrown(thrown)}`;
}

/**
 * How task `task` ended with `thrown`, `when` (`''`, or `' in this run'`) after the verb: `failed:`
 * and what it threw, or — when that is the task's own `TaskTimeoutError` (of any loaded copy of the
 * package) — `timed out after 15 ms`, rather than quote an error that repeats the workflow and the
 * task. When `hook` threw `thrown` and so failed the task: `failed: its onTaskSuccess hook threw:`
 * and what it threw. Safe for any value.
 */
export function failureText(
  workflow: string,
  task: string,
  thrown: unknown,
  when: string,
  hook?: HookName,
): string {
  if (hook !== undefined) return `failed${when}: its ${hook} hook threw: ${describeThrown(thrown)}`;
  try {
    if (
      thrown instanceof TaskTimeoutError &&
      thrown.workflow === workflow &&
      thrown.task === task
    ) {
      const { timeoutMs } = thrown;
      if (typeof timeoutMs === 'number') return `timed out${when} after ${timeoutMs} ms`;
    }
  } catch {
    // A revoked Proxy, a getter that throws: no timeout of this task.
  }
  return `failed${when}: ${describeThrown(thrown)}`;
}

/**
 * The error for an invalid `InvokeOptions` value: `Workflow.invoke` (and a builder's `invoke`)
 * rejects with it, and `stream` throws it, before any task starts.
 *
 * @example
 * ```ts
 * await Workflow.invoke(flow, input, { concurrency: 0 }); // rejects: concurrency must be …
 * ```
 */
export class WorkflowOptionsError extends TypeError {
  /** Always `'WorkflowOptionsError'`. */
  override readonly name = 'WorkflowOptionsError';

  constructor(
    /** The workflow's name: its class name, or a builder's `name`. */
    readonly workflow: string,
    /** The option that is wrong. */
    readonly option: string,
    message: string,
  ) {
    // Quoted as JSON and cut short: an unknown option's key may come from outside (a JSON config).
    super(`${bareName(workflow)}: invalid option ${describeInput(option)}: ${message}`);
  }

  /** The error as JSON holds it: `name`, `message`, `workflow` and `option`. */
  toJSON(): object {
    return errorAsJson(this, { workflow: this.workflow, option: this.option });
  }
}
shareInstanceof(WorkflowOptionsError, 'WorkflowOptionsError');
