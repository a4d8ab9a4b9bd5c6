/**
 * What the scheduler needs from the runtime beyond the language, feature-detected: the core runs
 * on Node.js, Bun, Deno and in browsers, and imports no `node:` module. Where Node.js offers
 * something more (a listener-count warning to lift, a way to tell a Proxy, process warnings, async
 * contexts), it is reached through `process.getBuiltinModule` when that exists.
 */

type NodeProcess = {
  getBuiltinModule?: (id: string) => unknown;
  emitWarning?: (message: string, options: string | { type: string; detail?: string }) => void;
};

const nodeProcess = (globalThis as { process?: NodeProcess }).process;

// Looked up once, as `proxyCheck` is.
const setMaxListeners = (
  nodeProcess?.getBuiltinModule?.('node:events') as
    { setMaxListeners?: (count: number, target: EventTarget) => void } | undefined
)?.setMaxListeners;

/**
 * Lifts Node's listener-count warning for a signal handed to tasks: the run's, which every task
 * may listen to, or an attempt's, on which one task may fan out (a `fetch` per item). Browsers and
 * other runtimes have no such warning (and no `node:events`), and neither has a signal of another
 * implementation on Node.js (jsdom's, which jest-environment-jsdom makes the global
 * `AbortController`), which Node's `setMaxListeners` rejects with a TypeError.
 */
export function allowManyListeners(signal: AbortSignal): void {
  if (setMaxListeners === undefined) return;
  try {
    setMaxListeners(0, signal);
  } catch {
    // Not Node's EventTarget: it has no listener-count warning to lift.
  }
}

/**
 * A process warning on Node.js (`detail`, such as the stack of the error warned about, printed
 * after it), `console.warn` elsewhere.
 */
export function warn(message: string, detail?: string): void {
  if (typeof nodeProcess?.emitWarning === 'function') {
    nodeProcess.emitWarning(
      message,
      detail === undefined ? 'AsyncDagHookWarning' : { type: 'AsyncDagHookWarning', detail },
    );
  } else if (detail === undefined) {
    console.warn(message);
  } else {
    console.warn(message, '\n' + detail);
  }
}

const proxyCheck = (
  nodeProcess?.getBuiltinModule?.('node:util') as
    { types?: { isProxy?: (value: unknown) => boolean } } | undefined
)?.types?.isProxy;

/**
 * Whether `value` is a Proxy, where the runtime can tell (Node's `util.types.isProxy`); elsewhere
 * `false`. The scheduler uses it to give a Proxy instance the plain method lookup, so its `get`
 * trap sees every lookup; where a Proxy cannot be told, a Proxy instance of a class with more than
 * ~1,020 tasks gets the two-step lookup (its `getOwnPropertyDescriptor` trap, then the prototype).
 */
export function isProxy(value: unknown): boolean {
  return proxyCheck !== undefined && proxyCheck(value);
}

/** An async context to run code in later: Node's `AsyncResource`. */
export interface AsyncContext {
  runInAsyncScope<R>(fn: () => R): R;
}

const AsyncResource = (
  nodeProcess?.getBuiltinModule?.('node:async_hooks') as
    { AsyncResource?: new (type: string) => AsyncContext } | undefined
)?.AsyncResource;

/**
 * The async context current now (its AsyncLocalStorage stores, an OpenTelemetry context), to run
 * code in from a callback that the runtime calls in someone else's context (an `abort` listener);
 * `undefined` where the runtime has no such contexts. Costs ~0.1 µs: made once per run that needs
 * it, not per task.
 */
export function captureAsyncContext(): AsyncContext | undefined {
  return AsyncResource === undefined ? undefined : new AsyncResource('AsyncDagRun');
}
