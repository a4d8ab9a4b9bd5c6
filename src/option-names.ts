/**
 * The names of the options async-dag reads, by where they are given: a task's (`@Task`, `addNode`),
 * a run's (`invoke`, `stream`) and a run's hooks. Each check's "unknown option" error looks a name
 * up in the others, to say where an option given in the wrong place belongs.
 */

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
