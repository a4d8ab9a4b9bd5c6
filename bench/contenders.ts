/**
 * The implementations compared on the same DAG: this library and the ways a user could run the
 * DAG without it. Each one is built once per DAG (like the library's per-class graph cache) and
 * then runs it any number of times.
 */
import * as async from 'async';
import { PGraph } from 'p-graph';
import { buildDag, Workflow, type DagNode, type InvokeOptions } from './library';
import type { BenchLibrary } from './baseline';
import type { GeneratedWorkflow, LayeredDag, TaskBody } from './generate';

/** One way of running every task of a DAG. */
export interface Contender {
  readonly name: string;
  /** Runs the DAG once; resolves with what the implementation naturally produces. */
  run(): Promise<unknown>;
  /** Runs the DAG once and resolves with every task's value, indexed by task number. */
  runForValues(): Promise<number[]>;
}

/** Contender names as they appear in tables and JSON. */
export const CONTENDER = {
  library: 'async-dag',
  builder: 'async-dag builder',
  baseline: 'async-dag before Part II',
  promiseAll: 'Promise.all',
  bareLoop: 'bare loop',
  pGraph: 'p-graph',
  asyncAuto: 'async.auto',
} as const;

/** This library: `Workflow.invoke` on one instance of the generated class. */
export function libraryContender(
  workflowClass: new () => GeneratedWorkflow,
  dag: LayeredDag,
  options?: InvokeOptions<GeneratedWorkflow>,
  name: string = CONTENDER.library,
  workflow: Pick<BenchLibrary, 'Workflow'>['Workflow'] = Workflow,
): Contender {
  const instance = new workflowClass();
  const run = () => workflow.invoke(instance, undefined, options);
  return {
    name,
    run,
    runForValues: async () => {
      const result = await run();
      return dag.names.map((task) => result.get(task));
    },
  };
}

/**
 * This library's builder on the same DAG: one `addNode` per task, its dependency nodes as
 * arguments, then `tm.invoke()` — the same plan and scheduler as the class.
 */
export function builderContender(dag: LayeredDag, bodyOf: (task: number) => TaskBody): Contender {
  const tm = buildDag({ name: `Layered${dag.names.length}` });
  const nodes: DagNode<number>[] = [];
  dag.dependencies.forEach((dependencies, task) => {
    const inputs = dependencies.map((dependency) => nodes[dependency]);
    nodes.push(tm.addNode({ name: dag.names[task] }, bodyOf(task), ...inputs));
  });
  const run = () => tm.invoke();
  return {
    name: CONTENDER.builder,
    run,
    runForValues: async () => {
      const result = await run();
      return nodes.map((node) => node.extractResult(result));
    },
  };
}

/**
 * What a careful user writes by hand: each task runs once `Promise.all` of its dependencies'
 * promises resolves (`.then`, not an async wrapper that returns the body's promise: that costs an
 * extra promise resolution per task, ~10% of a small graph's time).
 */
export function promiseAllContender(
  dag: LayeredDag,
  bodyOf: (task: number) => TaskBody,
): Contender {
  const bodies = dag.names.map((_, task) => bodyOf(task));
  const run = (): Promise<number[]> => {
    const promises: Promise<number>[] = [];
    dag.dependencies.forEach((dependencies, task) => {
      const body = bodies[task];
      promises.push(
        dependencies.length === 0
          ? body()
          : Promise.all(dependencies.map((dependency) => promises[dependency])).then((values) =>
              body(...values),
            ),
      );
    });
    return Promise.all(promises);
  };
  return { name: CONTENDER.promiseAll, run, runForValues: run };
}

/**
 * The runtime's limit for a dependency-counting scheduler without any feature: an `Int32Array` of
 * remaining dependencies, dependents lists, one `.then` per task, no error handling beyond
 * rejecting, no results object, no trace.
 */
export function bareLoopContender(dag: LayeredDag, bodyOf: (task: number) => TaskBody): Contender {
  const taskCount = dag.names.length;
  const bodies = dag.names.map((_, task) => bodyOf(task));
  const dependencyCounts = Int32Array.from(dag.dependencies, (dependencies) => dependencies.length);
  const run = (): Promise<number[]> =>
    new Promise((resolve, reject) => {
      const remaining = dependencyCounts.slice();
      const values = new Array<number>(taskCount);
      let unfinished = taskCount;
      const start = (task: number): void => {
        const dependencies = dag.dependencies[task];
        const args = new Array<number>(dependencies.length);
        for (let position = 0; position < dependencies.length; position++) {
          args[position] = values[dependencies[position]];
        }
        bodies[task](...args).then((value) => {
          values[task] = value;
          for (const dependent of dag.dependents[task]) {
            if (--remaining[dependent] === 0) start(dependent);
          }
          if (--unfinished === 0) resolve(values);
        }, reject);
      };
      for (const root of dag.roots) start(root);
    });
  return { name: CONTENDER.bareLoop, run, runForValues: run };
}

/** What `pGraphContender` passes on to `PGraph`. */
export interface PGraphOptions {
  /** At most this many tasks in flight (p-graph's `concurrency`). */
  readonly concurrency?: number;
  /** Per task, p-graph's `priority`; it schedules the highest cumulative priority first. */
  readonly priorities?: ArrayLike<number>;
  readonly name?: string;
}

/** microsoft/p-graph v2: the graph is built once, `run` is called with a shared runner. */
export function pGraphContender(
  dag: LayeredDag,
  bodyOf: (task: number) => TaskBody,
  options: PGraphOptions = {},
): Contender {
  const bodies = dag.names.map((_, task) => bodyOf(task));
  const taskIndex = new Map(dag.names.map((name, task) => [name, task]));
  const nodes = new Map(
    dag.names.map((name, task) => [name, { priority: options.priorities?.[task] ?? 0 }]),
  );
  const edges: [string, string][] = [];
  dag.dependencies.forEach((dependencies, task) => {
    for (const dependency of dependencies) edges.push([dag.names[dependency], dag.names[task]]);
  });
  const graph = new PGraph(nodes, edges);
  const run = async (): Promise<number[]> => {
    const values = new Array<number>(dag.names.length);
    await graph.run({
      concurrency: options.concurrency,
      run: async (name) => {
        const task = taskIndex.get(name)!;
        const args = dag.dependencies[task].map((dependency) => values[dependency]);
        values[task] = await bodies[task](...args);
      },
    });
    return values;
  };
  return { name: options.name ?? CONTENDER.pGraph, run, runForValues: run };
}

/** caolan/async v3 `async.auto`, with async functions as tasks. */
export function asyncAutoContender(dag: LayeredDag, bodyOf: (task: number) => TaskBody): Contender {
  const tasks: async.AsyncAutoTasks<Record<string, number>, Error> = {};
  dag.names.forEach((name, task) => {
    const body = bodyOf(task);
    const dependencyNames = dag.dependencies[task].map((dependency) => dag.names[dependency]);
    tasks[name] =
      dependencyNames.length === 0
        ? async () => body()
        : [
            ...dependencyNames,
            async (results: Record<string, number>) =>
              body(...dependencyNames.map((dependency) => results[dependency])),
          ];
  });
  const run = () => async.auto(tasks);
  return {
    name: CONTENDER.asyncAuto,
    run,
    runForValues: async () => {
      const results = await run();
      return dag.names.map((name) => results[name]);
    },
  };
}

/**
 * Runs every contender once and throws unless each one computed `expected` for every task, so a
 * broken contender can never post a fast time.
 */
export async function verifyContenders(
  contenders: readonly Contender[],
  expected: readonly number[],
): Promise<void> {
  for (const contender of contenders) {
    const values = await contender.runForValues();
    const wrongTask = expected.findIndex((value, task) => values[task] !== value);
    if (values.length !== expected.length || wrongTask !== -1) {
      throw new Error(
        `${contender.name} computed ${values[wrongTask]} for task t${wrongTask}, expected ${expected[wrongTask]}`,
      );
    }
  }
}
