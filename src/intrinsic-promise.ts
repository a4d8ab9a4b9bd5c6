/**
 * The language's own `Promise`, whatever the global `Promise` is. zone.js (Angular) replaces the
 * global with its `ZoneAwarePromise`, and legacy Node.js applications assign a promise library to
 * it (`global.Promise = require('bluebird')`) — before this package loads, or after (right after
 * their imports). An `async` function (a task, an interceptor, a hook) returns the language's
 * promise either way, so a run that made, checked or subscribed to promises through the global
 * would mix two kinds: the intrinsic `then` called on the global's promises throws, and
 * `instanceof Promise` takes a task's promise for its value. So the package makes, recognises and
 * subscribes to the intrinsic promises only, found as the constructor of what an `async` function
 * returns; the promises of any other implementation are thenables to it, adopted as `await` does.
 */

/**
 * `Promise` as the language defines it, never a replacement assigned to the global.
 *
 * @example
 * ```ts
 * const outcome: unknown = (async () => 1)();
 * outcome instanceof IntrinsicPromise; // true, whatever the global `Promise` is
 * ```
 */
export const IntrinsicPromise = (async () => {})().constructor as PromiseConstructor;
