/**
 * Deterministic timing helpers for scheduling tests: an event log with a logical clock, and
 * "deferred" tasks whose completion the test controls, so ordering is asserted without wall-clock
 * timing.
 */
import sinon from 'sinon';

/** Records `"<task>:start"` / `"<task>:end"` events in order. */
export class EventLog {
  readonly events: string[] = [];

  start(task: string): void {
    this.events.push(`${task}:start`);
  }

  end(task: string): void {
    this.events.push(`${task}:end`);
  }

  /** Logs `task:start`, runs `work`, and logs `task:end` once it settles either way. */
  async track<T>(task: string, work: () => T | PromiseLike<T>): Promise<T> {
    this.start(task);
    try {
      return await work();
    } finally {
      this.end(task);
    }
  }

  indexOf(event: string): number {
    const index = this.events.indexOf(event);
    if (index === -1) throw new Error(`event "${event}" was not logged: ${this.events.join(', ')}`);
    return index;
  }

  /** The tasks that started, in order. */
  get starts(): string[] {
    return this.events
      .filter((event) => event.endsWith(':start'))
      .map((event) => event.slice(0, -6));
  }

  /** How many tasks have started and not yet ended, at the end of the log. */
  get inFlight(): number {
    return this.inFlightCounts().pop() ?? 0;
  }

  /** The largest number of tasks that had started and not yet ended at any point of the log. */
  get maxInFlight(): number {
    return Math.max(0, ...this.inFlightCounts());
  }

  private inFlightCounts(): number[] {
    let running = 0;
    return this.events.map((event) => (running += event.endsWith(':start') ? 1 : -1));
  }
}

/** A promise plus its resolve/reject, for tasks whose completion the test decides. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Waits `turns` macrotask turns (setImmediate), letting every pending microtask run. */
export async function settle(turns = 1): Promise<void> {
  for (let turn = 0; turn < turns; turn++)
    await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Every hook of `WorkflowHooks`, by name. */
export const EVERY_HOOK = [
  'onTaskStart',
  'onTaskSuccess',
  'onTaskFailure',
  'onTaskRetry',
  'onTaskSkip',
  'onTaskProgress',
] as const;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts `run` under fake `setTimeout`/`clearTimeout` and fires every timer in time order, letting
 * promise reactions run between two, until none is left: the order of what a workflow of
 * {@link sleep}s logs is then the one its delays give, however loaded the machine. (On real
 * timers, a process held up for longer than the gap between two events — a busy machine
 * deschedules it, a full garbage collection pauses it — may see a later timer fire first.)
 */
export async function withTimersInOrder<T>(run: () => Promise<T>): Promise<T> {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const outcome = run();
    await clock.runAllAsync();
    return await outcome;
  } finally {
    clock.restore();
  }
}

/** A callback (a `fallback`, `retryIf`, `retryDelay`…) that throws `error` whenever it is called. */
export const throwing = (error: unknown) => (): never => {
  throw error;
};

/**
 * One {@link deferred} per name, made on first use: a task awaits `gates.wait(name)` and the test
 * decides when (and how) it ends with `open` or `fail`, so ordering is exact without timers.
 */
export class Gates<T = void> {
  private readonly byName = new Map<string, Deferred<T>>();

  /** The promise of gate `name`. */
  wait(name: string): Promise<T> {
    return this.gate(name).promise;
  }

  /** Resolves gate `name` with `value`. */
  open(name: string, value: T): void {
    this.gate(name).resolve(value);
  }

  /** Rejects gate `name` with `error`. */
  fail(name: string, error: unknown): void {
    this.gate(name).reject(error);
  }

  private gate(name: string): Deferred<T> {
    let gate = this.byName.get(name);
    if (gate === undefined) this.byName.set(name, (gate = deferred<T>()));
    return gate;
  }
}

/** What {@link recordProcessEvents} collected, and how to stop collecting. */
export interface ProcessEventRecorder {
  /** The first argument of every event emitted since recording began. */
  readonly received: unknown[];
  /** Removes the listener. */
  stop(): void;
}

/**
 * Records every `event` the process emits (an `unhandledRejection`'s reason, a `warning`) until
 * `stop()` — install it in the test, assert `received` is empty after the run has settled.
 */
export function recordProcessEvents(event: 'unhandledRejection' | 'warning'): ProcessEventRecorder {
  const received: unknown[] = [];
  const listener = (first: unknown) => received.push(first);
  process.on(event, listener);
  return { received, stop: () => process.off(event, listener) };
}

/**
 * The error `promise` rejects with, checked to be a `type`; throws (failing the test) when the
 * promise resolves or rejects with something else.
 */
export async function rejectionOf<E>(
  promise: PromiseLike<unknown>,
  type: abstract new (...args: any[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected a rejection with ${type.name}, got: ${String(error)}`, {
      cause: error,
    });
  }
  throw new Error(`expected a rejection with ${type.name}, but the promise resolved`);
}

/**
 * The error `call` throws, checked to be a `type`: {@link rejectionOf} for a synchronous call.
 */
export function thrownBy<E>(call: () => unknown, type: abstract new (...args: any[]) => E): E {
  try {
    call();
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name} to be thrown, got: ${String(error)}`, { cause: error });
  }
  throw new Error(`expected ${type.name} to be thrown, but the call returned`);
}

/**
 * A base for test workflows whose tasks each wait on a gate the test opens: `step(name)` logs the
 * task's start, waits for `gates.open(name, value)` and logs its end.
 */
export abstract class GatedFlow<T = void> {
  readonly log = new EventLog();
  readonly gates = new Gates<T>();

  protected step(name: string): Promise<T> {
    return this.log.track(name, () => this.gates.wait(name));
  }
}
