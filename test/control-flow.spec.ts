/**
 * Control flow (API.md §8): skip() and its propagation, the `when` rules, `allSettled` tasks as
 * the workflow's `finally`, fallbacks, retryIf and priority — and how each plays with failFast,
 * targets, overrides, concurrency, aborts, retries and timeouts.
 */
import { expect } from 'chai';
import {
  buildDag,
  CONTEXT,
  DependsOn,
  PARAM,
  SIGNAL,
  formatTimeline,
  Param,
  Signal,
  skip,
  Task,
  TaskResultError,
  TaskTimeoutError,
  toMermaidGantt,
  Workflow,
  WorkflowAbortedError,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  type Settled,
  type TaskContext,
  type TaskOptions,
  type TaskSkipEvent,
  type TaskSuccessEvent,
} from '../src';
import { declareTask } from './support/declare-task';
import {
  deferred,
  EventLog,
  GatedFlow,
  recordProcessEvents,
  rejectionOf,
  settle,
  throwing,
  thrownBy,
} from './support/event-log';

/** `[task, status, reason?]` for every trace entry, in trace order. */
function statuses(result: { trace: readonly { task: string; status: string; reason?: string }[] }) {
  return result.trace.map(({ task, status, reason }) =>
    reason === undefined ? [task, status] : [task, status, reason],
  );
}

describe('skip()', () => {
  it('stops passing a skip on once a throwing onTaskSkip hook stopped the run', async () => {
    const skipHookCalls: string[] = [];
    class Flow {
      @Task() gate(): number {
        skip('closed');
      }
      @Task() @DependsOn('gate') first(gate: number) {
        return gate;
      }
      @Task() @DependsOn('gate') second(gate: number) {
        return gate;
      }
      @Task() @DependsOn('second') third(second: number) {
        return second;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        hooks: {
          onTaskSkip: ({ task }) => {
            skipHookCalls.push(task);
            if (task === 'first') throw new Error('hook broke');
          },
        },
      }),
      WorkflowExecutionError,
    );
    expect(error.task).to.equal('first');
    // After the stop, what has not started is cancelled: no trace entry, no hook call.
    expect(skipHookCalls).to.deep.equal(['gate', 'first']);
    expect(statuses(error.result)).to.deep.equal([
      ['gate', 'skipped', 'closed'],
      ['first', 'skipped', 'dependency "gate" was skipped'],
    ]);
  });

  it('ends a task as skipped with the reason given, and skips its dependents naming it', async () => {
    class Flow {
      @Task() a() {
        return 1;
      }
      @Task() @DependsOn('a') b(): number {
        skip('nothing to do');
      }
      @Task() @DependsOn('b') c() {
        return 3;
      }
      @Task() @DependsOn('c') d() {
        return 4;
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(statuses(result)).to.deep.equal([
      ['a', 'succeeded'],
      ['b', 'skipped', 'nothing to do'],
      ['c', 'skipped', 'dependency "b" was skipped'],
      ['d', 'skipped', 'dependency "c" was skipped'],
    ]);
    expect(result.trace[1].attempts).to.equal(1);
    expect(result.trace[2].attempts).to.equal(0);
    expect(result.has('b')).to.equal(false);
    expect(() => result.get('b')).to.throw(
      TaskResultError,
      'Flow: task "b" was skipped: nothing to do',
    );
  });

  it('keeps a blank reason exactly as given, and messages end without a dangling colon', async () => {
    class Flow {
      @Task() empty(): number {
        skip('');
      }
      @Task() blank(): number {
        skip('  ');
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(statuses(result)).to.deep.equal([
      ['empty', 'skipped', ''],
      ['blank', 'skipped', '  '],
    ]);
    expect(() => result.get('empty')).to.throw(TaskResultError, /^Flow: task "empty" was skipped$/);
    expect(() => result.get('blank')).to.throw(TaskResultError, /^Flow: task "blank" was skipped$/);
  });

  it('works from an async task before its promise settles, with a default reason', async () => {
    class Flow {
      @Task() async later() {
        await settle();
        skip();
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(statuses(result)).to.deep.equal([['later', 'skipped', 'skipped by the task']]);
  });

  it('is not retried, not recovered by a fallback, and calls onTaskSkip, not onTaskFailure', async () => {
    let calls = 0;
    const skips: TaskSkipEvent[] = [];
    const failures: string[] = [];
    class Flow {
      @Task({ retries: 3, fallback: () => 'recovered' }) optional() {
        calls++;
        skip('off today');
      }
      @Task() @DependsOn('optional') after() {}
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      hooks: {
        onTaskSkip: (event) => skips.push(event),
        onTaskFailure: ({ task }) => failures.push(task),
      },
    });
    expect(calls).to.equal(1);
    expect(skips).to.deep.equal([
      { task: 'optional', reason: 'off today' },
      { task: 'after', reason: 'dependency "optional" was skipped' },
    ]);
    expect(failures).to.deep.equal([]);
    expect(result.trace[0]).to.include({ status: 'skipped', attempts: 1 });
  });

  it('records the attempt that skipped when it was a retry', async () => {
    let calls = 0;
    class Flow {
      @Task({ retries: 2 }) flaky() {
        if (++calls === 1) throw new Error('first attempt fails');
        skip('gave up politely');
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(result.trace[0]).to.include({
      status: 'skipped',
      attempts: 2,
      reason: 'gave up politely',
    });
  });

  it('fails the task with a TypeError for a reason that is not a string', async () => {
    class Flow {
      @Task() odd() {
        skip(42 as never);
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.cause).to.be.instanceOf(TypeError);
    expect((error.cause as Error).message).to.equal(
      'skip(reason): the reason must be a string, got 42.',
    );
  });

  it('names the dependency skipped first when one skip reaches a task along two paths', async () => {
    const skipped: string[] = [];
    class Flow {
      @Task() root(): number {
        skip('nothing to do');
      }
      @Task() @DependsOn('root') first() {}
      @Task() @DependsOn('root') second() {}
      @Task() @DependsOn('second', 'first') last() {}
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      hooks: { onTaskSkip: ({ task }) => skipped.push(task) },
    });
    expect(skipped).to.deep.equal(['root', 'first', 'second', 'last']);
    expect(result.trace[3]).to.include({
      task: 'last',
      reason: 'dependency "first" was skipped',
    });
  });

  describe('its marker, an Error captured with no stack frames (they cost ~45,000 instructions)', () => {
    const engine = Error as ErrorConstructor & { stackTraceLimit?: unknown };
    const caught = (call: () => unknown): Error => {
      try {
        call();
      } catch (error) {
        return error as Error;
      }
      throw new Error('did not throw');
    };

    it('has the header alone as its stack, and leaves Error.stackTraceLimit as it was', function () {
      if (typeof engine.stackTraceLimit !== 'number') this.skip();
      const limit = engine.stackTraceLimit;
      const marker = caught(() => skip('closed'));
      expect(marker).to.be.instanceOf(Error);
      expect(marker.stack).to.equal('TaskSkipped: skip(): closed');
      expect(engine.stackTraceLimit).to.equal(limit);
    });

    it('is still made where Error.stackTraceLimit cannot be set (a frozen Error)', async () => {
      const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
      Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: false });
      try {
        const marker = caught(() => skip('frozen'));
        expect(marker.message).to.equal('skip(): frozen');
        class Flow {
          @Task() closed(): number {
            skip('closed');
          }
        }
        const result = await Workflow.invoke(new Flow());
        expect(result.trace[0]).to.include({ status: 'skipped', reason: 'closed' });
      } finally {
        if (descriptor === undefined) Reflect.deleteProperty(Error, 'stackTraceLimit');
        else Object.defineProperty(Error, 'stackTraceLimit', descriptor);
      }
    });
  });

  it('skips a long chain without growing the stack', async () => {
    class Chain {}
    declareTask(Chain.prototype, 't0', () => skip('first'));
    for (let index = 1; index < 20_000; index++) {
      declareTask(Chain.prototype, `t${index}`, () => index, { dependsOn: [`t${index - 1}`] });
    }
    const result = await Workflow.invoke(new Chain());
    expect(result.trace).to.have.length(20_000);
    expect(result.trace[19_999]).to.include({
      status: 'skipped',
      reason: 'dependency "t19998" was skipped',
    });
  });
});

describe('skip() where it cannot skip a task', () => {
  /** The failure of the run's task "a", whose retryIf, retryDelay or hook called skip(). */
  async function failureOf(options: TaskOptions, hooks?: object) {
    class Flaky {
      @Task(options) a(): number {
        throw new Error('boom');
      }
    }
    class Steady {
      @Task() a() {
        return 1;
      }
    }
    const instance = hooks === undefined ? new Flaky() : new Steady();
    const error = await rejectionOf(
      Workflow.invoke(instance, undefined, { hooks }),
      WorkflowExecutionError,
    );
    return error.failures[0];
  }

  it('fails the task with a TypeError that says where skip() belongs, the skip as its cause', async () => {
    const cases: [string, Promise<{ error: unknown }>][] = [
      ['retryIf', failureOf({ retries: 2, retryIf: () => skip('not transient') })],
      ['retryDelay', failureOf({ retries: 2, retryDelay: () => skip('not transient') })],
      ['a hook', failureOf({}, { onTaskSuccess: () => skip('not transient') })],
      ['a hook', failureOf({}, { onTaskStart: () => skip('not transient') })],
    ];
    for (const [where, failure] of cases) {
      const { error } = await failure;
      expect(error, where).to.be.instanceOf(TypeError);
      const workflow = where === 'a hook' ? 'Steady' : 'Flaky';
      expect((error as Error).message, where).to.equal(
        `${workflow}: task "a": skip("not transient") was called in a hook, retryIf or ` +
          `retryDelay, where it cannot skip the task, so it is an error instead. Call skip() in the ` +
          `task, its fallback or a task interceptor.`,
      );
      expect(((error as Error).cause as Error).name, where).to.equal('TaskSkipped');
    }
  });

  it('hands a fallback that TypeError, not the skip: rethrown, it fails the task', async () => {
    for (const policy of ['retryIf', 'retryDelay'] as const) {
      const given: unknown[] = [];
      class Flaky {
        @Task({
          retries: 2,
          [policy]: () => skip('not transient'),
          fallback: (error: unknown) => {
            given.push(error);
            throw error;
          },
        })
        a(): number {
          throw new Error('boom');
        }
      }
      const error = await rejectionOf(Workflow.invoke(new Flaky()), WorkflowExecutionError);
      expect(given, policy).to.have.length(1);
      expect(given[0], policy).to.be.instanceOf(TypeError);
      expect(((given[0] as Error).cause as Error).name, policy).to.equal('TaskSkipped');
      expect(statuses(error.result), policy).to.deep.equal([['a', 'failed']]);
      expect(error.cause, policy).to.equal(given[0]);
      expect((error.failures[0].attemptError as Error).message, policy).to.equal('boom');
    }
  });

  it('records that TypeError as what a recovering fallback recovered from', async () => {
    class Flaky {
      @Task({ retries: 1, retryIf: () => skip('not transient'), fallback: () => 0 })
      a(): number {
        throw new Error('boom');
      }
    }
    const result = await Workflow.invoke(new Flaky());
    expect(result.get('a')).to.equal(0);
    expect(result.trace[0].recoveredFrom).to.be.instanceOf(TypeError);
  });

  it('throws that TypeError, not the skip, to the progress() call whose onTaskProgress called skip()', async () => {
    const caught: unknown[] = [];
    class Reporting {
      @Task() @DependsOn(CONTEXT) a(ctx: TaskContext) {
        try {
          ctx.progress(1);
        } catch (error) {
          caught.push(error);
        }
        ctx.progress(2); // uncaught: the task fails with it, it does not skip
        return 'done';
      }
      @Task() @DependsOn('a') b(a: string) {
        return a;
      }
    }
    const hooks = { onTaskProgress: () => skip('from a hook') };
    const error = await rejectionOf(
      Workflow.invoke(new Reporting(), undefined, { hooks }),
      WorkflowExecutionError,
    );
    expect(caught).to.have.length(1);
    expect(caught[0]).to.be.instanceOf(TypeError);
    expect(((caught[0] as Error).cause as Error).name).to.equal('TaskSkipped');
    // Caught, it failed nothing: the message does not say the task failed.
    expect((caught[0] as Error).message).to.match(
      /cannot skip the task, so it is an error instead\./,
    );
    expect(error.task).to.equal('a');
    expect(error.cause).to.be.instanceOf(TypeError);
    expect((error.cause as Error).message).to.equal(
      'Reporting: task "a": skip("from a hook") was called in a hook, retryIf or retryDelay, ' +
        'where it cannot skip the task, so it is an error instead. Call skip() in the task, its ' +
        'fallback or a task interceptor.',
    );
    expect(statuses(error.result)).to.deep.equal([['a', 'failed']]);
  });

  it('records a skip() thrown by onTaskFailure as that TypeError, after the task’s own error', async () => {
    class Broken {
      @Task() a(): number {
        throw new Error('boom');
      }
    }
    // Called without a reason, as `skip()`: the message shows the call as it was written.
    const hooks = { onTaskFailure: () => skip() };
    const error = await rejectionOf(
      Workflow.invoke(new Broken(), undefined, { hooks }),
      WorkflowExecutionError,
    );
    expect(error.failures.map((failure) => (failure.error as Error).message)).to.deep.equal([
      'boom',
      'Broken: task "a": skip() was called in a hook, retryIf or retryDelay, where it cannot ' +
        'skip the task, so it is an error instead. Call skip() in the task, its fallback or a task ' +
        'interceptor.',
    ]);
  });
});

describe("when: 'noneFailed'", () => {
  it('runs when dependencies succeeded or were skipped, passing undefined for skipped ones', async () => {
    class Flow {
      @Task() express(): string {
        skip('standard order');
      }
      @Task() standard() {
        return 'standard booking';
      }
      @Task({ when: 'noneFailed' })
      @DependsOn('express', 'standard')
      label(express?: string, standard?: string) {
        return [express, standard];
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(result.get('label')).to.deep.equal([undefined, 'standard booking']);
  });

  it('is skipped, naming the dependency, when one failed (failFast: false)', async () => {
    class Flow {
      @Task() broken(): string {
        throw new Error('boom');
      }
      @Task({ when: 'noneFailed' }) @DependsOn('broken') after() {
        return 1;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    expect(statuses(error.result)).to.deep.equal([
      ['broken', 'failed'],
      ['after', 'skipped', 'dependency "broken" failed'],
    ]);
  });
});

describe('a when rule that can no longer be met', () => {
  /**
   * `broken` fails and `closed` skips while `slow` is still running (failFast: false):
   * `needsAll` and `afterClosed` (allSucceeded) and `noneBroken` (noneFailed) are skipped at
   * once, without waiting for `slow`; `noneClosed` (noneFailed: a skip is fine) waits for it.
   */
  async function check(
    run: (slow: Promise<string>, log: string[]) => Promise<unknown>,
  ): Promise<void> {
    const log: string[] = [];
    const slow = deferred<string>();
    const settled = run(slow.promise, log).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await settle(5);
    expect(log).to.deep.equal([
      'skip needsAll: dependency "broken" failed',
      'skip noneBroken: dependency "broken" failed',
      'skip closed: closed',
      'skip afterClosed: dependency "closed" was skipped',
    ]);
    slow.resolve('late');
    const error = await settled;
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    expect(log.slice(4)).to.deep.equal(['success noneClosed: late']);
    const { trace } = (error as WorkflowExecutionError).result;
    expect(statuses({ trace: trace.filter(({ task }) => task !== 'slow') })).to.deep.equal([
      ['broken', 'failed'],
      ['needsAll', 'skipped', 'dependency "broken" failed'],
      ['noneBroken', 'skipped', 'dependency "broken" failed'],
      ['closed', 'skipped', 'closed'],
      ['afterClosed', 'skipped', 'dependency "closed" was skipped'],
      ['noneClosed', 'succeeded'],
    ]);
  }

  const hooks = (log: string[]) => ({
    onTaskSkip: ({ task, reason }: { task: string; reason: string }) =>
      log.push(`skip ${task}: ${reason}`),
    onTaskSuccess: ({ task, value }: { task: string; value: unknown }) => {
      if (task !== 'slow') log.push(`success ${task}: ${String(value)}`);
    },
  });

  it('skips a task as soon as a dependency breaks its rule, while another still runs (class)', async () => {
    await check((slow, log) => {
      class Flow {
        @Task() slow() {
          return slow;
        }
        @Task() broken(): string {
          throw new Error('boom');
        }
        @Task() closed(): string {
          skip('closed');
        }
        @Task() @DependsOn('slow', 'broken') needsAll(value: string) {
          return value;
        }
        @Task({ when: 'noneFailed' }) @DependsOn('slow', 'broken') noneBroken(value: string) {
          return value;
        }
        @Task() @DependsOn('slow', 'closed') afterClosed(value: string) {
          return value;
        }
        @Task({ when: 'noneFailed' }) @DependsOn('slow', 'closed') noneClosed(value: string) {
          return value;
        }
      }
      return Workflow.invoke(new Flow(), undefined, { failFast: false, hooks: hooks(log) });
    });
  });

  it('skips a node as soon as a dependency breaks its rule, while another still runs (builder)', async () => {
    await check((slowValue, log) => {
      const tm = buildDag({ name: 'Flow' });
      const slow = tm.addNode({ name: 'slow' }, () => slowValue);
      const broken = tm.addNode({ name: 'broken' }, (): string => {
        throw new Error('boom');
      });
      const closed = tm.addNode({ name: 'closed' }, (): string => skip('closed'));
      const pass = (value?: string, _other?: string) => value;
      tm.addNode({ name: 'needsAll' }, pass, slow, broken);
      tm.addNode({ name: 'noneBroken', when: 'noneFailed' }, pass, slow, broken);
      tm.addNode({ name: 'afterClosed' }, pass, slow, closed);
      tm.addNode({ name: 'noneClosed', when: 'noneFailed' }, pass, slow, closed);
      return tm.invoke(undefined, { failFast: false, hooks: hooks(log) });
    });
  });
});

describe('tasks that a skip or a stop releases together', () => {
  it('start in declaration order when one skip releases them', async () => {
    const started: string[] = [];
    class Flow {
      @Task() gate(): string {
        skip('closed');
      }
      @Task() @DependsOn('gate') through(gate: string) {
        return gate;
      }
      // Declared before `direct`, but reached through `through`'s skip, after `direct`.
      @Task({ when: 'noneFailed' }) @DependsOn('through') viaThrough() {
        started.push('viaThrough');
      }
      @Task({ when: 'noneFailed' }) @DependsOn('gate') direct() {
        started.push('direct');
      }
    }
    await Workflow.invoke(new Flow());
    expect(started).to.deep.equal(['viaThrough', 'direct']);
  });

  it('start in declaration order when one stop releases them', async () => {
    const started: string[] = [];
    class Flow {
      @Task() async boom(): Promise<number> {
        await settle();
        throw new Error('boom');
      }
      @Task() @DependsOn('boom') first(boom: number) {
        return boom;
      }
      @Task() @DependsOn('boom') second(boom: number) {
        return boom;
      }
      // Declared first, but its dependency is cancelled second.
      @Task({ when: 'allSettled' }) @DependsOn('second') closeSecond() {
        started.push('closeSecond');
      }
      @Task({ when: 'allSettled' }) @DependsOn('first') closeFirst() {
        started.push('closeFirst');
      }
    }
    await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(started).to.deep.equal(['closeSecond', 'closeFirst']);
  });

  it("start in declaration order when a failure releases its own and, stopping the run, others'", async () => {
    const started: string[] = [];
    class Flow {
      // Released by boom's failure itself; the one below by the stop cancelling `after`.
      @Task({ when: 'allSettled' }) @DependsOn('boom') closeBoom() {
        started.push('closeBoom');
      }
      @Task() async boom(): Promise<number> {
        await settle();
        throw new Error('boom');
      }
      @Task() @DependsOn('boom') after(boom: number) {
        return boom;
      }
      @Task({ when: 'allSettled' }) @DependsOn('after') closeAfter() {
        started.push('closeAfter');
      }
    }
    await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(started).to.deep.equal(['closeBoom', 'closeAfter']);
  });

  it('start in declaration order when an abort fails a retry wait and cancels other tasks', async () => {
    const started: string[] = [];
    const controller = new AbortController();
    class Flow {
      // Released when the abort fails `flaky`, waiting out its retry delay.
      @Task({ when: 'allSettled' }) @DependsOn('flaky') closeFlaky() {
        started.push('closeFlaky');
      }
      @Task({ retries: 1, retryDelay: 60_000 }) flaky(): number {
        throw new Error('transient');
      }
      @Task() async slow() {
        await settle();
        controller.abort('stop');
      }
      @Task() @DependsOn('slow') after() {}
      @Task({ when: 'allSettled' }) @DependsOn('after') closeAfter() {
        started.push('closeAfter');
      }
    }
    await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(started).to.deep.equal(['closeFlaky', 'closeAfter']);
  });

  it('start in declaration order when an abort makes a fallback recover a retry wait', async () => {
    const started: string[] = [];
    const controller = new AbortController();
    class Flow {
      @Task() async blocker() {
        await settle();
        controller.abort('stop');
      }
      // The abort ends its retry wait; its fallback recovers it, releasing closeRecovered.
      @Task({ retries: 1, retryDelay: 60_000, fallback: () => 'fallback' }) flaky(): string {
        throw new Error('transient');
      }
      @Task() @DependsOn('blocker') after() {}
      @Task({ when: 'allSettled' }) @DependsOn('after') closeAfter() {
        started.push('closeAfter');
      }
      @Task({ when: 'allSettled' }) @DependsOn('flaky') closeRecovered() {
        started.push('closeRecovered');
      }
    }
    await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(started).to.deep.equal(['closeAfter', 'closeRecovered']);
  });

  it('start in declaration order when a failure stops the run through its onTaskFailure hook', async () => {
    for (const stopVia of ['throwing', 'aborting'] as const) {
      const started: string[] = [];
      const controller = new AbortController();
      class Flow {
        @Task() async boom(): Promise<number> {
          await settle();
          throw new Error('boom');
        }
        @Task({ when: 'allSettled' }) @DependsOn('boom') closeBoom() {
          started.push('closeBoom');
        }
        @Task() async slow() {
          await settle(5);
        }
        @Task() @DependsOn('slow') after() {}
        @Task({ when: 'allSettled' }) @DependsOn('after') closeAfter() {
          started.push('closeAfter');
        }
      }
      await Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        hooks: {
          onTaskFailure() {
            if (stopVia === 'aborting') controller.abort('stop');
            else throw new Error('hook failed');
          },
        },
      }).then(
        () => expect.fail('the run should fail'),
        () => undefined,
      );
      expect(started, stopVia).to.deep.equal(['closeBoom', 'closeAfter']);
    }
  });

  describe('start in order, after the callback returned, when a task ends in a callback that aborts the run', () => {
    // `task` ends through `via`, which aborts the run's signal. The abort cancels `after`,
    // releasing `closeAfter`; the task's own outcome releases `closeTask`, declared first and
    // ranked first. Both are one event: nothing may start inside the callback, and `closeTask`
    // must start first under any limit.
    type Via =
      | 'onTaskSuccess'
      | 'onTaskSkip'
      | 'retryIf'
      | 'retryDelay'
      | 'onTaskRetry'
      | 'fallback'
      | 'fallback calling skip()';
    const vias: Via[] = [
      'onTaskSuccess',
      'onTaskSkip',
      'retryIf',
      'retryDelay',
      'onTaskRetry',
      'fallback',
      'fallback calling skip()',
    ];
    for (const via of vias) {
      for (const concurrency of [1, 2, Infinity]) {
        it(`${via}, concurrency ${concurrency}`, async () => {
          const started: string[] = [];
          let inCallback = false;
          const controller = new AbortController();
          const abortInside = () => {
            inCallback = true;
            controller.abort('stop');
            inCallback = false;
          };
          const options: TaskOptions = {};
          if (via === 'retryIf') {
            Object.assign(options, { retries: 1, retryIf: () => (abortInside(), true) });
          } else if (via === 'retryDelay') {
            Object.assign(options, { retries: 1, retryDelay: () => (abortInside(), 0) });
          } else if (via === 'onTaskRetry') {
            Object.assign(options, { retries: 1 });
          } else if (via === 'fallback') {
            Object.assign(options, { fallback: () => (abortInside(), 'recovered') });
          } else if (via === 'fallback calling skip()') {
            Object.assign(options, { fallback: () => (abortInside(), skip('no task')) });
          }
          const outcome =
            via === 'onTaskSuccess' ? 'succeed' : via === 'onTaskSkip' ? 'skip' : 'fail';
          class Flow {
            @Task({ when: 'allSettled', priority: 1 }) @DependsOn('task') closeTask() {
              started.push(inCallback ? 'closeTask (inside the callback)' : 'closeTask');
            }
            @Task(options) async task(): Promise<string> {
              await settle();
              if (outcome === 'skip') skip('nothing to do');
              if (outcome === 'fail') throw new Error('transient');
              return 'done';
            }
            @Task() @DependsOn('task') after() {}
            @Task({ when: 'allSettled' }) @DependsOn('after') closeAfter() {
              started.push(inCallback ? 'closeAfter (inside the callback)' : 'closeAfter');
            }
          }
          await rejectionOf(
            Workflow.invoke(new Flow(), undefined, {
              concurrency,
              signal: controller.signal,
              hooks: {
                onTaskSuccess: ({ task }) => {
                  if (via === 'onTaskSuccess' && task === 'task') abortInside();
                },
                onTaskSkip: ({ task }) => {
                  if (via === 'onTaskSkip' && task === 'task') abortInside();
                },
                onTaskRetry: () => {
                  if (via === 'onTaskRetry') abortInside();
                },
              },
            }),
            WorkflowAbortedError,
          );
          expect(started).to.deep.equal(['closeTask', 'closeAfter']);
        });
      }
    }
  });
});

describe('priority, when a stop releases tasks', () => {
  it('starts the highest priority first, though another was queued before the stop', async () => {
    const started: string[] = [];
    const controller = new AbortController();
    class Flow {
      // Waits out a retry delay when the run is aborted: the abort fails it, releasing urgent.
      @Task({ retries: 1, retryDelay: 60_000 }) flaky(): number {
        started.push('flaky');
        throw new Error('transient');
      }
      @Task({ when: 'allSettled' }) async routine() {
        started.push('routine');
        await settle();
      }
      @Task({ when: 'allSettled', priority: 100 }) @DependsOn('flaky') async urgent() {
        started.push('urgent');
      }
    }
    const run = Workflow.invoke(new Flow(), undefined, {
      concurrency: 1,
      signal: controller.signal,
    });
    await settle(); // flaky failed its first attempt; routine waits for the slot it holds
    controller.abort('stop');
    await rejectionOf(run, WorkflowAbortedError);
    expect(started).to.deep.equal(['flaky', 'urgent', 'routine']);
  });

  it('counts only tasks that can still start: cancelled ones left in the queue do not make it rank', async () => {
    const started: string[] = [];
    const controller = new AbortController();
    class Flow {
      // Both wait out a retry delay, holding the two slots, when the run is aborted.
      @Task({ retries: 1, retryDelay: 60_000 }) flaky1(): number {
        started.push('flaky1');
        throw new Error('transient');
      }
      @Task({ retries: 1, retryDelay: 60_000 }) flaky2(): number {
        started.push('flaky2');
        throw new Error('transient');
      }
      // Queued behind them; the abort cancels them.
      @Task() waiting1() {
        started.push('waiting1');
      }
      @Task() waiting2() {
        started.push('waiting2');
      }
      @Task({ when: 'allSettled' }) @DependsOn('flaky1', 'flaky2') short() {
        started.push('short');
      }
      @Task({ when: 'allSettled' }) @DependsOn('flaky1', 'flaky2') long() {
        started.push('long');
      }
      @Task({ when: 'allSettled' }) @DependsOn('long') afterLong() {
        started.push('afterLong');
      }
    }
    const run = Workflow.invoke(new Flow(), undefined, {
      concurrency: 2,
      signal: controller.signal,
    });
    await settle();
    controller.abort('stop');
    await rejectionOf(run, WorkflowAbortedError);
    // The abort frees both slots and releases short and long together: both fit, so declaration
    // order, as without a limit.
    expect(started).to.deep.equal(['flaky1', 'flaky2', 'short', 'long', 'afterLong']);
  });

  it('counts only tasks that can still start: one released and then cancelled by the same event does not make it rank', async () => {
    const started: string[] = [];
    const controller = new AbortController();
    class Flow {
      @Task() async skipper() {
        await settle();
        skip('nothing to do');
      }
      // The skip releases joiner, then skips plain, whose onTaskSkip hook aborts the run:
      // joiner is cancelled before it could start.
      @Task({ when: 'noneFailed' }) @DependsOn('skipper') joiner() {
        started.push('joiner');
      }
      @Task() @DependsOn('skipper') plain() {
        started.push('plain');
      }
      @Task({ when: 'allSettled' }) @DependsOn('skipper') short() {
        started.push('short');
      }
      @Task({ when: 'allSettled' }) @DependsOn('skipper') long() {
        started.push('long');
      }
      @Task({ when: 'allSettled' }) @DependsOn('long') afterLong() {
        started.push('afterLong');
      }
    }
    await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        concurrency: 2,
        signal: controller.signal,
        hooks: {
          onTaskSkip: ({ task }) => {
            if (task === 'plain') controller.abort('stop');
          },
        },
      }),
      WorkflowAbortedError,
    );
    // short and long, released together, fit in the two free slots: declaration order.
    expect(started).to.deep.equal(['short', 'long', 'afterLong']);
  });
});

describe("when: 'allSettled'", () => {
  class Cleanup {
    readonly log = new EventLog();
    @Task() acquire() {
      this.log.start('acquire');
      return 'lock';
    }
    @Task() @DependsOn('acquire') async work(): Promise<string> {
      await settle();
      throw new Error('work failed');
    }
    @Task() @DependsOn('acquire') async other() {
      await settle(3);
      return 'other';
    }
    @Task() @DependsOn('work') publish() {
      this.log.start('publish');
    }
    @Task({ when: 'allSettled' })
    @DependsOn('acquire', 'work', 'publish')
    release(acquire: Settled<string>, work: Settled<string>, publish: Settled<void>) {
      this.log.start('release');
      return [acquire, work, publish];
    }
  }

  it('runs after a failure stopped the run, gets every outcome as a Settled, and the run still rejects', async () => {
    const flow = new Cleanup();
    const error = await rejectionOf(Workflow.invoke(flow), WorkflowExecutionError);
    expect(error.task).to.equal('work');
    const [acquire, work, publish] = error.result.get('release') as Settled<unknown>[];
    expect(acquire).to.deep.equal({ status: 'succeeded', value: 'lock' });
    expect(work).to.have.property('status', 'failed');
    expect((work as { error: Error }).error.message).to.equal('work failed');
    expect(publish).to.deep.equal({
      status: 'skipped',
      reason: 'dependency "publish" did not run: the run stopped before it started',
    });
    expect(flow.log.starts).to.deep.equal(['acquire', 'release']);
    // A task cancelled by the stop is not in the trace.
    expect(error.result.trace.map((entry) => entry.task)).to.deep.equal([
      'acquire',
      'work',
      'other',
      'release',
    ]);
  });

  it('hands it each Settled frozen: a task cannot change what another task sees', async () => {
    const error = await rejectionOf(Workflow.invoke(new Cleanup()), WorkflowExecutionError);
    const settled = error.result.get('release') as Settled<unknown>[];
    expect(settled.map(({ status }) => status)).to.deep.equal(['succeeded', 'failed', 'skipped']);
    for (const one of settled) {
      expect(Object.isFrozen(one), one.status).to.equal(true);
      expect(() => Object.assign(one, { status: 'succeeded' }), one.status).to.throw(TypeError);
    }
    expect(settled[1].status).to.equal('failed');
  });

  it('waits for tasks still in flight before it starts', async () => {
    class Flow extends GatedFlow<string> {
      @Task() first() {
        return this.step('first');
      }
      @Task() second() {
        return this.step('second');
      }
      @Task({ when: 'allSettled' }) @DependsOn('first', 'second') finally(
        first: Settled<string>,
        second: Settled<string>,
      ) {
        this.log.start('finally');
        return [first.status, second.status];
      }
    }
    const flow = new Flow();
    const run = Workflow.invoke(flow);
    await settle();
    flow.gates.fail('first', new Error('first failed'));
    await settle();
    expect(flow.log.starts).to.deep.equal(['first', 'second']);
    flow.gates.open('second', 'late');
    const error = await rejectionOf(run, WorkflowExecutionError);
    expect(error.result.get('finally')).to.deep.equal(['failed', 'succeeded']);
  });

  it('runs after an abort mid-run, with a signal that only its own timeout aborts', async () => {
    const controller = new AbortController();
    let cleanupSignal: AbortSignal | undefined;
    class Flow {
      @Task() async first() {
        controller.abort(new Error('caller left'));
        await settle();
        return 1;
      }
      @Task() @DependsOn('first') never() {
        expect.fail('no plain task starts after the abort');
      }
      @Task({ when: 'allSettled' }) @DependsOn('first', 'never') async cleanup(
        first: Settled<number>,
        never: Settled<unknown>,
        @Signal() signal: AbortSignal,
      ) {
        cleanupSignal = signal;
        await settle();
        return [first.status, never.status, signal.aborted];
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(error.result.get('cleanup')).to.deep.equal(['succeeded', 'skipped', false]);
    expect(cleanupSignal?.aborted).to.equal(false);
  });

  describe('starts at once when a stop cancels its dependency, while another task is in flight', () => {
    /** `slow` runs on; `middle` waits for it; `cleanup` waits only for `middle`. */
    class Flow extends GatedFlow<string> {
      @Task() slow() {
        return this.step('slow');
      }
      @Task() quick() {
        return this.step('quick');
      }
      @Task() @DependsOn('slow') middle() {
        return this.step('middle');
      }
      @Task({ when: 'allSettled' }) @DependsOn('middle') cleanup(middle: Settled<string>) {
        this.log.start('cleanup');
        return middle.status;
      }
    }

    it('on an abort', async () => {
      const flow = new Flow();
      const controller = new AbortController();
      const run = Workflow.invoke(flow, undefined, { signal: controller.signal });
      await settle();
      controller.abort(new Error('caller left'));
      await settle();
      expect(flow.log.starts).to.deep.equal(['slow', 'quick', 'cleanup']);
      flow.gates.open('slow', 'late');
      flow.gates.open('quick', 'late');
      const error = await rejectionOf(run, WorkflowAbortedError);
      expect(error.result.get('cleanup')).to.equal('skipped');
    });

    it('on an async hook that rejects', async () => {
      const flow = new Flow();
      const hookError = new Error('hook refused');
      const run = Workflow.invoke(flow, undefined, {
        hooks: {
          onTaskSuccess: ({ task }) =>
            task === 'quick' ? Promise.reject(hookError) : Promise.resolve(),
        },
      });
      await settle();
      flow.gates.open('quick', 'done');
      await settle(3);
      expect(flow.log.starts).to.deep.equal(['slow', 'quick', 'cleanup']);
      flow.gates.open('slow', 'late');
      const error = await rejectionOf(run, WorkflowExecutionError);
      expect(error.cause).to.equal(hookError);
      expect(error.result.get('cleanup')).to.equal('skipped');
    });
  });

  it('times out and retries on its own, even after the run stopped', async () => {
    let attempts = 0;
    class Flow {
      @Task() broken(): number {
        throw new Error('boom');
      }
      @Task({ when: 'allSettled', retries: 1, timeout: 20 })
      @DependsOn('broken')
      async cleanup(_broken: Settled<number>, @Signal() signal: AbortSignal) {
        attempts++;
        if (attempts === 1) {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          throw signal.reason;
        }
        return 'cleaned';
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(attempts).to.equal(2);
    expect(error.result.get('cleanup')).to.equal('cleaned');
    expect(error.failures.map((failure) => failure.task)).to.deep.equal(['broken']);
  });

  it('waits out a retry delay that a stop interrupts, and retries', async () => {
    let attempts = 0;
    class Flow {
      @Task() async broken(): Promise<number> {
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('boom');
      }
      // Fails at once, then waits 40 ms for its retry: the run stops in the meantime.
      @Task({ when: 'allSettled', retries: 1, retryDelay: 40 })
      release() {
        if (++attempts === 1) throw new Error('lock busy');
        return 'released';
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.task).to.equal('broken');
    expect(attempts).to.equal(2);
    expect(error.result.get('release')).to.equal('released');
    expect(error.result.trace.find((entry) => entry.task === 'release')?.attempts).to.equal(2);
  });

  it('retries a failure that comes after the caller aborted, its signal still live, and the run waits for it', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    let failFirst!: () => void;
    class Flow {
      @Task({ when: 'allSettled', retries: 1 })
      release(@Signal() signal: AbortSignal): Promise<string> | string {
        log.push(`attempt, signal aborted: ${signal.aborted}`);
        if (log.length > 1) return 'released';
        return new Promise((_, reject) => (failFirst = () => reject(new Error('lock busy'))));
      }
    }
    const run = Workflow.invoke(new Flow(), undefined, {
      signal: controller.signal,
      hooks: { onTaskRetry: ({ attempt }) => log.push(`retry after attempt ${attempt}`) },
    });
    controller.abort('shutting down');
    await settle();
    failFirst();
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect(log).to.deep.equal([
      'attempt, signal aborted: false',
      'retry after attempt 1',
      'attempt, signal aborted: false',
    ]);
    expect(error.result.get('release')).to.equal('released');
    expect(error.result.trace[0]).to.include({ status: 'succeeded', attempts: 2 });
  });

  it('does not run at all when the signal was aborted before invoke', async () => {
    const controller = new AbortController();
    controller.abort('too late');
    class Flow {
      @Task() a() {
        expect.fail('nothing starts');
      }
      @Task({ when: 'allSettled' }) @DependsOn('a') cleanup() {
        expect.fail('not even allSettled tasks');
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(error.result.trace).to.deep.equal([]);
  });

  it('does not let a plain task that depends on it run after a stop', async () => {
    const started: string[] = [];
    class Flow {
      @Task() broken(): number {
        throw new Error('boom');
      }
      @Task({ when: 'allSettled' }) @DependsOn('broken') cleanup() {
        started.push('cleanup');
      }
      @Task() @DependsOn('cleanup') report() {
        started.push('report');
      }
    }
    await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(started).to.deep.equal(['cleanup']);
  });

  it('runs with failFast: false after every dependency settled, in any state', async () => {
    class Flow {
      @Task() ok() {
        return 1;
      }
      @Task() broken(): number {
        throw new Error('boom');
      }
      @Task() @DependsOn('broken') dependent() {
        return 2;
      }
      @Task({ when: 'allSettled' }) @DependsOn('ok', 'broken', 'dependent') summary(
        ...settled: Settled<number>[]
      ) {
        return settled.map((entry) => entry.status);
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    expect(error.result.get('summary')).to.deep.equal(['succeeded', 'failed', 'skipped']);
  });

  it('counts toward the concurrency limit after a stop', async () => {
    const log = new EventLog();
    class Flow {
      @Task() async broken(): Promise<number> {
        throw new Error('boom');
      }
      @Task({ when: 'allSettled' }) @DependsOn('broken') async first() {
        await log.track('first', () => settle());
      }
      @Task({ when: 'allSettled' }) @DependsOn('broken') async second() {
        await log.track('second', () => settle());
      }
    }
    await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { concurrency: 1 }),
      WorkflowExecutionError,
    );
    expect(log.events).to.deep.equal(['first:start', 'first:end', 'second:start', 'second:end']);
    expect(log.maxInFlight).to.equal(1);
  });

  it('is left out, like any task, when targets do not need it', async () => {
    class Flow {
      @Task() a() {
        return 1;
      }
      @Task({ when: 'allSettled' }) @DependsOn('a') cleanup() {
        expect.fail('not targeted');
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, { targets: ['a'] });
    expect(statuses(result)).to.deep.equal([['a', 'succeeded']]);
  });

  it('runs an override instead of its method', async () => {
    class Flow {
      @Task() a(): number {
        throw new Error('boom');
      }
      @Task({ when: 'allSettled' }) @DependsOn('a') cleanup(_a: Settled<number>) {
        return 'method';
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        overrides: { cleanup: (a: Settled<number>) => `override saw ${a.status}` },
      }),
      WorkflowExecutionError,
    );
    expect(error.result.get('cleanup')).to.equal('override saw failed');
  });
});

describe('tokens under a when rule', () => {
  it('pass the parameter, signal and context as they are: only dependencies become Settled', async () => {
    class Flow {
      @Task() a() {
        return 1;
      }
      @Task() b(): number {
        skip('nothing to do');
      }
      @Task({ when: 'allSettled' })
      @DependsOn('a', PARAM, SIGNAL, CONTEXT, 'b')
      settled(
        a: Settled<number>,
        n: number,
        signal: AbortSignal,
        ctx: TaskContext,
        b: Settled<number>,
        @Param() marked: number,
      ) {
        return [a, n, signal === ctx.signal, ctx.task, b, marked];
      }
      @Task({ when: 'noneFailed' }) @DependsOn('b', PARAM, 'a') noneFailed(
        b: number | undefined,
        n: number,
        a: number,
      ) {
        return [b, n, a];
      }
    }
    const result = await Workflow.invoke(new Flow(), 42);
    expect(result.get('settled')).to.deep.equal([
      { status: 'succeeded', value: 1 },
      42,
      true,
      'settled',
      { status: 'skipped', reason: 'nothing to do' },
      42,
    ]);
    expect(result.get('noneFailed')).to.deep.equal([undefined, 42, 1]);

    const tm = buildDag<number>();
    const a = tm.addNode({ name: 'a' }, () => 1);
    const settled = tm.addNode(
      { name: 'settled', when: 'allSettled' },
      (first: Settled<number>, n: number, ctx: TaskContext, constant: string) => [
        first,
        n,
        ctx.task,
        constant,
      ],
      a,
      tm.parameterNode,
      CONTEXT,
      'constant',
    );
    expect(settled.extractResult(await tm.invoke(9))).to.deep.equal([
      { status: 'succeeded', value: 1 },
      9,
      'settled',
      'constant',
    ]);
  });
});

describe('the shipping example of API.md §8', () => {
  interface Order {
    readonly express: boolean;
    readonly failBooking?: boolean;
  }
  interface Booking {
    readonly label: string;
  }

  class Shipping {
    readonly log: string[] = [];
    locked = true;

    book(kind: string, order: Order): Booking {
      if (order.failBooking) throw new Error(`${kind} booking failed`);
      return { label: `${kind}-label` };
    }

    @Task() route(@Param() order: Order) {
      return order.express ? 'express' : 'standard';
    }

    @Task()
    @DependsOn('route')
    express(route: string, @Param() order: Order) {
      if (route !== 'express') skip('standard order');
      return this.book('express', order);
    }

    @Task()
    @DependsOn('route')
    standard(route: string, @Param() order: Order) {
      if (route !== 'standard') skip('express order');
      return this.book('standard', order);
    }

    @Task({ when: 'noneFailed' })
    @DependsOn('express', 'standard')
    label(express?: Booking, standard?: Booking) {
      return (express ?? standard)!.label;
    }

    @Task({ when: 'allSettled' })
    @DependsOn('label')
    releaseLock(label: Settled<string>) {
      this.locked = false;
      return label.status;
    }

    @Task({
      fallback: () => 0,
      retries: 2,
      retryIf: (error) => (error as Error).message === 'busy',
    })
    @DependsOn('route')
    discount(route: string) {
      if (route === 'standard') throw new Error('busy');
      return 10;
    }
  }

  it('books an express order, skipping the standard branch', async () => {
    const shipping = new Shipping();
    const result = await Workflow.invoke(shipping, { express: true });
    expect(result.get('label')).to.equal('express-label');
    expect(result.get('releaseLock')).to.equal('succeeded');
    expect(result.get('discount')).to.equal(10);
    expect(statuses(result).find(([task]) => task === 'standard')).to.deep.equal([
      'standard',
      'skipped',
      'express order',
    ]);
    expect(shipping.locked).to.equal(false);
  });

  it('books a standard order, and the discount falls back to 0 after its retries', async () => {
    const result = await Workflow.invoke(new Shipping(), { express: false });
    expect(result.get('label')).to.equal('standard-label');
    const discount = result.trace.find((entry) => entry.task === 'discount')!;
    expect(discount).to.include({ status: 'succeeded', attempts: 3 });
    expect((discount.recoveredFrom as Error).message).to.equal('busy');
    expect(result.get('discount')).to.equal(0);
  });

  it('still releases the lock when booking fails', async () => {
    const shipping = new Shipping();
    const error = await rejectionOf(
      Workflow.invoke(shipping, { express: true, failBooking: true }),
      WorkflowExecutionError,
    );
    expect(error.task).to.equal('express');
    expect(error.result.get('releaseLock')).to.equal('skipped');
    expect(shipping.locked).to.equal(false);
  });
});

describe('fallback', () => {
  it('skips the task, not fails it, when it calls skip()', async () => {
    const hooks: string[] = [];
    class Flow {
      @Task({ retries: 1, fallback: () => skip('no discount today') })
      discount(): number {
        throw new Error('discount service down');
      }
      @Task() @DependsOn('discount') price(discount: number) {
        return 100 - discount;
      }
      @Task({ when: 'noneFailed' }) @DependsOn('discount') label(discount?: number) {
        return discount === undefined ? 'full price' : `-${discount}`;
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      hooks: {
        onTaskSkip: ({ task, reason }) => hooks.push(`skip ${task}: ${reason}`),
        onTaskFailure: ({ task }) => hooks.push(`failure ${task}`),
      },
    });
    expect(statuses(result)).to.deep.equal([
      ['discount', 'skipped', 'no discount today'],
      ['price', 'skipped', 'dependency "discount" was skipped'],
      ['label', 'succeeded'],
    ]);
    expect(result.trace[0].attempts).to.equal(2);
    expect(result.get('label')).to.equal('full price');
    expect(hooks).to.deep.equal([
      'skip discount: no discount today',
      'skip price: dependency "discount" was skipped',
    ]);
  });

  it('turns a final failure into a value, with recoveredFrom in the trace and onTaskSuccess', async () => {
    const successes: TaskSuccessEvent[] = [];
    const failures: string[] = [];
    const thrown = new Error('rates unavailable');
    class Flow {
      @Task({ fallback: (error) => `default (${(error as Error).message})` }) rate(): string {
        throw thrown;
      }
      @Task() @DependsOn('rate') quote(rate: string) {
        return `quote at ${rate}`;
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      hooks: {
        onTaskSuccess: (event) => successes.push(event),
        onTaskFailure: ({ task }) => failures.push(task),
      },
    });
    expect(result.get('quote')).to.equal('quote at default (rates unavailable)');
    expect(result.trace[0]).to.include({ status: 'succeeded', recoveredFrom: thrown });
    expect(result.trace[1]).not.to.have.property('recoveredFrom');
    expect(successes[0]).to.include({ task: 'rate', value: 'default (rates unavailable)' });
    expect(successes[0].recoveredFrom).to.equal(thrown);
    expect(successes[1]).not.to.have.property('recoveredFrom');
    expect(failures).to.deep.equal([]);
  });

  it('recovers from a timeout, awaiting an async fallback', async () => {
    class Flow {
      @Task({ timeout: 10, fallback: async (error) => (error as TaskTimeoutError).timeoutMs })
      slow() {
        return new Promise<number>(() => {});
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(result.get('slow')).to.equal(10);
    expect(result.trace[0].recoveredFrom).to.be.instanceOf(TaskTimeoutError);
  });

  it('marks a task recovered even when what it threw was undefined', async () => {
    const successes: TaskSuccessEvent[] = [];
    class Flow {
      @Task({ fallback: () => 'default' }) rate(): Promise<string> {
        return Promise.reject(undefined);
      }
    }
    const result = await Workflow.invoke(new Flow(), undefined, {
      hooks: { onTaskSuccess: (event) => successes.push(event) },
    });
    expect(result.get('rate')).to.equal('default');
    expect(result.trace[0]).to.have.property('recoveredFrom', undefined);
    expect(successes[0]).to.have.property('recoveredFrom', undefined);
    expect(formatTimeline(result, { width: 80 }).split('\n')[0]).to.match(/ recovered$/);
  });

  it('keeps an undefined task error as attemptError when the fallback throws', async () => {
    const fallbackError = new Error('fallback broke');
    class Flow {
      @Task({
        fallback: throwing(fallbackError),
      })
      broken(): number {
        throw undefined;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.cause).to.equal(fallbackError);
    expect(error.failures[0]).to.have.property('attemptError', undefined);
  });

  it('fails the task with what the fallback threw, keeping the task error as attemptError', async () => {
    const original = new Error('original');
    const fallbackError = new Error('fallback broke');
    class Flow {
      @Task({
        fallback: throwing(fallbackError),
      })
      broken(): number {
        throw original;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.cause).to.equal(fallbackError);
    expect(error.failures).to.deep.equal([
      { task: 'broken', error: fallbackError, attemptError: original },
    ]);
  });
});

describe('fallback: its signal', () => {
  /** A fallback that waits until its signal aborts, then rejects with the signal's reason. */
  const untilAborted = (log: string[]) => (error: unknown, signal: AbortSignal) => {
    log.push(`fallback for ${(error as Error).message}, aborted: ${signal.aborted}`);
    return new Promise<number>((_, reject) => {
      signal.addEventListener('abort', () => {
        log.push(`fallback saw the abort: ${String(signal.reason)}`);
        reject(signal.reason);
      });
    });
  };

  it('aborts when the caller aborts the run while the fallback is pending, so the run settles without waiting for it', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const original = new Error('quotes down');
    class Flow {
      @Task({ fallback: untilAborted(log) }) quote(): Promise<number> {
        return Promise.reject(original);
      }
    }
    const run = Workflow.invoke(new Flow(), undefined, { signal: controller.signal });
    await settle();
    log.push('abort');
    controller.abort('shutting down');
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect(log).to.deep.equal([
      'fallback for quotes down, aborted: false',
      'abort',
      'fallback saw the abort: shutting down',
    ]);
    expect(error.cause).to.equal('shutting down');
    expect(error.failures).to.deep.equal([
      { task: 'quote', error: 'shutting down', attemptError: original },
    ]);
  });

  it("is the run's signal for the task, not a timed-out attempt's: it has not aborted at the timeout", async () => {
    const signals: AbortSignal[] = [];
    class Flow {
      @Task({
        timeout: 5,
        fallback: (error: unknown, signal: AbortSignal) => {
          signals.push(signal);
          return signal.aborted ? -1 : (error as TaskTimeoutError).timeoutMs;
        },
      })
      slow(@Signal() signal: AbortSignal) {
        signals.push(signal);
        return new Promise<number>(() => {});
      }
      @Task() @DependsOn('slow') after(slow: number, @Signal() signal: AbortSignal) {
        signals.push(signal);
        return slow;
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(result.get('after')).to.equal(5);
    const [attemptSignal, fallbackSignal, runSignal] = signals;
    expect(attemptSignal.aborted).to.equal(true);
    expect(fallbackSignal).to.equal(runSignal);
    expect(fallbackSignal.aborted).to.equal(false);
  });

  it('has already aborted when the fallback recovers a failure the stop caused', async () => {
    const seen: [boolean, unknown][] = [];
    const failure = new Error('payment failed');
    class Flow {
      @Task({
        fallback: (_error: unknown, signal: AbortSignal) => {
          seen.push([signal.aborted, signal.reason]);
          return 'cached';
        },
      })
      waits(@Signal() signal: AbortSignal): Promise<string> {
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
      @Task() async pay(): Promise<never> {
        await settle();
        throw failure;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.result.get('waits')).to.equal('cached');
    expect(seen).to.have.length(1);
    expect(seen[0][0]).to.equal(true);
    expect((seen[0][1] as Error).cause).to.equal(failure);
  });

  it("of an allSettled task does not abort when the run stops, as the task's own signal does not", async () => {
    const log: string[] = [];
    const controller = new AbortController();
    let release!: () => void;
    class Flow {
      @Task() work(@Signal() signal: AbortSignal): Promise<string> {
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
      @Task({
        when: 'allSettled',
        fallback: (_error: unknown, signal: AbortSignal) => {
          log.push(`fallback, aborted: ${signal.aborted}`);
          return new Promise<string>((resolve) => {
            release = () => resolve(`released, aborted: ${signal.aborted}`);
          });
        },
      })
      @DependsOn('work')
      cleanup(work: Settled<string>): string {
        log.push(`cleanup sees ${work.status}`);
        throw new Error('unlock failed');
      }
    }
    const run = Workflow.invoke(new Flow(), undefined, { signal: controller.signal });
    controller.abort('stop');
    await settle();
    expect(log).to.deep.equal(['cleanup sees failed', 'fallback, aborted: false']);
    release();
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect(error.result.get('cleanup')).to.equal('released, aborted: false');
  });
});

describe('retryIf', () => {
  it('retries only the errors it accepts, with the 1-based attempt number', async () => {
    const seen: [string, number][] = [];
    let calls = 0;
    class Flow {
      @Task({
        retries: 5,
        retryIf: (error, attempt) => {
          seen.push([(error as Error).message, attempt]);
          return (error as Error).message === 'transient';
        },
      })
      flaky(): number {
        calls++;
        throw new Error(calls < 3 ? 'transient' : 'permanent');
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(calls).to.equal(3);
    expect(seen).to.deep.equal([
      ['transient', 1],
      ['transient', 2],
      ['permanent', 3],
    ]);
    expect((error.cause as Error).message).to.equal('permanent');
  });

  it('is called, as retryDelay is, with this undefined: a run cannot reach or change the policy of later runs', async () => {
    const receivers: unknown[] = [];
    let calls = 0;
    class Flow {
      @Task({
        retries: 1,
        retryIf(this: unknown) {
          receivers.push(this);
          // A run that could reach its policy here would give every later run of the class 5 retries.
          if (typeof this === 'object' && this !== null) Object.assign(this, { retries: 5 });
          return true;
        },
        retryDelay(this: unknown) {
          receivers.push(this);
          return 0;
        },
      })
      flaky(): number {
        calls++;
        throw new Error('down');
      }
    }
    for (let run = 1; run <= 2; run++) {
      calls = 0;
      await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
      expect(calls, `attempts of run ${run}`).to.equal(2);
    }
    expect(receivers).to.deep.equal([undefined, undefined, undefined, undefined]);
  });

  it('keeps an undefined attempt error as attemptError when retryIf throws', async () => {
    const retryIfError = new Error('retryIf broke');
    class Flow {
      @Task({
        retries: 1,
        retryIf: throwing(retryIfError),
      })
      flaky(): Promise<number> {
        return Promise.reject(undefined);
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.cause).to.equal(retryIfError);
    expect(error.failures[0]).to.have.property('attemptError', undefined);
  });

  it('fails the task with what retryIf threw, keeping the attempt error as attemptError', async () => {
    const original = new Error('attempt failed');
    const retryIfError = new Error('retryIf broke');
    class Flow {
      @Task({
        retries: 2,
        retryIf: throwing(retryIfError),
      })
      flaky(): number {
        throw original;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.cause).to.equal(retryIfError);
    expect(error.failures[0].attemptError).to.equal(original);
  });

  it("keeps the retried attempt's error as attemptError when the retry's onTaskStart throws", async () => {
    const original = new Error('attempt failed');
    const hookError = new Error('onTaskStart broke');
    let calls = 0;
    class Flow {
      @Task({ retries: 2 })
      flaky(): number {
        calls++;
        throw original;
      }
    }
    const onTaskStart = ({ attempt }: { attempt: number }) => {
      if (attempt === 2) throw hookError;
    };
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { hooks: { onTaskStart } }),
      WorkflowExecutionError,
    );
    expect(calls).to.equal(1);
    expect(error.cause).to.equal(hookError);
    expect(error.failures).to.deep.equal([
      { task: 'flaky', error: hookError, attemptError: original },
    ]);
    // A first attempt's onTaskStart has no attempt before it: no attemptError.
    const first = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        hooks: {
          onTaskStart: () => {
            throw hookError;
          },
        },
      }),
      WorkflowExecutionError,
    );
    expect(first.failures).to.deep.equal([{ task: 'flaky', error: hookError }]);
  });

  it('keeps the error a fallback recovered from as attemptError when onTaskSuccess throws', async () => {
    const original = new Error('attempt failed');
    const hookError = new Error('onTaskSuccess broke');
    class Flow {
      @Task({ fallback: () => 'cached' })
      flaky(): string {
        throw original;
      }
      @Task() steady() {
        return 'fine';
      }
    }
    const onTaskSuccess = () => {
      throw hookError;
    };
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, { hooks: { onTaskSuccess }, failFast: false }),
      WorkflowExecutionError,
    );
    expect(error.cause).to.equal(hookError);
    // A task that succeeded on its own has no error of its own to keep.
    expect(error.failures).to.deep.equal([
      { task: 'flaky', error: hookError, attemptError: original },
      { task: 'steady', error: hookError },
    ]);
  });

  it('keeps the attempt error as attemptError when retryIf and then the fallback throw', async () => {
    const original = new Error('attempt failed');
    const retryIfError = new Error('retryIf broke');
    const fallbackError = new Error('fallback broke');
    const fallbackSaw: unknown[] = [];
    class Flow {
      @Task({
        retries: 2,
        retryIf: throwing(retryIfError),
        fallback: async (error) => {
          fallbackSaw.push(error);
          throw fallbackError;
        },
      })
      flaky(): number {
        throw original;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(fallbackSaw).to.deep.equal([retryIfError]);
    expect(error.failures).to.deep.equal([
      { task: 'flaky', error: fallbackError, attemptError: original },
    ]);
  });
});

describe('retry policy functions that return a promise', () => {
  /** Runs a task failing with 'network down' under `options`; how it ended, and what went unhandled. */
  async function runFailing(options: TaskOptions) {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      let calls = 0;
      class Sync {
        @Task(options) push(): number {
          calls++;
          throw new Error('network down');
        }
      }
      const error = await rejectionOf(Workflow.invoke(new Sync()), WorkflowExecutionError);
      await settle(3);
      return { error, calls, unhandled: unhandled.received };
    } finally {
      unhandled.stop();
    }
  }

  it('fail the task instead of retrying every error: an async retryIf, even one answering false', async () => {
    for (const retryIf of [
      async () => false,
      async () => Promise.reject(new Error('no breaker')),
    ]) {
      const run = await runFailing({ retries: 3, retryIf: retryIf as never });
      expect(run.calls).to.equal(1);
      expect(run.unhandled).to.deep.equal([]);
      expect(run.error.cause).to.be.instanceOf(TypeError);
      expect((run.error.cause as Error).message).to.equal(
        'Sync: retryIf of task "push" returned a promise; it must return true or false ' +
          'synchronously, so it cannot be an async function.',
      );
      expect(run.error.failures[0].attemptError).to.have.property('message', 'network down');
    }
  });

  it('fail the task for an async retryDelay, saying so, with no unhandled rejection', async () => {
    const run = await runFailing({
      retries: 1,
      retryDelay: (async () => Promise.reject(new Error('rate limiter down'))) as never,
    });
    expect(run.calls).to.equal(1);
    expect(run.unhandled).to.deep.equal([]);
    expect((run.error.cause as Error).message).to.equal(
      'Sync: retryDelay of task "push" returned a promise; it must return a number of ' +
        'milliseconds synchronously, so it cannot be an async function.',
    );
  });
});

describe('priority', () => {
  it('starts ready tasks by cumulative priority, then remaining path, then declaration order', async () => {
    const started: string[] = [];
    class Flow {
      @Task() plain() {
        started.push('plain');
      }
      @Task() longChainHead() {
        started.push('longChainHead');
      }
      @Task() @DependsOn('longChainHead') longChainTail() {
        started.push('longChainTail');
      }
      @Task() feedsUrgent() {
        started.push('feedsUrgent');
      }
      @Task({ priority: 5 }) @DependsOn('feedsUrgent') urgent() {
        started.push('urgent');
      }
      @Task({ priority: 1 }) mild() {
        started.push('mild');
      }
    }
    await Workflow.invoke(new Flow(), undefined, { concurrency: 1 });
    // feedsUrgent inherits urgent's 5; mild has 1; longChainHead wins the rest on path length;
    // then plain and longChainTail tie (priority 0, path 1) and go in declaration order.
    expect(started).to.deep.equal([
      'feedsUrgent',
      'urgent',
      'mild',
      'longChainHead',
      'plain',
      'longChainTail',
    ]);
  });

  it('under targets, counts only the tasks the run runs: a left-out dependent lends no priority', async () => {
    const started: string[] = [];
    class Flow {
      @Task() a() {
        started.push('a');
      }
      @Task() b() {
        started.push('b');
      }
      @Task({ priority: 100 }) @DependsOn('b') urgentReport() {
        started.push('urgentReport');
      }
    }
    await Workflow.invoke(new Flow(), undefined, { concurrency: 1 });
    expect(started).to.deep.equal(['b', 'urgentReport', 'a']);
    started.length = 0;
    // urgentReport does not run: a and b tie (priority 0, path 1), declaration order decides.
    await Workflow.invoke(new Flow(), undefined, { concurrency: 1, targets: ['a', 'b'] });
    expect(started).to.deep.equal(['a', 'b']);
  });

  it('reorders nothing under a limit every ready task fits in: declaration order, as without one', async () => {
    const started: string[] = [];
    class Flow {
      @Task() plain() {
        started.push('plain');
      }
      @Task({ priority: 5 }) urgent() {
        started.push('urgent');
      }
      @Task() @DependsOn('plain', 'urgent') report() {
        started.push('report');
      }
      @Task() @DependsOn('plain', 'urgent') audit() {
        started.push('audit');
      }
      @Task({ priority: 3 }) @DependsOn('plain', 'urgent') alert() {
        started.push('alert');
      }
    }
    for (const concurrency of [Infinity, 3, 2]) {
      started.length = 0;
      await Workflow.invoke(new Flow(), undefined, { concurrency });
      const order =
        concurrency === 2
          ? // Three released together for two slots: alert (priority 3) first, then declaration.
            ['plain', 'urgent', 'alert', 'report', 'audit']
          : ['plain', 'urgent', 'report', 'audit', 'alert'];
      expect(started, `concurrency ${concurrency}`).to.deep.equal(order);
    }
  });

  it('accepts negative priorities: such tasks go last', async () => {
    const started: string[] = [];
    class Flow {
      @Task({ priority: -1 }) later() {
        started.push('later');
      }
      @Task() sooner() {
        started.push('sooner');
      }
    }
    await Workflow.invoke(new Flow(), undefined, { concurrency: 1 });
    expect(started).to.deep.equal(['sooner', 'later']);
  });
});

describe('control-flow options of the wrong type', () => {
  for (const [options, option] of [
    [{ when: 'always' }, 'when'],
    [{ when: 'toString' }, 'when'],
    [{ fallback: 0 }, 'fallback'],
    [{ retryIf: true }, 'retryIf'],
    [{ priority: '1' }, 'priority'],
    [{ priority: Number.NaN }, 'priority'],
    [{ priority: Infinity }, 'priority'],
  ] as const) {
    const value: unknown = Object.values(options)[0];
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    it(`rejects ${option} ${shown} as INVALID_TASK naming the task and "${option}"`, async () => {
      let calls = 0;
      class Flow {}
      declareTask(Flow.prototype, 'step', () => ++calls, { options: options as never });
      expect(() => Workflow.validate(Flow))
        .to.throw(WorkflowDefinitionError, `option "${option}" of task "step"`)
        .with.property('code', 'INVALID_TASK');
      // The same error from graph, and rejecting invoke, before any task runs.
      const { message } = thrownBy(() => Workflow.validate(Flow), WorkflowDefinitionError);
      expect(thrownBy(() => Workflow.graph(Flow), WorkflowDefinitionError)).to.include({
        code: 'INVALID_TASK',
        message,
      });
      const rejection = await rejectionOf(Workflow.invoke(new Flow()), WorkflowDefinitionError);
      expect(rejection).to.include({ code: 'INVALID_TASK', task: 'step', message });
      expect(calls).to.equal(0);
    });

    it(`makes addNode throw INVALID_TASK at once for ${option} ${shown}, adding nothing`, () => {
      const tm = buildDag();
      expect(() => tm.addNode({ name: 'step', ...options } as never, () => 1))
        .to.throw(WorkflowDefinitionError, `dag: addNode: option "${option}" of node "step"`)
        .with.property('code', 'INVALID_TASK');
      expect(tm.addNode({ name: 'step' }, () => 1).name).to.equal('step');
      expect(tm.graph().order).to.deep.equal(['step']);
    });
  }

  it('rejects an unknown TaskOptions key from validate and graph, and rejects invoke', async () => {
    let calls = 0;
    class Flow {}
    declareTask(Flow.prototype, 'step', () => ++calls, {
      options: { whenn: 'noneFailed' } as never,
    });
    const message = 'Flow: task "step" has an unknown option "whenn". Did you mean "when"?';
    for (const action of [() => Workflow.validate(Flow), () => Workflow.graph(Flow)]) {
      expect(thrownBy(action, WorkflowDefinitionError)).to.include({
        code: 'INVALID_TASK',
        task: 'step',
        message,
      });
    }
    const rejection = await rejectionOf(Workflow.invoke(new Flow()), WorkflowDefinitionError);
    expect(rejection).to.include({ code: 'INVALID_TASK', task: 'step', message });
    expect(calls).to.equal(0);
  });

  it('lists the when rules quoted as the value it got is', () => {
    class Flow {}
    declareTask(Flow.prototype, 'step', () => 1, { options: { when: 'always' } as never });
    expect(() => Workflow.validate(Flow)).to.throw(
      WorkflowDefinitionError,
      'Flow: option "when" of task "step" must be "allSucceeded", "noneFailed" or "allSettled", ' +
        'got "always".',
    );
  });
});

describe('pictures of a run with skipped and recovered tasks', () => {
  class Pictured {
    @Task({ fallback: () => 0 }) rate(): number {
      throw new Error('rates down');
    }
    @Task() express(): string {
      skip('standard order');
    }
    @Task() @DependsOn('express') label() {
      return 'label';
    }
  }

  it('formatTimeline labels skipped tasks with their reason and recovered tasks as such', async () => {
    const result = await Workflow.invoke(new Pictured());
    const lines = formatTimeline(result, { width: 100 }).split('\n');
    expect(lines[0]).to.match(/^rate +▓+ +[\d.]+–[\d.]+ ms recovered$/);
    expect(lines[1]).to.match(/^express +·+ +skipped at [\d.]+ ms: standard order$/);
    expect(lines[2]).to.match(
      /^label +·+ +skipped at [\d.]+ ms: dependency "express" was skipped$/,
    );
  });

  it('formatTimeline and toMermaidGantt show a blank reason as none, with no dangling colon', async () => {
    class Blank {
      @Task() quiet(): number {
        skip(' ');
      }
    }
    const result = await Workflow.invoke(new Blank());
    expect(formatTimeline(result, { width: 60 }).split('\n')[0]).to.match(
      /^quiet +·+ +skipped at [\d.]+ ms$/,
    );
    expect(toMermaidGantt(result).split('\n')[5]).to.match(
      /^ {2}quiet \(skipped\) :milestone, \d+, 0ms$/,
    );
  });

  it('toMermaidGantt marks recovered tasks active and gives skipped milestones their reason', async () => {
    const result = await Workflow.invoke(new Pictured());
    const bars = toMermaidGantt(result).split('\n').slice(5);
    expect(bars[0]).to.match(/^ {2}rate \(recovered\) :active, \d+, \d+$/);
    expect(bars[1]).to.match(/^ {2}express \(skipped#58; standard order\) :milestone, \d+, 0ms$/);
    expect(bars[2]).to.match(
      /^ {2}label \(skipped#58; dependency #34;express#34; was skipped\) :milestone, \d+, 0ms$/,
    );
  });
});
