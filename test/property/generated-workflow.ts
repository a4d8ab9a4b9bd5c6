/**
 * Random workflows for the property-based tests: a readable spec (fast-check arbitrary), a class
 * built from it with `Reflect.decorate` exactly as `tsc` would, an event log written by the task
 * bodies and the hooks, and a sequential reference evaluation of the same spec.
 *
 * Task "durations" are microtask counts (`await` on resolved values), so every run is
 * deterministic and fast, and the interleavings still vary with the spec.
 */
import { executionAsyncId } from 'node:async_hooks';
import fc from 'fast-check';
import { type InvokeOptions, type WorkflowHooks } from '../../src';
import { declareTask } from '../support/declare-task';

/** How a task body hands its value back. */
export type TaskShape = 'async' | 'sync' | 'thenable';

/** How a failing attempt fails. */
export type FailureShape = 'reject' | 'throw-sync' | 'throw-string' | 'reject-undefined';

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
}

/** A generated workflow and how to invoke it. */
export interface WorkflowSpec {
  /** Tasks in declaration order; every dependency is declared before its dependent. */
  readonly tasks: readonly TaskSpec[];
  readonly param: number;
  readonly concurrency: number;
  readonly targets: readonly string[] | undefined;
  readonly failFast: boolean;
}

function describeTask(task: TaskSpec): string {
  const parts = [`${task.name} <- [${task.dependsOn.join(', ')}]`, `${task.shape}/${task.ticks}`];
  if (task.paramIndex !== undefined) parts.push(`@Param at ${task.paramIndex}`);
  if (task.failingAttempts > 0) parts.push(`fails ${task.failingAttempts}x (${task.failure})`);
  if (task.retries > 0) parts.push(`retries ${task.retries}`);
  return parts.join(' ');
}

function describeWorkflow(spec: WorkflowSpec): string {
  const options = [
    `param ${spec.param}`,
    `concurrency ${spec.concurrency}`,
    `failFast ${spec.failFast}`,
    `targets ${spec.targets === undefined ? 'all' : `[${spec.targets.join(', ')}]`}`,
  ];
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

function toTaskSpec(raw: RawTask, index: number, withFailures: boolean): TaskSpec {
  const dependsOn =
    index === 0 ? [] : raw.dependencyOffsets.map((offset) => `t${index - 1 - (offset % index)}`);
  return {
    name: `t${index}`,
    dependsOn,
    paramIndex: raw.paramPick === null ? undefined : raw.paramPick % (dependsOn.length + 1),
    shape: raw.shape,
    ticks: raw.shape === 'sync' ? 0 : raw.ticks,
    failingAttempts: withFailures ? raw.failingAttempts : 0,
    failure: raw.failure,
    retries: raw.retries,
  };
}

/**
 * Workflows of 1 to `maxTasks` tasks (half of them small, so shrinking has somewhere to go) with
 * random options. Without `withOptions`, concurrency is unlimited and every task is a target;
 * `withFailures` and `failFast` pin those choices instead of drawing them.
 */
export function workflowSpecArbitrary(
  settings: {
    maxTasks?: number;
    withOptions?: boolean;
    withFailures?: boolean;
    failFast?: boolean;
  } = {},
): fc.Arbitrary<WorkflowSpec> {
  const { maxTasks = 300, withOptions = true, withFailures, failFast } = settings;
  return fc
    .record({
      rawTasks: fc.oneof(
        fc.array(rawTaskArbitrary, { minLength: 1, maxLength: 12 }),
        fc.array(rawTaskArbitrary, { minLength: 1, maxLength: maxTasks, size: 'max' }),
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
    })
    .map(({ rawTasks, withFailures, param, concurrency, targetPicks, failFast }) => {
      const tasks = rawTasks.map((raw, index) => toTaskSpec(raw, index, withFailures));
      const targets =
        targetPicks === null
          ? undefined
          : [...new Set(targetPicks.map((pick) => tasks[pick % tasks.length].name))];
      const spec: WorkflowSpec = { tasks, param, concurrency, targets, failFast };
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

/** What a sequential evaluation says about one task. */
export type ReferenceOutcome =
  | { status: 'succeeded'; value: number; attempts: number }
  | { status: 'failed'; attempts: number }
  | { status: 'skipped' };

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
 * Evaluates the selected tasks one at a time in declaration order (a topological order here),
 * as if `failFast` were off: a task whose dependency did not succeed is skipped.
 */
export function evaluateSequentially(spec: WorkflowSpec): Map<string, ReferenceOutcome> {
  const selected = selectedTasks(spec);
  const outcomes = new Map<string, ReferenceOutcome>();
  for (const task of spec.tasks) {
    if (!selected.has(task.name)) continue;
    const dependencyOutcomes = task.dependsOn.map((name) => outcomes.get(name)!);
    if (dependencyOutcomes.some((outcome) => outcome.status !== 'succeeded')) {
      outcomes.set(task.name, { status: 'skipped' });
    } else if (task.failingAttempts > task.retries) {
      outcomes.set(task.name, { status: 'failed', attempts: task.retries + 1 });
    } else {
      const args = bindArguments(
        task,
        (name) => (outcomes.get(name) as { value: number }).value,
        spec.param,
      );
      outcomes.set(task.name, {
        status: 'succeeded',
        value: taskValue(task.name, args),
        attempts: task.failingAttempts + 1,
      });
    }
  }
  return outcomes;
}

/** One entry of a run's event log. `job` identifies the synchronous job it was written in. */
export interface RunEvent {
  readonly seq: number;
  readonly job: number;
  readonly type:
    'start' | 'settle' | 'hookStart' | 'hookSuccess' | 'hookFailure' | 'hookRetry' | 'runSettled';
  readonly task: string;
  readonly attempt: number;
  /** For `settle`: whether the attempt succeeded. */
  readonly succeeded?: boolean;
  /** For `settle` of a failed attempt and for `hookFailure`: what was thrown. */
  readonly error?: unknown;
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

/** A value the `failure` shape throws or rejects with, unique per task and attempt. */
function failureValue(task: TaskSpec, attempt: number): unknown {
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

/**
 * Builds the class of a spec the way `tsc` emits decorators, and an instance whose task bodies
 * log their starts and settlements.
 */
export function buildWorkflow(spec: WorkflowSpec): GeneratedWorkflow {
  const events: RunEvent[] = [];
  const record = (event: Omit<RunEvent, 'seq' | 'job'>): void => {
    events.push({ ...event, seq: events.length, job: executionAsyncId() });
  };

  const Generated = class GeneratedWorkflow {};
  const prototype = Generated.prototype;
  for (const task of spec.tasks) {
    declareTask(prototype, task.name, createTaskBody(task, record), {
      dependsOn: task.dependsOn,
      options: { retries: task.retries, retryDelay: 0 },
      paramIndex: task.paramIndex,
    });
  }

  const hooks: WorkflowHooks = {
    onTaskStart: ({ task, attempt }) => record({ type: 'hookStart', task, attempt }),
    onTaskSuccess: ({ task, attempt }) => record({ type: 'hookSuccess', task, attempt }),
    onTaskFailure: ({ task, attempt, error }) =>
      record({ type: 'hookFailure', task, attempt, error }),
    onTaskRetry: ({ task, attempt, error }) => record({ type: 'hookRetry', task, attempt, error }),
  };
  const options: InvokeOptions = {
    concurrency: spec.concurrency,
    failFast: spec.failFast,
    hooks,
    ...(spec.targets === undefined ? {} : { targets: spec.targets }),
  };
  return { instance: new Generated(), events, record, options };
}

function createTaskBody(
  task: TaskSpec,
  record: (event: Omit<RunEvent, 'seq' | 'job'>) => void,
): (...args: unknown[]) => unknown {
  let attempts = 0;
  return function generatedTask(...args: unknown[]): unknown {
    attempts += 1;
    const attempt = attempts;
    const fails = attempt <= task.failingAttempts;
    record({ type: 'start', task: task.name, attempt });
    const settle = (): number => {
      if (fails) {
        const error = failureValue(task, attempt);
        record({ type: 'settle', task: task.name, attempt, succeeded: false, error });
        throw error;
      }
      record({ type: 'settle', task: task.name, attempt, succeeded: true });
      return taskValue(task.name, args);
    };
    if (task.shape === 'sync' || (fails && task.failure === 'throw-sync')) return settle();
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
