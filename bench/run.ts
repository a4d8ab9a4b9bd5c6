/**
 * `npm run bench`: every benchmark in one process, against the built package, printed as Markdown
 * tables and saved as JSON under bench/results/. `--sizes=1000,10000` limits the DAG sizes of the
 * throughput, first-invoke and heap benchmarks; `--skip-makespan` skips the timer-based makespan
 * benchmark, `--skip-million` the first invoke of a 1,000,000-task class.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CONTENDER } from './contenders';
import { loadBaseline } from './baseline';
import { measureFeatures } from './features';
import { measureBuilderBuild, measureFirstInvoke } from './first-invoke';
import { measureHeapPerInvoke, measureSmallWorkflows } from './small-workflows';
import { measureMakespan, summarizeMakespan, type MakespanPlan } from './makespan';
import {
  builderBuildTable,
  featuresTable,
  firstUseTable,
  headToHeadTable,
  smallWorkflowsTable,
  judgeTargets,
  makespanTable,
  throughputTable,
  verdictTable,
  type BenchMeasurements,
  type RetainedHeapRow,
} from './report';
import { measureRetainedBytesPerTask } from './retained-heap';
import {
  measureHeadToHead,
  measureThroughput,
  throughputContenders,
  type ThroughputPlan,
} from './throughput';

const SEED = 20_240_601;

const THROUGHPUT: ThroughputPlan = {
  sizes: [1_000, 10_000, 100_000],
  rounds: 4,
  slotTimeMs: (size) => (size <= 1_000 ? 100 : size <= 10_000 ? 200 : 300),
  minIterations: 2,
  warmupTimeMs: 100,
  asyncAutoMaxSize: 1_000,
  seed: SEED,
};

const FIRST_INVOKE_CLASSES = 3;
const FEATURE_SIZE = 10_000;
const SMALL_WORKFLOW_ROUNDS = 4;

/** Contenders whose retained heap is measured, and how many outputs are held per size. */
const HEAP_CONTENDERS: readonly string[] = [
  CONTENDER.library,
  CONTENDER.promiseAll,
  CONTENDER.bareLoop,
];
const heldOutputs = (size: number) => Math.max(2, Math.ceil(200_000 / size));

const MAKESPAN: MakespanPlan = {
  seeds: [1, 2, 3],
  unlimitedTasks: 400,
  limitedTasks: 120,
  concurrencies: [2, 4, 8],
  minDurationMs: 2,
  maxDurationMs: 8,
  repetitions: 2,
};

async function main(): Promise<void> {
  const sizes = option('sizes')?.split(',').map(Number) ?? THROUGHPUT.sizes;
  const startedAt = performance.now();
  const log = (text: string) => console.log(text);
  log(
    `async-dag benchmarks — node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}`,
  );

  const baseline = loadBaseline();
  // First, in the cleanest state: measured alone in a fresh process the hand-wired seed graph ran
  // at 0.53–0.55 µs, and after the other sections, in earlier full runs, at 0.71–0.87 µs, while
  // async-dag moved less — what a process already holds slows allocation-heavy code more.
  log('\n## Small workflows invoked often\n');
  const smallWorkflows = await measureSmallWorkflows(SMALL_WORKFLOW_ROUNDS, baseline);
  const heapPerInvoke = await measureHeapPerInvoke(baseline);
  log(smallWorkflowsTable(smallWorkflows, heapPerInvoke));

  log('\n## Per-task cost (trivial async tasks, fan-in 3)\n');
  const throughput = await measureThroughput(
    { ...THROUGHPUT, sizes },
    (rows) => log(`${throughputTable(rows)}\n`),
    baseline,
  );

  const headToHead =
    baseline === undefined
      ? undefined
      : await measureHeadToHead({ ...THROUGHPUT, sizes }, baseline);
  if (headToHead !== undefined) {
    log('\n## A plain workflow against the library before Part II, the two alone\n');
    log(headToHeadTable(headToHead));
  }

  log('\n## What features cost when used (10,000 tasks)\n');
  const features = await measureFeatures(FEATURE_SIZE, { ...THROUGHPUT, rounds: 4 });
  log(featuresTable(features));

  const firstInvoke = await measureFirstInvoke(sizes, FIRST_INVOKE_CLASSES, SEED);
  if (!process.argv.includes('--skip-million')) {
    firstInvoke.push(...(await measureFirstInvoke([1_000_000], 1, SEED)));
  }
  const builderBuild = [...new Set([...sizes, 100_000])].map((size) =>
    measureBuilderBuild(size, 3, SEED),
  );
  const retainedHeap: RetainedHeapRow[] = [];
  for (const size of sizes) {
    const { contenders } = throughputContenders(size, THROUGHPUT);
    for (const contender of contenders.filter(({ name }) => HEAP_CONTENDERS.includes(name))) {
      const bytesPerTask = await measureRetainedBytesPerTask(contender, size, heldOutputs(size));
      retainedHeap.push({ size, contender: contender.name, bytesPerTask });
    }
  }

  const makespanRuns = process.argv.includes('--skip-makespan')
    ? []
    : await measureMakespan(MAKESPAN);
  const measurements: BenchMeasurements = {
    throughput,
    firstInvoke,
    retainedHeap,
    makespan: summarizeMakespan(makespanRuns),
    features,
    smallWorkflows,
    heapPerInvoke,
    builderBuild,
    headToHead,
  };

  log('\n## Per-task cost, all sizes\n');
  log(throughputTable(throughput));
  log('\n## First use and memory\n');
  log(firstUseTable(measurements));
  log('\n## Building a DAG with the builder (addNode calls + sealing)\n');
  log(builderBuildTable(builderBuild));
  if (makespanRuns.length > 0) {
    log('\n## Makespan (tasks sleep 2–8 ms; bound from measured durations)\n');
    log(makespanTable(measurements.makespan));
  }
  log('\n## Targets\n');
  const verdicts = judgeTargets(measurements);
  log(verdictTable(verdicts));

  const resultsDirectory = join(__dirname, 'results');
  mkdirSync(resultsDirectory, { recursive: true });
  const file = join(
    resultsDirectory,
    `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const environment = {
    node: process.version,
    v8: process.versions.v8,
    cpus: cpus().map((cpu) => cpu.model),
  };
  const plans = { throughput: { ...THROUGHPUT, sizes }, makespan: MAKESPAN, seed: SEED };
  writeFileSync(
    file,
    JSON.stringify({ environment, plans, ...measurements, makespanRuns, verdicts }, replacer, 2),
  );
  log(`\nwrote ${file} (${((performance.now() - startedAt) / 1000).toFixed(0)} s)`);
}

/** The value of `--name=value` on the command line. */
function option(name: string): string | undefined {
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** JSON has no Infinity: unlimited concurrency is written as null; functions are described. */
function replacer(_key: string, value: unknown): unknown {
  if (value === Infinity) return null;
  if (typeof value === 'function') return String(value);
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
