/**
 * Runs one invocation of a workflow. A task starts in the same turn its last dependency succeeds:
 * each task has a counter of dependencies it still waits for; a success decrements its dependents'
 * counters and queues those that reach zero; a pump starts queued tasks while the concurrency limit
 * allows. The pump is a loop, not recursion, so synchronous tasks never grow the stack.
 *
 * Features that are off cost nothing: no timers, signals or attempt records exist unless a task's
 * options, a `@Signal()` parameter or the caller's `signal` need them.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import { subscribeToAbort } from './abort-subscriptions';
import { describeInput, describeThrown } from './describe';
import {
  TaskTimeoutError,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type TaskFailure,
} from './errors';
import { resolveRunSettings, type RunSettings } from './options';
import { FifoQueue, RankedQueue, type ReadyQueue } from './ready-queue';
import { ExecutionResult, TaskState } from './result';
import { TakesInput, type WorkflowPlan } from './plan';
import { isTimerDelay, MAX_TIMER_DELAY, type AttemptPolicy } from './task-options';
import { CONTEXT_SLOT, FIRST_CONSTANT_SLOT, PARAM_SLOT } from './tokens';
import type { InvokeOptions, TaskContext } from './types';

/** Why the run stopped starting tasks. */
const StopReason = { None: 0, Failure: 1, Abort: 2 } as const;
type StopReason = (typeof StopReason)[keyof typeof StopReason];

// Module-level constants, so the hot path compares against immediates, not property loads.
const { Pending, Running, Succeeded, Failed, Skipped } = TaskState;
const NOT_STOPPED = StopReason.None;

/** One attempt of a task that has a timeout or retries (tasks without take the fast path). */
interface Attempt {
  readonly task: number;
  readonly number: number;
  readonly policy: AttemptPolicy;
  controller: AbortController | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  settled: boolean;
  /** Set when the timeout fired: the outcome is then our `TaskTimeoutError`. */
  timedOut: boolean;
}

/** A task waiting out its retry delay. */
interface PendingRetry {
  readonly task: number;
  readonly attempt: number;
  readonly error: unknown;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Starts a run of `plan` on `instance` (`undefined` for a builder) and returns its outcome: the
 * result, or a rejection — `WorkflowOptionsError` for invalid options before anything starts,
 * `WorkflowExecutionError` / `WorkflowAbortedError` once nothing is in flight.
 */
export function runWorkflow<W extends object, P>(
  instance: W | undefined,
  plan: WorkflowPlan,
  param: P,
  options: InvokeOptions<W> | undefined,
): Promise<ExecutionResult<W, P>> {
  return new Promise((resolve, reject) => {
    const settings = resolveRunSettings(plan, options);
    new Run(instance as W, plan, param, settings, resolve, reject).start();
  });
}

/** The state of one invocation; what it hands to its `ExecutionResult` is the output arrays. */
class Run<W extends object, P> {
  private readonly values: unknown[];
  private readonly states: Uint8Array;
  private readonly startTimes: Float64Array;
  private readonly endTimes: Float64Array;
  private readonly attempts: Uint32Array | undefined;
  private readonly reportOrder: Int32Array;
  private reportCount = 0;
  private readonly failures: TaskFailure[] = [];
  private readonly included: Uint8Array | undefined;
  private durationMs = 0;

  private readonly waitingFor: Int32Array;
  // Copied out of the settings: read on every task.
  private readonly concurrency: number;
  private readonly hooks: RunSettings['hooks'];
  private readonly overrides: RunSettings['overrides'];
  /** Where task methods are looked up after the instance's own properties; see `lookUpTask`. */
  private readonly prototype: object | undefined;
  private readonly ready: ReadyQueue;
  private readonly startedAt = performance.now();
  /**
   * Milliseconds since the run began, read once per settled task (reading the clock costs as much
   * as the rest of a task's bookkeeping). A task starts at the reading of the event that let it
   * start: the run's start, or the settling of the task that freed it.
   */
  private clock = 0;
  private inFlight = 0;
  /** Tasks of this run not yet succeeded, failed or skipped. */
  private unfinished: number;
  private stopReason: StopReason = StopReason.None;
  private abortReason: unknown;
  private pumping = false;
  private settled = false;
  private runController: AbortController | undefined;
  private attemptControllers: Set<AbortController> | undefined;
  private pendingRetries: Set<PendingRetry> | undefined;
  private unsubscribeFromCaller: (() => void) | undefined;
  /** The `TaskContext` of the attempt being called, while its arguments are gathered. */
  private context: TaskContext | undefined;
  /** What the last synchronous throw in `call` threw (it returns {@link THREW} instead). */
  private thrown: unknown;

  constructor(
    private readonly instance: W,
    private readonly plan: WorkflowPlan,
    private readonly param: P,
    private readonly settings: RunSettings,
    private readonly resolve: (result: ExecutionResult<W, P>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const taskCount = plan.names.length;
    this.prototype =
      plan.prefersPrototypeLookup && !types.isProxy(instance)
        ? Object.getPrototypeOf(instance)
        : undefined;
    this.values = new Array(taskCount);
    this.states = new Uint8Array(taskCount);
    this.startTimes = new Float64Array(taskCount);
    this.endTimes = new Float64Array(taskCount);
    this.reportOrder = new Int32Array(taskCount);
    this.attempts = plan.hasAttemptPolicies ? new Uint32Array(taskCount) : undefined;
    this.waitingFor = plan.dependencyCounts.slice();
    this.ready =
      settings.concurrency === Infinity
        ? new FifoQueue(taskCount)
        : new RankedQueue(plan.ranks, taskCount);
    const { included } = settings;
    this.included = included;
    this.concurrency = settings.concurrency;
    this.hooks = settings.hooks;
    this.overrides = settings.overrides;
    this.unfinished = included === undefined ? taskCount : countIncluded(included);
  }

  start(): void {
    const { signal } = this.settings;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.stopReason = StopReason.Abort;
        this.abortReason = signal.reason;
        this.finish();
        return;
      }
      this.unsubscribeFromCaller = subscribeToAbort(signal, this.onCallerAbort);
    }
    const { roots } = this.plan;
    for (let position = 0; position < roots.length; position++) {
      if (this.isIncluded(roots[position])) this.ready.push(roots[position]);
    }
    this.pump();
  }

  /** Starts ready tasks while the limit allows. Re-entrant calls return at once; the loop picks up their work. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const { ready } = this;
    const limit = this.concurrency;
    while (ready.size > 0 && this.inFlight < limit && this.stopReason === NOT_STOPPED) {
      this.startTask(ready.pop());
    }
    this.pumping = false;
    this.finishIfDone();
  }

  private startTask(task: number): void {
    this.states[task] = Running;
    this.inFlight++;
    this.startTimes[task] = this.clock;
    this.reportOrder[this.reportCount++] = task;
    const policy = this.plan.attemptPolicies[task];
    if (policy === undefined) this.runFastAttempt(task);
    else this.runAttempt(task, 1, policy);
  }

  /** A task without timeout or retries: call it and settle once. */
  private runFastAttempt(task: number): void {
    if (!this.announceStart(task, 1)) return;
    const outcome = this.call(task, 1, undefined);
    if (outcome === THREW) return this.taskFailed(task, 1, this.thrown);
    if (outcome instanceof Promise) {
      outcome.then(
        (value) => this.taskSucceeded(task, 1, value),
        (error) => this.taskFailed(task, 1, error),
      );
    } else {
      this.taskSucceeded(task, 1, outcome);
    }
  }

  /** One attempt of a task with a timeout or retries. */
  private runAttempt(task: number, number: number, policy: AttemptPolicy): void {
    this.attempts![task] = number;
    if (!this.announceStart(task, number)) return;
    const attempt: Attempt = {
      task,
      number,
      policy,
      controller: undefined,
      timer: undefined,
      settled: false,
      timedOut: false,
    };
    if (policy.timeout !== undefined) {
      if (this.plan.inputKinds[task] !== 0) {
        attempt.controller = new AbortController();
        (this.attemptControllers ??= new Set()).add(attempt.controller);
      }
      attempt.timer = setTimeout(() => {
        attempt.timedOut = true;
        this.attemptSettled(
          attempt,
          false,
          new TaskTimeoutError(this.plan.workflow, this.plan.names[task], policy.timeout!),
        );
      }, policy.timeout);
    }
    const outcome = this.call(task, number, attempt.controller?.signal);
    if (outcome === THREW) return this.attemptSettled(attempt, false, this.thrown);
    if (outcome instanceof Promise) {
      outcome.then(
        (value) => this.attemptSettled(attempt, true, value),
        (error) => this.attemptSettled(attempt, false, error),
      );
    } else {
      this.attemptSettled(attempt, true, outcome);
    }
  }

  private attemptSettled(attempt: Attempt, succeeded: boolean, outcome: unknown): void {
    if (attempt.settled) return; // a timed-out attempt's late outcome: already handled
    attempt.settled = true;
    clearTimeout(attempt.timer);
    if (attempt.controller !== undefined) {
      this.attemptControllers!.delete(attempt.controller);
      // Only compare identities here: `outcome` may be anything a task threw, even a revoked Proxy.
      if (attempt.timedOut) attempt.controller.abort(outcome);
    }
    const { task, number, policy } = attempt;
    if (succeeded) return this.taskSucceeded(task, number, outcome);
    if (number > policy.retries || this.stopReason !== NOT_STOPPED) {
      return this.taskFailed(task, number, outcome);
    }
    let delayMs: number;
    const { hooks } = this;
    try {
      delayMs =
        typeof policy.retryDelay === 'function'
          ? policy.retryDelay(number, outcome)
          : policy.retryDelay;
      if (!isTimerDelay(delayMs)) {
        const InvalidDelay = typeof delayMs === 'number' ? RangeError : TypeError;
        throw new InvalidDelay(
          `${this.plan.workflow}: retryDelay of task "${this.plan.names[task]}" returned ` +
            `${describeInput(delayMs)}; it must return a number of milliseconds from 0 to ${MAX_TIMER_DELAY}`,
        );
      }
      if (hooks?.onTaskRetry !== undefined) {
        this.watchHook(
          task,
          hooks.onTaskRetry.call(hooks.receiver, {
            task: this.plan.names[task],
            attempt: number,
            error: outcome,
            delayMs,
          }),
        );
      }
    } catch (error) {
      return this.taskFailed(task, number, error, outcome);
    }
    const retry: PendingRetry = {
      task,
      attempt: number,
      error: outcome,
      timer: setTimeout(() => {
        this.pendingRetries!.delete(retry);
        this.runAttempt(task, number + 1, policy);
      }, delayMs),
    };
    (this.pendingRetries ??= new Set()).add(retry);
  }

  /**
   * Calls `onTaskStart`. A hook that throws fails the task with that error, without retries, and
   * the task is not called; returns whether the task may go on.
   */
  private announceStart(task: number, attempt: number): boolean {
    const { hooks } = this;
    if (hooks?.onTaskStart === undefined) return true;
    try {
      this.watchHook(
        task,
        hooks.onTaskStart.call(hooks.receiver, { task: this.plan.names[task], attempt }),
      );
      return true;
    } catch (error) {
      this.taskFailed(task, attempt, error);
      return false;
    }
  }

  /**
   * Calls the task's function with its bound arguments. Returns a promise for an asynchronous
   * outcome, the value for a synchronous one, or {@link THREW} (with the error in `thrown`).
   */
  private call(task: number, attempt: number, attemptSignal: AbortSignal | undefined): unknown {
    const { plan } = this;
    try {
      // A builder's task is its function, called with `this` undefined; a class's task is the
      // method of that name, looked up on the instance now.
      const receiver = plan.bodies === undefined ? this.instance : undefined;
      const fn: unknown =
        this.overrides?.[task] ?? plan.bodies?.[task] ?? this.lookUpTask(plan.names[task]);
      if (typeof fn !== 'function') {
        throw new TypeError(
          `${plan.workflow}: task "${plan.names[task]}" is not a function on the instance (it is ${typeof fn})`,
        );
      }
      if (plan.inputKinds[task] !== 0) {
        attemptSignal ??= this.runSignal();
        if ((plan.inputKinds[task] & TakesInput.Context) !== 0) {
          this.context = this.makeContext(task, attempt, attemptSignal);
        }
      }
      const { start, list } = plan.argumentSlots;
      const first = start[task];
      const arity = start[task + 1] - first;
      let result: unknown;
      // Direct calls for the common arities: no arguments array to allocate.
      if (arity === 0) {
        result = fn.call(receiver);
      } else if (arity === 1) {
        result = fn.call(receiver, this.argument(list[first], attemptSignal));
      } else if (arity === 2) {
        result = fn.call(
          receiver,
          this.argument(list[first], attemptSignal),
          this.argument(list[first + 1], attemptSignal),
        );
      } else if (arity === 3) {
        result = fn.call(
          receiver,
          this.argument(list[first], attemptSignal),
          this.argument(list[first + 1], attemptSignal),
          this.argument(list[first + 2], attemptSignal),
        );
      } else {
        const args = new Array(arity);
        for (let position = 0; position < arity; position++) {
          args[position] = this.argument(list[first + position], attemptSignal);
        }
        result = fn.apply(receiver, args);
      }
      // A native promise is awaited as is. Any other thenable (a promise subclass, a promise whose
      // `then` was replaced, a foreign thenable) is adopted the way `await` adopts it: its `then`
      // is called in a later job, and whatever it throws rejects the outcome instead of escaping.
      if (result instanceof Promise && result.then === nativeThen) return result;
      if (isThenable(result)) return new Promise((resolve) => resolve(result));
      return result;
    } catch (error) {
      this.thrown = error;
      return THREW;
    }
  }

  /**
   * `instance[name]`, looked up at call time so a stub or an instance property is what runs.
   * For a class with a prototype too large for V8's fast properties (see
   * `WorkflowPlan.prefersPrototypeLookup`) it is done in two steps with the same result: V8's
   * keyed-load cache misses on the instance for every one of thousands of names, while an
   * own-property check plus a lookup on the (dictionary-mode) prototype stay on fast paths —
   * measured 1.8× → 1.1× the bare loop at 10,000 tasks. A Proxy instance always gets the plain
   * lookup, so its traps see exactly what they would see.
   */
  private lookUpTask(name: string): unknown {
    const { instance, prototype } = this;
    if (prototype === undefined || Object.hasOwn(instance, name)) return (instance as any)[name];
    return Reflect.get(prototype, name, instance);
  }

  private argument(slot: number, attemptSignal: AbortSignal | undefined): unknown {
    if (slot >= 0) return this.values[slot];
    if (slot === PARAM_SLOT) return this.param;
    if (slot <= FIRST_CONSTANT_SLOT) return this.plan.constants[FIRST_CONSTANT_SLOT - slot];
    if (slot === CONTEXT_SLOT) return this.context;
    return attemptSignal;
  }

  /** The `TaskContext` of one attempt; `progress` reaches the `onTaskProgress` hook. */
  private makeContext(task: number, attempt: number, signal: AbortSignal): TaskContext {
    const name = this.plan.names[task];
    const { hooks } = this;
    return {
      task: name,
      attempt,
      signal,
      progress: (data: unknown) => {
        if (hooks?.onTaskProgress !== undefined && !this.settled) {
          this.watchHook(
            task,
            hooks.onTaskProgress.call(hooks.receiver, { task: name, attempt, data }),
          );
        }
      },
    };
  }

  /** The signal handed to `@Signal()` parameters, created on first use. */
  private runSignal(): AbortSignal {
    if (this.runController === undefined) {
      this.runController = new AbortController();
      // Every task may listen to it (fetch, timers…): a fan-out signal, not a leak.
      setMaxListeners(0, this.runController.signal);
      if (this.stopReason !== NOT_STOPPED) this.runController.abort(this.stopError());
    }
    return this.runController.signal;
  }

  /**
   * Hooks are synchronous, but one may be an `async` function: its rejection fails the run like a
   * throw would (never an unhandled rejection). After the run settled there is no run left to
   * fail, so it becomes a process warning instead of vanishing.
   */
  private watchHook(task: number, returned: unknown): void {
    if (!isThenable(returned)) return;
    Promise.resolve(returned).then(undefined, (error: unknown) => {
      const name = this.plan.names[task];
      if (this.settled) {
        process.emitWarning(
          `${this.plan.workflow}: a hook for task "${name}" rejected after the run settled: ${describeThrown(error)}`,
          'AsyncDagHookWarning',
        );
        return;
      }
      this.failures.push({ task: name, error });
      if (this.settings.failFast) this.stop(StopReason.Failure, undefined);
      this.finishIfDone();
    });
  }

  /** Whether `task` is part of this run (every task is, unless `targets` narrowed it). */
  private isIncluded(task: number): boolean {
    return this.included === undefined || this.included[task] === 1;
  }

  private tick(): number {
    return (this.clock = performance.now() - this.startedAt);
  }

  private taskSucceeded(task: number, attempt: number, value: unknown): void {
    const end = this.tick();
    const { hooks } = this;
    if (hooks?.onTaskSuccess !== undefined) {
      try {
        this.watchHook(
          task,
          hooks.onTaskSuccess.call(hooks.receiver, {
            task: this.plan.names[task],
            attempt,
            value,
            durationMs: end - this.startTimes[task],
          }),
        );
      } catch (error) {
        return this.taskFailed(task, attempt, error);
      }
    }
    this.values[task] = value;
    this.states[task] = Succeeded;
    this.endTimes[task] = end;
    this.inFlight--;
    this.unfinished--;
    if (this.stopReason === NOT_STOPPED) {
      const { start, list } = this.plan.dependents;
      const { waitingFor, ready } = this;
      for (let edge = start[task]; edge < start[task + 1]; edge++) {
        const dependent = list[edge];
        if (--waitingFor[dependent] === 0 && this.states[dependent] === Pending) {
          if (this.isIncluded(dependent)) ready.push(dependent);
        }
      }
    }
    this.pump();
  }

  /**
   * Task `task` failed for good with `error`. `attemptError` is the attempt's own error when
   * `error` was thrown by a retry policy (`retryDelay`, `onTaskRetry`) while handling it.
   */
  private taskFailed(
    task: number,
    attempt: number,
    error: unknown,
    attemptError: unknown = NO_ATTEMPT_ERROR,
  ): void {
    this.states[task] = Failed;
    this.endTimes[task] = this.tick();
    this.inFlight--;
    this.unfinished--;
    const name = this.plan.names[task];
    this.failures.push(
      attemptError === NO_ATTEMPT_ERROR
        ? { task: name, error }
        : { task: name, error, attemptError },
    );
    const { hooks } = this;
    try {
      if (hooks?.onTaskFailure !== undefined) {
        this.watchHook(
          task,
          hooks.onTaskFailure.call(hooks.receiver, { task: name, attempt, error }),
        );
      }
    } catch (hookError) {
      this.failures.push({ task: this.plan.names[task], error: hookError });
    }
    if (this.settings.failFast) this.stop(StopReason.Failure, undefined);
    else this.skipDependents(task);
    this.pump();
  }

  /** `failFast: false`: every task downstream of a failed one can never run. */
  private skipDependents(failedTask: number): void {
    const { start, list } = this.plan.dependents;
    const now = this.clock;
    const stack = [failedTask];
    while (stack.length > 0) {
      const task = stack.pop()!;
      for (let edge = start[task]; edge < start[task + 1]; edge++) {
        const dependent = list[edge];
        if (this.states[dependent] !== Pending) continue;
        if (!this.isIncluded(dependent)) continue;
        this.states[dependent] = Skipped;
        this.reportOrder[this.reportCount++] = dependent;
        this.startTimes[dependent] = now;
        this.endTimes[dependent] = now;
        this.unfinished--;
        stack.push(dependent);
      }
    }
  }

  private readonly onCallerAbort = (): void => {
    this.stop(StopReason.Abort, this.settings.signal!.reason);
    this.finishIfDone();
  };

  /** No new task starts; running tasks see their signals abort; retry waits end. */
  private stop(reason: StopReason, abortReason: unknown): void {
    if (this.stopReason !== NOT_STOPPED) return;
    this.stopReason = reason;
    this.abortReason = abortReason;
    const signalReason = this.stopError();
    this.runController?.abort(signalReason);
    if (this.attemptControllers !== undefined) {
      for (const controller of this.attemptControllers) controller.abort(signalReason);
      this.attemptControllers.clear();
    }
    if (this.pendingRetries !== undefined) {
      for (const retry of this.pendingRetries) {
        clearTimeout(retry.timer);
        this.taskFailed(retry.task, retry.attempt, retry.error);
      }
      this.pendingRetries.clear();
    }
  }

  /** The reason given to aborted signals when the run stops. */
  private stopError(): unknown {
    if (this.stopReason === StopReason.Abort) return this.abortReason;
    const first = this.failures[0];
    const error = new Error(
      `${this.plan.workflow}: run stopped because task "${first.task}" failed: ${describeThrown(first.error)}`,
      { cause: first.error },
    );
    error.name = 'AbortError';
    return error;
  }

  private finishIfDone(): void {
    if (this.settled || this.inFlight > 0 || this.pumping) return;
    if (this.stopReason !== NOT_STOPPED || this.unfinished === 0) this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.durationMs = performance.now() - this.startedAt;
    this.unsubscribeFromCaller?.();
    // The result gets the run's output arrays only, not the run (its counters, queue, instance).
    const result = new ExecutionResult<W, P>(this.plan, this.param, {
      values: this.values,
      states: this.states,
      startTimes: this.startTimes,
      endTimes: this.endTimes,
      attempts: this.attempts,
      reportOrder: this.reportOrder,
      reportCount: this.reportCount,
      included: this.included,
      failures: this.failures,
      durationMs: this.durationMs,
    });
    const { workflow } = this.plan;
    if (this.stopReason === StopReason.Abort) {
      this.reject(new WorkflowAbortedError(workflow, this.abortReason, result));
    } else if (this.failures.length > 0) {
      const [first] = this.failures;
      this.reject(
        new WorkflowExecutionError(workflow, first.task, first.error, this.failures, result),
      );
    } else {
      this.resolve(result);
    }
  }
}

const nativeThen = Promise.prototype.then;

/** `taskFailed`'s default: the failure has no separate attempt error. */
const NO_ATTEMPT_ERROR: unique symbol = Symbol('no attempt error');

/** Marker returned by `Run.call` when the task threw synchronously. */
const THREW: unique symbol = Symbol('threw');

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function countIncluded(included: Uint8Array): number {
  let count = 0;
  for (let task = 0; task < included.length; task++) count += included[task];
  return count;
}
