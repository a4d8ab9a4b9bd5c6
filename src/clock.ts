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
import { IntrinsicPromise } from './intrinsic-promise.js';

/** `globalThis.performance` and `globalThis.setTimeout` as they were when this module loaded. */
const loadedPerformance: { now(): number } = globalThis.performance;
const loadedSetTimeout: unknown = globalThis.setTimeout;
/**
 * `performance.now` as it was when this module loaded: the real clock's, called on
 * {@link loadedPerformance} — so that fake timers that replace `now` on that very object
 * (@sinonjs/fake-timers 15) do not move runs started before them onto their clock.
 */
const loadedNow: () => number = loadedPerformance.now;

/**
 * Where a run reads the time when it is not the real clock: fake timers were installed when it
 * started, or `performance.now` replaced (a test's hand-set clock). Chosen when the run starts and
 * kept to its end, whatever is installed or removed meanwhile — a clock switched under a run in
 * flight dates the rest of it by another origin (an `end` seconds before its `start`).
 */
export type RunClock = () => number;

/** `Promise.prototype.then` as the language defines it (see run-scratch.ts for why a constant). */
const nativeThen = IntrinsicPromise.prototype.then;

const settled = IntrinsicPromise.resolve();

/**
 * The latest reading of {@link sharedClock}, while {@link isShared} — written only then: storing a
 * fractional number in a module variable allocates a box for it, which every reaction would pay.
 */
let latest = 0;
/** Whether a reaction may use {@link latest}: from a reading until the microtask queued then runs. */
let isShared = false;
/** Whose reading {@link latest} is: `undefined` for the real clock, the usual case. */
let sharedClock: RunClock | undefined;

function expire(): void {
  isShared = false;
}

/**
 * The clock a run starting now reads to its end: `undefined` for the real one, else the `now` in
 * place — fake timers replace `setTimeout` along with `performance` (or its `now`), so the global
 * `performance` is read only while `setTimeout` is not the one this module loaded with (a cheap
 * data-property load: on Node.js `performance` is an accessor of the global object, and reading
 * it cost ~60 ns a run, 7% of a six-task invoke).
 */
export function clockAtRunStart(): RunClock | undefined {
  if (globalThis.setTimeout !== loadedSetTimeout) return clockOf(globalThis.performance);
  return loadedPerformance.now === loadedNow ? undefined : clockOf(loadedPerformance);
}

/** `performance.now()` of `performance`, as its `now` is now: kept if it is replaced later. */
function clockOf(performance: { now(): number }): RunClock {
  const now = performance.now;
  return () => now.call(performance);
}

/** A reading of `clock` (`undefined`: the real one), shared with no one. */
function read(clock: RunClock | undefined): number {
  return clock === undefined ? loadedNow.call(loadedPerformance) : clock();
}

/** A fresh reading of `clock` (`undefined`: the real one). */
export function readClock(clock: RunClock | undefined): number {
  const now = read(clock);
  if (isShared && sharedClock === clock) latest = now;
  return now;
}

/**
 * The reading of `clock` for a promise reaction (a task's promise settled): the one shared by the
 * reactions of this turn of the microtask queue, if there is one. Else a fresh one, which later
 * reactions of this turn share if `moreMayFollow` (sharing costs a microtask — about a reading's
 * time, and twice its bytes — so it pays when more than one reaction follows). One clock at a time
 * shares a turn: runs on another in the same turn (fake timers and the real clock at once) read
 * their own afresh.
 */
export function readClockInReaction(moreMayFollow: boolean, clock: RunClock | undefined): number {
  if (isShared) return sharedClock === clock ? latest : read(clock);
  if (!moreMayFollow) return read(clock);
  isShared = true;
  sharedClock = clock;
  nativeThen.call(settled, expire);
  return (latest = read(clock));
}
