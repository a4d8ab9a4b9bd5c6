/**
 * The clock of traces and events, in milliseconds (`performance.now()`).
 *
 * Reading it costs as much as the rest of a task's bookkeeping (30–50 ns on a virtual machine), and
 * a run reads it once per settled task. Promise reactions share a reading instead: the first
 * reaction that needs the time reads the clock and queues one microtask; until that microtask runs,
 * other reactions get the same reading. A shared reading is never earlier than the settling it
 * dates: the microtask queue runs first in, first out, so a reaction that runs before the expiry
 * was queued before the reading was taken — its promise had settled by then. And it is no later
 * than a reading of the reaction's own would be. Code that follows user code run synchronously
 * (a task that returned a value, a hook, an abort) takes a fresh reading with {@link readClock},
 * which also becomes the shared one, so the readings never go back.
 */

/** `globalThis.performance` and `globalThis.setTimeout` as they were when this module loaded. */
const loadedPerformance: { now(): number } = globalThis.performance;
const loadedSetTimeout: unknown = globalThis.setTimeout;

/**
 * The `performance` object readings come from: {@link loadedPerformance}, unless fake timers
 * (vitest's `vi.useFakeTimers()`, older @sinonjs/fake-timers) put an object of their own in its
 * place, whose time a run started under them must follow, as their `setTimeout` does. Not read
 * from the global object per reading, nor even per run: on Node.js `performance` is an accessor
 * there, and reading it cost ~60 ns a run (7% of a six-task invoke). See
 * {@link readClockAtRunStart}.
 */
let performanceClock: { now(): number } = loadedPerformance;

/** `Promise.prototype.then` as the language defines it (see run-scratch.ts for why a constant). */
const nativeThen = Promise.prototype.then;

const settled = Promise.resolve();

/**
 * The latest reading, while {@link isShared} — written only then: storing a fractional number in a
 * module variable allocates a box for it, which every reaction would pay.
 */
let latest = 0;
/** Whether a reaction may use {@link latest}: from a reading until the microtask queued then runs. */
let isShared = false;

function expire(): void {
  isShared = false;
}

/**
 * A fresh reading of the clock, from the `performance` object in place now: a run's origin. Fake
 * timers replace `setTimeout` along with `performance`, so the global `performance` is read again
 * only while `setTimeout` is not the one this module loaded with (a cheap data-property load), or
 * while readings still come from another object (fake timers just uninstalled).
 */
export function readClockAtRunStart(): number {
  if (globalThis.setTimeout !== loadedSetTimeout || performanceClock !== loadedPerformance) {
    performanceClock = globalThis.performance;
  }
  return readClock();
}

/** A fresh reading of the clock. */
export function readClock(): number {
  const now = performanceClock.now();
  if (isShared) latest = now;
  return now;
}

/**
 * The reading for a promise reaction (a task's promise settled): the one shared by the reactions
 * of this turn of the microtask queue, if there is one. Else a fresh one, which later reactions of
 * this turn share if `moreMayFollow` (sharing costs a microtask — about a reading's time, and twice
 * its bytes — so it pays when more than one reaction follows).
 */
export function readClockInReaction(moreMayFollow: boolean): number {
  if (isShared) return latest;
  if (!moreMayFollow) return performanceClock.now();
  isShared = true;
  nativeThen.call(settled, expire);
  return (latest = performanceClock.now());
}
