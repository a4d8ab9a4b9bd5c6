/**
 * Deterministic timing helpers for scheduling tests: an event log with a logical clock, and
 * "deferred" tasks whose completion the test controls, so ordering is asserted without wall-clock
 * timing.
 */

/** Records `"<task>:start"` / `"<task>:end"` events in order. */
export class EventLog {
  readonly events: string[] = [];

  start(task: string): void {
    this.events.push(`${task}:start`);
  }

  end(task: string): void {
    this.events.push(`${task}:end`);
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
