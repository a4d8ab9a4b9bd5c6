/**
 * Interceptors, composed like NestJS's: each wraps the next, the first given outermost, and the
 * innermost `next()` runs the work itself — the whole run, or one attempt of a task. The work is
 * started inside the interceptor's own call, so a context set around `next()` (AsyncLocalStorage,
 * an OpenTelemetry context) is active in it. A run without interceptors never reaches this file.
 *
 * The promise a `next()` returns is the interceptor's to await — but one that drops it (calls
 * `next()`, then returns something else or throws) must not leave an unhandled rejection behind.
 * Marking every such promise handled would cost a reaction per attempt (measured: one no-op
 * interceptor went from 1.22× to 1.39× a plain run), so a layer that returns the very promise its
 * `next()` gave (`(info, next) => next()`) is spared: the run's own subscription handles it. Any
 * other layer's `next()` promise is marked — one that returned something else (an `async`
 * interceptor's promise, a `.then`), threw, or called `next()` after returning.
 */
import { bareName, causedBy } from './describe.js';
import { IntrinsicPromise } from './intrinsic-promise.js';
import { inPromiseJob, intrinsicPromiseOf, markHandled } from './outcomes.js';
import type { RunInterceptorInfo, TaskInterceptorInfo, WorkflowInterceptor } from './types.js';

type Hook = 'run' | 'task';

/**
 * One interceptor's `run` or `task` method, read once when the run's options were checked (as
 * hooks are), and the interceptor it is called on (`this` in the method).
 */
export interface InterceptorLayer {
  readonly interceptor: WorkflowInterceptor;
  readonly method: (info: never, next: () => Promise<unknown>) => unknown;
}

/**
 * Runs `innermost` inside the `hook` method of each of `interceptors` (as read when the run
 * started), outermost first, and returns the outcome of the outermost. `innermost` is the
 * innermost interceptor's `next`: it must run its work once however often it is called, and hand
 * the promise of that work to {@link nextCalled}. An interceptor that throws rejects the returned
 * promise.
 */
export function intercept<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly InterceptorLayer[],
  hook: Hook,
  info: Info,
  innermost: () => Promise<unknown>,
  guard?: NextGuard,
): Promise<unknown> {
  return callLayer(interceptors, hook, info, 0, innermost, guard);
}

/**
 * What an outer layer's `next()` gives for the layers inside it, when the work has conditions (a
 * task attempt's): `start` runs them, unless the attempt has ended or its timeout has passed; the
 * promise rejects at the timeout, whatever they do later. (The innermost `next` applies them
 * itself.)
 */
export type NextGuard = (start: () => Promise<unknown>) => Promise<unknown>;

/** Calls interceptor `index` with the `next` that runs the layers inside it. */
function callLayer<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly InterceptorLayer[],
  hook: Hook,
  info: Info,
  index: number,
  innermost: () => Promise<unknown>,
  guard: NextGuard | undefined,
): Promise<unknown> {
  // The innermost layer's `next` is `innermost` itself: one interceptor makes no closure here.
  const next =
    index === interceptors.length - 1
      ? innermost
      : nextLayer(interceptors, hook, info, index + 1, innermost, guard);
  const layer = interceptors[index];
  // A run interceptor's `next()` is watched for the work it starts: if the interceptor resolves
  // with `undefined` after swallowing that work's error, the error is kept (see `answered`).
  let work: Promise<unknown> | undefined;
  const given =
    hook === 'run'
      ? () => {
          const promise = next();
          work ??= promise;
          return promise;
        }
      : next;
  // Calls nest (a task body inside `next()` may start another intercepted run): keep the outer
  // layer's record on the stack while this one runs. (Nothing in the `try` escapes it, so the
  // record is put back without a `finally`.)
  const outerRecord = layerRecord;
  layerRecord = NOTHING_CALLED;
  let returned: Promise<unknown>;
  try {
    returned = intrinsicPromiseOf(
      (layer.method as (info: Info, next: () => Promise<unknown>) => unknown).call(
        layer.interceptor,
        info,
        given,
      ),
    );
  } catch (error) {
    returned = IntrinsicPromise.reject(error);
  }
  const called = layerRecord;
  layerRecord = outerRecord;
  if (called !== NOTHING_CALLED && called !== returned) markHandled(called!);
  // A run interceptor answers for the run: `undefined` is no answer, and is refused at its own
  // layer, so that the layers outside it (a tracer) see the failure (once per run, not per task).
  if (hook === 'run') {
    return returned.then((value) => answered(value, info.workflow, index, work));
  }
  return returned;
}

/**
 * `value`, what run interceptor `index` resolved with, unless it is `undefined`: then the
 * `TypeError` that says to return `next()` — an `async` interceptor that awaits `next()` without
 * returning it (the likely slip: one that times or logs the run) would have `invoke` resolve with
 * no result, and the caller fail later on `result.get`. `work`: what its `next()` started, if it
 * called it; when that has rejected (the interceptor swallowed the run's error), the error is the
 * `TypeError`'s `cause`, so that it is not lost.
 */
function answered(
  value: unknown,
  workflow: string,
  index: number,
  work: Promise<unknown> | undefined,
): unknown {
  if (value !== undefined) return value;
  const head = `${bareName(workflow)}: run interceptor ${index + 1} resolved with undefined, not the run's result`;
  const plain = () =>
    new TypeError(
      `${head}. A run interceptor must return what next() gives: return next(), or return await ` +
        'next() in an async one.',
    );
  if (work === undefined) throw plain();
  // Whether the work has already rejected: `race` subscribes to it first, so a settled work's
  // reaction runs before the one of the promise resolved after it (only on this rare path).
  return IntrinsicPromise.race([work, STILL_RUNNING]).then(
    () => {
      throw plain();
    },
    (error: unknown) => {
      throw causedBy(
        new TypeError(
          `${head}, after its next() rejected with the run's error (the cause): rethrow it, or ` +
            'return what next() gives.',
        ),
        error,
      );
    },
  );
}

/** What {@link answered} races the work against: a promise already resolved. */
const STILL_RUNNING = IntrinsicPromise.resolve();

/** The `next` of an outer layer: runs layer `index` (and so everything inside it) once. */
function nextLayer<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly InterceptorLayer[],
  hook: Hook,
  info: Info,
  index: number,
  innermost: () => Promise<unknown>,
  guard: NextGuard | undefined,
): () => Promise<unknown> {
  return callOnce(() =>
    guard === undefined
      ? callLayer(interceptors, hook, info, index, innermost, guard)
      : guard(() => callLayer(interceptors, hook, info, index, innermost, guard)),
  );
}

/**
 * A `next` that runs `start` on its first call and gives every call the promise of that work
 * (recorded by {@link nextCalled}). A call made while `start` is still running — synchronously,
 * from inside the work (a layer inside, or the body, calling a `next()` it can reach) — gets the
 * same work too, once it exists. (The innermost `next` of a task attempt, made per attempt, does
 * the same without the extra closure.)
 */
export function callOnce<T>(start: () => Promise<T>): () => Promise<T> {
  let work: Promise<T> | undefined;
  let starting = false;
  return () => {
    if (work !== undefined) return work;
    if (starting) return sameWorkLater(() => work!);
    starting = true;
    return (work = nextCalled(start()));
  };
}

/**
 * What a `next()` gives when it is called again while the work its first call started is still
 * being started (synchronously, from inside that work): that work's promise, which exists once
 * the first call returns. Marked handled, as a second call's promise is (see {@link nextCalled}).
 */
export function sameWorkLater<T>(work: () => Promise<T>): Promise<T> {
  const later = inPromiseJob(work);
  markHandled(later);
  return later;
}

const NOTHING_CALLED = null;

/**
 * While an interceptor is being called (by {@link callLayer}): the promise a `next()` started
 * during that call, or {@link NOTHING_CALLED}; `undefined` while none is being called.
 */
let layerRecord: Promise<unknown> | typeof NOTHING_CALLED | undefined;

/**
 * Records `promise`, the work a `next()` just started (its first call only), and returns it: the
 * running layer checks it against what it returns; with no layer running, or a second promise in
 * one layer's call, it is marked handled at once.
 */
export function nextCalled<T>(promise: Promise<T>): Promise<T> {
  if (layerRecord === NOTHING_CALLED) layerRecord = promise;
  else markHandled(promise);
  return promise;
}
