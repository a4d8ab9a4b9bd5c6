/**
 * `TaskOptions`: their names, their checks, and the per-task attempt policy the scheduler reads.
 * Both front-ends (decorated classes and the builder) hand their options to
 * {@link resolveAttemptPolicy}, so an option means the same thing, and fails the same way, in both.
 */
import { describeInput } from './describe';
import { definitionErrors } from './definition-errors';
import { didYouMean } from './suggest';
import type { TaskOptions } from './types';

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** Every key of `TaskOptions`. */
export const TASK_OPTION_NAMES: readonly string[] = ['timeout', 'retries', 'retryDelay'];

/** A task's options with defaults applied; `undefined` when the task has none (the fast path). */
export interface AttemptPolicy {
  readonly timeout: number | undefined;
  readonly retries: number;
  readonly retryDelay: number | ((attempt: number, error: unknown) => number);
}

/**
 * Checks the `TaskOptions` of task `task` and returns its attempt policy, or `undefined` when it
 * has neither a timeout nor retries. Options are read by property access, so an options object
 * with getters or inherited values counts as written. Throws `WorkflowDefinitionError`
 * (`INVALID_TASK`) naming the task and the option.
 */
export function resolveAttemptPolicy(
  workflow: string,
  task: string,
  options: TaskOptions,
  extraOptionNames: readonly string[] = [],
): AttemptPolicy | undefined {
  const invalid = (option: string, expected: string, value: unknown) =>
    definitionErrors.invalidTask(
      workflow,
      task,
      `option "${option}" of task "${task}" must be ${expected}, got ${describeInput(value)}.`,
    );
  if (typeof options !== 'object' || options === null) {
    throw definitionErrors.invalidTask(
      workflow,
      task,
      `the options of task "${task}" must be an object, got ${describeInput(options)}.`,
    );
  }
  const known = [...TASK_OPTION_NAMES, ...extraOptionNames];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw definitionErrors.invalidTask(
        workflow,
        task,
        `task "${task}" has an unknown option "${key}".${didYouMean(key, known)}`,
      );
    }
  }
  const { timeout, retries = 0, retryDelay = 0 } = options;
  if (timeout !== undefined && !(isTimerDelay(timeout) && timeout > 0)) {
    throw invalid(
      'timeout',
      `a positive number of milliseconds (at most ${MAX_TIMER_DELAY})`,
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
  if (timeout === undefined && retries === 0) return undefined;
  return { timeout, retries, retryDelay };
}

/** Whether `value` is a delay `setTimeout` honours as given: a number from 0 to 2^31 − 1. */
export function isTimerDelay(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_TIMER_DELAY;
}
