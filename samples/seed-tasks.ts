/**
 * The seed's two task functions, shared by the class sample (`seed-example.ts`) and the builder
 * sample (`seed-builder.ts`). Delays are in milliseconds (the seed's seconds × 1000).
 */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Prints "started", waits `delayMs`, prints "done", and returns `n + 1`. */
export async function incTask(n: number, name: string, delayMs: number): Promise<number> {
  console.log(`${name} task started...`);
  await sleep(delayMs);
  console.log(`${name} task done!`);
  return n + 1;
}

/** Prints "started", waits `delayMs`, prints "done", and returns `a + b`. */
export async function addTask(
  a: number,
  b: number,
  name: string,
  delayMs: number,
): Promise<number> {
  console.log(`${name} task started...`);
  await sleep(delayMs);
  console.log(`${name} task done!`);
  return a + b;
}
