/**
 * A finished run is not kept alive by promises of the user's that outlive it: a hook's promise
 * (`() => appReady`), or the body of an attempt that timed out while awaiting something that never
 * settles. Checked with a `WeakRef` to the run's result and a full garbage collection.
 */
import { expect } from 'chai';
import { collectGarbage } from '../../bench/gc';
import {
  buildDag,
  CONTEXT,
  DependsOn,
  SIGNAL,
  Signal,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type ExecutionResult,
  type TaskContext,
  type TaskInterceptorInfo,
  type WorkflowStream,
} from '../../src';
import { declareTask } from '../support/declare-task';
import { recordProcessEvents, rejectionOf, settle } from '../support/event-log';

/** A promise that never settles, kept for the whole process (an app-wide "ready" signal, say). */
const forever = new Promise<never>(() => {});

/**
 * Whether the object behind `ref` survives garbage collection, with nothing else holding it. A
 * leak survives every round; an object that is free may take more than one on a busy machine
 * (what still holds it for a moment — a pending immediate, Node's rejection bookkeeping — lets go
 * a turn later), so it is asked after each. (`deref` keeps its object until the turn ends: the
 * next round begins with a new turn.)
 */
async function survives(ref: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 10; round++) {
    await settle(2);
    collectGarbage();
    if (ref.deref() === undefined) return false;
  }
  return true;
}

/**
 * Runs `check` with the set of errors whose stacks V8 formats meanwhile (through
 * `Error.prepareStackTrace`, put back afterwards).
 */
async function whileRecordingFormattedStacks(
  check: (formatted: ReadonlySet<unknown>) => Promise<void>,
): Promise<void> {
  const formatted = new Set<unknown>();
  const original = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    formatted.add(error);
    return original === undefined
      ? `${String(error)}\n    at ${frames.join('\n    at ')}`
      : original(error, frames);
  };
  try {
    await check(formatted);
  } finally {
    Error.prepareStackTrace = original;
  }
}

describe('what a finished run leaves behind', function () {
  // Each check runs full garbage collections of the whole mocha heap, up to ten: ~3 s for some
  // tests on a busy 2-core machine, more under heavier load. A hang guard, not a speed limit.
  this.timeout(30_000);
  describe("errors kept unread (an error log) do not keep the instance, the caller's signal or hooks", () => {
    class Request {
      readonly payload = new Array(1_000).fill('request data');
      @Task() broken(): number {
        throw new Error('fails');
      }
      @Task({ fallback: () => 0 }) recovered(): number {
        throw new Error('recovered from');
      }
    }

    /** Runs a `Request` as `how` says, keeps what `keep` picks, and weak references to the rest. */
    async function run(
      how: 'fails' | 'aborted from a hook' | 'recovered',
      keep: 'error' | 'result',
    ) {
      const instance = new Request();
      const controller = new AbortController();
      const hooks = {
        onTaskStart: () => (how === 'aborted from a hook' ? controller.abort('stop') : undefined),
      };
      const outcome = await Workflow.invoke(instance, undefined, {
        signal: controller.signal,
        hooks,
        targets: how === 'recovered' ? ['recovered'] : ['broken'],
      }).then(
        (result) => ({ result, error: undefined }),
        (error: WorkflowExecutionError) => ({ result: error.result, error }),
      );
      kept.push(keep === 'error' ? outcome.error : outcome.result); // never reading a stack
      return [new WeakRef(instance), new WeakRef(controller.signal), new WeakRef(hooks)];
    }
    const kept: unknown[] = [];

    for (const how of ['fails', 'aborted from a hook', 'recovered'] as const) {
      for (const keep of how === 'recovered'
        ? (['result'] as const)
        : (['error', 'result'] as const)) {
        it(`a run that ${how}, its ${keep} kept`, async () => {
          for (const ref of await run(how, keep)) expect(await survives(ref)).to.equal(false);
          expect(kept.at(-1)).to.not.equal(undefined);
        });
      }
    }
  });

  describe('what outlives a run of a workflow defined per request does not keep what the definition holds', () => {
    // A service that builds its DAG per request (or makes a class per tenant) passes per-request
    // things to the definition: node functions and constant arguments that close over the
    // request, options' functions that close over the tenant's settings. A result keeps names
    // and values, not those: a cache of results, or an error log, must not keep every request.
    /** What a request's definition holds, and weak references to it. */
    const requestParts = () => {
      const request = { headers: new Array(1_000).fill('request data') };
      const user = { id: 7, profile: new Array(1_000).fill('user data') };
      const fallback = () => request.headers.length;
      return { request, user, fallback };
    };
    const weakly = (parts: Record<string, object>) =>
      Object.entries(parts).map(([name, part]) => [name, new WeakRef(part)] as const);
    const kept: unknown[] = [];

    for (const ending of ['succeeds', 'fails'] as const) {
      it(`a DAG built per request that ${ending}: its node functions, their constant arguments, options' functions`, async () => {
        const run = async () => {
          const { request, user, fallback } = requestParts();
          const dag = buildDag<number>({ name: 'PerRequest' });
          const body = (n: number, who: { id: number }) => n + who.id + request.headers.length;
          const first = dag.addNode({ name: 'first' }, body, dag.parameterNode, user);
          const recovered = dag.addNode({ name: 'recovered', fallback }, (): number => {
            throw new Error('recovered from');
          });
          dag.addNode(
            { name: 'last' },
            (a: number, b: number) => {
              if (ending === 'fails') throw new Error('fails');
              return a + b;
            },
            first,
            recovered,
          );
          const outcome = await dag.invoke(1).then(
            (result) => result,
            (error: WorkflowExecutionError) => error,
          );
          kept.push(outcome); // a cache of results, or an error log
          const result = outcome instanceof WorkflowExecutionError ? outcome.result : outcome;
          expect(result.get('first')).to.equal(1_008);
          return weakly({ dag, body, fallback, request, user });
        };
        for (const [name, ref] of await run()) expect(await survives(ref), name).to.equal(false);
      });
    }

    it("a class made per tenant: its options' functions", async () => {
      const run = async () => {
        const { request, fallback } = requestParts();
        class Tenant {
          @Task({ fallback }) quote(): number {
            throw new Error('no quote');
          }
        }
        const result = await Workflow.invoke(new Tenant());
        expect(result.get('quote')).to.equal(1_000);
        kept.push(result);
        return weakly({ Tenant, fallback, request });
      };
      for (const [name, ref] of await run()) expect(await survives(ref), name).to.equal(false);
    });

    // What outlives such a run anyway — a context its task keeps, a hook's promise that never
    // settles (`() => appReady`) — holds the names its warnings need, not the definition.
    it('a DAG built per request whose task keeps its context, and whose hook returns a promise that never settles: its node functions', async () => {
      const run = async () => {
        const { request } = requestParts();
        const dag = buildDag({ name: 'PerRequest' });
        const body = (context: TaskContext) => {
          kept.push(context); // handed to something long-lived (a progress reporter)
          return request.headers.length;
        };
        dag.addNode({ name: 'reports' }, body, CONTEXT);
        const result = await dag.invoke(undefined, { hooks: { onTaskSuccess: () => forever } });
        expect(result.get('reports')).to.equal(1_000);
        return weakly({ dag, body, request });
      };
      for (const [name, ref] of await run()) expect(await survives(ref), name).to.equal(false);
    });
  });

  describe("a retried attempt's error, kept unread (a log of retries), does not keep the instance, the caller's signal or hooks", () => {
    class Flaky {
      readonly payload = new Array(1_000).fill('request data');
      private calls = 0;
      // Throws before its first `await`: the error is made while the run is calling the task.
      @Task({ retries: 1 }) async fetch(): Promise<number> {
        if (++this.calls === 1) throw new Error('transient');
        return 1;
      }
    }
    const keepers = ['onTaskRetry', "a stream's taskFailure event", 'a task interceptor'] as const;

    /** Runs a `Flaky` whose first attempt fails, keeps that error as `keeper` gets it. */
    async function run(keeper: (typeof keepers)[number]) {
      const instance = new Flaky();
      const controller = new AbortController();
      const hooks = {
        onTaskRetry: (event: { error: unknown }) =>
          keeper === 'onTaskRetry' ? kept.push(event.error) : undefined,
      };
      const options = {
        signal: controller.signal,
        hooks,
        interceptors: [
          {
            task: (_info: unknown, next: () => Promise<unknown>) =>
              next().catch((error: unknown) => {
                if (keeper === 'a task interceptor') kept.push(error);
                throw error;
              }),
          },
        ],
      };
      if (keeper === "a stream's taskFailure event") {
        const stream = Workflow.stream(instance, undefined, options);
        for await (const event of stream) if (event.type === 'taskFailure') kept.push(event);
        expect((await stream.result).get('fetch')).to.equal(1);
      } else {
        expect((await Workflow.invoke(instance, undefined, options)).get('fetch')).to.equal(1);
      }
      return [new WeakRef(instance), new WeakRef(controller.signal), new WeakRef(hooks)];
    }
    const kept: unknown[] = [];

    for (const keeper of keepers) {
      it(`kept from ${keeper}`, async () => {
        const before = kept.length;
        for (const ref of await run(keeper)) expect(await survives(ref)).to.equal(false);
        expect(kept).to.have.length(before + 1); // never reading a stack
      });
    }
  });

  it('formats the stacks of the first 100 kept errors only, leaving the rest to whoever reads them', async () => {
    // Formatting a stack can cost time in proportion to the class's size (V8 looks for a method's
    // name among the receiver's properties when the function has another name): a run with
    // thousands of failures of a large generated class must not pay it thousands of times.
    class ManyFailures {}
    const errors: Error[] = [];
    for (let index = 0; index < 150; index++) {
      declareTask(ManyFailures.prototype, `task${index}`, () => {
        const error = new Error(`failure ${index}`);
        errors.push(error);
        throw error;
      });
    }
    declareTask(
      ManyFailures.prototype,
      'recovered',
      () => {
        const error = new Error('recovered from');
        errors.push(error);
        throw error;
      },
      { options: { fallback: () => 0 } },
    );
    await whileRecordingFormattedStacks(async (formatted) => {
      const error = await rejectionOf(
        Workflow.invoke(new ManyFailures(), undefined, { failFast: false }),
        WorkflowExecutionError,
      );
      expect(error.failures).to.have.length(150);
      expect(formatted.has(error)).to.equal(true);
      expect(errors.filter((kept) => formatted.has(kept))).to.deep.equal(errors.slice(0, 100));
      expect(errors[149].stack).to.match(/^Error: failure 149\n/);
      expect(errors.at(-1)!.stack).to.match(/^Error: recovered from\n/);
    });
  });

  it('counts the errors fallbacks recovered from among those 100', async () => {
    class FailuresAndRecoveries {}
    const failures: Error[] = [];
    const recoveredFrom: Error[] = [];
    for (let index = 0; index < 98; index++) {
      declareTask(FailuresAndRecoveries.prototype, `failing${index}`, () => {
        const error = new Error(`failure ${index}`);
        failures.push(error);
        throw error;
      });
    }
    for (let index = 0; index < 5; index++) {
      declareTask(
        FailuresAndRecoveries.prototype,
        `recovered${index}`,
        () => {
          const error = new Error(`recovered from ${index}`);
          recoveredFrom.push(error);
          throw error;
        },
        { options: { fallback: () => 0 } },
      );
    }
    await whileRecordingFormattedStacks(async (formatted) => {
      const error = await rejectionOf(
        Workflow.invoke(new FailuresAndRecoveries(), undefined, { failFast: false }),
        WorkflowExecutionError,
      );
      expect(error.failures).to.have.length(98);
      expect(failures.every((kept) => formatted.has(kept))).to.equal(true);
      expect(recoveredFrom.filter((kept) => formatted.has(kept))).to.deep.equal(
        recoveredFrom.slice(0, 2),
      );
      expect(recoveredFrom[4].stack).to.match(/^Error: recovered from 4\n/);
    });
  });

  it('a task that keeps its signal or its context forever does not keep the run', async () => {
    const kept: unknown[] = [];
    class Flow {
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
      @Task({ timeout: 1 }) @DependsOn(SIGNAL, CONTEXT) async keeps(
        signal: AbortSignal,
        context: TaskContext,
      ) {
        kept.push(signal, context);
        await forever;
      }
      // Declared after `keeps`, so `keeps` has started when this stops the run.
      @Task() broken(): number {
        throw new Error('stops the run');
      }
    }
    const run = async () => {
      const error = await Workflow.invoke(new Flow()).then(
        () => expect.fail('the run should fail'),
        (rejection: unknown) => rejection as WorkflowExecutionError,
      );
      return new WeakRef(error.result);
    };
    expect(await survives(await run())).to.equal(false);
    expect(kept).to.have.length(2);
  });

  it('a hook that rejects after the run settled warns, and leaves the run error as it was', async () => {
    const warnings = recordProcessEvents('warning');
    try {
      const controller = new AbortController();
      class Flow {
        @Task() async broken(): Promise<number> {
          await settle();
          throw new Error('broken');
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flow(), undefined, {
          signal: controller.signal,
          hooks: {
            // Aborting settles the run inside the hook; the hook's promise rejects afterwards.
            onTaskFailure: async () => {
              controller.abort(new Error('enough'));
              await settle();
              throw new Error('hook failed late');
            },
          },
        }),
        WorkflowExecutionError,
      );
      await settle(3);
      expect(error.failures).to.have.length(1);
      expect(warnings.received.map((warning) => String(warning))).to.deep.equal([
        'AsyncDagHookWarning: Flow: the onTaskFailure hook of task "broken" rejected after the run settled: hook failed late',
      ]);
    } finally {
      warnings.stop();
    }
  });

  it('a hook that returns a promise that never settles does not keep the run', async () => {
    class Flow {
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
    }
    const run = async () => {
      const result = await Workflow.invoke(new Flow(), undefined, {
        hooks: { onTaskSuccess: () => forever },
      });
      return new WeakRef<ExecutionResult<Flow, undefined>>(result);
    };
    expect(await survives(await run())).to.equal(false);
  });

  it('a timed-out attempt whose body never settles does not keep the run', async () => {
    class Flow {
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
      @Task({ timeout: 1 }) async hangs() {
        await forever;
      }
    }
    const run = async () => {
      const error = await Workflow.invoke(new Flow()).then(
        () => expect.fail('the run should time out'),
        (rejection: unknown) => rejection as WorkflowExecutionError,
      );
      expect(error.cause).to.have.property('name', 'TaskTimeoutError');
      return new WeakRef(error.result);
    };
    expect(await survives(await run())).to.equal(false);
  });

  it('a body an interceptor stopped waiting for, which never settles, does not keep the run', async () => {
    class Flow {
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
      // It takes its signal, so the run watches the body after its attempt settled.
      @Task({ timeout: 1_000 }) @DependsOn(SIGNAL) async hangs(_signal: AbortSignal) {
        await forever;
      }
    }
    const run = async () => {
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [
          { task: ({ task }, next) => (task === 'hangs' ? (void next(), 'answered') : next()) },
        ],
      });
      expect(result.get('hangs')).to.equal('answered');
      return new WeakRef(result);
    };
    expect(await survives(await run())).to.equal(false);
  });

  it("a task interceptor's info, kept unread (a log of attempts), does not keep the instance or the results", async () => {
    const kept: TaskInterceptorInfo[] = [];
    class Flow {
      readonly payload = new Array(1_000).fill('instance data');
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
      @Task() @DependsOn('a') b(a: string[]) {
        return a.length;
      }
    }
    const run = async () => {
      const instance = new Flow();
      const result = await Workflow.invoke(instance, undefined, {
        interceptors: [{ task: (info, next) => (kept.push(info), next()) }],
      });
      expect(result.get('b')).to.equal(1_000);
      return [new WeakRef(instance), new WeakRef(result)];
    };
    for (const ref of await run()) expect(await survives(ref)).to.equal(false);
    expect(kept.map(({ task }) => task)).to.deep.equal(['a', 'b']);
    // Its signal is the run's, read after the run: settled, not aborted.
    expect(kept[0].signal).to.be.instanceOf(AbortSignal);
    expect(kept[0].signal).to.equal(kept[1].signal);
    expect(kept[0].signal.aborted).to.equal(false);
  });

  it("the error of a run whose stream's reader left early, kept, does not keep the reader, the stream or the caller's signal", async () => {
    const errors: unknown[] = [];
    class Flow {
      @Task() a() {
        return 1;
      }
      @Task() @DependsOn<Flow>('a') async b(@Signal() signal: AbortSignal) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return 2;
      }
    }
    /** What reads the stream, and leaves at its first event (a request handler, say). */
    class Reader {
      readonly payload = new Array(1_000).fill('reader data');
      async read(stream: WorkflowStream<Flow, undefined>) {
        for await (const event of stream) {
          expect(event.type).to.equal('taskStart');
          break;
        }
      }
    }
    const run = async () => {
      const controller = new AbortController();
      const reader = new Reader();
      const stream = Workflow.stream(new Flow(), undefined, { signal: controller.signal });
      await reader.read(stream);
      errors.push(await rejectionOf(stream.result, WorkflowAbortedError)); // never reading a stack
      return [new WeakRef(reader), new WeakRef(stream), new WeakRef(controller.signal)];
    };
    for (const ref of await run()) expect(await survives(ref)).to.equal(false);
    expect(errors).to.have.length(1);
  });

  it("a request's AbortSignal.any() over the server's long-lived signal is collected after runs that end every way", async () => {
    // A service combines its shutdown signal with each request's: a listener left on the
    // combined signal would keep it (Node keeps a combined signal that has listeners for as long
    // as its sources live), and with it the run.
    const server = new AbortController();
    const dag = buildDag<'succeeds' | 'fails' | 'aborted' | 'left'>({ name: 'PerRequest' });
    const work = dag.addNode(
      { name: 'work', timeout: 60_000 },
      (how: string, signal: AbortSignal) =>
        new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          if (how === 'succeeds') resolve(1);
          if (how === 'fails') reject(new Error('fails'));
        }),
      dag.parameterNode,
      SIGNAL,
    );
    dag.addNode({ name: 'cleanup', when: 'allSettled' }, (_work: unknown) => 0, work);
    const run = async (how: 'succeeds' | 'fails' | 'aborted' | 'left') => {
      const request = new AbortController();
      const signal = AbortSignal.any([server.signal, request.signal]);
      if (how === 'left') {
        const stream = dag.stream(how, { signal });
        for await (const event of stream) if (event.type === 'taskStart') break;
        await rejectionOf(stream.result, WorkflowAbortedError);
      } else {
        const outcome = dag.invoke(how, { signal }).catch((error: unknown) => error);
        if (how === 'aborted') request.abort(new Error('client left'));
        const settled = await outcome;
        if (how !== 'succeeds') expect(settled).to.be.instanceOf(Error);
      }
      return [new WeakRef(signal), new WeakRef(request)];
    };
    for (const how of ['succeeds', 'fails', 'aborted', 'left'] as const) {
      for (const ref of await run(how)) expect(await survives(ref), how).to.equal(false);
    }
  });

  it('a stream kept after its run settled does not keep the run or the instance', async () => {
    class Flow {
      readonly payload = new Array(1_000).fill('instance data');
      @Task() a() {
        return 1;
      }
    }
    const run = async () => {
      const instance = new Flow();
      const stream = Workflow.stream(instance);
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types).to.deep.equal(['taskStart', 'taskSuccess']);
      expect((await stream.result).get('a')).to.equal(1);
      return { stream, instance: new WeakRef(instance) };
    };
    const { stream, instance } = await run();
    expect(await survives(instance)).to.equal(false);
    // The stream was kept all along: it is still there, and its iteration is over.
    expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
  });
});
