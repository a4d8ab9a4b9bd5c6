/**
 * The child process of browser-realm.ts: runs the browser bundle named by its argument in a fresh
 * `node:vm` realm that has only what the package may use in a browser (API.md §10), and writes
 * `{ lines, nodeGlobals }` as JSON to stdout once the bundle's first `console.log` call printed.
 * A process of its own, so the bundle's timers are the only ones: in the test runner's process,
 * timer lists left behind by earlier specs may fire a longer sleep before a shorter one after a
 * stall, and the seed's order would depend on the machine's load.
 */
'use strict';
/* global setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, AbortController,
   AbortSignal, EventTarget, Event, DOMException, performance */
const { readFileSync } = require('node:fs');
const vm = require('node:vm');

const file = process.argv[2];
const lines = [];
const print =
  (finished) =>
  (...values) => {
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

function done() {
  const nodeGlobals = vm.runInContext(
    "[typeof process, typeof require, typeof Buffer, typeof setImmediate, typeof global].join(' ')",
    context,
  );
  process.stdout.write(JSON.stringify({ lines, nodeGlobals }));
  // The bundle may leave timers behind (its failing example's): the output is complete.
  process.exit(0);
}

vm.runInContext(readFileSync(file, 'utf8'), context, { filename: file });
