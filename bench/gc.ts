/**
 * A full garbage collection on demand, for heap measurements. `npm run bench` starts node with
 * `--expose-gc`; elsewhere (the mocha smoke test) the flag is switched on at run time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function resolveGarbageCollector(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Runs a full, synchronous garbage collection. */
export const collectGarbage: () => void = resolveGarbageCollector();
