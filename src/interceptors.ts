/**
 * Interceptors, composed like NestJS's: each wraps the next, the first given outermost, and the
 * innermost `next()` runs the work itself — the whole run, or one attempt of a task. The work is
 * started inside the interceptor's own call, so a context set around `next()` (AsyncLocalStorage,
 * an OpenTelemetry context) is active in it. A run without interceptors never reaches this file.
 */
import type { RunInterceptorInfo, TaskInterceptorInfo, WorkflowInterceptor } from './types.js';

type Hook = 'run' | 'task';

/**
 * Runs `work` inside the `hook` method of each of `interceptors`, outermost first, and returns the
 * outcome of the outermost. Calling `next()` twice runs the inner work once; an interceptor that
 * throws rejects the returned promise.
 */
export function intercept<Info extends RunInterceptorInfo | TaskInterceptorInfo>(
  interceptors: readonly WorkflowInterceptor[],
  hook: Hook,
  info: Info,
  work: () => Promise<unknown>,
): Promise<unknown> {
  const layer = (index: number): Promise<unknown> => {
    if (index === interceptors.length) return work();
    const interceptor = interceptors[index];
    let inner: Promise<unknown> | undefined;
    const next = () => (inner ??= layer(index + 1));
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
  };
  return layer(0);
}
