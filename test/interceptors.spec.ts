/**
 * `InvokeOptions.interceptors` (API.md §9): run and task wrappers, outermost first, with the task
 * body running inside them.
 */
import { expect } from 'chai';
import { AsyncLocalStorage } from 'node:async_hooks';
import sinon from 'sinon';
import {
  buildDag,
  CONTEXT,
  DependsOn,
  Param,
  Signal,
  skip,
  Task,
  TaskTimeoutError,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  type ExecutionResult,
  type RunInterceptorInfo,
  type TaskContext,
  type TaskInterceptorInfo,
  type WorkflowInterceptor,
} from '../src';
import { deferred, recordProcessEvents, rejectionOf, settle, sleep } from './support/event-log';

class Pair {
  readonly calls: string[] = [];
  @Task() first(@Param() n: number) {
    this.calls.push('first');
    return n + 1;
  }
  @Task() @DependsOn('first') async second(first: number) {
    this.calls.push('second');
    return first * 2;
  }
}

describe('task interceptors', () => {
  it('wrap every attempt, outermost first, with the body inside the innermost next()', async () => {
    const log: string[] = [];
    const layer = (name: string): WorkflowInterceptor => ({
      async task({ task, attempt }, next) {
        log.push(`${name} before ${task}#${attempt}`);
        const value = await next();
        log.push(`${name} after ${task}`);
        return value;
      },
    });
    const flow = new Pair();
    const result = await Workflow.invoke(flow, 1, {
      interceptors: [layer('outer'), layer('inner')],
    });
    expect(result.get('second')).to.equal(4);
    expect(log).to.deep.equal([
      'outer before first#1',
      'inner before first#1',
      'inner after first',
      'outer after first',
      'outer before second#1',
      'inner before second#1',
      'inner after second',
      'outer after second',
    ]);
  });

  it('run the body inside their call: AsyncLocalStorage set around next() is seen in the task', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    class Flow {
      @Task() a() {
        seen.push(storage.getStore());
      }
      @Task() @DependsOn('a') async b() {
        await null;
        seen.push(storage.getStore());
      }
    }
    await Workflow.invoke(new Flow(), undefined, {
      interceptors: [{ task: ({ task }, next) => storage.run(`ctx:${task}`, next) }],
    });
    expect(seen).to.deep.equal(['ctx:a', 'ctx:b']);
  });

  it('decide the outcome: transform a value, recover from a rejection, skip the body, or fail', async () => {
    const flow = new Pair();
    const result = await Workflow.invoke(flow, 1, {
      interceptors: [
        {
          async task({ task }, next) {
            if (task === 'first') return 100; // the body is skipped
            return `seen ${String(await next())}`;
          },
        },
      ],
    });
    expect(flow.calls).to.deep.equal(['second']);
    expect(result.get('first')).to.equal(100);
    expect(result.get('second')).to.equal('seen 200');

    class Broken {
      @Task() broken(): number {
        throw new Error('boom');
      }
    }
    const recovered = await Workflow.invoke(new Broken(), undefined, {
      interceptors: [{ task: (_info, next) => next().catch(() => -1) }],
    });
    expect(recovered.get('broken')).to.equal(-1);

    const failing = new Error('interceptor refused');
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, {
        interceptors: [
          {
            task() {
              throw failing;
            },
          },
        ],
      }),
      WorkflowExecutionError,
    );
    expect(error.cause).to.equal(failing);
  });

  it('may skip the task: a skip() they call, or let through from next(), is the attempt skipping', async () => {
    const calls: string[] = [];
    let attempts = 0;
    class Flags {
      @Task() source() {
        calls.push('source');
        return 1;
      }
      @Task({ retries: 2 }) @DependsOn('source') beta(_source: number): number {
        calls.push('beta');
        if (++attempts === 1) throw new Error('flaky');
        skip('nothing new');
      }
      @Task({ retries: 2 }) @DependsOn('source') gamma(source: number) {
        calls.push('gamma');
        return source;
      }
      @Task({ when: 'noneFailed' }) @DependsOn('beta', 'gamma') report(
        beta?: number,
        gamma?: number,
      ) {
        return [beta, gamma];
      }
    }
    const skips: string[] = [];
    const result = await Workflow.invoke(new Flags(), undefined, {
      hooks: { onTaskSkip: ({ task, reason }) => skips.push(`${task}: ${reason}`) },
      interceptors: [
        {
          // A feature flag: the body of a task that is off is never called.
          task: ({ task }, next) => (task === 'gamma' ? skip('flag "gamma" is off') : next()),
        },
        {
          // A logger that rethrows what next() threw, the body's skip included.
          task: async (_info, next) => {
            try {
              return await next();
            } catch (error) {
              calls.push('logged');
              throw error;
            }
          },
        },
      ],
    });
    // Not retried, not a failure: gamma skipped once, beta on its second attempt.
    expect(calls).to.deep.equal(['source', 'beta', 'logged', 'beta', 'logged']);
    expect(skips).to.deep.equal(['gamma: flag "gamma" is off', 'beta: nothing new']);
    expect(
      result.trace.map(({ task, status, attempts }) => [task, status, attempts]),
    ).to.deep.equal([
      ['source', 'succeeded', 1],
      ['beta', 'skipped', 2],
      ['gamma', 'skipped', 1],
      ['report', 'succeeded', 1],
    ]);
    expect(result.get('report')).to.deep.equal([undefined, undefined]);
  });

  it('see each retry as its own attempt, and the timeout covers the intercepted attempt', async () => {
    const attempts: number[] = [];
    let calls = 0;
    class Flow {
      @Task({ retries: 2, timeout: 1_000 }) flaky() {
        if (++calls < 3) throw new Error('not yet');
        return calls;
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      interceptors: [{ task: ({ attempt }, next) => (attempts.push(attempt), next()) }],
    });
    expect(result.get('flaky')).to.equal(3);
    expect(attempts).to.deep.equal([1, 2, 3]);
  });

  it('get their run as info.run: the object the run interceptors got, one per run', async () => {
    const runs: RunInterceptorInfo[] = [];
    const seen: [string, RunInterceptorInfo][] = [];
    const interceptors: WorkflowInterceptor[] = [
      { run: (info, next) => (runs.push(info), next()) },
      { task: ({ task, run }, next) => (seen.push([task, run]), next()) },
    ];
    // Two concurrent runs with the same workflow and param: only info.run tells them apart.
    await Promise.all([
      Workflow.invoke(new Pair(), 1, { interceptors }),
      Workflow.invoke(new Pair(), 1, { interceptors }),
    ]);
    expect(runs).to.have.length(2);
    expect(runs[0]).to.not.equal(runs[1]);
    expect(seen.map(([task, run]) => `${task} ${runs.indexOf(run)}`)).to.deep.equal([
      'first 0',
      'first 1',
      'second 0',
      'second 1',
    ]);

    // Without any run method there is still one info object per run, shared by its attempts.
    const taskOnly: RunInterceptorInfo[] = [];
    await Workflow.invoke(new Pair(), 7, {
      interceptors: [{ task: ({ run }, next) => (taskOnly.push(run), next()) }],
    });
    expect(taskOnly).to.have.length(2);
    expect(taskOnly[0]).to.equal(taskOnly[1]);
    expect(taskOnly[0]).to.deep.equal({ workflow: 'Pair', param: 7 });
  });

  it("hold their task's concurrency slot while they run, and do not call the body after a stop", async () => {
    const log: string[] = [];
    const slow: WorkflowInterceptor = {
      async task({ task }, next) {
        await sleep(task === 'waits' ? 20 : 0); // a lock or a rate limiter, say
        log.push(`${task} calls next()`);
        return next();
      },
    };
    const hooks = { onTaskStart: ({ task }: { task: string }) => log.push(`start ${task}`) };
    // Under concurrency 1, the second task starts once the first, interceptor included, settled.
    await Workflow.invoke(new Pair(), 1, { concurrency: 1, hooks, interceptors: [slow] });
    expect(log).to.deep.equal([
      'start first',
      'first calls next()',
      'start second',
      'second calls next()',
    ]);

    // After a stop, an interceptor's later next() does not call the body (as no task starts
    // after a stop): it rejects with the reason the attempt's signal holds, as a body that
    // honours its signal would.
    log.length = 0;
    let refusal: unknown;
    const recording: WorkflowInterceptor = {
      task: ({ task }, next) =>
        next().catch((error: unknown) => {
          if (task === 'waits') refusal = error;
          throw error;
        }),
    };
    class Flow {
      @Task() async fails(): Promise<number> {
        log.push('fails body');
        throw new Error('boom');
      }
      @Task() waits(@Signal() signal: AbortSignal) {
        log.push(`waits body (signal aborted: ${signal.aborted})`);
        return 1;
      }
      @Task({ when: 'allSettled' }) @DependsOn('waits') cleanup() {
        log.push('cleanup body');
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { hooks, interceptors: [slow, recording] }),
      WorkflowExecutionError,
    );
    expect(error.task).to.equal('fails');
    expect(log).to.deep.equal([
      'start fails',
      'start waits',
      'fails calls next()',
      'fails body',
      'waits calls next()',
      // An `allSettled` task still runs after the stop, its body called as always.
      'start cleanup',
      'cleanup calls next()',
      'cleanup body',
    ]);
    expect(refusal).to.be.instanceOf(Error).with.property('name', 'AbortError');
    expect((refusal as Error).message).to.equal(
      'Flow: run stopped because task "fails" failed: boom',
    );
    expect(error.result.trace.find((entry) => entry.task === 'waits')).to.include({
      status: 'failed',
    });
  });

  it('run the work once when next() is called twice', async () => {
    const flow = new Pair();
    await Workflow.invoke(flow, 1, {
      interceptors: [{ task: async (_info, next) => (await next(), next()) }],
    });
    expect(flow.calls).to.deep.equal(['first', 'second']);
  });

  it('run the work once when next() is called again from inside the work it started', async () => {
    const entered: string[] = [];
    const nexts: (() => Promise<unknown>)[] = [];
    let again: Promise<unknown>[] = [];
    class Flow {
      calls = 0;
      @Task() body() {
        this.calls++;
        // While it runs, the body calls every next() of its run and of its own attempt.
        again = nexts.map((next) => next());
        return 'once';
      }
    }
    const layer = (name: string): WorkflowInterceptor => ({
      run: (_info, next) => {
        entered.push(`${name} run`);
        nexts.push(next);
        return next();
      },
      task: (_info, next) => {
        entered.push(`${name} task`);
        nexts.push(next);
        return next();
      },
    });
    const flow = new Flow();
    const result = await Workflow.invoke(flow, undefined, {
      interceptors: [layer('outer'), layer('inner')],
    });
    expect(result.get('body')).to.equal('once');
    expect(flow.calls).to.equal(1);
    expect(entered).to.deep.equal(['outer run', 'inner run', 'outer task', 'inner task']);
    // Each call made from inside settles as its work does: the run's result, the task's value.
    expect(await Promise.all(again)).to.deep.equal([result, result, 'once', 'once']);
  });

  it('run each layer once when every layer calls next() twice, for tasks and for the run', async () => {
    const flow = new Pair();
    const entered: string[] = [];
    const twice = (name: string) => async (_info: unknown, next: () => Promise<unknown>) => {
      entered.push(name);
      await next();
      return next();
    };
    const result = await Workflow.invoke(flow, 1, {
      interceptors: [
        { task: twice('outer task'), run: twice('outer run') },
        { task: twice('inner task'), run: twice('inner run') },
      ],
    });
    expect(flow.calls).to.deep.equal(['first', 'second']);
    expect(entered).to.deep.equal([
      'outer run',
      'inner run',
      'outer task',
      'inner task',
      'outer task',
      'inner task',
    ]);
    expect(result.get('second')).to.equal(4);
  });
});

describe("a task interceptor's info.signal", () => {
  /** A limiter that never grants a slot: it waits until the attempt's signal aborts. */
  const neverGranted: WorkflowInterceptor = {
    task: (info) =>
      new Promise((_, reject) => {
        info.signal.addEventListener('abort', () => reject(info.signal.reason), { once: true });
      }),
  };

  it('aborts when the caller aborts: an interceptor holding back next() lets the run end', async () => {
    class Flow {
      @Task() waits() {
        return 1;
      }
    }
    const controller = new AbortController();
    const running = Workflow.invoke(new Flow(), undefined, {
      signal: controller.signal,
      interceptors: [neverGranted],
    });
    await settle();
    controller.abort(new Error('shutting down'));
    const error = await rejectionOf(running, WorkflowAbortedError);
    expect(error.cause).to.have.property('message', 'shutting down');
  });

  it('aborts when another task fails and stops the run', async () => {
    const failing = deferred<never>();
    class Flow {
      @Task() fails() {
        return failing.promise;
      }
      @Task() waits() {
        return 1;
      }
    }
    const running = Workflow.invoke(new Flow(), undefined, {
      interceptors: [
        { task: (info, next) => (info.task === 'waits' ? neverGranted.task!(info, next) : next()) },
      ],
    });
    failing.reject(new Error('boom'));
    const error = await rejectionOf(running, WorkflowExecutionError);
    expect(error.task).to.equal('fails');
  });

  it("aborts at the attempt's timeout, and is the very signal the task's @Signal() gets", async () => {
    const seen: AbortSignal[] = [];
    class Flow {
      @Task({ timeout: 5 }) slow(@Signal() signal: AbortSignal) {
        seen.push(signal);
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
    }
    const infos: AbortSignal[] = [];
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        interceptors: [{ task: (info, next) => (infos.push(info.signal), next()) }],
      }),
      WorkflowExecutionError,
    );
    expect(error.message).to.contain('timed out after 5 ms');
    expect(infos).to.have.length(1);
    expect(infos[0]).to.equal(seen[0]);
    expect(infos[0].aborted).to.equal(true);
  });

  it('aborts at the timeout of a task that takes no signal, an allSettled one too', async () => {
    const aborted: string[] = [];
    class Flow {
      @Task({ timeout: 5, fallback: () => 0 }) slow() {
        return new Promise<number>(() => {});
      }
      @Task({ timeout: 5, when: 'allSettled', fallback: () => 0 }) cleanup() {
        return new Promise<number>(() => {});
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      interceptors: [
        {
          task(info, next) {
            info.signal.addEventListener('abort', () =>
              aborted.push(`${info.task}: ${(info.signal.reason as Error).name}`),
            );
            return next();
          },
        },
      ],
    });
    expect(result.toObject()).to.deep.equal({ slow: 0, cleanup: 0 });
    expect(aborted.sort()).to.deep.equal(['cleanup: TaskTimeoutError', 'slow: TaskTimeoutError']);
  });

  it('does not abort for an allSettled task when the run stops: it runs anyway', async () => {
    const failing = deferred<never>();
    let cleanupSignal: AbortSignal | undefined;
    class Flow {
      @Task() fails() {
        return failing.promise;
      }
      @Task({ when: 'allSettled' }) @DependsOn('fails') cleanup() {
        return 'cleaned';
      }
    }
    const running = Workflow.invoke(new Flow(), undefined, {
      interceptors: [
        {
          task(info, next) {
            if (info.task === 'cleanup') cleanupSignal = info.signal;
            return next();
          },
        },
      ],
    });
    failing.reject(new Error('boom'));
    const error = await rejectionOf(running, WorkflowExecutionError);
    expect(error.result.get('cleanup')).to.equal('cleaned');
    expect(cleanupSignal?.aborted).to.equal(false);
  });

  it('is not an own property: info keeps its fields for logging, and spreading it leaves signal out', async () => {
    let info: TaskInterceptorInfo | undefined;
    await Workflow.invoke(new Pair(), 1, {
      interceptors: [{ task: (given, next) => ((info ??= given), next()) }],
    });
    expect(Object.keys(info!)).to.deep.equal(['workflow', 'task', 'attempt', 'param', 'run']);
    expect(info!.signal).to.be.instanceOf(AbortSignal);
    expect(info!.signal.aborted).to.equal(false);
  });
});

describe('what interceptors are told', () => {
  /** `[workflow, task, attempt, param]` of every task interceptor call, and the run infos. */
  function recording() {
    const runs: { workflow: string; param: unknown }[] = [];
    const attempts: [string, string, number, unknown][] = [];
    const interceptor: WorkflowInterceptor = {
      run: ({ workflow, param }, next) => (runs.push({ workflow, param }), next()),
      task: ({ workflow, task, attempt, param }, next) => (
        attempts.push([workflow, task, attempt, param]),
        next()
      ),
    };
    return { runs, attempts, interceptors: [interceptor] };
  }

  it("names a class's run: the class, each task and attempt, and the invocation parameter", async () => {
    class Retried {
      tries = 0;
      @Task() first(@Param() n: number) {
        return n + 1;
      }
      @Task({ retries: 1 }) @DependsOn('first') second(first: number) {
        if (++this.tries === 1) throw new Error('flaky');
        return first * 2;
      }
    }
    const param = { id: 1 } as unknown as number;
    const { runs, attempts, interceptors } = recording();
    await Workflow.invoke(new Retried(), param, { interceptors });
    expect(runs).to.deep.equal([{ workflow: 'Retried', param }]);
    expect(runs[0].param).to.equal(param);
    expect(attempts).to.deep.equal([
      ['Retried', 'first', 1, param],
      ['Retried', 'second', 1, param],
      ['Retried', 'second', 2, param],
    ]);
    expect(attempts.every(([, , , given]) => given === param)).to.equal(true);
  });

  it("names a builder's run by the DAG's name and its nodes' names", async () => {
    let tries = 0;
    const tm = buildDag<number>({ name: 'pricing' });
    const base = tm.addNode({ name: 'base' }, (n: number) => n + 1, tm.parameterNode);
    tm.addNode(
      { name: 'doubled', retries: 1 },
      (value: number) => {
        if (++tries === 1) throw new Error('flaky');
        return value * 2;
      },
      base,
    );
    const { runs, attempts, interceptors } = recording();
    await tm.invoke(4, { interceptors });
    expect(runs).to.deep.equal([{ workflow: 'pricing', param: 4 }]);
    expect(attempts).to.deep.equal([
      ['pricing', 'base', 1, 4],
      ['pricing', 'doubled', 1, 4],
      ['pricing', 'doubled', 2, 4],
    ]);

    const unnamed = buildDag();
    unnamed.addNode({ name: 'only' }, () => 1);
    const other = recording();
    await unnamed.invoke(undefined, { interceptors: other.interceptors });
    expect(other.runs).to.deep.equal([{ workflow: 'dag', param: undefined }]);
    expect(other.attempts).to.deep.equal([['dag', 'only', 1, undefined]]);
  });
});

describe('run interceptors', () => {
  it('see their context in what an abort from elsewhere starts: allSettled tasks and fallbacks', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: Record<string, string | undefined> = {};
    class Flow {
      @Task() async slow(@Signal() signal: AbortSignal) {
        seen.slow = storage.getStore();
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return 1;
      }
      @Task({
        retries: 1,
        retryDelay: 60_000,
        fallback: () => {
          seen.fallback = storage.getStore();
          return 0;
        },
      })
      flaky(): number {
        throw new Error('retried after a minute');
      }
      @Task() @DependsOn('slow') never(slow: number) {
        return slow;
      }
      @Task({ when: 'allSettled' }) @DependsOn('never', 'flaky') cleanup() {
        seen.cleanup = storage.getStore();
      }
    }
    const controller = new AbortController();
    const run = Workflow.invoke(new Flow(), undefined, {
      signal: controller.signal,
      interceptors: [{ run: (_info, next) => storage.run('run context', next) }],
    });
    // Aborted from a context of its own, as another request's code or a timer would.
    storage.run('aborter', () => setTimeout(() => controller.abort(new Error('stop')), 5));
    await rejectionOf(run, WorkflowAbortedError);
    expect(seen).to.deep.equal({
      slow: 'run context',
      fallback: 'run context',
      cleanup: 'run context',
    });
  });

  it('wrap the run: next() resolves with the result, and what they return is what invoke gives', async () => {
    const log: string[] = [];
    const result = await Workflow.invoke(new Pair(), 5, {
      interceptors: [
        {
          async run({ workflow, param }, next) {
            log.push(`start ${workflow} ${String(param)}`);
            const inner = (await next()) as ExecutionResult<Pair, number>;
            log.push(`end ${inner.get('second')}`);
            return inner;
          },
        },
      ],
    });
    expect(log).to.deep.equal(['start Pair 5', 'end 12']);
    expect(result.get('second')).to.equal(12);
  });

  it('see the run error from next(), and make invoke reject with their own error', async () => {
    class Broken {
      @Task() broken(): number {
        throw new Error('boom');
      }
    }
    let seen: unknown;
    const replaced = new Error('replaced');
    const error = await Workflow.invoke(new Broken(), undefined, {
      interceptors: [
        {
          async run(_info, next) {
            try {
              return await next();
            } catch (runError) {
              seen = runError;
              throw replaced;
            }
          },
        },
      ],
    }).catch((rejection: unknown) => rejection);
    expect(seen).to.be.instanceOf(WorkflowExecutionError);
    expect(error).to.equal(replaced);
  });

  it('cannot skip: a skip() they call makes invoke reject with a TypeError saying where it works', async () => {
    const pair = new Pair();
    const error = await Workflow.invoke(pair, 5, {
      interceptors: [{ run: () => skip('maintenance window') }],
    }).catch((rejection: unknown) => rejection);
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.equal(
      'Pair: skip("maintenance window") was called in a run interceptor, where there is no task ' +
        'to skip, so the run failed. Call skip() in a task, its fallback or a task interceptor; ' +
        'to answer without running, return a value instead of calling next().',
    );
    expect((error as Error).cause).to.be.instanceOf(Error);
    expect(pair.calls).to.deep.equal([]);
    // Through a stream too, whose result rejects with the same error.
    const stream = Workflow.stream(pair, 5, {
      interceptors: [{ run: async () => skip() }],
    });
    const streamed = await stream.result.catch((rejection: unknown) => rejection);
    expect(streamed).to.be.instanceOf(TypeError);
    expect((streamed as Error).message).to.match(/^Pair: skip\(\) was called in a run interceptor/);
  });
});

describe('run interceptors that resolve with undefined', () => {
  // The slip of a timing interceptor: `await next()` without `return`. invoke resolved with
  // undefined, and the caller failed later, on `result.get`, far from the cause.
  const message =
    "Pair: run interceptor 1 resolved with undefined, not the run's result. A run interceptor " +
    'must return what next() gives: return next(), or return await next() in an async one.';

  it('make invoke reject with a TypeError that says to return next(), after the run', async () => {
    const pair = new Pair();
    const timing: WorkflowInterceptor = {
      async run(_info, next) {
        await next();
      },
    };
    const error = await rejectionOf(
      Workflow.invoke(pair, 5, { interceptors: [timing] }),
      TypeError,
    );
    expect(error.message).to.equal(message);
    expect(pair.calls).to.deep.equal(['first', 'second']);
  });

  it('make a stream end with the same error', async () => {
    const stream = Workflow.stream(new Pair(), 5, {
      interceptors: [{ run: () => undefined }],
    });
    const read: string[] = [];
    const error = await (async () => {
      for await (const event of stream) read.push(event.type);
    })().catch((rejection: unknown) => rejection);
    expect(error).to.be.instanceOf(TypeError).with.property('message', message);
    expect((await stream.result.catch((rejection: unknown) => rejection)) as Error).to.equal(error);
    expect(read).to.deep.equal([]);
  });

  it('fail at their own layer, so that the interceptors outside them see the error', async () => {
    const seen: unknown[] = [];
    const tracer: WorkflowInterceptor = {
      async run(_info, next) {
        try {
          return await next();
        } catch (error) {
          seen.push(error);
          throw error;
        }
      },
    };
    const forgetful: WorkflowInterceptor = {
      async run(_info, next) {
        await next();
      },
    };
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 5, { interceptors: [tracer, forgetful] }),
      TypeError,
    );
    expect(error.message).to.match(/^Pair: run interceptor 2 resolved with undefined/);
    expect(seen).to.deep.equal([error]);
  });

  it('keep the run error they swallowed as the cause, wherever they called next()', async () => {
    class Failing {
      @Task() broken(): number {
        throw new Error('disk full');
      }
    }
    // Swallowing the run's error: the TypeError must not hide it. One calls next() at once, one
    // after an await of its own, one from inside a tracer's layer.
    const swallowing: WorkflowInterceptor = {
      async run(_info, next) {
        try {
          await next();
        } catch {
          // logged elsewhere, say
        }
      },
    };
    const late: WorkflowInterceptor = {
      async run(_info, next) {
        await sleep(1);
        await next().catch(() => undefined);
      },
    };
    for (const interceptors of [
      [swallowing],
      [late],
      [{ run: (_: unknown, next: () => Promise<unknown>) => next() }, swallowing],
    ]) {
      const error = await rejectionOf(
        Workflow.invoke(new Failing(), undefined, { interceptors }),
        TypeError,
      );
      expect(error.message).to.equal(
        `Failing: run interceptor ${interceptors.length} resolved with undefined, not the run's ` +
          "result, after its next() rejected with the run's error (the cause): rethrow it, or " +
          'return what next() gives.',
      );
      expect(error.cause).to.be.instanceOf(WorkflowExecutionError);
      expect((error.cause as WorkflowExecutionError).cause).to.have.property(
        'message',
        'disk full',
      );
    }
    // A run that succeeded has no error to keep.
    const ok = await rejectionOf(
      Workflow.invoke(new Pair(), 5, { interceptors: [swallowing] }),
      TypeError,
    );
    expect(ok.message).to.equal(message);
    expect(ok).not.to.have.property('cause');
  });

  it('still let an interceptor answer with a value of its own, without running', async () => {
    const pair = new Pair();
    const cached = { cached: true };
    const answer = await Workflow.invoke(pair, 5, { interceptors: [{ run: () => cached }] });
    expect(answer).to.equal(cached);
    expect(pair.calls).to.deep.equal([]);
  });
});

describe('task interceptors and timeouts', () => {
  // "Serve cached, refresh later": the attempt's outcome is the cached value, at once.
  const cached: WorkflowInterceptor = {
    task: (_info, next) => {
      void next();
      return 'cached';
    },
  };

  it('see next() reject with the TaskTimeoutError at the timeout, whatever the body does later', async () => {
    const seen: string[] = [];
    let calls = 0;
    class Flow {
      @Task({ timeout: 5, retries: 1, retryDelay: 30 }) async slow(
        @Signal() signal: AbortSignal,
      ): Promise<string> {
        calls++;
        // The first attempt ends well after its timeout (waiting for the abort, not on a longer
        // timer: under load Node.js may fire that one first).
        if (calls === 1) await new Promise((resolve) => signal.addEventListener('abort', resolve));
        await sleep(calls === 1 ? 10 : 0);
        return `attempt ${calls}`;
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      interceptors: [
        {
          task: ({ attempt }, next) =>
            next().then(
              (value) => (seen.push(`${attempt}: ${String(value)}`), value),
              (error: Error) => {
                seen.push(`${attempt}: ${error.name}`);
                throw error;
              },
            ),
        },
      ],
    });
    expect(result.get('slow')).to.equal('attempt 2');
    expect(seen).to.deep.equal(['1: TaskTimeoutError', '2: attempt 2']);
  });

  it('see every layer’s next() reject at the timeout: an inner layer cannot answer for the attempt', async () => {
    const seen: string[] = [];
    class Flow {
      @Task({ timeout: 10 }) async slow(@Signal() signal: AbortSignal) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        await sleep(30); // well after its timeout
        return 'fresh';
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        interceptors: [
          {
            task: (_info, next) =>
              next().then(
                (value) => (seen.push(`outer got ${String(value)}`), value),
                (rejection: Error) => {
                  seen.push(`outer got ${rejection.name}`);
                  throw rejection;
                },
              ),
          },
          {
            async task(_info, next) {
              try {
                return await next();
              } catch (rejection) {
                seen.push(`inner recovered from ${(rejection as Error).name}`);
                return 'cached';
              }
            },
          },
        ],
      }),
      WorkflowExecutionError,
    );
    expect(error.cause).to.have.property('name', 'TaskTimeoutError');
    await settle(5);
    expect(seen).to.have.members([
      'outer got TaskTimeoutError',
      'inner recovered from TaskTimeoutError',
    ]);
  });

  it('abort the signal of a body an interceptor stopped waiting for, when the run stops', async () => {
    let signal: AbortSignal | undefined;
    class Flow {
      @Task({ timeout: 1_000 }) async hangs(@Signal() attemptSignal: AbortSignal) {
        signal = attemptSignal;
        // Outlives the interceptor's patience whatever the load: ends only once told to stop.
        await new Promise((resolve) => attemptSignal.addEventListener('abort', resolve));
        return 'late';
      }
    }
    const gaveUp: WorkflowInterceptor = {
      task: (_info, next) =>
        Promise.race([
          next(),
          sleep(5).then(() => {
            throw new Error('gave up');
          }),
        ]),
    };
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { interceptors: [gaveUp] }),
      WorkflowExecutionError,
    );
    expect(error.cause).to.have.property('message', 'gave up');
    // The run failed, so it stopped: the body it no longer waits for is told, as an untimed
    // task's body is through the run's signal.
    expect(signal!.aborted).to.equal(true);
    expect(signal!.reason).to.have.property('name', 'AbortError');
    expect((signal!.reason as Error).message).to.contain('task "hangs" failed');
  });

  it('abort the signal of a body an interceptor did not wait for at its timeout, after the run', async () => {
    let signal: AbortSignal | undefined;
    class Flow {
      @Task({ timeout: 20 }) async refresh(@Signal() attemptSignal: AbortSignal) {
        signal = attemptSignal;
        await new Promise((resolve) => attemptSignal.addEventListener('abort', resolve));
        return 'fresh';
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, { interceptors: [cached] });
    expect(result.get('refresh')).to.equal('cached');
    expect(signal!.aborted).to.equal(false);
    // Waits for the abort (bounded), not on a 30 ms timer: under load Node.js may fire that one
    // before the task's 20 ms one.
    await new Promise<void>((resolve) => {
      const guard = setTimeout(resolve, 5_000);
      signal!.addEventListener('abort', () => (clearTimeout(guard), resolve()));
    });
    expect(signal!.aborted).to.equal(true);
    expect(signal!.reason).to.have.property('name', 'TaskTimeoutError');
    expect(signal!.reason).to.have.property('task', 'refresh');
  });

  it('leave the signal of a body an interceptor did not wait for alone before its timeout, and once it ended', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const body = deferred<string>();
      let signal: AbortSignal | undefined;
      class Flow {
        @Task({ timeout: 60_000 }) refresh(@Signal() attemptSignal: AbortSignal) {
          signal = attemptSignal;
          return body.promise;
        }
      }
      const result = await Workflow.invoke(new Flow(), undefined, { interceptors: [cached] });
      expect(result.get('refresh')).to.equal('cached');
      clock.tick(30_000);
      expect(signal!.aborted, 'aborted halfway to its timeout').to.equal(false);
      body.resolve('fresh');
      await settle();
      clock.tick(60_000);
      expect(signal!.aborted, 'aborted after the body ended').to.equal(false);
    } finally {
      clock.restore();
    }
  });

  it('time out an attempt whose interceptor goes on waiting once the body ended', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      class Flow {
        @Task({ timeout: 1_000 }) quick() {
          return 'quick';
        }
      }
      const lingers: WorkflowInterceptor = {
        task: async (_info, next) => {
          await next();
          return new Promise(() => {}); // never answers
        },
      };
      let settled = false;
      const run = Workflow.invoke(new Flow(), undefined, { interceptors: [lingers] });
      run.then(
        () => (settled = true),
        () => (settled = true),
      );
      await settle();
      clock.tick(1_000);
      await settle();
      expect(settled, 'the run settled at the timeout').to.equal(true);
      const error = await rejectionOf(run, WorkflowExecutionError);
      expect(error.cause).to.be.instanceOf(TaskTimeoutError);
    } finally {
      clock.restore();
    }
  });

  it('keep no timer alive for a body an interceptor did not wait for: the process may exit', async () => {
    class Flow {
      @Task({ timeout: 60_000 }) hangs(@Signal() _signal: AbortSignal) {
        return new Promise(() => {});
      }
    }
    /** Timers that keep this process running (an unref'd timer does not). */
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout');
    await settle(); // mocha sets this test's own timer once the test function has returned
    const before = timers().length;
    const result = await Workflow.invoke(new Flow(), undefined, {
      interceptors: [
        {
          task: (_info, next) => {
            void next();
            return 'cached';
          },
        },
      ],
    });
    expect(result.get('hangs')).to.equal('cached');
    // Another test's timer may have fired meanwhile; ours must not be among those left.
    expect(timers().length).to.be.at.most(before);
  });

  it('do not start the task from a next() called after its timeout', async () => {
    let calls = 0;
    let late: Promise<unknown> | undefined;
    const timedOut = deferred();
    const nextCalled = deferred();
    class Flow {
      @Task({ timeout: 5 }) body() {
        calls++;
        return 1;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        hooks: { onTaskFailure: () => timedOut.resolve() },
        interceptors: [
          {
            // Calls next() 15 ms after the attempt failed at its timeout (after the hook, not on
            // a longer timer of its own: under load Node.js may fire that one first).
            task: (_info, next) =>
              timedOut.promise
                .then(() => sleep(15))
                .then(() => {
                  late = next();
                  nextCalled.resolve();
                  return late;
                }),
          },
        ],
      }),
      WorkflowExecutionError,
    );
    expect(error.cause).to.have.property('name', 'TaskTimeoutError');
    await nextCalled.promise;
    await settle();
    expect(calls).to.equal(0);
    expect(await late!.then(undefined, (rejection: Error) => rejection.name)).to.equal(
      'TaskTimeoutError',
    );
  });
});

describe('a next() called after its attempt ended', () => {
  it('does not call the task, and rejects saying why (an ignored one goes unhandled nowhere)', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const nexts: (() => Promise<unknown>)[] = [];
      const flow = new Pair();
      const result = await Workflow.invoke(flow, 1, {
        // "Serve cached, refresh later": answers at once and keeps next() for later.
        interceptors: [
          {
            task: ({ task }, next) => {
              nexts.push(next);
              return task === 'first' ? 10 : 'cached';
            },
          },
        ],
      });
      expect(result.toObject()).to.deep.equal({ first: 10, second: 'cached' });
      void nexts[1]();
      const late = await nexts[0]().then(
        () => undefined,
        (error: Error) => error.message,
      );
      await settle(3);
      expect(flow.calls).to.deep.equal([]);
      expect(late).to.equal(
        'Pair: next() of task "first" (attempt 1) was called after that attempt had ended, so ' +
          'the task was not called. An interceptor must call next() before the promise it ' +
          'returns settles.',
      );
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it("does not call the task from a failed attempt's next() while the next attempt runs", async () => {
    const calls: number[] = [];
    const nexts: (() => Promise<unknown>)[] = [];
    let late: Promise<unknown> | undefined;
    class Flow {
      @Task({ retries: 1 }) @DependsOn(CONTEXT) async body(context: TaskContext) {
        calls.push(context.attempt);
        if (context.attempt === 2) late = nexts[0]().then(undefined, (error: Error) => error);
        await settle();
        return context.attempt;
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      interceptors: [
        {
          task: ({ attempt }, next) => {
            nexts.push(next);
            if (attempt === 1) throw new Error('refused before calling next()');
            return next();
          },
        },
      ],
    });
    expect(result.get('body')).to.equal(2);
    expect(calls).to.deep.equal([2]);
    expect(await late)
      .to.have.property('message')
      .that.contains('(attempt 1) was called after');
  });

  for (const timeout of [undefined, 1000]) {
    it(`calls none of the interceptors inside the one that called it (${timeout === undefined ? 'untimed' : 'timed'} attempt)`, async () => {
      const inner: string[] = [];
      let refresh: (() => Promise<unknown>) | undefined;
      class Flow {
        calls = 0;
        @Task({ timeout }) body() {
          return ++this.calls;
        }
      }
      const flow = new Flow();
      const result = await Workflow.invoke(flow, undefined, {
        interceptors: [
          // "Serve cached, refresh later": the attempt's outcome is 'cached', at once.
          {
            task: (_info, next) => {
              refresh = next;
              return 'cached';
            },
          },
          {
            task: ({ task, attempt }, next) => {
              inner.push(`${task} #${attempt}`);
              return next();
            },
          },
        ],
      });
      expect(result.get('body')).to.equal('cached');
      const refused = await rejectionOf(refresh!(), Error);
      expect(refused.message).to.contain('next() of task "body" (attempt 1) was called after');
      // The inner interceptor (a tracer, a logger) never hears of an attempt that will not run.
      expect(inner).to.deep.equal([]);
      expect(flow.calls).to.equal(0);
    });
  }
});

describe("a run interceptor's next() called after its promise settled", () => {
  it('starts neither the run nor the interceptors inside, and rejects saying why', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const inner: string[] = [];
      let refresh: (() => Promise<unknown>) | undefined;
      const flow = new Pair();
      const answered = await Workflow.invoke(flow, 1, {
        interceptors: [
          // "Serve cached, refresh later": invoke resolves with the cached answer at once.
          {
            run: (_info, next) => {
              refresh = next;
              return 'cached';
            },
          },
          {
            run: ({ workflow }, next) => {
              inner.push(workflow);
              return next();
            },
          },
        ],
      });
      expect(answered).to.equal('cached');
      const refused = await rejectionOf(refresh!(), Error);
      expect(refused.message).to.equal(
        "Pair: next() of the run was called after the run interceptors' promise had settled, so " +
          'the run was not started. A run interceptor must call next() before the promise it ' +
          'returns settles.',
      );
      await settle(3);
      // A tracer or logger listed after it never hears of a run that does not happen.
      expect(inner).to.deep.equal([]);
      expect(flow.calls).to.deep.equal([]);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('does not start the run for the only run interceptor either', async () => {
    let refresh: (() => Promise<unknown>) | undefined;
    const flow = new Pair();
    const answered = await Workflow.invoke(flow, 1, {
      interceptors: [
        {
          run: (_info, next) => {
            refresh = next;
            return 'cached';
          },
        },
      ],
    });
    expect(answered).to.equal('cached');
    const refused = await rejectionOf(refresh!(), Error);
    expect(refused.message).to.contain(
      "Pair: next() of the run was called after the run interceptors' promise had settled",
    );
    await settle(3);
    expect(flow.calls).to.deep.equal([]);
  });

  it('does not start the run after the interceptor rejected either: the caller has its error', async () => {
    let refresh: (() => Promise<unknown>) | undefined;
    const refusal = new Error('service closed');
    const flow = new Pair();
    const error = await rejectionOf(
      Workflow.invoke(flow, 1, {
        interceptors: [
          {
            run: (_info, next) => {
              refresh = next;
              return Promise.reject(refusal);
            },
          },
        ],
      }),
      Error,
    );
    expect(error).to.equal(refusal);
    const refused = await rejectionOf(refresh!(), Error);
    expect(refused.message).to.contain(
      "Pair: next() of the run was called after the run interceptors' promise had settled",
    );
    await settle(3);
    expect(flow.calls).to.deep.equal([]);
  });

  it('still runs a next() called later, while the promise the interceptor returned is pending', async () => {
    const flow = new Pair();
    const result = await Workflow.invoke(flow, 1, {
      interceptors: [
        {
          run: async (_info, next) => {
            await sleep(5);
            return next();
          },
        },
      ],
    });
    expect((result as { get(task: 'second'): number }).get('second')).to.equal(4);
    expect(flow.calls).to.deep.equal(['first', 'second']);
  });

  it('leaves a run rejection nobody handles reported as unhandled, as without interceptors', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      class Failing {
        @Task() broken(): number {
          throw new Error('broken');
        }
      }
      void Workflow.invoke(new Failing(), undefined, {
        interceptors: [{ run: (_info, next) => next() }],
      });
      await sleep(20);
      // One rejection (mocha re-emits the event it hears, so the recorder may hear it twice).
      const reasons = [...new Set(unhandled.received)];
      expect(reasons).to.have.length(1);
      expect(reasons[0]).to.be.instanceOf(WorkflowExecutionError);
    } finally {
      unhandled.stop();
    }
  });
});

describe('interceptors that drop the promise of next()', () => {
  class Broken {
    static calls = 0;
    @Task() async broken(): Promise<number> {
      Broken.calls++;
      await settle();
      throw new Error('body failed');
    }
  }

  /** Runs `Broken` with `interceptors`; returns how the run ended and what went unhandled. */
  async function runDropping(interceptors: WorkflowInterceptor[]) {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      Broken.calls = 0;
      const outcome = await Workflow.invoke(new Broken(), undefined, { interceptors }).then(
        (result) => ({ value: result.get('broken') }),
        (error: unknown) => ({ error }),
      );
      await settle(3);
      return { outcome, calls: Broken.calls, unhandled: unhandled.received };
    } finally {
      unhandled.stop();
    }
  }

  it('leave no unhandled rejection: a value returned instead', async () => {
    const run = await runDropping([
      {
        task: (_info, next) => {
          void next();
          return 7;
        },
      },
    ]);
    expect(run).to.deep.equal({ outcome: { value: 7 }, calls: 1, unhandled: [] });
  });

  it('leave no unhandled rejection: a throw after next(), and a next() called after returning', async () => {
    const thrown = await runDropping([
      {
        task: (_info, next) => {
          void next();
          throw new Error('interceptor failed');
        },
      },
    ]);
    expect(thrown.calls).to.equal(1);
    expect(thrown.unhandled).to.deep.equal([]);
    expect((thrown.outcome as { error: WorkflowExecutionError }).error.cause).to.have.property(
      'message',
      'interceptor failed',
    );

    const late = await runDropping([
      {
        task: (_info, next) => {
          setTimeout(() => void next(), 0);
          return new Promise((resolve) => setTimeout(() => resolve(8), 5));
        },
      },
    ]);
    expect(late).to.deep.equal({ outcome: { value: 8 }, calls: 1, unhandled: [] });
  });

  it('leave no unhandled rejection: an outer layer that drops the inner layers', async () => {
    const run = await runDropping([
      {
        task: (_info, next) => {
          void next();
          return 9;
        },
      },
      { task: async (_info, next) => next() },
    ]);
    expect(run).to.deep.equal({ outcome: { value: 9 }, calls: 1, unhandled: [] });
  });

  it('leave no unhandled rejection: a next() called again from inside the failing work it started', async () => {
    const nexts: (() => Promise<unknown>)[] = [];
    class Reentrant {
      @Task() async body(): Promise<number> {
        // While its attempt is being started, the body calls both next()s of its attempt again,
        // and drops what they give: the failure it is about to have.
        for (const next of nexts) void next();
        await settle();
        throw new Error('body failed');
      }
    }
    const layer: WorkflowInterceptor = {
      task: (_info, next) => {
        nexts.push(next);
        return next();
      },
    };
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const error = await rejectionOf(
        Workflow.invoke(new Reentrant(), undefined, { interceptors: [layer, layer] }),
        WorkflowExecutionError,
      );
      expect(error.cause).to.have.property('message', 'body failed');
      await settle(3);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('leave no unhandled rejection: a run interceptor that throws after next()', async () => {
    const run = await runDropping([
      {
        run: (_info, next) => {
          void next();
          throw new Error('run interceptor failed');
        },
      },
    ]);
    expect(run.unhandled).to.deep.equal([]);
    expect((run.outcome as { error: Error }).error).to.have.property(
      'message',
      'run interceptor failed',
    );
  });
});

describe('the methods of an interceptor', () => {
  it('are read once, when the run starts, as hooks are: one switched off mid-run still wraps its run', async () => {
    let enabled = true;
    const reads = { run: 0, task: 0 };
    const seen: string[] = [];
    // A feature flag behind getters, as the Lazy interceptor of "invalid interceptors" has.
    class Flagged {
      get run(): WorkflowInterceptor['run'] {
        reads.run++;
        return enabled ? (_info, next) => next() : undefined;
      }
      get task(): WorkflowInterceptor['task'] {
        reads.task++;
        return enabled
          ? (info, next) => {
              seen.push(info.task);
              // The flag goes off while the run is going: the run keeps what it read.
              enabled = false;
              return next();
            }
          : undefined;
      }
    }
    const result = await Workflow.invoke(new Pair(), 1, { interceptors: [new Flagged()] });
    expect(result.get('second')).to.equal(4);
    expect(seen).to.deep.equal(['first', 'second']);
    expect(reads).to.deep.equal({ run: 1, task: 1 });
  });

  it('are read once for a stream, and one replaced mid-run is not what the run calls', async () => {
    const seen: string[] = [];
    const audit: WorkflowInterceptor = {
      task(info, next) {
        seen.push(`audit ${info.task}`);
        return next();
      },
    };
    const stream = Workflow.stream(new Pair(), 1, { interceptors: [audit] });
    audit.task = undefined;
    for await (const event of stream) void event;
    expect((await stream.result).get('second')).to.equal(4);
    expect(seen).to.deep.equal(['audit first', 'audit second']);
  });
});

describe('invalid interceptors', () => {
  for (const [label, interceptors, message] of [
    ['not an array', {}, 'must be an array of interceptors, got an object'],
    ['an element that is not an object', [42], 'interceptor 1 must be an object'],
    // Holes read as undefined; forEach and filter would skip them.
    [
      'a hole',
      new Array(1),
      'interceptor 1 must be an object with run and/or task methods, got undefined',
    ],
    [
      'a hole before an interceptor',
      Object.assign(new Array(2), { 1: {} }),
      'interceptor 1 must be an object',
    ],
    ['a run that is not a function', [{ run: 'x' }], '"run" of interceptor 1 must be a function'],
    [
      'a task that is not a function',
      [{}, { task: 1 }],
      '"task" of interceptor 2 must be a function',
    ],
  ] as const) {
    it(`rejects ${label} before any task starts`, async () => {
      const flow = new Pair();
      const error = await rejectionOf(
        Workflow.invoke(flow, 1, { interceptors: interceptors as never }),
        WorkflowOptionsError,
      );
      expect(error.option).to.equal('interceptors');
      expect(error.message).to.contain(message);
      expect(flow.calls).to.deep.equal([]);
    });
  }

  it('accepts an empty list and an empty interceptor (what a conditional spread leaves)', async () => {
    const result = await Workflow.invoke(new Pair(), 1, { interceptors: [{}] });
    expect(result.get('second')).to.equal(4);
  });

  it('accepts a class whose methods are static, as its type does, and names a class given for its instance', async () => {
    const seen: string[] = [];
    class Audit {
      static task(info: TaskInterceptorInfo, next: () => Promise<unknown>) {
        seen.push(info.task);
        return next();
      }
    }
    const result = await Workflow.invoke(new Pair(), 1, { interceptors: [Audit] });
    expect(result.get('second')).to.equal(4);
    expect(seen).to.deep.equal(['first', 'second']);

    class Timing {
      task(_info: TaskInterceptorInfo, next: () => Promise<unknown>) {
        return next();
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { interceptors: [Timing as never] }),
      WorkflowOptionsError,
    );
    expect(error.message).to.contain(
      'interceptor 1 must be an object with run and/or task methods, got the class Timing: ' +
        'pass an instance (new Timing()).',
    );
    // A class without a name, or whose name cannot be read, is called Interceptor.
    const [anonymous] = [
      class {
        task(_info: TaskInterceptorInfo, next: () => Promise<unknown>) {
          return next();
        }
      },
    ];
    const nameRefused = new Proxy(Timing, {
      getOwnPropertyDescriptor(target, key) {
        if (key === 'name') throw new Error('no name');
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    for (const interceptor of [anonymous, nameRefused]) {
      const unnamed = await rejectionOf(
        Workflow.invoke(new Pair(), 1, { interceptors: [interceptor as never] }),
        WorkflowOptionsError,
      );
      expect(unnamed.message).to.contain(
        'got the class Interceptor: pass an instance (new Interceptor()).',
      );
    }
    // A function of its own (middleware-style) is shown the object to wrap it in.
    const plain = await rejectionOf(
      Workflow.invoke(new Pair(), 1, {
        interceptors: [((_info: unknown, next: () => unknown) => next()) as never],
      }),
      WorkflowOptionsError,
    );
    expect(plain.message).to.contain(
      'interceptor 1 must be an object with run and/or task methods, got a function: give it ' +
        'as { task: fn }, around each task attempt, or { run: fn }, around the run.',
    );
    // One of no parameters is taken for a factory left uncalled (openTelemetry for openTelemetry()).
    function tracing(): WorkflowInterceptor {
      return { task: (_info, next) => next() };
    }
    const uncalled = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { interceptors: [tracing as never] }),
      WorkflowOptionsError,
    );
    expect(uncalled.message).to.contain(
      'interceptor 1 must be an object with run and/or task methods, got a function: if it ' +
        'makes the interceptor, call it: tracing(); if it takes (info, next), give it as ' +
        '{ task: fn }, around each task attempt, or { run: fn }, around the run.',
    );
    const anonymousFactory = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { interceptors: [(() => ({})) as never] }),
      WorkflowOptionsError,
    );
    expect(anonymousFactory.message).to.contain(
      'got a function: if it makes the interceptor, call it; if it takes (info, next), give it as',
    );
    // A `length` of 0 is no proof of a factory: a middleware with a default value first, or a rest
    // parameter, has one too, and is shown the object to wrap it in all the same.
    for (const middleware of [
      (info: unknown = {}, next?: () => unknown) => next?.() ?? info,
      (...args: unknown[]) => args,
    ]) {
      const error = await rejectionOf(
        Workflow.invoke(new Pair(), 1, { interceptors: [middleware as never] }),
        WorkflowOptionsError,
      );
      expect(error.message).to.contain(
        'give it as { task: fn }, around each task attempt, or { run: fn }, around the run.',
      );
    }
  });

  it('accepts an interceptor switched off (run and task undefined), and refuses a misspelt one beside', async () => {
    const enabled = false as boolean;
    const trace: WorkflowInterceptor['task'] = (_info, next) => next();
    class Lazy {
      get task() {
        return enabled ? trace : undefined;
      }
    }
    const result = await Workflow.invoke(new Pair(), 1, {
      interceptors: [
        { run: undefined, task: enabled ? trace : undefined },
        { name: 'audit', task: enabled ? trace : undefined } as WorkflowInterceptor,
        new Lazy(),
      ],
    });
    expect(result.get('second')).to.equal(4);

    // Naming "run" is no "did you mean run": a misspelt name beside it is what gets the hint.
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, {
        interceptors: [{ run: undefined, tsak: trace } as WorkflowInterceptor],
      }),
      WorkflowOptionsError,
    );
    expect(error.message).to.contain(
      'interceptor 1 has neither a run nor a task method, so it would never be called. ' +
        'It has "tsak". Did you mean "task"?',
    );
  });
});
