/**
 * What each feature costs a run that uses it, and that a run which does not use it pays nothing:
 * on one 10,000-task DAG, a plain `invoke` next to the same run consumed through `stream`, with one
 * no-op interceptor, with hooks, and with a third of the tasks skipped — interleaved in the same
 * rounds, reported in ns per task and as a ratio to the plain run. Two more rows are not runs but
 * floors: a `for await` loop over two ready-made events per task, and the same loop making each
 * event as it reads it — what any stream that yields a fresh object per event costs at the least,
 * however it buffers.
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
  madeAsReadFloor: 'for await alone, making 2 events per task as read',
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
  // The same loop, making each event when it is read, from a task name and a time as a stream's
  // buffer holds them: the events a stream yields must be made at some point, so this row is the
  // least a stream can cost, however it buffers.
  const times = Float64Array.from({ length: 2 * size }, (_, index) => index / 10 + 0.125);
  const madeAsReadFloor: Contender = {
    name: FEATURE.madeAsReadFloor,
    async run() {
      for await (const event of eventsMadeAsRead(dag.names, times)) void event;
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
    madeAsReadFloor,
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

/**
 * An async iterator that makes a task's start and success events as they are read, shaped as a
 * stream's (`type`, `task`, `attempt`, then `value` for a success, `time`).
 */
function eventsMadeAsRead(
  names: readonly string[],
  times: Float64Array,
): AsyncIterableIterator<object> {
  let next = 0;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => {
      if (next === times.length) return Promise.resolve({ value: undefined, done: true as const });
      const index = next++;
      const task = names[index >> 1];
      const event =
        (index & 1) === 0
          ? { type: 'taskStart', task, attempt: 1, time: times[index] }
          : { type: 'taskSuccess', task, attempt: 1, value: index, time: times[index] };
      return Promise.resolve({ value: event, done: false });
    },
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
