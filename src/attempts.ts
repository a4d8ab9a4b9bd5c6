/**
 * Attempt policy: how the attempts of a task with a timeout, retries or a fallback (or of any task
 * in a run with task interceptors) run — the attempt's own signal and timeout, task interceptors
 * around the call, retries (their delay, and `retryIf`), and the `fallback` when the task fails
 * for good. One runner per run, created the first time such a task starts; the run loop calls it
 * and it calls back into the run with the task's outcome.
 */
import { bareName, describeInput, quotedName } from './describe.js';
import { TaskTimeoutError } from './errors.js';
import { intercept, nextCalled, sameWorkLater, type NextGuard } from './interceptors.js';
import { IntrinsicPromise } from './intrinsic-promise.js';
import {
  adoptOutcome,
  inPromiseJob,
  isThenable,
  markHandled,
  NONE,
  settleStack,
  THREW,
} from './outcomes.js';
import type { Run } from './scheduler.js';
import { failureError, skipReasonOf } from './skip.js';
import { allowManyListeners } from './runtime.js';
import { isTimerDelay, MAX_TIMER_DELAY, type AttemptPolicy } from './task-options.js';
import type { RunInterceptorInfo, TaskInterceptorInfo } from './types.js';

/** One attempt of a task with a timeout. */
interface Attempt {
  readonly task: number;
  readonly number: number;
  controller: AbortController | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The runner to report the outcome to, until the attempt settles (`undefined` once it has). Only
   * the attempt (not the run) is reachable from the promise of its body: a body that outlives its
   * timeout, waiting on a promise that never settles, must not keep the finished run alive.
   */
  runner: AttemptRunner | undefined;
  /** Set when the timeout fired: the attempt's outcome. */
  timeoutError: TaskTimeoutError | undefined;
  /**
   * Reject the promises the interceptors' `next()` calls returned, every layer's (interceptors
   * only): at the timeout, each layer sees the attempt end as the run does.
   */
  rejectNexts: ((error: unknown) => void)[] | undefined;
  /** The task's timeout. */
  readonly timeoutMs: number;
  /**
   * When the timeout fires, in `performance.now()` time: set when the attempt is called through
   * interceptors, the only way its body can outlive it (see `watchBody`).
   */
  deadline: number;
  /**
   * Whether the task's body, called through interceptors, is still running. An interceptor may
   * settle the attempt first (it stopped waiting, or answered without waiting): the body then
   * keeps its signal, which still aborts at the timeout or when the run stops.
   */
  bodyRunning: boolean;
}

/** A task waiting out its retry delay (the task is its key in `pendingRetries`). */
interface PendingRetry {
  readonly attempt: number;
  readonly error: unknown;
  /** The delay's timer; `undefined` for a retry without a delay, which waits for a microtask. */
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * How many errors of retried attempts a run formats (see {@link AttemptRunner.scheduleRetry}): as
 * for the errors a result keeps (`settleKeptErrors` in scheduler.ts), the first ones only, so that
 * a run retrying thousands of tasks of a large generated class does not pay for each.
 */
const FORMATTED_RETRY_ERRORS = 100;

/**
 * The attempts of one run's tasks that have an attempt policy (a timeout, retries or a fallback),
 * or of every task under task interceptors.
 */
export class AttemptRunner {
  /** Signals of attempts in flight, aborted when the run stops (`allSettled` tasks' excepted). */
  private readonly controllers = new Set<AbortController>();
  /** Tasks waiting out a retry delay (a task waits for one retry at a time), in the order they began. */
  private readonly pendingRetries = new Map<number, PendingRetry>();
  /**
   * Tasks whose latest attempt failed, from that moment until another attempt starts: while
   * `retryIf`, `retryDelay`, `onTaskRetry` or the fallback decide what follows (any of them may
   * stop the run, and so make the body's abort listeners run), during the retry delay, and while
   * the fallback's promise is pending. A task that settles stays in it; its state says it settled.
   */
  private failedAttempts: Set<number> | undefined;
  /** How many errors of retried attempts this run has formatted. */
  private formattedRetryErrors = 0;

  /** The run's signal, once an attempt under interceptors got it (see `callAttempt`). */
  private runSignal: AbortSignal | undefined;

  constructor(private readonly run: Run<any, any>) {}

  /** Starts the first attempt of `task`. */
  start(task: number): void {
    this.attempt(task, 1, NONE);
  }

  /**
   * Starts attempt `number` of `task`; `previousError` is the error of the attempt before it (the
   * one retried), {@link NONE} for a first attempt.
   */
  private attempt(task: number, number: number, previousError: unknown): void {
    const { run } = this;
    this.failedAttempts?.delete(task);
    if (run.attempts !== undefined) run.attempts[task] = number;
    if (run.events !== undefined && !run.announceStart(task, number, previousError)) return;
    const timeout = run.plan.attemptPolicies[task]?.timeout;
    if (timeout === undefined) return this.untimedAttempt(task, number);
    const attempt: Attempt = {
      task,
      number,
      controller: undefined,
      timer: undefined,
      runner: this,
      timeoutError: undefined,
      rejectNexts: undefined,
      timeoutMs: timeout,
      deadline: 0,
      bodyRunning: false,
    };
    // A signal of its own when the body takes one, or when task interceptors may read it
    // (`info.signal` aborts at the timeout too).
    const takesSignal = run.plan.inputKinds[task] !== 0;
    if (takesSignal || run.settings.taskInterceptors !== undefined) {
      attempt.controller = new AbortController();
      // The task may fan out on it (a `fetch` per item), as on the run's signal; interceptors
      // alone add a listener each at most.
      if (takesSignal) allowManyListeners(attempt.controller.signal);
      // The signal of an `allSettled` task aborts only at its own timeout, never at a stop.
      if (!run.isAllSettled(task)) {
        this.controllers.add(attempt.controller);
        // `onTaskStart` may have stopped the run already: then the signal starts aborted, as a
        // plain task's run signal does.
        if (run.stopReason !== 0) attempt.controller.abort(run.stopError());
      }
    }
    attempt.timer = setTimeout(() => {
      const error = new TaskTimeoutError(run.plan.workflow, run.plan.names[task], timeout);
      // A body that outlives its timeout keeps the attempt, and so this error, alive.
      settleStack(error);
      attempt.timeoutError = error;
      // Interceptors see the attempt end as the run does: every `next()` promise rejects now.
      if (attempt.rejectNexts !== undefined)
        for (const reject of attempt.rejectNexts) reject(error);
      this.settle(attempt, false, error);
    }, timeout);
    const outcome = this.callAttempt(task, number, attempt.controller?.signal, attempt);
    if (outcome === THREW) return this.settle(attempt, false, run.thrown);
    if (outcome instanceof IntrinsicPromise) settleWhenDone(attempt, outcome);
    else this.settle(attempt, true, outcome);
  }

  /**
   * An attempt without a timeout (so without its own signal): nothing to clear or abort when it
   * settles, no attempt record — what a task in a run with interceptors mostly is.
   */
  private untimedAttempt(task: number, number: number): void {
    this.run.settleAttempt(task, number, this.callAttempt(task, number, undefined));
  }

  /**
   * Calls attempt `number` of `task`: directly (a value, a promise, or `THREW` with the error in
   * `run.thrown`), or through the run's task interceptors (always a promise). `timed`: the
   * attempt's record, when it has a timeout.
   */
  private callAttempt(
    task: number,
    number: number,
    signal: AbortSignal | undefined,
    timed?: Attempt,
  ): unknown {
    const { run } = this;
    const interceptors = run.settings.taskInterceptors;
    if (interceptors === undefined) return run.call(task, number, signal);
    // The body must get the signal the interceptors see (`info.signal`): pick it now, so that
    // `info` — which interceptors may keep, in a log of attempts — need not hold the run to make
    // it later. Without `allSettled` tasks (each gets one of its own), every attempt gets the
    // run's: asked for once.
    signal ??=
      run.plan.whenRules === undefined
        ? (this.runSignal ??= run.signalFor(task))
        : run.signalFor(task);
    const info = new AttemptInfo(run, task, number, signal);
    if (timed !== undefined) timed.deadline = performance.now() + timed.timeoutMs;
    // Only outer layers' `next()` take a guard: one interceptor makes none.
    let guard: NextGuard | undefined;
    if (interceptors.length > 1) {
      guard = this.whileCurrent(task, number);
      if (timed !== undefined) guard = withinTimeoutGuard(timed, guard);
    }
    return intercept(
      interceptors,
      'task',
      info,
      this.attemptOnce(task, number, signal, timed),
      guard,
    );
  }

  /**
   * The guard of the outer layers' `next()` of attempt `number` of `task`: one called after the
   * attempt ended calls none of the layers inside it (a tracer, a logger would report an attempt
   * that does not run). A method of its own: a closure in `callAttempt` would allocate its context
   * on every call, interceptors or not.
   */
  private whileCurrent(task: number, number: number): NextGuard {
    return (start) =>
      this.run.isCurrentAttempt(task, number) ? start() : this.refuseLateNext(task, number);
  }

  /** The innermost `next` of an attempt's interceptors: calls the task, once. */
  private attemptOnce(
    task: number,
    number: number,
    signal: AbortSignal | undefined,
    timed: Attempt | undefined,
  ): () => Promise<unknown> {
    let called: Promise<unknown> | undefined;
    let calling = false;
    return () => {
      if (called !== undefined) return called;
      // Called again while the task runs (the body calls a `next()` it can reach): the same work.
      // (`callOnce` inline: an attempt makes one closure, not two.)
      if (calling) return sameWorkLater(() => called!);
      calling = true;
      return (called = nextCalled(
        timed === undefined
          ? this.callForInterceptors(task, number, signal)
          : this.callWithinTimeout(timed, signal),
      ));
    };
  }

  /**
   * The innermost `next()` of an attempt with a timeout: the task's outcome, or the attempt's
   * `TaskTimeoutError` when the timeout fires first — what the run counts — so an interceptor
   * (the OpenTelemetry one, a logger) never reports as a success an attempt that the run counted
   * as timed out. A `next()` called after the timeout does not start the task.
   */
  private callWithinTimeout(attempt: Attempt, signal: AbortSignal | undefined): Promise<unknown> {
    return withinTimeout(attempt, () => {
      const called = this.callForInterceptors(attempt.task, attempt.number, signal);
      watchBody(attempt, called, this.controllers);
      return called;
    });
  }

  /**
   * The innermost `next()`: calls the task, unless the attempt is already over — its outcome was
   * what the interceptors returned, and a `next()` called after that (a "serve cached, refresh
   * later" interceptor) would start a body that no run waits for and no signal can stop — or the
   * run has stopped. No task starts after a stop (but `allSettled` ones), and a body an
   * interceptor held back (a lock, a rate limiter) has not started: its `next()` rejects with the
   * stop's reason, which the attempt's signal holds, as a body that honours its signal would.
   */
  private callForInterceptors(
    task: number,
    number: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const { run } = this;
    if (!run.isCurrentAttempt(task, number)) return this.refuseLateNext(task, number);
    if (run.stopReason !== 0 && !run.isAllSettled(task))
      return IntrinsicPromise.reject(run.stopError());
    const called = run.call(task, number, signal);
    return called === THREW
      ? IntrinsicPromise.reject(run.thrown)
      : IntrinsicPromise.resolve(called);
  }

  /** What a `next()` of attempt `number` of `task` gives when called after that attempt ended. */
  private refuseLateNext(task: number, number: number): Promise<never> {
    const { plan } = this.run;
    return IntrinsicPromise.reject(
      new Error(
        `${bareName(plan.workflow)}: next() of task ${quotedName(plan.names[task])} (attempt ${number}) was called ` +
          `after that attempt had ended, so the task was not called. An interceptor must call ` +
          `next() before the promise it returns settles.`,
      ),
    );
  }

  /** Attempt `attempt` ended with `outcome` (its first end only: a late one is ignored). */
  settle(attempt: Attempt, succeeded: boolean, outcome: unknown): void {
    // Settled already: the timeout fired while the body was still being called (a fake clock
    // ticked inside it). A late promise's outcome never gets here (see settleWhenDone).
    if (attempt.runner === undefined) return;
    attempt.runner = undefined;
    clearTimeout(attempt.timer);
    attempt.timer = undefined; // a fired timer still holds its callback, and so the run
    const { controller } = attempt;
    if (controller !== undefined) {
      // Only compare identities here: `outcome` may be anything a task threw, even a revoked Proxy.
      if (attempt.timeoutError !== undefined) {
        this.controllers.delete(controller);
        controller.abort(outcome);
      } else if (attempt.bodyRunning) {
        // An interceptor settled the attempt while its body runs on: the body's signal stays
        // among those a stop aborts, and aborts at the timeout, as if the attempt still ran.
        const { plan } = this.run;
        attempt.timer = abortAtDeadline(
          attempt,
          controller,
          this.controllers,
          plan.workflow,
          plan.names[attempt.task],
        );
      } else {
        this.controllers.delete(controller);
      }
    }
    if (succeeded) this.run.taskSucceeded(attempt.task, attempt.number, outcome, NONE);
    else this.run.attemptFailed(attempt.task, attempt.number, outcome);
  }

  /**
   * Attempt `attempt` of `task` failed with `error` (not a skip): retry it if its policy allows and
   * the run goes on (an `allSettled` task retries even after a stop), else it failed for good.
   */
  failed(task: number, attempt: number, error: unknown): void {
    const { run } = this;
    (this.failedAttempts ??= new Set()).add(task);
    const policy = run.plan.attemptPolicies[task]!;
    if (attempt > policy.retries || this.stopsRetries(task)) {
      return this.failedForGood(task, attempt, error, NONE);
    }
    const { retryIf } = policy;
    if (retryIf !== undefined) {
      let retry: unknown;
      try {
        // Called as a plain function (`this` undefined), as the fallback is: not as a method of the
        // policy, which every run of the plan shares.
        retry = retryIf(error, attempt);
        // A promise is truthy: an `async` retryIf would retry every error, whatever it decides.
        if (isThenable(retry)) throw this.answeredLater(task, 'retryIf', 'true or false', retry);
      } catch (retryIfError) {
        return this.failedForGood(task, attempt, retryIfError, error);
      }
      if (!retry) return this.failedForGood(task, attempt, error, NONE);
    }
    this.scheduleRetry(task, attempt, error, policy);
  }

  /**
   * Whether `task`'s last attempt is over while the task is not: it failed, and what follows is
   * being decided, or the task waits out its retry delay or for its fallback's promise.
   */
  isBetweenAttempts(task: number): boolean {
    return this.failedAttempts?.has(task) === true;
  }

  /**
   * The error for a retry policy function (`retryIf`, `retryDelay`) that returned a promise: the
   * decision is needed now. The promise is marked handled, so its rejection goes unhandled nowhere.
   */
  private answeredLater(
    task: number,
    option: string,
    expected: string,
    answer: PromiseLike<unknown>,
  ): TypeError {
    markHandled(answer);
    const { plan } = this.run;
    return new TypeError(
      `${bareName(plan.workflow)}: ${option} of task ${quotedName(plan.names[task])} returned a promise; it must ` +
        `return ${expected} synchronously, so it cannot be an async function.`,
    );
  }

  /** Whether the run has stopped, for `task`: then it is not retried (unless it is `allSettled`). */
  private stopsRetries(task: number): boolean {
    return this.run.stopReason !== 0 && !this.run.isAllSettled(task);
  }

  private scheduleRetry(
    task: number,
    attempt: number,
    error: unknown,
    policy: AttemptPolicy,
  ): void {
    const { run } = this;
    // The run forgets the error of an attempt it retries, but what it handed the error to may keep
    // it — `onTaskRetry`, a stream's reader, an interceptor, `retryIf` (a log of retries). Made
    // while the run called the task (thrown before the body's first `await`), its stack keeps the
    // run, and through it the instance, the caller's signal and hooks, until it is formatted.
    if (this.formattedRetryErrors < FORMATTED_RETRY_ERRORS) {
      this.formattedRetryErrors++;
      settleStack(error);
    }
    const { retryDelay } = policy;
    let delayMs: number;
    try {
      // A function is called with `this` undefined, as `retryIf` is.
      delayMs = typeof retryDelay === 'function' ? retryDelay(attempt, error) : retryDelay;
      if (isThenable(delayMs)) {
        throw this.answeredLater(task, 'retryDelay', 'a number of milliseconds', delayMs);
      }
      if (!isTimerDelay(delayMs)) {
        const InvalidDelay = typeof delayMs === 'number' ? RangeError : TypeError;
        throw new InvalidDelay(
          `${bareName(run.plan.workflow)}: retryDelay of task ${quotedName(run.plan.names[task])} returned ` +
            `${describeInput(delayMs)}; it must return a number of milliseconds from 0 to ${MAX_TIMER_DELAY}.`,
        );
      }
    } catch (policyError) {
      return this.failedForGood(task, attempt, policyError, error);
    }
    // `retryIf` or `retryDelay` may have stopped the run (aborting its signal): then no retry is
    // announced, and none made.
    if (this.stopsRetries(task)) return this.failedForGood(task, attempt, error, NONE);
    if (run.events !== undefined) {
      try {
        run.events.taskRetry(task, attempt, error, delayMs, run.tick());
      } catch (hookError) {
        // The caller's error, not the task's: no fallback recovers it.
        return run.taskFailedInHook(task, attempt, hookError, error, 'onTaskRetry');
      }
    }
    // `onTaskRetry` may have stopped the run (aborting its signal): a stop ends retry waits, and
    // this one was not waiting yet.
    if (this.stopsRetries(task)) return this.failedForGood(task, attempt, error, NONE);
    const retry = () => {
      // A stop that ended the wait has already failed the task (see `stop`).
      if (this.pendingRetries.get(task) !== pending) return;
      this.pendingRetries.delete(task);
      run.tick();
      this.attempt(task, attempt + 1, error);
    };
    // No delay, no timer: a timer of 0 ms waits for the next turn of the event loop (at least
    // 1 ms on Node.js), behind every timer and I/O callback already due. A promise job, on a fresh
    // stack per retry, not a call from here, so that a task failing synchronously never grows the
    // stack with its retries.
    const pending: PendingRetry = {
      attempt,
      error,
      timer: delayMs === 0 ? undefined : setTimeout(retry, delayMs),
    };
    this.pendingRetries.set(task, pending);
    if (delayMs === 0) void inPromiseJob(retry);
  }

  /**
   * `task` failed for good with `thrown`: its fallback, if it has one (called with the error and
   * the task's signal), turns that into a value (or, calling `skip()`, into a skip); otherwise (or
   * if the fallback throws) the task fails.
   * `attemptError`: the attempt's own error when `thrown` came from a retry policy, else
   * {@link NONE} (passed explicitly: the attempt's error may be `undefined`, which a default
   * parameter would mistake for "none"). A `skip()` a retry policy called, where it cannot skip the
   * task, arrives here as its marker: the fallback is handed the `TypeError` that says so
   * ({@link failureError}, which `taskFailed` applies to what it records too), so that recovering
   * from it, or rethrowing it, never skips the task after all.
   */
  failedForGood(task: number, attempt: number, thrown: unknown, attemptError: unknown): void {
    const { run } = this;
    const fallback = run.plan.attemptPolicies[task]?.fallback;
    if (fallback === undefined) return run.taskFailed(task, attempt, thrown, attemptError);
    const error = failureError(run.plan.workflow, run.plan.names[task], thrown);
    // If the fallback throws too, the attempt's own error is the one to keep: that is `error`,
    // unless a retry policy threw while handling it (then `error` is the policy's).
    const ownError = attemptError === NONE ? error : attemptError;
    let value: unknown;
    try {
      // The signal the task's body would get without a timeout of its own: the run's, which aborts
      // when the run stops (so a pending fallback can give up as a body does, and the run, which
      // waits for it, settles promptly), or for an `allSettled` task one that never aborts. Not
      // the attempt's: after a timeout, that one has aborted.
      value = adoptOutcome(fallback(error, run.signalFor(task)));
    } catch (fallbackError) {
      return fallbackFailed(run, task, attempt, fallbackError, ownError);
    }
    if (value instanceof IntrinsicPromise) {
      value.then(
        (recovered) => run.taskSucceeded(task, attempt, recovered, error),
        (fallbackError: unknown) => fallbackFailed(run, task, attempt, fallbackError, ownError),
      );
    } else {
      run.taskSucceeded(task, attempt, value, error);
    }
  }

  /**
   * The run stopped: attempts in flight see their signals abort, and tasks waiting for a retry fail
   * with their last error at once — except `allSettled` tasks, which carry on.
   */
  stop(reason: unknown): void {
    for (const controller of this.controllers) controller.abort(reason);
    this.controllers.clear();
    for (const [task, retry] of [...this.pendingRetries]) {
      if (this.run.isAllSettled(task)) continue;
      clearTimeout(retry.timer);
      this.pendingRetries.delete(task);
      this.failedForGood(task, retry.attempt, retry.error, NONE);
    }
  }
}

/**
 * The fallback of `task` threw `fallbackError`: a `skip()` skips the task (a graceful "nothing to
 * do without it"); anything else fails it, keeping `ownError` as its `attemptError`.
 */
function fallbackFailed(
  run: Run<any, any>,
  task: number,
  attempt: number,
  fallbackError: unknown,
  ownError: unknown,
): void {
  const reason = skipReasonOf(fallbackError);
  if (reason !== undefined) run.taskSkippedItself(task, reason);
  else run.taskFailed(task, attempt, fallbackError, ownError);
}

/** `guard`, within the timeout of `attempt`: see {@link withinTimeout}. */
function withinTimeoutGuard(attempt: Attempt, guard: NextGuard): NextGuard {
  return (start) => withinTimeout(attempt, () => guard(start));
}

/**
 * Runs `start` — the layers inside an interceptor of a timed attempt, or its body — unless the
 * timeout has fired, and gives a promise that settles as its result does, or rejects with the
 * `TaskTimeoutError` at the timeout, whichever comes first.
 */
function withinTimeout(attempt: Attempt, start: () => Promise<unknown>): Promise<unknown> {
  if (attempt.timeoutError !== undefined) return IntrinsicPromise.reject(attempt.timeoutError);
  const started = start();
  return new IntrinsicPromise((resolve, reject) => {
    (attempt.rejectNexts ??= []).push(reject);
    started.then(resolve, reject);
  });
}

/**
 * Watches the body of a timed attempt called through interceptors (`called`, its outcome): while
 * it runs, {@link AttemptRunner.settle} leaves its signal abortable. Its reactions hold the
 * attempt and the runner's signal set, not the run.
 */
function watchBody(
  attempt: Attempt,
  called: Promise<unknown>,
  controllers: Set<AbortController>,
): void {
  attempt.bodyRunning = true;
  const ended = () => {
    attempt.bodyRunning = false;
    if (attempt.runner !== undefined) return; // the attempt is going on: settle() cleans up
    clearTimeout(attempt.timer);
    attempt.timer = undefined;
    if (attempt.controller !== undefined) controllers.delete(attempt.controller);
  };
  called.then(ended, ended);
}

/**
 * The timer that aborts the signal of a body that outlived its attempt (see {@link watchBody}) at
 * the attempt's timeout. It holds the names it needs, not the run.
 */
function abortAtDeadline(
  attempt: Attempt,
  controller: AbortController,
  controllers: Set<AbortController>,
  workflow: string,
  task: string,
): ReturnType<typeof setTimeout> {
  const timer = setTimeout(
    () => {
      attempt.timer = undefined;
      controllers.delete(controller);
      controller.abort(new TaskTimeoutError(workflow, task, attempt.timeoutMs));
    },
    Math.max(0, attempt.deadline - performance.now()),
  );
  // Only there to abort a signal: it must not keep a Node.js process running once all else is done.
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Settles `attempt` with `outcome`'s result when it settles. In a function of its own, so its
 * reactions hold the attempt alone, not the run (see {@link Attempt.runner}).
 */
function settleWhenDone(attempt: Attempt, outcome: Promise<unknown>): void {
  outcome.then(
    (value) => attempt.runner?.settle(attempt, true, value),
    (error: unknown) => attempt.runner?.settle(attempt, false, error),
  );
}

/**
 * The `info` a task interceptor gets: a record of the attempt, whose `signal` is a getter, not an
 * own property, so logging or spreading `info` leaves it out. It holds no reference to the run:
 * interceptors may keep it (a log of attempts) long after the run ended.
 */
class AttemptInfo implements TaskInterceptorInfo {
  readonly workflow: string;
  readonly task: string;
  readonly attempt: number;
  readonly param: unknown;
  readonly run: RunInterceptorInfo;
  readonly #signal: AbortSignal;

  constructor(owner: Run<any, any>, index: number, attempt: number, signal: AbortSignal) {
    this.workflow = owner.plan.workflow;
    this.task = owner.plan.names[index];
    this.attempt = attempt;
    this.param = owner.param;
    this.run = owner.interceptorInfo!;
    this.#signal = signal;
  }

  get signal(): AbortSignal {
    return this.#signal;
  }
}
