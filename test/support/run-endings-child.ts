/**
 * Run by test/run-control/process-exits.spec.ts in a Node.js process of its own: ends a run every
 * way a run can end, one after the other, then lets the process end by itself. Every task that
 * could leave a timer behind has a ten-minute timeout or retry delay, so a timer a run forgot keeps
 * this process alive long after the spec gives up on it.
 *
 * Prints one JSON line per ending — how the run settled, the abort listeners left on the caller's
 * signal, and the active resources (`process.getActiveResourcesInfo()`) the run added — then, as
 * the process exits, the unhandled rejections it saw.
 */
import { getEventListeners } from 'node:events';
import {
  buildDag,
  CONTEXT,
  SIGNAL,
  skip,
  type DagBuilder,
  type InvokeOptions,
  type TaskContext,
  type WorkflowHooks,
  type WorkflowStream,
} from '../../src';
import { EVERY_HOOK } from './event-log';

const unhandled: string[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));
process.on('exit', () => console.log(JSON.stringify({ exited: true, unhandled })));

/** Ten minutes: longer than the spec waits for this process to end. */
const LONG = 600_000;

/** A body that gives up with its signal's reason once the signal aborts. */
const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );

/** A body that never settles: only its timeout ends its attempt. */
const never = (): Promise<never> => new Promise(() => {});

/**
 * A run that fails while it is busy: `hang` waits for its signal, `retrying` waits out a retry
 * delay, `skipped` skipped itself, `first` reported progress, and `bad` fails after `first`; then the
 * `allSettled` task `cleanup` runs. Each of the run's hooks has had a call when `bad` fails.
 */
function busyFailing(): DagBuilder<void> {
  const tm = buildDag({ name: 'BusyFailing' });
  tm.addNode({ name: 'hang', timeout: LONG }, untilAborted, SIGNAL);
  tm.addNode({ name: 'retrying', retries: 1, retryDelay: LONG }, () => {
    throw new Error('retry me');
  });
  tm.addNode({ name: 'skipped' }, () => skip('not today'));
  const first = tm.addNode(
    { name: 'first', timeout: LONG },
    (context: TaskContext) => {
      context.progress('half');
      return 1;
    },
    CONTEXT,
  );
  const bad = tm.addNode(
    { name: 'bad', timeout: LONG },
    async (_first: number) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('bad');
    },
    first,
  );
  tm.addNode(
    { name: 'cleanup', when: 'allSettled', timeout: LONG },
    (_bad: unknown) => 'cleaned',
    bad,
  );
  return tm;
}

/** A run that succeeds: `a`, then `b`, each with a timeout. */
function succeeding(): DagBuilder<void> {
  const tm = buildDag({ name: 'Succeeding' });
  const a = tm.addNode({ name: 'a', timeout: LONG }, async () => 1);
  tm.addNode({ name: 'b', timeout: LONG }, (n: number) => n + 1, a);
  return tm;
}

/** A run whose only task waits for its signal (with a timeout). */
function hanging(): DagBuilder<void> {
  const tm = buildDag({ name: 'Hanging' });
  tm.addNode({ name: 'hang', timeout: LONG }, untilAborted, SIGNAL);
  return tm;
}

/** A hook that throws on its first call. */
function throwingOnce(name: keyof WorkflowHooks): WorkflowHooks {
  let thrown = false;
  return {
    [name]: () => {
      if (thrown) return;
      thrown = true;
      throw new Error(`${name} threw`);
    },
  };
}

/** Reads a stream to its end, or leaves it as `leave` says at its first event. */
async function read(stream: WorkflowStream, leave?: 'break' | 'throw'): Promise<unknown> {
  try {
    for await (const _event of stream) {
      if (leave === 'break') break;
      if (leave === 'throw') throw new Error('the reader threw');
    }
  } catch (error) {
    if (!(error instanceof Error && error.message === 'the reader threw')) throw error;
  }
  return stream.result;
}

type Ending = (options: InvokeOptions<any>, abort: (reason: unknown) => void) => Promise<unknown>;

const endings: Record<string, Ending> = {
  succeeds: (options) => succeeding().invoke(undefined, options),
  'fails (failFast) while busy, then runs its cleanup': (options) =>
    busyFailing().invoke(undefined, options),
  'fails (failFast: false) once the other tasks finish': (options) => {
    const tm = buildDag({ name: 'Lenient' });
    tm.addNode({ name: 'bad', timeout: LONG }, () => {
      throw new Error('bad');
    });
    tm.addNode({ name: 'slow', timeout: LONG }, () => new Promise((r) => setTimeout(r, 5)));
    return tm.invoke(undefined, { ...options, failFast: false });
  },
  'times out on every attempt, with a retry delay between them': (options) => {
    const tm = buildDag({ name: 'TimingOut' });
    tm.addNode({ name: 't', timeout: 5, retries: 1, retryDelay: 5 }, never);
    return tm.invoke(undefined, options);
  },
  "is aborted by the caller's signal mid-task": (options, abort) =>
    hanging().invoke(undefined, {
      ...options,
      hooks: { onTaskStart: () => void setTimeout(() => abort(new Error('shutdown')), 5) },
    }),
  "is aborted by the caller's signal while busy": (options, abort) =>
    busyFailing().invoke(undefined, {
      ...options,
      hooks: { onTaskRetry: () => abort(new Error('shutdown')) },
    }),
  "starts with the caller's signal aborted already": (options, abort) => {
    abort(new Error('too late'));
    return busyFailing().invoke(undefined, options);
  },
  'is streamed and read to its end': (options) => read(succeeding().stream(undefined, options)),
  'is streamed, failing, and read to its end': (options) =>
    read(busyFailing().stream(undefined, options)),
  "is streamed and left by the reader's break": (options) =>
    read(busyFailing().stream(undefined, options), 'break'),
  "is streamed and left by the reader's throw": (options) =>
    read(busyFailing().stream(undefined, options), 'throw'),
  "is streamed and left by return() while the reader's next() waits": async (options) => {
    const stream = hanging().stream(undefined, options);
    await stream.next(); // taskStart
    const waiting = stream.next();
    await stream.return();
    await waiting;
    return stream.result;
  },
  'fails when a task interceptor throws': (options) =>
    busyFailing().invoke(undefined, {
      ...options,
      interceptors: [
        {
          task: (info, next) => {
            if (info.task === 'first') throw new Error('interceptor threw');
            return next();
          },
        },
      ],
    }),
  'fails when a run interceptor throws before next()': (options) =>
    busyFailing().invoke(undefined, {
      ...options,
      interceptors: [
        {
          run: () => {
            throw new Error('interceptor threw');
          },
        },
      ],
    }),
  'fails when a run interceptor throws after next() settled': (options) =>
    busyFailing().invoke(undefined, {
      ...options,
      interceptors: [
        {
          run: async (_info, next) => {
            await next().catch(() => {});
            throw new Error('interceptor threw');
          },
        },
      ],
    }),
  'fails when a fallback throws': (options) => {
    const tm = hanging();
    tm.addNode({ name: 'recovering', fallback: () => Promise.reject(new Error('no luck')) }, () => {
      throw new Error('bad');
    });
    return tm.invoke(undefined, options);
  },
  'fails when a task ignores its signal until its timeout': (options) => {
    const tm = hanging();
    tm.addNode({ name: 'deaf', timeout: 5 }, never);
    return tm.invoke(undefined, options);
  },
  'fails under a concurrency limit with tasks still queued': (options) => {
    const tm = busyFailing();
    for (let queued = 0; queued < 3; queued++) {
      tm.addNode({ name: `queued${queued}`, timeout: LONG }, untilAborted, SIGNAL);
    }
    return tm.invoke(undefined, { ...options, concurrency: 2 });
  },
  'is streamed, failing, with nobody reading it or awaiting its result': (options) =>
    new Promise((resolve) => {
      busyFailing().stream(undefined, {
        ...options,
        // The run's last event: the cleanup's end. Then a turn for the run to settle.
        hooks: { onTaskSuccess: ({ task }) => void (task === 'cleanup' && setImmediate(resolve)) },
      });
    }),
  'succeeds while an async hook rejects after it settled': async (options) => {
    const rejected = new Promise<void>((resolve) => process.once('warning', () => resolve()));
    const result = await succeeding().invoke(undefined, {
      ...options,
      hooks: {
        onTaskSuccess: async ({ task }) => {
          if (task !== 'b') return;
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw new Error('late hook');
        },
      },
    });
    await rejected; // reported as a process warning, not an unhandled rejection
    return result;
  },
};
for (const hook of EVERY_HOOK) {
  endings[`fails when ${hook} throws`] = (options) =>
    busyFailing().invoke(undefined, { ...options, hooks: throwingOnce(hook) });
}

/** The kinds of active resources, counted. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The active resources of `after` that `before` did not have, as `Kind×n`. */
function added(before: Map<string, number>, after: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [kind, count] of after) {
    const more = count - (before.get(kind) ?? 0);
    if (more > 0) extra.push(`${kind}×${more}`);
  }
  return extra;
}

async function main(): Promise<void> {
  for (const [ending, run] of Object.entries(endings)) {
    const controller = new AbortController();
    const before = resources();
    let outcome: string;
    try {
      await run({ signal: controller.signal }, (reason) => controller.abort(reason));
      outcome = 'resolved';
    } catch (error) {
      outcome = (error as Error).constructor.name;
    }
    // Let what a settled run leaves to the next turns happen: a timer of its own would not.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    console.log(
      JSON.stringify({
        ending,
        outcome,
        listeners: getEventListeners(controller.signal, 'abort').length,
        resources: added(before, resources()),
      }),
    );
  }
}

void main();
