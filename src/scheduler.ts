/**
 * Runs one invocation of a plan. A task starts in the same turn its last dependency settles the
 * way its `when` rule needs: each task has a counter of dependencies it still waits for; a success
 * decrements its dependents' counters and queues those that reach zero; a pump starts queued tasks
 * while the concurrency limit allows. The pump is a loop, not recursion, so synchronous tasks never
 * grow the stack.
 *
 * This file is the run loop. Its rooms: `attempts.ts` (timeouts, retries, `retryIf`, fallbacks),
 * `control-flow.ts` (`when` rules, skips, the stop of a run with `allSettled` tasks),
 * `run-events.ts` (hooks and the stream) and `interceptors.ts`; what a run borrows from its plan
 * (counters, ready queue, promise reactions) is in `run-scratch.ts`. Features that are off cost
 * nothing: a task without options, in a run without hooks, stream or interceptors, never leaves
 * this file and its scratch.
 */
import { abortReason, signalProperty, subscribeToAbort } from './abort-subscriptions.js';
import { clockAtRunStart, readClock, readClockInReaction, type RunClock } from './clock.js';
import { AttemptRunner } from './attempts.js';
import {
  cancelPendingTasks,
  dependencyArgument,
  queueInDeclarationOrder,
  settleDependents,
  settleDependentsAfterStop,
  skipTask,
} from './control-flow.js';
import { bareName, describeThrown, quotedName, stackOf } from './describe.js';
import {
  failureHeadline,
  hookFailureOf,
  loggableFailure,
  markHookFailure,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type HookFailure,
  type HookName,
  type TaskFailure,
} from './errors.js';
import { callOnce, intercept, type InterceptorLayer } from './interceptors.js';
import { IntrinsicPromise as importedIntrinsicPromise } from './intrinsic-promise.js';
import {
  adoptOutcome,
  intrinsicPromiseOf,
  isThenable,
  NONE as importedNone,
  settleStack,
  THREW as importedThrew,
} from './outcomes.js';
import type { RunSettings } from './options.js';
import { TakesInput, type PlanOutline, type WorkflowPlan } from './plan.js';
import type { ReadyQueue } from './ready-queue.js';
import { ExecutionResult, TaskState } from './result.js';
import type { TaskArray } from './run-arrays.js';
import { RunEvents } from './run-events.js';
import { allowManyListeners, captureAsyncContext, isProxy, warn } from './runtime.js';
import { failureError, runFailureError, skipReasonOf } from './skip.js';
import type { RunScratch } from './run-scratch.js';
import type { RunAbort } from './run-abort.js';
import { WhenRule } from './task-options.js';
import {
  CONTEXT_SLOT as importedContextSlot,
  FIRST_CONSTANT_SLOT as importedFirstConstantSlot,
  PARAM_SLOT as importedParamSlot,
} from './tokens.js';
import type { RunInterceptorInfo, TaskContext } from './types.js';

/** Why the run stopped starting tasks. */
export const StopReason = { None: 0, Failure: 1, Abort: 2 } as const;
type StopReason = (typeof StopReason)[keyof typeof StopReason];

// Module-level constants, so the hot path compares against immediates, not property loads. That
// includes the markers and slots imported from other modules: an imported binding is read as a
// property of its module (in the CommonJS build), which V8's optimiser does not take for a
// constant — `outcome === THREW`, whose operands differ in type, was a call of V8's generic
// comparison on every task start, where a constant is one pointer comparison.
const { Pending, Running, Succeeded, Failed, Skipped } = TaskState;
const NOT_STOPPED = StopReason.None;
const ALL_SUCCEEDED = WhenRule.AllSucceeded;
const NONE = importedNone;
const THREW = importedThrew;
const PARAM_SLOT = importedParamSlot;
const FIRST_CONSTANT_SLOT = importedFirstConstantSlot;
const CONTEXT_SLOT = importedContextSlot;
/** The language's `Promise` (see intrinsic-promise.ts): `instanceof` it on every task start. */
const IntrinsicPromise = importedIntrinsicPromise;

/**
 * Starts a run of `plan` on `instance` (`undefined` for a builder), with settings already checked
 * (`resolveRunSettings`), through the run interceptors if there are any. Returns its outcome: the
 * result, or `WorkflowExecutionError` / `WorkflowAbortedError` once nothing is in flight.
 */
export function startRun<W extends object, P>(
  instance: W | undefined,
  plan: WorkflowPlan,
  param: P,
  settings: RunSettings,
): Promise<ExecutionResult<W, P>> {
  const { runInterceptors, taskInterceptors } = settings;
  // One info object per run with interceptors: what run interceptors get, and every task
  // interceptor's `info.run`, so per-run state can be keyed by it.
  const interceptorInfo: RunInterceptorInfo | undefined =
    runInterceptors === undefined && taskInterceptors === undefined
      ? undefined
      : { workflow: plan.workflow, param };
  if (runInterceptors === undefined)
    return launch(instance, plan, param, settings, interceptorInfo);
  return launchIntercepted(instance, plan, param, settings, interceptorInfo!, runInterceptors);
}

/*
 * A note on the hot path: a function that creates a closure over its parameters or `this`
 * allocates the closure's context on every call, even when the branch making the closure is not
 * taken. So closures of rare paths live in functions of their own (this one, `listenForAborts`,
 * `settleWithClosures`, `adoptThenable`, `RunScratch.makeReactions`): that took ~100 bytes per
 * task and ~80 per run off a plain invoke.
 */

/**
 * {@link launch} inside the run interceptors. Once what they return has settled, the caller has
 * the run's outcome: a `next()` called after that (a "refresh later" interceptor) would start a
 * run that nobody sees settle, whose failure would go nowhere. It starts neither the run nor the
 * interceptors listed after its own, and rejects saying why, as a late `next()` of a task
 * attempt does.
 */
function launchIntercepted<W extends object, P>(
  instance: W | undefined,
  plan: WorkflowPlan,
  param: P,
  settings: RunSettings,
  interceptorInfo: RunInterceptorInfo,
  runInterceptors: readonly InterceptorLayer[],
): Promise<ExecutionResult<W, P>> {
  let over = false;
  const outcome = intercept(
    runInterceptors,
    'run',
    interceptorInfo,
    callOnce(() => {
      if (over) return refuseLateRunNext(plan);
      const run = launch(instance, plan, param, settings, interceptorInfo);
      // A stream's `return()` waits for the run itself, which may outlast the interceptors' outcome.
      if (settings.internalAbort !== undefined) settings.internalAbort.run = run;
      return run;
    }),
    (start) => (over ? refuseLateRunNext(plan) : start()),
  ) as Promise<ExecutionResult<W, P>>;
  // The caller gets a promise of its own, so that a rejection it ignores is still reported as
  // unhandled: a reaction on `outcome` itself would count as handling it.
  return outcome.then(
    (result) => {
      over = true;
      return result;
    },
    (error: unknown) => {
      over = true;
      throw runFailureError(plan.workflow, error);
    },
  );
}

/** What a run interceptor's `next()` gives when called after the interceptors' outcome settled. */
function refuseLateRunNext(plan: WorkflowPlan): Promise<never> {
  return IntrinsicPromise.reject(
    new Error(
      `${bareName(plan.workflow)}: next() of the run was called after the run interceptors' promise had ` +
        `settled, so the run was not started. A run interceptor must call next() before the ` +
        `promise it returns settles.`,
    ),
  );
}

/** The run being launched, while `new Promise` calls {@link adoptSettlers} (a closure per run costs more). */
let launching: Run<any, any> | undefined;

function adoptSettlers(
  resolve: (result: ExecutionResult<any, any>) => void,
  reject: (error: unknown) => void,
): void {
  launching!.resolve = resolve;
  launching!.reject = reject;
}

/** Makes a run, starts it, and returns its outcome. */
function launch<W extends object, P>(
  instance: W | undefined,
  plan: WorkflowPlan,
  param: P,
  settings: RunSettings,
  interceptorInfo: RunInterceptorInfo | undefined,
): Promise<ExecutionResult<W, P>> {
  const run = new Run<W, P>(instance as W, plan, param, settings, interceptorInfo);
  launching = run;
  const outcome = new IntrinsicPromise<ExecutionResult<W, P>>(adoptSettlers);
  launching = undefined;
  // Tasks, hooks and signals are guarded, so this does not throw; if it did, every caller turns a
  // throw into a rejection (`invoke`, `DagBuilder.invoke`, the interceptor chain) or throws at once
  // (`stream`).
  run.start();
  return outcome;
}

/**
 * The state of one invocation. Its fields are read and written by the rooms of the scheduler
 * (attempts, control flow); what it hands to its `ExecutionResult` is the output arrays only.
 */
export class Run<W extends object = object, P = unknown> {
  readonly values: unknown[];
  // Per-task state of this run, made by the plan's `runArrays` (see run-arrays.ts).
  readonly states: TaskArray;
  /** When each task started and ended: task `t`'s start at `2t`, its end at `2t + 1`. */
  readonly times: TaskArray;
  readonly reportOrder: TaskArray;
  reportCount = 0;
  readonly included: Uint8Array | undefined;
  readonly waitingFor: TaskArray;
  readonly ready: ReadyQueue;
  readonly events: RunEvents | undefined;
  // Copied out of the settings and the plan: read on every task. (Dropping these with a copy of
  // the instance and reading them through `plan`/`settings` measured ~3% slower on 10,000 tasks;
  // dropping the instance's copy alone made no difference.)
  private readonly concurrency: number;
  private readonly overrides: RunSettings['overrides'];
  private readonly bodies: readonly Function[] | undefined;
  /** `plan.argumentSlots`, unpacked: read for every argument of every task. */
  private readonly slotStart: Int32Array;
  private readonly slotList: Int32Array;
  /** Whether every attempt may take the fast path (no task interceptors). */
  private readonly plainAttempts: boolean;
  /** No task of this run has an attempt policy or goes through interceptors: all take the fast path. */
  private readonly allPlain: boolean;
  /** Where task methods are looked up after the instance's own properties; see `lookUpTask`. */
  private readonly prototype: object | undefined;
  /** The clock's reading when the run started (see `start`). */
  private startedAt = 0;
  /**
   * Milliseconds since the run began, read once per settled task — or once per turn of the
   * microtask queue for tasks whose promises settled (see clock.ts). A task starts at the reading
   * of the event that let it start: the run's start, or the settling of the task that freed it.
   */
  clock = 0;
  inFlight = 0;
  /** Tasks of this run not yet succeeded, failed, skipped or cancelled. */
  unfinished: number;
  stopReason: StopReason = NOT_STOPPED;
  private pumping = false;
  settled = false;
  /** What only some runs need, made by the first that needs it (see {@link RunExtras}). */
  private extras: RunExtras | undefined;
  /** What this run borrowed from its plan (its `waitingFor`, `ready` and promise reactions). */
  private readonly scratch: RunScratch;
  /** Settle the run's promise: set by `launch`, once, before the run starts. */
  resolve: (result: ExecutionResult<W, P>) => void = noop;
  reject: (error: unknown) => void = noop;

  constructor(
    readonly instance: W,
    readonly plan: WorkflowPlan,
    readonly param: P,
    readonly settings: RunSettings,
    interceptorInfo: RunInterceptorInfo | undefined,
  ) {
    const taskCount = plan.names.length;
    this.prototype =
      plan.prefersPrototypeLookup && !isProxy(instance)
        ? Object.getPrototypeOf(instance)
        : undefined;
    this.values = new Array(taskCount);
    const arrays = plan.runArrays;
    this.states = arrays.states();
    this.times = arrays.times();
    this.reportOrder = arrays.indexes();
    const scratch = (this.scratch = plan.scratch.borrow(plan, this));
    this.waitingFor = scratch.waitingFor;
    this.ready = scratch.queue(settings.ranks);
    const { included, hooks, eventSink } = settings;
    this.included = included;
    this.concurrency = settings.concurrency;
    this.overrides = settings.overrides;
    this.bodies = plan.bodies;
    this.slotStart = plan.argumentSlots.start;
    this.slotList = plan.argumentSlots.list;
    this.plainAttempts = settings.taskInterceptors === undefined;
    this.allPlain = this.plainAttempts && !plan.hasAttemptPolicies;
    if (plan.hasAttemptPolicies || interceptorInfo !== undefined) this.startExtras(interceptorInfo);
    this.events =
      hooks === undefined && eventSink === undefined
        ? undefined
        : new RunEvents(this, hooks, eventSink);
    this.unfinished = included === undefined ? taskCount : countIncluded(included);
  }

  private more(): RunExtras {
    return (this.extras ??= new RunExtras());
  }

  /**
   * What a run with attempt policies or interceptors has from its start. A method of its own, so
   * that the constructor stays small enough (under 460 bytes of bytecode) for V8 to inline it into
   * `launch`: a plain run is then made without a call through the generic construct stub.
   */
  private startExtras(interceptorInfo: RunInterceptorInfo | undefined): void {
    const extras = this.more();
    if (this.plan.hasAttemptPolicies) extras.attempts = this.plan.runArrays.indexes();
    if (interceptorInfo !== undefined) extras.interceptorInfo = interceptorInfo;
  }

  /**
   * Attempts per task with an attempt policy (a timeout, retries or a fallback; 0 for the others);
   * `undefined` when no task has one.
   */
  get attempts(): TaskArray | undefined {
    return this.extras?.attempts;
  }

  /** The run's failures, in the order they happened; `undefined` while there is none. */
  get failures(): TaskFailure[] | undefined {
    return this.extras?.failures;
  }

  /** What the last synchronous throw in `call` threw (it returns {@link THREW} instead). */
  get thrown(): unknown {
    return this.extras?.thrown;
  }

  /** What the run interceptors were given; each task interceptor gets it as `info.run`. */
  get interceptorInfo(): RunInterceptorInfo | undefined {
    return this.extras?.interceptorInfo;
  }

  /** The errors that fallbacks recovered tasks from, by task; `undefined` when none did. */
  get recoveredFrom(): Map<number, unknown> | undefined {
    return this.extras?.recoveredFrom;
  }

  /**
   * While one event (a stop, a failure that stops the run) is being handled, collects `tasks`, made
   * ready by it, to be queued together in declaration order when it ends (see control-flow.ts):
   * whether it did (no event is being handled otherwise).
   */
  collectReleases(tasks: number[]): boolean {
    const extras = this.extras;
    if (extras === undefined || !extras.releaseBatchOpen) return false;
    const batch = (extras.releaseBatch ??= []);
    for (const task of tasks) batch.push(task);
    return true;
  }

  /**
   * Starts collecting one event's releases, unless an outer event already does: whether it did.
   * Until the batch closes, nothing starts (a task the event settles on the way — a retry wait it
   * fails, a fallback it runs — would pump): under a limit, a task queued earlier must not take a
   * slot ahead of a higher-ranked one the batch holds. The caller pumps after closing. Opening
   * one allocates nothing: most events release nothing into it.
   */
  private openReleaseBatch(): boolean {
    const extras = this.more();
    if (extras.releaseBatchOpen) return false;
    extras.releaseBatchOpen = true;
    extras.releaseBatchHeldPump = !this.pumping;
    this.pumping = true;
    return true;
  }

  /** Queues what the batch {@link openReleaseBatch} opened collected, if it opened one. */
  private closeReleaseBatch(opened: boolean): void {
    if (!opened) return;
    const extras = this.extras!;
    const batch = extras.releaseBatch;
    extras.releaseBatch = undefined;
    extras.releaseBatchOpen = false;
    if (extras.releaseBatchHeldPump) this.pumping = false;
    queueInDeclarationOrder(this, batch);
  }

  /** Tasks that started and then called `skip()`; `undefined` when none did. */
  get skippedItself(): Set<number> | undefined {
    return this.extras?.skippedItself;
  }

  start(): void {
    // A run started under fake timers keeps their clock to its end, whatever is installed later.
    const clock = clockAtRunStart();
    if (clock !== undefined) this.more().clock = clock;
    this.startedAt = readClock(clock);
    const { signal, internalAbort } = this.settings;
    if (signal !== undefined || internalAbort !== undefined) {
      // An abort before the start starts nothing at all, `allSettled` tasks included. (The
      // stream's abort counts only if it came first: see RunAbort.abort.)
      if (internalAbort?.aborted) return this.abortBeforeStart(internalAbort.reason);
      if (signal !== undefined && signalProperty(signal, 'aborted')) {
        return this.abortBeforeStart(abortReason(signal));
      }
      this.listenForAborts(signal, internalAbort);
    }
    const { roots } = this.plan;
    for (let position = 0; position < roots.length; position++) {
      if (this.isIncluded(roots[position])) this.ready.push(roots[position]);
    }
    this.pump();
  }

  private abortBeforeStart(reason: unknown): void {
    this.stopReason = StopReason.Abort;
    this.more().abortReason = reason;
    this.finish();
  }

  /**
   * Listens to the caller's signal and to the stream's abort. A signal's listeners run wherever
   * `abort()` was called — another request's code, a timer — but what the abort makes the run do
   * (start `allSettled` tasks, call fallbacks and hooks) must see the run's own async context
   * (AsyncLocalStorage stores, and so an OpenTelemetry context), as everything else the run starts
   * does: the abort is handled at once, inside the context captured now.
   */
  private listenForAborts(
    signal: AbortSignal | undefined,
    internalAbort: RunAbort | undefined,
  ): void {
    const context = captureAsyncContext();
    const onAbort =
      context === undefined
        ? (reason: unknown) => this.onAbort(reason)
        : (reason: unknown) => context.runInAsyncScope(() => this.onAbort(reason));
    const unsubscribe = signal === undefined ? undefined : subscribeToAbort(signal, onAbort);
    internalAbort?.listen(onAbort);
    this.more().unsubscribeFromAborts = () => {
      unsubscribe?.();
      internalAbort?.listen(undefined);
    };
  }

  /** Starts ready tasks while the limit allows. Re-entrant calls return at once; the loop picks up their work. */
  pump(): void {
    // A hook may have ended the run (aborting its signal) while the loop that calls this was still
    // at work: its borrowed queue is back with the plan, perhaps lent to another run.
    if (this.pumping || this.settled) return;
    this.pumping = true;
    const { ready, states } = this;
    const limit = this.concurrency;
    const { hasAllSettled } = this.plan;
    // After a stop only `allSettled` tasks are left to start (the rest were cancelled).
    while (
      ready.size > 0 &&
      this.inFlight < limit &&
      (this.stopReason === NOT_STOPPED || hasAllSettled)
    ) {
      // Under a limit the free slots decide the order: push order while every ready task fits.
      const task = ready.pop(limit - this.inFlight);
      // Only a stop cancels tasks that were already queued.
      if (this.stopReason === NOT_STOPPED || states[task] === Pending) this.startTask(task);
    }
    this.pumping = false;
    this.finishIfDone();
  }

  private startTask(task: number): void {
    this.states[task] = Running;
    this.inFlight++;
    this.times[2 * task] = this.clock;
    this.reportOrder[this.reportCount++] = task;
    if (this.allPlain || (this.plainAttempts && this.plan.attemptPolicies[task] === undefined)) {
      this.runPlainAttempt(task);
    } else {
      this.attemptRunner().start(task);
    }
  }

  /** A task without options or interceptors: call it and settle once. */
  private runPlainAttempt(task: number): void {
    if (this.events !== undefined && !this.announceStart(task, 1, NONE)) return;
    this.settleAttempt(task, 1, this.call(task, 1, undefined));
  }

  /**
   * Settles attempt `attempt` of `task` with what calling it gave ({@link call}'s outcome): at once
   * for a value or a synchronous throw, when it settles for a promise.
   */
  settleAttempt(task: number, attempt: number, outcome: unknown): void {
    if (outcome === THREW) return this.attemptFailed(task, attempt, this.thrown);
    if (outcome instanceof IntrinsicPromise) {
      // A first attempt reports through the run's lent reactions, if its scratch is kept for
      // later runs; other attempts (retries, runs of large plans) make their own.
      if (attempt === 1 && this.scratch.kept) {
        this.scratch.subscribe(task, outcome);
      } else {
        this.settleWithClosures(task, attempt, outcome);
      }
    } else {
      this.taskSucceeded(task, attempt, outcome, NONE);
    }
  }

  /** Reactions made for this attempt: a retry, or any attempt of a run of a large plan. */
  private settleWithClosures(task: number, attempt: number, outcome: Promise<unknown>): void {
    outcome.then(
      (value) => this.taskFulfilled(task, attempt, value),
      (error) => this.attemptFailed(task, attempt, error),
    );
  }

  /**
   * Emits the start of an attempt. A hook that throws fails the task with that error — without
   * retries or fallback: a hook's error is the caller's, not the task's — and the task is not
   * called; returns whether the task may go on. `previousError`: for a retry, the error of the
   * attempt before it, which the failure keeps as its `attemptError` ({@link NONE} for a first
   * attempt; passed explicitly, as an error may be `undefined`).
   */
  announceStart(task: number, attempt: number, previousError: unknown): boolean {
    try {
      this.events!.taskStart(task, attempt, this.clock);
      return true;
    } catch (error) {
      this.taskFailedInHook(task, attempt, error, previousError, 'onTaskStart');
      return false;
    }
  }

  /**
   * An attempt of `task` ended with `error`: a `skip()`, or a failure that its attempt policy turns
   * into a retry, a fallback value or the task's failure.
   */
  attemptFailed(task: number, attempt: number, error: unknown): void {
    const reason = skipReasonOf(error);
    if (reason !== undefined) return this.taskSkippedItself(task, reason);
    if (this.plan.attemptPolicies[task] === undefined) {
      return this.taskFailed(task, attempt, error, NONE);
    }
    // What follows the failed attempt is one event: `retryIf`, `retryDelay`, `onTaskRetry` or a
    // fallback may stop the run (aborting its signal), and what that stop releases queues with
    // what the task's outcome releases, once they returned — no task starts inside them.
    const opened = this.openReleaseBatch();
    this.attemptRunner().failed(task, attempt, error);
    this.closeReleaseBatch(opened);
    this.pump();
  }

  /** The run's attempt policies at work (timeouts, retries, fallbacks), made on first use. */
  private attemptRunner(): AttemptRunner {
    return (this.more().attemptRunner ??= new AttemptRunner(this));
  }

  /**
   * Calls the task's function with its bound arguments. Returns a native promise for an
   * asynchronous outcome, the value for a synchronous one, or {@link THREW} (with the error in
   * `thrown`). `attemptSignal` is the attempt's own signal, when it has one (a timeout).
   */
  call(task: number, attempt: number, attemptSignal: AbortSignal | undefined): unknown {
    // `this` of the task functions: the instance for a class, `undefined` for a builder (whose
    // functions are in `bodies`).
    const { plan, instance: receiver, overrides, bodies } = this;
    try {
      // A builder's task is its function, called with `this` undefined; a class's task is the
      // method of that name, looked up on the instance now.
      const fn: unknown =
        overrides === undefined && bodies === undefined
          ? this.lookUpTask(plan.names[task])
          : (overrides?.[task] ?? bodies?.[task] ?? this.lookUpTask(plan.names[task]));
      if (typeof fn !== 'function') {
        throw new TypeError(
          `${bareName(plan.workflow)}: task ${quotedName(plan.names[task])} is not a function on the instance (it is ${fn === null ? 'null' : typeof fn}): ` +
            'a property, field or getter of that name hides the @Task() method. Rename it, or ' +
            'replace the task with the overrides option.',
        );
      }
      const inputKinds = plan.inputKinds[task];
      if (inputKinds !== 0) {
        attemptSignal ??= this.signalFor(task);
        if ((inputKinds & TakesInput.Context) !== 0) {
          this.more().context = this.makeContext(task, attempt, attemptSignal);
        }
      }
      const start = this.slotStart;
      const list = this.slotList;
      const first = start[task];
      const arity = start[task + 1] - first;
      const rule = plan.whenRules === undefined ? ALL_SUCCEEDED : plan.whenRules[task];
      let result: unknown;
      // Direct calls for the common arities: no arguments array to allocate.
      if (rule !== ALL_SUCCEEDED || arity > 3) {
        const args = new Array(arity);
        for (let position = 0; position < arity; position++) {
          const slot = list[first + position];
          args[position] =
            slot >= 0 && rule !== ALL_SUCCEEDED
              ? dependencyArgument(this, slot, rule)
              : this.argument(slot, attemptSignal);
        }
        result = fn.apply(receiver, args);
      } else if (arity === 0) {
        result = fn.call(receiver);
      } else if (arity === 1) {
        result = fn.call(receiver, this.argument(list[first], attemptSignal));
      } else if (arity === 2) {
        result = fn.call(
          receiver,
          this.argument(list[first], attemptSignal),
          this.argument(list[first + 1], attemptSignal),
        );
      } else {
        result = fn.call(
          receiver,
          this.argument(list[first], attemptSignal),
          this.argument(list[first + 1], attemptSignal),
          this.argument(list[first + 2], attemptSignal),
        );
      }
      return adoptOutcome(result);
    } catch (error) {
      this.more().thrown = error;
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
    if (slot === CONTEXT_SLOT) return this.extras!.context;
    return attemptSignal;
  }

  /**
   * The `TaskContext` of one attempt; `progress` reaches the stream and `onTaskProgress` while the
   * attempt is the task's latest and the task has not settled (a report after the task's outcome
   * would come after its last event).
   */
  private makeContext(task: number, attempt: number, signal: AbortSignal): TaskContext {
    return {
      task: this.plan.names[task],
      attempt,
      signal,
      progress: progressOf(this.link(), task, attempt),
    };
  }

  /**
   * A `TaskContext.progress` report, while its attempt is running (else ignored). What
   * `onTaskProgress` throws is thrown to the task — but a `skip()` there is a hook's, which cannot
   * skip the task: the task gets the `TypeError` that says so, not the marker it would skip with.
   */
  reportProgress(task: number, attempt: number, data: unknown): void {
    if (this.events !== undefined && this.isCurrentAttempt(task, attempt)) {
      try {
        this.events.taskProgress(task, attempt, data, this.tick());
      } catch (hookError) {
        throw failureError(this.plan.workflow, this.plan.names[task], hookError);
      }
    }
  }

  /**
   * Whether `attempt` of `task` is running: the task is, this is its latest attempt (a task without
   * attempt policies has only attempt 1, and records none), and that attempt has not failed (its
   * retry policy, `onTaskRetry` or fallback is not deciding what follows, and the task is not
   * waiting out a retry delay or for its fallback).
   */
  isCurrentAttempt(task: number, attempt: number): boolean {
    if (this.settled || this.states[task] !== Running) return false;
    if (this.attempts === undefined) return attempt === 1;
    return (
      Math.max(1, this.attempts[task]) === attempt &&
      this.extras?.attemptRunner?.isBetweenAttempts(task) !== true
    );
  }

  /** Whether `task` is a `when: 'allSettled'` task (it runs even after the run stopped). */
  isAllSettled(task: number): boolean {
    return this.plan.whenRules !== undefined && this.plan.whenRules[task] === WhenRule.AllSettled;
  }

  /**
   * The signal an attempt of `task` without one of its own gets: the run's, or, for an
   * `allSettled` task (which runs even after the run stopped), a fresh one that never aborts.
   */
  signalFor(task: number): AbortSignal {
    return this.isAllSettled(task) ? undefinedAbortSignal() : this.runSignal();
  }

  /** The signal handed to tasks that take one, created on first use. */
  private runSignal(): AbortSignal {
    const extras = this.more();
    if (extras.runController === undefined) {
      extras.runController = new AbortController();
      // Every task may listen to it (fetch, timers…): a fan-out signal, not a leak.
      allowManyListeners(extras.runController.signal);
      if (this.stopReason !== NOT_STOPPED) extras.runController.abort(this.stopError());
    }
    return extras.runController.signal;
  }

  /**
   * Hooks are synchronous, but one may be an `async` function: its rejection fails the run like a
   * throw would (never an unhandled rejection). After the run settled there is no run left to
   * fail, so it becomes a warning instead of vanishing.
   */
  watchHook(task: number, hookName: HookName, returned: unknown): void {
    if (!isThenable(returned)) return;
    watchHookPromise(this.link(), task, hookName, returned);
  }

  /** What a promise or closure that may outlive this run holds of it (see {@link RunLink}). */
  private link(): RunLink {
    return (this.more().link ??= new RunLink(this));
  }

  /** The promise of `hook` for task `task` rejected with `error` while the run was going. */
  hookRejected(task: number, hook: HookName, error: unknown): void {
    this.tick();
    this.hookFailed(task, error, hook, true);
    // A stop may have made `allSettled` tasks ready: start them (pump ends with finishIfDone).
    this.pump();
  }

  /**
   * `hook` (not the task) threw `thrown` — or its promise rejected with it: that counts as a
   * failure of the run, for task `task`.
   */
  hookFailed(task: number, thrown: unknown, hook: HookName, rejected: boolean): void {
    const name = this.plan.names[task];
    this.recordHookFailure({ hook, rejected, failedTask: false });
    this.addFailure({ task: name, error: failureError(this.plan.workflow, name, thrown) });
    if (this.settings.failFast) this.stop(StopReason.Failure, undefined);
  }

  /**
   * `hook` threw `thrown` where that fails task `task` (`onTaskStart`, `onTaskSuccess`,
   * `onTaskRetry`): {@link taskFailed}, remembering which hook it was for the messages.
   */
  taskFailedInHook(
    task: number,
    attempt: number,
    thrown: unknown,
    attemptError: unknown,
    hook: HookName,
  ): void {
    this.recordHookFailure({ hook, rejected: false, failedTask: true });
    this.taskFailed(task, attempt, thrown, attemptError);
  }

  /**
   * Records that the failure about to be added is `hook`'s: {@link addFailure} marks its entry, as
   * the entry is made by `taskFailed` (whose path stays as it is for runs whose hooks do not throw).
   */
  private recordHookFailure(hook: HookFailure): void {
    this.more().nextFailureHook = hook;
  }

  private addFailure(failure: TaskFailure): void {
    const extras = this.more();
    (extras.failures ??= []).push(loggableFailure(failure));
    if (extras.nextFailureHook !== undefined) {
      markHookFailure(failure, extras.nextFailureHook);
      extras.nextFailureHook = undefined;
    }
  }

  /** Whether `task` is part of this run (every task is, unless `targets` narrowed it). */
  isIncluded(task: number): boolean {
    return this.included === undefined || this.included[task] === 1;
  }

  /**
   * The run's duration once it settled: the clock was last read by the event that settled it (a
   * task's end, an abort, a hook's rejection), or by its start for a run that started nothing.
   */
  get durationMs(): number {
    return this.clock;
  }

  /** Reads the clock: milliseconds since the run began. */
  tick(): number {
    return (this.clock = readClock(this.extras?.clock) - this.startedAt);
  }

  /**
   * Task `task` succeeded with `value` — or its fallback recovered it from `recoveredFrom`
   * ({@link NONE} when it did not: `undefined` is an error a task may throw, so callers pass the
   * marker explicitly rather than through a default parameter). Its dependents whose counters
   * reach zero become ready.
   */
  taskSucceeded(task: number, attempt: number, value: unknown, recoveredFrom: unknown): void {
    this.tick();
    this.recordSuccess(task, attempt, value, recoveredFrom);
  }

  /**
   * {@link taskSucceeded} from a reaction to the promise that `task` returned: it reads the clock
   * shared by the reactions of this turn of the microtask queue. Starting to share costs about two
   * readings (a reading and a microtask), so this run starts it only when at least two other tasks
   * of it are in flight: their reactions may come in the same turn.
   */
  taskFulfilled(task: number, attempt: number, value: unknown): void {
    this.clock = readClockInReaction(this.inFlight > 2, this.extras?.clock) - this.startedAt;
    this.recordSuccess(task, attempt, value, NONE);
  }

  /** {@link taskSucceeded} once the clock was read for it. */
  private recordSuccess(
    task: number,
    attempt: number,
    value: unknown,
    recoveredFrom: unknown,
  ): void {
    const end = this.clock;
    // The attempt is over before `onTaskSuccess` runs: a `progress` report the hook makes happen
    // (an abort listener of the body, when the hook aborts the run) would follow the task's last
    // event, and an interceptor's late `next()` would call a task that has its value. A hook that
    // throws makes the task fail instead (`taskFailed` sets its state).
    this.states[task] = Succeeded;
    const { events } = this;
    // The success is one event: what a stop its onTaskSuccess hook causes (aborting the run's
    // signal) releases and this task's own dependents queue together, after the hook returned.
    // (A hook that throws fails the task, which batches on its own. A run without the hook, or
    // without a signal to abort, needs no batch: a stream's reader never runs inside the run.)
    let opened = false;
    if (events !== undefined) {
      if (
        this.settings.hooks?.onTaskSuccess !== undefined &&
        this.extras?.unsubscribeFromAborts !== undefined
      ) {
        opened = this.openReleaseBatch();
      }
      try {
        events.taskSuccess(task, attempt, value, end - this.times[2 * task], recoveredFrom, end);
      } catch (error) {
        // The hook's error fails the task; the error a fallback recovered it from stays reachable.
        this.taskFailedInHook(task, attempt, error, recoveredFrom, 'onTaskSuccess');
        this.closeReleaseBatch(opened);
        return this.pump();
      }
    }
    this.values[task] = value;
    this.times[2 * task + 1] = end;
    this.inFlight--;
    this.unfinished--;
    if (recoveredFrom !== NONE) (this.more().recoveredFrom ??= new Map()).set(task, recoveredFrom);
    if (this.stopReason === NOT_STOPPED) {
      const { start, list } = this.plan.dependents;
      const { waitingFor, ready, states } = this;
      for (let edge = start[task]; edge < start[task + 1]; edge++) {
        const dependent = list[edge];
        if (--waitingFor[dependent] === 0 && states[dependent] === Pending) {
          if (this.isIncluded(dependent)) ready.push(dependent);
        }
      }
    } else if (this.plan.hasAllSettled) {
      settleDependentsAfterStop(this, task);
    }
    if (opened) this.closeReleaseBatch(opened);
    this.pump();
  }

  /**
   * Task `task` failed for good with `thrown`. `attemptError` is the attempt's own error when
   * `thrown` was thrown by a retry policy (`retryIf`, `retryDelay`, `onTaskRetry`) or a fallback
   * while handling it, or by the `onTaskStart` hook of the retry that followed it (or the error the
   * fallback recovered from, when `onTaskSuccess` threw on the recovery), else {@link NONE} (passed
   * explicitly: the attempt's error may be `undefined`).
   */
  taskFailed(task: number, attempt: number, thrown: unknown, attemptError: unknown): void {
    const error = failureError(this.plan.workflow, this.plan.names[task], thrown);
    this.values[task] = error;
    this.states[task] = Failed;
    const end = (this.times[2 * task + 1] = this.tick());
    this.inFlight--;
    this.unfinished--;
    const name = this.plan.names[task];
    this.addFailure(
      attemptError === NONE ? { task: name, error } : { task: name, error, attemptError },
    );
    // The failure is one event: what the stop it causes releases (also a stop its onTaskFailure
    // hook causes, by throwing or aborting) and this task's own dependents queue together.
    const opened = this.openReleaseBatch();
    if (this.events !== undefined) {
      try {
        this.events.taskFailure(task, attempt, error, end);
      } catch (hookError) {
        this.hookFailed(task, hookError, 'onTaskFailure', false);
      }
    }
    if (this.settings.failFast) this.stop(StopReason.Failure, undefined);
    settleDependents(this, task, Failed);
    this.closeReleaseBatch(opened);
    this.pump();
  }

  /**
   * Task `task` — or its fallback, once it failed for good — called `skip(reason)` (its attempt
   * count is already recorded).
   */
  taskSkippedItself(task: number, reason: string): void {
    this.inFlight--;
    (this.more().skippedItself ??= new Set()).add(task);
    // The skip is one event: what a stop an onTaskSkip hook causes (by throwing or aborting)
    // releases and what the skip releases down the graph queue together, after the hooks returned.
    const opened = this.openReleaseBatch();
    skipTask(this, task, reason, this.tick(), true);
    settleDependents(this, task, Skipped);
    this.closeReleaseBatch(opened);
    this.pump();
  }

  private onAbort(reason: unknown): void {
    // A second abort (the caller's after the stream's, or the reverse), or one after a failure
    // stopped the run, changes nothing.
    if (this.stopReason !== NOT_STOPPED) return;
    this.tick();
    this.stop(StopReason.Abort, reason);
    // The stop may have made `allSettled` tasks ready: start them (pump ends with finishIfDone).
    this.pump();
  }

  /**
   * No new task starts (but `allSettled` ones); running tasks see their signals abort; retry waits
   * end.
   */
  stop(reason: StopReason, abortReason: unknown): void {
    if (this.stopReason !== NOT_STOPPED) return;
    // Under failFast a recorded failure is a stop even when an abort gets here first (from the
    // task's onTaskFailure hook, called before taskFailed stops the run): the failure came first.
    if (reason === StopReason.Abort && this.settings.failFast && this.failures !== undefined) {
      reason = StopReason.Failure;
    }
    this.stopReason = reason;
    // A stopped run hears no more aborts (onAbort ignores them), so it lets go of the caller's
    // signal now, not when its last task settles: a task that ignores its signal may never settle,
    // and would keep the run attached to a long-lived signal for good. (Called again when the run
    // finishes; it does nothing twice.)
    this.extras?.unsubscribeFromAborts?.();
    if (reason === StopReason.Abort) this.more().abortReason = abortReason;
    const signalReason = this.stopError();
    this.extras?.runController?.abort(signalReason);
    // What the stop releases — pending tasks cancelled, retry waits failed — is one event's.
    const opened = this.openReleaseBatch();
    if (this.plan.hasAllSettled) cancelPendingTasks(this);
    this.extras?.attemptRunner?.stop(signalReason);
    this.closeReleaseBatch(opened);
  }

  /**
   * The reason given to aborted signals when the run stops (the run has stopped): the abort's
   * reason, or one error for the failure that stopped it, made once, so every signal has the same.
   */
  stopError(): unknown {
    const extras = this.extras!;
    if (this.stopReason === StopReason.Abort) return extras.abortReason;
    return (extras.failureStopError ??= this.failureStopError());
  }

  private failureStopError(): Error {
    const first = this.failures![0];
    const { workflow } = this.plan;
    // As the run error will say it: a task's own timeout, or the hook that failed it, said once.
    const why = failureHeadline(workflow, first.task, first.error, hookFailureOf(first));
    const error = new Error(`${bareName(workflow)}: run stopped because ${why}`, {
      cause: first.error,
    });
    error.name = 'AbortError';
    // A task may keep its aborted signal, and so this error, for good (its cause, a failure, is
    // formatted when the run finishes: settleKeptErrors).
    settleStack(error);
    return error;
  }

  finishIfDone(): void {
    if (this.settled || this.inFlight > 0 || this.pumping) return;
    if (this.unfinished === 0 || (this.stopReason !== NOT_STOPPED && !this.plan.hasAllSettled)) {
      this.finish();
    }
  }

  /** Settles the run: called once, by `finishIfDone` or by `abortBeforeStart`. */
  private finish(): void {
    this.settled = true;
    this.extras?.unsubscribeFromAborts?.();
    if (this.extras?.link !== undefined) this.extras.link.run = undefined;
    // Nothing is in flight, so every reaction the run handed out has fired.
    this.plan.scratch.giveBack(this.scratch);
    if (this.extras !== undefined) settleKeptErrors(this.extras);
    // The result copies the run's output fields; it does not keep the run.
    const result = new ExecutionResult<W, P>(this.plan, this.param, this);
    const { workflow } = this.plan;
    if (this.stopReason === StopReason.Abort) {
      this.rejectWith(
        new WorkflowAbortedError(workflow, this.extras!.abortReason, result, this.failures),
      );
    } else if (this.failures !== undefined) {
      const [first] = this.failures;
      this.rejectWith(
        new WorkflowExecutionError(workflow, first.task, first.error, this.failures, result),
      );
    } else {
      this.resolve(result);
    }
  }

  /**
   * Rejects the run's promise with `error`, made in the run's own frames: its stack is formatted
   * first, or V8 would keep those frames' receiver — this run, and through it the instance, the
   * caller's signal and hooks — for as long as the error lives unread (an error log, a cached
   * failed promise).
   */
  private rejectWith(error: Error): void {
    settleStack(error);
    this.reject(error);
  }
}

/** How many of a run's kept errors {@link settleKeptErrors} formats. */
const FORMATTED_KEPT_ERRORS = 100;

/**
 * Formats the stacks of the errors a result or a run error keeps — failures (and the attempt errors
 * behind them) and the errors fallbacks recovered from — as {@link Run.rejectWith} does for the run
 * error: made while the run's frames were on the stack (a task called by the run), they would keep
 * the run, and through it the instance, the caller's signal and hooks, for as long as they live.
 *
 * The first {@link FORMATTED_KEPT_ERRORS} only. Formatting a frame whose `this` is the instance
 * can cost time in proportion to the class's size — V8 looks for the method's name among the
 * receiver's properties when the function has another name (a generated class sharing one body) —
 * measured 1.6 ms per error at 100,000 tasks: a run with as many failures took minutes. A run with
 * more kept errors than that leaves the rest to whoever reads them; such a run's errors and result
 * are already of the run's size.
 */
function settleKeptErrors(extras: RunExtras): void {
  let formatting = FORMATTED_KEPT_ERRORS;
  for (const failure of extras.failures ?? []) {
    if (formatting-- === 0) return;
    settleStack(failure.error);
    settleStack(failure.attemptError);
  }
  for (const error of extras.recoveredFrom?.values() ?? []) {
    if (formatting-- === 0) return;
    settleStack(error);
  }
}

/**
 * The state of what a plain run does not use — attempt counts, failures, a caller's signal, the
 * run's own signal, attempt policies, the task context, fallbacks, `skip()`, interceptors — in one
 * object made on first use:
 * every field of a `Run` costs every invoke 8 bytes, and a small workflow's whole invoke allocates
 * only a few hundred.
 */
class RunExtras {
  /**
   * The clock the run started under when it is not the real one (fake timers; see clock.ts): it
   * dates the run to its end.
   */
  clock: RunClock | undefined = undefined;
  attempts: TaskArray | undefined = undefined;
  failures: TaskFailure[] | undefined = undefined;
  thrown: unknown = undefined;
  /**
   * Why the run was aborted (the caller's `signal.reason`, or the stream's reason when its reader
   * left early), once it was.
   */
  abortReason: unknown = undefined;
  /** The reason of aborted signals when a failure stopped the run (see `Run.stopError`). */
  failureStopError: Error | undefined = undefined;
  /** The signal handed to tasks that take one. */
  runController: AbortController | undefined = undefined;
  attemptRunner: AttemptRunner | undefined = undefined;
  unsubscribeFromAborts: (() => void) | undefined = undefined;
  /** The `TaskContext` of the attempt being called, while its arguments are gathered. */
  context: TaskContext | undefined = undefined;
  recoveredFrom: Map<number, unknown> | undefined = undefined;
  skippedItself: Set<number> | undefined = undefined;
  /** The hook that made the failure about to be added (see `recordHookFailure`). */
  nextFailureHook: HookFailure | undefined = undefined;
  interceptorInfo: RunInterceptorInfo | undefined = undefined;
  /** What outlives the run holds of it (see {@link RunLink}). */
  link: RunLink | undefined = undefined;
  /** Whether one event's releases are being collected (see {@link Run.collectReleases}). */
  releaseBatchOpen = false;
  /** What they are, once there is one. */
  releaseBatch: number[] | undefined = undefined;
  /** Whether opening the batch held the pump (it was not already running). */
  releaseBatchHeldPump = false;
}

/**
 * What may outlive a run holds of it — the promises hooks return (`() => appReady`), the
 * `progress` of a `TaskContext` a task keeps: the run until it settles, then only its plan's
 * outline (for the names a warning needs). It must not keep the finished run and its results
 * alive, nor the workflow's functions (see PlanOutline: a DAG built per request closes over it).
 */
class RunLink {
  run: Run<any, any> | undefined;
  /** The outline of the run's plan. */
  readonly outline: PlanOutline;

  constructor(run: Run<any, any>) {
    // Made after the run settled: nothing left to link to. No hook is known to get here (each runs
    // inside the pump, inside a release batch or while its task is in flight, and none of these
    // lets the run settle), but a link to a settled run would hand a late rejection to it.
    this.run = run.settled ? undefined : run;
    this.outline = run.plan.outline;
  }
}

/**
 * {@link Run.watchHook}'s reaction to a hook's promise: it fails the run, or warns once the run has
 * settled. A function of its own, so the reaction holds `link`, not the run.
 */
function watchHookPromise(
  link: RunLink,
  task: number,
  hookName: HookName,
  returned: PromiseLike<unknown>,
): void {
  intrinsicPromiseOf(returned).then(undefined, (error: unknown) => {
    const { run } = link;
    if (run !== undefined) return run.hookRejected(task, hookName, error);
    warn(
      `${bareName(link.outline.workflow)}: the ${hookName} hook of task ${quotedName(link.outline.names[task])} rejected after the run settled: ${describeThrown(error)}`,
      stackOf(error),
    );
  });
}

/**
 * The `progress` of attempt `attempt` of `task`'s `TaskContext`. A function of its own, so it
 * holds `link`, not the run: a task may keep its context long after its run.
 */
function progressOf(link: RunLink, task: number, attempt: number): (data: unknown) => void {
  return (data) => link.run?.reportProgress(task, attempt, data);
}

function noop(): void {}

function countIncluded(included: Uint8Array): number {
  let count = 0;
  for (let task = 0; task < included.length; task++) count += included[task];
  return count;
}

/** A signal that never aborts: what an `allSettled` task without a timeout gets. */
function undefinedAbortSignal(): AbortSignal {
  const { signal } = new AbortController();
  // The task may fan out on it (a `fetch` per item), as on the run's signal.
  allowManyListeners(signal);
  return signal;
}
