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

/**
 * `globalThis.performance`, read once per run by {@link readClockAtRunStart}, not per reading: on
 * Node.js it is an accessor on the global object. Read afresh for each run because fake timers
 * (vitest's `vi.useFakeTimers()`, older @sinonjs/fake-timers) put an object of their own in its
 * place, whose time a run started under them must follow, as their `setTimeout` does.
 */
let performanceClock: { now(): number } = globalThis.performance;

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

/** A fresh reading of the clock, from the `performance` object in place now: a run's origin. */
export function readClockAtRunStart(): number {
  performanceClock = globalThis.performance;
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
