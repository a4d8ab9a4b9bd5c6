/**
 * Event emission for one run: every task event goes to the `hooks` the caller gave and to the
 * run's stream, if it is streamed. A run with neither never creates a {@link RunEvents}, so the
 * run loop's only cost is one `undefined` check per event.
 *
 * Hook errors are the caller's concern: a method here throws what its hook threw, and the run loop
 * decides what that means (a failure of the task the hook was called for). A hook's returned
 * promise is handed to `watchHook`, which fails the run if it rejects.
 *
 * Where a throwing hook changes what happens — `onTaskStart` (the task is not called),
 * `onTaskSuccess` (the task fails instead), `onTaskRetry` (no retry) — the hook is called before
 * the stream gets the event, so the stream never reports what did not happen. The other events
 * reach the stream first: they happened whatever their hook does. Such a hook may also make other
 * events happen before it returns (aborting the run's signal fails tasks waiting for a retry;
 * from the `onTaskStart` of a retry, it also starts `allSettled` tasks): the stream gets those
 * after the event whose hook made them, in the order they happened.
 */
import type { HookName } from './errors.js';
import type { HookFunction, ResolvedHooks } from './options.js';
import { isThenable, NONE } from './outcomes.js';
import type { WorkflowEvent } from './types.js';

/**
 * Receives the events of a streamed run, in the order they happened: a task's start and success
 * (most of a run's events) as what they are made of, to be made into objects when read; any other
 * event made.
 */
export interface EventSink {
  taskStart(task: number, attempt: number, time: number): void;
  taskSuccess(task: number, attempt: number, value: unknown, time: number): void;
  event(event: WorkflowEvent): void;
}

/** A `taskStart` stream event (one shape, wherever it is made). */
export function startEvent(task: string, attempt: number, time: number): WorkflowEvent {
  return { type: 'taskStart', task, attempt, time };
}

/** A `taskSuccess` stream event of a task no fallback recovered (one shape, wherever it is made). */
export function successEvent(
  task: string,
  attempt: number,
  value: unknown,
  time: number,
): WorkflowEvent {
  return { type: 'taskSuccess', task, attempt, value, time };
}

/** What {@link RunEvents} needs from its run. */
export interface EventHost {
  readonly plan: { readonly names: readonly string[] };
  /**
   * Watches the return value of the hook `hookName` for task `task` (a rejected promise fails the
   * run).
   */
  watchHook(task: number, hookName: HookName, returned: unknown): void;
}

/** The hooks and the stream of one run. */
export class RunEvents {
  /** Stream events held while a hook runs (see {@link hookThenStream}); made on first use. */
  private held: WorkflowEvent[] | undefined;
  /** How many {@link hookThenStream} hooks are running (they nest when a hook re-enters the run). */
  private holding = 0;

  constructor(
    private readonly host: EventHost,
    private readonly hooks: ResolvedHooks | undefined,
    private readonly sink: EventSink | undefined,
  ) {}

  /** An attempt starts. Throws what `onTaskStart` threw. */
  taskStart(task: number, attempt: number, time: number): void {
    const hook = this.hooks?.onTaskStart;
    if (hook === undefined && this.holding === 0) {
      this.sink?.taskStart(task, attempt, time);
      return;
    }
    const name = this.host.plan.names[task];
    this.hookThenStream(
      task,
      'onTaskStart',
      hook,
      hook === undefined ? undefined : { task: name, attempt },
      this.sink === undefined ? undefined : startEvent(name, attempt, time),
    );
  }

  /**
   * A task succeeded — or its fallback recovered it from `recoveredFrom` ({@link NONE} when it did
   * not). Throws what `onTaskSuccess` threw.
   */
  taskSuccess(
    task: number,
    attempt: number,
    value: unknown,
    durationMs: number,
    recoveredFrom: unknown,
    time: number,
  ): void {
    const recovered = recoveredFrom !== NONE;
    const hook = this.hooks?.onTaskSuccess;
    if (hook === undefined && this.holding === 0 && !recovered) {
      this.sink?.taskSuccess(task, attempt, value, time);
      return;
    }
    const name = this.host.plan.names[task];
    let hookEvent: object | undefined;
    if (hook !== undefined) {
      hookEvent = recovered
        ? { task: name, attempt, value, durationMs, recoveredFrom }
        : { task: name, attempt, value, durationMs };
    }
    let streamEvent: WorkflowEvent | undefined;
    if (this.sink !== undefined) {
      streamEvent = recovered
        ? { type: 'taskSuccess', task: name, attempt, value, recoveredFrom, time }
        : successEvent(name, attempt, value, time);
    }
    this.hookThenStream(task, 'onTaskSuccess', hook, hookEvent, streamEvent);
  }

  /** A task failed for good. Throws what `onTaskFailure` threw. */
  taskFailure(task: number, attempt: number, error: unknown, time: number): void {
    const name = this.host.plan.names[task];
    if (this.sink !== undefined)
      this.emit({ type: 'taskFailure', task: name, attempt, error, willRetry: false, time });
    const hook = this.hooks?.onTaskFailure;
    if (hook !== undefined) {
      this.host.watchHook(
        task,
        'onTaskFailure',
        hook.call(this.hooks!.receiver, { task: name, attempt, error }),
      );
    }
  }

  /** An attempt failed and another follows after `delayMs`. Throws what `onTaskRetry` threw. */
  taskRetry(task: number, attempt: number, error: unknown, delayMs: number, time: number): void {
    const name = this.host.plan.names[task];
    const hook = this.hooks?.onTaskRetry;
    this.hookThenStream(
      task,
      'onTaskRetry',
      hook,
      hook === undefined ? undefined : { task: name, attempt, error, delayMs },
      this.sink === undefined
        ? undefined
        : { type: 'taskFailure', task: name, attempt, error, willRetry: true, time },
    );
  }

  /** A task was skipped. Throws what `onTaskSkip` threw. */
  taskSkip(task: number, reason: string, time: number): void {
    const name = this.host.plan.names[task];
    if (this.sink !== undefined) this.emit({ type: 'taskSkip', task: name, reason, time });
    const hook = this.hooks?.onTaskSkip;
    if (hook !== undefined)
      this.host.watchHook(
        task,
        'onTaskSkip',
        hook.call(this.hooks!.receiver, { task: name, reason }),
      );
  }

  /** A task reported progress. Throws what `onTaskProgress` threw (to the task that reported). */
  taskProgress(task: number, attempt: number, data: unknown, time: number): void {
    const name = this.host.plan.names[task];
    if (this.sink !== undefined)
      this.emit({ type: 'taskProgress', task: name, attempt, data, time });
    const hook = this.hooks?.onTaskProgress;
    if (hook !== undefined) {
      this.host.watchHook(
        task,
        'onTaskProgress',
        hook.call(this.hooks!.receiver, { task: name, attempt, data }),
      );
    }
  }

  /**
   * Calls `hook` with `hookEvent` for `task` (when there is a hook), then — unless it threw — sends
   * `streamEvent` to the stream (when the run is streamed). Stream events that the hook makes
   * happen are held while it runs and sent after `streamEvent`, or before the hook's error
   * propagates if it throws.
   */
  private hookThenStream(
    task: number,
    hookName: HookName,
    hook: HookFunction | undefined,
    hookEvent: object | undefined,
    streamEvent: WorkflowEvent | undefined,
  ): void {
    if (hook === undefined) {
      if (streamEvent !== undefined) this.emit(streamEvent);
      return;
    }
    if (streamEvent === undefined) {
      this.host.watchHook(task, hookName, hook.call(this.hooks!.receiver, hookEvent));
      return;
    }
    const mark = this.held?.length ?? 0;
    this.holding++;
    let returned: unknown;
    let thenable: boolean;
    try {
      returned = hook.call(this.hooks!.receiver, hookEvent);
      // Whether it returned a promise (to watch) is read now, before its event is reported: a
      // value whose `then` cannot be read (a Proxy whose traps throw) counts as the hook's throw,
      // and must not fail the task after the stream got its start or success.
      thenable = isThenable(returned);
    } catch (error) {
      this.release(this.takeHeld(mark));
      throw error;
    }
    // What the hook made happen comes after its own event (both behind what an outer hook holds).
    const caused = this.takeHeld(mark);
    this.emit(streamEvent);
    this.release(caused);
    if (thenable) this.host.watchHook(task, hookName, returned);
  }

  /** Stops holding for one hook: takes the events held since `mark`. */
  private takeHeld(mark: number): WorkflowEvent[] | undefined {
    this.holding--;
    const { held } = this;
    return held === undefined || held.length <= mark ? undefined : held.splice(mark);
  }

  /** Sends `event` to the stream (callers check that there is one) — or holds it while a hook runs. */
  private emit(event: WorkflowEvent): void {
    if (this.holding > 0) (this.held ??= []).push(event);
    else this.sink!.event(event);
  }

  /** Sends `events` to the stream (or into the hold of an outer hook, if one is running). */
  private release(events: WorkflowEvent[] | undefined): void {
    if (events !== undefined) for (const event of events) this.emit(event);
  }
}
