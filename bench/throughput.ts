/**
 * Per-task cost of running a whole DAG of trivial tasks: every contender on the same DAG, measured
 * by tinybench in interleaved rounds (each round runs every contender once, in a rotated order),
 * samples pooled across rounds, median reported in nanoseconds per task.
 */
import { Bench } from 'tinybench';
import {
  CONTENDER,
  asyncAutoContender,
  bareLoopContender,
  builderContender,
  libraryContender,
  pGraphContender,
  promiseAllContender,
  verifyContenders,
  type Contender,
} from './contenders';
import {
  defineWorkflowClass,
  expectedTaskValues,
  generateLayeredDag,
  trivialTask,
  type LayeredDag,
} from './generate';
import type { BenchLibrary } from './baseline';
import { collectGarbage } from './gc';
import { median } from './stats';

/** How much measuring to do per DAG size. */
export interface ThroughputPlan {
  readonly sizes: readonly number[];
  /** Interleaved rounds; every contender gets one tinybench slot per round. */
  readonly rounds: number;
  /** tinybench `time` budget of one slot, in ms, for a DAG of `size` tasks. */
  readonly slotTimeMs: (size: number) => number;
  /** tinybench `iterations`: the minimum number of whole-DAG runs per slot. */
  readonly minIterations: number;
  /** The first round warms every contender up for this long (ms) before measuring. */
  readonly warmupTimeMs: number;
  /** `async.auto` only runs DAGs up to this size. */
  readonly asyncAutoMaxSize: number;
  readonly seed: number;
}

/** One contender on one DAG size. */
export interface ThroughputRow {
  readonly size: number;
  readonly contender: string;
  /** Median of all whole-DAG samples, divided by the task count. */
  readonly medianNsPerTask: number;
  /** How many whole-DAG runs were measured (all rounds together). */
  readonly samples: number;
  /** The library's median ns/task divided by this contender's (below 1: the library is faster). */
  readonly libraryRatio: number;
}

/** The DAG of `size` tasks and its contenders, in table order (the library first). */
export function throughputContenders(
  size: number,
  plan: Pick<ThroughputPlan, 'seed' | 'asyncAutoMaxSize'>,
  baseline?: BenchLibrary,
): { dag: LayeredDag; contenders: Contender[] } {
  const dag = generateLayeredDag({ tasks: size, seed: plan.seed });
  const bodyOf = () => trivialTask;
  const contenders = [
    libraryContender(defineWorkflowClass(dag, bodyOf), dag),
    builderContender(dag, bodyOf),
    ...(baseline === undefined ? [] : [baselineContender(dag, baseline, `Baseline${size}`)]),
    promiseAllContender(dag, bodyOf),
    bareLoopContender(dag, bodyOf),
    pGraphContender(dag, bodyOf),
  ];
  if (size <= plan.asyncAutoMaxSize) contenders.push(asyncAutoContender(dag, bodyOf));
  return { dag, contenders };
}

/** Measures every contender at every size of `plan`; `onSize` reports each size as it finishes. */
export async function measureThroughput(
  plan: ThroughputPlan,
  onSize: (rows: readonly ThroughputRow[]) => void = () => {},
  baseline?: BenchLibrary,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const size of plan.sizes) {
    const { dag, contenders } = throughputContenders(size, plan, baseline);
    // Also the library's first invoke of the class: measured runs only see the cached graph.
    await verifyContenders(contenders, expectedTaskValues(dag));
    const samples = await measureInterleaved(contenders, size, plan);
    const nsPerTask = (name: string) => (median(samples.get(name)!) * 1e6) / size;
    const libraryNsPerTask = nsPerTask(CONTENDER.library);
    const sizeRows = contenders.map((contender) => ({
      size,
      contender: contender.name,
      medianNsPerTask: nsPerTask(contender.name),
      samples: samples.get(contender.name)!.length,
      libraryRatio: libraryNsPerTask / nsPerTask(contender.name),
    }));
    rows.push(...sizeRows);
    onSize(sizeRows);
  }
  return rows;
}

/** The library before Part II on `dag`, with trivial tasks, in a class named `className`. */
function baselineContender(dag: LayeredDag, baseline: BenchLibrary, className: string): Contender {
  return libraryContender(
    defineWorkflowClass(dag, undefined, className, baseline),
    dag,
    undefined,
    CONTENDER.baseline,
    baseline.Workflow,
  );
}

/** Today's library against the library before Part II at one size, the two alone. */
export interface HeadToHeadRow {
  readonly size: number;
  /** Today's median divided by the one before Part II (below 1: today's library is faster). */
  readonly ratio: number;
  /** Whole-DAG runs measured per contender. */
  readonly samples: number;
}

/**
 * Today's library against the library before Part II with no other contender: one DAG per size,
 * shared by the two, interleaved rounds as in {@link measureThroughput}. Among that benchmark's six
 * contenders the 100,000-task ratio moved between 0.91× and 1.14× from one full run to the next,
 * while the two alone in one process read 1.00× and in separate processes 1.015×: this is the
 * comparison "a plain workflow costs what it cost before" is judged on.
 */
export async function measureHeadToHead(
  plan: ThroughputPlan,
  baseline: BenchLibrary,
): Promise<HeadToHeadRow[]> {
  const rows: HeadToHeadRow[] = [];
  for (const size of plan.sizes) {
    const dag = generateLayeredDag({ tasks: size, seed: plan.seed });
    const contenders = [
      libraryContender(defineWorkflowClass(dag, undefined, `HeadToHead${size}`), dag),
      baselineContender(dag, baseline, `HeadToHeadBaseline${size}`),
    ];
    await verifyContenders(contenders, expectedTaskValues(dag));
    const samples = await measureInterleaved(contenders, size, plan);
    const [now, before] = contenders.map((contender) => samples.get(contender.name)!);
    rows.push({ size, ratio: median(now) / median(before), samples: now.length });
  }
  return rows;
}

/**
 * Whole-DAG run times (ms) of each contender, by name: `plan.rounds` interleaved rounds, each
 * running every contender once in a rotated order, samples pooled across rounds. The first round
 * warms up (compiled code, caches): its samples count only when it is the only round.
 */
export async function measureInterleaved(
  contenders: readonly Contender[],
  size: number,
  plan: Pick<ThroughputPlan, 'rounds' | 'slotTimeMs' | 'minIterations' | 'warmupTimeMs'>,
): Promise<Map<string, number[]>> {
  const samples = new Map(contenders.map((contender) => [contender.name, [] as number[]]));
  for (let round = 0; round < plan.rounds; round++) {
    const bench = new Bench({
      time: plan.slotTimeMs(size),
      iterations: plan.minIterations,
      warmup: round === 0,
      warmupTime: plan.warmupTimeMs,
      warmupIterations: 2,
      retainSamples: true,
      throws: true,
    });
    const rotation = round % contenders.length;
    for (const contender of [...contenders.slice(rotation), ...contenders.slice(0, rotation)]) {
      bench.add(contender.name, () => contender.run(), {
        async: true,
        beforeAll: collectGarbage,
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed' || !result.latency.samples) {
        throw new Error(`tinybench did not complete ${task.name} at ${size} tasks`);
      }
      // Code that tiers up during the first round (the hand-wired seed graph needs ~100,000
      // invokes) would otherwise pull its median up.
      if (round > 0 || plan.rounds === 1) samples.get(task.name)!.push(...result.latency.samples);
    }
  }
  return samples;
}
