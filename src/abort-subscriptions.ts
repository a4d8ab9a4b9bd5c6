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
    signal.addEventListener('abort', listener, { once: true });
  }
  subscription.subscribers.add(onAbort);
  return () => {
    const current = subscriptions.get(signal);
    if (current === undefined || !current.subscribers.delete(onAbort)) return;
    if (current.subscribers.size > 0) return;
    subscriptions.delete(signal);
    signal.removeEventListener('abort', current.listener);
  };
}
