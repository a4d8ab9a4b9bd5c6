/**
 * Interceptors, composed like NestJS's: each wraps the next, the first given outermost, and the
 * innermost `next()` runs the work itself — the whole run, or one attempt of a task. The work is
 * started inside the interceptor's own call, so a context set around `next()` (AsyncLocalStorage,
 * an OpenTelemetry context) is active in it. A run without interceptors never reaches this file.
 */
import type { RunInterceptorInfo, TaskInterceptorInfo, WorkflowInterceptor } from './types.js';

type Hook = 'run' | 'task';

/**
 * Runs `innermost` inside the `hook` method of each of `interceptors`, outermost first, and
 * returns the outcome of the outermost. `innermost` is the innermost interceptor's `next`: it
 * must run its work once however often it is called. An interceptor that throws rejects the
 * returned promise.
 */
export function intercept<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly WorkflowInterceptor[],
  hook: Hook,
  info: Info,
  innermost: () => Promise<unknown>,
): Promise<unknown> {
  return callLayer(interceptors, hook, info, 0, innermost);
}

/** Calls interceptor `index` with the `next` that runs the layers inside it. */
function callLayer<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly WorkflowInterceptor[],
  hook: Hook,
  info: Info,
  index: number,
  innermost: () => Promise<unknown>,
): Promise<unknown> {
  // The innermost layer's `next` is `innermost` itself: one interceptor makes no closure here.
  const next =
    index === interceptors.length - 1
      ? innermost
      : nextLayer(interceptors, hook, info, index + 1, innermost);
  const interceptor = interceptors[index];
  try {
    return Promise.resolve(
      (interceptor[hook] as (info: Info, next: () => Promise<unknown>) => unknown).call(
        interceptor,
        info,
        next,
      ),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The `next` of an outer layer: runs layer `index` (and so everything inside it) once. */
function nextLayer<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly WorkflowInterceptor[],
  hook: Hook,
  info: Info,
  index: number,
  innermost: () => Promise<unknown>,
): () => Promise<unknown> {
  let inner: Promise<unknown> | undefined;
  return () => (inner ??= callLayer(interceptors, hook, info, index, innermost));
}
