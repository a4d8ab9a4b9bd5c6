/**
 * The production shape: small workflows invoked per request, thousands of times a second. The
 * seed's six-task graph invoked one after another and 1,000 at a time, and a 30-task, 4-level
 * workflow with fan-in 3 — each next to the same graph wired by hand the way a careful user would
 * (and next to the library before Part II) — plus the heap each invoke allocates.
 */
import { Session } from 'node:inspector';
import { PerformanceObserver } from 'node:perf_hooks';
import type { BenchLibrary } from './baseline';
import { libraryContender, promiseAllContender, type Contender } from './contenders';
import { collectGarbage } from './gc';
import { defineWorkflowClass, generateLayeredDag, trivialTask } from './generate';
import { DependsOn, Param, Task, Workflow } from './library';
import { median } from './stats';
import { measureInterleaved } from './throughput';

/** One contender of one small-workflow scenario. */
export interface SmallWorkflowRow {
  readonly scenario: string;
  readonly contender: string;
  /** Median microseconds per invoke (per whole-graph run). */
  readonly microsecondsPerInvoke: number;
  /** This row's time divided by the hand-wired version's (below 1: faster than by hand). */
  readonly ratioToHandWired: number;
}

/** Heap allocated by one invoke, measured two ways. */
export interface HeapPerInvokeRow {
  readonly contender: string;
  /** Growth of the used heap between garbage collections: the median of several batches. */
  readonly bytesPerInvoke: number;
  /**
   * Every allocation, garbage-collected or not, as V8's sampling heap profiler counts them, over
   * many invokes: a mean that no batch boundary or collection timing moves.
   */
  readonly sampledBytesPerInvoke: number;
}

/**
 * Bytes allocated by `count` sequential calls of `invoke`, divided by `count`: V8's sampling heap
 * profiler (a sample every 64 bytes on average, objects that were collected included), the sizes
 * of its samples summed.
 */
async function sampledBytes(
  invoke: (n: number) => Promise<unknown>,
  count: number,
): Promise<number> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params, (error, result) =>
        error ? reject(error) : resolve(result as T),
      ),
    );
  try {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 64,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let n = 0; n < count; n++) await invoke(n);
    const { profile } = await post<{ profile: { head: SamplingNode } }>(
      'HeapProfiler.stopSampling',
    );
    let total = 0;
    const pending = [profile.head];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      total += node.selfSize;
      pending.push(...node.children);
    }
    return total / count;
  } finally {
    session.disconnect();
  }
}

/** A node of the sampling heap profile: bytes sampled in one call stack, and its callees. */
interface SamplingNode {
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

/** Scenario and contender names as they appear in tables and JSON. */
export const SMALL = {
  seedSequential: 'seed graph (6 tasks), one invoke at a time',
  seedConcurrent: 'seed graph (6 tasks), 1,000 invokes in flight',
  seedStreamed: 'seed graph (6 tasks), streamed one at a time',
  layered30: '30 tasks, 4 levels, fan-in 3',
  library: 'async-dag',
  streamed: 'async-dag, every event read through stream',
  baseline: 'async-dag before Part II',
  handWired: 'hand-wired Promise.all',
  /** Followed by how many reads: " (5 per invoke)". */
  clockReads: "the trace's clock reads alone",
} as const;

const inc = async (n: number) => n + 1;
const add = async (a: number, b: number) => a + b;

/** The seed's DAG with trivial async tasks, decorated by `library` as tsc would. */
function seedClass(library: BenchLibrary) {
  const decorate = (name: string, dependencies: string[]) => {
    const prototype = Seed.prototype;
    const decorators = [library.Task()] as MethodDecorator[];
    if (dependencies.length > 0) {
      decorators.push(library.DependsOn(...dependencies) as MethodDecorator);
    } else {
      library.Param()(prototype, name, 0); // the roots take the invocation parameter
    }
    Reflect.decorate(decorators, prototype, name, Object.getOwnPropertyDescriptor(prototype, name));
  };
  class Seed {
    fastTaskA(n: number) {
      return inc(n);
    }
    slowTaskB(a: number) {
      return inc(a);
    }
    slowTaskA(n: number) {
      return inc(n);
    }
    fastTaskB(n: number) {
      return inc(n);
    }
    fastTaskC(a: number, b: number) {
      return add(a, b);
    }
    endTask(c: number, b: number) {
      return add(c, b);
    }
  }
  decorate('fastTaskA', []);
  decorate('slowTaskB', ['fastTaskA']);
  decorate('slowTaskA', []);
  decorate('fastTaskB', []);
  decorate('fastTaskC', ['slowTaskA', 'fastTaskB']);
  decorate('endTask', ['fastTaskC', 'slowTaskB']);
  return Seed;
}

/** The seed's flow written by hand for maximal parallelism, as its README shows. */
async function handWiredSeed(n: number): Promise<number> {
  const fastTaskA = inc(n);
  const slowTaskA = inc(n);
  const fastTaskB = inc(n);
  const slowTaskB = fastTaskA.then(inc);
  const fastTaskC = Promise.all([slowTaskA, fastTaskB]).then(([a, b]) => add(a, b));
  const [c, b] = await Promise.all([fastTaskC, slowTaskB]);
  return add(c, b);
}

const BATCH = 200;
const IN_FLIGHT = 1_000;

/**
 * How many times one invoke reads the trace's clock (`performance.now()`), counted over `BATCH`
 * sequential invokes: one when the run starts, then one per settled task or per turn of the
 * microtask queue whose reactions share a reading (src/clock.ts).
 */
async function clockReadsPerInvoke(invoke: (n: number) => Promise<unknown>): Promise<number> {
  const clock = globalThis.performance;
  const now = clock.now;
  let reads = 0;
  clock.now = function countedNow(this: typeof clock) {
    reads++;
    return now.call(this);
  };
  try {
    for (let n = 0; n < BATCH; n++) await invoke(n);
  } finally {
    clock.now = now;
  }
  return Math.round(reads / BATCH);
}

/** What the trace's clock costs a seed invoke: its `reads`, `BATCH` invokes' worth, with nothing else. */
function clockReads(reads: number): Contender {
  const clock = globalThis.performance;
  let sink = 0;
  const run = async () => {
    for (let read = 0; read < reads * BATCH; read++) sink += clock.now();
    return sink;
  };
  return { name: SMALL.clockReads, run, runForValues: async () => [] };
}

/** Runs `invoke` `BATCH` times, one after another. */
function sequential(name: string, invoke: (n: number) => Promise<unknown>): Contender {
  const run = async () => {
    for (let n = 0; n < BATCH; n++) await invoke(n);
  };
  return { name, run, runForValues: async () => [] };
}

/** Runs `invoke` `IN_FLIGHT` times at once. */
function concurrent(name: string, invoke: (n: number) => Promise<unknown>): Contender {
  const run = () => Promise.all(Array.from({ length: IN_FLIGHT }, (_, n) => invoke(n)));
  return { name, run, runForValues: async () => [] };
}

/** Measures the three scenarios; `baseline` adds the library before Part II to each. */
export async function measureSmallWorkflows(
  rounds: number,
  baseline: BenchLibrary | undefined,
  slotTimeMs = 150,
): Promise<SmallWorkflowRow[]> {
  const libraries: [string, BenchLibrary][] = [
    [SMALL.library, { Workflow, Task, DependsOn, Param }],
  ];
  if (baseline !== undefined) libraries.push([SMALL.baseline, baseline]);
  const plan = { rounds, slotTimeMs: () => slotTimeMs, minIterations: 5, warmupTimeMs: 100 };
  const rows: SmallWorkflowRow[] = [];

  const seedInvokers = libraries.map(([name, library]) => {
    const flow = new (seedClass(library))();
    return [name, (n: number) => library.Workflow.invoke(flow, n)] as const;
  });
  for (const [scenario, make, perRun] of [
    [SMALL.seedSequential, sequential, BATCH],
    [SMALL.seedConcurrent, concurrent, IN_FLIGHT],
  ] as const) {
    const contenders = [
      ...seedInvokers.map(([name, invoke]) => make(name, invoke)),
      make(SMALL.handWired, handWiredSeed),
    ];
    rows.push(...(await measureScenario(scenario, contenders, perRun, plan)));
  }
  // Measured on its own: taking turns with them, its tight synchronous loop slowed the others
  // (the hand-wired graph measured 0.80 µs instead of 0.60), so it is compared afterwards.
  const reads = await clockReadsPerInvoke(seedInvokers[0][1]);
  const clock = await measureInterleaved([clockReads(reads)], BATCH, plan);
  const clockMicroseconds = (median(clock.get(SMALL.clockReads)!) * 1e3) / BATCH;
  const handWiredSequential = rows.find(
    (row) => row.scenario === SMALL.seedSequential && row.contender === SMALL.handWired,
  )!;
  // Listed right after the scenario it belongs to.
  const afterSequential = rows.filter((row) => row.scenario === SMALL.seedSequential).length;
  rows.splice(afterSequential, 0, {
    scenario: SMALL.seedSequential,
    contender: `${SMALL.clockReads} (${reads} per invoke)`,
    microsecondsPerInvoke: clockMicroseconds,
    ratioToHandWired: clockMicroseconds / handWiredSequential.microsecondsPerInvoke,
  });

  const dag = generateLayeredDag({ tasks: 30, layerWidth: 8, fanIn: 3, seed: 30 });
  const layered = [
    ...libraries.map(([name, library]) =>
      libraryContender(
        defineWorkflowClass(
          dag,
          () => trivialTask,
          `Small30_${rows.length}_${name.length}`,
          library,
        ),
        dag,
        undefined,
        name,
        library.Workflow,
      ),
    ),
    { ...promiseAllContender(dag, () => trivialTask), name: SMALL.handWired },
  ];
  const batches = layered.map((contender) => sequential(contender.name, () => contender.run()));
  rows.push(...(await measureScenario(SMALL.layered30, batches, BATCH, plan)));
  // A small workflow streamed per request (say, to a browser): what `stream` adds to a run.
  const streamedFlow = new (seedClass({ Workflow, Task, DependsOn, Param }))();
  const streamSeed = async (n: number) => {
    const stream = Workflow.stream(streamedFlow, n);
    for await (const event of stream) void event;
    return stream.result;
  };
  // In a scenario of its own, and last: right after it in the rotation, async-dag's invokes
  // measured 4–14% slower than an identical copy of the library, and a scenario right after it
  // 5–7% (a stream leaves more to collect).
  rows.push(
    ...(await measureScenario(
      SMALL.seedStreamed,
      [
        sequential(SMALL.library, seedInvokers[0][1]),
        sequential(SMALL.streamed, streamSeed),
        sequential(SMALL.handWired, handWiredSeed),
      ],
      BATCH,
      plan,
    )),
  );
  return rows;
}

async function measureScenario(
  scenario: string,
  contenders: readonly Contender[],
  invokesPerRun: number,
  plan: Parameters<typeof measureInterleaved>[2],
): Promise<SmallWorkflowRow[]> {
  for (const contender of contenders) await contender.run(); // first use: scan and cache
  const samples = await measureInterleaved(contenders, invokesPerRun, plan);
  const microseconds = (name: string) => (median(samples.get(name)!) * 1e3) / invokesPerRun;
  const handWired = microseconds(SMALL.handWired);
  return contenders.map(({ name }) => ({
    scenario,
    contender: name,
    microsecondsPerInvoke: microseconds(name),
    ratioToHandWired: microseconds(name) / handWired,
  }));
}

/**
 * Bytes allocated per invoke of the seed graph: the growth of the used heap over `invokes`
 * sequential invokes, in batches small enough to fit the young generation, keeping only batches no
 * garbage collection interrupted; the median of `batches` such batches. Those batch values are
 * bimodal for async-dag (a third of them 300–400 B higher, with no GC and the code warm), so
 * beside them: the sampling heap profiler's count over `sampledInvokes` invokes, divided by them.
 */
export async function measureHeapPerInvoke(
  baseline: BenchLibrary | undefined,
  invokes = 500,
  batches = 15,
  sampledInvokes = 50_000,
): Promise<HeapPerInvokeRow[]> {
  const libraries: [string, BenchLibrary][] = [
    [SMALL.library, { Workflow, Task, DependsOn, Param }],
  ];
  if (baseline !== undefined) libraries.push([SMALL.baseline, baseline]);
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  const rows: HeapPerInvokeRow[] = [];
  try {
    const contenders: [string, (n: number) => Promise<unknown>][] = [
      ...libraries.map(([name, library]) => {
        const flow = new (seedClass(library))();
        return [name, (n: number) => library.Workflow.invoke(flow, n)] as [
          string,
          (n: number) => Promise<unknown>,
        ];
      }),
      [SMALL.handWired, handWiredSeed],
    ];
    for (const [name, invoke] of contenders) {
      // Warm up: compiled code and caches. With 2,000 invokes a third of the batches still caught
      // the JIT at work (300–800 B/invoke more than the rest).
      for (let n = 0; n < 20_000; n++) await invoke(n);
      const perInvoke: number[] = [];
      for (let attempt = 0; perInvoke.length < batches && attempt < batches * 10; attempt++) {
        collectGarbage();
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        const before = process.memoryUsage().heapUsed;
        const collectionsBefore = collections;
        for (let n = 0; n < invokes; n++) await invoke(n);
        const after = process.memoryUsage().heapUsed;
        // Let the observer report: a GC's entry arrives two event-loop turns after it.
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        if (collections === collectionsBefore && after > before) {
          perInvoke.push((after - before) / invokes);
        }
      }
      rows.push({
        contender: name,
        bytesPerInvoke: median(perInvoke),
        sampledBytesPerInvoke: await sampledBytes(invoke, sampledInvokes),
      });
    }
  } finally {
    observer.disconnect();
  }
  return rows;
}
