/**
 * Figures for the stress suite: wall time and heap after a full garbage collection. Needs
 * `node --expose-gc` (set in test/stress/.mocharc.json).
 */
import { performance } from 'node:perf_hooks';

/** Heap in use after a full collection, in bytes. */
export function settledHeapBytes(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run the stress suite with node --expose-gc');
  // Two passes: the first may only queue finalizers and weak-reference cleanup.
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Bytes as mebibytes with one decimal. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Runs `work`, prints `label: <ms> ms, <MiB> retained` (heap still in use after a full collection,
 * with the result alive) and returns the result with the figures.
 */
export async function measure<T>(
  label: string,
  work: () => Promise<T> | T,
): Promise<{ value: T; milliseconds: number; retainedBytes: number }> {
  const heapBefore = settledHeapBytes();
  const started = performance.now();
  const value = await work();
  const milliseconds = performance.now() - started;
  const retainedBytes = settledHeapBytes() - heapBefore;
  console.log(
    `      ${label}: ${milliseconds.toFixed(0)} ms, ${mebibytes(retainedBytes)} retained`,
  );
  return { value, milliseconds, retainedBytes };
}
