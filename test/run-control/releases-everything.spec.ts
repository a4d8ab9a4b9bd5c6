/**
 * A run releases everything it took, whatever moment it ends at. A service keeps one long-lived
 * `AbortSignal` (its shutdown) and passes it to every run, for millions of requests: a listener, a
 * timer or a rejection left per run is a leak. One table of moments — every way a run ends, and
 * the caller's signal aborting at each point where a run can be suspended — each checked the same
 * way once the promise the docs describe for that moment has settled:
 *
 * - the caller's signal has exactly the listeners it had before the run (its own included);
 * - no timer the run set is still pending (counted by wrapping `setTimeout`/`clearTimeout`, which
 *   sees unref'd timers too), and `process.getActiveResourcesInfo()` shows no extra `Timeout`;
 * - the outcome is the one the docs give for that moment;
 * - no hook is called after it settled, and no unhandled rejection or process warning follows.
 *
 * The heap over many runs on one signal is measured by `test/stress/leak.stress.ts`.
 */
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import {
  buildDag,
  SIGNAL,
  TaskTimeoutError,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type DagBuilder,
  type ExecutionResult,
  type InvokeOptions,
  type WorkflowEvent,
  type WorkflowHooks,
  type WorkflowStream,
} from '../../src';
import { deferred, EVERY_HOOK, Gates, recordProcessEvents, settle } from '../support/event-log';

const abortListenerCount = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** `Timeout` entries of `process.getActiveResourcesInfo()`: timers that keep the process running. */
const activeTimeouts = () =>
  process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/**
 * The timers set while a row runs that have neither fired nor been cleared: `setTimeout` and
 * `clearTimeout` wrapped (the library calls the global ones when it needs a timer), so that an
 * unref'd timer, which `getActiveResourcesInfo` does not list, is counted too.
 */
function watchTimers() {
  const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
  const pending = new Set<ReturnType<typeof setTimeout>>();
  globalThis.setTimeout = ((
    callback: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    const timer = realSet(() => {
      pending.delete(timer);
      callback(...args);
    }, ms);
    pending.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer: ReturnType<typeof setTimeout> | undefined) => {
    if (timer !== undefined) pending.delete(timer);
    realClear(timer);
  }) as typeof clearTimeout;
  return {
    pending,
    stop() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

/** What a row's `drive` gets. */
interface Moment {
  /** The run's options: the caller's signal, and hooks that log every call (add more with `hooks`). */
  options(
    more?: Omit<InvokeOptions<any>, 'signal' | 'hooks'>,
    hooks?: WorkflowHooks,
  ): InvokeOptions<any>;
  /** Aborts the caller's signal (rows of `callerAborts` only). */
  abort(reason: unknown): void;
  readonly gates: Gates<unknown>;
  /** Resolves when hook `name` is next called for `task`. */
  called(name: keyof WorkflowHooks, task: string): Promise<void>;
}

/**
 * How a row's run ended, as its user sees it: the promise the docs describe for that moment
 * (`invoke`'s, or a stream's `result`), or, when nobody awaits it, a promise that resolves once the
 * run has settled (a hook of its last event, and a turn).
 */
type Driven =
  | { readonly outcome: Promise<unknown>; readonly stream?: WorkflowStream }
  | { readonly unobserved: Promise<unknown>; readonly stream?: WorkflowStream };

interface Row {
  readonly moment: string;
  /** Starts a run and brings it to its end. */
  drive(moment: Moment): Promise<Driven>;
  /** Checks the value or error the outcome settled with (not called for an unobserved run). */
  check?(settled: { value?: unknown; error?: unknown }): unknown;
  /**
   * The one timer the run leaves: a body an interceptor did not wait for goes on, and its signal
   * still aborts at the attempt's timeout — an unref'd timer (it keeps no process running), which
   * ends at that deadline.
   */
  readonly leavesUnrefTimer?: true;
}

/** A body that waits for its gate, or gives up with its signal's reason once the signal aborts. */
function gateOrAbort(gates: Gates<unknown>, name: string, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    gates.wait(name).then(resolve, reject);
  });
}

/** A body that never settles. */
const never = (): Promise<unknown> => new Promise(() => {});

const statuses = (result: ExecutionResult<any, any>) =>
  result.trace.map(({ task, status, attempts }) => `${task}:${status}:${attempts}`);

/** Reads the stream until it ends: its events, and the error it ended with. */
async function readToEnd(stream: WorkflowStream) {
  const events: WorkflowEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** Checks a `WorkflowAbortedError`: its cause (or a check of it) and the tasks of its failures. */
function abortedWith(
  cause: unknown,
  failures: string[],
  check?: (error: WorkflowAbortedError) => void,
) {
  return ({ error }: { error?: unknown }) => {
    expect(error).to.be.instanceOf(WorkflowAbortedError);
    const aborted = error as WorkflowAbortedError;
    if (typeof cause === 'function') (cause as (c: unknown) => void)(aborted.cause);
    else expect(aborted.cause).to.equal(cause);
    expect(aborted.failures.map(({ task }) => task)).to.deep.equal(failures);
    check?.(aborted);
  };
}

/** Checks a `WorkflowExecutionError`: its task and the tasks of its failures. */
function failedWith(
  task: string,
  failures: string[],
  check?: (error: WorkflowExecutionError) => void,
) {
  return ({ error }: { error?: unknown }) => {
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    const failed = error as WorkflowExecutionError;
    expect(failed.task).to.equal(task);
    expect(failed.failures.map((failure) => failure.task)).to.deep.equal(failures);
    check?.(failed);
  };
}

const isStreamLeft = (cause: unknown) =>
  expect((cause as DOMException).message).to.equal('the stream was closed before the run ended');

/** A two-task run: `a`, then `b` (which takes its signal and has a timeout). */
function pair(): DagBuilder<number> {
  const tm = buildDag<number>({ name: 'Pair' });
  const a = tm.addNode({ name: 'a' }, async (n: number) => n + 1, tm.parameterNode);
  tm.addNode(
    { name: 'b', timeout: 60_000 },
    async (n: number, _signal: AbortSignal) => n * 2,
    a,
    SIGNAL,
  );
  return tm;
}

/** A run whose task `t` waits for its gate or its signal (with a `timeout` of 60 s). */
function waiting(gates: Gates<unknown>, options: { retries?: number; retryDelay?: number } = {}) {
  const tm = buildDag({ name: 'Waiting' });
  const t = tm.addNode(
    { name: 't', timeout: 60_000, ...options },
    (signal: AbortSignal) => gateOrAbort(gates, 't', signal),
    SIGNAL,
  );
  tm.addNode({ name: 'after' }, (value: unknown) => value, t);
  return tm;
}

/** A run whose task `t` times out after 5 ms on every attempt and is retried after a delay. */
function timingOut(retryDelay: number, extra: { fallback?: () => unknown } = {}) {
  const tm = buildDag({ name: 'TimingOut' });
  tm.addNode({ name: 't', timeout: 5, retries: 2, retryDelay, ...extra }, never);
  return tm;
}

/** Runs that end while nothing aborts the caller's signal: it is the app's, long-lived. */
const longLived: Row[] = [
  {
    moment: 'succeeds',
    async drive({ options }) {
      return { outcome: pair().invoke(1, options()) };
    },
    check: ({ value }) => expect((value as ExecutionResult<any, any>).get('b')).to.equal(4),
  },
  {
    moment: 'fails (failFast) while a task runs and another waits out a retry delay',
    async drive({ options, gates, called }) {
      const tm = buildDag({ name: 'FailFast' });
      tm.addNode({ name: 'bad' }, () => gates.wait('bad'));
      tm.addNode(
        { name: 'running', timeout: 60_000 },
        (s: AbortSignal) => gateOrAbort(gates, 'running', s),
        SIGNAL,
      );
      tm.addNode({ name: 'retrying', retries: 3, retryDelay: 60_000 }, () => {
        throw new Error('retry me');
      });
      const retried = called('onTaskRetry', 'retrying');
      const outcome = tm.invoke(undefined, options());
      await retried;
      gates.fail('bad', new Error('bad'));
      return { outcome };
    },
    // The stop fails the retry wait at once; `running` gives up a turn later.
    check: failedWith('bad', ['bad', 'retrying', 'running']),
  },
  {
    moment: 'fails (failFast: false) and lets the other tasks finish',
    async drive({ options, gates }) {
      const tm = buildDag({ name: 'Lenient' });
      tm.addNode({ name: 'bad', timeout: 60_000 }, async () => {
        throw new Error('bad');
      });
      tm.addNode({ name: 'ok', timeout: 60_000 }, () => gates.wait('ok'));
      const outcome = tm.invoke(undefined, options({ failFast: false }));
      await settle();
      gates.open('ok', 'done');
      return { outcome };
    },
    check: failedWith('bad', ['bad'], (error) => expect(error.result.get('ok')).to.equal('done')),
  },
  {
    moment: 'fails when every attempt times out, with a retry delay between them',
    async drive({ options }) {
      return { outcome: timingOut(5).invoke(undefined, options()) };
    },
    check: failedWith('t', ['t'], (error) => {
      expect(error.cause).to.be.instanceOf(TaskTimeoutError);
      expect(statuses(error.result)).to.deep.equal(['t:failed:3']);
    }),
  },
  {
    moment: 'succeeds through a fallback once every attempt timed out',
    async drive({ options }) {
      return { outcome: timingOut(5, { fallback: () => 'fallback' }).invoke(undefined, options()) };
    },
    check: ({ value }) =>
      expect((value as ExecutionResult<any, any>).get('t')).to.equal('fallback'),
  },
  {
    moment: 'fails, then runs an allSettled cleanup with a timeout to its end',
    async drive({ options, gates, called }) {
      const tm = buildDag({ name: 'Cleanup' });
      const work = tm.addNode({ name: 'work' }, () => gates.wait('work'));
      tm.addNode(
        { name: 'cleanup', when: 'allSettled', timeout: 60_000, retries: 1, retryDelay: 60_000 },
        (_work: unknown, signal: AbortSignal) => gateOrAbort(gates, 'cleanup', signal),
        work,
        SIGNAL,
      );
      const cleanupStarted = called('onTaskStart', 'cleanup');
      const outcome = tm.invoke(undefined, options());
      gates.fail('work', new Error('work failed'));
      await cleanupStarted;
      gates.open('cleanup', 'cleaned');
      return { outcome };
    },
    check: failedWith('work', ['work'], (error) =>
      expect(error.result.get('cleanup')).to.equal('cleaned'),
    ),
  },
  {
    moment: 'fails when an async onTaskStart hook rejects while its task runs',
    async drive({ options, gates }) {
      const hookError = new Error('hook rejected');
      const outcome = waiting(gates).invoke(
        undefined,
        options({}, { onTaskStart: () => gates.wait('hook') }),
      );
      await settle();
      gates.fail('hook', hookError);
      return { outcome };
    },
    check: failedWith('t', ['t', 't']),
  },
  {
    moment: 'fails when onTaskStart throws',
    async drive({ options }) {
      const outcome = pair().invoke(
        1,
        options(
          {},
          {
            onTaskStart: ({ task }) => {
              if (task === 'b') throw new Error('hook threw');
            },
          },
        ),
      );
      return { outcome };
    },
    check: failedWith('b', ['b']),
  },
  {
    moment: 'succeeds, streamed and read to its end',
    async drive({ options }) {
      const stream = pair().stream(1, options());
      const read = await readToEnd(stream);
      expect(read.events.map(({ type, task }) => `${type}:${task}`)).to.deep.equal([
        'taskStart:a',
        'taskSuccess:a',
        'taskStart:b',
        'taskSuccess:b',
      ]);
      return { outcome: stream.result, stream };
    },
    check: ({ value }) => expect((value as ExecutionResult<any, any>).get('b')).to.equal(4),
  },
  {
    moment: "is aborted by a stream's reader leaving the loop (break) mid-task",
    async drive({ options, gates }) {
      const stream = waiting(gates).stream(undefined, options());
      for await (const event of stream) if (event.type === 'taskStart') break;
      return { outcome: stream.result, stream };
    },
    check: abortedWith(isStreamLeft, ['t']),
  },
  {
    moment:
      "is aborted by a stream's reader leaving (return()) while a task waits out a retry delay",
    async drive({ options }) {
      const stream = timingOut(60_000).stream(undefined, options());
      let event: IteratorResult<WorkflowEvent>;
      do event = await stream.next();
      while (!event.done && event.value.type !== 'taskFailure');
      expect(await stream.return()).to.deep.equal({ value: undefined, done: true });
      return { outcome: stream.result, stream };
    },
    check: abortedWith(isStreamLeft, ['t'], (error) =>
      expect(error.failures[0].error).to.be.instanceOf(TaskTimeoutError),
    ),
  },
  {
    moment: "succeeds while its stream's reader pauses, then reads on",
    async drive({ options, gates }) {
      const stream = waiting(gates).stream(undefined, options());
      expect((await stream.next()).value).to.include({ type: 'taskStart', task: 't' });
      gates.open('t', 'late');
      const value = await stream.result; // the run ends while nobody reads
      const read = await readToEnd(stream);
      expect(read.events.map(({ type, task }) => `${type}:${task}`)).to.deep.equal([
        'taskSuccess:t',
        'taskStart:after',
        'taskSuccess:after',
      ]);
      return { outcome: Promise.resolve(value), stream };
    },
    check: ({ value }) =>
      expect((value as ExecutionResult<any, any>).get('after')).to.equal('late'),
  },
  {
    moment: 'fails, streamed, with nobody reading the events or awaiting the result',
    async drive({ options, called }) {
      const failed = called('onTaskFailure', 't');
      const stream = timingOut(1).stream(undefined, options());
      return { unobserved: failed.then(() => settle()), stream };
    },
  },
  {
    moment: 'succeeds with nobody awaiting its promise',
    async drive({ options, called }) {
      const done = called('onTaskSuccess', 'b');
      void pair().invoke(1, options());
      return { unobserved: done.then(() => settle()) };
    },
  },
  (() => {
    let bodySignal: AbortSignal | undefined;
    return {
      moment: 'succeeds when a task interceptor answers without waiting for the body (timed)',
      async drive({ options }: Moment) {
        const tm = buildDag({ name: 'Cached' });
        tm.addNode(
          { name: 't', timeout: 30 },
          (signal: AbortSignal) => ((bodySignal = signal), never()),
          SIGNAL,
        );
        const interceptors = [
          { task: (_info: unknown, next: () => unknown) => (next(), 'cached') },
        ];
        return { outcome: tm.invoke(undefined, options({ interceptors })) };
      },
      async check({ value }: { value?: unknown }) {
        expect((value as ExecutionResult<any, any>).get('t')).to.equal('cached');
        // The body's signal aborts at the attempt's timeout, which ends the unref'd timer.
        await new Promise((resolve) => bodySignal!.addEventListener('abort', resolve));
        expect(bodySignal!.reason).to.be.instanceOf(TaskTimeoutError);
      },
      leavesUnrefTimer: true,
    } satisfies Row;
  })(),
];

/** Runs during which the caller's signal aborts: each has a signal of its own. */
const callerAborts: Row[] = [
  {
    moment: 'before it starts',
    async drive({ options, abort }) {
      abort('before');
      return { outcome: pair().invoke(1, options()) };
    },
    check: abortedWith('before', [], (error) => expect(error.result.trace).to.deep.equal([])),
  },
  {
    moment: 'during a task that gives up when its signal aborts',
    async drive({ options, abort, gates, called }) {
      const started = called('onTaskStart', 't');
      const outcome = waiting(gates).invoke(undefined, options());
      await started;
      abort('mid-task');
      return { outcome };
    },
    check: abortedWith('mid-task', ['t']),
  },
  {
    moment: 'during a task that ignores its signal, until its timeout',
    async drive({ options, abort, called }) {
      const tm = buildDag({ name: 'Deaf' });
      tm.addNode({ name: 't', timeout: 20 }, never);
      const started = called('onTaskStart', 't');
      const outcome = tm.invoke(undefined, options());
      await started;
      abort('mid-task');
      return { outcome };
    },
    check: abortedWith('mid-task', ['t'], (error) =>
      expect(error.failures[0].error).to.be.instanceOf(TaskTimeoutError),
    ),
  },
  {
    moment: 'during a retry delay, after an attempt timed out',
    async drive({ options, abort, called }) {
      const retrying = called('onTaskRetry', 't');
      const outcome = timingOut(60_000).invoke(undefined, options());
      await retrying;
      abort('in the delay');
      return { outcome };
    },
    check: abortedWith('in the delay', ['t'], (error) => {
      expect(error.failures[0].error).to.be.instanceOf(TaskTimeoutError);
      expect(statuses(error.result)).to.deep.equal(['t:failed:1']);
    }),
  },
  {
    moment: 'during a pending fallback that gives up when its signal aborts',
    async drive({ options, abort, gates }) {
      const fallbackCalled = deferred();
      const tm = buildDag({ name: 'Recovering' });
      tm.addNode(
        {
          name: 't',
          fallback: (_error: unknown, signal: AbortSignal) => {
            fallbackCalled.resolve();
            return gateOrAbort(gates, 'fallback', signal);
          },
        },
        async (): Promise<unknown> => {
          throw new Error('t failed');
        },
      );
      const outcome = tm.invoke(undefined, options());
      await fallbackCalled.promise;
      abort('in the fallback');
      return { outcome };
    },
    check: abortedWith('in the fallback', ['t']),
  },
  {
    moment: 'during an allSettled cleanup, after a failure stopped the run',
    async drive({ options, abort, gates, called }) {
      let cleanupSignal: AbortSignal | undefined;
      const tm = buildDag({ name: 'Cleanup' });
      const work = tm.addNode({ name: 'work' }, async () => {
        throw new Error('work failed');
      });
      tm.addNode(
        { name: 'cleanup', when: 'allSettled', timeout: 60_000 },
        (_work: unknown, signal: AbortSignal) => {
          cleanupSignal = signal;
          return gateOrAbort(gates, 'cleanup', signal);
        },
        work,
        SIGNAL,
      );
      const started = called('onTaskStart', 'cleanup');
      const outcome = tm.invoke(undefined, options());
      await started;
      abort('in the cleanup');
      // The cleanup's signal aborts only at its own timeout: it runs to its end.
      expect(cleanupSignal!.aborted).to.equal(false);
      gates.open('cleanup', 'cleaned');
      return { outcome };
    },
    // The failure came first: the run rejects with it, as after a stop under failFast.
    check: failedWith('work', ['work'], (error) =>
      expect(error.result.get('cleanup')).to.equal('cleaned'),
    ),
  },
  {
    moment: 'during a task, then runs an allSettled cleanup to its end',
    async drive({ options, abort, gates, called }) {
      const tm = waiting(gates);
      tm.addNode({ name: 'cleanup', when: 'allSettled' }, () => gates.wait('cleanup'));
      const started = called('onTaskStart', 't');
      const outcome = tm.invoke(undefined, options());
      await started;
      abort('mid-task');
      await settle();
      gates.open('cleanup', 'cleaned');
      return { outcome };
    },
    check: abortedWith('mid-task', ['t'], (error) =>
      expect(error.result.get('cleanup')).to.equal('cleaned'),
    ),
  },
  {
    moment: 'inside a run interceptor, before it calls next()',
    async drive({ options, abort, gates }) {
      const outcome = pair().invoke(
        1,
        options({
          interceptors: [{ run: async (_info, next) => (await gates.wait('interceptor'), next()) }],
        }),
      );
      await settle();
      abort('before next');
      gates.open('interceptor', undefined);
      return { outcome };
    },
    check: abortedWith('before next', [], (error) => expect(error.result.trace).to.deep.equal([])),
  },
  {
    moment: 'inside a run interceptor, while it awaits next()',
    async drive({ options, abort, gates, called }) {
      const started = called('onTaskStart', 't');
      const outcome = waiting(gates).invoke(
        undefined,
        options({ interceptors: [{ run: async (_info, next) => await next() }] }),
      );
      await started;
      abort('during next');
      return { outcome };
    },
    check: abortedWith('during next', ['t']),
  },
  {
    moment: 'inside a run interceptor, after next() settled',
    async drive({ options, abort, gates }) {
      const nextSettled = deferred();
      const outcome = pair().invoke(
        1,
        options({
          interceptors: [
            {
              run: async (_info, next) => {
                const result = await next();
                nextSettled.resolve();
                await gates.wait('interceptor');
                return result;
              },
            },
          ],
        }),
      );
      await nextSettled.promise;
      abort('after next');
      gates.open('interceptor', undefined);
      return { outcome };
    },
    // The run was over: the interceptor returns its result.
    check: ({ value }) => expect((value as ExecutionResult<any, any>).get('b')).to.equal(4),
  },
  {
    moment: 'inside a task interceptor, before it calls next()',
    async drive({ options, abort, gates }) {
      let late: Promise<unknown> | undefined;
      const outcome = waiting(gates).invoke(
        undefined,
        options({
          interceptors: [
            {
              task: async (_info, next) => {
                await gates.wait('interceptor');
                return (late = next());
              },
            },
          ],
        }),
      );
      await settle();
      abort('before next');
      gates.open('interceptor', undefined);
      await outcome.catch(() => {});
      // No task starts after a stop: its next() rejects with the stop's reason.
      expect(await late!.catch((error: unknown) => error)).to.equal('before next');
      return { outcome };
    },
    check: abortedWith('before next', ['t']),
  },
  {
    moment: 'inside a task interceptor, after next() settled',
    async drive({ options, abort, gates }) {
      const nextSettled = deferred();
      const outcome = pair().invoke(
        1,
        options({
          interceptors: [
            {
              task: async (info, next) => {
                const value = await next();
                if (info.task !== 'a') return value;
                nextSettled.resolve();
                await gates.wait('interceptor');
                return value;
              },
            },
          ],
        }),
      );
      await nextSettled.promise;
      abort('after next');
      gates.open('interceptor', undefined);
      return { outcome };
    },
    // `a`'s attempt ends when its interceptor returns (a success); `b` never starts.
    check: abortedWith('after next', [], (error) =>
      expect(statuses(error.result)).to.deep.equal(['a:succeeded:1']),
    ),
  },
  {
    moment: 'during an async onTaskStart hook',
    async drive({ options, abort, gates }) {
      const outcome = waiting(gates).invoke(
        undefined,
        options({}, { onTaskStart: () => gates.wait('hook') }),
      );
      await settle();
      abort('in the hook');
      gates.open('hook', undefined);
      return { outcome };
    },
    check: abortedWith('in the hook', ['t']),
  },
  {
    moment: 'inside an onTaskStart hook, which then throws',
    async drive({ options, abort, gates }) {
      const outcome = waiting(gates).invoke(
        undefined,
        options(
          {},
          {
            onTaskStart: () => {
              abort('in the hook');
              throw new Error('hook threw');
            },
          },
        ),
      );
      return { outcome };
    },
    // The abort came first; the hook's throw failed the task, which never ran.
    check: abortedWith('in the hook', ['t'], (error) =>
      expect(statuses(error.result)).to.deep.equal(['t:failed:1']),
    ),
  },
  {
    moment: "while a stream's reader waits in next()",
    async drive({ options, abort, gates }) {
      const stream = waiting(gates).stream(undefined, options());
      await stream.next(); // taskStart t
      const waitingRead = stream.next();
      await settle();
      abort('while reading');
      // The waiting read gets the task's failure (it gave up), the next one the run's error.
      expect((await waitingRead).value).to.include({ type: 'taskFailure', task: 't' });
      const readError = await stream.next().catch((error: unknown) => error);
      expect(readError).to.be.instanceOf(WorkflowAbortedError);
      expect(await stream.result.catch((error: unknown) => error)).to.equal(readError);
      expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
      return { outcome: stream.result, stream };
    },
    check: abortedWith('while reading', ['t']),
  },
  {
    moment: "while a stream's reader pauses (reads nothing)",
    async drive({ options, abort, gates, called }) {
      const started = called('onTaskStart', 't');
      const stream = waiting(gates).stream(undefined, options());
      await started;
      abort('while paused');
      const error = await stream.result.catch((thrown: unknown) => thrown);
      // The events come first, then the run's error, once.
      const read = await readToEnd(stream);
      expect(read.events.map(({ type, task }) => `${type}:${task}`)).to.deep.equal([
        'taskStart:t',
        'taskFailure:t',
      ]);
      expect(read.error).to.equal(error);
      return { outcome: stream.result, stream };
    },
    check: abortedWith('while paused', ['t']),
  },
  {
    moment: "after a stream's reader left the loop, while return() waits",
    async drive({ options, abort, gates }) {
      const stream = waiting(gates).stream(undefined, options());
      await stream.next(); // taskStart t
      const closing = stream.return();
      abort('too late');
      expect(await closing).to.deep.equal({ value: undefined, done: true });
      return { outcome: stream.result, stream };
    },
    check: abortedWith(isStreamLeft, ['t']),
  },
  {
    moment: 'during a task, streamed, with nobody reading the events or awaiting the result',
    async drive({ options, abort, gates, called }) {
      const started = called('onTaskStart', 't');
      const failed = called('onTaskFailure', 't');
      const stream = waiting(gates).stream(undefined, options());
      await started;
      abort('unread');
      return { unobserved: failed.then(() => settle()), stream };
    },
  },
];

/** The app's shutdown signal, shared by every row of `longLived`. */
const shutdown = new AbortController();
/** The app's own listener on it, which the runs must leave alone. */
shutdown.signal.addEventListener('abort', () => {});

function runRow(row: Row, signalOf: () => AbortController) {
  return async () => {
    await settle(); // mocha sets this test's own timer once the test function has returned
    const controller = signalOf();
    const { signal } = controller;
    const listenersBefore = abortListenerCount(signal);
    const activeBefore = activeTimeouts();
    const gates = new Gates<unknown>();
    const waiters: { name: string; task: string; resolve(): void }[] = [];
    const hookCalls: string[] = [];
    const logging = (name: keyof WorkflowHooks, own?: (event: any) => unknown) => (event: any) => {
      hookCalls.push(`${name}:${event.task}`);
      for (const waiter of waiters.splice(0)) {
        if (waiter.name === name && waiter.task === event.task) waiter.resolve();
        else waiters.push(waiter);
      }
      return own?.(event);
    };
    const moment: Moment = {
      options: (more = {}, hooks = {}) => ({
        ...more,
        signal,
        hooks: Object.fromEntries(EVERY_HOOK.map((name) => [name, logging(name, hooks[name])])),
      }),
      abort: (reason) => controller.abort(reason),
      gates,
      called: (name, task) => {
        const called = deferred();
        waiters.push({ name, task, resolve: called.resolve });
        return called.promise;
      },
    };
    const timers = watchTimers();
    const unhandled = recordProcessEvents('unhandledRejection');
    const warnings = recordProcessEvents('warning');
    try {
      const driven = await row.drive(moment);
      /** What is left of the run when its promise has just settled (or, unobserved, the run has). */
      const leftovers = () => ({
        listeners: abortListenerCount(signal),
        pendingTimers: [...timers.pending].filter((timer) => timer.hasRef()).length,
        unrefTimers: [...timers.pending].filter((timer) => !timer.hasRef()).length,
        activeTimeouts: activeTimeouts(),
        hookCalls: hookCalls.length,
      });
      let settled: { value?: unknown; error?: unknown };
      let atSettle: ReturnType<typeof leftovers>;
      if ('outcome' in driven) {
        settled = await driven.outcome.then(
          (value) => ((atSettle = leftovers()), { value }),
          (error: unknown) => ((atSettle = leftovers()), { error }),
        );
      } else {
        await driven.unobserved;
        atSettle = leftovers();
        settled = {};
      }
      expect(atSettle!.listeners, "the caller's signal's abort listeners").to.equal(
        listenersBefore,
      );
      expect(atSettle!.pendingTimers, 'timers the run set, still pending').to.equal(0);
      expect(atSettle!.activeTimeouts, 'Timeout entries of getActiveResourcesInfo').to.be.at.most(
        activeBefore,
      );
      expect(atSettle!.unrefTimers, "unref'd timers").to.equal(row.leavesUnrefTimer ? 1 : 0);
      if (driven.stream !== undefined) {
        // Every unobserved stream of the table fails.
        const failed = 'error' in settled || 'unobserved' in driven;
        expect(JSON.parse(JSON.stringify(driven.stream)).state).to.equal(
          failed ? 'failed' : 'succeeded',
        );
      }
      await row.check?.(settled);
      await settle(3);
      expect(
        hookCalls.slice(atSettle!.hookCalls),
        'hooks called after the run settled',
      ).to.deep.equal([]);
      expect(abortListenerCount(signal), "the caller's signal's abort listeners, later").to.equal(
        listenersBefore,
      );
      expect(timers.pending.size, 'timers the run set, still pending later').to.equal(0);
      expect(unhandled.received.map(String), 'unhandled rejections').to.deep.equal([]);
      expect(warnings.received.map(String), 'process warnings').to.deep.equal([]);
    } finally {
      timers.stop();
      unhandled.stop();
      warnings.stop();
    }
  };
}

describe('a run releases everything it took, whatever moment it ends at', () => {
  describe("on the app's long-lived signal, a run that", () => {
    for (const row of longLived)
      it(
        row.moment,
        runRow(row, () => shutdown),
      );
  });

  describe("with the caller's signal aborting", () => {
    for (const row of callerAborts) {
      it(
        row.moment,
        runRow(row, () => {
          const controller = new AbortController();
          controller.signal.addEventListener('abort', () => {}); // the caller's own listener
          return controller;
        }),
      );
    }
  });
});

describe('runs sharing one long-lived signal', () => {
  it('are released when the run settles, which a run interceptor that answers first does not wait for', async () => {
    // The run goes on after the interceptor's promise settled (its `next()` is the run's): its
    // listener and timers are the run's until it settles, as in any other run.
    const gates = new Gates<unknown>();
    const { signal } = shutdown;
    const listenersBefore = abortListenerCount(signal);
    const timers = watchTimers();
    try {
      let run!: Promise<unknown>;
      const outcome = waiting(gates).invoke(undefined, {
        signal,
        interceptors: [
          {
            run(_info, next) {
              run = next();
              return Promise.resolve('answered first');
            },
          },
        ],
      });
      expect(await outcome).to.equal('answered first');
      expect(abortListenerCount(signal), 'listeners while the run goes on').to.equal(
        listenersBefore + 1,
      );
      expect(timers.pending.size, "the timeout of the run's task").to.equal(1);
      gates.open('t', 'late');
      const result = (await run) as ExecutionResult<any, any>;
      expect(result.get('after')).to.equal('late');
      expect(abortListenerCount(signal), 'listeners once the run settled').to.equal(
        listenersBefore,
      );
      expect(timers.pending.size, 'timers once the run settled').to.equal(0);
    } finally {
      timers.stop();
    }
  });

  it('are let go of when a failure stops the run, while a task that ignores its signal keeps it going', async () => {
    // Once stopped, an abort changes nothing: the run need not hear it. A task that never settles
    // would otherwise keep the run — its instance, its values — attached to the app's signal for
    // as long as the app lives.
    const controller = new AbortController();
    const { signal } = controller;
    const gates = new Gates<unknown>();
    const tm = buildDag({ name: 'Stuck' });
    tm.addNode({ name: 'stuck' }, () => gates.wait('stuck'));
    tm.addNode({ name: 'bad' }, () => gates.wait('bad'));
    const outcome = tm.invoke(undefined, { signal }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(abortListenerCount(signal), 'while the run goes on').to.equal(1);
    gates.fail('bad', new Error('declined'));
    await settle();
    expect(abortListenerCount(signal), 'once the failure stopped the run').to.equal(0);
    controller.abort(new Error('shutdown'));
    gates.open('stuck', 'late');
    const error = await outcome;
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    expect((error as WorkflowExecutionError).task).to.equal('bad');
    expect((error as WorkflowExecutionError).result.get('stuck')).to.equal('late');
  });

  it('are let go of when the stream is closed, while a task that ignores its signal keeps the run going', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const gates = new Gates<unknown>();
    const tm = buildDag({ name: 'Stuck' });
    tm.addNode({ name: 'stuck' }, () => gates.wait('stuck'));
    const stream = tm.stream(undefined, { signal });
    const outcome = stream.result.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const first = await stream.next();
    expect(first.value).to.include({ type: 'taskStart', task: 'stuck' });
    const closed = stream.return();
    await settle();
    expect(abortListenerCount(signal), 'once the closed stream stopped the run').to.equal(0);
    gates.open('stuck', 'late');
    expect(await closed).to.deep.equal({ value: undefined, done: true });
    expect(await outcome).to.be.instanceOf(WorkflowAbortedError);
  });

  it('add one abort listener to it in all, and leave none, no timer and no warning, over 1,200 runs ending every way', async () => {
    // By `n % 6`: 0 succeeds; 1 fails after a retry (failFast); 2 fails (failFast: false); 3 is
    // streamed and read to its end; 4 is streamed and left at its first event; 5 goes through
    // interceptors and an async hook, and its fallback recovers it. 100 runs at a time.
    const tm = buildDag<number>({ name: 'Mixed' });
    const first = tm.addNode(
      {
        name: 'first',
        timeout: 60_000,
        retries: 1,
        fallback: (error: unknown) => {
          if ((error as Error).message === 'recover') return 'recovered';
          throw error;
        },
      },
      async (n: number, signal: AbortSignal): Promise<unknown> => {
        await null;
        if (signal.aborted) throw signal.reason;
        if (n % 6 === 1 || n % 6 === 2) throw new Error(`no ${n}`);
        if (n % 6 === 5) throw new Error('recover');
        return n;
      },
      tm.parameterNode,
      SIGNAL,
    );
    tm.addNode({ name: 'second', timeout: 60_000 }, (value: unknown) => value, first);
    tm.addNode({ name: 'cleanup', when: 'allSettled' }, (_first: unknown) => 'cleaned', first);
    const interceptors = [
      {
        run: (_info: unknown, next: () => Promise<unknown>) => next(),
        task: async (_info: unknown, next: () => Promise<unknown>) => next(),
      },
    ];
    const { signal } = shutdown;
    const listenersBefore = abortListenerCount(signal);
    const runs = 1_200;
    const outcomes = new Map<string, number>();
    const settledAs = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: Error) => error.constructor.name,
      );
    const startRun = async (n: number): Promise<string> => {
      const kind = n % 6;
      if (kind === 2) return settledAs(tm.invoke(n, { signal, failFast: false }));
      if (kind === 5) {
        return settledAs(
          tm.invoke(n, { signal, interceptors, hooks: { onTaskStart: async () => {} } }),
        );
      }
      if (kind !== 3 && kind !== 4) return settledAs(tm.invoke(n, { signal }));
      const stream = tm.stream(n, { signal });
      for await (const _event of stream) if (kind === 4) break;
      return settledAs(stream.result);
    };
    const timers = watchTimers();
    const warnings = recordProcessEvents('warning');
    const unhandled = recordProcessEvents('unhandledRejection');
    let mostListeners = 0;
    try {
      for (let from = 0; from < runs; from += 100) {
        const started: Promise<string>[] = [];
        for (let n = from; n < from + 100; n++) started.push(startRun(n));
        mostListeners = Math.max(mostListeners, abortListenerCount(signal));
        for (const outcome of await Promise.all(started)) {
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      }
      await settle(2);
      expect(Object.fromEntries(outcomes)).to.deep.equal({
        resolved: runs / 2, // kinds 0, 3 and 5
        WorkflowExecutionError: runs / 3, // kinds 1 and 2
        WorkflowAbortedError: runs / 6, // kind 4
      });
      expect(mostListeners - listenersBefore, 'listeners added while runs were going').to.equal(1);
      expect(abortListenerCount(signal), 'listeners left').to.equal(listenersBefore);
      expect(timers.pending.size, 'timers left').to.equal(0);
      expect(warnings.received.map(String), 'process warnings').to.deep.equal([]);
      expect(unhandled.received.map(String), 'unhandled rejections').to.deep.equal([]);
    } finally {
      timers.stop();
      warnings.stop();
      unhandled.stop();
    }
  });
});
