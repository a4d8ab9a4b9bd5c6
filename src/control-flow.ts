/**
 * The control-flow rules of a run: what happens to the dependents of a task that did not succeed
 * (its `when` rule decides: count it as settled, or skip the dependent), skip propagation, the
 * arguments of `noneFailed` and `allSettled` tasks, and what a stop does to a workflow with
 * `allSettled` tasks (everything else that has not started is cancelled; those still run).
 *
 * None of this is on the path of a task that succeeds: the run loop counts its dependents down
 * itself.
 */
import { quotedName } from './describe.js';
import { TaskState } from './result.js';
import type { Run } from './scheduler.js';
import { WhenRule } from './task-options.js';
import type { Settled } from './types.js';

const { Pending, Succeeded, Failed, Skipped, Cancelled } = TaskState;

type Unsuccessful = typeof Failed | typeof Skipped | typeof Cancelled;

/**
 * Task `task` of `run` ended without success (`outcome`: failed, skipped or cancelled). Each
 * pending dependent either counts it as settled (its `when` rule allows that outcome) or is
 * skipped itself, which is then passed on to its own dependents — iteratively, so a chain of
 * 100,000 skips never grows the stack. Skipped tasks are passed on first in, first out: in the
 * order their skips were reported, so a task that two of them reach names the one reported first.
 * The tasks this makes ready join the ready queue in declaration order, as tasks that a success
 * releases together do.
 */
export function settleDependents(run: Run<any, any>, task: number, outcome: Unsuccessful): void {
  queueInDeclarationOrder(run, releaseDependents(run, task, outcome, undefined));
}

/**
 * Task `task` succeeded after the run stopped (it was in flight at the stop: a body that finished
 * anyway, an `allSettled` task, or a fallback that recovered it from the stop): the `allSettled`
 * tasks waiting for it — the only ones a stop leaves pending — count it as settled, and join the
 * stop's other releases if it succeeded while the stop was being handled.
 */
export function settleDependentsAfterStop(run: Run<any, any>, task: number): void {
  queueInDeclarationOrder(run, releaseDependents(run, task, Succeeded, undefined));
}

/**
 * Queues `tasks` (made ready by one event), lowest index — first declared — first; or, while the
 * run collects the releases of one larger event (a stop: {@link Run.collectReleases}), adds them
 * to that batch, queued together when it ends.
 */
export function queueInDeclarationOrder(run: Run<any, any>, tasks: number[] | undefined): void {
  if (tasks === undefined || run.collectReleases(tasks)) return;
  if (tasks.length > 1) tasks.sort((a, b) => a - b);
  // A stop inside the event may have cancelled some of them: they must not queue, where under a
  // limit they would count as ready tasks outnumbering the free slots (see cancelPendingTasks).
  const { ready, states } = run;
  const stopped = run.stopReason !== 0;
  for (const task of tasks) if (!stopped || states[task] === Pending) ready.push(task);
}

/**
 * {@link settleDependents} without the queueing: adds the tasks it makes ready to `becameReady`
 * (made if `undefined`) and returns it.
 */
function releaseDependents(
  run: Run<any, any>,
  task: number,
  // A success only after a stop (see settleDependentsAfterStop), when nothing is skipped any more.
  outcome: Unsuccessful | typeof Succeeded,
  becameReady: number[] | undefined,
): number[] | undefined {
  const { plan, states, waitingFor } = run;
  let stopped = run.stopReason !== 0;
  // After a stop only `allSettled` tasks may still start; without any, nothing is left to settle.
  if (stopped && !plan.hasAllSettled) return becameReady;
  const { start, list } = plan.dependents;
  const rules = plan.whenRules;
  let settled = task;
  let settledOutcome: number = outcome;
  const toSkip: number[] = [];
  let nextToSkip = 0;
  for (;;) {
    for (let edge = start[settled]; edge < start[settled + 1]; edge++) {
      const dependent = list[edge];
      if (states[dependent] !== Pending || !run.isIncluded(dependent)) continue;
      const rule = rules === undefined ? WhenRule.AllSucceeded : rules[dependent];
      if (
        rule === WhenRule.AllSettled ||
        (rule === WhenRule.NoneFailed && settledOutcome !== Failed)
      ) {
        if (--waitingFor[dependent] === 0) (becameReady ??= []).push(dependent);
      } else if (!stopped) {
        // Its rule can no longer be met. (After a stop, such a task is cancelled instead.)
        skipTask(run, dependent, skipReason(run, settled, settledOutcome), run.clock, false);
        toSkip.push(dependent);
        // A throwing onTaskSkip hook may have stopped the run (so may one that aborts its
        // signal): from here on, what has not started is cancelled, not skipped. It cannot have
        // ended the run: skips propagate inside a release batch, which holds the pump. Checked all
        // the same: an ended run's `waitingFor` is back with the plan, maybe lent to another run.
        if (run.settled) return undefined;
        stopped = run.stopReason !== 0;
        if (stopped && !plan.hasAllSettled) return becameReady;
      }
    }
    if (nextToSkip === toSkip.length) return becameReady;
    settled = toSkip[nextToSkip++];
    settledOutcome = Skipped;
  }
}

/**
 * Marks `task` skipped with `reason` at `time` and emits the event. `started`: it began and then
 * called `skip()` (its start is already recorded); otherwise it never started.
 */
export function skipTask(
  run: Run<any, any>,
  task: number,
  reason: string,
  time: number,
  started: boolean,
): void {
  run.states[task] = Skipped;
  run.values[task] = reason;
  run.times[2 * task + 1] = time;
  run.unfinished--;
  if (!started) {
    run.times[2 * task] = time;
    run.reportOrder[run.reportCount++] = task;
  }
  if (run.events !== undefined) {
    try {
      run.events.taskSkip(task, reason, time);
    } catch (hookError) {
      run.hookFailed(task, hookError, 'onTaskSkip', false);
    }
  }
}

/** Why a dependent of `dependency` is skipped: it names that direct dependency. */
function skipReason(run: Run<any, any>, dependency: number, outcome: number): string {
  const name = quotedName(run.plan.names[dependency]);
  return outcome === Failed ? `dependency ${name} failed` : `dependency ${name} was skipped`;
}

/**
 * The run stopped: every task that has not started, and is not an `allSettled` task, is cancelled
 * (it never runs, is not in the trace and calls no hook). The `allSettled` tasks among their
 * dependents count them as settled, as skipped.
 */
export function cancelPendingTasks(run: Run<any, any>): void {
  const { states } = run;
  const cancelled: number[] = [];
  for (let task = 0; task < states.length; task++) {
    if (states[task] !== Pending || !run.isIncluded(task) || run.isAllSettled(task)) continue;
    states[task] = Cancelled;
    run.unfinished--;
    cancelled.push(task);
  }
  // Tasks cancelled while queued never start: dropped, they do not count as ready tasks that
  // outnumber the free slots of a limit (which would order the `allSettled` ones by rank).
  if (cancelled.length > 0) run.ready.retain((task) => states[task] === Pending);
  // One event releases them all: they queue together, in declaration order.
  let becameReady: number[] | undefined;
  for (const task of cancelled) {
    becameReady = releaseDependents(run, task, Cancelled, becameReady);
  }
  queueInDeclarationOrder(run, becameReady);
}

/**
 * The argument a `noneFailed` or `allSettled` task gets for its dependency `dependency`: the
 * value, or `undefined` if it was skipped (`noneFailed`); a {@link Settled} (`allSettled`).
 */
export function dependencyArgument(run: Run<any, any>, dependency: number, rule: number): unknown {
  const state = run.states[dependency];
  const value = run.values[dependency];
  if (rule === WhenRule.NoneFailed) return state === Succeeded ? value : undefined;
  let settled: Settled<unknown>;
  if (state === Succeeded) settled = { status: 'succeeded', value };
  else if (state === Failed) settled = { status: 'failed', error: value };
  else if (state === Skipped) settled = { status: 'skipped', reason: value as string };
  else {
    settled = {
      status: 'skipped',
      reason: `dependency ${quotedName(run.plan.names[dependency])} did not run: the run stopped before it started`,
    };
  }
  return Object.freeze(settled);
}
