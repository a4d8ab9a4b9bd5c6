/**
 * Runs a browser bundle (an IIFE, as a `<script>` loads it) in a fresh `node:vm` realm that has
 * only what the package may use in a browser (API.md §10): timers, `queueMicrotask`,
 * `AbortController`/`AbortSignal`/`EventTarget`/`Event`/`DOMException`, `performance` — and
 * `console`, to see the output. No `process`, `require`, `Buffer` or `setImmediate`: a bundle
 * that needs one fails with a ReferenceError.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

/** What the bundle printed, and what the realm's globals looked like. */
export interface RealmRun {
  /** Every line printed, up to and including the first `console.log` call's. */
  readonly lines: string[];
  /** `typeof process`, `require`, `Buffer`, `setImmediate`, `global` inside the realm. */
  readonly nodeGlobals: string;
}

/**
 * Runs `file` and resolves with what it printed once its first `console.log` call has printed
 * (the consumer programs print everything in one call), or rejects after `timeoutMs`.
 */
export function runInBrowserRealm(file: string, timeoutMs = 10_000): Promise<RealmRun> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const print =
      (finished: boolean) =>
      (...values: unknown[]) => {
        lines.push(...values.map(String).join(' ').split('\n'));
        if (finished) done();
      };
    const context = vm.createContext({
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      queueMicrotask,
      AbortController,
      AbortSignal,
      EventTarget,
      Event,
      DOMException,
      performance: { now: () => performance.now(), timeOrigin: performance.timeOrigin },
      console: { log: print(true), info: print(false), warn: print(false), error: print(false) },
    });
    const timer = setTimeout(() => {
      reject(new Error(`${file} printed nothing within ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    function done() {
      clearTimeout(timer);
      const nodeGlobals = vm.runInContext(
        "[typeof process, typeof require, typeof Buffer, typeof setImmediate, typeof global].join(' ')",
        context,
      ) as string;
      resolve({ lines, nodeGlobals });
    }
    try {
      vm.runInContext(readFileSync(file, 'utf8'), context, { filename: file });
    } catch (error) {
      clearTimeout(timer);
      reject(error as Error);
    }
  });
}
