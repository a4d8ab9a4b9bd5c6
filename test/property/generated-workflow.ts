/**
 * Random workflows for the property-based tests: a readable spec (fast-check arbitrary), a class
 * built from it with `Reflect.decorate` exactly as `tsc` would, an event log written by the task
 * bodies and the hooks, and a sequential reference evaluation of the same spec.
 *
 * Task "durations" are microtask counts (`await` on resolved values), so every run is
 * deterministic and fast, and the interleavings still vary with the spec.
 *
 * With `withControlFlow`, specs also use API.md §8: `when` rules, tasks that call `skip()`,
 * fallbacks, and an abort of the caller's signal (before `invoke`, or inside the k-th task body
 * call). Without it they are exactly the plain specs of the scheduling properties. The reference
 * model of both kinds lives in reference-model.ts.
 */
import { executionAsyncId } from 'node:async_hooks';
import fc from 'fast-check';
import { skip, type ExecutionResult, type InvokeOptions, type WorkflowHooks } from '../../src';
import { declareTask } from '../support/declare-task';

/** How a task body hands its value back. */
export type TaskShape = 'async' | 'sync' | 'thenable';

/** How a failing attempt fails. */
export type FailureShape = 'reject' | 'throw-sync' | 'throw-string' | 'reject-undefined';

/** `TaskOptions.when`. */
export type WhenRule = 'allSucceeded' | 'noneFailed' | 'allSettled';

/** A task that calls `skip()` on its first attempt that does not fail, instead of returning. */
export interface SkipBehaviour {
  /** Whether `skip()` is called before the body returns (for an async body: before any await). */
  readonly synchronously: boolean;
  /** What `skip()` is called with (`undefined`: no argument, so the default reason). */
  readonly reason: string | undefined;
}

/** How the caller's signal aborts a run: before `invoke`, or inside the `call`-th task body call. */
export type AbortPlan =
  | { readonly when: 'beforeInvoke' }
  | {
      readonly when: 'atCall';
      /** 1-based, counting every attempt of every task in the order bodies are called. */
      readonly call: number;
    };

/** One task of a generated workflow. */
export interface TaskSpec {
  readonly name: string;
  /** `@DependsOn` names in listed order; a name may repeat (its value is then passed twice). */
  readonly dependsOn: readonly string[];
  /** The argument index marked `@Param()`, if any. */
  readonly paramIndex: number | undefined;
  readonly shape: TaskShape;
  /** Microtask turns the body waits before it settles (ignored for `sync`). */
  readonly ticks: number;
  /** The first this-many attempts fail. */
  readonly failingAttempts: number;
  readonly failure: FailureShape;
  /** `@Task({ retries })`. */
  readonly retries: number;
  /** `@Task({ when })`; the default (`allSucceeded`) when absent. */
  readonly when?: WhenRule;
  /** Whether the task calls `skip()` (on its first attempt that does not fail). */
  readonly skips?: SkipBehaviour;
  /** Whether it has a `fallback`, which returns {@link fallbackValue}. */
  readonly fallback?: boolean;
}

/** A generated workflow and how to invoke it. */
export interface WorkflowSpec {
  /** Tasks in declaration order; every dependency is declared before its dependent. */
  readonly tasks: readonly TaskSpec[];
  readonly param: number;
  readonly concurrency: number;
  readonly targets: readonly string[] | undefined;
  readonly failFast: boolean;
  /** Whether and when the caller's signal aborts; never when absent. */
  readonly abort?: AbortPlan;
}

function describeTask(task: TaskSpec): string {
  const parts = [`${task.name} <- [${task.dependsOn.join(', ')}]`, `${task.shape}/${task.ticks}`];
  if (task.paramIndex !== undefined) parts.push(`@Param at ${task.paramIndex}`);
  if (task.failingAttempts > 0) parts.push(`fails ${task.failingAttempts}x (${task.failure})`);
  if (task.retries > 0) parts.push(`retries ${task.retries}`);
  if (task.when !== undefined && task.when !== 'allSucceeded') parts.push(`when ${task.when}`);
  if (task.skips !== undefined) {
    const reason = task.skips.reason === undefined ? '' : JSON.stringify(task.skips.reason);
    parts.push(`skip(${reason})${task.skips.synchronously ? ' sync' : ''}`);
  }
  if (task.fallback === true) parts.push('fallback');
  return parts.join(' ');
}

function describeWorkflow(spec: WorkflowSpec): string {
  const options = [
    `param ${spec.param}`,
    `concurrency ${spec.concurrency}`,
    `failFast ${spec.failFast}`,
    `targets ${spec.targets === undefined ? 'all' : `[${spec.targets.join(', ')}]`}`,
  ];
  if (spec.abort?.when === 'beforeInvoke') options.push('aborted before invoke');
  if (spec.abort?.when === 'atCall') options.push(`abort at body call ${spec.abort.call}`);
  return `Workflow(${options.join(', ')}) {\n${spec.tasks.map((task) => `  ${describeTask(task)}`).join('\n')}\n}`;
}

const rawTaskArbitrary = fc.record({
  // Offsets pick earlier tasks: small ones make chains and diamonds, large ones long jumps.
  dependencyOffsets: fc.array(fc.oneof(fc.nat(3), fc.nat(1000)), { maxLength: 4 }),
  paramPick: fc.option(fc.nat(), { freq: 3 }),
  shape: fc.constantFrom<TaskShape>('async', 'sync', 'thenable'),
  ticks: fc.nat(6),
  failingAttempts: fc.oneof(
    { arbitrary: fc.constant(0), weight: 15 },
    { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 },
  ),
  failure: fc.constantFrom<FailureShape>(
    'reject',
    'throw-sync',
    'throw-string',
    'reject-undefined',
  ),
  retries: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.integer({ min: 1, max: 2 })),
});

type RawTask = typeof rawTaskArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Lets a `oneof` shrink to its first choice (the plain one), for short counterexamples. */
const CROSS_SHRINK = { withCrossShrink: true };

/** The §8 choices of one task, drawn only for control-flow specs. */
const rawControlFlowArbitrary = fc.record({
  when: fc.oneof(
    CROSS_SHRINK,
    { arbitrary: fc.constant<WhenRule>('allSucceeded'), weight: 2 },
    { arbitrary: fc.constant<WhenRule>('noneFailed'), weight: 1 },
    { arbitrary: fc.constant<WhenRule>('allSettled'), weight: 1 },
  ),
  skips: fc.oneof(
    CROSS_SHRINK,
    { arbitrary: fc.constant(undefined), weight: 3 },
    {
      arbitrary: fc.record({
        synchronously: fc.boolean(),
        reason: fc.oneof(
          CROSS_SHRINK,
          fc.constant(undefined),
          fc.constant('nothing to do'),
          fc.string({ maxLength: 4 }),
        ),
      }),
      weight: 1,
    },
  ),
  fallback: fc.oneof(CROSS_SHRINK, { arbitrary: fc.constant(false), weight: 4 }, fc.constant(true)),
  // Failures and retries are more frequent than in plain specs: a stop starts with a failure,
  // and often finds another task waiting for its retry.
  failingAttempts: fc.oneof(
    CROSS_SHRINK,
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 },
  ),
  retries: fc.oneof(CROSS_SHRINK, fc.constant(0), fc.integer({ min: 1, max: 2 })),
});

type RawControlFlow = typeof rawControlFlowArbitrary extends fc.Arbitrary<infer T> ? T : never;

const abortPlanArbitrary: fc.Arbitrary<AbortPlan | undefined> = fc.oneof(
  CROSS_SHRINK,
  { arbitrary: fc.constant(undefined), weight: 6 },
  {
    arbitrary: fc.integer({ min: 1, max: 10 }).map((call): AbortPlan => ({ when: 'atCall', call })),
    weight: 3,
  },
  { arbitrary: fc.constant<AbortPlan>({ when: 'beforeInvoke' }), weight: 1 },
);

function toTaskSpec(
  raw: RawTask,
  index: number,
  withFailures: boolean,
  controlFlow: RawControlFlow | undefined,
): TaskSpec {
  const dependsOn =
    index === 0 ? [] : raw.dependencyOffsets.map((offset) => `t${index - 1 - (offset % index)}`);
  const task: TaskSpec = {
    name: `t${index}`,
    dependsOn,
    paramIndex: raw.paramPick === null ? undefined : raw.paramPick % (dependsOn.length + 1),
    shape: raw.shape,
    ticks: raw.shape === 'sync' ? 0 : raw.ticks,
    failingAttempts: withFailures ? raw.failingAttempts : 0,
    failure: raw.failure,
    retries: raw.retries,
  };
  if (controlFlow === undefined) return task;
  return {
    ...task,
    failingAttempts: withFailures ? controlFlow.failingAttempts : 0,
    retries: controlFlow.retries,
    when: controlFlow.when,
    ...(controlFlow.skips === undefined ? {} : { skips: controlFlow.skips }),
    fallback: controlFlow.fallback,
  };
}

/**
 * Workflows of 1 to `maxTasks` tasks (half of them small, so shrinking has somewhere to go) with
 * random options. Without `withOptions`, concurrency is unlimited and every task is a target;
 * `withFailures` and `failFast` pin those choices instead of drawing them. `withControlFlow` adds
 * `when` rules, skips, fallbacks and aborts (see the header).
 */
export function workflowSpecArbitrary(
  settings: {
    maxTasks?: number;
    withOptions?: boolean;
    withFailures?: boolean;
    failFast?: boolean;
    withControlFlow?: boolean;
  } = {},
): fc.Arbitrary<WorkflowSpec> {
  const {
    maxTasks = 300,
    withOptions = true,
    withFailures,
    failFast,
    withControlFlow = false,
  } = settings;
  const taskArbitrary = fc.record({
    raw: rawTaskArbitrary,
    controlFlow: withControlFlow ? rawControlFlowArbitrary : fc.constant(undefined),
  });
  return fc
    .record({
      rawTasks: fc.oneof(
        fc.array(taskArbitrary, { minLength: 1, maxLength: 12 }),
        fc.array(taskArbitrary, { minLength: 1, maxLength: maxTasks, size: 'max' }),
      ),
      withFailures: withFailures === undefined ? fc.boolean() : fc.constant(withFailures),
      param: fc.integer({ min: -1000, max: 1000 }),
      concurrency: withOptions
        ? fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 8 }))
        : fc.constant(Number.POSITIVE_INFINITY),
      targetPicks: withOptions
        ? fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), { freq: 3 })
        : fc.constant(null),
      failFast:
        failFast !== undefined
          ? fc.constant(failFast)
          : withOptions
            ? fc.boolean()
            : fc.constant(true),
      abort: withControlFlow ? abortPlanArbitrary : fc.constant(undefined),
    })
    .map(({ rawTasks, withFailures, param, concurrency, targetPicks, failFast, abort }) => {
      const tasks = rawTasks.map(({ raw, controlFlow }, index) =>
        toTaskSpec(raw, index, withFailures, controlFlow),
      );
      const targets =
        targetPicks === null
          ? undefined
          : [...new Set(targetPicks.map((pick) => tasks[pick % tasks.length].name))];
      const spec: WorkflowSpec = {
        tasks,
        param,
        concurrency,
        targets,
        failFast,
        ...(abort === undefined ? {} : { abort }),
      };
      return Object.assign(spec, { [fc.toStringMethod]: () => describeWorkflow(spec) });
    });
}

/** A number derived from a task's name and arguments, sensitive to their order. */
export function taskValue(name: string, args: readonly unknown[]): number {
  let hash = 17;
  for (const char of name) hash = Math.imul(hash, 31) + char.charCodeAt(0);
  for (const arg of args) hash = Math.imul(hash ^ Number(arg), 0x01000193) + 7;
  return hash | 0;
}

/**
 * A number standing for one argument in a task's value: a number as is (so plain tasks keep
 * `taskValue(name, args)`), a code for `undefined` (a skipped dependency of a `noneFailed` task),
 * and one per `Settled` that depends on its status and its value, error or reason. So a wrong
 * argument also changes the value every dependent receives.
 */
export function argumentCode(arg: unknown): number {
  if (typeof arg === 'number') return arg;
  if (arg === undefined) return 0x5eed;
  // A `Settled`, or (if the scheduler got it wrong) anything else: read it defensively.
  const settled = arg as { status?: unknown; value?: unknown; error?: unknown; reason?: unknown };
  const detail =
    settled.status === 'succeeded'
      ? settled.value
      : settled.status === 'failed'
        ? settled.error
        : settled.reason;
  let text: string;
  try {
    text = `${String(settled.status)}:${String(detail)}`;
  } catch {
    text = 'not describable';
  }
  return taskValue(text, []);
}

/** What a task returns for its arguments (dependency values or `Settled`s, and the param). */
export function returnValue(task: TaskSpec, args: readonly unknown[]): number {
  return taskValue(task.name, args.map(argumentCode));
}

/** What a task's `fallback` returns. */
export function fallbackValue(task: TaskSpec): number {
  return taskValue(`${task.name} fallback`, []);
}

/** The arguments a task receives: dependency values in listed order, the param at its index. */
export function bindArguments(
  task: TaskSpec,
  valueOf: (name: string) => unknown,
  param: unknown,
): unknown[] {
  const args = task.dependsOn.map(valueOf);
  if (task.paramIndex !== undefined) args.splice(task.paramIndex, 0, param);
  return args;
}

/** The tasks a run must cover: the targets and their transitive dependencies, or every task. */
export function selectedTasks(spec: WorkflowSpec): Set<string> {
  if (spec.targets === undefined) return new Set(spec.tasks.map((task) => task.name));
  const byName = new Map(spec.tasks.map((task) => [task.name, task]));
  const selected = new Set<string>();
  const pending = [...spec.targets];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (selected.has(name)) continue;
    selected.add(name);
    pending.push(...byName.get(name)!.dependsOn);
  }
  return selected;
}

/**
 * One entry of a run's event log. `job` identifies the synchronous job it was written in. `start`
 * and `settle` are written by task bodies, `hook…` by the hooks, `abort` by the body that aborts
 * the caller's signal (just before it does), `runSettled` by the property.
 */
export interface RunEvent {
  readonly seq: number;
  readonly job: number;
  readonly type:
    | 'start'
    | 'settle'
    | 'hookStart'
    | 'hookSuccess'
    | 'hookFailure'
    | 'hookRetry'
    | 'hookSkip'
    | 'abort'
    | 'runSettled';
  readonly task: string;
  readonly attempt: number;
  /** For `start`: the arguments the body was called with. */
  readonly args?: readonly unknown[];
  /** For `settle`: whether the attempt succeeded (a skip is not a success). */
  readonly succeeded?: boolean;
  /** For `settle` of a failed attempt and for `hookFailure`: what was thrown. */
  readonly error?: unknown;
  /** For `settle` of an attempt that called `skip()`, and for `hookSkip`: the reason. */
  readonly reason?: string;
}

/** A workflow class built from a spec, with the log its tasks write. */
export interface GeneratedWorkflow {
  readonly instance: object;
  readonly events: RunEvent[];
  /** Appends an event (used by the property for `runSettled`). */
  record(event: Omit<RunEvent, 'seq' | 'job'>): void;
  /** Invoke options for the spec, with hooks that write to the log. */
  readonly options: InvokeOptions;
}

/** How one invocation of a generated workflow ended. */
export type RunOutcome =
  | { settled: 'resolved'; result: ExecutionResult<any, any> }
  | { settled: 'rejected'; error: unknown };

/** A value the `failure` shape throws or rejects with, unique per task and attempt. */
export function failureValue(task: TaskSpec, attempt: number): unknown {
  switch (task.failure) {
    case 'throw-string':
      return `${task.name} failed on attempt ${attempt}`;
    case 'reject-undefined':
      return undefined;
    default:
      return new Error(`${task.name} failed on attempt ${attempt}`);
  }
}

async function waitTicks(ticks: number): Promise<void> {
  for (let tick = 0; tick < ticks; tick += 1) await undefined;
}

/** The reason given to the caller's signal when a spec aborts it. */
export const ABORT_REASON = new Error('the caller aborted the run');

/**
 * Builds the class of a spec the way `tsc` emits decorators, and an instance whose task bodies
 * log their starts (with their arguments) and settlements. For a spec with an `abort` plan, the
 * options carry a signal, aborted before `invoke` or by the body call the plan names.
 */
export function buildWorkflow(spec: WorkflowSpec): GeneratedWorkflow {
  const events: RunEvent[] = [];
  const record = (event: Omit<RunEvent, 'seq' | 'job'>): void => {
    events.push({ ...event, seq: events.length, job: executionAsyncId() });
  };

  const controller = spec.abort === undefined ? undefined : new AbortController();
  if (spec.abort?.when === 'beforeInvoke') controller!.abort(ABORT_REASON);
  let bodyCalls = 0;
  const onBodyCall = (): void => {
    bodyCalls += 1;
    if (spec.abort?.when === 'atCall' && spec.abort.call === bodyCalls) {
      record({ type: 'abort', task: '', attempt: 0 });
      controller!.abort(ABORT_REASON);
    }
  };

  const Generated = class GeneratedWorkflow {};
  const prototype = Generated.prototype;
  for (const task of spec.tasks) {
    declareTask(prototype, task.name, createTaskBody(task, record, onBodyCall), {
      dependsOn: task.dependsOn,
      options: {
        retries: task.retries,
        retryDelay: 0,
        ...(task.when === undefined ? {} : { when: task.when }),
        ...(task.fallback === true ? { fallback: () => fallbackValue(task) } : {}),
      },
      paramIndex: task.paramIndex,
    });
  }

  const hooks: WorkflowHooks = {
    onTaskStart: ({ task, attempt }) => record({ type: 'hookStart', task, attempt }),
    onTaskSuccess: ({ task, attempt }) => record({ type: 'hookSuccess', task, attempt }),
    onTaskFailure: ({ task, attempt, error }) =>
      record({ type: 'hookFailure', task, attempt, error }),
    onTaskRetry: ({ task, attempt, error }) => record({ type: 'hookRetry', task, attempt, error }),
    onTaskSkip: ({ task, reason }) => record({ type: 'hookSkip', task, attempt: 0, reason }),
  };
  const options: InvokeOptions = {
    concurrency: spec.concurrency,
    failFast: spec.failFast,
    hooks,
    ...(spec.targets === undefined ? {} : { targets: spec.targets }),
    ...(controller === undefined ? {} : { signal: controller.signal }),
  };
  return { instance: new Generated(), events, record, options };
}

/**
 * The body of one generated task. Attempt `n` fails if `n <= failingAttempts`; the first attempt
 * that does not fail calls `skip()` if the task skips, else returns {@link returnValue}. It logs its
 * start (then lets `onBodyCall` abort the run, if this is the call the plan names) and how it
 * settles, just before it throws or returns.
 */
function createTaskBody(
  task: TaskSpec,
  record: (event: Omit<RunEvent, 'seq' | 'job'>) => void,
  onBodyCall: () => void,
): (...args: unknown[]) => unknown {
  let attempts = 0;
  return function generatedTask(...args: unknown[]): unknown {
    attempts += 1;
    const attempt = attempts;
    const fails = attempt <= task.failingAttempts;
    const skips = !fails && task.skips !== undefined;
    record({ type: 'start', task: task.name, attempt, args: [...args] });
    onBodyCall();
    const settle = (): number => {
      if (fails) {
        const error = failureValue(task, attempt);
        record({ type: 'settle', task: task.name, attempt, succeeded: false, error });
        throw error;
      }
      if (skips) {
        const { reason } = task.skips!;
        record({ type: 'settle', task: task.name, attempt, succeeded: false, reason });
        return reason === undefined ? skip() : skip(reason);
      }
      record({ type: 'settle', task: task.name, attempt, succeeded: true });
      return returnValue(task, args);
    };
    const settlesSynchronously =
      task.shape === 'sync' ||
      (fails && task.failure === 'throw-sync') ||
      (skips && task.skips!.synchronously);
    if (settlesSynchronously) return settle();
    const settled = waitTicks(task.ticks).then(settle);
    if (task.shape === 'async') return settled;
    return { then: settled.then.bind(settled) };
  };
}

/**
 * For each task, the number of tasks on the longest path from it to a sink (itself included):
 * the priority a limited-concurrency run gives it.
 */
export function remainingPathLengths(spec: WorkflowSpec): Map<string, number> {
  const dependents = new Map<string, Set<string>>(spec.tasks.map((task) => [task.name, new Set()]));
  for (const task of spec.tasks) {
    for (const dependency of task.dependsOn) dependents.get(dependency)!.add(task.name);
  }
  const lengths = new Map<string, number>();
  for (const task of [...spec.tasks].reverse()) {
    let longestBelow = 0;
    for (const dependent of dependents.get(task.name)!) {
      longestBelow = Math.max(longestBelow, lengths.get(dependent)!);
    }
    lengths.set(task.name, longestBelow + 1);
  }
  return lengths;
}
