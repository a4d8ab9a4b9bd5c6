/**
 * `InvokeOptions.signal` and `@Signal()`: an already-aborted signal starts nothing; aborting during
 * a run stops new starts, aborts every `@Signal()`, waits for tasks in flight and rejects with
 * `WorkflowAbortedError`; the caller's signal keeps no listener after the run; a signal shared by
 * thousands of listeners raises no `MaxListenersExceededWarning`.
 */
import { expect } from 'chai';
import { JSDOM } from 'jsdom';
import { getEventListeners } from 'node:events';
import {
  buildDag,
  DependsOn,
  Param,
  Signal,
  SIGNAL,
  Task,
  TaskResultError,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  type ExecutionResult,
} from '../../src';
import { declareTask } from '../support/declare-task';
import { GatedFlow, recordProcessEvents, rejectionOf, settle } from '../support/event-log';

/** `first` succeeds at once; `inFlight` waits on its gate; `next` would start after it. */
class Pipeline extends GatedFlow<string> {
  readonly signals: AbortSignal[] = [];

  @Task() first() {
    this.log.start('first');
    return 'first value';
  }
  @Task() inFlight(@Signal() signal: AbortSignal) {
    this.signals.push(signal);
    return this.log.track('inFlight', () => this.gates.wait('inFlight'));
  }
  @Task() @DependsOn('inFlight') next(@Signal() signal: AbortSignal) {
    this.signals.push(signal);
    this.log.start('next');
    return 'next value';
  }
}

const abortListenerCount = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('InvokeOptions.signal', () => {
  it('starts nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('user went away');
    controller.abort(reason);
    const flow = new Pipeline();
    const hookCalls: string[] = [];

    const error = await rejectionOf(
      Workflow.invoke(flow, undefined, {
        signal: controller.signal,
        hooks: { onTaskStart: ({ task }) => hookCalls.push(task) },
      }),
      WorkflowAbortedError,
    );

    expect(error).to.be.instanceOf(Error);
    expect(error.name).to.equal('AbortError');
    expect(error.cause).to.equal(reason);
    expect(error.workflow).to.equal('Pipeline');
    expect(error.message).to.contain('Pipeline').and.contain('user went away');
    expect(error.result.toObject()).to.deep.equal({});
    expect(error.result.trace).to.deep.equal([]);
    expect(flow.log.events).to.deep.equal([]);
    expect(hookCalls).to.deep.equal([]);
    expect(abortListenerCount(controller.signal)).to.equal(0);
  });

  it('takes the default reason of AbortSignal.abort() as the cause', async () => {
    const signal = AbortSignal.abort();
    const error = await rejectionOf(
      Workflow.invoke(new Pipeline(), undefined, { signal }),
      WorkflowAbortedError,
    );
    expect(error.cause).to.equal(signal.reason);
    expect((error.cause as Error).name).to.equal('AbortError');
  });

  it('during a run: stops new starts, aborts every @Signal(), waits for tasks in flight', async () => {
    const controller = new AbortController();
    const flow = new Pipeline();
    let settled = false;
    const run = Workflow.invoke(flow, undefined, { signal: controller.signal });
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await settle();
    expect(flow.log.starts).to.deep.equal(['first', 'inFlight']);

    const reason = new Error('shutting down');
    controller.abort(reason);
    await settle();
    expect(flow.signals[0].aborted).to.equal(true);
    expect(flow.signals[0].reason).to.equal(reason);
    expect(settled, 'the run waits for inFlight').to.equal(false);

    flow.gates.open('inFlight', 'finished anyway');
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect(flow.log.starts).to.deep.equal(['first', 'inFlight']);
    expect(error.name).to.equal('AbortError');
    expect(error.cause).to.equal(reason);
    expect(error.result.toObject()).to.deep.equal({
      first: 'first value',
      inFlight: 'finished anyway',
    });
    expect(error.result.has('next')).to.equal(false);
    expect(() => error.result.get('next'))
      .to.throw(TaskResultError)
      .with.property(
        'message',
        'Pipeline: task "next" did not run: the run stopped before it could start',
      );
  });

  it('rejects with WorkflowAbortedError when a task in flight gives up with the abort reason', async () => {
    const controller = new AbortController();
    class GivesUp {
      @Task() waits(@Signal() signal: AbortSignal) {
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
    }
    const run = Workflow.invoke(new GivesUp(), undefined, { signal: controller.signal });
    await settle();
    controller.abort(new Error('stop'));
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect((error.cause as Error).message).to.equal('stop');
  });

  it('stops at once when a task aborts the caller signal synchronously', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    class AbortsItself {
      @Task() aborts(@Signal() signal: AbortSignal) {
        signals.push(signal);
        controller.abort('from inside');
        return 'done';
      }
      @Task() @DependsOn('aborts') later() {
        return 'never';
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new AbortsItself(), undefined, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(error.cause).to.equal('from inside');
    expect(signals[0].aborted).to.equal(true);
    expect(error.result.has('later')).to.equal(false);
  });

  describe('leaves no abort listener on the caller signal', () => {
    class Simple {
      @Task() a() {
        return settle().then(() => 1);
      }
    }
    class Failing {
      @Task() a() {
        return settle().then(() => {
          throw new Error('no');
        });
      }
    }

    it('while running it adds one listener, not one per task', async () => {
      const { signal } = new AbortController();
      const flow = new Pipeline();
      const run = Workflow.invoke(flow, undefined, { signal });
      await settle();
      expect(abortListenerCount(signal)).to.equal(1);
      flow.gates.open('inFlight', 'x');
      await run;
      expect(abortListenerCount(signal)).to.equal(0);
    });

    it('after success, failure, abort and invalid options, and across many runs', async () => {
      const controller = new AbortController();
      const { signal } = controller;
      for (let run = 0; run < 20; run++) await Workflow.invoke(new Simple(), undefined, { signal });
      expect(abortListenerCount(signal), 'after successful runs').to.equal(0);

      await rejectionOf(
        Workflow.invoke(new Failing(), undefined, { signal }),
        WorkflowExecutionError,
      );
      expect(abortListenerCount(signal), 'after a failed run').to.equal(0);

      await rejectionOf(
        Workflow.invoke(new Simple(), undefined, { signal, concurrency: 0 }),
        WorkflowOptionsError,
      );
      expect(abortListenerCount(signal), 'after invalid options').to.equal(0);

      const aborted = Workflow.invoke(new Simple(), undefined, { signal });
      controller.abort();
      await rejectionOf(aborted, WorkflowAbortedError);
      expect(abortListenerCount(signal), 'after an aborted run').to.equal(0);
    });

    it('ignores an abort that comes after the run settled', async () => {
      const unhandled = recordProcessEvents('unhandledRejection');
      try {
        const controller = new AbortController();
        const result = await Workflow.invoke(new Simple(), undefined, {
          signal: controller.signal,
        });
        controller.abort();
        await settle(2);
        expect(result.get('a')).to.equal(1);
        expect(unhandled.received).to.deep.equal([]);
      } finally {
        unhandled.stop();
      }
    });
  });

  it('keeps the task failures of an aborted run in error.failures', async () => {
    const upload = new Error('upload failed');
    const disk = new Error('disk full');
    // `push` fails and waits out its retry delay; `archive` fails for good (failFast: false);
    // then the caller aborts, which ends the wait: `push` fails with its last error.
    const tm = buildDag({ name: 'Sync' });
    tm.addNode({ name: 'push', retries: 5, retryDelay: 60_000 }, () => {
      throw upload;
    });
    tm.addNode({ name: 'archive' }, () => {
      throw disk;
    });
    const controller = new AbortController();
    const run = tm.invoke(undefined, { signal: controller.signal, failFast: false });
    await settle(2);
    controller.abort('shutdown');
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect(error.cause).to.equal('shutdown');
    expect(error.failures).to.deep.equal([
      { task: 'archive', error: disk },
      { task: 'push', error: upload },
    ]);
    expect(error.result.trace.map(({ task, status }) => `${task}:${status}`)).to.have.members([
      'push:failed',
      'archive:failed',
    ]);
    // An abort with no failure before it: an empty list.
    const quiet = new AbortController();
    quiet.abort('before');
    const early = await rejectionOf(
      tm.invoke(undefined, { signal: quiet.signal }),
      WorkflowAbortedError,
    );
    expect(early.failures).to.deep.equal([]);
  });

  it('keeps in error.failures a task in flight that failed after the abort, as one giving up on its signal does', async () => {
    const tm = buildDag({ name: 'Fetch' });
    tm.addNode(
      { name: 'download' },
      (signal: AbortSignal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
      SIGNAL,
    );
    const controller = new AbortController();
    const run = tm.invoke(undefined, { signal: controller.signal });
    await settle(2);
    const reason = new Error('user left');
    controller.abort(reason);
    const error = await rejectionOf(run, WorkflowAbortedError);
    // Not empty: the task failed (it gave up with the abort's reason), after the abort.
    expect(error.failures).to.deep.equal([{ task: 'download', error: reason }]);
    expect(error.result.trace.map(({ status }) => status)).to.deep.equal(['failed']);
  });

  it('aborts every run sharing the caller signal, also after another run on it has settled', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const [done, stopped] = [new Pipeline(), new Pipeline()];
    const doneRun = Workflow.invoke(done, undefined, { signal });
    const stoppedRun = Workflow.invoke(stopped, undefined, { signal });
    await settle();
    done.gates.open('inFlight', 'in time');
    expect((await doneRun).get('next')).to.equal('next value');

    controller.abort('the request ended');
    expect(stopped.signals[0].aborted, 'the signal of the run still going').to.equal(true);
    expect(stopped.signals[0].reason).to.equal('the request ended');
    stopped.gates.open('inFlight', 'too late');
    const error = await rejectionOf(stoppedRun, WorkflowAbortedError);
    expect(error.cause).to.equal('the request ended');
    expect(stopped.log.starts).to.deep.equal(['first', 'inFlight']);
    expect(abortListenerCount(signal)).to.equal(0);
  });

  it('raises no MaxListenersExceededWarning for one caller signal shared by many concurrent runs', async () => {
    const warnings = recordProcessEvents('warning');
    try {
      const { signal } = new AbortController();
      class Small {
        @Task() a() {
          return settle().then(() => 1);
        }
      }
      const runs = Array.from({ length: 50 }, () =>
        Workflow.invoke(new Small(), undefined, { signal }),
      );
      await Promise.all(runs);
      await settle();
      expect(warnings.received.map(String)).to.deep.equal([]);
      expect(abortListenerCount(signal)).to.equal(0);
    } finally {
      warnings.stop();
    }
  });
});

describe("an abort from one of the run's own hooks", () => {
  it('retries nothing when onTaskRetry (or retryDelay) aborts the run', async () => {
    for (const via of ['onTaskRetry', 'retryDelay'] as const) {
      const controller = new AbortController();
      let calls = 0;
      const giveUp = () => controller.abort(new Error('user gave up'));
      class Flaky {
        @Task({
          retries: 3,
          retryDelay: () => {
            if (via === 'retryDelay') giveUp();
            return 60_000;
          },
        })
        flaky(): number {
          calls++;
          throw new Error('down');
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flaky(), undefined, {
          signal: controller.signal,
          hooks: via === 'onTaskRetry' ? { onTaskRetry: giveUp } : undefined,
        }),
        WorkflowAbortedError,
      );
      expect(calls, via).to.equal(1);
      expect(error.result.trace[0]).to.include({ status: 'failed', attempts: 1 });
    }
  });

  it('announces no retry when retryIf aborts the run', async () => {
    const controller = new AbortController();
    const retries: number[] = [];
    class Flaky {
      @Task({
        retries: 3,
        retryIf: () => {
          controller.abort(new Error('user gave up'));
          return true;
        },
      })
      flaky(): number {
        throw new Error('down');
      }
    }
    const stream = Workflow.stream(new Flaky(), undefined, {
      signal: controller.signal,
      hooks: { onTaskRetry: ({ attempt }) => retries.push(attempt) },
    });
    const failures: boolean[] = [];
    await rejectionOf(
      (async () => {
        for await (const event of stream)
          if (event.type === 'taskFailure') failures.push(event.willRetry);
      })(),
      WorkflowAbortedError,
    );
    expect(retries).to.deep.equal([]);
    expect(failures).to.deep.equal([false]);
  });

  it('hands a task with a timeout an aborted signal when onTaskStart aborted the run', async () => {
    const controller = new AbortController();
    const seen: boolean[] = [];
    class Flow {
      @Task({ timeout: 50 }) watch(@Signal() signal: AbortSignal) {
        seen.push(signal.aborted);
        if (signal.aborted) return 'stopped';
        return new Promise((resolve) => signal.addEventListener('abort', resolve));
      }
    }
    await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        hooks: { onTaskStart: () => controller.abort(new Error('stop now')) },
      }),
      WorkflowAbortedError,
    );
    expect(seen).to.deep.equal([true]);
  });

  it('hands a task without a timeout a run signal already aborted with the reason, when onTaskStart aborted the run', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    const seen: { aborted: boolean; reason: unknown }[] = [];
    class Flow {
      @Task() watch(@Signal() signal: AbortSignal) {
        seen.push({ aborted: signal.aborted, reason: signal.reason });
        return 'stopped';
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        hooks: { onTaskStart: () => controller.abort(reason) },
      }),
      WorkflowAbortedError,
    );
    expect(error.cause).to.equal(reason);
    expect(seen).to.have.length(1);
    expect(seen[0].aborted).to.equal(true);
    expect(seen[0].reason).to.equal(reason);
  });

  it('rejects with the failure when onTaskFailure aborts the run (failFast)', async () => {
    const controller = new AbortController();
    class Flow {
      @Task() broken(): number {
        throw new Error('broken');
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        hooks: { onTaskFailure: () => controller.abort(new Error('too late')) },
      }),
      WorkflowExecutionError,
    );
    expect(error.task).to.equal('broken');
    expect(error.failures).to.have.length(1);
  });

  it('leaves the scratch it gave back alone when a hook ended it and a new run borrowed it', async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    let second: Promise<unknown> | undefined;
    class Flow {
      @Task() async source(@Param() run: number) {
        await settle();
        if (run === 1) throw new Error('source failed');
        return `source ${run}`;
      }
      @Task() @DependsOn('source') middle(source: string) {
        return `middle(${source})`;
      }
      @Task({ when: 'noneFailed' }) @DependsOn('middle') lenient(middle?: string) {
        calls.push(`lenient got ${String(middle)}`);
        return middle;
      }
      @Task() @DependsOn('middle') strict(middle: string) {
        return middle;
      }
    }
    const flow = new Flow();
    const first = Workflow.invoke(flow, 1, {
      failFast: false,
      signal: controller.signal,
      hooks: {
        onTaskSkip: ({ task }) => {
          if (task !== 'strict') return;
          controller.abort(new Error('abort from a hook'));
          second = Workflow.invoke(flow, 2);
        },
      },
    });
    await rejectionOf(first, WorkflowAbortedError);
    const result = (await second) as ExecutionResult<Flow, number>;
    expect(result.get('lenient')).to.equal('middle(source 2)');
    expect(calls).to.deep.equal(['lenient got middle(source 2)']);
  });
});

describe('@Signal()', () => {
  it('hands every task without a timeout the same run signal', async () => {
    const signals: AbortSignal[] = [];
    class Shares {
      @Task() a(@Signal() signal: AbortSignal) {
        signals.push(signal);
      }
      @Task() @DependsOn('a') b(_a: unknown, @Signal() signal: AbortSignal) {
        signals.push(signal);
      }
    }
    await Workflow.invoke(new Shares());
    expect(signals).to.have.length(2);
    expect(signals[0]).to.equal(signals[1]);
    expect(signals[0].aborted).to.equal(false);
  });

  it("runs with a DOM implementation's AbortController, as jest-environment-jsdom installs", async () => {
    // Node's setMaxListeners rejects a signal that is not Node's own EventTarget.
    const { window } = new JSDOM('');
    const saved = globalThis.AbortController;
    globalThis.AbortController = window.AbortController as typeof AbortController;
    try {
      class Fetches {
        @Task() load(@Param() id: string, @Signal() signal: AbortSignal) {
          return `${id} ${signal instanceof window.AbortSignal} ${signal.aborted}`;
        }
        @Task() @DependsOn('load') hang(loaded: string, @Signal() signal: AbortSignal) {
          return new Promise((resolve) => signal.addEventListener('abort', () => resolve(loaded)));
        }
      }
      const caller = new window.AbortController();
      const run = Workflow.invoke(new Fetches(), 'a', {
        signal: caller.signal as AbortSignal,
        targets: ['load'],
      });
      expect((await run).get('load')).to.equal('a true false');

      const aborted = Workflow.invoke(new Fetches(), 'b', { signal: caller.signal as AbortSignal });
      setTimeout(() => caller.abort(), 5);
      const error = await rejectionOf(aborted, WorkflowAbortedError);
      expect(error.result.get('load')).to.equal('b true false');
    } finally {
      globalThis.AbortController = saved;
      window.close();
    }
  });

  it('raises no MaxListenersExceededWarning with 10,000 tasks each adding an abort listener', async function () {
    // Node.js's EventTarget looks through the listeners it has on each addEventListener: 10,000
    // take 0.5 s in a run of this file alone, 5.9 s in the whole suite under the load of other test
    // runs on a 2-core machine (a hang guard).
    this.timeout(60_000);
    const taskCount = 10_000;
    let abortsSeen = 0;

    class ManyListeners {}
    const prototype = ManyListeners.prototype;
    for (let index = 0; index < taskCount; index++) {
      const name = `listener${index}`;
      const isLast = index === taskCount - 1;
      const listen = (signal: AbortSignal) => {
        signal.addEventListener('abort', () => abortsSeen++); // a listener of its own, like fetch
        if (isLast) throw new Error('the last task fails, so every listener runs');
        return index;
      };
      declareTask(prototype, name, listen, { signalIndex: 0 });
    }

    const warnings = recordProcessEvents('warning');
    try {
      const { signal } = new AbortController();
      const error = await rejectionOf(
        Workflow.invoke(new ManyListeners(), undefined, { signal }),
        WorkflowExecutionError,
      );
      await settle();
      expect(error.task).to.equal(`listener${taskCount - 1}`);
      expect(abortsSeen).to.equal(taskCount);
      expect(warnings.received.map(String)).to.deep.equal([]);
    } finally {
      warnings.stop();
    }
  });

  it('raises no MaxListenersExceededWarning when a task with a timeout, or an allSettled task, fans out on its own signal', async () => {
    // One task starting 20 requests with its signal, as `Promise.all(urls.map((url) => fetch(url,
    // { signal })))` does: fetch adds an abort listener per request. A timed attempt and an
    // `allSettled` task each get a signal of their own, not the run's.
    const fanOut = async (signal: AbortSignal) => {
      let listening = 0;
      const requests = Array.from({ length: 20 }, () => {
        signal.addEventListener('abort', () => {}, { once: true });
        listening++;
        return settle();
      });
      await Promise.all(requests);
      return listening;
    };
    const tm = buildDag({ name: 'Downloads' });
    const timed = tm.addNode({ name: 'timed', timeout: 60_000 }, fanOut, SIGNAL);
    const cleanup = tm.addNode(
      { name: 'cleanup', when: 'allSettled' },
      (_timed: unknown, signal: AbortSignal) => fanOut(signal),
      timed,
      SIGNAL,
    );
    const timedCleanup = tm.addNode(
      { name: 'timedCleanup', when: 'allSettled', timeout: 60_000 },
      (_timed: unknown, signal: AbortSignal) => fanOut(signal),
      timed,
      SIGNAL,
    );

    const warnings = recordProcessEvents('warning');
    try {
      const result = await tm.invoke();
      await settle();
      expect(
        [timed, cleanup, timedCleanup].map((node) => node.extractResult(result)),
      ).to.deep.equal([20, 20, 20]);
      expect(warnings.received.map(String)).to.deep.equal([]);
    } finally {
      warnings.stop();
    }
  });
});
