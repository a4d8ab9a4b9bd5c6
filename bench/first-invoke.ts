/**
 * The cost of a class's first use: defining it (tsc-style decoration of every method) and its first
 * `Workflow.invoke`, which scans the prototype, validates and caches the graph, then runs it.
 * Every measured iteration gets a class that was never used before.
 */
import { Bench } from 'tinybench';
import { Workflow } from '../src';
import { defineWorkflowClass, generateLayeredDag, type GeneratedWorkflow } from './generate';
import { collectGarbage } from './gc';
import { median } from './stats';

/** First-use costs for one DAG size, medians over fresh classes. */
export interface FirstInvokeRow {
  readonly size: number;
  /** Defining the class: `Reflect.decorate` on every method (what loading the module costs). */
  readonly defineClassMs: number;
  /** The first `Workflow.invoke` of a fresh class: scan + validate + run. */
  readonly firstInvokeMs: number;
  /** How many fresh classes were measured. */
  readonly samples: number;
}

/** Measures first use at each size with `iterations` fresh classes per size. */
export async function measureFirstInvoke(
  sizes: readonly number[],
  iterations: number,
  seed: number,
): Promise<FirstInvokeRow[]> {
  const rows: FirstInvokeRow[] = [];
  for (const size of sizes) {
    const dag = generateLayeredDag({ tasks: size, seed });
    let classesDefined = 0;
    const defineFreshClass = (): new () => GeneratedWorkflow =>
      defineWorkflowClass(dag, undefined, `Fresh${size}_${++classesDefined}`);
    let freshClass = defineFreshClass();
    const bench = new Bench({
      time: 0,
      iterations,
      warmup: false,
      retainSamples: true,
      throws: true,
    });
    bench.add('define class', () => void defineFreshClass(), {
      async: false,
      beforeEach: collectGarbage,
    });
    bench.add('first invoke', () => Workflow.invoke(new freshClass()), {
      async: true,
      beforeEach: () => {
        freshClass = defineFreshClass();
        collectGarbage();
      },
    });
    await bench.run();
    const [define, firstInvoke] = bench.tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed' || !result.latency.samples) {
        throw new Error(`tinybench did not complete "${task.name}" at ${size} tasks`);
      }
      return result.latency.samples;
    });
    rows.push({
      size,
      defineClassMs: median(define),
      firstInvokeMs: median(firstInvoke),
      samples: firstInvoke.length,
    });
  }
  return rows;
}
