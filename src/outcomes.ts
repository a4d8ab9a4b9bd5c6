/**
 * Small shared vocabulary for task outcomes, used by the run loop and its rooms: markers for "no
 * value" and "threw synchronously", and how a returned value that may be a thenable is adopted.
 */
import { isError } from './describe.js';
import { IntrinsicPromise } from './intrinsic-promise.js';

/** Marker for "no value given" where `undefined` is a value (an error, a recovered-from error). */
export const NONE: unique symbol = Symbol('none');

/** Marker returned by `Run.call` when the task threw synchronously. */
export const THREW: unique symbol = Symbol('threw');

const nativeThen = IntrinsicPromise.prototype.then;

const settled = IntrinsicPromise.resolve();

/**
 * Runs `work` in a promise job queued now, on a fresh stack, and gives the promise of its result:
 * before any timer or I/O callback, but after the code running now. A reaction rather than
 * `queueMicrotask`, which fake timers may replace. (The clock queues its own, on the hot path.)
 */
export function inPromiseJob<T>(work: () => T | PromiseLike<T>): Promise<T> {
  return nativeThen.call(settled, work) as Promise<T>;
}

/** Whether `value` has a callable `then` (reading it may throw: callers guard). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * What a task returned, as the run loop handles it: a native promise whose `constructor` is
 * `Promise` (the test `await` applies) and whose `then` is the intrinsic one, as is; any other
 * thenable adopted the way `await` adopts it — its `then` is called in a later job, and whatever
 * it throws rejects the outcome instead of escaping. That covers a promise whose `then` was
 * replaced, a foreign thenable, and an instance of a Promise subclass (subscribing to one makes a
 * derived promise through its species, which may throw or misbehave). A promise of the global
 * `Promise`'s replacement (zone.js's, bluebird's) is subscribed to at once instead (see
 * {@link isReplacementPromise}). Any other value as is. Reading `then` or `constructor` may throw
 * (a Proxy, a getter): callers guard.
 */
export function adoptOutcome(result: unknown): unknown {
  if (
    result instanceof IntrinsicPromise &&
    result.constructor === IntrinsicPromise &&
    result.then === nativeThen
  ) {
    return result;
  }
  return isThenable(result) ? adoptThenable(result) : result;
}

/** In a function of its own: a closure over `result` in `adoptOutcome` would cost every call. */
function adoptThenable(thenable: PromiseLike<unknown>): Promise<unknown> {
  if (isReplacementPromise(thenable)) return subscribedNow(thenable);
  return new IntrinsicPromise((resolve) => resolve(thenable));
}

/**
 * `value` — what an interceptor or a hook returned — as a promise of the language's: a native
 * promise as is, a promise of the global `Promise`'s replacement subscribed to at once (see
 * {@link isReplacementPromise}), any other value as `Promise.resolve` takes it.
 */
export function intrinsicPromiseOf(value: unknown): Promise<unknown> {
  return isReplacementPromise(value) ? subscribedNow(value) : IntrinsicPromise.resolve(value);
}

/**
 * Whether `value` is a promise of the implementation installed as the global `Promise` in place of
 * the language's: zone.js's `ZoneAwarePromise`, bluebird's. Such a promise is subscribed to at
 * once, not one job later as `await` adopts a thenable: zone.js reports a rejection that nobody
 * had subscribed to by the time it settled (in Angular, an `async` function that throws before
 * its first `await` returns one: Angular's build lowers `async` functions to its promises). A
 * promise's `then` never calls back synchronously, so subscribing at once is safe. Never throws.
 */
function isReplacementPromise(value: unknown): value is PromiseLike<unknown> {
  const GlobalPromise: unknown = globalThis.Promise;
  if (GlobalPromise === IntrinsicPromise || typeof GlobalPromise !== 'function') return false;
  try {
    return value instanceof GlobalPromise && isThenable(value);
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws, say: adopted as any thenable
  }
}

/** A native promise that settles as `promise` does, subscribed to it now. */
function subscribedNow(promise: PromiseLike<unknown>): Promise<unknown> {
  // Whatever `then` throws rejects the outcome, as for any thenable.
  return new IntrinsicPromise((resolve, reject) => void promise.then(resolve, reject));
}

/**
 * Formats the stack of `error` now, if it is an error: until then V8 keeps each frame's function
 * and receiver — a run's, for an error made while the run called a task or stopped — for as long
 * as the error lives, and a task may keep it (as its signal's reason, say) long after the run.
 * Never throws.
 */
export function settleStack(error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  try {
    if (isError(error)) void error.stack;
  } catch {
    // A Proxy or a getter: nothing to format.
  }
}

/**
 * Marks `value`, if it is a native promise or one of the global `Promise`'s replacement (see
 * {@link isReplacementPromise}), as handled: a no-op reaction on a side branch, so its rejection
 * never surfaces as unhandled while whoever awaits it still sees it. Reads nothing of any other
 * value, and never throws.
 */
export function markHandled(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  try {
    if (isReplacementPromise(value)) void value.then(undefined, ignore);
    else void nativeThen.call(value, undefined, ignore);
  } catch {
    // Not a native promise.
  }
}

function ignore(): void {}
