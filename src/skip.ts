/**
 * `skip()`: a task's way to say "there is nothing for me to do" — it ends the task as skipped
 * (not a failure, not retried), and its dependents are skipped too unless their `when` rule says
 * otherwise. It works by throwing a marker the scheduler recognises; markers are registered in a
 * process-wide set, so a `skip()` from one loaded copy of the package is understood by another.
 */
import { bareName, colonThen, describeInput, quotedName } from './describe.js';
import { shared } from './shared.js';

// `src/opentelemetry.ts` reads this entry of the registry by its name (that entry point loads no
// core code): rename or reshape it in both places.
const skipMarkers = shared('skip markers', () => new WeakMap<object, string>());

/** The reason of a `skip()` called without one. */
export const DEFAULT_SKIP_REASON = 'skipped by the task';

/**
 * Ends the calling task as skipped, with `reason` (exactly as given; a default when none). Call it
 * inside a task, synchronously or before its promise settles — or in a task interceptor around it,
 * or in its `fallback`, to skip a task that failed for good. Tasks that depend on it are skipped
 * too, unless their `when` rule is `'noneFailed'` or `'allSettled'`.
 *
 * @example
 * ```ts
 * class Shipping {
 *   @Task() @DependsOn('route')
 *   express(route: string) {
 *     if (route !== 'express') skip('standard order');
 *     return book('express');
 *   }
 * }
 * ```
 */
export function skip(reason?: string): never {
  if (reason !== undefined && typeof reason !== 'string') {
    throw new TypeError(`skip(reason): the reason must be a string, got ${describeInput(reason)}.`);
  }
  const marker = stacklessError(`skip()${colonThen(reason ?? DEFAULT_SKIP_REASON)}`);
  marker.name = 'TaskSkipped';
  skipMarkers.set(marker, reason ?? DEFAULT_SKIP_REASON);
  throw marker;
}

/** `Error`, with V8's and JavaScriptCore's `Error.stackTraceLimit`, where the engine has it. */
const errorConstructor: ErrorConstructor & { stackTraceLimit?: unknown } = Error;

/**
 * An `Error` without stack frames, where the engine lets its depth be set (`stack` is then the
 * header alone); elsewhere a plain one. A marker is a signal, caught by the scheduler: capturing
 * frames cost ~45,000 instructions per `skip()` (V8 rebuilds every optimized frame on the stack,
 * the run loop's included, to list the functions inlined in it), twenty times what the run spends
 * on a task, and the frames would keep their receivers — the run, the instance — for as long as
 * the marker lives unformatted.
 */
function stacklessError(message: string): Error {
  const limit = errorConstructor.stackTraceLimit;
  if (typeof limit !== 'number') return new Error(message);
  try {
    errorConstructor.stackTraceLimit = 0;
  } catch {
    return new Error(message); // a frozen `Error` (hardened JavaScript)
  }
  try {
    return new Error(message);
  } finally {
    errorConstructor.stackTraceLimit = limit;
  }
}

/** The reason if `thrown` is a `skip()` marker, else `undefined`. Safe for any value. */
export function skipReasonOf(thrown: unknown): string | undefined {
  return typeof thrown === 'object' && thrown !== null ? skipMarkers.get(thrown) : undefined;
}

/**
 * What a task's failure records for `thrown`: `thrown` itself, or — for a `skip()` marker, thrown
 * where it cannot skip the task (a hook, `retryIf`, `retryDelay`; a task and its fallback skip
 * before anything is recorded) — a `TypeError` that says so, the marker as its `cause`.
 */
export function failureError(workflow: string, task: string, thrown: unknown): unknown {
  const reason = skipReasonOf(thrown);
  if (reason === undefined) return thrown;
  return new TypeError(
    `${bareName(workflow)}: task ${quotedName(task)}: ${skipCall(reason)} was called in a hook, ` +
      `retryIf or retryDelay, where it cannot skip the task, so it is an error instead. Call skip() in ` +
      `the task, its fallback or a task interceptor.`,
    { cause: thrown },
  );
}

/**
 * What a run interceptor's failure becomes when it is a `skip()` marker: a `TypeError` that says
 * there is no task to skip there (the marker as its `cause`); anything else is left as it is.
 */
export function runFailureError(workflow: string, thrown: unknown): unknown {
  const reason = skipReasonOf(thrown);
  if (reason === undefined) return thrown;
  return new TypeError(
    `${bareName(workflow)}: ${skipCall(reason)} was called in a run interceptor, where there is no task ` +
      `to skip, so the run failed. Call skip() in a task, its fallback or a task interceptor; ` +
      `to answer without running, return a value instead of calling next().`,
    { cause: thrown },
  );
}

/** The `skip()` call that gave `reason`, as a message shows it. */
function skipCall(reason: string): string {
  return reason === DEFAULT_SKIP_REASON ? 'skip()' : `skip(${describeInput(reason)})`;
}
