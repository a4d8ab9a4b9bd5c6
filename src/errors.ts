/**
 * Every error the library throws, and every message it writes, in one place. Messages always name
 * the workflow class and, where one is involved, the task — and say how to fix the problem.
 */
import { describeInput, describeThrown } from './describe';
import type { ExecutionResult } from './result';

/** The codes of {@link WorkflowDefinitionError}. */
export type DefinitionErrorCode =
  'CYCLE' | 'UNKNOWN_DEPENDENCY' | 'NOT_A_TASK' | 'PARAMETER_GAP' | 'INVALID_TASK' | 'NO_TASKS';

/**
 * The workflow class is not a valid workflow. Thrown by `Workflow.validate` and `Workflow.graph`,
 * and the rejection of `Workflow.invoke`, before any task starts.
 *
 * @example
 * ```ts
 * try {
 *   Workflow.validate(Checkout);
 * } catch (error) {
 *   if (error instanceof WorkflowDefinitionError && error.code === 'CYCLE') console.error(error.message);
 * }
 * ```
 */
export class WorkflowDefinitionError extends Error {
  /** Always `'WorkflowDefinitionError'`. */
  override readonly name = 'WorkflowDefinitionError';

  constructor(
    /** What is wrong, as a stable code. */
    readonly code: DefinitionErrorCode,
    /** The workflow class name. */
    readonly workflow: string,
    /** The task (or member) involved, when there is one. */
    readonly task: string | undefined,
    message: string,
  ) {
    super(`${workflow}: ${message}`);
  }
}

/**
 * A task failed (after its retries), so the run failed. Every task already in flight had settled
 * before this rejection.
 *
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
    /** The workflow class name. */
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
    super(`${workflow}: task "${task}" failed: ${describeThrown(cause)}` + othersText(failures), {
      cause,
    });
  }
}

/** ` (and 2 more: "b", "c")` for the failures after the first; long lists are cut short. */
function othersText(failures: readonly TaskFailure[]): string {
  const others = failures.slice(1).map((failure) => `"${failure.task}"`);
  if (others.length === 0) return '';
  const shown = others.length > 5 ? [...others.slice(0, 5), '…'] : others;
  return ` (and ${others.length} more: ${shown.join(', ')})`;
}

/** One entry of {@link WorkflowExecutionError.failures}. */
export interface TaskFailure {
  /** The task that failed. */
  readonly task: string;
  /** What it threw (or what its hook threw). */
  readonly error: unknown;
  /**
   * The attempt's own error, when `error` was thrown by a retry policy — a `retryDelay` function
   * or an `onTaskRetry` hook — while handling it. Absent otherwise.
   */
  readonly attemptError?: unknown;
}

/**
 * The run's `signal` was aborted. `name` is `'AbortError'`, like the DOM's, so generic abort
 * handling recognises it.
 *
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
    /** The workflow class name. */
    readonly workflow: string,
    /** The signal's `reason`. */
    override readonly cause: unknown,
    /** What succeeded before the abort. */
    readonly result: ExecutionResult<W, P>,
  ) {
    super(`${workflow}: the run was aborted: ${describeThrown(cause)}`, { cause });
  }
}

/**
 * An attempt of a task took longer than its `timeout`. The attempt's `@Signal()` is aborted with
 * this error as its reason.
 *
 * @example
 * ```ts
 * class Flow {
 *   @Task({ timeout: 1_000 }) async slow(@Signal() signal: AbortSignal) { … }
 * }
 * // rejects with WorkflowExecutionError whose cause is a TaskTimeoutError
 * ```
 */
export class TaskTimeoutError extends Error {
  /** Always `'TaskTimeoutError'`. */
  override readonly name = 'TaskTimeoutError';

  constructor(
    /** The workflow class name. */
    readonly workflow: string,
    /** The task that timed out. */
    readonly task: string,
    /** Its timeout in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`${workflow}: task "${task}" timed out after ${timeoutMs} ms`);
  }
}

/**
 * An `InvokeOptions` value is invalid. `Workflow.invoke` rejects with it before any task starts.
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
    /** The workflow class name. */
    readonly workflow: string,
    /** The option that is wrong. */
    readonly option: string,
    message: string,
  ) {
    super(`${workflow}: invalid option "${option}": ${message}`);
  }
}

/**
 * `ExecutionResult.get` was asked for a name that is not a task, or for a task that did not
 * succeed in this run.
 *
 * @example
 * ```ts
 * result.has('cart') ? result.get('cart') : undefined; // never throws
 * ```
 */
export class TaskResultError extends Error {
  /** Always `'TaskResultError'`. */
  override readonly name = 'TaskResultError';

  constructor(
    /** The workflow class name. */
    readonly workflow: string,
    /** The name that was asked for. */
    readonly task: string,
    message: string,
  ) {
    super(`${workflow}: ${message}`);
  }
}

/** The message builders of {@link WorkflowDefinitionError}, one per situation. */
export const definitionErrors = {
  cycle(workflow: string, path: readonly string[]): WorkflowDefinitionError {
    const arrow = path.join(' -> ');
    return new WorkflowDefinitionError(
      'CYCLE',
      workflow,
      path[0],
      path.length === 2
        ? `task "${path[0]}" depends on itself (${arrow}). Remove "${path[0]}" from its own @DependsOn.`
        : `dependency cycle ${arrow} (each task runs after the one before it). ` +
            `Remove one of these @DependsOn links.`,
    );
  },

  unknownDependency(
    workflow: string,
    task: string,
    dependency: string,
    suggestion: string | undefined,
    dependencyIsUndecoratedMethod: boolean,
  ): WorkflowDefinitionError {
    let hint: string;
    if (dependencyIsUndecoratedMethod) hint = ` "${dependency}" is a method: add @Task() to it.`;
    else if (suggestion !== undefined) hint = ` Did you mean "${suggestion}"?`;
    else hint = ' Check the spelling, or add a @Task() method with that name.';
    return new WorkflowDefinitionError(
      'UNKNOWN_DEPENDENCY',
      workflow,
      task,
      `task "${task}" depends on "${dependency}", which is not a task.${hint}`,
    );
  },

  notATask(
    workflow: string,
    member: string,
    decorators: readonly string[],
  ): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'NOT_A_TASK',
      workflow,
      member,
      `${decorators.join(', ')} on "${member}", which is not a @Task() method of this class. ` +
        `Add @Task() to "${member}" (an override must repeat @Task() to change an inherited task).`,
    );
  },

  invalidInput(
    workflow: string,
    task: string,
    position: number,
    input: unknown,
  ): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'UNKNOWN_DEPENDENCY',
      workflow,
      task,
      `input ${position + 1} of task "${task}" is ${describeInput(input)}, which is not a task name. ` +
        `@DependsOn takes task names (strings).`,
    );
  },

  parameterGap(
    workflow: string,
    task: string,
    index: number,
    arity: number,
    dependencyCount: number,
    unfilled: readonly (readonly [first: number, last: number])[],
  ): WorkflowDefinitionError {
    const count = unfilled.reduce((total, [first, last]) => total + last - first + 1, 0);
    const plural = count === 1 ? '' : 's';
    return new WorkflowDefinitionError(
      'PARAMETER_GAP',
      workflow,
      task,
      `argument ${index} of task "${task}" is marked, but the task receives only ${arity} ` +
        `argument${arity === 1 ? '' : 's'} (${dependencyCount} from @DependsOn plus the marked ones), ` +
        `so argument${plural} ${positionsText(unfilled)} would get no value. ` +
        `Add the missing @DependsOn names or move the marked parameter left.`,
    );
  },

  invalidTask(workflow: string, member: string, problem: string): WorkflowDefinitionError {
    return new WorkflowDefinitionError('INVALID_TASK', workflow, member, problem);
  },

  noTasks(workflow: string): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'NO_TASKS',
      workflow,
      undefined,
      `the class has no @Task() methods. Decorate its methods with @Task(), and check that ` +
        `"experimentalDecorators": true is set in tsconfig.json (without it, decorators never run).`,
    );
  },
};

/** `3`, `1..4` for a contiguous run, or `1, 3..5, 7` for several. */
function positionsText(ranges: readonly (readonly [first: number, last: number])[]): string {
  return ranges
    .map(([first, last]) => (first === last ? String(first) : `${first}..${last}`))
    .join(', ');
}
