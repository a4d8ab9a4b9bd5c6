/**
 * OpenTelemetry tracing for async-dag, as a {@link WorkflowInterceptor}: one span per run, one per
 * task attempt. Import it from `async-dag/opentelemetry`; it needs `@opentelemetry/api` (an
 * optional peer dependency of async-dag) and nothing else.
 *
 * ```ts
 * import { Workflow } from 'async-dag';
 * import { openTelemetry } from 'async-dag/opentelemetry';
 *
 * await Workflow.invoke(new Checkout(repo), request, { interceptors: [openTelemetry()] });
 * ```
 *
 * What it records (names are stable; see `docs/opentelemetry.md`):
 * - a run span named after the workflow (`Checkout`), a child of the span active when `invoke`
 *   was called, with `async_dag.workflow.name`; when the run settles, `async_dag.run.outcome`
 *   (`succeeded`, `failed`, `aborted`), the task counts `async_dag.run.tasks.succeeded`, `.failed`,
 *   `.skipped` and `.recovered`, an `async_dag.task.skipped` event per skipped task and an
 *   `async_dag.task.recovered` event per task a fallback recovered; a failed or aborted run records
 *   its error as an exception, sets `error.type` to its type and status ERROR;
 * - an attempt span per task attempt, named `<workflow>.<task>` (`Checkout.cart`; a retry is a new
 *   span), a child of its run span (of its outer layer's span, for an interceptor listed twice),
 *   with `async_dag.workflow.name`, `async_dag.task.name`, `async_dag.task.attempt` and, when it
 *   ends, `async_dag.attempt.outcome` (`succeeded`, `failed`, `skipped`, `abandoned`). A failed
 *   attempt records its exception, sets `error.type` and status ERROR (an abandoned one: status
 *   ERROR and `error.type` `async_dag.abandoned`); a skipped one sets
 *   `async_dag.task.skip_reason` and no error. The task body runs with the attempt span active, so
 *   spans it creates are its children.
 *
 * This module imports nothing at run time from the core (only types), so the entry point stands
 * alone, and it registers nothing global: without a `tracer` option it asks the global tracer
 * provider for a tracer at the start of each run.
 *
 * @packageDocumentation
 * @module async-dag/opentelemetry
 */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Exception,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type {
  RunInterceptorInfo,
  TaskInterceptorInfo,
  TaskTrace,
  WorkflowInterceptor,
} from './types.js';

/** The instrumentation scope: the package's name and version (a test keeps them equal). */
const SCOPE_NAME = 'async-dag';
const SCOPE_VERSION = '0.1.0';

/** Attribute and event names, all under `async_dag.`. */
const WORKFLOW_NAME = 'async_dag.workflow.name';
const TASK_NAME = 'async_dag.task.name';
const TASK_ATTEMPT = 'async_dag.task.attempt';
const TASK_ATTEMPTS = 'async_dag.task.attempts';
const SKIP_REASON = 'async_dag.task.skip_reason';
const RECOVERED_FROM = 'async_dag.task.recovered_from';
const ATTEMPT_OUTCOME = 'async_dag.attempt.outcome';
const RUN_OUTCOME = 'async_dag.run.outcome';
const TASKS_PREFIX = 'async_dag.run.tasks.';
const SKIPPED_EVENT = 'async_dag.task.skipped';
const RECOVERED_EVENT = 'async_dag.task.recovered';
/** The semantic conventions' attribute for the class of error an operation failed with. */
const ERROR_TYPE = 'error.type';
/** The `error.type` of an abandoned attempt, which has no exception to take a type from. */
const ABANDONED_ERROR_TYPE = 'async_dag.abandoned';

/** Never more than this many characters of a described non-error value. */
const MAX_DESCRIPTION_LENGTH = 500;

/**
 * Options of {@link openTelemetry}.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { openTelemetry } from 'async-dag/opentelemetry';
 *
 * const interceptor = openTelemetry({ tracer: trace.getTracer('checkout-service') });
 * ```
 */
export interface OpenTelemetryOptions {
  /**
   * The tracer that makes the spans.
   * @default the global tracer provider's tracer `async-dag`, looked up at the start of each run
   * (so a provider registered after `openTelemetry()` was called is used)
   */
  tracer?: Tracer | undefined;
}

/** A run being traced. */
interface TracedRun {
  readonly tracer: Tracer;
  readonly span: Span;
  /**
   * The context active at `invoke`, with the run span set and marked as this run's (see
   * {@link workContext}): the parent of every attempt span.
   */
  readonly context: Context;
  /**
   * `performance.now()` when this interceptor's `run` was called: no later than the run's start,
   * the origin of the trace's times (a run interceptor listed inside may start the run later).
   */
  readonly startedAt: number;
  /**
   * What this interceptor saw of each task's attempts, by task name — shared by the layers of an
   * interceptor listed more than once.
   */
  readonly tasks: Map<string, TracedTask>;
}

/** The attempts of one task of a traced run. */
interface TracedTask {
  /** `performance.now()` at the first call for the task: no earlier than its trace entry's start. */
  readonly firstCalledAt: number;
  /** The spans of its attempts not ended yet, in the order they started (an outer layer first). */
  readonly open: TracedAttempt[];
}

/** One attempt's span, ended once, by whichever comes first: its outcome or its abandonment. */
interface TracedAttempt {
  readonly span: Span;
  /** Its attempt number. */
  readonly attempt: number;
  /**
   * The context the body (or the next layer) runs in, with this span set and marked as this
   * attempt's (see {@link workContext}).
   */
  readonly context: Context;
  /** {@link TracedTask.open} of its task, while it is listed there (none outside a run). */
  readonly open: TracedAttempt[] | undefined;
  ended: boolean;
}

/**
 * A {@link WorkflowInterceptor} that traces runs with OpenTelemetry: a span per run, named after
 * the workflow and a child of the span active when `invoke` was called, and a span per task
 * attempt (`<workflow>.<task>`), a child of its run span (of its outer layer's span, for an
 * interceptor listed twice), active while the task body runs. Failed attempts and failed runs
 * record their exception and set status ERROR; skipped tasks are events on the run span (and
 * attempts that call `skip()` end as skipped, not as errors).
 *
 * Tracing never changes a run: whatever the tracer does (even throw) when the interceptor calls it,
 * the run's outcome is the same (a task body that uses its attempt span calls the tracer itself).
 * Parenting does not depend on the context manager: attempt spans are children of their run
 * span (or outer layer's span) even where no context propagates; a context manager (e.g.
 * `AsyncLocalStorageContextManager`) is needed only for the run span to find the caller's span and
 * for spans made inside task bodies to find their attempt's.
 *
 * @param options - `tracer`: the tracer to use instead of the global provider's.
 * @returns an interceptor; one can serve any number of runs, concurrently.
 * @throws TypeError when `options` is not an object or cannot be read, or `options.tracer` is not
 * a tracer.
 *
 * @example
 * ```ts
 * import { Workflow } from 'async-dag';
 * import { openTelemetry } from 'async-dag/opentelemetry';
 *
 * const tracing = openTelemetry();
 * const result = await Workflow.invoke(new Checkout(repo), request, { interceptors: [tracing] });
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): WorkflowInterceptor {
  const tracer = checkTracer(options);
  // The global provider is asked at each use, so one registered after this call is the one used.
  const tracerNow = () => tracer ?? trace.getTracer(SCOPE_NAME, SCOPE_VERSION);
  const runs = new WeakMap<RunInterceptorInfo, TracedRun>();
  // Marks the contexts this interceptor makes, one key per interceptor (see `workContext`). Not
  // `createContextKey`: it returns `Symbol.for(description)`, one key for every instance, so two
  // instances in one list would overwrite each other's marks, and the context that interceptors
  // between them set around `next()` would be taken for one from elsewhere, and dropped.
  const mark = Symbol('async-dag/opentelemetry');
  return {
    run(info, next) {
      let run: TracedRun;
      try {
        // An outer layer of this very interceptor (listed twice) is already tracing this run.
        run = startRunSpan(tracerNow(), info, mark, runs.get(info));
        runs.set(info, run);
      } catch {
        return next();
      }
      return callInside(run.context, next).then(
        (result) => {
          endRunSpan(run, result, undefined, false);
          return result;
        },
        (error: unknown) => {
          endRunSpan(run, resultOf(error), error, true);
          throw error;
        },
      );
    },

    task(info, next) {
      let attempt: TracedAttempt | undefined;
      try {
        attempt = startAttemptSpan(runs.get(info.run), info, mark, tracerNow);
      } catch {
        // Untraced: a tracer that throws must not change the attempt.
      }
      if (attempt === undefined) return next();
      const traced = attempt;
      return callInside(traced.context, next).then(
        (value) => {
          leaveAttempt(traced);
          endAttemptSpan(traced, 'succeeded');
          return value;
        },
        (error: unknown) => {
          leaveAttempt(traced);
          const skipReason = skipReasonOf(error);
          if (skipReason === undefined) endAttemptSpan(traced, 'failed', error);
          else endAttemptSpan(traced, 'skipped', undefined, skipReason);
          throw error;
        },
      );
    },
  };
}

/** The tracer given in `options`, checked; `undefined` for the global provider's. */
function checkTracer(options: OpenTelemetryOptions): Tracer | undefined {
  // The promise of options (made asynchronously, not awaited) or an array has no own keys to
  // check: read as options, it would trace with the global provider's tracer, without a word.
  if (typeof options !== 'object' || options === null || kindOf(options) !== 'an object') {
    throw new TypeError(
      `openTelemetry(options): options must be an object, got ${kindOf(options)}.` +
        awaitItFirst(options),
    );
  }
  let unknown: string | undefined;
  let tracer: unknown;
  let startsSpans = false;
  let provider = false;
  try {
    unknown = Object.keys(options).find((key) => key !== 'tracer');
    ({ tracer } = options);
    if (typeof tracer === 'object' && tracer !== null) {
      startsSpans = typeof (tracer as Partial<Tracer>).startSpan === 'function';
      // A provider (or the `trace` API object) is the likely slip: both make tracers.
      provider =
        !startsSpans && typeof (tracer as { getTracer?: unknown }).getTracer === 'function';
    }
  } catch (error) {
    // A getter or a Proxy trap of the caller's threw.
    throw new TypeError(
      `openTelemetry(options): options could not be read: ${toException(error).message}`,
      { cause: error },
    );
  }
  if (unknown !== undefined) {
    // A misspelt `tracer` would trace with the global provider's tracer, without a word.
    throw new TypeError(
      `openTelemetry(options): unknown option ${describe(JSON.stringify(unknown))}. Its only option is "tracer".`,
    );
  }
  if (tracer === undefined) return undefined;
  if (!startsSpans) {
    throw new TypeError(
      `openTelemetry({ tracer }): the tracer must be an OpenTelemetry Tracer (with a startSpan method), got ${kindOf(tracer)}` +
        (provider
          ? " with a getTracer method: a TracerProvider, or the trace API. Pass its getTracer('…') instead."
          : `.${awaitItFirst(tracer)}`),
    );
  }
  return tracer as Tracer;
}

/**
 * Starts the span of a run: a child of the span active at `invoke` — or, when this interceptor is
 * listed twice, of the `outer` layer's run span, sharing what it sees of the attempts.
 */
function startRunSpan(
  tracer: Tracer,
  info: RunInterceptorInfo,
  mark: symbol,
  outer?: TracedRun,
): TracedRun {
  const parent = outer?.context ?? context.active();
  const span = tracer.startSpan(
    info.workflow,
    { kind: SpanKind.INTERNAL, attributes: { [WORKFLOW_NAME]: info.workflow } },
    parent,
  );
  return {
    tracer,
    span,
    context: ownContext(workContext(parent, mark), span, mark),
    startedAt: performance.now(),
    tasks: outer?.tasks ?? new Map(),
  };
}

/** What `run` has seen of the attempts of `task`; the first call for it is recorded now. */
function attemptsOf(run: TracedRun, task: string): TracedTask {
  let traced = run.tasks.get(task);
  if (traced === undefined) {
    traced = { firstCalledAt: performance.now(), open: [] };
    run.tasks.set(task, traced);
  }
  return traced;
}

/**
 * Starts the span of the attempt `info` is about, a child of its run span — or of the span of an
 * outer layer of this interceptor for the same attempt (listed twice) — or, outside a run, of the
 * active span. (A `next()` that an outer interceptor calls after its attempt ended never gets
 * here: the run refuses it without calling the layers inside.)
 */
function startAttemptSpan(
  run: TracedRun | undefined,
  info: TaskInterceptorInfo,
  mark: symbol,
  tracerNow: () => Tracer,
): TracedAttempt {
  const task = run === undefined ? undefined : attemptsOf(run, info.task);
  let outer: TracedAttempt | undefined;
  if (task !== undefined) outer = enterAttempt(task, info.attempt);
  const parent = outer?.context ?? run?.context ?? context.active();
  const span = (run?.tracer ?? tracerNow()).startSpan(
    `${info.workflow}.${info.task}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [WORKFLOW_NAME]: info.workflow,
        [TASK_NAME]: info.task,
        [TASK_ATTEMPT]: info.attempt,
      },
    },
    parent,
  );
  const attempt: TracedAttempt = {
    span,
    attempt: info.attempt,
    context: ownContext(workContext(parent, mark), span, mark),
    open: task?.open,
    ended: false,
  };
  task?.open.push(attempt);
  return attempt;
}

/**
 * What the work inside a span (the run, or an attempt's body and the layers inside it) runs in,
 * before the span is set on it, when the span's parent is `parent`. It is the active context when
 * that derives from `parent` (it carries `parent`'s mark), so the context that interceptors in
 * between set around `next()` — baggage, values of their own, from a task interceptor listed
 * before this one or a run interceptor listed after it — reaches the task body as it does without
 * tracing. Otherwise the work was started from elsewhere (an abort called in another request, or
 * in another task's body), whose context is not this run's: then it is `parent` itself. The span's
 * parent is `parent` either way.
 */
function workContext(parent: Context, mark: symbol): Context {
  const own = parent.getValue(mark);
  if (own === undefined) return parent; // not one of ours: the context active at the call itself
  try {
    const active = context.active();
    return active.getValue(mark) === own ? active : parent;
  } catch {
    return parent; // a context manager that throws: parenting never depends on it
  }
}

/** `base` with `span` set, marked as the context of `span`'s work (see {@link workContext}). */
function ownContext(base: Context, span: Span, mark: symbol): Context {
  return trace.setSpan(base, span).setValue(mark, {});
}

/** An attempt's own call settled: its span leaves the open ones — never another's. */
function leaveAttempt(attempt: TracedAttempt): void {
  const index = attempt.open === undefined ? -1 : attempt.open.indexOf(attempt);
  if (index !== -1) attempt.open!.splice(index, 1);
}

/**
 * Attempt `number` of `task` is called: the spans of its earlier attempts still open are
 * abandoned — the run has moved on without them (they timed out, or an outer interceptor stopped
 * waiting for them) — innermost layer first. Returns the innermost open span of this very attempt
 * (an outer layer of this interceptor, listed twice), if any.
 */
function enterAttempt(task: TracedTask, number: number): TracedAttempt | undefined {
  abandonOpen(task.open, number);
  return task.open.at(-1);
}

/**
 * Ends the spans in `open` of attempts before attempt `before` (every one, by default) as
 * abandoned, innermost layer first, and takes them out of it.
 */
function abandonOpen(open: TracedAttempt[], before = Infinity): void {
  for (let index = open.length - 1; index >= 0; index--) {
    if (open[index].attempt < before) {
      endAttemptSpan(open[index], 'abandoned');
      open.splice(index, 1);
    }
  }
}

/**
 * Calls `next` with `active` as the active context (the call is synchronous, so the task body,
 * started inside it, sees it). If the context manager throws, `next` still runs: once, since
 * `next()` returns the same promise when called again.
 */
function callInside(active: Context, next: () => Promise<unknown>): Promise<unknown> {
  try {
    return Promise.resolve(context.with(active, next));
  } catch {
    return next();
  }
}

/**
 * Ends the run span: the outcome, task counts and events from the trace of `result` (when there is
 * one), the error of a failed run, and the spans of attempts still running (abandoned: an outer
 * interceptor stopped waiting for them). Whatever the trace holds, the outcome and the error are
 * recorded.
 */
function endRunSpan(run: TracedRun, result: unknown, error: unknown, failed: boolean): void {
  const { span } = run;
  try {
    for (const { open } of run.tasks.values()) abandonOpen(open);
    try {
      const entries = traceOf(result);
      if (entries !== undefined) recordTasks(run, result, entries);
    } catch {
      // A trace whose reads throw (a replaced result's): no counts, but still the outcome.
    }
    if (failed) {
      span.setAttribute(RUN_OUTCOME, nameOf(error) === 'AbortError' ? 'aborted' : 'failed');
      recordError(span, error);
    } else {
      span.setAttribute(RUN_OUTCOME, 'succeeded');
    }
  } catch {
    // A tracer that throws must not change the run's outcome.
  } finally {
    endSafely(span);
  }
}

/** Task counts by status, and an event per skipped or recovered task at the time it happened. */
function recordTasks(run: TracedRun, result: unknown, entries: readonly TaskTrace[]): void {
  const counts = { succeeded: 0, failed: 0, skipped: 0, recovered: 0 };
  const now = performance.now();
  const origin = runOrigin(run, result, entries, now);
  for (const entry of entries) {
    const { task, status } = entry;
    if (status === 'succeeded' || status === 'failed' || status === 'skipped') counts[status]++;
    const time = Math.min(origin + entry.end, now);
    if (status === 'skipped') {
      run.span.addEvent(
        SKIPPED_EVENT,
        {
          [TASK_NAME]: task,
          [SKIP_REASON]: String(entry.reason),
          [TASK_ATTEMPTS]: entry.attempts,
        },
        time,
      );
    } else if ('recoveredFrom' in entry) {
      counts.recovered++;
      run.span.addEvent(
        RECOVERED_EVENT,
        { [TASK_NAME]: task, [RECOVERED_FROM]: toException(entry.recoveredFrom).message },
        time,
      );
    }
  }
  for (const [status, count] of Object.entries(counts)) {
    run.span.setAttribute(TASKS_PREFIX + status, count);
  }
}

/**
 * `performance.now()` at the run's start, the origin of its trace's `start` and `end` — later than
 * this interceptor's `run` call ({@link TracedRun.startedAt}) when a run interceptor listed inside
 * it waits before calling `next()` (a lock, a rate limiter). Two upper bounds, from what this
 * interceptor saw, give it; the earlier is taken:
 * - each task it was called for had started `entry.start` after the run's start, so the time of
 *   that call less `entry.start` (the first task's is the start, give or take microseconds — unless
 *   a task interceptor listed before this one waits before calling it);
 * - `now` less the run's `durationMs`, a clock reading taken as the run settled (close, unless a
 *   run interceptor listed inside waits after its `next()` settles).
 * With no task seen, it is `startedAt`: nothing tells whether a run interceptor inside waited
 * before the run or after it.
 */
function runOrigin(
  run: TracedRun,
  result: unknown,
  entries: readonly TaskTrace[],
  now: number,
): number {
  let origin = Infinity;
  for (const { task, start } of entries) {
    const calledAt = run.tasks.get(task)?.firstCalledAt;
    if (calledAt !== undefined && Number.isFinite(start)) {
      origin = Math.min(origin, calledAt - start);
    }
  }
  if (origin === Infinity) return run.startedAt;
  const duration = readProperty(result as object, 'durationMs');
  if (typeof duration === 'number' && Number.isFinite(duration)) {
    origin = Math.min(origin, now - duration);
  }
  // Never before this interceptor was called: the run had not started then.
  return Math.max(origin, run.startedAt);
}

/**
 * Ends the span of an attempt, once: with its outcome, or `'abandoned'` when the run no longer
 * waits for it (its body may settle later, and is then ignored).
 */
function endAttemptSpan(
  attempt: TracedAttempt,
  outcome: 'succeeded' | 'failed' | 'skipped' | 'abandoned',
  error?: unknown,
  skipReason?: string,
): void {
  if (attempt.ended) return;
  attempt.ended = true;
  const { span } = attempt;
  try {
    span.setAttribute(ATTEMPT_OUTCOME, outcome);
    if (outcome === 'failed') recordError(span, error);
    if (outcome === 'abandoned') {
      // Status ERROR with no exception: the conventions' `error.type` is then a low-cardinality
      // name of what went wrong.
      span.setAttribute(ERROR_TYPE, ABANDONED_ERROR_TYPE);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: 'abandoned while still running: an outer interceptor stopped waiting for it',
      });
    }
    if (skipReason !== undefined) span.setAttribute(SKIP_REASON, skipReason);
  } catch {
    // A tracer that throws must not change the attempt's outcome.
  } finally {
    endSafely(span);
  }
}

/**
 * Marks `span` failed with `error`, as the semantic conventions ask: status ERROR with the error's
 * message, `error.type` (the same type as the `exception` event's), and the exception itself.
 */
function recordError(span: Span, error: unknown): void {
  const exception = toException(error);
  span.setAttribute(ERROR_TYPE, exception.name);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

function endSafely(span: Span): void {
  try {
    span.end();
  } catch {
    // Nothing left to do for this span.
  }
}

/** `error.result` of a `WorkflowExecutionError` or `WorkflowAbortedError`; safe for any value. */
function resultOf(error: unknown): unknown {
  return isObject(error) ? readProperty(error, 'result') : undefined;
}

/**
 * The trace of an `ExecutionResult` — or `undefined` when an interceptor replaced the result, even
 * with an object whose `trace` is an array of something else (task names, a summary of its own).
 * May throw (a revoked Proxy, a getter that throws): its caller catches.
 */
function traceOf(result: unknown): readonly TaskTrace[] | undefined {
  const entries = isObject(result) ? readProperty(result, 'trace') : undefined;
  return Array.isArray(entries) && entries.every(isTraceEntry) ? entries : undefined;
}

/** Whether `entry` looks like a `TaskTrace`: an object with a string `task` and `status`. */
function isTraceEntry(entry: unknown): boolean {
  return (
    isObject(entry) &&
    typeof readProperty(entry, 'task') === 'string' &&
    typeof readProperty(entry, 'status') === 'string'
  );
}

/**
 * The reason of a `skip()` marker, else `undefined`. `skip()` throws an error that the core
 * registers in a process-wide WeakMap (`src/skip.ts`, on the `globalThis` registry of
 * `src/shared.ts`); it is read here rather than imported so that this entry point loads no core
 * code — and an error a task throws that merely looks like a marker is still a failure.
 */
function skipReasonOf(thrown: unknown): string | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
    Symbol.for('async-dag.shared.v1')
  ];
  const markers = registry?.['skip markers'];
  const reason: unknown = markers instanceof WeakMap ? markers.get(thrown) : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * `thrown` as an exception OpenTelemetry can record, built from guarded reads only: anything can
 * be thrown — a string, `undefined`, an object whose getters throw, a revoked Proxy — and handing
 * such a value to `recordException` would let the SDK's own property reads throw.
 */
function toException(
  thrown: unknown,
): { name: string; message: string; stack?: string } & Exception {
  if ((typeof thrown !== 'object' && typeof thrown !== 'function') || thrown === null) {
    return { name: thrown === null ? 'null' : typeof thrown, message: describe(thrown) };
  }
  const name = readString(thrown, 'name');
  const message = readString(thrown, 'message');
  const stack = readString(thrown, 'stack');
  const exception = {
    name: name || typeof thrown,
    message: message || name || describe(thrown),
  };
  return stack === undefined ? exception : { ...exception, stack };
}

/** `value[key]`, or `undefined` if reading it throws (a getter, a Proxy trap). */
function readProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `value[key]` if it is a string; `undefined` otherwise, or if reading it throws. */
function readString(value: object, key: string): string | undefined {
  const read = readProperty(value, key);
  return typeof read === 'string' ? read : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The name of an error, safely. */
function nameOf(error: unknown): string | undefined {
  return isObject(error) ? readString(error, 'name') : undefined;
}

/** A value that is not an error, as text: a string as is, others as JSON or `String()`. */
function describe(value: unknown): string {
  let text: string;
  try {
    if (typeof value === 'string') text = value;
    else if (typeof value === 'object' && value !== null) {
      text = JSON.stringify(value) ?? String(value);
    } else text = String(value);
  } catch {
    try {
      text = String(value);
    } catch {
      text = kindOf(value);
    }
  }
  if (text.length <= MAX_DESCRIPTION_LENGTH) return text;
  // Cut at a code point boundary: never half of a surrogate pair.
  const high = text.charCodeAt(MAX_DESCRIPTION_LENGTH - 1);
  const end =
    high >= 0xd800 && high <= 0xdbff ? MAX_DESCRIPTION_LENGTH - 1 : MAX_DESCRIPTION_LENGTH;
  return `${text.slice(0, end)}…`;
}

/**
 * Whether `value` is a promise: the language's, also of another realm (a vm context's, jest's) or
 * with another implementation as the global `Promise` (bluebird, zone.js), what an `async`
 * function returns either way; or one of that global's. May throw (a revoked Proxy).
 */
function isPromise(value: object): boolean {
  return value instanceof Promise || Object.prototype.toString.call(value) === '[object Promise]';
}

/** What kind of value `value` is, for messages; never throws. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const type = typeof value;
  if (type === 'object') {
    try {
      if (Array.isArray(value)) return 'an array';
      if (isPromise(value)) return 'a promise';
    } catch {
      // A revoked Proxy, or one whose getPrototypeOf trap throws (a thrown value): an object.
    }
    return 'an object';
  }
  return type === 'function' ? 'a function' : `a ${type}`;
}

/** `' Await it first.'` for a promise, else `''`: what to do with a promise given for a value. */
function awaitItFirst(value: unknown): string {
  return kindOf(value) === 'a promise' ? ' Await it first.' : '';
}
