/**
 * Subscriptions to a caller's `AbortSignal`. Many runs may share one signal (say, a request's
 * signal passed to every workflow the request starts): each signal gets a single 'abort' listener
 * however many runs subscribe, so Node never warns about a listener leak, and that listener is
 * removed when the last run unsubscribes.
 */

interface SignalSubscription {
  readonly subscribers: Set<(reason: unknown) => void>;
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
 * `signal.reason` — or, when reading it throws (a getter on a signal the caller made), what it
 * threw: the run is aborted either way, never left waiting for an abort it missed.
 */
export function abortReason(signal: AbortSignal): unknown {
  try {
    return signalProperty(signal, 'reason');
  } catch (error) {
    return error;
  }
}

/**
 * Calls `onAbort` with the signal's {@link abortReason} once when `signal` aborts. Returns the
 * function that unsubscribes; a run calls it when it stops or settles, so nothing of it stays
 * attached to the caller's signal.
 */
export function subscribeToAbort(
  signal: AbortSignal,
  onAbort: (reason: unknown) => void,
): () => void {
  let subscription = subscriptions.get(signal);
  if (subscription === undefined) {
    const subscribers = new Set<(reason: unknown) => void>();
    const listener = () => {
      subscriptions.delete(signal);
      // Read once for every run: a listener that threw would leave the others waiting.
      const reason = abortReason(signal);
      for (const subscriber of [...subscribers]) subscriber(reason);
    };
    subscription = { subscribers, listener };
    // Kept only once the listener is on: if adding it throws, the next run on the signal tries
    // again instead of joining a subscription no abort reaches.
    signalProperty(signal, 'addEventListener')!.call(signal, 'abort', listener, { once: true });
    subscriptions.set(signal, subscription);
  }
  subscription.subscribers.add(onAbort);
  return () => {
    const current = subscriptions.get(signal);
    if (current === undefined || !current.subscribers.delete(onAbort)) return;
    if (current.subscribers.size > 0) return;
    subscriptions.delete(signal);
    try {
      signalProperty(signal, 'removeEventListener')!.call(signal, 'abort', current.listener);
    } catch {
      // A signal the caller made that refuses (its method throws): the listener stays, but it
      // calls no run now, and a run that settles must not fail — nor never settle — for it.
    }
  };
}
