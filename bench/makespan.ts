/**
 * How close a run comes to the best possible schedule when tasks take real time. Tasks sleep a
 * random few milliseconds (setTimeout) and record when they really started and ended; the lower
 * bound of a run is computed from those measured durations, so timer overshoot is not blamed on the
 * scheduler: unlimited, the critical path; with `concurrency: k`, max(critical path, total work / k).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONTENDER,
  bareLoopContender,
  libraryContender,
  pGraphContender,
  promiseAllContender,
  type Contender,
} from './contenders';
import {
  combineDependencyValues,
  criticalPath,
  defineWorkflowClass,
  generateLayeredDag,
  randomDurations,
  type LayeredDag,
  type TaskBody,
} from './generate';
import { maximum, median } from './stats';

/** The DAGs and schedules to measure. */
export interface MakespanPlan {
  /** DAG seeds; each seed is one DAG with its own durations. */
  readonly seeds: readonly number[];
  /** Tasks per DAG with unlimited concurrency. */
  readonly unlimitedTasks: number;
  /** Tasks per DAG under `concurrency: k` (fewer: the runs are longer). */
  readonly limitedTasks: number;
  readonly concurrencies: readonly number[];
  readonly minDurationMs: number;
  readonly maxDurationMs: number;
  /** Runs of every contender per DAG and schedule, interleaved. */
  readonly repetitions: number;
}

/** One measured run. */
export interface MakespanRun {
  readonly seed: number;
  readonly tasks: number;
  readonly contender: string;
  /** `Infinity` when unlimited. */
  readonly concurrency: number;
  readonly wallMs: number;
  /** Critical path over the durations the tasks really took. */
  readonly criticalPathMs: number;
  /** Critical path over the nominal (requested) durations. */
  readonly nominalCriticalPathMs: number;
  /** Sum of the durations the tasks really took. */
  readonly totalWorkMs: number;
  /** max(critical path, total work / concurrency), both measured. */
  readonly lowerBoundMs: number;
  /** Most tasks in flight at once. */
  readonly maxInFlight: number;
}

/** Runs of one contender under one concurrency, summarized over all DAGs and repetitions. */
export interface MakespanRow {
  readonly contender: string;
  readonly concurrency: number;
  readonly runs: number;
  readonly medianWallMs: number;
  readonly medianLowerBoundMs: number;
  /** Median of wall / lower bound. */
  readonly medianRatio: number;
  /** Worst wall / lower bound. */
  readonly worstRatio: number;
  /** Worst wall − lower bound, in ms. */
  readonly worstExcessMs: number;
  /** Worst wall − (1.01 × lower bound + 2 ms): at most 0 means every run met the target. */
  readonly worstOverTargetMs: number;
}

/** Contender names used only by the makespan benchmark. */
export const PGRAPH_BY_PATH = 'p-graph priority=1';
export const PGRAPH_BY_DURATION = 'p-graph priority=duration';

/** When each task of the current run really started and ended, and how many ran at once. */
class RunRecorder {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  private inFlight = 0;
  maxInFlight = 0;

  constructor(taskCount: number) {
    this.starts = new Float64Array(taskCount);
    this.ends = new Float64Array(taskCount);
  }

  reset(): void {
    this.starts.fill(0);
    this.ends.fill(0);
    this.inFlight = 0;
    this.maxInFlight = 0;
  }

  /** A task body that sleeps `durationMs` and records its start, end and concurrency. */
  sleepingTask(task: number, durationMs: number): TaskBody {
    return async (...dependencyValues) => {
      this.starts[task] = performance.now();
      this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      await sleep(durationMs);
      this.inFlight -= 1;
      this.ends[task] = performance.now();
      return combineDependencyValues(dependencyValues);
    };
  }

  measuredDurations(): Float64Array {
    return this.ends.map((end, task) => end - this.starts[task]);
  }
}

/** One DAG with sleeping tasks, and the contenders to race on it. */
interface TimedDag {
  readonly seed: number;
  readonly dag: LayeredDag;
  readonly nominalCriticalPathMs: number;
  readonly recorder: RunRecorder;
  /** `Infinity` for unlimited. */
  readonly concurrency: number;
  readonly contenders: readonly Contender[];
}

function timedDag(seed: number, tasks: number, plan: MakespanPlan, concurrency: number): TimedDag {
  const dag = generateLayeredDag({ tasks, seed });
  const durations = randomDurations(dag, seed, plan.minDurationMs, plan.maxDurationMs);
  const recorder = new RunRecorder(tasks);
  const bodyOf = (task: number) => recorder.sleepingTask(task, durations[task]);
  const workflowClass = defineWorkflowClass(dag, bodyOf);
  const contenders: Contender[] =
    concurrency === Infinity
      ? [
          libraryContender(workflowClass, dag),
          promiseAllContender(dag, bodyOf),
          bareLoopContender(dag, bodyOf),
          pGraphContender(dag, bodyOf),
        ]
      : [
          libraryContender(workflowClass, dag, { concurrency }),
          pGraphContender(dag, bodyOf, {
            concurrency,
            priorities: durations.map(() => 1),
            name: PGRAPH_BY_PATH,
          }),
          pGraphContender(dag, bodyOf, {
            concurrency,
            priorities: durations,
            name: PGRAPH_BY_DURATION,
          }),
        ];
  return {
    seed,
    dag,
    nominalCriticalPathMs: criticalPath(dag, durations),
    recorder,
    concurrency,
    contenders,
  };
}

async function measureRun(timed: TimedDag, contender: Contender): Promise<MakespanRun> {
  timed.recorder.reset();
  const startedAt = performance.now();
  await contender.run();
  const wallMs = performance.now() - startedAt;
  const durations = timed.recorder.measuredDurations();
  const criticalPathMs = criticalPath(timed.dag, durations);
  const totalWorkMs = durations.reduce((sum, duration) => sum + duration, 0);
  return {
    seed: timed.seed,
    tasks: timed.dag.names.length,
    contender: contender.name,
    concurrency: timed.concurrency,
    wallMs,
    criticalPathMs,
    nominalCriticalPathMs: timed.nominalCriticalPathMs,
    totalWorkMs,
    lowerBoundMs: Math.max(criticalPathMs, totalWorkMs / timed.concurrency),
    maxInFlight: timed.recorder.maxInFlight,
  };
}

/** Measures every run of `plan`: per DAG and schedule, the contenders take turns. */
export async function measureMakespan(plan: MakespanPlan): Promise<MakespanRun[]> {
  const runs: MakespanRun[] = [];
  const schedules = [Infinity, ...plan.concurrencies];
  for (const concurrency of schedules) {
    const tasks = concurrency === Infinity ? plan.unlimitedTasks : plan.limitedTasks;
    for (const seed of plan.seeds) {
      const timed = timedDag(seed, tasks, plan, concurrency);
      for (const contender of timed.contenders) await contender.run(); // warm-up, unmeasured
      for (let repetition = 0; repetition < plan.repetitions; repetition++) {
        for (const contender of timed.contenders) runs.push(await measureRun(timed, contender));
      }
    }
  }
  return runs;
}

/** Groups runs by (concurrency, contender), in the order they were first measured. */
export function summarizeMakespan(runs: readonly MakespanRun[]): MakespanRow[] {
  const groups = new Map<string, MakespanRun[]>();
  for (const run of runs) {
    const key = `${run.concurrency} ${run.contender}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const ratios = group.map((run) => run.wallMs / run.lowerBoundMs);
    return {
      contender: group[0].contender,
      concurrency: group[0].concurrency,
      runs: group.length,
      medianWallMs: median(group.map((run) => run.wallMs)),
      medianLowerBoundMs: median(group.map((run) => run.lowerBoundMs)),
      medianRatio: median(ratios),
      worstRatio: maximum(ratios),
      worstExcessMs: maximum(group.map((run) => run.wallMs - run.lowerBoundMs)),
      worstOverTargetMs: maximum(group.map((run) => run.wallMs - (1.01 * run.lowerBoundMs + 2))),
    };
  });
}

/** Whether `row` is the library's unlimited-concurrency row (the makespan target applies to it). */
export function isLibraryUnlimited(row: MakespanRow): boolean {
  return row.contender === CONTENDER.library && row.concurrency === Infinity;
}
