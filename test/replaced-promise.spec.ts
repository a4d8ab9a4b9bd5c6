/**
 * The global `Promise` replaced by another implementation, before or after the package is loaded:
 * zone.js (Angular, and the test setups of Angular apps) makes it its `ZoneAwarePromise`, and
 * legacy Node.js applications assign a promise library to it (`global.Promise =
 * require('bluebird')`) — after their imports, so after this package loaded. Tasks, interceptors
 * and hooks written as `async` functions still give the language's own promises, so a run sees
 * both kinds. `ForeignPromise` below stands for such a library: a promise implementation that is
 * not the language's (its instances are thenables, not native promises), which, as zone.js does,
 * reports a rejection that nobody subscribed to by the time it settled.
 */
import { expect } from 'chai';
import * as first from '../src';
import {
  DependsOn,
  Param,
  PARAM,
  Signal,
  Task,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type Settled,
  type WorkflowInterceptor,
} from '../src';
import { recordProcessEvents, rejectionOf } from './support/event-log';
import { loadSecondCopy } from './support/second-copy';

const NativePromise = Promise;

type Executor<T> = (
  resolve: (value: T | PromiseLike<T>) => void,
  reject: (reason?: unknown) => void,
) => void;

/**
 * Rejections of ForeignPromises that nobody had subscribed to when they rejected: what zone.js
 * reports as "Unhandled Promise rejection" (through `console.error`, and Angular's ErrorHandler)
 * once its microtask queue has drained. A native `await` subscribes one job late.
 */
const unsubscribedRejections: unknown[] = [];

/** A promise library's promise: it settles as a native promise would, but is not one. */
class ForeignPromise<T> implements PromiseLike<T> {
  readonly #settled: Promise<T>;
  #subscribed = false;

  constructor(executor: Executor<T>) {
    this.#settled = new NativePromise(executor);
    this.#settled.then(undefined, (reason: unknown) => {
      if (!this.#subscribed) unsubscribedRejections.push(reason);
    });
  }

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): ForeignPromise<A | B> {
    this.#subscribed = true;
    return ForeignPromise.resolve(this.#settled.then(onFulfilled, onRejected));
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): ForeignPromise<T> {
    this.#subscribed = true;
    return ForeignPromise.resolve(this.#settled.finally(onFinally));
  }

  static resolve<T>(value?: T | PromiseLike<T>): ForeignPromise<T> {
    return new ForeignPromise<T>((resolve) => resolve(value as T));
  }

  static reject<T = never>(reason?: unknown): ForeignPromise<T> {
    return new ForeignPromise<T>((_, reject) => reject(reason));
  }

  static all(values: Iterable<unknown>) {
    return ForeignPromise.resolve(NativePromise.all(values));
  }

  static allSettled(values: Iterable<unknown>) {
    return ForeignPromise.resolve(NativePromise.allSettled(values));
  }

  static race(values: Iterable<unknown>) {
    return ForeignPromise.resolve(NativePromise.race(values));
  }

  static any(values: Iterable<unknown>) {
    return ForeignPromise.resolve(NativePromise.any(values));
  }
}

/**
 * Runs `body` with `ForeignPromise` as the global `Promise`, and gives what it returns; when that is
 * a thenable (a run's promise), the native `Promise` is put back once it settles, else at once.
 */
function withForeignPromise<T>(body: () => T): T {
  globalThis.Promise = ForeignPromise as unknown as PromiseConstructor;
  let returned: T;
  try {
    returned = body();
  } catch (error) {
    globalThis.Promise = NativePromise;
    throw error;
  }
  if (typeof (returned as PromiseLike<unknown> | undefined)?.then !== 'function') {
    globalThis.Promise = NativePromise;
    return returned;
  }
  return NativePromise.resolve(returned).finally(() => (globalThis.Promise = NativePromise)) as T;
}

const sleep = (ms: number) => new NativePromise<void>((resolve) => setTimeout(resolve, ms));

class Order {
  @Task() async fetch(@Param() id: number) {
    await sleep(5);
    return { id, total: 40 };
  }

  /** Returns the global `Promise` of the moment: the foreign one. */
  @Task() shipping(@Param() id: number) {
    return Promise.resolve(id === 7 ? 2 : 5);
  }

  @Task() @DependsOn<Order>('fetch', 'shipping') total(order: { total: number }, shipping: number) {
    return order.total + shipping;
  }

  @Task() @DependsOn<Order>('total') async receipt(total: number) {
    await sleep(1);
    return `total: ${total}`;
  }
}

class Flaky {
  attempts = 0;

  @Task({ retries: 2 }) async charge() {
    this.attempts++;
    await sleep(1);
    throw new Error(`declined (attempt ${this.attempts})`);
  }

  @Task() async audit() {
    await sleep(10);
    return 'audited';
  }

  @Task({ when: 'allSettled' })
  @DependsOn<Flaky>('charge', 'audit')
  release(charge: Settled<never>, audit: Settled<string>) {
    return `${charge.status}, ${audit.status}`;
  }
}

class Slow {
  @Task({ timeout: 10, fallback: (error) => `fallback after ${(error as Error).name}` })
  lookup(@Signal() signal: AbortSignal) {
    return new NativePromise((resolve) => {
      const timer = setTimeout(resolve, 1_000, 'too late');
      signal.addEventListener('abort', () => clearTimeout(timer));
    });
  }
}

class Waits {
  @Task() wait(@Signal() signal: AbortSignal) {
    return new NativePromise((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason as Error)),
    );
  }
}

class Fails {
  @Task() async first() {
    await sleep(1);
    return 1;
  }

  @Task() @DependsOn<Fails>('first') async second() {
    await sleep(1);
    throw new Error('second failed');
  }
}

/** Tasks, an interceptor, a retry policy and a hook that answer with already rejected promises. */
class Refusals {
  @Task() body() {
    return Promise.reject(new Error('body'));
  }

  @Task() intercepted() {
    return 'not called';
  }

  @Task({ retries: 1, retryIf: () => Promise.reject(new Error('policy')) as never })
  policy() {
    throw new Error('policy task');
  }

  @Task() async hooked() {
    await sleep(5);
    return 'done';
  }
}

/** The time limit of a test that loads a copy of src/ (see test/dual-package.spec.ts). */
const LOADS_A_COPY = 60_000;

const loaded = [
  ['after the package was loaded', () => first],
  ['before the package was loaded', () => withForeignPromise(loadSecondCopy)],
] as const;

for (const [when, load] of loaded) {
  describe(`a global Promise replaced ${when}`, function () {
    this.timeout(LOADS_A_COPY);
    let library: typeof first;
    let unhandled: ReturnType<typeof recordProcessEvents>;

    before(() => (library = load()));
    beforeEach(() => (unhandled = recordProcessEvents('unhandledRejection')));
    afterEach(async () => {
      await sleep(20);
      unhandled.stop();
      expect(unhandled.received).to.deep.equal([]);
      expect(unsubscribedRejections.splice(0)).to.deep.equal([]);
    });

    it('runs async, sync and foreign-promise tasks, calling every hook', async () => {
      const log: string[] = [];
      const result = await withForeignPromise(() =>
        library.Workflow.invoke(new Order(), 7, {
          hooks: {
            onTaskStart: async ({ task }) => void log.push(`start ${task}`),
            onTaskSuccess: ({ task }) => void log.push(`done ${task}`),
          },
        }),
      );
      expect(result.toObject()).to.deep.equal({
        fetch: { id: 7, total: 40 },
        shipping: 2,
        total: 42,
        receipt: 'total: 42',
      });
      expect(log).to.have.members([
        'start fetch',
        'start shipping',
        'done fetch',
        'done shipping',
        'start total',
        'done total',
        'start receipt',
        'done receipt',
      ]);
    });

    it('retries a failing task, then rejects with WorkflowExecutionError after allSettled tasks', async () => {
      const flaky = new Flaky();
      const error = await withForeignPromise(() =>
        rejectionOf(library.Workflow.invoke(flaky), WorkflowExecutionError),
      );
      expect([error.task, (error.cause as Error).message, flaky.attempts]).to.deep.equal([
        'charge',
        'declined (attempt 3)',
        3,
      ]);
      expect(error.result.get('release')).to.equal('failed, succeeded');
    });

    it('times an attempt out into its fallback, and stops at the caller’s abort', async () => {
      const recovered = await withForeignPromise(() => library.Workflow.invoke(new Slow()));
      expect(recovered.get('lookup')).to.equal('fallback after TaskTimeoutError');

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 5);
      const aborted = await withForeignPromise(() =>
        rejectionOf(
          library.Workflow.invoke(new Waits(), undefined, { signal: controller.signal }),
          WorkflowAbortedError,
        ),
      );
      expect(aborted.result.trace.map(({ task, status }) => `${task} ${status}`)).to.deep.equal([
        'wait failed',
      ]);
    });

    it('runs async run and task interceptors around the run and each attempt', async () => {
      const log: string[] = [];
      const interceptors: WorkflowInterceptor[] = [
        {
          async run({ workflow }, next) {
            log.push(`run ${workflow}`);
            return await next();
          },
          task: ({ task }, next) => next().then((value) => (log.push(`task ${task}`), value)),
        },
        { task: async (_, next) => await next() },
      ];
      const result = await withForeignPromise(() =>
        library.Workflow.invoke(new Order(), 1, { interceptors }),
      );
      expect(result.get('receipt')).to.equal('total: 45');
      expect(log).to.have.lengthOf(5);
      expect(log[0]).to.equal('run Order');
    });

    it('takes a plain value a task interceptor answers with, as with the language’s Promise', async () => {
      const result = await withForeignPromise(() =>
        library.Workflow.invoke(new Order(), 7, {
          interceptors: [{ task: ({ task }, next) => (task === 'shipping' ? 5 : next()) }],
        }),
      );
      expect(result.get('shipping')).to.equal(5);
      expect(result.get('receipt')).to.equal('total: 45');
    });

    it('streams the events with for await, then throws the run’s error', async () => {
      const seen: string[] = [];
      const error = await withForeignPromise(async () => {
        try {
          for await (const event of library.Workflow.stream(new Fails())) {
            seen.push(`${event.type} ${event.task}`);
          }
        } catch (error) {
          return error;
        }
        return undefined;
      });
      expect(error).to.be.instanceOf(WorkflowExecutionError);
      expect(seen).to.deep.equal([
        'taskStart first',
        'taskSuccess first',
        'taskStart second',
        'taskFailure second',
      ]);
    });

    it('subscribes at once to a rejected promise of the global implementation from user code', async () => {
      const error = await withForeignPromise(() =>
        rejectionOf(
          library.Workflow.invoke(new Refusals(), undefined, {
            failFast: false,
            interceptors: [
              {
                task: ({ task }, next) =>
                  task === 'intercepted' ? Promise.reject(new Error('interceptor')) : next(),
              },
            ],
            hooks: {
              onTaskStart: ({ task }) =>
                task === 'hooked' ? Promise.reject(new Error('hook')) : undefined,
            },
          }),
          WorkflowExecutionError,
        ),
      );
      expect(error.failures.map(({ task }) => task)).to.have.members([
        'body',
        'intercepted',
        'policy',
        'hooked',
      ]);
    });

    it('watches a hook’s thenable whose prototype cannot be read as any other thenable', async () => {
      const refusal = new Proxy(
        { then: (_: unknown, reject: (error: Error) => void) => reject(new Error('audit down')) },
        {
          getPrototypeOf() {
            throw new Error('no prototype to read');
          },
        },
      );
      const tm = library.buildDag({ name: 'audited' });
      tm.addNode(async function slow() {
        await sleep(5);
        return 1;
      });
      const error = await withForeignPromise(() =>
        rejectionOf(tm.invoke(undefined, { hooks: { onTaskStart: () => refusal } }), Error),
      );
      expect(error.message).to.include('audit down');
    });

    it('says to await a promise of the global implementation given for a result', () => {
      // What a lowered `async` function of an Angular app returns, or a run interceptor's chain
      // when zone.js patched the language's `then`: a promise of the global's, given unawaited.
      const tm = library.buildDag({ name: 'report' });
      const total = tm.addNode(() => 1);
      const messages = withForeignPromise(() =>
        [
          () => total.extractResult(Promise.resolve({}) as never),
          () => library.formatTimeline(Promise.resolve({}) as never),
        ].map((read) => {
          try {
            read();
            return 'read';
          } catch (error) {
            return (error as Error).message;
          }
        }),
      );
      expect(messages).to.have.lengthOf(2);
      for (const message of messages) {
        expect(message).to.include('got a promise. Await it first');
      }
    });

    it('runs a DAG built in code', async () => {
      const tm = library.buildDag<number>();
      const doubled = tm.addNode(async (n: number) => n * 2, PARAM);
      const plusOne = tm.addNode((n: number) => Promise.resolve(n + 1), doubled);
      const result = await withForeignPromise(() => tm.invoke(20));
      expect([doubled.extractResult(result), plusOne.extractResult(result)]).to.deep.equal([
        40, 41,
      ]);
    });
  });
}
