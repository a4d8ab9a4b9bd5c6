/**
 * Subscriptions to a caller's `AbortSignal`. Many runs may share one signal (say, a request's
 * signal passed to every workflow the request starts): each signal gets a single 'abort' listener
 * however many runs subscribe, so Node never warns about a listener leak, and that listener is
 * removed when the last run unsubscribes.
 */

interface SignalSubscription {
  readonly subscribers: Set<() => void>;
  readonly listener: () => void;
}

const subscriptions = new WeakMap<AbortSignal, SignalSubscription>();

/**
 * `signal[key]`, for a caller's signal (or what may be one): the same lookup — getters, Proxy
 * traps — without V8's inline caches. Node.js gives every AbortSignal a hidden class of its own (it
 * makes one by changing the prototype of an EventTarget), so a plain `signal.aborted` never finds
 * it in a cache: each read was a cache miss handled in V8's runtime (~1,400 instructions), and a
 * run with a signal makes six (checked, started, subscribed, unsubscribed): 7% of a 12-task run.
 * `Reflect.get` is a generic lookup in a builtin (~230), with no cache to miss.
 */
export function signalProperty<K extends keyof AbortSignal>(
  signal: object,
  key: K,
): AbortSignal[K] | undefined {
  return Reflect.get(signal, key) as AbortSignal[K] | undefined;
}

/**
 * Calls `onAbort` once when `signal` aborts. Returns the function that unsubscribes; a run calls it
 * when it settles, so nothing of it stays attached to the caller's signal.
 */
export function subscribeToAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let subscription = subscriptions.get(signal);
  if (subscription === undefined) {
    const subscribers = new Set<() => void>();
    const listener = () => {
      subscriptions.delete(signal);
      for (const subscriber of [...subscribers]) subscriber();
    };
    subscription = { subscribers, listener };
    subscriptions.set(signal, subscription);
    signalProperty(signal, 'addEventListener')!.call(signal, 'abort', listener, { once: true });
  }
  subscription.subscribers.add(onAbort);
  return () => {
    const current = subscriptions.get(signal);
    if (current === undefined || !current.subscribers.delete(onAbort)) return;
    if (current.subscribers.size > 0) return;
    subscriptions.delete(signal);
    signalProperty(signal, 'removeEventListener')!.call(signal, 'abort', current.listener);
  };
}
