/**
 * `TaskOptions`: `timeout` (per attempt; `TaskTimeoutError`; that attempt's signal aborts; the run
 * does not wait for the abandoned promise but still handles it), `retries` and `retryDelay` (a
 * number or a function; the wait ends early when the run stops), and their validation.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import {
  DependsOn,
  Signal,
  Task,
  TaskTimeoutError,
  Workflow,
  WorkflowAbortedError,
  buildDag,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  type TaskOptions,
  type TaskRetryEvent,
} from '../../src';
import { declareTask } from '../support/declare-task';
import { deferred, recordProcessEvents, rejectionOf, settle, throwing } from '../support/event-log';

/** Fakes `setTimeout`/`clearTimeout` only: `setImmediate` (settle) and `performance.now` stay real. */
const fakeTimers = () => sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

/** A task that fails on its first `failures` calls, then returns `'ok on attempt N'`. */
function flakyTask(failures: number, options: TaskOptions) {
  const errors = Array.from({ length: failures }, (_, index) => new Error(`failure ${index + 1}`));
  class Flaky {
    calls = 0;
    @Task(options) flaky() {
      this.calls++;
      if (this.calls <= failures) throw errors[this.calls - 1];
      return `ok on attempt ${this.calls}`;
    }
  }
  return { flow: new Flaky(), errors };
}

describe('TaskOptions.timeout', () => {
  it('fails the attempt with TaskTimeoutError while the task ignores its signal, and does not wait for it', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const abandoned = deferred<string>();
      let attemptSignal: AbortSignal | undefined;
      let afterStarted = false;
      class Hangs {
        @Task({ timeout: 20 }) hang(@Signal() signal: AbortSignal) {
          attemptSignal = signal;
          return abandoned.promise; // never looks at the signal
        }
        @Task() @DependsOn('hang') after() {
          afterStarted = true;
        }
      }

      const error = await rejectionOf(Workflow.invoke(new Hangs()), WorkflowExecutionError);
      // The run settled although `abandoned` is still pending.
      expect(error.task).to.equal('hang');
      expect(error.cause).to.be.instanceOf(TaskTimeoutError);
      const timeout = error.cause as TaskTimeoutError;
      expect(timeout).to.include({ workflow: 'Hangs', task: 'hang', timeoutMs: 20 });
      expect(timeout.message).to.contain('Hangs').and.contain('"hang"').and.contain('20 ms');
      expect(attemptSignal!.aborted, "the attempt's signal aborts").to.equal(true);
      expect(attemptSignal!.reason).to.equal(timeout);
      expect(afterStarted).to.equal(false);
      expect(error.result.trace).to.have.length(1);
      expect(error.result.trace[0]).to.include({ task: 'hang', status: 'failed', attempts: 1 });

      abandoned.reject(new Error('the abandoned attempt fails much later'));
      await settle(2);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('handles an abandoned attempt that succeeds after its timeout: no unhandled rejection', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    const clock = fakeTimers();
    try {
      const abandoned = deferred<string>();
      class Slow {
        @Task({ timeout: 20 }) slow() {
          return abandoned.promise;
        }
      }
      const run = Workflow.invoke(new Slow());
      await settle();
      clock.tick(20);
      const error = await rejectionOf(run, WorkflowExecutionError);
      expect(error.cause).to.be.instanceOf(TaskTimeoutError);
      abandoned.resolve('too late');
      await settle(2);
      expect(unhandled.received).to.deep.equal([]);
      expect(error.result.trace[0]).to.include({ task: 'slow', status: 'failed', attempts: 1 });
    } finally {
      clock.restore();
      unhandled.stop();
    }
  });

  it('times out a task that takes no signal', async () => {
    class NoSignal {
      @Task({ timeout: 10 }) hang() {
        return new Promise(() => {});
      }
    }
    const error = await rejectionOf(Workflow.invoke(new NoSignal()), WorkflowExecutionError);
    expect(error.cause).to.be.instanceOf(TaskTimeoutError);
  });

  it('takes Infinity as no timeout, as undefined is, in a class and a builder', async () => {
    const clock = fakeTimers();
    try {
      const slow = deferred<string>();
      class Unbounded {
        @Task({ timeout: Infinity }) wait() {
          return slow.promise;
        }
      }
      const tm = buildDag();
      tm.addNode({ name: 'wait', timeout: Infinity }, () => slow.promise);
      const classRun = Workflow.invoke(new Unbounded());
      const builderRun = tm.invoke();
      await settle();
      expect(clock.countTimers(), 'no timer for the attempts').to.equal(0);
      slow.resolve('done');
      expect((await classRun).get('wait')).to.equal('done');
      expect((await builderRun).get('wait')).to.equal('done');
    } finally {
      clock.restore();
    }
  });

  it('applies per attempt: a retry after a timeout gets a fresh signal and a fresh budget', async () => {
    const signals: AbortSignal[] = [];
    class SecondTimeLucky {
      @Task({ timeout: 15, retries: 1 }) fetch(@Signal() signal: AbortSignal) {
        signals.push(signal);
        return signals.length === 1 ? new Promise(() => {}) : 'fetched';
      }
    }
    const result = await Workflow.invoke(new SecondTimeLucky());
    expect(result.get('fetch')).to.equal('fetched');
    expect(result.trace[0]).to.include({ status: 'succeeded', attempts: 2 });
    expect(signals).to.have.length(2);
    expect(signals[0]).to.not.equal(signals[1]);
    expect(signals[0].reason).to.be.instanceOf(TaskTimeoutError);
    expect(signals[1].aborted).to.equal(false);
  });

  it('counts an attempt whose timeout fired while it was being called as timed out, ignoring what it returns', async () => {
    // A test that ticks a fake clock from inside the body: the timeout fires before the body returns.
    const clock = fakeTimers();
    try {
      const signals: AbortSignal[] = [];
      class TicksInside {
        @Task({ timeout: 10, retries: 1 }) work(@Signal() signal: AbortSignal) {
          signals.push(signal);
          if (signals.length === 1) clock.tick(20);
          return `returned by attempt ${signals.length}`;
        }
      }
      const result = await Workflow.invoke(new TicksInside());
      expect(result.get('work')).to.equal('returned by attempt 2');
      expect(result.trace[0]).to.include({ status: 'succeeded', attempts: 2 });
      expect(signals[0].reason).to.be.instanceOf(TaskTimeoutError);
      expect(signals[1].aborted).to.equal(false);
    } finally {
      clock.restore();
    }
  });

  it('keeps a run the caller aborted pending until a body that ignores its signal times out', async () => {
    // docs/run-control.md#signal: a deadline bounds the run only as far as its tasks let it.
    const clock = fakeTimers();
    try {
      const controller = new AbortController();
      const log: string[] = [];
      class Deaf {
        @Task({ timeout: 1_000 }) deaf() {
          return new Promise(() => {}); // never looks at its signal
        }
      }
      const run = Workflow.invoke(new Deaf(), undefined, { signal: controller.signal });
      run.then(
        () => log.push('resolved'),
        () => log.push('rejected'),
      );
      await settle();
      controller.abort(new Error('deadline'));
      await settle(2);
      expect(log, 'pending after the abort').to.deep.equal([]);
      clock.tick(999);
      await settle(2);
      expect(log, 'pending before the timeout').to.deep.equal([]);
      clock.tick(1);
      const error = await rejectionOf(run, WorkflowAbortedError);
      expect((error.cause as Error).message).to.equal('deadline');
      expect(error.failures.map(({ task }) => task)).to.deep.equal(['deaf']);
      expect(error.failures[0].error).to.be.instanceOf(TaskTimeoutError);
    } finally {
      clock.restore();
    }
  });

  it("aborts the attempt's signal when another task fails the run", async () => {
    const failure = new Error('other task failed');
    let attemptSignal: AbortSignal | undefined;
    class Watches {
      @Task({ timeout: 60_000 }) watches(@Signal() signal: AbortSignal) {
        attemptSignal = signal;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
      @Task() fails() {
        return settle().then(() => {
          throw failure;
        });
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Watches()), WorkflowExecutionError);
    expect(error.task).to.equal('fails');
    expect(attemptSignal!.aborted).to.equal(true);
  });

  it("gives an attempt a signal that lives as long as the attempt: a later failure of the run aborts the run signal, not a finished attempt's", async () => {
    const failure = new Error('failed after the others finished');
    const later = deferred();
    const signals = new Map<string, AbortSignal>();
    class Flow {
      @Task({ timeout: 60_000 }) timed(@Signal() signal: AbortSignal) {
        signals.set('timed', signal);
        return 'timed value';
      }
      @Task() plain(@Signal() signal: AbortSignal) {
        signals.set('plain', signal);
        return 'plain value';
      }
      @Task() async fails(): Promise<never> {
        await later.promise;
        throw failure;
      }
    }
    const run = Workflow.invoke(new Flow());
    await settle();
    expect([signals.get('timed')!.aborted, signals.get('plain')!.aborted]).to.deep.equal([
      false,
      false,
    ]);
    later.resolve();
    const error = await rejectionOf(run, WorkflowExecutionError);
    expect(error.task).to.equal('fails');
    expect(error.result.get('timed')).to.equal('timed value');
    // The timed attempt's own signal ended with its attempt; the plain task shares the run signal.
    expect(signals.get('timed')!.aborted, 'the finished attempt').to.equal(false);
    expect(signals.get('plain')!.aborted, 'the run signal').to.equal(true);
    expect((signals.get('plain')!.reason as Error).cause).to.equal(failure);
  });

  it('clears its timer when the task finishes in time', async () => {
    const clock = fakeTimers();
    try {
      class Quick {
        @Task({ timeout: 60_000 }) quick() {
          return settle().then(() => 'quick');
        }
      }
      const result = await Workflow.invoke(new Quick());
      expect(result.get('quick')).to.equal('quick');
      expect(clock.countTimers()).to.equal(0);
    } finally {
      clock.restore();
    }
  });
});

describe('TaskOptions.retries', () => {
  it('succeeds on the third attempt: trace says 3 attempts, onTaskRetry is called twice', async () => {
    const { flow, errors } = flakyTask(2, { retries: 2 });
    const retries: TaskRetryEvent[] = [];
    const starts: number[] = [];
    const result = await Workflow.invoke(flow, undefined, {
      hooks: {
        onTaskStart: ({ attempt }) => starts.push(attempt),
        onTaskRetry: (event) => retries.push(event),
      },
    });
    expect(result.get('flaky')).to.equal('ok on attempt 3');
    expect(flow.calls).to.equal(3);
    expect(starts).to.deep.equal([1, 2, 3]);
    expect(retries).to.deep.equal([
      { task: 'flaky', attempt: 1, error: errors[0], delayMs: 0 },
      { task: 'flaky', attempt: 2, error: errors[1], delayMs: 0 },
    ]);
    expect(result.trace).to.have.length(1);
    expect(result.trace[0]).to.include({ task: 'flaky', status: 'succeeded', attempts: 3 });
  });

  it('fails with the last error after 1 + retries attempts', async () => {
    const { flow, errors } = flakyTask(5, { retries: 2 });
    const error = await rejectionOf(Workflow.invoke(flow), WorkflowExecutionError);
    expect(flow.calls).to.equal(3);
    expect(error.cause).to.equal(errors[2]);
    expect(error.failures).to.deep.equal([{ task: 'flaky', error: errors[2] }]);
    expect(error.result.trace[0]).to.include({ status: 'failed', attempts: 3 });
  });

  describe('without a delay (retryDelay 0, the default, or a function returning 0)', () => {
    const noDelays: [string, TaskOptions][] = [
      ['no retryDelay', { retries: 2 }],
      ['retryDelay: 0', { retries: 2, retryDelay: 0 }],
      ['retryDelay: () => 0', { retries: 2, retryDelay: () => 0 }],
    ];
    for (const [label, options] of noDelays) {
      for (const failure of ['throws', 'rejects'] as const) {
        it(`retries at once, before a timer or an immediate queued at the failure (${label}, the task ${failure})`, async () => {
          const log: string[] = [];
          class Flaky {
            calls = 0;
            @Task(options) flaky() {
              this.calls++;
              log.push(`attempt ${this.calls}`);
              if (this.calls === 3) return 'ok';
              setTimeout(() => log.push('setTimeout(0)'), 0);
              setImmediate(() => log.push('setImmediate'));
              const error = new Error(`failure ${this.calls}`);
              if (failure === 'throws') throw error;
              return Promise.reject(error);
            }
          }
          const run = Workflow.stream(new Flaky(), undefined, {
            hooks: {
              onTaskStart: ({ attempt }) => log.push(`onTaskStart ${attempt}`),
              onTaskRetry: ({ attempt, delayMs }) => log.push(`onTaskRetry ${attempt} ${delayMs}`),
            },
          });
          const streamed: string[] = [];
          for await (const event of run) {
            streamed.push(
              event.type === 'taskFailure'
                ? `taskFailure ${event.attempt} willRetry ${event.willRetry}`
                : `${event.type}${'attempt' in event ? ` ${event.attempt}` : ''}`,
            );
          }
          expect((await run.result).trace[0]).to.include({ status: 'succeeded', attempts: 3 });
          // A timer set now fires after those the attempts set (same delay, set later).
          await new Promise((resolve) => setTimeout(resolve, 0));
          await settle();
          // Every attempt ran before any timer or immediate queued at a failure (those four come
          // in an order Node.js does not fix).
          expect(log.slice(0, 8)).to.deep.equal([
            'onTaskStart 1',
            'attempt 1',
            'onTaskRetry 1 0',
            'onTaskStart 2',
            'attempt 2',
            'onTaskRetry 2 0',
            'onTaskStart 3',
            'attempt 3',
          ]);
          expect(log.slice(8).sort()).to.deep.equal([
            'setImmediate',
            'setImmediate',
            'setTimeout(0)',
            'setTimeout(0)',
          ]);
          expect(streamed).to.deep.equal([
            'taskStart 1',
            'taskFailure 1 willRetry true',
            'taskStart 2',
            'taskFailure 2 willRetry true',
            'taskStart 3',
            'taskSuccess 3',
          ]);
        });
      }
    }

    it('sets no timer, so fake timers need no tick', async () => {
      const clock = fakeTimers();
      try {
        const { flow } = flakyTask(2, { retries: 2 });
        const run = Workflow.invoke(flow);
        await settle();
        expect(flow.calls).to.equal(3);
        expect(clock.countTimers()).to.equal(0);
        expect((await run).get('flaky')).to.equal('ok on attempt 3');
      } finally {
        clock.restore();
      }
    });

    it('does not retry when the caller aborts before the retry starts', async () => {
      const controller = new AbortController();
      const { flow, errors } = flakyTask(1, { retries: 1 });
      const run = Workflow.invoke(flow, undefined, { signal: controller.signal });
      // The first attempt threw while invoke started the run; the retry has not started yet.
      expect(flow.calls).to.equal(1);
      controller.abort('enough');
      const error = await rejectionOf(run, WorkflowAbortedError);
      expect(flow.calls).to.equal(1);
      expect(error.failures).to.deep.equal([{ task: 'flaky', error: errors[0] }]);
      expect(error.result.trace[0]).to.include({ status: 'failed', attempts: 1 });
    });
  });

  it('does not retry by default', async () => {
    const { flow, errors } = flakyTask(1, {});
    const error = await rejectionOf(Workflow.invoke(flow), WorkflowExecutionError);
    expect(flow.calls).to.equal(1);
    expect(error.cause).to.equal(errors[0]);
  });
});

describe('TaskOptions.retryDelay', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = fakeTimers()));
  afterEach(() => clock.restore());

  it('waits a fixed number of milliseconds before each retry', async () => {
    const { flow } = flakyTask(2, { retries: 2, retryDelay: 100 });
    const delays: number[] = [];
    const run = Workflow.invoke(flow, undefined, {
      hooks: { onTaskRetry: ({ delayMs }) => delays.push(delayMs) },
    });
    await settle();
    expect(flow.calls).to.equal(1);
    await clock.tickAsync(99);
    expect(flow.calls, 'not before the delay').to.equal(1);
    await clock.tickAsync(1);
    expect(flow.calls).to.equal(2);
    await clock.tickAsync(100);
    expect(flow.calls).to.equal(3);
    expect((await run).get('flaky')).to.equal('ok on attempt 3');
    expect(delays).to.deep.equal([100, 100]);
  });

  it('calls a function with the failed attempt and its error to get each delay', async () => {
    const calls: [number, unknown][] = [];
    const { flow, errors } = flakyTask(2, {
      retries: 2,
      retryDelay: (attempt, error) => {
        calls.push([attempt, error]);
        return attempt * 100;
      },
    });
    const run = Workflow.invoke(flow);
    await settle();
    await clock.tickAsync(99);
    expect(flow.calls).to.equal(1);
    await clock.tickAsync(1);
    expect(flow.calls).to.equal(2);
    await clock.tickAsync(199);
    expect(flow.calls, 'the second delay is 200 ms').to.equal(2);
    await clock.tickAsync(1);
    expect(flow.calls).to.equal(3);
    await run;
    expect(calls).to.deep.equal([
      [1, errors[0]],
      [2, errors[1]],
    ]);
  });

  it('fails the task with the error a delay function throws', async () => {
    const thrown = new Error('no delay for you');
    const { flow } = flakyTask(1, {
      retries: 1,
      retryDelay: throwing(thrown),
    });
    const error = await rejectionOf(Workflow.invoke(flow), WorkflowExecutionError);
    expect(flow.calls).to.equal(1);
    expect(error.cause).to.equal(thrown);
  });

  it('fails the task with a RangeError (TypeError for a non-number) when a delay function returns no valid delay', async () => {
    for (const invalidDelay of [-1, Number.NaN, 'soon']) {
      const { flow } = flakyTask(1, { retries: 1, retryDelay: () => invalidDelay as number });
      const error = await rejectionOf(Workflow.invoke(flow), WorkflowExecutionError);
      expect(flow.calls).to.equal(1);
      expect(error.cause).to.be.instanceOf(
        typeof invalidDelay === 'number' ? RangeError : TypeError,
      );
      expect((error.cause as Error).message)
        .to.contain('retryDelay')
        .and.contain('"flaky"');
    }
  });

  describe('ends early, without retrying, when the run stops', () => {
    it('when the caller aborts: the run settles with no time passing', async () => {
      const controller = new AbortController();
      const { flow } = flakyTask(1, { retries: 1, retryDelay: 60_000 });
      const run = Workflow.invoke(flow, undefined, {
        signal: controller.signal,
        hooks: { onTaskRetry: () => setImmediate(() => controller.abort('enough')) },
      });
      const error = await rejectionOf(run, WorkflowAbortedError);
      expect(error.cause).to.equal('enough');
      expect(flow.calls).to.equal(1);
      expect(error.result.has('flaky')).to.equal(false);
      expect(error.result.trace[0]).to.include({ task: 'flaky', status: 'failed', attempts: 1 });
      expect(clock.countTimers(), 'the delay timer is cleared').to.equal(0);
    });

    it('when another task fails while an attempt is in flight: retryIf and retryDelay are not asked', async () => {
      const failure = new Error('other failed');
      const asked: string[] = [];
      const later = deferred();
      class Flow {
        calls = 0;
        @Task({
          retries: 3,
          retryIf: () => {
            asked.push('retryIf');
            return true;
          },
          retryDelay: () => {
            asked.push('retryDelay');
            return 0;
          },
        })
        waits(@Signal() signal: AbortSignal): Promise<never> {
          this.calls++;
          return new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('gave up on abort'))),
          );
        }
        @Task() async fails(): Promise<never> {
          await later.promise;
          throw failure;
        }
      }
      const flow = new Flow();
      const run = Workflow.invoke(flow);
      later.resolve();
      const error = await rejectionOf(run, WorkflowExecutionError);
      expect(error.task).to.equal('fails');
      expect(
        error.failures.map(({ task, error: cause }) => [task, (cause as Error).message]),
      ).to.deep.equal([
        ['fails', 'other failed'],
        ['waits', 'gave up on abort'],
      ]);
      expect(asked).to.deep.equal([]);
      expect(flow.calls).to.equal(1);
      expect(error.result.trace.find((entry) => entry.task === 'waits')).to.include({
        status: 'failed',
        attempts: 1,
      });
    });

    it('when another task fails', async () => {
      const failure = new Error('other failed');
      class FlakyAndFailing {
        calls = 0;
        @Task({ retries: 1, retryDelay: 60_000 }) flaky() {
          this.calls++;
          throw new Error('flaky');
        }
        @Task() fails() {
          return settle(2).then(() => {
            throw failure;
          });
        }
      }
      const flow = new FlakyAndFailing();
      const error = await rejectionOf(Workflow.invoke(flow), WorkflowExecutionError);
      expect(error.task).to.equal('fails');
      expect(error.cause).to.equal(failure);
      expect(flow.calls).to.equal(1);
      expect(clock.countTimers()).to.equal(0);
    });
  });
});

describe('invalid TaskOptions', () => {
  const invalidOptions: [string, TaskOptions][] = [
    ['timeout', { timeout: -1 }],
    ['timeout', { timeout: Number.NaN }],
    ['retries', { retries: -1 }],
    ['retries', { retries: 1.5 }],
    ['retryDelay', { retries: 1, retryDelay: -5 }],
  ];

  for (const [option, options] of invalidOptions) {
    it(`rejects ${JSON.stringify(options).replace('null', 'NaN')} before any task starts`, async () => {
      let called = false;
      class Invalid {}
      const prototype = Invalid.prototype;
      declareTask(prototype, 'work', () => (called = true), { options });

      const error = await rejectionOf(Workflow.invoke(new Invalid()), WorkflowDefinitionError);
      expect(error.code).to.equal('INVALID_TASK');
      expect(error.task).to.equal('work');
      expect(error.message).to.contain('Invalid').and.contain(option);
      expect(called).to.equal(false);
    });
  }
});
