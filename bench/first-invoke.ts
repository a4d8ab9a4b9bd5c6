/**
 * The cost of a class's first use: defining it (tsc-style decoration of every method) and its first
 * `Workflow.invoke`, which scans the prototype, validates and caches the graph, then runs it.
 * Every measured iteration gets a class that was never used before.
 */
import { Bench } from 'tinybench';
import { buildDag, Workflow, type DagNode } from './library';
import {
  defineWorkflowClass,
  generateLayeredDag,
  trivialTask,
  type GeneratedWorkflow,
} from './generate';
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

/** Building a DAG of `size` nodes with the builder: every `addNode`, then sealing it. */
export interface BuilderBuildRow {
  readonly size: number;
  /** Median ms of the `addNode` calls plus `validate()` (which seals and compiles the plan). */
  readonly buildMs: number;
  readonly samples: number;
}

/** Times building the layered DAG of `size` tasks with the builder, `iterations` times. */
export function measureBuilderBuild(
  size: number,
  iterations: number,
  seed: number,
): BuilderBuildRow {
  const dag = generateLayeredDag({ tasks: size, seed });
  const times: number[] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    collectGarbage();
    const started = performance.now();
    const tm = buildDag({ name: `Built${size}` });
    const nodes: DagNode<number>[] = [];
    for (let task = 0; task < size; task++) {
      const inputs = dag.dependencies[task].map((dependency) => nodes[dependency]);
      nodes.push(tm.addNode({ name: dag.names[task] }, trivialTask, ...inputs));
    }
    tm.validate();
    times.push(performance.now() - started);
  }
  return { size, buildMs: median(times), samples: times.length };
}
