/**
 * Control flow (API.md §8) on random workflows: `when` rules, tasks that call `skip()`, failures,
 * retries, fallbacks, `failFast`, targets, concurrency limits and aborts (before `invoke`, or
 * inside the k-th task body call). Each run is compared with the reference model
 * (reference-model.ts, whose header says what it computes exactly and what it reads from the run's
 * log), and checked for invariants from the event log the generated tasks and hooks write
 * (generated-workflow.ts).
 *
 * The properties, as the issue lists them: (a) outcomes, skip reasons, values and arguments match
 * the model; (b) every allSettled task runs exactly once; (c) nothing runs after the run settled;
 * (d) no unhandled rejection — checked after every run of every property, and with (c) in one
 * `it`; (e) the trace: cancelled tasks absent, attempts, `recoveredFrom`.
 *
 * Each property can fail. Bugs injected into src by hand, one at a time (never committed), and
 * what the default 150–200 runs reported, with the shrunk counterexample:
 * - M1 allSettled tasks not started after a stop (pump loop checks only `stopReason`): all four
 *   fail; "the run never settled" (abort at call 1 of t0, t1 allSettled).
 * - M2 skip propagation stops after one level (`settleDependents` passes no skip on): all four
 *   fail; "the run never settled" (t0 fails, t1 <- t0, t2 <- t1).
 * - M3 `noneFailed` treats a skipped dependency as failed: (a) and (e) fail; `t1: expected
 *   succeeded with …, got skipped: "dependency "t0" was skipped"` (t0 skip(), t1 noneFailed <- t0).
 * - M4 cancelled tasks are skipped instead (trace entry, `onTaskSkip`): (a) and (e) fail; "t1 was
 *   skipped without calling skip(), with a reason that names no dependency: "the run stopped"".
 * - M5 `allSettled` tasks lose their retries after a stop: (a), (b), (e) fail; `t0: expected
 *   succeeded with …, got failed` (t0 allSettled fails once, retries 1; abort at call 1).
 * - M6 a stop leaves other tasks' waiting retries alone: (a) and (e) fail; "t0#2 started after
 *   the run stopped, and is not an allSettled task" (t0 fails once with retries 1, t1 fails).
 * - M7 a propagated skip names the task it started from, not the direct dependency: (a) fails;
 *   `t2: expected skipped: "dependency "t1" was skipped", got … "t0" …` (chain t0 → t1 → t2).
 * - M8 `noneFailed` gets the skip reason instead of `undefined`: (a) fails; `t1#1 got ("skipped
 *   by the task"), expected (undefined)`.
 * - M9 an already-aborted signal still starts `allSettled` tasks: (a), (b), (e) fail; "t0#1 ran,
 *   but the model never runs it" (aborted before invoke, t0 allSettled).
 * - M10 an abort settles the run at once, without waiting for running tasks: all four fail; (c)
 *   says "events after the run settled: hookSuccess t0#1" (abort at call 1 of t0).
 * - M11 an attempt clears its timer with `outcome.finally(…)`, whose rejection nobody handles:
 *   all four fail; "unhandled rejections: Error("t0 failed on attempt 1")".
 */
import { expect } from 'chai';
import fc from 'fast-check';
import '../support/fuzz';
import {
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type ExecutionResult,
  type TaskTrace,
} from '../../src';
import {
  ABORT_REASON,
  buildWorkflow,
  selectedTasks,
  workflowSpecArbitrary,
  type RunEvent,
  type RunOutcome,
  type TaskSpec,
  type WorkflowSpec,
} from './generated-workflow';
import {
  evaluateControlFlow,
  observeSchedule,
  type ControlFlowReference,
  type ModelOutcome,
  type ScheduleFacts,
} from './reference-model';

/** One run, what its log says about its schedule, and what the model makes of that. */
interface ObservedRun {
  readonly spec: WorkflowSpec;
  readonly events: readonly RunEvent[];
  readonly outcome: RunOutcome;
  readonly facts: ScheduleFacts;
  readonly reference: ControlFlowReference;
}

const unhandledRejections: unknown[] = [];
const onUnhandledRejection = (reason: unknown): void => {
  unhandledRejections.push(reason);
};

/** Timer turns without a new log event after which a run that has not settled counts as hung. */
const IDLE_TURNS_BEFORE_HANG = 25;

/** One turn of the timers phase: every 0 ms timer set before it (a retry's) has fired. */
function timerTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Resolves once `settled` does, or once the log has not grown for {@link IDLE_TURNS_BEFORE_HANG}
 * timer turns. Task durations are microtasks and retry delays 0 ms, so a healthy run never idles
 * that long: this turns a hang into a readable failure instead of a test timeout.
 */
async function settledOrIdle(settled: Promise<void>, events: readonly RunEvent[]): Promise<void> {
  let done = false;
  void settled.then(() => (done = true));
  let seen = events.length;
  let idleTurns = 0;
  while (!done && idleTurns < IDLE_TURNS_BEFORE_HANG) {
    await Promise.race([settled, timerTurn()]);
    if (events.length === seen) idleTurns += 1;
    else [seen, idleTurns] = [events.length, 0];
  }
}

/** One-line descriptions of the last `count` log events, for failure messages. */
function tail(events: readonly RunEvent[], count = 12): string {
  return events
    .slice(-count)
    .map((event) => `${event.type} ${event.task}#${event.attempt}`)
    .join(', ');
}

/**
 * Runs the spec's workflow once, waits a few more macrotask turns (anything still going on after
 * the run settled shows up in the log), checks that nothing was rejected unhandled (property d),
 * and asks the model about it.
 */
async function observe(spec: WorkflowSpec): Promise<ObservedRun> {
  unhandledRejections.length = 0;
  const workflow = buildWorkflow(spec);
  let outcome: RunOutcome | undefined;
  const settled = Workflow.invoke(workflow.instance, spec.param, workflow.options).then(
    (result) => {
      workflow.record({ type: 'runSettled', task: '', attempt: 0 });
      outcome = { settled: 'resolved', result };
    },
    (error: unknown) => {
      workflow.record({ type: 'runSettled', task: '', attempt: 0 });
      outcome = { settled: 'rejected', error };
    },
  );
  await settledOrIdle(settled, workflow.events);
  if (outcome === undefined) {
    expect.fail(`the run never settled; its last events: ${tail(workflow.events)}`);
  }
  await timerTurn();
  await new Promise((resolve) => setImmediate(resolve));
  expectNone(unhandledRejections.map(show), 'unhandled rejections');
  const facts = observeSchedule(spec, workflow.events);
  const reference = evaluateControlFlow(spec, facts);
  return { spec, events: workflow.events, outcome: outcome!, facts, reference };
}

// --- Reading a run --------------------------------------------------------------------------

function taskSpec(run: ObservedRun, name: string): TaskSpec {
  return run.spec.tasks.find((task) => task.name === name)!;
}

function isAllSettled(run: ObservedRun, name: string): boolean {
  return taskSpec(run, name).when === 'allSettled';
}

/** The run's result: resolved, or carried by its error. */
function resultOf(run: ObservedRun): ExecutionResult<any, any> {
  if (run.outcome.settled === 'resolved') return run.outcome.result;
  const { error } = run.outcome;
  if (error instanceof WorkflowExecutionError || error instanceof WorkflowAbortedError) {
    return error.result;
  }
  return expect.fail(`the run rejected with something that carries no result: ${String(error)}`);
}

/** Body calls (`start` events) of `task`, in order. */
function bodyCalls(run: ObservedRun, task: string): RunEvent[] {
  return run.events.filter((event) => event.type === 'start' && event.task === task);
}

/** The first scheduler report (success, failure or skip) of `task`, if any. */
function reportOf(run: ObservedRun, task: string): RunEvent | undefined {
  return run.events.find(
    (event) =>
      event.task === task &&
      (event.type === 'hookSuccess' || event.type === 'hookFailure' || event.type === 'hookSkip'),
  );
}

/** The log position of the stop, or +∞ for a run that never stopped. */
function stopSeq(run: ObservedRun): number {
  const { stop } = run.facts;
  if (stop === undefined) return Number.POSITIVE_INFINITY;
  return stop.cause === 'abortBeforeInvoke' ? -1 : stop.seq;
}

/** A value as failure messages show it. */
function show(value: unknown): string {
  if (value instanceof Error) return `Error(${JSON.stringify(value.message)})`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, inner]) => `${key}: ${show(inner)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The model's outcome, as mismatch messages show it. */
function showExpected(outcome: ModelOutcome): string {
  switch (outcome.status) {
    case 'succeeded':
      return `succeeded with ${outcome.value}${outcome.recovered ? ' (recovered)' : ''}`;
    case 'failed':
      return 'failed';
    case 'skipped':
      return `skipped: ${JSON.stringify(outcome.reason)}`;
    case 'cancelled':
      return 'cancelled (not in the trace)';
  }
}

/** The run's outcome for one task, in the same words as {@link showExpected}. */
function showObserved(result: ExecutionResult<any, any>, entry: TaskTrace | undefined): string {
  if (entry === undefined) return 'cancelled (not in the trace)';
  switch (entry.status) {
    case 'succeeded': {
      const recovered = 'recoveredFrom' in entry ? ' (recovered)' : '';
      return `succeeded with ${show(result.has(entry.task) ? result.get(entry.task) : 'no value')}${recovered}`;
    }
    case 'skipped':
      return `skipped: ${JSON.stringify(entry.reason)}`;
    default:
      return String(entry.status);
  }
}

/** Fails with every line of `problems`, if there are any, under `title`. */
function expectNone(problems: readonly string[], title: string): void {
  if (problems.length > 0) expect.fail(`${title}:\n  ${problems.join('\n  ')}`);
}

/** Two arguments are the same: identical values, or `Settled`s with the same fields. */
function sameArgument(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  const actualKeys = Object.keys(actual).sort();
  const expectedKeys = Object.keys(expected).sort();
  return (
    actualKeys.join() === expectedKeys.join() &&
    expectedKeys.every((key) =>
      Object.is(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
      ),
    )
  );
}

// --- (a) Outcomes and arguments match the reference model -----------------------------------

function checkOutcomesMatchReference(run: ObservedRun): void {
  const result = resultOf(run);
  const traceByTask = new Map(result.trace.map((entry) => [entry.task, entry]));
  const mismatches: string[] = [];
  for (const [name, expected] of run.reference.outcomes) {
    const wanted = showExpected(expected);
    const got = showObserved(result, traceByTask.get(name));
    if (got !== wanted) mismatches.push(`${name}: expected ${wanted}, got ${got}`);
  }
  for (const entry of result.trace) {
    if (!run.reference.outcomes.has(entry.task)) {
      mismatches.push(`${entry.task}: is not covered by the run, but is in the trace`);
    }
  }
  expectNone(mismatches, 'tasks whose outcome differs from the reference model');
}

function checkSettlementMatchesReference(run: ObservedRun): void {
  const expected = run.reference.settlement;
  if (expected === 'resolves') {
    const error = run.outcome.settled === 'rejected' ? run.outcome.error : undefined;
    expect(run.outcome.settled, `the run resolves (it rejected with ${show(error)})`).to.equal(
      'resolved',
    );
    return;
  }
  expect(run.outcome.settled, `the run rejects with ${expected}`).to.equal('rejected');
  const { error } = run.outcome as { error: unknown };
  if (expected === 'WorkflowAbortedError') {
    expect(error, 'the run rejects with').to.be.instanceOf(WorkflowAbortedError);
    expect((error as WorkflowAbortedError).cause, 'the abort reason').to.equal(ABORT_REASON);
    return;
  }
  expect(error, 'the run rejects with').to.be.instanceOf(WorkflowExecutionError);
  const failure = error as WorkflowExecutionError;
  const expectedFailures = [...run.reference.outcomes].filter(([, o]) => o.status === 'failed');
  expect(
    failure.failures.map((entry) => entry.task).sort(),
    'the failures of the run',
  ).to.deep.equal(expectedFailures.map(([name]) => name).sort());
  for (const entry of failure.failures) {
    const modelled = run.reference.outcomes.get(entry.task) as { error: unknown };
    expect(entry.error, `what ${entry.task} failed with`).to.equal(modelled.error);
  }
  const reportedOrder = run.events.filter((e) => e.type === 'hookFailure').map((e) => e.task);
  expect(
    failure.failures.map((entry) => entry.task),
    'failures in report order',
  ).to.deep.equal(reportedOrder);
  expect(failure.task, 'the first failure').to.equal(failure.failures[0].task);
}

function checkArgumentsMatchReference(run: ObservedRun): void {
  const mismatches: string[] = [];
  for (const call of run.events.filter((event) => event.type === 'start')) {
    const expected = run.reference.arguments.get(call.task);
    if (expected === undefined) {
      mismatches.push(`${call.task}#${call.attempt} ran, but the model never runs it`);
      continue;
    }
    const actual = call.args!;
    const same =
      actual.length === expected.length &&
      expected.every((argument, index) => sameArgument(actual[index], argument));
    if (!same) {
      mismatches.push(
        `${call.task}#${call.attempt} got (${actual.map(show).join(', ')}), ` +
          `expected (${expected.map(show).join(', ')})`,
      );
    }
  }
  expectNone(mismatches, 'task bodies called with other arguments than the model');
}

// --- The model's input: the log's account of the schedule obeys the rules ---------------------

/**
 * A task's first attempt starts only once every dependency settled the way its rule needs
 * (`allSucceeded`: succeeded; `noneFailed`: succeeded or skipped; `allSettled`: anything, a
 * dependency cancelled by the stop included). After the stop only `allSettled` tasks start;
 * before `invoke` with an aborted signal, nothing does.
 */
function checkStartsObeyTheRules(run: ObservedRun): void {
  const stop = stopSeq(run);
  for (const call of run.events.filter((event) => event.type === 'start')) {
    const task = taskSpec(run, call.task);
    const label = `${call.task}#${call.attempt}`;
    if (call.seq > stop && task.when !== 'allSettled') {
      expect.fail(`${label} started after the run stopped, and is not an allSettled task`);
    }
    if (call.attempt > 1) continue;
    for (const dependency of task.dependsOn) {
      const report = reportOf(run, dependency);
      if (report === undefined || report.seq > call.seq) {
        const cancelledByStop = task.when === 'allSettled' && stop < call.seq;
        expect(cancelledByStop, `${label} started before ${dependency} settled`).to.equal(true);
        continue;
      }
      const accepted =
        task.when === 'allSettled' ||
        report.type === 'hookSuccess' ||
        (task.when === 'noneFailed' && report.type === 'hookSkip');
      expect(
        accepted,
        `${label} started although ${dependency} ended with ${report.type}`,
      ).to.equal(true);
    }
  }
}

/** A task skipped by its rule is skipped after the dependency its reason names was reported. */
function checkRuleSkipsFollowTheirCause(run: ObservedRun): void {
  for (const skip of run.events.filter((event) => event.type === 'hookSkip')) {
    if (bodyCalls(run, skip.task).length > 0) continue; // it called skip() itself
    const named = /^dependency "(.*)" (failed|was skipped)$/.exec(skip.reason ?? '');
    if (named === null) {
      expect.fail(
        `${skip.task} was skipped without calling skip(), with a reason that names no ` +
          `dependency: ${JSON.stringify(skip.reason)}`,
      );
    }
    const cause = reportOf(run, named[1]);
    expect(
      cause !== undefined && cause.seq < skip.seq,
      `${skip.task} was skipped before ${named[1]}, which its reason names, was reported`,
    ).to.equal(true);
  }
}

function checkConcurrencyLimit(run: ObservedRun): void {
  let inFlight = 0;
  for (const event of run.events) {
    if (event.type === 'start') inFlight += 1;
    if (event.type === 'settle') inFlight -= 1;
    expect(inFlight, `bodies in flight at event ${event.seq}`).to.be.at.most(run.spec.concurrency);
  }
}

// --- (b) allSettled tasks run exactly once -----------------------------------------------------

function checkAllSettledTasksRunOnce(run: ObservedRun): void {
  const abortedBeforeInvoke = run.spec.abort?.when === 'beforeInvoke';
  for (const name of selectedTasks(run.spec)) {
    if (!isAllSettled(run, name)) continue;
    const calls = bodyCalls(run, name);
    const firstAttempts = calls.filter((call) => call.attempt === 1).length;
    if (abortedBeforeInvoke) {
      expect(calls.length, `${name} runs although the signal was aborted before invoke`).to.equal(
        0,
      );
      continue;
    }
    expect(firstAttempts, `times the allSettled task ${name} started`).to.equal(1);
    const expected = run.reference.outcomes.get(name) as { attempts: number };
    expect(calls.length, `attempts of the allSettled task ${name}`).to.equal(expected.attempts);
  }
  for (const call of run.events.filter((event) => event.type === 'start')) {
    const covered = selectedTasks(run.spec).has(call.task);
    expect(covered, `${call.task} ran but is not a target or a dependency of one`).to.equal(true);
  }
}

// --- (c) Nothing runs after the run settled ----------------------------------------------------

function checkNothingAfterSettlement(run: ObservedRun): void {
  const settledAt = run.events.findIndex((event) => event.type === 'runSettled');
  const late = run.events.slice(settledAt + 1);
  expect(
    late.map((event) => `${event.type} ${event.task}#${event.attempt}`),
    'events after the run settled',
  ).to.deep.equal([]);
}

// --- (e) The trace -----------------------------------------------------------------------------

/**
 * Cancelled tasks are not in the trace and called no hook; a task skipped by its rule made 0
 * attempts, one that called `skip()` the attempt it called it in; every started task's attempts
 * are its body calls; `recoveredFrom` is present exactly on tasks a fallback recovered, holding
 * the error it recovered from.
 */
function checkTrace(run: ObservedRun): void {
  const result = resultOf(run);
  const traceByTask = new Map(result.trace.map((entry) => [entry.task, entry]));
  expect(traceByTask.size, 'one trace entry per task').to.equal(result.trace.length);
  for (const [name, expected] of run.reference.outcomes) {
    const entry = traceByTask.get(name);
    const calls = bodyCalls(run, name).length;
    if (expected.status === 'cancelled') {
      expect(entry, `cancelled ${name} in the trace`).to.equal(undefined);
      const hooks = run.events.filter((e) => e.task === name && e.type.startsWith('hook'));
      expect(
        hooks.map((e) => e.type),
        `hooks called for cancelled ${name}`,
      ).to.deep.equal([]);
      continue;
    }
    expect(entry, `trace entry of ${name}`).to.not.equal(undefined);
    expect(entry!.attempts, `trace attempts of ${name}`).to.equal(expected.attempts);
    expect(entry!.attempts, `trace attempts of ${name} = its body calls`).to.equal(calls);
    if (entry!.status === 'skipped' && calls === 0) {
      expect(entry!.attempts, `attempts of ${name}, skipped by its rule`).to.equal(0);
    }
    const recovered = expected.status === 'succeeded' ? expected.recovered : undefined;
    expect('recoveredFrom' in entry!, `whether ${name} has recoveredFrom`).to.equal(
      recovered !== undefined,
    );
    if (recovered !== undefined) {
      expect(entry!.recoveredFrom, `what ${name} recovered from`).to.equal(recovered.from);
    }
  }
}

// --- The properties ----------------------------------------------------------------------------

/** Random control-flow workflows, kept small: the rules show on a handful of tasks. */
const controlFlowSpecs = workflowSpecArbitrary({ withControlFlow: true, maxTasks: 24 });

describe('control flow on random workflows (property-based)', function () {
  // Generous: shrinking a counterexample takes a while on a busy machine.
  this.timeout(120_000);

  before(function () {
    process.on('unhandledRejection', onUnhandledRejection);
  });

  after(function () {
    process.off('unhandledRejection', onUnhandledRejection);
  });

  it('gives every task the status, skip reason, value and arguments of the reference model', async function () {
    await fc.assert(
      fc.asyncProperty(controlFlowSpecs, async (spec) => {
        const run = await observe(spec);
        checkStartsObeyTheRules(run);
        checkRuleSkipsFollowTheirCause(run);
        checkConcurrencyLimit(run);
        checkArgumentsMatchReference(run);
        checkOutcomesMatchReference(run);
        checkSettlementMatchesReference(run);
      }),
      { numRuns: 200 },
    );
  });

  it('runs every allSettled task exactly once, after a stop too, and none after an abort before invoke', async function () {
    await fc.assert(
      fc.asyncProperty(controlFlowSpecs, async (spec) => {
        checkAllSettledTasksRunOnce(await observe(spec));
      }),
      { numRuns: 150 },
    );
  });

  it('starts nothing after the run settled, and leaves no unhandled rejection', async function () {
    await fc.assert(
      fc.asyncProperty(controlFlowSpecs, async (spec) => {
        // observe() fails on an unhandled rejection.
        checkNothingAfterSettlement(await observe(spec));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps cancelled tasks out of the trace, and reports attempts and recoveredFrom exactly', async function () {
    await fc.assert(
      fc.asyncProperty(controlFlowSpecs, async (spec) => {
        checkTrace(await observe(spec));
      }),
      { numRuns: 150 },
    );
  });
});
