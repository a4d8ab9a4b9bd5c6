/**
 * Memory a run's output keeps alive, per task: hold several outputs, force full garbage
 * collections before and after, divide the growth by the number of tasks held. Counts the JS heap
 * and typed-array backing stores (which live outside it).
 */
import type { Contender } from './contenders';
import { collectGarbage } from './gc';

/** Bytes of heap retained per task by the outputs of `runs` runs of `contender`. */
export async function measureRetainedBytesPerTask(
  contender: Contender,
  taskCount: number,
  runs: number,
): Promise<number> {
  // A first run, so lazily built per-class or per-DAG state does not count. Awaiting `undefined`
  // instead of the output: a suspended async frame may keep its last awaited value alive.
  await contender.run().then(() => undefined);
  collectGarbage();
  collectGarbage();
  const before = retainedMemory();
  const outputs = await runHolding(contender, runs);
  collectGarbage();
  collectGarbage();
  const after = retainedMemory();
  if (outputs.length !== runs) throw new Error('unreachable: outputs must stay alive until here');
  return (after - before) / (runs * taskCount);
}

async function runHolding(contender: Contender, runs: number): Promise<unknown[]> {
  const outputs: unknown[] = [];
  for (let run = 0; run < runs; run++) outputs.push(await contender.run());
  return outputs;
}

function retainedMemory(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
