/**
 * The one generator every benchmark and the smoke test share: random layered DAGs (pure data),
 * the trivial task body, the reference values and critical paths, and the decorated workflow
 * class for a DAG, built with `Reflect.decorate` exactly the way tsc emits decorators.
 */
import type { BenchLibrary } from './baseline';
import { DependsOn, Task } from './library';
import { createRandom } from './prng';

/** A task: receives its dependencies' values in `@DependsOn` order, resolves to its own value. */
export type TaskBody = (...dependencyValues: number[]) => Promise<number>;

/** A DAG whose task indexes are a topological order: dependencies always have smaller indexes. */
export interface LayeredDag {
  /** Task names (`t0`, `t1`, …), also the method names of the generated workflow class. */
  readonly names: readonly string[];
  /** Per task, the indexes of its dependencies in argument order. */
  readonly dependencies: readonly (readonly number[])[];
  /** Per task, the indexes of the tasks that depend on it, ascending. */
  readonly dependents: readonly (readonly number[])[];
  /** The tasks without dependencies, ascending. */
  readonly roots: readonly number[];
  /** How many layers the tasks were laid out in. */
  readonly layerCount: number;
}

/** What `generateLayeredDag` builds. */
export interface LayeredDagOptions {
  /** Number of tasks. */
  readonly tasks: number;
  /**
   * Dependencies of every task outside the first layer, drawn without repetition from the two
   * layers before it.
   * @default 3
   */
  readonly fanIn?: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default Math.ceil(Math.sqrt(tasks)) */
  readonly layerWidth?: number;
}

/**
 * Lays `tasks` tasks out in layers of `layerWidth`; each task after the first layer depends on
 * `fanIn` distinct tasks picked at random from the previous two layers.
 *
 * @example
 * ```ts
 * const dag = generateLayeredDag({ tasks: 1_000, seed: 7 });
 * dag.dependencies[999]; // e.g. [960, 941, 987]
 * ```
 */
export function generateLayeredDag(options: LayeredDagOptions): LayeredDag {
  const { tasks, fanIn = 3, seed = 1 } = options;
  const layerWidth = options.layerWidth ?? Math.max(1, Math.ceil(Math.sqrt(tasks)));
  const random = createRandom(seed);
  const names = Array.from({ length: tasks }, (_, index) => `t${index}`);
  const dependencies: number[][] = [];
  const dependents: number[][] = names.map(() => []);
  const roots: number[] = [];
  for (let index = 0; index < tasks; index++) {
    const layer = Math.floor(index / layerWidth);
    if (layer === 0) {
      dependencies.push([]);
      roots.push(index);
      continue;
    }
    const poolStart = Math.max(0, layer - 2) * layerWidth;
    const poolEnd = layer * layerWidth; // exclusive
    const chosen: number[] = [];
    while (chosen.length < Math.min(fanIn, poolEnd - poolStart)) {
      const candidate = random.integer(poolStart, poolEnd - 1);
      if (!chosen.includes(candidate)) chosen.push(candidate);
    }
    dependencies.push(chosen);
    for (const dependency of chosen) dependents[dependency].push(index);
  }
  return { names, dependencies, dependents, roots, layerCount: Math.ceil(tasks / layerWidth) };
}

/** Folds dependency values into one number; order-sensitive, so swapped arguments show. */
export function combineDependencyValues(dependencyValues: readonly number[]): number {
  let combined = 1;
  for (const value of dependencyValues) combined = (combined * 31 + value) % 1_000_003;
  return combined;
}

/** The task every throughput benchmark runs: no I/O, one resolved promise. */
export async function trivialTask(...dependencyValues: number[]): Promise<number> {
  return combineDependencyValues(dependencyValues);
}

/** What every task of `dag` must resolve to when each runs `combineDependencyValues`. */
export function expectedTaskValues(dag: LayeredDag): number[] {
  const values: number[] = [];
  dag.dependencies.forEach((dependencies) =>
    values.push(combineDependencyValues(dependencies.map((dependency) => values[dependency]))),
  );
  return values;
}

/** A random duration in whole milliseconds, `min` to `max` inclusive, per task. */
export function randomDurations(dag: LayeredDag, seed: number, min: number, max: number): number[] {
  const random = createRandom(seed);
  return dag.names.map(() => random.integer(min, max));
}

/** The longest dependency chain of `dag`, weighting each task by `durations[task]`. */
export function criticalPath(dag: LayeredDag, durations: ArrayLike<number>): number {
  const finish = new Float64Array(dag.names.length);
  let longest = 0;
  dag.dependencies.forEach((dependencies, index) => {
    let ready = 0;
    for (const dependency of dependencies) ready = Math.max(ready, finish[dependency]);
    finish[index] = ready + durations[index];
    longest = Math.max(longest, finish[index]);
  });
  return longest;
}

/** A generated workflow: one task method per DAG task, looked up by name. */
export type GeneratedWorkflow = Record<string, TaskBody>;

/**
 * Defines a new workflow class for `dag` (a fresh class is an unscanned one): one method per task,
 * decorated with `@Task()` and `@DependsOn(...)` plus the `design:*` metadata tsc emits, through
 * `Reflect.decorate` as tsc's `__decorate` helper does.
 *
 * @example
 * ```ts
 * const Layered = defineWorkflowClass(generateLayeredDag({ tasks: 1_000 }));
 * const result = await Workflow.invoke(new Layered());
 * ```
 */
export function defineWorkflowClass(
  dag: LayeredDag,
  bodyOf: (task: number) => TaskBody = () => trivialTask,
  className = `Layered${dag.names.length}`,
  decorators: Pick<BenchLibrary, 'Task' | 'DependsOn'> = { Task, DependsOn },
): new () => GeneratedWorkflow {
  const workflowClass = { [className]: class {} }[className];
  const prototype = workflowClass.prototype as object;
  dag.names.forEach((name, task) => {
    Object.defineProperty(prototype, name, {
      value: bodyOf(task),
      writable: true,
      enumerable: false,
      configurable: true,
    });
    const dependencyNames = dag.dependencies[task].map((dependency) => dag.names[dependency]);
    const methodDecorators = [decorators.Task()] as MethodDecorator[];
    if (dependencyNames.length > 0) {
      methodDecorators.push(decorators.DependsOn(...dependencyNames) as MethodDecorator);
    }
    methodDecorators.push(
      Reflect.metadata('design:type', Function),
      Reflect.metadata(
        'design:paramtypes',
        dependencyNames.map(() => Number),
      ),
      Reflect.metadata('design:returntype', Promise),
    );
    const decorated = Reflect.decorate(
      methodDecorators,
      prototype,
      name,
      Object.getOwnPropertyDescriptor(prototype, name),
    );
    if (decorated) Object.defineProperty(prototype, name, decorated);
  });
  return workflowClass as unknown as new () => GeneratedWorkflow;
}
