/**
 * Event emission for one run: every task event goes to the `hooks` the caller gave and to the
 * run's stream, if it is streamed. A run with neither never creates a {@link RunEvents}, so the
 * run loop's only cost is one `undefined` check per event.
 *
 * Hook errors are the caller's concern: a method here throws what its hook threw, and the run loop
 * decides what that means (a failure of the task the hook was called for). A hook's returned
 * promise is handed to `watch`, which fails the run if it rejects.
 *
 * Where a throwing hook changes what happens — `onTaskStart` (the task is not called),
 * `onTaskSuccess` (the task fails instead), `onTaskRetry` (no retry) — the hook is called before
 * the stream gets the event, so the stream never reports what did not happen. The other events
 * reach the stream first: they happened whatever their hook does.
 */
import type { ResolvedHooks } from './options.js';
import { NONE } from './outcomes.js';
import type { WorkflowEvent } from './types.js';

/** Receives the events of a streamed run, in the order they happened. */
export type EventSink = (event: WorkflowEvent) => void;

/** What {@link RunEvents} needs from its run. */
export interface EventHost {
  readonly plan: { readonly names: readonly string[] };
  /** Watches a hook's return value for task `task` (a rejected promise fails the run). */
  watchHook(task: number, returned: unknown): void;
}

/** The hooks and the stream of one run. */
export class RunEvents {
  constructor(
    private readonly host: EventHost,
    private readonly hooks: ResolvedHooks | undefined,
    private readonly sink: EventSink | undefined,
  ) {}

  /** An attempt starts. Throws what `onTaskStart` threw. */
  taskStart(task: number, attempt: number, time: number): void {
    const name = this.host.plan.names[task];
    const hook = this.hooks?.onTaskStart;
    if (hook !== undefined) {
      this.host.watchHook(task, hook.call(this.hooks!.receiver, { task: name, attempt }));
    }
    this.sink?.({ type: 'taskStart', task: name, attempt, time });
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
    const name = this.host.plan.names[task];
    const hook = this.hooks?.onTaskSuccess;
    if (hook !== undefined) {
      const event = recovered
        ? { task: name, attempt, value, durationMs, recoveredFrom }
        : { task: name, attempt, value, durationMs };
      this.host.watchHook(task, hook.call(this.hooks!.receiver, event));
    }
    this.sink?.(
      recovered
        ? { type: 'taskSuccess', task: name, attempt, value, recoveredFrom, time }
        : { type: 'taskSuccess', task: name, attempt, value, time },
    );
  }

  /** A task failed for good. Throws what `onTaskFailure` threw. */
  taskFailure(task: number, attempt: number, error: unknown, time: number): void {
    const name = this.host.plan.names[task];
    this.sink?.({ type: 'taskFailure', task: name, attempt, error, willRetry: false, time });
    const hook = this.hooks?.onTaskFailure;
    if (hook !== undefined) {
      this.host.watchHook(task, hook.call(this.hooks!.receiver, { task: name, attempt, error }));
    }
  }

  /** An attempt failed and another follows after `delayMs`. Throws what `onTaskRetry` threw. */
  taskRetry(task: number, attempt: number, error: unknown, delayMs: number, time: number): void {
    const name = this.host.plan.names[task];
    const hook = this.hooks?.onTaskRetry;
    if (hook !== undefined) {
      this.host.watchHook(
        task,
        hook.call(this.hooks!.receiver, { task: name, attempt, error, delayMs }),
      );
    }
    this.sink?.({ type: 'taskFailure', task: name, attempt, error, willRetry: true, time });
  }

  /** A task was skipped. Throws what `onTaskSkip` threw. */
  taskSkip(task: number, reason: string, time: number): void {
    const name = this.host.plan.names[task];
    this.sink?.({ type: 'taskSkip', task: name, reason, time });
    const hook = this.hooks?.onTaskSkip;
    if (hook !== undefined)
      this.host.watchHook(task, hook.call(this.hooks!.receiver, { task: name, reason }));
  }

  /** A task reported progress. Throws what `onTaskProgress` threw (to the task that reported). */
  taskProgress(task: number, attempt: number, data: unknown, time: number): void {
    const name = this.host.plan.names[task];
    this.sink?.({ type: 'taskProgress', task: name, attempt, data, time });
    const hook = this.hooks?.onTaskProgress;
    if (hook !== undefined) {
      this.host.watchHook(task, hook.call(this.hooks!.receiver, { task: name, attempt, data }));
    }
  }
}
