/**
 * Properties of the scheduler over random DAGs, failures, retries, concurrency limits and targets,
 * each checked from the event log the generated tasks and hooks write (see generated-workflow.ts).
 */
import { expect } from 'chai';
import { createHook, type AsyncHook } from 'node:async_hooks';
import fc from 'fast-check';
import '../support/fuzz';
import { Workflow, WorkflowExecutionError, type ExecutionResult } from '../../src';
import {
  buildWorkflow,
  remainingPathLengths,
  selectedTasks,
  workflowSpecArbitrary,
  type RunEvent,
  type RunOutcome,
  type WorkflowSpec,
} from './generated-workflow';
import { evaluateSequentially } from './reference-model';

/** Everything a check needs about one run. */
interface ObservedRun {
  readonly spec: WorkflowSpec;
  readonly events: readonly RunEvent[];
  readonly outcome: RunOutcome;
}

const unhandledRejections: unknown[] = [];
const onUnhandledRejection = (reason: unknown): void => {
  unhandledRejections.push(reason);
};

/** Runs the spec's workflow once and returns its log; fails on any unhandled rejection. */
async function observe(spec: WorkflowSpec): Promise<ObservedRun> {
  const workflow = buildWorkflow(spec);
  let outcome: RunOutcome;
  try {
    const result = await Workflow.invoke(workflow.instance, spec.param, workflow.options);
    workflow.record({ type: 'runSettled', task: '', attempt: 0 });
    outcome = { settled: 'resolved', result };
  } catch (error) {
    workflow.record({ type: 'runSettled', task: '', attempt: 0 });
    outcome = { settled: 'rejected', error };
  }
  // Node reports unhandled rejections once the microtask queue is empty: let it.
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandledRejections, 'unhandled rejections').to.deep.equal([]);
  return { spec, events: workflow.events, outcome };
}

function eventsOf(run: ObservedRun, type: RunEvent['type']): RunEvent[] {
  return run.events.filter((event) => event.type === type);
}

/** The first event of `type` for each task (attempt 1 for starts). */
function firstByTask(run: ObservedRun, type: RunEvent['type']): Map<string, RunEvent> {
  const first = new Map<string, RunEvent>();
  for (const event of eventsOf(run, type)) if (!first.has(event.task)) first.set(event.task, event);
  return first;
}

function firstFailureSeq(run: ObservedRun): number {
  return eventsOf(run, 'hookFailure')[0]?.seq ?? Number.POSITIVE_INFINITY;
}

// --- The invariants ---------------------------------------------------------------------------

function checkStartsOnlyAfterDependenciesSucceeded(run: ObservedRun): void {
  const successes = new Map<string, number>();
  for (const event of eventsOf(run, 'settle')) {
    if (event.succeeded) successes.set(event.task, event.seq);
  }
  for (const start of eventsOf(run, 'start')) {
    const task = run.spec.tasks.find((candidate) => candidate.name === start.task)!;
    for (const dependency of task.dependsOn) {
      const succeededAt = successes.get(dependency);
      expect(
        succeededAt !== undefined && succeededAt < start.seq,
        `${start.task} (attempt ${start.attempt}) started before ${dependency} succeeded`,
      ).to.equal(true);
    }
  }
}

function checkHooksAnnounceEveryStart(run: ObservedRun): void {
  for (const start of eventsOf(run, 'start')) {
    const announced = run.events.find(
      (event) =>
        event.type === 'hookStart' && event.task === start.task && event.attempt === start.attempt,
    );
    expect(announced, `onTaskStart for ${start.task} attempt ${start.attempt}`).to.not.equal(
      undefined,
    );
    expect(announced!.seq).to.be.below(start.seq);
    expect(announced!.job, `onTaskStart and ${start.task} in one job`).to.equal(start.job);
  }
}

function checkAttemptsWithinRetries(run: ObservedRun): void {
  const attempts = new Map<string, number[]>();
  for (const start of eventsOf(run, 'start')) {
    attempts.set(start.task, [...(attempts.get(start.task) ?? []), start.attempt]);
  }
  for (const [name, numbers] of attempts) {
    const task = run.spec.tasks.find((candidate) => candidate.name === name)!;
    expect(numbers.length, `attempts of ${name}`).to.be.at.most(1 + task.retries);
    expect(numbers, `attempt numbers of ${name}`).to.deep.equal(numbers.map((_, i) => i + 1));
  }
}

function checkConcurrencyLimit(run: ObservedRun): void {
  let inFlight = 0;
  for (const event of run.events) {
    if (event.type === 'start') inFlight += 1;
    if (event.type === 'settle') inFlight -= 1;
    expect(inFlight, `tasks in flight at event ${event.seq}`).to.be.at.most(run.spec.concurrency);
  }
}

function checkNothingStartsAfterFailFast(run: ObservedRun): void {
  if (!run.spec.failFast) return;
  const failedAt = firstFailureSeq(run);
  const late = eventsOf(run, 'start').filter((start) => start.seq > failedAt);
  expect(
    late.map((start) => `${start.task}#${start.attempt}`),
    'attempts started after the first failure',
  ).to.deep.equal([]);
}

function checkSettlesAfterEveryAttempt(run: ObservedRun): void {
  const runSettled = eventsOf(run, 'runSettled')[0];
  const unsettled = eventsOf(run, 'start').filter(
    (start) =>
      !run.events.some(
        (event) =>
          event.type === 'settle' &&
          event.task === start.task &&
          event.attempt === start.attempt &&
          event.seq < runSettled.seq,
      ),
  );
  expect(
    unsettled.map((start) => `${start.task}#${start.attempt}`),
    'attempts still running when the run settled',
  ).to.deep.equal([]);
  expect(run.events.at(-1), 'the run settles last').to.equal(runSettled);
}

/** The value (or undefined) the last attempt of `task` threw, from the log. */
function lastThrown(run: ObservedRun, task: string): unknown {
  return run.events.filter((event) => event.type === 'settle' && event.task === task).at(-1)?.error;
}

/** Whether `task` had announced a retry that had not started when the run stopped at `stop`. */
function retryWasPendingAtStop(run: ObservedRun, task: string, stop: RunEvent): boolean {
  const lastRetry = run.events.filter((e) => e.type === 'hookRetry' && e.task === task).at(-1);
  if (lastRetry === undefined || lastRetry.seq > stop.seq) return false;
  return !run.events.some(
    (e) => e.type === 'start' && e.task === task && e.attempt === lastRetry.attempt + 1,
  );
}

/**
 * Whether `task` still had retries left when its last attempt failed, but the run had already
 * stopped (`stop`), so no retry was made: it fails with that attempt's error.
 */
function retrySuppressedByStop(run: ObservedRun, task: string, stop: RunEvent): boolean {
  const finalFailure = run.events.find((e) => e.type === 'hookFailure' && e.task === task);
  const retries = run.spec.tasks.find((candidate) => candidate.name === task)?.retries ?? 0;
  return (
    finalFailure !== undefined &&
    finalFailure.seq > stop.seq &&
    finalFailure.attempt !== undefined &&
    finalFailure.attempt <= retries
  );
}

function checkResultsMatchSequentialEvaluation(run: ObservedRun): void {
  const reference = evaluateSequentially(run.spec);
  const selected = selectedTasks(run.spec);
  const referenceFailures = [...reference].filter(([, outcome]) => outcome.status === 'failed');
  const started = new Set(eventsOf(run, 'start').map((start) => start.task));
  for (const name of started) expect(selected.has(name), `${name} is not selected`).to.equal(true);

  if (referenceFailures.length === 0) {
    expect(run.outcome.settled, 'a run without failures resolves').to.equal('resolved');
  } else {
    expect(run.outcome.settled, 'a run with a failure rejects').to.equal('rejected');
  }
  let result: ExecutionResult<any, any>;
  if (run.outcome.settled === 'rejected') {
    const error = run.outcome.error;
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    const failure = error as WorkflowExecutionError;
    const referenceFailed = new Set(referenceFailures.map(([name]) => name));
    const failedTasks = failure.failures.map((entry) => entry.task);
    expect(failure.task).to.equal(failedTasks[0]);
    expect(failure.cause).to.equal(lastThrown(run, failure.task));
    expect(referenceFailed.has(failure.task), `${failure.task} failed unexpectedly`).to.equal(true);
    for (const entry of failure.failures) {
      // failFast also ends a flaky task's wait for its retry, and no retry starts once the run
      // has stopped: such a task fails with its last error.
      const stop = eventsOf(run, 'hookFailure')[0];
      const retryCancelled =
        run.spec.failFast &&
        (retryWasPendingAtStop(run, entry.task, stop) ||
          retrySuppressedByStop(run, entry.task, stop));
      expect(
        referenceFailed.has(entry.task) || retryCancelled,
        `${entry.task} failed unexpectedly`,
      ).to.equal(true);
      expect(entry.error, `what ${entry.task} threw`).to.equal(lastThrown(run, entry.task));
    }
    if (!run.spec.failFast) {
      expect([...failedTasks].sort()).to.deep.equal([...referenceFailed].sort());
    }
    expect(failure.message).to.contain(failure.task);
    result = failure.result;
  } else {
    result = run.outcome.result;
  }

  // Without failFast (or without failures) the whole reference is reproduced; with failFast,
  // whatever did succeed agrees with it.
  const complete = referenceFailures.length === 0 || !run.spec.failFast;
  for (const task of run.spec.tasks) {
    const expected = reference.get(task.name);
    if (expected?.status === 'succeeded' && (complete || result.has(task.name))) {
      expect(result.has(task.name), `has(${task.name})`).to.equal(true);
      expect(result.get(task.name), `value of ${task.name}`).to.equal(expected.value);
    } else {
      expect(result.has(task.name), `has(${task.name})`).to.equal(false);
    }
  }
  for (const trace of result.trace) {
    const expected = reference.get(trace.task)!;
    const attempts = eventsOf(run, 'start').filter((start) => start.task === trace.task).length;
    expect(trace.attempts, `trace attempts of ${trace.task}`).to.equal(attempts);
    if (complete) {
      expect(trace.status, `trace status of ${trace.task}`).to.equal(expected.status);
    }
    if (trace.status === 'succeeded') expect(result.has(trace.task)).to.equal(true);
  }
  if (complete) {
    expect(result.trace.map((trace) => trace.task).sort()).to.deep.equal([...selected].sort());
  }
}

/**
 * Maximal parallelism, observed exactly: with unlimited concurrency a task starts in the very
 * job (same `executionAsyncId`, no `await` in between) in which the scheduler reported the
 * success of its last dependency; root tasks all start in one job; tasks released together start
 * in declaration order. A released task may only stay unstarted if `failFast` stopped the run in
 * that same job (a task released with it threw synchronously) or earlier.
 */
function checkStartsInTheTurnItsLastDependencyResolves(run: ObservedRun): void {
  if (run.spec.concurrency !== Number.POSITIVE_INFINITY) return;
  const successes = firstByTask(run, 'hookSuccess');
  const starts = firstByTask(run, 'start');
  const selected = selectedTasks(run.spec);
  const firstFailure = run.spec.failFast ? eventsOf(run, 'hookFailure')[0] : undefined;
  const rootsJob = starts.get(run.spec.tasks.find((task) => selected.has(task.name))!.name)!.job;
  const lastStartByRelease = new Map<number, number>();
  for (const task of run.spec.tasks) {
    if (!selected.has(task.name)) continue;
    const dependencySuccesses = task.dependsOn.map((name) => successes.get(name));
    if (dependencySuccesses.some((success) => success === undefined)) continue;
    const release = dependencySuccesses.reduce<RunEvent | undefined>(
      (latest, success) => (latest === undefined || success!.seq > latest.seq ? success : latest),
      undefined,
    );
    const releaseSeq = release?.seq ?? -1;
    const releaseJob = release?.job ?? rootsJob;
    const releasedBy = release === undefined ? 'the run start' : `success of ${release.task}`;
    const start = starts.get(task.name);
    if (start === undefined) {
      const stoppedByThen =
        firstFailure !== undefined &&
        (firstFailure.seq < releaseSeq || firstFailure.job === releaseJob);
      expect(
        stoppedByThen,
        `${task.name} was released by ${releasedBy} but never started`,
      ).to.equal(true);
      continue;
    }
    expect(start.seq, `${task.name} starts after ${releasedBy}`).to.be.above(releaseSeq);
    expect(start.job, `${task.name} starts in the job of ${releasedBy}`).to.equal(releaseJob);
    expect(
      start.seq,
      `${task.name} starts after the tasks released with it that are declared before it`,
    ).to.be.above(lastStartByRelease.get(releaseSeq) ?? -1);
    lastStartByRelease.set(releaseSeq, start.seq);
  }
}

/**
 * With a concurrency limit, once more tasks are ready than there are free slots, a first attempt
 * never overtakes a waiting ready task with a longer remaining path (or an equal one declared
 * earlier) — and this holds until no ready task is left waiting. (While every ready task fits,
 * they start in the order they became ready: checked exactly by run-invariants.spec and
 * virtual-clock.spec.) A task holds its slot from its first start to its last hook.
 */
function checkReadyTasksStartByRemainingPath(run: ObservedRun): void {
  if (run.spec.concurrency === Number.POSITIVE_INFINITY || run.spec.targets !== undefined) return;
  const priority = remainingPathLengths(run.spec);
  const declared = new Map(run.spec.tasks.map((task, index) => [task.name, index]));
  const successes = firstByTask(run, 'hookSuccess');
  const starts = firstByTask(run, 'start');
  const ends = new Map<string, number>();
  for (const event of run.events) {
    const terminal =
      event.type === 'hookSuccess' || event.type === 'hookFailure' || event.type === 'hookSkip';
    if (terminal && !ends.has(event.task)) ends.set(event.task, event.seq);
  }
  const goesBefore = (a: string, b: string): boolean =>
    priority.get(a)! > priority.get(b)! ||
    (priority.get(a) === priority.get(b) && declared.get(a)! < declared.get(b)!);
  let ranking = false;
  for (const start of starts.values()) {
    const waitingTasks = run.spec.tasks.filter((waiting) => {
      if (waiting.name === start.task) return false;
      const waitingStart = starts.get(waiting.name);
      if (waitingStart !== undefined && waitingStart.seq <= start.seq) return false;
      if ((ends.get(waiting.name) ?? Number.POSITIVE_INFINITY) < start.seq) return false;
      return waiting.dependsOn.every(
        (name) => (successes.get(name)?.seq ?? Number.POSITIVE_INFINITY) < start.seq,
      );
    });
    let held = 0;
    for (const [name, other] of starts) {
      if (other.seq < start.seq && (ends.get(name) ?? Number.POSITIVE_INFINITY) > start.seq) {
        held++;
      }
    }
    if (waitingTasks.length + 1 > run.spec.concurrency - held) {
      ranking = true;
      rankedStarts++;
    }
    if (ranking) {
      for (const waiting of waitingTasks) {
        expect(
          goesBefore(start.task, waiting.name),
          `${start.task} (path ${priority.get(start.task)}) started while ${waiting.name} ` +
            `(path ${priority.get(waiting.name)}) was waiting, with ${waitingTasks.length + 1} ` +
            `ready for ${run.spec.concurrency - held} free slots`,
        ).to.equal(true);
      }
    }
    if (waitingTasks.length === 0) ranking = false;
  }
}

/** Starts {@link checkReadyTasksStartByRemainingPath} found more tasks ready than free slots at. */
let rankedStarts = 0;

const allInvariants = [
  checkStartsOnlyAfterDependenciesSucceeded,
  checkHooksAnnounceEveryStart,
  checkAttemptsWithinRetries,
  checkConcurrencyLimit,
  checkNothingStartsAfterFailFast,
  checkSettlesAfterEveryAttempt,
  checkResultsMatchSequentialEvaluation,
  checkStartsInTheTurnItsLastDependencyResolves,
  checkReadyTasksStartByRemainingPath,
];

describe('Workflow.invoke on random workflows (property-based)', function () {
  // Generous: shrinking a counterexample of a few hundred tasks takes a while on a busy machine.
  this.timeout(180_000);
  let asyncHook: AsyncHook;

  before(function () {
    // Promise jobs get their own executionAsyncId only while an async hook is enabled.
    asyncHook = createHook({}).enable();
    process.on('unhandledRejection', onUnhandledRejection);
  });

  after(function () {
    asyncHook.disable();
    process.off('unhandledRejection', onUnhandledRejection);
  });

  beforeEach(function () {
    unhandledRejections.length = 0;
  });

  it('keeps every scheduling invariant under any DAG, failures, retries, limits and targets', async function () {
    const ranked = rankedStarts;
    await fc.assert(
      fc.asyncProperty(workflowSpecArbitrary(), async (spec) => {
        const run = await observe(spec);
        for (const check of allInvariants) check(run);
      }),
      { numRuns: 150, timeout: 5_000 },
    );
    // The limits generated do bind: more tasks ready than free slots, so the ranking decides.
    expect(rankedStarts - ranked, 'starts with more tasks ready than free slots').to.be.above(0);
  });

  it('runs every task of a failure-free DAG with maximal parallelism and the reference results', async function () {
    await fc.assert(
      fc.asyncProperty(
        workflowSpecArbitrary({ withOptions: false, withFailures: false }),
        async (spec) => {
          const run = await observe(spec);
          checkStartsInTheTurnItsLastDependencyResolves(run);
          checkResultsMatchSequentialEvaluation(run);
          expect(run.outcome.settled).to.equal('resolved');
        },
      ),
      { numRuns: 60, timeout: 5_000 },
    );
  });

  it('reports exactly the failing tasks and skips their dependents when failFast is off', async function () {
    await fc.assert(
      fc.asyncProperty(
        workflowSpecArbitrary({ withFailures: true, failFast: false }),
        async (spec) => {
          const run = await observe(spec);
          for (const check of allInvariants) check(run);
        },
      ),
      { numRuns: 80, timeout: 5_000 },
    );
  });
});
