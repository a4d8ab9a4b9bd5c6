/**
 * Runs a browser bundle (an IIFE, as a `<script>` loads it) in a fresh `node:vm` realm that has
 * only what the package may use in a browser (API.md §10): timers, `queueMicrotask`,
 * `AbortController`/`AbortSignal`/`EventTarget`/`Event`/`DOMException`, `performance` — and
 * `console`, to see the output. No `process`, `require`, `Buffer` or `setImmediate`: a bundle
 * that needs one fails with a ReferenceError. The realm lives in a child process
 * (browser-realm-child.cjs), whose only timers are the bundle's.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** What the bundle printed, and what the realm's globals looked like. */
export interface RealmRun {
  /** Every line printed, up to and including the first `console.log` call's. */
  readonly lines: string[];
  /** `typeof process`, `require`, `Buffer`, `setImmediate`, `global` inside the realm. */
  readonly nodeGlobals: string;
}

const CHILD = join(__dirname, 'browser-realm-child.cjs');

/**
 * Runs `file` and resolves with what it printed once its first `console.log` call has printed
 * (the consumer programs print everything in one call), or rejects after `timeoutMs`, or when
 * the bundle throws.
 */
export function runInBrowserRealm(file: string, timeoutMs = 30_000): Promise<RealmRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CHILD, file],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${file} in a browser realm: ${error.message}\n${stdout}\n${stderr}`));
        } else {
          resolve(JSON.parse(stdout) as RealmRun);
        }
      },
    );
  });
}
