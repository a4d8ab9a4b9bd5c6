/**
 * A second, independent reference model of a run (API.md §2 and §8), for virtual-clock.spec.ts:
 * a plain synchronous simulation of the whole run on a virtual clock, with no promises. Unlike
 * reference-model.ts, which takes from the run's own log where each task was when the run stopped,
 * this model decides everything itself — which task starts when and in which order, where a stop
 * finds each task, every trace time — so the spec can compare the library's exact start order and
 * trace against it.
 *
 * A task's attempts are scripted: each returns a value, throws or calls `skip()` after an integer
 * number of milliseconds (0: synchronously, inside the call). The spec runs the library under fake
 * timers (`setTimeout` and `performance` faked), so a body's duration is a timer, a timeout a
 * timer, a retry delay a timer (a delay of 0, a promise job: API.md gives none, the library waits
 * for a microtask) and the caller's abort a timer set before `invoke`. Timers due at the same
 * moment fire in the order they were set, each in a turn of its own (microtasks drained between
 * them), which the model reproduces with a creation counter and a microtask queue.
 *
 * The rules the model applies, from API.md:
 * - a task becomes ready once its dependencies have settled as its `when` rule needs; it is
 *   skipped as soon as the rule can no longer be met (the reason names the direct dependency); a
 *   skip passes on, breadth first;
 * - ready tasks start at once while fewer than `concurrency` tasks are in flight (a task waiting
 *   for a retry holds its place), in the order they became ready, those released by one event in
 *   declaration order; but when more are ready than there are free slots, by cumulative priority,
 *   then longest remaining path (both within the tasks the run covers), then declaration order —
 *   and so on until none is left waiting (then in the order they became ready again);
 * - a failed attempt is retried if retries are left and `retryIf` accepts the error (the stop ends
 *   the wait of a plain task: it fails with its last error); then the fallback recovers it, or it
 *   fails; a timeout fails the attempt at its timeout; a `retryIf` that throws fails the task with
 *   its error (which the fallback then gets);
 * - a stop (the first failure under `failFast`, or the abort) cancels every task that has not
 *   started and is not `allSettled`; `allSettled` tasks still run, within the limit, with their
 *   retries; running bodies' signals abort (but `allSettled` tasks'), and a body that honours its
 *   signal fails with the stop's reason, after what the stop does at once; the run settles once
 *   nothing is in flight.
 *
 * What API.md leaves open, the model takes from the library: a retry without a delay waits for a
 * promise job; `retryIf` is asked only while retries are left; tasks released by one event that
 * start together without a limit start in declaration order.
 */

/** What an attempt does once its duration is over. */
export type AttemptKind = 'value' | 'throw' | 'skip';

export interface AttemptScript {
  readonly kind: AttemptKind;
  /** Milliseconds on the fake clock; 0: the body returns, throws or skips synchronously. */
  readonly duration: number;
  /** For a throw: whether `retryIf` (when the task has one) accepts the error. */
  readonly transient: boolean;
  /** For a skip: the reason given (`undefined`: `skip()` with none). */
  readonly reason: string | undefined;
}

export type When = 'allSucceeded' | 'noneFailed' | 'allSettled';

export interface VirtualTask {
  readonly name: string;
  /** Indexes of earlier tasks in listed order (a task listed twice gets its value twice). */
  readonly dependsOn: readonly number[];
  readonly when: When;
  readonly retries: number;
  /** Milliseconds, or `'attempt'`: a `retryDelay` function returning the failed attempt's number. */
  readonly retryDelay: number | 'attempt';
  /**
   * `retryIf`, if any: `'transient'` accepts transient errors only; `'transientOrSecond'` also any
   * error of attempt 2; `'throws'` accepts transient errors and throws on any other.
   */
  readonly retryIf: 'none' | 'transient' | 'transientOrSecond' | 'throws';
  readonly fallback: 'none' | 'value' | 'throw';
  /** Fake ms the fallback takes (0: it returns or throws synchronously). */
  readonly fallbackDelay: number;
  readonly timeout: number | undefined;
  readonly priority: number;
  /**
   * Whether the body takes `SIGNAL` and gives up when it aborts, rejecting with its reason (only
   * in runs without a concurrency limit: which of several such bodies rejects first is not
   * specified, and under a limit it would decide what starts).
   */
  readonly honoursSignal: boolean;
  /** One entry per possible attempt (`retries + 1`). */
  readonly script: readonly AttemptScript[];
}

export interface VirtualCase {
  readonly tasks: readonly VirtualTask[];
  readonly concurrency: number;
  readonly failFast: boolean;
  /** Indexes of the targets, or `undefined` for the whole workflow. */
  readonly targets: readonly number[] | undefined;
  /** When the caller's signal aborts (fake ms after `invoke`), if it does. */
  readonly abortAt: number | undefined;
  /**
   * Or: the first call of task `task` sets a timer of `delay` fake ms that aborts the caller's
   * signal (so the abort's timer may come after others due at the same moment). At least 1 ms:
   * a 0 ms timer set while timers fire waits 1 ms, on fake timers as on Node.js.
   */
  readonly abortAfterCall: { readonly task: number; readonly delay: number } | undefined;
  /** Whether the run has hooks (which record what they see). */
  readonly hooks: boolean;
  /** The spec's only (the model ignores them): whether the run is streamed, and intercepted. */
  readonly stream?: boolean;
  readonly intercepted?: boolean;
}

/** The default reason of `skip()` called with none (API.md: "a default when none"). */
export const DEFAULT_REASON = 'skipped by the task';

// --- The labels both sides compute -------------------------------------------------------------

export function valueOf(task: string, attempt: number): string {
  return `${task}#${attempt}`;
}
export function thrownLabel(task: string, attempt: number): string {
  return `${task}#${attempt} failed`;
}
export function timeoutLabel(task: string): string {
  return `timeout of ${task}`;
}
export function fallbackValueOf(task: string, errorLabel: string): string {
  return `${task} recovered from ${errorLabel}`;
}
export function fallbackThrownLabel(task: string): string {
  return `fallback of ${task} failed`;
}
export function retryIfThrownLabel(task: string, attempt: number): string {
  return `retryIf of ${task} threw on attempt ${attempt}`;
}
/** The reason the caller aborts with. */
export const ABORT_LABEL = 'aborted by the caller';
/** How the model names the reason of a run's signal when a failure stopped it. */
export function failureStopLabel(firstFailure: string): string {
  return `run stopped: ${firstFailure}`;
}
export function stoppedReason(dependency: string): string {
  return `dependency "${dependency}" did not run: the run stopped before it started`;
}

/** One body call. `args`: each argument described (see `describeArgument` in the spec). */
export interface ModelCall {
  readonly task: string;
  readonly attempt: number;
  readonly time: number;
  readonly args: readonly string[];
}

export interface ModelTrace {
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly start: number;
  readonly end: number;
  readonly attempts: number;
  readonly reason?: string;
  readonly value?: string;
  readonly recoveredFrom?: string;
  /** Failed tasks: the label of their error. */
  readonly error?: string;
}

export type ModelSettlement =
  | { readonly kind: 'resolved' }
  | { readonly kind: 'WorkflowExecutionError'; readonly task: string }
  | { readonly kind: 'WorkflowAbortedError' };

export interface ModelRun {
  readonly calls: readonly ModelCall[];
  /** Tasks the run covers and did not cancel, by name. */
  readonly trace: ReadonlyMap<string, ModelTrace>;
  /** Tasks the run covers and cancelled. */
  readonly cancelled: readonly string[];
  readonly failures: readonly { readonly task: string; readonly error: string }[];
  readonly settlement: ModelSettlement;
  /** When the run settled (fake ms). */
  readonly settledAt: number;
  /** What the hooks see, in order: `start t#n@time`, `retry t#n after d@time`, `success t@time`, `failure t@time`, `skip t "reason"@time`. */
  readonly hooks: readonly string[];
}

// --- The simulation -----------------------------------------------------------------------------

type State = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
type SettledAs = 'succeeded' | 'failed' | 'skipped' | 'cancelled';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly fire: () => void;
  cancelled: boolean;
}

interface ModelError {
  readonly label: string;
  readonly transient: boolean;
}

/** Runs the case in the model. Throws if the model itself gets stuck (a bug of the model). */
export function simulate(spec: VirtualCase): ModelRun {
  return new Simulation(spec).run();
}

/** The tasks a run covers: the targets and their transitive dependencies, or all. */
export function coveredTasks(spec: VirtualCase): boolean[] {
  const included = spec.tasks.map(() => spec.targets === undefined);
  const stack = [...(spec.targets ?? [])];
  while (stack.length > 0) {
    const task = stack.pop()!;
    if (included[task]) continue;
    included[task] = true;
    stack.push(...spec.tasks[task].dependsOn);
  }
  return included;
}

/**
 * Start order under a limit: by cumulative priority (own plus the largest of 0 and the covered
 * dependents'), then longest remaining path among covered tasks, then declaration order. Returns
 * a comparator (negative: `a` first).
 */
function rankOrder(spec: VirtualCase, included: boolean[]): (a: number, b: number) => number {
  const count = spec.tasks.length;
  const dependents: number[][] = spec.tasks.map(() => []);
  spec.tasks.forEach((task, index) => {
    for (const dependency of new Set(task.dependsOn)) dependents[dependency].push(index);
  });
  const path = new Array<number>(count).fill(0);
  const priority = new Array<number>(count).fill(0);
  // Dependencies are always earlier tasks: walking backwards visits dependents first.
  for (let task = count - 1; task >= 0; task--) {
    if (!included[task]) continue;
    const below = dependents[task].filter((d) => included[d]);
    path[task] = 1 + Math.max(0, ...below.map((d) => path[d]));
    priority[task] = spec.tasks[task].priority + Math.max(0, ...below.map((d) => priority[d]));
  }
  return (a, b) => priority[b] - priority[a] || path[b] - path[a] || a - b;
}

class Simulation {
  private now = 0;
  private timerOrder = 0;
  private readonly timers: Timer[] = [];
  private readonly microtasks: (() => void)[] = [];

  private readonly tasks: readonly VirtualTask[];
  private readonly included: boolean[];
  private readonly dependents: number[][];
  private readonly state: State[];
  private readonly waiting: number[];
  private readonly ready: number[] = [];
  private readonly compare: ((a: number, b: number) => number) | undefined;
  /** Whether the tasks waiting start by rank: once more were ready than slots free, until none waits. */
  private ranking = false;
  private readonly hasAllSettled: boolean;
  private inFlight = 0;
  private stopped: 'no' | 'failure' | 'abort' = 'no';
  private finished = false;
  private pumping = false;
  /** Releases of the event being handled, queued together when it ends; `undefined`: none open. */
  private batch: number[] | undefined;

  private readonly attempts: number[];
  private readonly start: number[];
  private readonly end: number[];
  private readonly value: (string | undefined)[];
  private readonly reason: (string | undefined)[];
  private readonly error: (ModelError | undefined)[];
  private readonly recovered: (ModelError | undefined)[];
  /** Per task, the attempt in flight that may still settle, and its timeout timer. */
  private readonly live: ({ attempt: number; timeout: Timer | undefined } | undefined)[];
  private readonly pendingRetries = new Map<
    number,
    { attempt: number; error: ModelError; timer: Timer | undefined }
  >();

  private readonly calls: ModelCall[] = [];
  private readonly failures: { task: string; error: string }[] = [];
  private readonly hooks: string[] = [];
  private settledAt = -1;

  constructor(private readonly spec: VirtualCase) {
    this.tasks = spec.tasks;
    const count = this.tasks.length;
    this.included = coveredTasks(spec);
    this.dependents = this.tasks.map(() => []);
    this.tasks.forEach((task, index) => {
      for (const dependency of new Set(task.dependsOn)) this.dependents[dependency].push(index);
    });
    this.state = this.tasks.map(() => 'pending');
    this.waiting = this.tasks.map((task) => new Set(task.dependsOn).size);
    this.compare = Number.isFinite(spec.concurrency) ? rankOrder(spec, this.included) : undefined;
    this.hasAllSettled = this.tasks.some((task) => task.when === 'allSettled');
    this.attempts = new Array<number>(count).fill(0);
    this.start = new Array<number>(count).fill(0);
    this.end = new Array<number>(count).fill(0);
    this.value = new Array<string | undefined>(count);
    this.reason = new Array<string | undefined>(count);
    this.error = new Array<ModelError | undefined>(count);
    this.recovered = new Array<ModelError | undefined>(count);
    this.live = new Array(count);
  }

  run(): ModelRun {
    if (this.spec.abortAt !== undefined) this.setTimer(this.spec.abortAt, () => this.abort());
    this.event(() => {
      const roots: number[] = [];
      this.tasks.forEach((task, index) => {
        if (this.included[index] && task.dependsOn.length === 0) roots.push(index);
      });
      this.release(roots);
    });
    this.drainMicrotasks();
    while (!this.finished) {
      const next = this.nextTimer();
      if (next === undefined)
        throw new Error('the model is stuck: nothing in flight, run not over');
      this.now = next.at;
      next.cancelled = true;
      this.event(next.fire);
      this.drainMicrotasks();
    }
    const trace = new Map<string, ModelTrace>();
    const cancelled: string[] = [];
    this.tasks.forEach((task, index) => {
      if (!this.included[index]) return;
      const state = this.state[index];
      if (state === 'cancelled') return void cancelled.push(task.name);
      if (state !== 'succeeded' && state !== 'failed' && state !== 'skipped') {
        throw new Error(`the model finished with ${task.name} ${state}`);
      }
      const entry: ModelTrace = {
        status: state,
        start: this.start[index],
        end: this.end[index],
        attempts: this.attempts[index],
        ...(state === 'skipped' ? { reason: this.reason[index] } : {}),
        ...(state === 'succeeded' ? { value: this.value[index] } : {}),
        ...(this.recovered[index] ? { recoveredFrom: this.recovered[index]!.label } : {}),
        ...(state === 'failed' ? { error: this.error[index]!.label } : {}),
      };
      trace.set(task.name, entry);
    });
    const settlement: ModelSettlement =
      this.stopped === 'abort'
        ? { kind: 'WorkflowAbortedError' }
        : this.failures.length > 0
          ? { kind: 'WorkflowExecutionError', task: this.failures[0].task }
          : { kind: 'resolved' };
    return {
      calls: this.calls,
      trace,
      cancelled,
      failures: this.failures,
      settlement,
      settledAt: this.settledAt,
      hooks: this.hooks,
    };
  }

  // --- Time ---

  private setTimer(delay: number, fire: () => void): Timer {
    const timer: Timer = { at: this.now + delay, order: this.timerOrder++, fire, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  private nextTimer(): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers) {
      if (timer.cancelled) continue;
      if (
        next === undefined ||
        timer.at < next.at ||
        (timer.at === next.at && timer.order < next.order)
      ) {
        next = timer;
      }
    }
    return next;
  }

  private drainMicrotasks(): void {
    while (this.microtasks.length > 0) this.event(this.microtasks.shift()!);
  }

  // --- Events ---

  /**
   * One event: what it makes ready is queued together (in declaration order) when it ends, then
   * ready tasks start. Nested events (a synchronous outcome of a task started by the pump, a
   * failure the stop causes) add to the outer event's releases.
   */
  private event(body: () => void): void {
    if (this.finished) return;
    if (this.batch !== undefined) return body();
    this.batch = [];
    const wasPumping = this.pumping;
    this.pumping = true;
    body();
    const batch = this.batch.sort((a, b) => a - b);
    this.batch = undefined;
    this.pumping = wasPumping;
    this.queue(batch);
    this.pump();
  }

  private release(tasks: number[]): void {
    if (this.batch !== undefined) this.batch.push(...tasks);
    else this.queue([...tasks].sort((a, b) => a - b));
  }

  /** Queues tasks that became ready, but those a stop cancelled in the meantime. */
  private queue(tasks: readonly number[]): void {
    for (const task of tasks) if (this.state[task] === 'pending') this.ready.push(task);
  }

  private pump(): void {
    if (this.pumping || this.finished) return;
    this.pumping = true;
    while (
      this.ready.length > 0 &&
      this.inFlight < this.spec.concurrency &&
      (this.stopped === 'no' || this.hasAllSettled)
    ) {
      this.startTask(this.popReady());
    }
    this.pumping = false;
    this.finishIfDone();
  }

  private popReady(): number {
    const compare = this.compare;
    if (compare === undefined) return this.ready.shift()!;
    if (this.ready.length > this.spec.concurrency - this.inFlight) this.ranking = true;
    if (!this.ranking) return this.ready.shift()!;
    let best = 0;
    for (let i = 1; i < this.ready.length; i++) {
      if (compare(this.ready[i], this.ready[best]) < 0) best = i;
    }
    const task = this.ready.splice(best, 1)[0];
    if (this.ready.length === 0) this.ranking = false;
    return task;
  }

  private finishIfDone(): void {
    if (this.finished || this.inFlight > 0 || this.pumping) return;
    const open = this.tasks.some(
      (_, index) =>
        this.included[index] &&
        (this.state[index] === 'pending' || this.state[index] === 'running'),
    );
    if (open && (this.stopped === 'no' || this.hasAllSettled)) {
      if (this.ready.length === 0 && this.pendingRetries.size === 0) {
        throw new Error('the model is stuck: tasks left, none ready, none in flight');
      }
      return;
    }
    this.finished = true;
    this.settledAt = this.now;
  }

  // --- Attempts ---

  private startTask(task: number): void {
    this.state[task] = 'running';
    this.inFlight++;
    this.start[task] = this.now;
    this.attempt(task, 1);
  }

  private attempt(task: number, number: number): void {
    const spec = this.tasks[task];
    this.attempts[task] = number;
    const timeout =
      spec.timeout === undefined
        ? undefined
        : this.setTimer(spec.timeout, () => this.attemptEnded(task, number, { kind: 'timeout' }));
    this.live[task] = { attempt: number, timeout };
    this.hooks.push(`start ${spec.name}#${number}@${this.now}`);
    const armsAbort = this.spec.abortAfterCall;
    if (armsAbort !== undefined && armsAbort.task === task && number === 1) {
      this.setTimer(armsAbort.delay, () => this.abort());
    }
    this.calls.push({
      task: spec.name,
      attempt: number,
      time: this.now,
      args: this.argumentsOf(task),
    });
    const script = spec.script[number - 1];
    if (script.duration === 0) this.attemptEnded(task, number, script);
    else this.setTimer(script.duration, () => this.attemptEnded(task, number, script));
  }

  private attemptEnded(
    task: number,
    number: number,
    outcome: AttemptScript | { kind: 'timeout' } | { kind: 'aborted'; label: string },
  ): void {
    const live = this.live[task];
    if (live === undefined || live.attempt !== number) return; // timed out before: ignored
    this.live[task] = undefined;
    if (live.timeout !== undefined) live.timeout.cancelled = true;
    const name = this.tasks[task].name;
    switch (outcome.kind) {
      case 'value':
        return this.event(() => this.succeeded(task, valueOf(name, number), undefined));
      case 'skip':
        return this.event(() => this.skippedItself(task, outcome.reason ?? DEFAULT_REASON));
      case 'throw':
        return this.event(() =>
          this.attemptFailed(task, number, {
            label: thrownLabel(name, number),
            transient: outcome.transient,
          }),
        );
      case 'timeout':
        return this.event(() =>
          this.attemptFailed(task, number, { label: timeoutLabel(name), transient: false }),
        );
      case 'aborted':
        return this.event(() =>
          this.attemptFailed(task, number, { label: outcome.label, transient: false }),
        );
    }
  }

  private attemptFailed(task: number, number: number, error: ModelError): void {
    const spec = this.tasks[task];
    const stopsRetries = this.stopped !== 'no' && spec.when !== 'allSettled';
    if (number > spec.retries || stopsRetries) return this.failedForGood(task, error);
    switch (spec.retryIf) {
      case 'none':
        break;
      case 'transient':
        if (!error.transient) return this.failedForGood(task, error);
        break;
      case 'transientOrSecond':
        if (!error.transient && number !== 2) return this.failedForGood(task, error);
        break;
      case 'throws':
        if (!error.transient) {
          return this.failedForGood(task, {
            label: retryIfThrownLabel(spec.name, number),
            transient: false,
          });
        }
    }
    const delay = spec.retryDelay === 'attempt' ? number : spec.retryDelay;
    this.hooks.push(`retry ${spec.name}#${number} after ${delay}@${this.now}`);
    const pending = { attempt: number, error, timer: undefined as Timer | undefined };
    const retry = () => {
      if (this.pendingRetries.get(task) !== pending) return;
      this.pendingRetries.delete(task);
      this.attempt(task, number + 1);
    };
    this.pendingRetries.set(task, pending);
    if (delay === 0) this.microtasks.push(retry);
    else pending.timer = this.setTimer(delay, retry);
  }

  /** No retry left: the fallback (at once, or after its delay) recovers the task, or it fails. */
  private failedForGood(task: number, error: ModelError): void {
    const spec = this.tasks[task];
    if (spec.fallback === 'none') return this.failed(task, error);
    const settle = () =>
      spec.fallback === 'value'
        ? this.succeeded(task, fallbackValueOf(spec.name, error.label), error)
        : this.failed(task, { label: fallbackThrownLabel(spec.name), transient: false });
    if (spec.fallbackDelay === 0) settle();
    else this.setTimer(spec.fallbackDelay, settle);
  }

  // --- Outcomes ---

  private succeeded(task: number, value: string, recoveredFrom: ModelError | undefined): void {
    this.state[task] = 'succeeded';
    this.end[task] = this.now;
    this.value[task] = value;
    this.recovered[task] = recoveredFrom;
    this.inFlight--;
    this.hooks.push(`success ${this.tasks[task].name}@${this.now}`);
    this.settleDependents(task, 'succeeded');
  }

  private failed(task: number, error: ModelError): void {
    this.state[task] = 'failed';
    this.end[task] = this.now;
    this.error[task] = error;
    this.inFlight--;
    this.failures.push({ task: this.tasks[task].name, error: error.label });
    this.hooks.push(`failure ${this.tasks[task].name}@${this.now}`);
    if (this.spec.failFast) this.stop('failure');
    this.settleDependents(task, 'failed');
  }

  private skippedItself(task: number, reason: string): void {
    this.state[task] = 'skipped';
    this.end[task] = this.now;
    this.reason[task] = reason;
    this.inFlight--;
    this.hooks.push(`skip ${this.tasks[task].name} "${reason}"@${this.now}`);
    this.settleDependents(task, 'skipped');
  }

  /**
   * `task` settled as `outcome`: each pending dependent whose rule accepts that counts it down;
   * any other is skipped (before a stop; after one it is cancelled already), passed on breadth
   * first.
   */
  private settleDependents(task: number, outcome: SettledAs): void {
    const queue: [number, SettledAs][] = [[task, outcome]];
    const becameReady: number[] = [];
    while (queue.length > 0) {
      const [settled, as] = queue.shift()!;
      for (const dependent of this.dependents[settled]) {
        if (!this.included[dependent] || this.state[dependent] !== 'pending') continue;
        const when = this.tasks[dependent].when;
        const accepts =
          as === 'succeeded' ||
          when === 'allSettled' ||
          (when === 'noneFailed' && as === 'skipped');
        if (accepts) {
          if (--this.waiting[dependent] === 0) becameReady.push(dependent);
        } else if (this.stopped === 'no') {
          const name = this.tasks[settled].name;
          this.state[dependent] = 'skipped';
          this.reason[dependent] =
            as === 'failed' ? `dependency "${name}" failed` : `dependency "${name}" was skipped`;
          this.start[dependent] = this.end[dependent] = this.now;
          this.hooks.push(
            `skip ${this.tasks[dependent].name} "${this.reason[dependent]}"@${this.now}`,
          );
          queue.push([dependent, 'skipped']);
        }
      }
    }
    this.release(becameReady);
  }

  private abort(): void {
    if (this.stopped !== 'no') return;
    this.stop('abort');
  }

  /** Cancels what has not started (but `allSettled` tasks), ends plain tasks' retry waits. */
  private stop(cause: 'failure' | 'abort'): void {
    if (this.stopped !== 'no') return;
    this.stopped = cause;
    const cancelled: number[] = [];
    this.tasks.forEach((task, index) => {
      if (!this.included[index] || this.state[index] !== 'pending' || task.when === 'allSettled') {
        return;
      }
      this.state[index] = 'cancelled';
      cancelled.push(index);
    });
    // Cancelled tasks leave the queue: they are not ready tasks any more.
    this.ready.splice(
      0,
      this.ready.length,
      ...this.ready.filter((t) => this.state[t] === 'pending'),
    );
    if (this.ready.length === 0) this.ranking = false;
    for (const task of cancelled) this.settleDependents(task, 'cancelled');
    for (const [task, retry] of [...this.pendingRetries]) {
      if (this.tasks[task].when === 'allSettled') continue;
      if (retry.timer !== undefined) retry.timer.cancelled = true;
      this.pendingRetries.delete(task);
      this.failedForGood(task, retry.error);
    }
    // Bodies in flight that honour their signal (it aborts now, but an allSettled task's) give up:
    // their rejections settle in promise jobs, after what the stop does at once.
    const label = cause === 'abort' ? ABORT_LABEL : failureStopLabel(this.failures[0].error);
    this.tasks.forEach((spec, index) => {
      const live = this.live[index];
      if (live === undefined || !spec.honoursSignal || spec.when === 'allSettled') return;
      this.microtasks.push(() =>
        this.attemptEnded(index, live.attempt, { kind: 'aborted', label }),
      );
    });
  }

  // --- Arguments ---

  private argumentsOf(task: number): string[] {
    const when = this.tasks[task].when;
    return this.tasks[task].dependsOn.map((dependency) => {
      const state = this.state[dependency];
      if (when === 'allSucceeded') return String(this.value[dependency]);
      if (when === 'noneFailed')
        return state === 'succeeded' ? String(this.value[dependency]) : 'undefined';
      switch (state) {
        case 'succeeded':
          return `succeeded: ${this.value[dependency]}`;
        case 'failed':
          return `failed: ${this.error[dependency]!.label}`;
        case 'skipped':
          return `skipped: ${this.reason[dependency]}`;
        case 'cancelled':
          return `skipped: ${stoppedReason(this.tasks[dependency].name)}`;
        default:
          return `not settled (${state})`;
      }
    });
  }
}
