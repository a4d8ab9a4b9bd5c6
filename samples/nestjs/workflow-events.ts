/**
 * A streamed run as the `Observable<MessageEvent>` a Nest `@Sse()` handler returns: one message per
 * workflow event, then the run's results or its failure. Unsubscribing (the client disconnected)
 * aborts the run.
 */
import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { WorkflowExecutionError, type WorkflowStream } from '../../src';

/** An error as a client can read it: JSON drops everything an `Error` holds. */
export interface ErrorMessage {
  name: string;
  message: string;
}

/**
 * Starts a run per subscriber with `start` and emits, as Server-Sent Events:
 * - one message per workflow event, its `type` the event's type (`taskStart`, `taskSuccess`, …)
 *   and its `data` the event as JSON (see {@link toJson}; a `value`, `error` or `data` that is
 *   `undefined` is sent as `null`, so that the field is there);
 * - then `result` with `result.toObject()`, or `failure` with the run's error as an
 *   {@link ErrorMessage} and the failed task's name (see {@link failureMessage}; not `error`: a
 *   browser's `EventSource` fires an `error` event of its own when the connection fails or ends);
 * - then completes. Once the run has started it never errors: a value JSON cannot hold does not
 *   end the stream. Only a `start` that throws (`Workflow.stream` given an invalid workflow or
 *   invalid options) makes it error, with that error, which Nest answers with 500.
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
        for await (const event of run) subscriber.next({ type: event.type, data: toJson(event) });
        subscriber.next({ type: 'result', data: toJson((await run.result).toObject()) });
      } catch (error) {
        // After an unsubscribe this is the abort, and the closed subscriber drops it.
        subscriber.next({ type: 'failure', data: toJson(failureMessage(error)) });
      }
      subscriber.complete();
    })();
    return () => void run.return();
  });
}

/**
 * `value` as the JSON text of a message (Nest sends a string as it is). Errors anywhere in it
 * become {@link ErrorMessage}s, a `BigInt` its digits, a `Map` an object and a `Set` an array. A
 * property of `value` itself that is `undefined` is sent as `null`, which JSON would drop: a task
 * that returned nothing is still in the result, and an event still has its `value`, `error` or
 * `data`. A part that is still not JSON (it refers to itself) becomes `{ "notJson": "<why>" }` and
 * the rest is kept — an event keeps its `type` and `task` — so the message is sent anyway.
 */
export function toJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, function (this: unknown, key: string, inner: unknown) {
        return inner === undefined && this === value ? null : readable(key, inner);
      }) ?? 'null'
    );
  } catch (error) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return notJson(error);
    const properties: string[] = [];
    for (const [key, inner] of Object.entries(value)) {
      const json = inner === undefined ? 'null' : propertyJson(inner);
      if (json !== undefined) properties.push(`${JSON.stringify(key)}:${json}`);
    }
    return `{${properties.join(',')}}`;
  }
}

/** One property's JSON (`undefined` for one JSON leaves out), or the note of why it has none. */
function propertyJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, readable);
  } catch (error) {
    return notJson(error);
  }
}

/** The replacer of {@link toJson}. */
function readable(_key: string, value: unknown): unknown {
  if (isError(value)) return errorMessage(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

function notJson(error: unknown): string {
  return JSON.stringify({ notJson: errorMessage(error).message });
}

/**
 * The `failure` message: the run's error as an {@link ErrorMessage}, and for a run that a task's
 * failure stopped, that task's name (`task`), so that a page can mark it without parsing the
 * message. Nothing else of the error: its `cause`, `failures` and `result` stay on the server.
 */
export function failureMessage(error: unknown): ErrorMessage & { task?: string } {
  const message = errorMessage(error);
  try {
    if (error instanceof WorkflowExecutionError && typeof error.task === 'string') {
      return { ...message, task: error.task };
    }
  } catch {
    // What a run interceptor threw, unreadable (a revoked Proxy): its message says what it can.
  }
  return message;
}

/**
 * The name and message of `error`, or of an `Error` made from whatever was thrown. Never throws,
 * as it reports what went wrong: a value `String()` cannot convert (an object without a prototype,
 * a revoked Proxy, a `message` getter that throws) is described by its type.
 */
export function errorMessage(error: unknown): ErrorMessage {
  try {
    if (isError(error)) return { name: String(error.name), message: String(error.message) };
  } catch {
    // A name or message that cannot be read: described as any thrown value is.
  }
  let message: string;
  try {
    message = String(error);
  } catch {
    message = `${typeof error} that cannot be converted to text`;
  }
  return { name: 'Error', message };
}

/**
 * Whether `value` is an `Error` — also one made in another realm (a `vm` context, as under jest),
 * which `instanceof Error` does not see and JSON would make `{}`. Never throws.
 */
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    return false; // a revoked Proxy
  }
}
