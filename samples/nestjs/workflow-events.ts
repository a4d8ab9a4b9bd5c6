/**
 * A streamed run as the `Observable<MessageEvent>` a Nest `@Sse()` handler returns: one message per
 * workflow event, then the run's results or its error. Unsubscribing (the client disconnected)
 * aborts the run.
 */
import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { WorkflowEvent, WorkflowStream } from '../../src';

/** An error as a client can read it: JSON drops everything an `Error` holds. */
export interface ErrorMessage {
  name: string;
  message: string;
}

/**
 * Starts a run per subscriber with `start` and emits, as Server-Sent Events:
 * - one message per {@link WorkflowEvent}, its `type` the event's type (`taskStart`,
 *   `taskSuccess`, …) and its `data` the event, errors in it as {@link ErrorMessage}s;
 * - then `result` with `result.toObject()`, or `error` with the run's error as an
 *   {@link ErrorMessage};
 * - then completes.
 *
 * The run starts on subscription, not before: Nest does not subscribe when the client left during
 * setup, and then no run is started. Unsubscribing calls the stream's `return()`, which aborts the
 * run at once. (rxjs's `from(run)` would only leave the loop when the next event arrives, and a task
 * waiting on a slow call sends none, so the run would go on.)
 *
 * @example
 * ```ts
 * @Sse('events')
 * events(@Query() query: Record<string, unknown>): Observable<MessageEvent> {
 *   return workflowEvents(() => Workflow.stream(this.workflow, parseCheckoutQuery(query)));
 * }
 * ```
 */
export function workflowEvents<W extends object>(
  start: () => WorkflowStream<W>,
): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    const run = start();
    void (async () => {
      try {
        for await (const event of run) {
          subscriber.next({ type: event.type, data: serialisableEvent(event) });
        }
        subscriber.next({ type: 'result', data: (await run.result).toObject() });
      } catch (error) {
        // After an unsubscribe this is the abort, and the closed subscriber drops it.
        subscriber.next({ type: 'error', data: errorMessage(error) });
      }
      subscriber.complete();
    })();
    return () => void run.return();
  });
}

/** `event` with its errors (a failure's `error`, a fallback's `recoveredFrom`) made readable. */
function serialisableEvent(event: WorkflowEvent): object {
  if (event.type === 'taskFailure') return { ...event, error: errorMessage(event.error) };
  if (event.type === 'taskSuccess' && 'recoveredFrom' in event) {
    return { ...event, recoveredFrom: errorMessage(event.recoveredFrom) };
  }
  return event;
}

/** The name and message of `error`, or of an `Error` made from whatever was thrown. */
export function errorMessage(error: unknown): ErrorMessage {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  return { name, message };
}
