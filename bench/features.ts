/**
 * What each feature costs a run that uses it, and that a run which does not use it pays nothing:
 * on one 10,000-task DAG, a plain `invoke` next to the same run consumed through `stream`, with one
 * no-op interceptor, with hooks, and with a third of the tasks skipped — interleaved in the same
 * rounds, reported in ns per task and as a ratio to the plain run. One more row is not a run: a
 * `for await` loop over two ready-made events per task, what reading a stream costs at the least.
 */
import { libraryContender, type Contender } from './contenders';
import {
  combineDependencyValues,
  defineWorkflowClass,
  generateLayeredDag,
  trivialTask,
  type GeneratedWorkflow,
  type TaskBody,
} from './generate';
import { skip, Workflow } from './library';
import { median } from './stats';
import { measureInterleaved, type ThroughputPlan } from './throughput';

/** One feature's cost. */
export interface FeatureRow {
  readonly feature: string;
  readonly size: number;
  readonly medianNsPerTask: number;
  /** This row's ns/task divided by the plain `invoke`'s (1 = costs nothing extra). */
  readonly ratioToInvoke: number;
}

/** Feature names as they appear in tables and JSON. */
export const FEATURE = {
  invoke: 'invoke (plain)',
  stream: 'stream, every event read',
  interceptor: 'one no-op task interceptor',
  hooks: 'four no-op hooks',
  skipped: 'a third of the tasks skipped',
  forAwaitFloor: 'for await alone, over 2 ready-made events per task',
} as const;

/** The contenders of the features table, on a DAG of `size` tasks. */
export function featureContenders(size: number, seed: number): Contender[] {
  const dag = generateLayeredDag({ tasks: size, seed });
  const bodyOf = () => trivialTask;
  const plainClass = defineWorkflowClass(dag, bodyOf, `Features${size}`);
  const noop = () => undefined;
  const plain = libraryContender(plainClass, dag, undefined, FEATURE.invoke);
  const instance = new plainClass();
  const streamed: Contender = {
    name: FEATURE.stream,
    async run() {
      const stream = Workflow.stream(instance);
      for await (const event of stream) void event;
      return stream.result;
    },
    runForValues: () => plain.runForValues(),
  };
  // The last third of the tasks (by index, a topological order) skip: some call skip(), the
  // others are skipped because a dependency was.
  const firstSkipped = Math.ceil((size * 2) / 3);
  const skippingBody =
    (task: number): TaskBody =>
    async (...values) => {
      if (task >= firstSkipped) skip('the last third');
      return combineDependencyValues(values);
    };
  const skippingClass = defineWorkflowClass(dag, skippingBody, `Skipping${size}`);
  // A stream emits a start and a success per task; here they exist before the loop, so the row
  // is only the loop: one `next()` promise, one iterator result and one await per event.
  const events = Array.from({ length: 2 * size }, (_, index) => ({
    type: index % 2 === 0 ? 'taskStart' : 'taskSuccess',
    task: dag.names[index >> 1],
    attempt: 1,
    time: index / 10,
  }));
  const forAwaitFloor: Contender = {
    name: FEATURE.forAwaitFloor,
    async run() {
      for await (const event of readyEvents(events)) void event;
    },
    runForValues: async () => [],
  };
  return [
    plain,
    streamed,
    libraryContender(
      plainClass,
      dag,
      { interceptors: [{ task: (_info, next) => next() }] },
      FEATURE.interceptor,
    ),
    libraryContender(
      plainClass,
      dag,
      { hooks: { onTaskStart: noop, onTaskSuccess: noop, onTaskFailure: noop, onTaskRetry: noop } },
      FEATURE.hooks,
    ),
    libraryContender(skippingClass as new () => GeneratedWorkflow, dag, undefined, FEATURE.skipped),
    forAwaitFloor,
  ];
}

/** The simplest async iterator over `events`: each `next()` an already-resolved promise. */
function readyEvents<T>(events: readonly T[]): AsyncIterableIterator<T> {
  let next = 0;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () =>
      Promise.resolve(
        next < events.length
          ? { value: events[next++], done: false }
          : { value: undefined, done: true as const },
      ),
  };
}

/** Measures every feature at `size` tasks, interleaved as the throughput benchmark does. */
export async function measureFeatures(
  size: number,
  plan: Pick<ThroughputPlan, 'rounds' | 'slotTimeMs' | 'minIterations' | 'warmupTimeMs' | 'seed'>,
): Promise<FeatureRow[]> {
  const contenders = featureContenders(size, plan.seed);
  for (const contender of contenders) await contender.run(); // first use: scan and cache
  const samples = await measureInterleaved(contenders, size, plan);
  const nsPerTask = (name: string) => (median(samples.get(name)!) * 1e6) / size;
  const plainNs = nsPerTask(FEATURE.invoke);
  return contenders.map(({ name }) => ({
    feature: name,
    size,
    medianNsPerTask: nsPerTask(name),
    ratioToInvoke: nsPerTask(name) / plainNs,
  }));
}
