/**
 * The reference model of a generated workflow (generated-workflow.ts): what the rules of API.md
 * say each task's outcome must be, computed one task at a time in declaration order (a
 * topological order), with no scheduler, no promises and no clock.
 *
 * What is exact and what is read from the run:
 * - A run that never stops (failFast off or no failure, and no abort) is determined by its spec:
 *   every status, reason, value, attempt count and argument is computed from the spec alone, but
 *   for one thing: when two or more dependencies of a task fail or are skipped, its skip reason
 *   names the one the scheduler reported first, and the model asks the log which one that was.
 * - A run that stops (its first failure under failFast, or an abort mid-run) is not determined by
 *   its spec: which tasks had started, finished or were waiting for a retry at that moment depends
 *   on scheduling (microtask counts, the concurrency limit, a synchronous throw in the middle of a
 *   batch of starts). The model does not simulate the scheduler. It takes that one fact, where each
 *   task was when the run stopped, from the run's log ({@link observeSchedule}), and applies the
 *   rules exactly from there: a task that had settled keeps the outcome the never-stopping rules
 *   give it; one that was running ends with the attempt it was in; one waiting for a retry fails
 *   with its last error; one that had not started is cancelled, unless it is an `allSettled` task,
 *   which runs with its own retries once its dependencies settled. The properties check separately
 *   that the log's account of the stop obeys the rules (nothing but `allSettled` tasks starts after
 *   the stop; a task only starts once its rule is met), so a scheduler cannot pass by stopping at
 *   the wrong moment.
 *
 * Not modelled: hooks or interceptors that throw, timeouts, `retryIf`, `priority`, overrides,
 * streams (each has example-based specs), and which ready tasks a stop finds still waiting in the
 * queue (scheduling.spec checks maximal parallelism for plain failures).
 */
import type { Settled } from '../../src';
import {
  bindArguments,
  failureValue,
  fallbackValue,
  returnValue,
  selectedTasks,
  type RunEvent,
  type TaskSpec,
  type WorkflowSpec,
} from './generated-workflow';

/** The reason of a `skip()` called without one (API.md §8: "a default when none"). */
export const DEFAULT_SKIP_REASON = 'skipped by the task';

/** What the model says about one task of the run. */
export type ModelOutcome =
  | {
      readonly status: 'succeeded';
      readonly value: number;
      readonly attempts: number;
      /** Present when the fallback made the value: the error it recovered from. */
      readonly recovered?: { readonly from: unknown };
    }
  | { readonly status: 'failed'; readonly attempts: number; readonly error: unknown }
  | {
      readonly status: 'skipped';
      readonly reason: string;
      /** 0 when its `when` rule skipped it; the attempt that called `skip()` otherwise. */
      readonly attempts: number;
    }
  /** Never started because the run stopped first: not in the trace, no hook. */
  | { readonly status: 'cancelled' };

/** Where a task was at the moment the run stopped. */
export type PhaseAtStop =
  /** Its success, failure or skip had been reported (the failure that stopped the run included). */
  | { readonly phase: 'settled' }
  | { readonly phase: 'running'; readonly attempt: number }
  /** Attempt `attempt` had failed and the task was waiting to retry. */
  | { readonly phase: 'awaitingRetry'; readonly attempt: number }
  | { readonly phase: 'notStarted' };

/** How a run stopped starting tasks, if it did. */
export type RunStop =
  | { readonly cause: 'abortBeforeInvoke' }
  | {
      readonly cause: 'failure' | 'abort';
      /** The log position of the stop: the first `hookFailure`, or the `abort` event. */
      readonly seq: number;
      phaseOf(task: string): PhaseAtStop;
    };

/** The facts of one run the model cannot know from the spec (see the header). */
export interface ScheduleFacts {
  /** What attempt `attempt` of `task` threw or rejected with. */
  thrown(task: string, attempt: number): unknown;
  /** Of `tasks` (dependencies that failed or were skipped), the one reported first. */
  firstReported(tasks: readonly string[]): string;
  readonly stop: RunStop | undefined;
}

/** How the run's promise settles. */
export type RunSettlement = 'resolves' | 'WorkflowExecutionError' | 'WorkflowAbortedError';

/** The model's answer for one run. */
export interface ControlFlowReference {
  /** One entry per task the run covers (targets and their dependencies, or all). */
  readonly outcomes: ReadonlyMap<string, ModelOutcome>;
  /** The arguments of every task whose body is called (the same for each attempt). */
  readonly arguments: ReadonlyMap<string, readonly unknown[]>;
  readonly settlement: RunSettlement;
}

const CANCELLED: ModelOutcome = { status: 'cancelled' };
const SETTLED: PhaseAtStop = { phase: 'settled' };

/** The reason a dependency that never ran because of a stop has in an `allSettled` argument. */
export function stoppedReason(dependency: string): string {
  return `dependency "${dependency}" did not run: the run stopped before it started`;
}

/** Applies API.md §8 to every task the run covers, in declaration order. */
export function evaluateControlFlow(
  spec: WorkflowSpec,
  facts: ScheduleFacts,
): ControlFlowReference {
  const selected = selectedTasks(spec);
  const outcomes = new Map<string, ModelOutcome>();
  const argumentsByTask = new Map<string, readonly unknown[]>();
  const { stop } = facts;
  for (const task of spec.tasks) {
    if (!selected.has(task.name)) continue;
    if (stop?.cause === 'abortBeforeInvoke') {
      // An already-aborted signal starts nothing, allSettled tasks included.
      outcomes.set(task.name, CANCELLED);
      continue;
    }
    const when = task.when ?? 'allSucceeded';
    const phase = stop === undefined ? SETTLED : stop.phaseOf(task.name);
    const dependencies = new Map(task.dependsOn.map((name) => [name, outcomes.get(name)!]));
    let outcome: ModelOutcome;
    if (when === 'allSettled') {
      // The workflow's `finally`: never skipped by its rule, never cancelled, retries its own way.
      outcome = runs(task, spec, dependencies, task.retries + 1, facts, argumentsByTask);
    } else if (phase.phase === 'notStarted') {
      outcome = CANCELLED;
    } else if (phase.phase === 'settled') {
      outcome =
        ruleSkip(when, dependencies, facts) ??
        runs(task, spec, dependencies, task.retries + 1, facts, argumentsByTask);
    } else {
      // Started before the stop: the attempt it was in (or had just failed) is its last.
      outcome = runs(task, spec, dependencies, phase.attempt, facts, argumentsByTask);
    }
    outcomes.set(task.name, outcome);
  }
  return { outcomes, arguments: argumentsByTask, settlement: settlementOf(outcomes, stop) };
}

/**
 * The skip a task's `when` rule imposes, or `undefined` when the rule is met: `allSucceeded`
 * needs every dependency to succeed, `noneFailed` none to fail. Its reason names the blocking
 * dependency reported first.
 */
function ruleSkip(
  when: 'allSucceeded' | 'noneFailed',
  dependencies: ReadonlyMap<string, ModelOutcome>,
  facts: ScheduleFacts,
): ModelOutcome | undefined {
  const blocking = [...dependencies]
    .filter(([, outcome]) =>
      when === 'allSucceeded' ? outcome.status !== 'succeeded' : outcome.status === 'failed',
    )
    .map(([name]) => name);
  if (blocking.length === 0) return undefined;
  const blocker = facts.firstReported(blocking);
  const reason =
    dependencies.get(blocker)!.status === 'failed'
      ? `dependency "${blocker}" failed`
      : `dependency "${blocker}" was skipped`;
  return { status: 'skipped', reason, attempts: 0 };
}

/**
 * A task whose body is called: attempts 1, 2, … until one does not fail, or `lastAttempt` (its
 * retries are used up, or the run stopped during it) failed — then its fallback recovers it, or
 * it fails with that attempt's error. Records the arguments it is called with.
 */
function runs(
  task: TaskSpec,
  spec: WorkflowSpec,
  dependencies: ReadonlyMap<string, ModelOutcome>,
  lastAttempt: number,
  facts: ScheduleFacts,
  argumentsByTask: Map<string, readonly unknown[]>,
): ModelOutcome {
  const args = bindArguments(
    task,
    (name) => argumentFor(task.when ?? 'allSucceeded', name, dependencies.get(name)!),
    spec.param,
  );
  argumentsByTask.set(task.name, args);
  const firstNotFailing = task.failingAttempts + 1;
  if (firstNotFailing > lastAttempt) {
    const error = facts.thrown(task.name, lastAttempt);
    return task.fallback === true
      ? {
          status: 'succeeded',
          value: fallbackValue(task),
          attempts: lastAttempt,
          recovered: { from: error },
        }
      : { status: 'failed', attempts: lastAttempt, error };
  }
  if (task.skips !== undefined) {
    return {
      status: 'skipped',
      reason: task.skips.reason ?? DEFAULT_SKIP_REASON,
      attempts: firstNotFailing,
    };
  }
  return { status: 'succeeded', value: returnValue(task, args), attempts: firstNotFailing };
}

/**
 * The argument a task gets for one dependency under its `when` rule: the value (`allSucceeded`);
 * the value or `undefined` if it was skipped (`noneFailed`); a `Settled` (`allSettled`), where a
 * dependency cancelled by the stop counts as skipped.
 */
function argumentFor(when: string, dependency: string, outcome: ModelOutcome): unknown {
  if (when !== 'allSettled') return outcome.status === 'succeeded' ? outcome.value : undefined;
  switch (outcome.status) {
    case 'succeeded':
      return { status: 'succeeded', value: outcome.value } satisfies Settled<number>;
    case 'failed':
      return { status: 'failed', error: outcome.error } satisfies Settled<number>;
    case 'skipped':
      return { status: 'skipped', reason: outcome.reason } satisfies Settled<number>;
    case 'cancelled':
      return { status: 'skipped', reason: stoppedReason(dependency) } satisfies Settled<number>;
  }
}

/**
 * An abort makes the run reject with `WorkflowAbortedError` unless a failure had stopped it first;
 * otherwise any failure rejects it with `WorkflowExecutionError`; skips do not fail a run.
 */
function settlementOf(
  outcomes: ReadonlyMap<string, ModelOutcome>,
  stop: RunStop | undefined,
): RunSettlement {
  if (stop?.cause === 'abortBeforeInvoke' || stop?.cause === 'abort') return 'WorkflowAbortedError';
  const failed = [...outcomes.values()].some((outcome) => outcome.status === 'failed');
  return failed ? 'WorkflowExecutionError' : 'resolves';
}

/** A value that stands for "this attempt never ran", so a comparison with it fails visibly. */
function neverRan(task: string, attempt: number): { neverRan: string } {
  return { neverRan: `attempt ${attempt} of ${task}` };
}

/**
 * The facts of a run read from its log: what each attempt threw (as logged by the body), which
 * failure or skip the scheduler reported first (hook order), and the stop — the `abort` event, or
 * under failFast the first `hookFailure`, whichever came first — with where each task was then.
 */
export function observeSchedule(spec: WorkflowSpec, events: readonly RunEvent[]): ScheduleFacts {
  const thrown = (task: string, attempt: number): unknown => {
    const settle = events.find(
      (event) =>
        event.type === 'settle' &&
        event.task === task &&
        event.attempt === attempt &&
        event.succeeded === false &&
        event.reason === undefined,
    );
    return settle === undefined ? neverRan(task, attempt) : settle.error;
  };
  const reportedAt = (task: string): number =>
    events.find(
      (event) => (event.type === 'hookFailure' || event.type === 'hookSkip') && event.task === task,
    )?.seq ?? Number.POSITIVE_INFINITY;
  const firstReported = (tasks: readonly string[]): string =>
    tasks.reduce((first, task) => (reportedAt(task) < reportedAt(first) ? task : first));

  let stop: RunStop | undefined;
  if (spec.abort?.when === 'beforeInvoke') {
    stop = { cause: 'abortBeforeInvoke' };
  } else {
    const abort = events.find((event) => event.type === 'abort');
    const failure = spec.failFast
      ? events.find((event) => event.type === 'hookFailure')
      : undefined;
    const first = [abort, failure]
      .filter((event) => event !== undefined)
      .sort((a, b) => a.seq - b.seq)[0];
    if (first !== undefined) {
      stop = {
        cause: first.type === 'abort' ? 'abort' : 'failure',
        seq: first.seq,
        phaseOf: (task) => phaseAt(events, task, first.seq),
      };
    }
  }
  return { thrown, firstReported, stop };
}

/** Where `task` was at log position `stopSeq`, from the hooks and the bodies' own events. */
function phaseAt(events: readonly RunEvent[], task: string, stopSeq: number): PhaseAtStop {
  let lastStart: RunEvent | undefined;
  let retryAnnounced: RunEvent | undefined;
  for (const event of events) {
    if (event.seq > stopSeq) break;
    if (event.task !== task) continue;
    if (event.type === 'hookSuccess' || event.type === 'hookFailure' || event.type === 'hookSkip') {
      return SETTLED;
    }
    if (event.type === 'start') lastStart = event;
    if (event.type === 'hookRetry') retryAnnounced = event;
  }
  if (lastStart === undefined) return { phase: 'notStarted' };
  if (retryAnnounced?.attempt === lastStart.attempt) {
    return { phase: 'awaitingRetry', attempt: lastStart.attempt };
  }
  return { phase: 'running', attempt: lastStart.attempt };
}

/** What a sequential evaluation says about one task (the view scheduling.spec uses). */
export type ReferenceOutcome =
  | { status: 'succeeded'; value: number; attempts: number }
  | { status: 'failed'; attempts: number }
  | { status: 'skipped' };

/**
 * The model for a run that never stops, as if `failFast` were off: for plain specs a task whose
 * dependency did not succeed is skipped. (Skip reasons are not part of this view.)
 */
export function evaluateSequentially(spec: WorkflowSpec): Map<string, ReferenceOutcome> {
  const byName = new Map(spec.tasks.map((task) => [task.name, task]));
  const { outcomes } = evaluateControlFlow(spec, {
    thrown: (task, attempt) => failureValue(byName.get(task)!, attempt),
    firstReported: (tasks) => tasks[0],
    stop: undefined,
  });
  const view = new Map<string, ReferenceOutcome>();
  for (const [name, outcome] of outcomes) {
    if (outcome.status === 'succeeded') {
      view.set(name, { status: 'succeeded', value: outcome.value, attempts: outcome.attempts });
    } else if (outcome.status === 'failed') {
      view.set(name, { status: 'failed', attempts: outcome.attempts });
    } else {
      view.set(name, { status: 'skipped' });
    }
  }
  return view;
}
