/**
 * The names of the options async-dag reads, by where they are given: a task's (`@Task`, `addNode`),
 * a run's (`invoke`, `stream`) and a run's hooks. Each check's "unknown option" error looks a name
 * up in the others, to say where an option given in the wrong place belongs.
 */
import { meant } from './suggest.js';

/** Every key of `TaskOptions`. */
export const TASK_OPTION_NAMES: readonly string[] = [
  'timeout',
  'retries',
  'retryDelay',
  'when',
  'fallback',
  'retryIf',
  'priority',
];

/** Every key of `InvokeOptions`. */
export const RUN_OPTION_NAMES: readonly string[] = [
  'signal',
  'concurrency',
  'targets',
  'overrides',
  'hooks',
  'failFast',
  'interceptors',
];

/** Every key of `WorkflowHooks`. */
export const HOOK_NAMES = [
  'onTaskStart',
  'onTaskSuccess',
  'onTaskFailure',
  'onTaskRetry',
  'onTaskProgress',
  'onTaskSkip',
] as const;

/** Whether `name` is the name of a hook. */
export function isHookName(name: string): boolean {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

/**
 * Names other libraries (p-retry, BullMQ, Temporal, p-limit, …) give an option, and ours. Their
 * edit distance to ours is too large for a "did you mean" (`retry` is three edits from `retries`).
 */
const OTHER_LIBRARIES_NAMES = new Map<string, string>([
  ['retry', 'retries'],
  ['maxRetries', 'retries'],
  ['retryCount', 'retries'],
  ['retryLimit', 'retries'],
  ['attempts', 'retries'],
  ['maxAttempts', 'retries'],
  ['delay', 'retryDelay'],
  ['backoff', 'retryDelay'],
  ['shouldRetry', 'retryIf'],
  ['retryWhen', 'retryIf'],
  ['abortSignal', 'signal'],
  ['limit', 'concurrency'],
  ['parallelism', 'concurrency'],
  ['maxConcurrent', 'concurrency'],
  ['maxParallel', 'concurrency'],
]);

/**
 * What to append to an "unknown option" error for a name another library gives one of our options:
 * ` Did you mean "retries"?`, then `then(ours)` (where that option belongs); `''` for any other
 * name. `attempts` also says that `retries` counts the attempts after the first.
 *
 * @example
 * ```ts
 * otherLibrariesNameHint('maxRetries'); // ' Did you mean "retries"?'
 * ```
 */
export function otherLibrariesNameHint(
  name: string,
  then: (option: string) => string = () => '',
): string {
  const option = OTHER_LIBRARIES_NAMES.get(name);
  if (option === undefined) return '';
  const counting = name.toLowerCase().endsWith('attempts')
    ? ` It counts the attempts after the first: { ${name}: 3 } is { retries: 2 }.`
    : '';
  return meant(option, (ours) => counting + then(ours));
}
