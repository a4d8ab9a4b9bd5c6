/**
 * The runs that clients are watching, so that shutting the server down ends them properly: aborted
 * (every running task's `@Signal()` fires) and settled — `allSettled` cleanup tasks included —
 * while the providers their tasks use are still up.
 */
import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/** What {@link ActiveRuns} needs of a `WorkflowStream`: its outcome, and a way to end it. */
interface Run {
  readonly result: Promise<unknown>;
  return(): Promise<unknown>;
}

/**
 * Keeps every `WorkflowStream` it is given until its run settles. On shutdown
 * (`app.enableShutdownHooks()` then SIGTERM, or `app.close()`), Nest calls `onModuleDestroy` of
 * the module that serves HTTP before that of the modules it imports, so provide this class there
 * (as `CheckoutHttpModule` does) and the runs end before the workflow's collaborators are torn
 * down.
 */
@Injectable()
export class ActiveRuns implements OnModuleDestroy {
  private readonly runs = new Set<Run>();
  /** Whether shutting down has begun: from then on a run is ended as soon as it is tracked. */
  private closing = false;

  /** How many runs are going. */
  get size(): number {
    return this.runs.size;
  }

  /**
   * Keeps `run` until it settles, and returns it. Once shutting down has begun (a request that came
   * in meanwhile), the run is aborted at once: its client is sent its failure.
   */
  track<S extends Run>(run: S): S {
    this.runs.add(run);
    const forget = () => this.runs.delete(run);
    run.result.then(forget, forget);
    if (this.closing) void run.return();
    return run;
  }

  /**
   * Aborts every run still going and resolves once each has settled — also the runs tracked while
   * it waits — and its client has been sent the run's end: Nest writes a message to the response a
   * few microtasks after the handler emits it, so this waits one turn of the event loop more before
   * Nest closes the connections.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    while (this.runs.size > 0) await Promise.all([...this.runs].map((run) => run.return()));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
