/**
 * The outcome of one run: typed task results and the trace. A result wraps the run's own arrays
 * (values, states, a start/end pair per task); the trace objects are built only when asked for.
 */
import {
  bareName,
  describeInput,
  describeThrown,
  errorAsJson,
  quotedName,
  thrownAsJson,
} from './describe.js';
import { failureText, hookFailureOf, type HookName, type TaskFailure } from './errors.js';
import { inspectView, type InspectFunction } from './inspect-view.js';
import type { PlanOutline, WorkflowPlan } from './plan.js';
import { taskNameHint } from './suggest.js';
import type { TaskName, TaskResult, TaskStatus, TaskTrace, TaskValues } from './types.js';
import { shareInstanceof } from './shared.js';
import { PARAM, PARAM_IS_RESULT_PARAM, shownToken } from './tokens.js';

/** Where a task is in a run, as stored per task in a run's `states`. */
export const TaskState = {
  Pending: 0,
  Running: 1,
  Succeeded: 2,
  Failed: 3,
  Skipped: 4,
  /** Never started because the run stopped first: not in the trace. */
  Cancelled: 5,
} as const;

/** The per-run arrays the scheduler fills in and a result reads. */
export interface RunRecord {
  /**
   * Per task: its value if it succeeded, its error if it failed, the reason (a string) if it was
   * skipped.
   */
  readonly values: readonly unknown[];
  readonly states: ArrayLike<number>;
  /** Per task, its start time at `2t` and its end time at `2t + 1`. */
  readonly times: ArrayLike<number>;
  /**
   * Attempts per task with an attempt policy (a timeout, retries or a fallback; 0 for the others);
   * `undefined` when no task has one. Every started task made at least one attempt.
   */
  readonly attempts: ArrayLike<number> | undefined;
  /** Tasks in the order they started or were skipped: the first `reportCount` entries. */
  readonly reportOrder: ArrayLike<number>;
  readonly reportCount: number;
  /** Which tasks the run included; `undefined` means all. */
  readonly included: Uint8Array | undefined;
  /** The errors that tasks' fallbacks recovered from, by task; `undefined` when none did. */
  readonly recoveredFrom: ReadonlyMap<number, unknown> | undefined;
  /** Tasks that started and then called `skip()`; `undefined` when none did. */
  readonly skippedItself: ReadonlySet<number> | undefined;
  /**
   * The run's failures, in the order they happened (a hook that failed a task marked its entry:
   * `hookFailureOf`); `undefined` when nothing failed.
   */
  readonly failures: readonly TaskFailure[] | undefined;
  readonly durationMs: number;
}

/** The parts of a {@link RunRecord} that only runs using some feature have. */
type RareOutput = Pick<
  RunRecord,
  'attempts' | 'included' | 'recoveredFrom' | 'skippedItself' | 'failures'
>;

const NO_RARE_OUTPUT: RareOutput = {
  attempts: undefined,
  included: undefined,
  recoveredFrom: undefined,
  skippedItself: undefined,
  failures: undefined,
};

const STATUS_BY_STATE: readonly (TaskStatus | undefined)[] = [
  undefined,
  undefined,
  'succeeded',
  'failed',
  'skipped',
  undefined,
];

/**
 * Reads a result's `#outline` (of its plan) from outside the class (set by its static block);
 * `undefined` for anything this copy's `ExecutionResult` did not make — without reading it (a
 * Proxy's traps stay untouched), and whatever `instanceof` says for a result of another loaded
 * copy.
 */
let outlineOf: (value: unknown) => PlanOutline | undefined;

/**
 * The results of one run: what `Workflow.invoke` (or a builder's `invoke`) resolves with, and a
 * stream's `result`. `get` is typed from the workflow class: `result.get('cart')` has the awaited
 * return type of the `cart` method. A subclass's result is one of its base class
 * (`W` is declared `out`): code written for `ExecutionResult<Base>` takes a subclass's result.
 *
 * @typeParam W - the workflow's type (its instance type; `DagTasks` for a builder's run), which
 *   types `get` and `toObject`; `any` when not known, as in a `catch`, where values are `unknown`.
 * @typeParam P - the type of the parameter the run was given (`param`).
 * @example
 * ```ts
 * const result = await Workflow.invoke(new Checkout(repo), req);
 * const cart = result.get('cart'); // typed as the awaited return type of Checkout#cart
 * console.log(result.durationMs, result.trace.map((t) => `${t.task} ${t.start}-${t.end}`));
 * ```
 */
export class ExecutionResult<out W extends object = any, P = unknown> {
  // Every field is `#private`, so that no printing of a result shows them: not console.log
  // (which uses the view below), and not Node's report of a run error nobody caught, which prints
  // the error with `customInspect: false` and would otherwise list the whole plan — and the
  // run's parameter, which may be a secret (`param` is a getter).
  readonly #param: P;
  readonly #outline: PlanOutline;
  #traceCache: readonly TaskTrace[] | undefined;

  // The run's output, copied field by field out of the finished run (one object, no record
  // object besides it): a result never holds the run itself, its counters, queue or instance.
  readonly #values: RunRecord['values'];
  readonly #states: RunRecord['states'];
  readonly #times: RunRecord['times'];

  readonly #reportOrder: RunRecord['reportOrder'];
  readonly #reportCount: number;
  /** What only some runs have (`undefined` for a plain run: three fields fewer per result). */
  readonly #rare: RareOutput | undefined;
  readonly #runDurationMs: number;

  /** @internal Results are made by `Workflow.invoke`, from the finished `run`. */
  constructor(plan: WorkflowPlan, param: P, run: RunRecord) {
    this.#param = param;
    // Its outline only: the plan holds the workflow's functions (see PlanOutline).
    this.#outline = plan.outline;
    this.#values = run.values;
    this.#states = run.states;
    this.#times = run.times;

    this.#reportOrder = run.reportOrder;
    this.#reportCount = run.reportCount;
    const { attempts, included, recoveredFrom, skippedItself, failures } = run;
    this.#rare =
      attempts === undefined &&
      included === undefined &&
      recoveredFrom === undefined &&
      skippedItself === undefined &&
      failures === undefined
        ? undefined
        : { attempts, included, recoveredFrom, skippedItself, failures };
    this.#runDurationMs = run.durationMs;
  }

  static {
    outlineOf = (value) =>
      typeof value === 'object' && value !== null && #outline in value ? value.#outline : undefined;
  }

  /**
   * The value passed to `Workflow.invoke`. A getter, not a field: no printing of a result or of a
   * run error shows it, nor does a structured clone copy it.
   */
  get param(): P {
    return this.#param;
  }

  /** The workflow's name: its class name, or a builder's `name`. */
  get workflow(): string {
    return this.#outline.workflow;
  }

  /**
   * Wall time of the run in milliseconds: from its start to the clock reading that dated its last
   * event (a task's end, an abort).
   */
  get durationMs(): number {
    return this.#runDurationMs;
  }

  /**
   * The value task `task` returned (awaited). `task` is one of the workflow's task names
   * ({@link TaskName}), checked at compile time. Throws `TaskResultError` when `task` is not a
   * task, or did not succeed in this run (not targeted, skipped, failed, or never started).
   *
   * @example
   * ```ts
   * const result = await Workflow.invoke(new Checkout(repo), request);
   * const cart = result.get('cart'); // typed as cart's awaited return type
   * if (result.has('discount')) console.log(result.get('discount'));
   * ```
   */
  // `& string` (which changes no name) writes the names out in a compile error: "Argument of type
  // '"carts"' is not assignable to parameter of type '"user" | "cart"'", not '… TaskName<Flow>'.
  get<K extends TaskName<W> & string>(task: K): TaskResult<W, K> {
    if (typeof task !== 'string') {
      throw new TaskResultError(
        this.#outline.workflow,
        describeInput(task),
        `expected a task name (a string), got ${shownToken(task) ?? describeInput(task)}.` +
          (task === PARAM ? ` ${PARAM_IS_RESULT_PARAM}` : nodeHint(task)),
      );
    }
    const index = this.#outline.indexByName.get(task);
    if (index === undefined) {
      // Quoted as the options quote a name that is no task: the name may come from outside (a
      // URL, a message), so it is escaped and cut short, never a megabyte or a terminal escape.
      throw new TaskResultError(
        this.#outline.workflow,
        task,
        `${describeInput(task)} is not a task.${taskNameHint(task, this.#outline.names)}`,
      );
    }
    if (this.#states[index] !== TaskState.Succeeded) {
      throw new TaskResultError(this.#outline.workflow, task, this.whyNoValue(index));
    }
    return this.#values[index] as TaskResult<W, K>;
  }

  /**
   * Whether `task` is a task that succeeded in this run (so `get(task)` will not throw).
   *
   * @example
   * ```ts
   * const discount = result.has('discount') ? result.get('discount') : 0;
   * ```
   */
  has(task: string): boolean {
    if (typeof task !== 'string') return false;
    const index = this.#outline.indexByName.get(task);
    return index !== undefined && this.#states[index] === TaskState.Succeeded;
  }

  /**
   * The results of every task that succeeded, by task name, in declaration order (as a JavaScript
   * object lists its keys: names that look like array indexes, such as `'2'`, come first).
   *
   * @example
   * ```ts
   * const { user, cart } = result.toObject(); // each undefined unless that task succeeded
   * ```
   */
  toObject(): TaskValues<W> {
    const object: Record<string, unknown> = {};
    const states = this.#states;
    const values = this.#values;
    this.#outline.names.forEach((name, index) => {
      if (states[index] !== TaskState.Succeeded) return;
      // Defined, not assigned: a task named "__proto__" stays an own key instead of replacing
      // the object's prototype.
      Object.defineProperty(object, name, {
        value: values[index],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return object as TaskValues<W>;
  }

  /**
   * One entry per task that started or was skipped, in the order that happened. Times are
   * milliseconds since the run began.
   */
  get trace(): readonly TaskTrace[] {
    return (this.#traceCache ??= this.buildTrace());
  }

  /**
   * What `JSON.stringify` writes for a result — and so for a run error that holds one, as a
   * structured logger writes it: the workflow, the run's duration and its trace, the errors that
   * fallbacks recovered from as `{ name, message }` (a thrown string as it is, any other value
   * that is not an error described), so that it is always JSON. Not the values (`toObject()` has
   * them: they may be large, or not JSON) and none of the run's inner arrays.
   *
   * @example
   * ```ts
   * JSON.stringify(result); // '{"workflow":"Checkout","durationMs":12.3,"trace":[…]}'
   * ```
   */
  toJSON(): Pick<ExecutionResult, 'workflow' | 'durationMs' | 'trace'> {
    const trace = this.trace.map((entry) =>
      'recoveredFrom' in entry
        ? { ...entry, recoveredFrom: thrownAsJson(entry.recoveredFrom) }
        : entry,
    );
    return { workflow: this.workflow, durationMs: this.durationMs, trace };
  }

  /**
   * What `console.log` and Node's `util.inspect` show for a result — and so for a run error that
   * holds one, printed with `console.error`: `ExecutionResult { workflow, durationMs, trace }`, as
   * in JSON (the trace as it is, thrown values and all), not the run's inner arrays and plan. Node,
   * Bun and Deno call it by this symbol; no `node:` module is needed.
   */
  [Symbol.for('nodejs.util.inspect.custom')](
    depth: number,
    options: { depth?: number | null },
    inspect?: InspectFunction,
  ): unknown {
    const view = { workflow: this.workflow, durationMs: this.durationMs, trace: this.trace };
    return inspectView('ExecutionResult', view, depth, options, inspect);
  }

  private buildTrace(): readonly TaskTrace[] {
    const states = this.#states;
    const values = this.#values;
    const times = this.#times;
    const reportOrder = this.#reportOrder;
    const reportCount = this.#reportCount;
    const { attempts, recoveredFrom, skippedItself } = this.#rare ?? NO_RARE_OUTPUT;
    const entries: TaskTrace[] = [];
    for (let position = 0; position < reportCount; position++) {
      const index = reportOrder[position];
      const status = STATUS_BY_STATE[states[index]]!;
      // A task skipped before it started made no attempt; one that skipped itself made at least one.
      const started = status !== 'skipped' || skippedItself?.has(index) === true;
      const entry: TaskTrace = {
        task: this.#outline.names[index],
        status,
        start: times[2 * index],
        end: times[2 * index + 1],
        attempts: started ? Math.max(1, attempts?.[index] ?? 1) : 0,
      };
      if (status === 'skipped') (entry as { reason?: string }).reason = values[index] as string;
      if (recoveredFrom?.has(index)) {
        (entry as { recoveredFrom?: unknown }).recoveredFrom = recoveredFrom.get(index);
      }
      entries.push(Object.freeze(entry));
    }
    return Object.freeze(entries);
  }

  private whyNoValue(index: number): string {
    const name = quotedName(this.#outline.names[index]);
    const states = this.#states;
    const values = this.#values;
    const included = this.#rare?.included;
    switch (states[index]) {
      case TaskState.Failed: {
        const { workflow, names } = this.#outline;
        const hook = hookThatFailed(this.#rare?.failures, names[index]);
        return `task ${name} ${failureText(workflow, names[index], values[index], ' in this run', hook)}`;
      }
      case TaskState.Skipped: {
        // Shown as a thrown message is: cut short if long, since it may come from outside.
        const reason = values[index] as string;
        return `task ${name} was skipped${reason.trim() === '' ? '' : `: ${describeThrown(reason)}`}`;
      }
      default:
        return included !== undefined && included[index] === 0
          ? `task ${name} did not run: it is not among this run's targets or their dependencies`
          : `task ${name} did not run: the run stopped before it could start`;
    }
  }
}

shareInstanceof(ExecutionResult, 'ExecutionResult');

/**
 * The error `ExecutionResult.get` (and `DagNode.extractResult`) throws when asked for a name that
 * is not a task, or for a task that did not succeed in this run.
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
    /** The workflow's name: its class name, or a builder's `name`. */
    readonly workflow: string,
    /** The name that was asked for. */
    readonly task: string,
    message: string,
  ) {
    super(`${bareName(workflow)}: ${message}`);
  }

  /** The error as JSON holds it: `name`, `message`, `workflow` and `task`. */
  toJSON(): object {
    return errorAsJson(this, { workflow: this.workflow, task: this.task });
  }
}
shareInstanceof(TaskResultError, 'TaskResultError');

/**
 * For a builder's node given where a task name goes (plain JavaScript; TypeScript refuses it), how
 * to read its value; else `''`. Never throws: `task` may be any value.
 */
function nodeHint(task: unknown): string {
  try {
    const extractResult = (task as { extractResult?: unknown } | null)?.extractResult;
    return typeof extractResult === 'function'
      ? ' A node of buildDag() reads its value with node.extractResult(result), or get(node.name).'
      : '';
  } catch {
    return '';
  }
}

/**
 * @internal The outline of the plan `result` is a run of (`plan.outline`), or `undefined` when
 * `result` is not a result.
 */
export function resultOutline(result: unknown): PlanOutline | undefined {
  return outlineOf(result);
}

/**
 * @internal Whether `value` is an `ExecutionResult` made by another loaded copy of the package (see
 * `shareInstanceof`); never throws, whatever `value` is.
 */
export function isResultOfAnotherCopy(value: unknown): boolean {
  try {
    return (
      outlineOf(value) === undefined &&
      value instanceof ExecutionResult && // this copy's brand check, which another copy's passes
      !Function.prototype[Symbol.hasInstance].call(ExecutionResult, value) // but not a Proxy of ours
    );
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

/**
 * The hook whose throw failed task `task` (`onTaskStart`, `onTaskSuccess`, `onTaskRetry`), found
 * among the run's `failures` by the mark the run put on that entry; `undefined` when none did.
 */
function hookThatFailed(
  failures: readonly TaskFailure[] | undefined,
  task: string,
): HookName | undefined {
  if (failures === undefined) return undefined;
  for (const failure of failures) {
    const hook = failure.task === task ? hookFailureOf(failure) : undefined;
    if (hook?.failedTask) return hook.hook;
  }
  return undefined;
}
