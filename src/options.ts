/**
 * Checks `InvokeOptions` against a workflow's plan and turns them into the index-based settings the
 * scheduler uses. Every mistake is a `WorkflowOptionsError`, thrown before any task starts.
 */
import { WorkflowOptionsError } from './errors';
import type { WorkflowPlan } from './scanner';
import { didYouMean } from './suggest';
import type { InvokeOptions, WorkflowHooks } from './types';

/** The options of one run, resolved to task indexes. */
export interface RunSettings {
  readonly concurrency: number;
  /** Which tasks run; `undefined` means all of them. */
  readonly included: Uint8Array | undefined;
  /** Replacement functions by task index; `undefined` when there are none. */
  readonly overrides: (Function | undefined)[] | undefined;
  readonly hooks: WorkflowHooks | undefined;
  readonly failFast: boolean;
  readonly signal: AbortSignal | undefined;
}

const KNOWN_OPTIONS = new Set([
  'signal',
  'concurrency',
  'targets',
  'overrides',
  'hooks',
  'failFast',
]);
const HOOK_NAMES = new Set(['onTaskStart', 'onTaskSuccess', 'onTaskFailure', 'onTaskRetry']);

/** Validates `options` for a run of `plan`. */
export function resolveRunSettings(
  plan: WorkflowPlan,
  options: InvokeOptions | undefined,
): RunSettings {
  if (options === undefined) {
    return {
      concurrency: Infinity,
      included: undefined,
      overrides: undefined,
      hooks: undefined,
      failFast: true,
      signal: undefined,
    };
  }
  const invalid = (option: string, message: string) =>
    new WorkflowOptionsError(plan.workflow, option, message);
  if (typeof options !== 'object' || options === null) {
    throw invalid('options', `expected an object, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw invalid(key, `unknown option.${didYouMean(key, [...KNOWN_OPTIONS])}`);
    }
  }
  const { concurrency = Infinity, failFast = true, signal, hooks } = options;

  if (
    typeof concurrency !== 'number' ||
    !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))
  ) {
    throw invalid(
      'concurrency',
      `must be a positive integer or Infinity, got ${describe(concurrency)}.`,
    );
  }
  if (typeof failFast !== 'boolean') {
    throw invalid('failFast', `must be true or false, got ${describe(failFast)}.`);
  }
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalid('signal', `must be an AbortSignal, got ${describe(signal)}.`);
  }
  if (hooks !== undefined) {
    if (typeof hooks !== 'object' || hooks === null) {
      throw invalid('hooks', `must be an object of hook functions, got ${describe(hooks)}.`);
    }
    for (const [name, hook] of Object.entries(hooks)) {
      if (!HOOK_NAMES.has(name)) {
        throw invalid('hooks', `"${name}" is not a hook.${didYouMean(name, [...HOOK_NAMES])}`);
      }
      if (hook !== undefined && typeof hook !== 'function') {
        throw invalid('hooks', `"${name}" must be a function, got ${describe(hook)}.`);
      }
    }
  }
  return {
    concurrency,
    included: resolveTargets(plan, options.targets, invalid),
    overrides: resolveOverrides(plan, options.overrides, invalid),
    hooks,
    failFast,
    signal,
  };
}

type InvalidOption = (option: string, message: string) => WorkflowOptionsError;

function resolveTargets(
  plan: WorkflowPlan,
  targets: readonly string[] | undefined,
  invalid: InvalidOption,
): Uint8Array | undefined {
  if (targets === undefined) return undefined;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw invalid('targets', `must be a non-empty array of task names, got ${describe(targets)}.`);
  }
  const indexes = targets.map((target) => taskIndex(plan, target, 'targets', invalid));
  return plan.closure(indexes);
}

function resolveOverrides(
  plan: WorkflowPlan,
  overrides: Record<string, unknown> | undefined,
  invalid: InvalidOption,
): (Function | undefined)[] | undefined {
  if (overrides === undefined) return undefined;
  if (typeof overrides !== 'object' || overrides === null) {
    throw invalid('overrides', `must be an object of functions, got ${describe(overrides)}.`);
  }
  const byIndex: (Function | undefined)[] = new Array(plan.names.length);
  for (const [name, override] of Object.entries(overrides)) {
    const index = taskIndex(plan, name, 'overrides', invalid);
    if (override === undefined) continue;
    if (typeof override !== 'function') {
      throw invalid('overrides', `"${name}" must be a function, got ${describe(override)}.`);
    }
    byIndex[index] = override;
  }
  return byIndex;
}

function taskIndex(plan: WorkflowPlan, name: unknown, option: string, invalid: InvalidOption) {
  const index = typeof name === 'string' ? plan.indexByName.get(name) : undefined;
  if (index === undefined) {
    const hint = typeof name === 'string' ? didYouMean(name, plan.names) : '';
    throw invalid(
      option,
      `${describe(name)} is not a task of ${plan.workflow}.` +
        (hint ||
          ` Tasks: ${plan.names.slice(0, 10).join(', ')}${plan.names.length > 10 ? ', …' : ''}.`),
    );
  }
  return index;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

/** A value as an option message shows it: `"text"`, `12.5`, `80n`, `an object`, `a function`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
