/**
 * `TaskOptions`: their names, their checks, and the per-task attempt policy the scheduler reads.
 * Both front-ends (decorated classes and the builder) hand their options to
 * {@link resolveTaskPolicy}, so an option means the same thing, and fails the same way, in both.
 */
import {
  awaitOptionsHint,
  causedBy,
  describeInput,
  describeThrown,
  isNamedOptions,
  quotedName,
} from './describe.js';
import { definitionErrors } from './definition-errors.js';
import {
  HOOK_NAMES,
  isHookName,
  otherLibrariesNameHint,
  RUN_OPTION_NAMES,
  TASK_OPTION_NAMES,
} from './option-names.js';
import { didYouMean, unknownKey } from './suggest.js';
import type { TaskOptions } from './types.js';

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** `TaskOptions.when`, as stored per task in a plan (`Uint8Array`). */
export const WhenRule = { AllSucceeded: 0, NoneFailed: 1, AllSettled: 2 } as const;
/** One of {@link WhenRule}'s values. */
export type WhenRule = (typeof WhenRule)[keyof typeof WhenRule];

const WHEN_RULES: Readonly<Record<string, WhenRule>> = {
  allSucceeded: WhenRule.AllSucceeded,
  noneFailed: WhenRule.NoneFailed,
  allSettled: WhenRule.AllSettled,
};

/**
 * How the attempts of a task run: timeout, retries and their delay and filter, fallback.
 * `undefined` for a task that has none of them (the fast path).
 */
export interface AttemptPolicy {
  readonly timeout: number | undefined;
  readonly retries: number;
  readonly retryDelay: number | ((attempt: number, error: unknown) => number);
  readonly retryIf: ((error: unknown, attempt: number) => boolean) | undefined;
  readonly fallback: ((error: unknown, signal: AbortSignal) => unknown) | undefined;
}

/** Everything a task's options say, checked, with defaults applied. */
export interface TaskPolicy {
  readonly attempt: AttemptPolicy | undefined;
  readonly when: WhenRule;
  readonly priority: number;
}

/** The policy of a task without options. */
export const DEFAULT_TASK_POLICY: TaskPolicy = {
  attempt: undefined,
  when: WhenRule.AllSucceeded,
  priority: 0,
};

/**
 * Checks the `TaskOptions` of task `task` and returns its policy. Options are read by property
 * access, so an options object with getters or inherited values counts as written. Throws
 * `WorkflowDefinitionError` (`INVALID_TASK`) naming the task and the option — also when an option
 * cannot be read (a getter or a Proxy trap throws) — and `baseClass`, the base class that declared
 * the task, when that is not the workflow class itself. For a builder, `builderMethod` names the
 * call that gave the options (`'addNode'`): its messages start with it and say "node", as that
 * call's other messages do.
 */
export function resolveTaskPolicy(
  workflow: string,
  task: string,
  options: TaskOptions,
  extraOptionNames: readonly string[] = [],
  baseClass?: string,
  builderMethod?: string,
): TaskPolicy {
  /** The task, as the messages name it: `task "a"`, or `node "a"` for a builder. */
  const subject = `${builderMethod === undefined ? 'task' : 'node'} ${quotedName(task)}`;
  /** `INVALID_TASK` for this task, saying `problem`. */
  const invalidTask = (problem: string) =>
    definitionErrors.invalidTask(
      workflow,
      task,
      builderMethod === undefined ? problem : `${builderMethod}: ${problem}`,
      baseClass,
    );
  const invalid = (option: string, expected: string, value: unknown) =>
    invalidTask(
      `option "${option}" of ${subject} must be ${expected}, got ${describeInput(value)}.`,
    );
  if (!isNamedOptions(options)) {
    throw invalidTask(
      `the options of ${subject} must be an object, got ${describeInput(options)}.` +
        awaitOptionsHint(options),
    );
  }
  const unreadable = (option: string | undefined, error: unknown) =>
    causedBy(
      invalidTask(
        `${option === undefined ? 'the options' : `option "${option}"`} of ${subject} ` +
          `could not be read: ${describeThrown(error)}`,
      ),
      error,
    );
  let unknown: string | undefined;
  try {
    unknown = unknownKey(options, TASK_OPTION_NAMES, extraOptionNames);
  } catch (error) {
    throw unreadable(undefined, error);
  }
  if (unknown !== undefined) {
    const names = [...TASK_OPTION_NAMES, ...extraOptionNames];
    const hint =
      didYouMean(unknown, names) ||
      dependenciesHint(unknown, builderMethod) ||
      runOptionHint(unknown, builderMethod) ||
      otherLibrariesNameHint(unknown, (meant) => runOptionHint(meant, builderMethod)) ||
      didYouMean(unknown, [...RUN_OPTION_NAMES, ...HOOK_NAMES], (meant) =>
        runOptionHint(meant, builderMethod),
      ) ||
      ` Options: ${names.join(', ')}.`;
    throw invalidTask(`${subject} has an unknown option ${describeInput(unknown)}.${hint}`);
  }
  /** Option `option`, or `missing` when it is `undefined`; a throwing read is `INVALID_TASK`. */
  const read = <K extends keyof TaskOptions>(option: K, missing?: TaskOptions[K]) => {
    let value: TaskOptions[K];
    try {
      value = options[option];
    } catch (error) {
      throw unreadable(option, error);
    }
    return value === undefined ? missing : value;
  };
  // `Infinity` is no timeout, as `undefined` is: `timeout: config.timeoutMs ?? Infinity`.
  const givenTimeout = read('timeout');
  const timeout = givenTimeout === Infinity ? undefined : givenTimeout;
  const retries = read('retries', 0)!;
  const retryDelay = read('retryDelay', 0)!;
  const retryIf = read('retryIf');
  const fallback = read('fallback');
  const when = read('when');
  const priority = read('priority', 0)!;
  if (timeout !== undefined && !(isTimerDelay(timeout) && timeout > 0)) {
    throw invalid(
      'timeout',
      `a positive number of milliseconds (at most ${MAX_TIMER_DELAY}), or Infinity for none`,
      timeout,
    );
  }
  if (!(Number.isSafeInteger(retries) && retries >= 0)) {
    throw invalid('retries', 'a non-negative integer', retries);
  }
  if (typeof retryDelay !== 'function' && !isTimerDelay(retryDelay)) {
    throw invalid(
      'retryDelay',
      `a number of milliseconds from 0 to ${MAX_TIMER_DELAY}, or a function returning one`,
      retryDelay,
    );
  }
  if (retryIf !== undefined && typeof retryIf !== 'function') {
    throw invalid('retryIf', 'a function (error, attempt) => boolean', retryIf);
  }
  if (fallback !== undefined && typeof fallback !== 'function') {
    throw invalid('fallback', 'a function (error, signal) => value', fallback);
  }
  let rule: WhenRule = WhenRule.AllSucceeded;
  if (when !== undefined) {
    if (typeof when !== 'string' || !Object.hasOwn(WHEN_RULES, when)) {
      throw invalid('when', '"allSucceeded", "noneFailed" or "allSettled"', when);
    }
    rule = WHEN_RULES[when];
  }
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    throw invalid('priority', 'a finite number', priority);
  }
  const attempt =
    timeout === undefined && retries === 0 && fallback === undefined
      ? undefined
      : { timeout, retries, retryDelay, retryIf, fallback };
  return { attempt, when: rule, priority };
}

/** Whether `value` is a delay `setTimeout` honours as given: a number from 0 to 2^31 − 1. */
export function isTimerDelay(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_TIMER_DELAY;
}

/** Option names that mean a task's dependencies, which are not an option: lower-cased. */
const DEPENDENCY_OPTION_NAMES = new Set([
  'dependson',
  'depends',
  'deps',
  'dependencies',
  'needs',
  'after',
  'inputs',
]);

/**
 * For an unknown option that names a task's dependencies (`{ dependsOn: ['load'] }`): where they
 * go instead — `@DependsOn` for a class, the arguments of `addNode` for a builder. `''` otherwise.
 */
function dependenciesHint(option: string, builderMethod: string | undefined): string {
  if (!DEPENDENCY_OPTION_NAMES.has(option.toLowerCase())) return '';
  return builderMethod === undefined
    ? " A task's dependencies are not an option: list them with @DependsOn(…) beside @Task()."
    : " A node's dependencies are not an option: pass the nodes as its arguments, " +
        `${builderMethod}(fn, node, …).`;
}

/**
 * For an unknown option that is a run's option or hook (`{ concurrency: 1 }`, `{ onTaskStart }`):
 * where it goes instead — the options of `Workflow.invoke`, or of `tm.invoke` for a builder. `''`
 * otherwise.
 */
function runOptionHint(option: string, builderMethod: string | undefined): string {
  const hook = isHookName(option);
  if (!hook && !RUN_OPTION_NAMES.includes(option)) return '';
  const given = hook ? `hooks: { ${option} }` : option;
  const call =
    builderMethod === undefined
      ? `Workflow.invoke(instance, param, { ${given} })`
      : `tm.invoke(param, { ${given} })`;
  if (hook) return ` "${option}" is a hook of a run: give it to ${call}.`;
  const subject = builderMethod === undefined ? 'task' : 'node';
  return ` "${option}" is an option of a run, not of a ${subject}: give it to ${call}.`;
}
