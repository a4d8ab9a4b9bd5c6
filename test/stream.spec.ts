/**
 * `Workflow.stream` and `DagBuilder.stream` (API.md §9): typed events in the order they happened,
 * buffered from the start, the run's error at the end of the iteration, and an early exit that
 * aborts the run.
 */
import { expect } from 'chai';
import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspect } from 'node:util';
import sinon from 'sinon';
import {
  buildDag,
  CONTEXT,
  DependsOn,
  Param,
  Signal,
  skip,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  type Settled,
  type TaskContext,
  type WorkflowEvent,
  type WorkflowStream,
} from '../src';
import { GatedFlow, recordProcessEvents, rejectionOf, settle } from './support/event-log';

/** Every event of `stream`, and the error the iteration ended with, if any. */
async function readAll<W extends object>(
  stream: WorkflowStream<W, any>,
): Promise<{ events: WorkflowEvent<W>[]; error: unknown }> {
  const events: WorkflowEvent<W>[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** `type:task[:attempt]` for each event, for compact order assertions. */
function summary(events: readonly WorkflowEvent[]): string[] {
  return events.map((event) =>
    'attempt' in event && event.type !== 'taskSuccess'
      ? `${event.type}:${event.task}:${event.attempt}`
      : `${event.type}:${event.task}`,
  );
}

class Pipeline {
  @Task() load(@Param() n: number) {
    return n + 1;
  }
  @Task() @DependsOn('load') async double(load: number) {
    await settle();
    return load * 2;
  }
  @Task() @DependsOn('load') label(load: number) {
    return `#${load}`;
  }
  @Task() @DependsOn('double', 'label') report(double: number, label: string) {
    return `${label}=${double}`;
  }
}

/** The events of a `Pipeline` run with param 1, summarised. */
const PIPELINE_EVENTS = [
  'taskStart:load:1',
  'taskSuccess:load',
  'taskStart:double:1',
  'taskStart:label:1',
  'taskSuccess:label',
  'taskSuccess:double',
  'taskStart:report:1',
  'taskSuccess:report',
];

/** `a` (async), then `b`, then `cleanup` (`allSettled`): an abort after `a` starts `cleanup`. */
class CleansUp {
  @Task() async a() {
    await settle();
    return 1;
  }
  @Task() @DependsOn('a') b(a: number) {
    return a;
  }
  @Task({ when: 'allSettled' }) @DependsOn('b') cleanup() {
    return 'cleaned';
  }
}

/** One gated task that records the reasons its signal aborted with. */
class SlowWithSignal extends GatedFlow<number> {
  readonly reasons: unknown[] = [];
  @Task() async slow(@Signal() signal: AbortSignal) {
    signal.addEventListener('abort', () => this.reasons.push(signal.reason));
    return this.step('slow');
  }
}

/** The events' `time`s never decrease. */
function expectTimesInOrder(events: readonly WorkflowEvent[]): void {
  const times = events.map((event) => event.time);
  expect(times).to.deep.equal([...times].sort((x, y) => x - y));
}

/**
 * The stream of a one-task run whose task reports `progress` when the test says and ends when it
 * calls `finish`; its first event (the task's start) already read.
 */
async function chattyStream() {
  let reporter: TaskContext | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  class Chatty {
    @Task() @DependsOn(CONTEXT) async chatty(ctx: TaskContext) {
      reporter = ctx;
      await finished;
      return 'done';
    }
  }
  const stream = Workflow.stream(new Chatty());
  expect((await stream.next()).value).to.include({ type: 'taskStart', task: 'chatty' });
  return { stream, progress: (data: unknown) => reporter!.progress(data), finish };
}

describe('Workflow.stream', () => {
  it('yields every event in the order it happened, with non-decreasing times, then ends', async () => {
    const stream = Workflow.stream(new Pipeline(), 1);
    const { events, error } = await readAll(stream);
    expect(error).to.equal(undefined);
    expect(summary(events)).to.deep.equal(PIPELINE_EVENTS);
    expectTimesInOrder(events);
    const result = await stream.result;
    expect(result.get('report')).to.equal('#2=4');
    const successes = events.filter((event) => event.type === 'taskSuccess');
    expect(successes.map((event) => [event.task, event.value])).to.deep.equal([
      ['load', 2],
      ['label', '#2'],
      ['double', 4],
      ['report', '#2=4'],
    ]);
  });

  it('buffers from the start: a reader that comes late loses nothing and never slows the run', async () => {
    const stream = Workflow.stream(new Pipeline(), 1);
    const result = await stream.result;
    expect(result.get('report')).to.equal('#2=4');
    const { events } = await readAll(stream);
    expect(events).to.have.length(8);
  });

  it('never waits for a reader busy inside its loop: the run settles while the loop body awaits', async () => {
    const stream = Workflow.stream(new Pipeline(), 1);
    const read: WorkflowEvent[] = [];
    let outcome: unknown;
    for await (const event of stream) {
      read.push(event);
      // The reader stalls on its first event until the run is over (a run that waited for its
      // reader would never get there): the rest were buffered meanwhile, none lost.
      if (read.length === 1) {
        expect(stream.toJSON().state).to.equal('running');
        outcome = (await stream.result).get('report');
      }
    }
    expect(outcome).to.equal('#2=4');
    expect(summary(read)).to.deep.equal(PIPELINE_EVENTS);
    expectTimesInOrder(read);
  });

  it('keeps its buffer to what is unread when the reader never quite catches up', async () => {
    const { stream, progress, finish } = await chattyStream();
    const log = (stream as unknown as { log: { payloads: unknown[] } }).log;
    // 10,000 reports, read 1,000 behind: the buffer holds what is unread, not all 10,000.
    let read = 0;
    for (let sent = 1; sent <= 10_000; sent++) {
      progress(sent);
      if (sent > 1_000) {
        const { value } = await stream.next();
        expect(value).to.include({ type: 'taskProgress', data: ++read });
      }
    }
    expect(log.payloads.length).to.be.at.most(2_048);
    finish();
    const { events } = await readAll(stream);
    expect(
      events.map((event) => (event.type === 'taskProgress' ? event.data : event.type)),
    ).to.deep.equal([...Array.from({ length: 1_000 }, (_, index) => 9_001 + index), 'taskSuccess']);
  });

  it('reports every task of a large run by name and value (its buffer keeps numbers in a typed array)', async () => {
    // 3,000 tasks: a chain of 1,000 under each of 3 roots, so a task's index runs to 2,999.
    const tm = buildDag<number>({ name: 'large' });
    for (let root = 0; root < 3; root++) {
      let previous = tm.addNode({ name: `r${root}` }, (n: number) => n + root, tm.parameterNode);
      for (let step = 1; step < 1_000; step++) {
        previous = tm.addNode({ name: `r${root}s${step}` }, async (n: number) => n + 1, previous);
      }
    }
    const stream = tm.stream(10);
    const { events, error } = await readAll(stream);
    expect(error).to.equal(undefined);
    expect(events).to.have.length(6_000);
    const result = await stream.result;
    const started = new Set<string>();
    for (const event of events) {
      if (event.type === 'taskStart') started.add(event.task);
      else {
        expect(event.type).to.equal('taskSuccess');
        expect(started.has(event.task), event.task).to.equal(true);
        expect((event as { value: unknown }).value).to.equal(result.get(event.task as never));
      }
    }
    expect(started.size).to.equal(3_000);
    expect(result.get('r2s999' as never)).to.equal(10 + 2 + 999);
  });

  it('loses no event and keeps their order when its buffer grows while the reader is part-way through it', async () => {
    const { stream, progress, finish } = await chattyStream();
    for (let sent = 0; sent < 10; sent++) progress(sent);
    const read: unknown[] = [];
    for (let count = 0; count < 5; count++) {
      const { value } = await stream.next();
      read.push(value!.type === 'taskProgress' ? value!.data : value!.type);
    }
    // Five events are unread, behind five read ones: the next hundred make the buffer grow
    // (a one-task run starts with room for 16), more than once.
    for (let sent = 10; sent < 110; sent++) progress(sent);
    finish();
    const { events, error } = await readAll(stream);
    expect(error).to.equal(undefined);
    read.push(...events.map((event) => (event.type === 'taskProgress' ? event.data : event.type)));
    expect(read).to.deep.equal([
      ...Array.from({ length: 110 }, (_, index) => index),
      'taskSuccess',
    ]);
  });

  it('keeps the time of a task’s start buffered before its buffer grew, and of its success after', async () => {
    class Reports {
      @Task() @DependsOn(CONTEXT) reports(@Param() count: number, ctx: TaskContext) {
        for (let sent = 0; sent < count; sent++) ctx.progress(sent);
        return 'done';
      }
    }
    // Nothing is read until the run is over: the start is the oldest of the 100 events that make
    // the buffer (room for 16 at first) grow, more than once.
    const stream = Workflow.stream(new Reports(), 100);
    const [trace] = (await stream.result).trace;
    const { events } = await readAll(stream);
    expect(events).to.have.length(102);
    expect(events[0]).to.deep.equal({
      type: 'taskStart',
      task: 'reports',
      attempt: 1,
      time: trace.start,
    });
    expect(events.at(-1)).to.deep.equal({
      type: 'taskSuccess',
      task: 'reports',
      attempt: 1,
      value: 'done',
      time: trace.end,
    });
    expectTimesInOrder(events);
  });

  it('is its own iterator: two loops at once share its events, and a loop after the end gets none', async () => {
    const stream = Workflow.stream(new Pipeline(), 1);
    expect(stream[Symbol.asyncIterator]()).to.equal(stream);
    const [first, second] = await Promise.all([readAll(stream), readAll(stream)]);
    // Each event went to one of the two loops, once.
    expect(first.events.length + second.events.length).to.equal(PIPELINE_EVENTS.length);
    expect(first.events.length).to.be.above(0);
    expect(second.events.length).to.be.above(0);
    const read = summary([...first.events, ...second.events]);
    expect(new Set(read)).to.deep.equal(new Set(PIPELINE_EVENTS));
    expect((await readAll(stream)).events).to.deep.equal([]);
  });

  it('keeps progress data as given: a reader behind the run sees a reported object as it is when read', async () => {
    class Counting {
      @Task() @DependsOn(CONTEXT) count(ctx: TaskContext) {
        const state = { done: 0 };
        for (let step = 0; step < 3; step++) {
          state.done++;
          ctx.progress(state); // the same object, changed after each report
          ctx.progress({ ...state }); // a fresh one each time
        }
      }
    }
    const hooked: unknown[] = [];
    const stream = Workflow.stream(new Counting(), undefined, {
      hooks: { onTaskProgress: ({ data }) => void hooked.push({ ...(data as object) }) },
    });
    const { events } = await readAll(stream);
    const streamed = events.flatMap((event) => (event.type === 'taskProgress' ? [event.data] : []));
    expect(hooked).to.deep.equal([1, 1, 2, 2, 3, 3].map((done) => ({ done })));
    expect(streamed).to.deep.equal([3, 1, 3, 2, 3, 3].map((done) => ({ done })));
  });

  it('answers next() calls made before earlier ones settled, in the order they were made', async () => {
    const stream = Workflow.stream(new Pipeline(), 1);
    // Some events are buffered by now (the sync tasks ran); the later reads have to wait.
    const reads = Array.from({ length: 10 }, () => stream.next());
    const answers = await Promise.all(reads);
    expect(answers.slice(8)).to.deep.equal([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(summary(answers.slice(0, 8).map((answer) => answer.value!))).to.deep.equal(
      PIPELINE_EVENTS,
    );
  });

  it('gives the run error to the first of several waiting reads, and done to the rest and to every later read', async () => {
    class Failing {
      @Task() async boom(): Promise<number> {
        await settle();
        throw new Error('boom');
      }
    }
    const stream = Workflow.stream(new Failing());
    expect((await stream.next()).value).to.include({ type: 'taskStart', task: 'boom' });
    const [failure, start, end] = await Promise.allSettled([
      stream.next(),
      stream.next(),
      stream.next(),
    ]);
    expect(failure.status === 'fulfilled' && failure.value.value).to.include({
      type: 'taskFailure',
      task: 'boom',
    });
    expect(start.status === 'rejected' && start.reason).to.be.instanceOf(WorkflowExecutionError);
    expect(end).to.deep.equal({ status: 'fulfilled', value: { value: undefined, done: true } });
    await rejectionOf(stream.result, WorkflowExecutionError);
    // The error was thrown once: the iteration is over.
    expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
    expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('reports retries, skips and progress', async () => {
    let attempts = 0;
    class Flow {
      @Task({ retries: 1 }) @DependsOn(CONTEXT) flaky(ctx: TaskContext) {
        ctx.progress({ attempt: ctx.attempt });
        if (++attempts === 1) throw new Error('first attempt fails');
        return 'ok';
      }
      @Task() @DependsOn('flaky') optional(): string {
        skip('not today');
      }
      @Task() @DependsOn('optional') after() {}
    }
    const { events } = await readAll(Workflow.stream(new Flow()));
    expect(events.map(({ time: _time, ...event }) => event)).to.deep.equal([
      { type: 'taskStart', task: 'flaky', attempt: 1 },
      { type: 'taskProgress', task: 'flaky', attempt: 1, data: { attempt: 1 } },
      {
        type: 'taskFailure',
        task: 'flaky',
        attempt: 1,
        error: new Error('first attempt fails'),
        willRetry: true,
      },
      { type: 'taskStart', task: 'flaky', attempt: 2 },
      { type: 'taskProgress', task: 'flaky', attempt: 2, data: { attempt: 2 } },
      { type: 'taskSuccess', task: 'flaky', attempt: 2, value: 'ok' },
      { type: 'taskStart', task: 'optional', attempt: 1 },
      { type: 'taskSkip', task: 'optional', reason: 'not today' },
      { type: 'taskSkip', task: 'after', reason: 'dependency "optional" was skipped' },
    ]);
  });

  describe('recovered and cancelled tasks', () => {
    /**
     * `rate` fails and its fallback recovers it; `broken` then fails the run while `other` is
     * in flight; `publish` never starts; `cleanup` (allSettled) runs after the stop.
     */
    const expectEvents = async (
      stream: WorkflowStream<any, any>,
      failure: Error,
      rateError: Error,
    ) => {
      const { events, error } = await readAll(stream);
      expect(error).to.be.instanceOf(WorkflowExecutionError);
      expect(events.map(({ time: _time, ...event }) => event)).to.deep.equal([
        { type: 'taskStart', task: 'rate', attempt: 1 },
        { type: 'taskSuccess', task: 'rate', attempt: 1, value: 0, recoveredFrom: rateError },
        { type: 'taskStart', task: 'other', attempt: 1 },
        { type: 'taskStart', task: 'broken', attempt: 1 },
        { type: 'taskFailure', task: 'broken', attempt: 1, error: failure, willRetry: false },
        { type: 'taskSuccess', task: 'other', attempt: 1, value: 'other' },
        { type: 'taskStart', task: 'cleanup', attempt: 1 },
        {
          type: 'taskSuccess',
          task: 'cleanup',
          attempt: 1,
          value: 'publish: dependency "publish" did not run: the run stopped before it started',
        },
      ]);
      // `publish` reached `cleanup` as skipped, but is no event, no trace entry and no hook.
      const { trace } = (error as WorkflowExecutionError).result;
      expect(trace.map(({ task }) => task)).to.deep.equal(['rate', 'other', 'broken', 'cleanup']);
    };

    it('streams a recovery as taskSuccess with recoveredFrom, and nothing for a cancelled task (class)', async () => {
      const rateError = new Error('rates down');
      const failure = new Error('boom');
      const hooked: string[] = [];
      class Flow {
        @Task({ fallback: () => 0 }) rate(): number {
          throw rateError;
        }
        @Task() async other() {
          await settle(2);
          return 'other';
        }
        @Task() @DependsOn('rate') broken(): string {
          throw failure;
        }
        @Task() @DependsOn('broken') publish() {}
        @Task({ when: 'allSettled' }) @DependsOn('publish', 'other') cleanup(
          publish: Settled<void>,
        ) {
          return `publish: ${publish.status === 'skipped' ? publish.reason : publish.status}`;
        }
      }
      const hooks = {
        onTaskStart: ({ task }: { task: string }) => hooked.push(`start ${task}`),
        onTaskSkip: ({ task }: { task: string }) => hooked.push(`skip ${task}`),
        onTaskFailure: ({ task }: { task: string }) => hooked.push(`failure ${task}`),
      };
      await expectEvents(Workflow.stream(new Flow(), undefined, { hooks }), failure, rateError);
      expect(hooked).to.deep.equal([
        'start rate',
        'start other',
        'start broken',
        'failure broken',
        'start cleanup',
      ]);
    });

    it('streams a recovery as taskSuccess with recoveredFrom, and nothing for a cancelled node (builder)', async () => {
      const rateError = new Error('rates down');
      const failure = new Error('boom');
      const tm = buildDag({ name: 'Flow' });
      const rate = tm.addNode({ name: 'rate', fallback: () => 0 }, (): number => {
        throw rateError;
      });
      const other = tm.addNode({ name: 'other' }, async () => {
        await settle(2);
        return 'other';
      });
      const broken = tm.addNode(
        { name: 'broken' },
        (_rate: number): string => {
          throw failure;
        },
        rate,
      );
      const publish = tm.addNode({ name: 'publish' }, (_broken: string) => {}, broken);
      tm.addNode(
        { name: 'cleanup', when: 'allSettled' },
        (settled: Settled<void>, _other: Settled<string>) =>
          `publish: ${settled.status === 'skipped' ? settled.reason : settled.status}`,
        publish,
        other,
      );
      await expectEvents(tm.stream(undefined), failure, rateError);
    });
  });

  it('streams a progress report whose onTaskProgress hook throws; the hook error goes to the task', async () => {
    const hookError = new Error('hook fails');
    const caught: unknown[] = [];
    class Flow {
      @Task() @DependsOn(CONTEXT) report(ctx: TaskContext) {
        try {
          ctx.progress(50);
        } catch (error) {
          caught.push(error);
        }
        return 'reported';
      }
    }
    const stream = Workflow.stream(new Flow(), undefined, {
      hooks: {
        onTaskProgress: () => {
          throw hookError;
        },
      },
    });
    const { events, error } = await readAll(stream);
    expect(error).to.equal(undefined);
    expect(events.map(({ time: _time, ...event }) => event)).to.deep.equal([
      { type: 'taskStart', task: 'report', attempt: 1 },
      { type: 'taskProgress', task: 'report', attempt: 1, data: 50 },
      { type: 'taskSuccess', task: 'report', attempt: 1, value: 'reported' },
    ]);
    expect(caught).to.have.length(1);
    expect(caught[0]).to.equal(hookError);
  });

  it('ends by throwing the run error after the last event, and result rejects with it', async () => {
    class Flow {
      @Task() ok() {
        return 1;
      }
      @Task() @DependsOn('ok') broken(): number {
        throw new Error('boom');
      }
    }
    const stream = Workflow.stream(new Flow());
    const { events, error } = await readAll(stream);
    expect(summary(events)).to.deep.equal([
      'taskStart:ok:1',
      'taskSuccess:ok',
      'taskStart:broken:1',
      'taskFailure:broken:1',
    ]);
    expect(events[3]).to.include({ willRetry: false });
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    expect(await stream.result.catch((rejection: unknown) => rejection)).to.equal(error);
    expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('ends with WorkflowAbortedError when the caller aborts, and with no event when aborted before', async () => {
    const controller = new AbortController();
    class Flow {
      @Task() async first() {
        controller.abort('caller left');
        await settle();
        return 1;
      }
      @Task() @DependsOn('first') second() {}
    }
    const { events, error } = await readAll(
      Workflow.stream(new Flow(), undefined, { signal: controller.signal }),
    );
    expect(summary(events)).to.deep.equal(['taskStart:first:1', 'taskSuccess:first']);
    expect(error).to.be.instanceOf(WorkflowAbortedError);
    expect((error as WorkflowAbortedError).cause).to.equal('caller left');

    const already = new AbortController();
    already.abort('too late');
    const late = await readAll(Workflow.stream(new Flow(), undefined, { signal: already.signal }));
    expect(late.events).to.deep.equal([]);
    expect(late.error).to.be.instanceOf(WorkflowAbortedError);
  });

  it('aborts the run when the loop is left early, and return() waits for started tasks', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      class Flow extends GatedFlow<number> {
        readonly aborted: string[] = [];
        @Task() first() {
          return 1;
        }
        @Task() @DependsOn('first') async slow(_first: number, @Signal() signal: AbortSignal) {
          signal.addEventListener('abort', () => this.aborted.push('slow'));
          return this.step('slow');
        }
        @Task() @DependsOn('slow') never() {
          expect.fail('no task starts after the reader left');
        }
      }
      const flow = new Flow();
      const stream = Workflow.stream(flow);
      let returned = false;
      for await (const event of stream) {
        if (event.type === 'taskStart' && event.task === 'slow') {
          const closing = stream.return().then(() => (returned = true));
          await settle();
          expect(flow.aborted).to.deep.equal(['slow']);
          expect(returned, 'return() waits for the started task').to.equal(false);
          flow.gates.open('slow', 2);
          await closing;
          break;
        }
      }
      expect(returned).to.equal(true);
      const error = await rejectionOf(stream.result, WorkflowAbortedError);
      expect((error.cause as DOMException).name).to.equal('AbortError');
      expect(error.result.get('slow')).to.equal(2);
      await settle(2);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('keeps the failure that stopped the run when the loop is left while its allSettled tasks run', async () => {
    class Flow extends GatedFlow<string> {
      @Task() broken(): number {
        throw new Error('broken');
      }
      @Task({ when: 'allSettled' }) @DependsOn('broken') async cleanup() {
        return this.step('cleanup');
      }
    }
    const flow = new Flow();
    const stream = Workflow.stream(flow);
    for await (const event of stream) {
      if (event.type === 'taskStart' && event.task === 'cleanup') {
        const closing = stream.return();
        flow.gates.open('cleanup', 'cleaned');
        await closing;
        break;
      }
    }
    // The failure stopped the run first: leaving the loop then is an abort that changes nothing,
    // as the caller's signal aborted then would.
    const error = await rejectionOf(stream.result, WorkflowExecutionError);
    expect(error.task).to.equal('broken');
    expect(error.result.get('cleanup')).to.equal('cleaned');
  });

  it('handles leaving the loop early inside the run’s async context, wherever return() is called', async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    class Flow extends CleansUp {
      override cleanup() {
        seen.push(store.getStore());
        return super.cleanup();
      }
    }
    const stream = store.run('the run', () => Workflow.stream(new Flow()));
    await stream.next(); // taskStart a
    await store.run('the reader', () => stream.return());
    expect(seen).to.deep.equal(['the run']);
    await rejectionOf(stream.result, WorkflowAbortedError);
  });

  it('starts no task when the loop is left before a run interceptor calls next()', async () => {
    let proceed!: () => void;
    const entered = new Promise<void>((resolve) => (proceed = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    class Flow {
      @Task() a() {
        started.push('a');
      }
    }
    let nextOutcome: unknown;
    const stream = Workflow.stream(new Flow(), undefined, {
      interceptors: [
        {
          async run(_info, next) {
            proceed();
            await released;
            return next().catch((error: unknown) => {
              nextOutcome = error;
              throw error;
            });
          },
        },
      ],
    });
    await entered;
    const closing = stream.return();
    release();
    await closing;
    expect(started).to.deep.equal([]);
    expect(nextOutcome).to.be.instanceOf(WorkflowAbortedError);
    await rejectionOf(stream.result, WorkflowAbortedError);
  });

  it('aborts the run once when return() is called again before the first one settled', async () => {
    const flow = new SlowWithSignal();
    const stream = Workflow.stream(flow);
    await stream.next(); // taskStart slow
    const first = stream.return();
    const second = stream.return();
    flow.gates.open('slow', 1);
    expect(await Promise.all([first, second])).to.deep.equal([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(flow.reasons).to.have.length(1);
    expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('ends the iteration for a next() called after return(), as an async generator does', async () => {
    const flow = new SlowWithSignal();
    const stream = Workflow.stream(flow);
    await stream.next(); // taskStart slow
    const waiting = stream.next();
    const closing = stream.return();
    // `slow` ends while return() waits for it: its success is not read any more.
    const afterReturn = stream.next();
    flow.gates.open('slow', 1);
    expect(await afterReturn).to.deep.equal({ value: undefined, done: true });
    expect(await closing).to.deep.equal({ value: undefined, done: true });
    expect(flow.reasons).to.have.length(1);
    // The read that was waiting when return() was called gets the run's end.
    const aborted = await rejectionOf(stream.result, WorkflowAbortedError);
    expect(await rejectionOf(waiting, WorkflowAbortedError)).to.equal(aborted);
  });

  it('ends the iteration for a next() called after return() once the run has settled, before return() has', async () => {
    const flow = new SlowWithSignal();
    const stream = Workflow.stream(flow);
    await stream.next(); // taskStart slow
    // Reacts to the run's end before return() does: the run is over, return() not yet.
    const afterReturn = stream.result.then(
      () => stream.next(),
      () => stream.next(),
    );
    const closing = stream.return();
    flow.gates.open('slow', 1);
    expect(await afterReturn).to.deep.equal({ value: undefined, done: true });
    expect(await closing).to.deep.equal({ value: undefined, done: true });
    await rejectionOf(stream.result, WorkflowAbortedError);
  });

  it('drops the events not read at return(), and ends a later next() at once, before the run ends', async () => {
    const flow = new SlowWithSignal();
    const stream = Workflow.stream(flow);
    await settle(); // `slow` started: its taskStart waits, unread
    const closing = stream.return();
    const afterReturn = stream.next();
    // `slow` is still running (its gate is shut): the iteration is over all the same.
    const first = await Promise.race([afterReturn, settle(3).then(() => 'still waiting')]);
    expect(first).to.deep.equal({ value: undefined, done: true });
    flow.gates.open('slow', 1);
    expect(await closing).to.deep.equal({ value: undefined, done: true });
    await rejectionOf(stream.result, WorkflowAbortedError);
  });

  it('ends when a run interceptor settles first, and drops the events of the run that goes on', async () => {
    class Flow extends GatedFlow<number> {
      @Task() async slow() {
        return this.step('slow');
      }
      @Task() @DependsOn('slow') after(slow: number) {
        return slow + 1;
      }
    }
    const flow = new Flow();
    let run!: Promise<unknown>;
    const stream = Workflow.stream(flow, undefined, {
      interceptors: [
        {
          run(_info, next) {
            run = next();
            return Promise.resolve('gave up');
          },
        },
      ],
    });
    const { events, error } = await readAll(stream);
    expect(error).to.equal(undefined);
    expect(await stream.result).to.equal('gave up');
    expect(summary(events)).to.deep.equal(['taskStart:slow:1']);
    flow.gates.open('slow', 1);
    const result = (await run) as { get(task: string): unknown };
    expect(result.get('after')).to.equal(2);
    expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('waits in return() for the tasks of the run it aborted, when a run interceptor settles first', async () => {
    const flow = new SlowWithSignal();
    let giveUp!: (value: string) => void;
    const gaveUp = new Promise<string>((resolve) => (giveUp = resolve));
    let run!: Promise<unknown>;
    const stream = Workflow.stream(flow, undefined, {
      interceptors: [
        {
          run(_info, next) {
            run = next();
            // Whichever comes first: the run, or the interceptor giving up on it.
            return Promise.race([run, gaveUp]) as never;
          },
        },
      ],
    });
    await stream.next(); // taskStart slow
    let returned = false;
    const closing = stream.return().then(() => (returned = true));
    giveUp('gave up');
    expect(await stream.result).to.equal('gave up');
    await settle(2);
    expect(flow.reasons, 'the run was aborted').to.have.length(1);
    expect(returned, 'return() waits for `slow`, which ignores its signal').to.equal(false);
    flow.gates.open('slow', 1);
    expect(await closing).to.equal(true);
    expect(flow.log.inFlight).to.equal(0);
    await rejectionOf(run as Promise<never>, WorkflowAbortedError);
  });

  it('ends with the reason of whichever came first, leaving the loop or the caller’s abort, before the run starts', async () => {
    class Flow {
      @Task() a() {
        return 1;
      }
    }
    const causeOf = async (order: 'leave first' | 'caller first') => {
      const controller = new AbortController();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const stream = Workflow.stream(new Flow(), undefined, {
        signal: controller.signal,
        interceptors: [
          {
            async run(_info, next) {
              await released;
              return next();
            },
          },
        ],
      });
      let closing: Promise<unknown>;
      if (order === 'leave first') {
        closing = stream.return();
        controller.abort('the caller');
      } else {
        controller.abort('the caller');
        closing = stream.return();
      }
      release();
      await closing;
      return (await rejectionOf(stream.result, WorkflowAbortedError)).cause;
    };
    expect(((await causeOf('leave first')) as DOMException).message).to.equal(
      'the stream was closed before the run ended',
    );
    expect(await causeOf('caller first')).to.equal('the caller');
  });

  it('keeps the reason of leaving the loop when the caller aborts afterwards, mid-run', async () => {
    const flow = new SlowWithSignal();
    const controller = new AbortController();
    const stream = Workflow.stream(flow, undefined, { signal: controller.signal });
    await stream.next(); // taskStart slow
    const closing = stream.return();
    controller.abort('the caller, too late');
    flow.gates.open('slow', 1);
    await closing;
    const error = await rejectionOf(stream.result, WorkflowAbortedError);
    expect((error.cause as DOMException).message).to.equal(
      'the stream was closed before the run ended',
    );
    expect(flow.reasons).to.deep.equal([error.cause]);
  });

  it('leaves no listener on the caller’s signal once the run has settled', async () => {
    const controller = new AbortController();
    await readAll(Workflow.stream(new Pipeline(), 1, { signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('never leaves an unhandled rejection when nobody reads the events or the result', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      class Flow {
        @Task() broken(): number {
          throw new Error('boom');
        }
      }
      Workflow.stream(new Flow());
      await settle(3);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('is no synchronous iterable, so deep-equality matchers compare it as an object (sinon, vitest)', async () => {
    // sinon's calledWith and deepEqual, vitest's toEqual and toHaveBeenCalledWith (jest's too, in
    // some versions) iterate any object with a Symbol.iterator: a method that throws there would
    // make a test that hands a stream to a spy throw instead of pass.
    const tm = buildDag({ name: 'seed' });
    tm.addNode(function one(): number {
      return 1;
    });
    const run = tm.stream();
    const other = tm.stream();
    const spy = sinon.spy();
    spy(run);
    expect(spy.calledWith(run)).to.equal(true);
    expect(spy.calledWith(other)).to.equal(false);
    expect(sinon.match(run).test(run)).to.equal(true);
    expect(Symbol.iterator in run).to.equal(false);
    // for await still reads it: async iteration is its only iteration.
    const { events, error } = await readAll(run);
    expect(events.map((event) => event.type)).to.deep.equal(['taskStart', 'taskSuccess']);
    expect(error).to.equal(undefined);
    await other.result;
  });

  it('throws at once what invoke would reject with', () => {
    class Empty {}
    expect(() => Workflow.stream(new Empty())).to.throw(WorkflowDefinitionError, /no @Task\(\)/);
    expect(() => Workflow.stream(new Pipeline(), 1, { concurrency: 0 })).to.throw(
      WorkflowOptionsError,
      /concurrency/,
    );
    expect(() => Workflow.stream(42 as never)).to.throw(TypeError);
  });

  it('feeds hooks and the stream from the same run', async () => {
    const hooked: string[] = [];
    const { events } = await readAll(
      Workflow.stream(new Pipeline(), 1, {
        hooks: { onTaskSuccess: ({ task }) => hooked.push(task) },
      }),
    );
    expect(hooked).to.deep.equal(
      events.filter((event) => event.type === 'taskSuccess').map((event) => event.task),
    );
  });

  it('never reports what a throwing hook prevented: one outcome per task, as in the trace', async () => {
    class Flaky {
      @Task({ retries: 2 }) async flaky(): Promise<string> {
        await settle();
        if (Flaky.calls++ === 0) throw new Error('first try');
        return 'ok';
      }
      static calls = 0;
    }
    const run = async (hooks: object) => {
      Flaky.calls = 0;
      const stream = Workflow.stream(new Flaky(), undefined, { hooks });
      const { events, error } = await readAll(stream);
      expect(error).to.be.instanceOf(WorkflowExecutionError);
      const [entry] = (error as WorkflowExecutionError).result.trace;
      return { events: summary(events), status: entry.status, calls: Flaky.calls, error };
    };
    const refuse = (message: string) => () => {
      throw new Error(message);
    };

    // onTaskStart throws: the task is not called, so it never started.
    expect(await run({ onTaskStart: refuse('no start') })).to.deep.include({
      events: ['taskFailure:flaky:1'],
      status: 'failed',
      calls: 0,
    });
    // onTaskRetry throws: no retry, so no "willRetry" failure either.
    const noRetry = await run({ onTaskRetry: refuse('no retry') });
    expect(noRetry).to.deep.include({
      events: ['taskStart:flaky:1', 'taskFailure:flaky:1'],
      status: 'failed',
      calls: 1,
    });
    expect((noRetry.error as WorkflowExecutionError).cause).to.have.property('message', 'no retry');
    // onTaskSuccess throws: the task failed, so it never succeeded.
    expect(await run({ onTaskSuccess: refuse('no success') })).to.deep.include({
      events: [
        'taskStart:flaky:1',
        'taskFailure:flaky:1',
        'taskStart:flaky:2',
        'taskFailure:flaky:2',
      ],
      status: 'failed',
      calls: 2,
    });
  });

  it('counts a value whose then cannot be read, returned by such a hook, as the hook’s throw', async () => {
    // A hook's return value is read for a `then` (an async hook's promise is watched): a Proxy
    // whose traps throw makes that read throw, before the hook's event reaches the stream.
    class Flow {
      @Task() async only() {
        await settle();
        return 1;
      }
    }
    const unreadable = () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('unreadable');
          },
        },
      );
    for (const hook of ['onTaskStart', 'onTaskSuccess']) {
      let calls = 0;
      const stream = Workflow.stream(new Flow(), undefined, {
        hooks: { [hook]: unreadable },
        overrides: {
          only: async () => {
            calls++;
            await settle();
            return 1;
          },
        },
      });
      const { events, error } = await readAll(stream);
      expect(error, hook).to.be.instanceOf(WorkflowExecutionError);
      expect((error as WorkflowExecutionError).cause).to.have.property('message', 'unreadable');
      expect((error as WorkflowExecutionError).result.trace[0].status).to.equal('failed');
      expect(summary(events), hook).to.deep.equal(
        hook === 'onTaskStart'
          ? ['taskFailure:only:1']
          : ['taskStart:only:1', 'taskFailure:only:1'],
      );
      expect(calls, hook).to.equal(hook === 'onTaskStart' ? 0 : 1);
    }
  });

  it('keeps the order of events that a hook made happen (an abort from onTaskSuccess)', async () => {
    const controller = new AbortController();
    const hooked: string[] = [];
    const stream = Workflow.stream(new CleansUp(), undefined, {
      signal: controller.signal,
      hooks: {
        onTaskStart: ({ task }) => hooked.push(`taskStart:${task}`),
        onTaskSuccess: ({ task }) => {
          hooked.push(`taskSuccess:${task}`);
          // Stops the run: `cleanup` starts once this hook has returned.
          if (task === 'a') controller.abort(new Error('enough'));
        },
      },
    });
    const { events, error } = await readAll(stream);
    expect(error).to.be.instanceOf(WorkflowAbortedError);
    expect(summary(events).map((line) => line.replace(/:1$/, ''))).to.deep.equal(hooked);
    expect(hooked).to.deep.equal([
      'taskStart:a',
      'taskSuccess:a',
      'taskStart:cleanup',
      'taskSuccess:cleanup',
    ]);
    expectTimesInOrder(events);
  });

  it('keeps that order when no hook is given for the events the hook made happen', async () => {
    // onTaskSuccess only: a's success aborts the run, which starts cleanup (no onTaskStart).
    const successAborts = new AbortController();
    const fromSuccess = await readAll(
      Workflow.stream(new CleansUp(), undefined, {
        signal: successAborts.signal,
        hooks: { onTaskSuccess: ({ task }) => task === 'a' && successAborts.abort('enough') },
      }),
    );
    expect(fromSuccess.error).to.be.instanceOf(WorkflowAbortedError);
    expect(summary(fromSuccess.events)).to.deep.equal([
      'taskStart:a:1',
      'taskSuccess:a',
      'taskStart:cleanup:1',
      'taskSuccess:cleanup',
    ]);
    expectTimesInOrder(fromSuccess.events);

    // onTaskRetry only: announcing flaky's retry aborts the run, which fails `waiting`, waiting
    // out its retry delay, for good before the hook returns (no onTaskFailure); once it returned,
    // the stop ends flaky's retry too, and cleanup starts.
    class Retries {
      @Task({ retries: 1 }) async flaky(): Promise<number> {
        await settle();
        throw new Error('down');
      }
      @Task({ retries: 1, retryDelay: 60_000 }) waiting(): number {
        throw new Error('busy');
      }
      @Task() @DependsOn('flaky') b(flaky: number) {
        return flaky;
      }
      @Task({ when: 'allSettled' }) @DependsOn('b') cleanup() {
        return 'cleaned';
      }
    }
    const retryAborts = new AbortController();
    const fromRetry = await readAll(
      Workflow.stream(new Retries(), undefined, {
        signal: retryAborts.signal,
        hooks: { onTaskRetry: ({ task }) => task === 'flaky' && retryAborts.abort('enough') },
      }),
    );
    expect(fromRetry.error).to.be.instanceOf(WorkflowAbortedError);
    expect(
      fromRetry.events.map((event) =>
        event.type === 'taskFailure'
          ? `${event.type}:${event.task}:willRetry=${event.willRetry}`
          : `${event.type}:${event.task}`,
      ),
    ).to.deep.equal([
      'taskStart:flaky',
      'taskStart:waiting',
      'taskFailure:waiting:willRetry=true',
      'taskFailure:flaky:willRetry=true',
      'taskFailure:waiting:willRetry=false',
      'taskFailure:flaky:willRetry=false',
      'taskStart:cleanup',
      'taskSuccess:cleanup',
    ]);
    expectTimesInOrder(fromRetry.events);
  });

  it('keeps that order when the hook of an event a hook made happen makes more happen', async () => {
    const controller = new AbortController();
    let runningContext: TaskContext | undefined;
    class Flow extends CleansUp {
      @Task() @DependsOn(CONTEXT) running(ctx: TaskContext) {
        runningContext = ctx;
        return new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      }
    }
    const stream = Workflow.stream(new Flow(), undefined, {
      signal: controller.signal,
      hooks: {
        // a's success aborts the run, which starts cleanup; cleanup's start reports progress.
        onTaskSuccess: ({ task }) => task === 'a' && controller.abort(new Error('enough')),
        onTaskStart: ({ task }) => task === 'cleanup' && runningContext!.progress('cleaning'),
      },
    });
    const { events } = await readAll(stream);
    expect(summary(events)).to.deep.equal([
      'taskStart:a:1',
      'taskStart:running:1',
      'taskSuccess:a',
      'taskStart:cleanup:1',
      'taskProgress:running:1',
      'taskSuccess:cleanup',
      'taskSuccess:running',
    ]);
    expectTimesInOrder(events);
  });
});

/** The storage of `stream`'s buffer, for checking which stream's it is. */
function bufferOf(stream: WorkflowStream<any, any>): unknown[] {
  return (stream as unknown as { log: { payloads: unknown[] } }).log.payloads;
}

describe('Workflow.stream: one buffer per plan, reused', () => {
  it('gives the buffer of a stream read to its end to the plan’s next stream, which reads only its own events', async () => {
    const first = Workflow.stream(new Pipeline(), 1);
    const buffer = bufferOf(first);
    expect(summary((await readAll(first)).events)).to.deep.equal(PIPELINE_EVENTS);
    const second = Workflow.stream(new Pipeline(), 2);
    expect(bufferOf(second)).to.equal(buffer);
    const { events } = await readAll(second);
    expect(summary(events)).to.deep.equal(PIPELINE_EVENTS);
    expect(events.at(-1)).to.include({ task: 'report', value: '#3=6' });
    // Nothing of a finished stream's events stays in the buffer it gave back.
    expect(buffer.every((slot) => slot === undefined)).to.equal(true);
  });

  it('keeps the plan’s entry for its buffer: later streams take the buffer out of it, not the entry out of the map', async () => {
    // Deleting a WeakMap entry and adding it back, once per stream, made V8 clear the deleted
    // entry in its runtime on every add (~800 instructions a streamed run).
    await readAll(Workflow.stream(new Pipeline(), 1));
    const { set, delete: remove } = WeakMap.prototype;
    const changed: string[] = [];
    WeakMap.prototype.set = function (
      this: WeakMap<WeakKey, unknown>,
      key: WeakKey,
      value: unknown,
    ) {
      if (Array.isArray(key)) changed.push(`set ${key.join()}`);
      return set.call(this, key, value);
    };
    WeakMap.prototype.delete = function (this: WeakMap<WeakKey, unknown>, key: WeakKey) {
      if (Array.isArray(key)) changed.push(`delete ${key.join()}`);
      return remove.call(this, key);
    };
    const reads: WorkflowEvent[][] = [];
    try {
      for (const n of [2, 3])
        reads.push((await readAll(Workflow.stream(new Pipeline(), n))).events);
    } finally {
      WeakMap.prototype.set = set;
      WeakMap.prototype.delete = remove;
    }
    expect(changed).to.deep.equal([]);
    for (const events of reads) expect(summary(events)).to.deep.equal(PIPELINE_EVENTS);
  });

  it('gives the buffer back once the last event is read, not when the run ends', async () => {
    const first = Workflow.stream(new Pipeline(), 1);
    await first.result;
    await first.next();
    // The run has ended with seven events unread: they are still first's.
    expect(bufferOf(Workflow.stream(new Pipeline(), 2))).not.to.equal(bufferOf(first));
    const rest = await readAll(first);
    expect(summary(rest.events)).to.deep.equal(PIPELINE_EVENTS.slice(1));
  });

  it('gives the buffer of a stream left early back empty', async () => {
    const first = Workflow.stream(new CleansUp());
    const buffer = bufferOf(first);
    expect((await first.next()).value).to.include({ type: 'taskStart', task: 'a' });
    await first.return();
    const second = Workflow.stream(new CleansUp());
    expect(bufferOf(second)).to.equal(buffer);
    expect(summary((await readAll(second)).events)).to.deep.equal([
      'taskStart:a:1',
      'taskSuccess:a',
      'taskStart:b:1',
      'taskSuccess:b',
      'taskStart:cleanup:1',
      'taskSuccess:cleanup',
    ]);
  });

  it('keeps the streams of one plan running at once apart, and one buffer for later', async () => {
    const streams = [1, 2, 3].map((n) => Workflow.stream(new Pipeline(), n));
    const buffers = streams.map(bufferOf);
    expect(new Set(buffers).size).to.equal(3);
    const reads = await Promise.all(streams.map(readAll));
    expect(reads.map(({ events }) => (events.at(-1) as { value: string }).value)).to.deep.equal([
      '#2=4',
      '#3=6',
      '#4=8',
    ]);
    // The first stream to finish gave its buffer back; the plan keeps that one only.
    const next = [Workflow.stream(new Pipeline(), 4), Workflow.stream(new Pipeline(), 5)];
    expect(buffers).to.include(bufferOf(next[0]));
    expect(buffers).not.to.include(bufferOf(next[1]));
    await Promise.all(next.map(readAll));
  });

  it('starts with room for a start and a success per task, so that a larger plan’s next stream gets the buffer too', async () => {
    // 20 tasks, 40 events: room for 64, not the 16 a one-task plan starts with (which would grow,
    // and so not be kept).
    const tm = buildDag<number>({ name: 'twenty' });
    for (let task = 0; task < 20; task++) {
      tm.addNode({ name: `t${task}` }, (n: number) => n + task, tm.parameterNode);
    }
    const first = tm.stream(1);
    const buffer = bufferOf(first);
    expect(buffer).to.have.length(64);
    expect((await readAll(first)).events).to.have.length(40);
    const second = tm.stream(2);
    expect(bufferOf(second)).to.equal(buffer);
    expect((await readAll(second)).events).to.have.length(40);
  });

  it('does not keep a buffer that grew: the next stream starts with the room a plan’s streams start with', async () => {
    class Reports {
      @Task() @DependsOn(CONTEXT) reports(@Param() count: number, ctx: TaskContext) {
        for (let sent = 0; sent < count; sent++) ctx.progress(sent);
        return 'done';
      }
    }
    // Room for 16 events at first: 100 reports, all unread when the run ends, make it grow.
    const grown = Workflow.stream(new Reports(), 100);
    expect(bufferOf(grown)).to.have.length.above(16);
    expect((await readAll(grown)).events).to.have.length(102);
    const small = Workflow.stream(new Reports(), 1);
    expect(bufferOf(small)).to.have.length(16);
    const buffer = bufferOf(small);
    expect((await readAll(small)).events).to.have.length(3);
    expect(bufferOf(Workflow.stream(new Reports(), 0))).to.equal(buffer);
  });
});

describe('DagBuilder.stream', () => {
  it('streams a builder run and seals the DAG', async () => {
    const tm = buildDag<number>({ name: 'streamed' });
    const a = tm.addNode({ name: 'a' }, (n: number) => n + 1, tm.parameterNode);
    tm.addNode({ name: 'b' }, (n: number) => n * 2, a);
    const stream = tm.stream(1);
    const { events } = await readAll(stream);
    expect(summary(events)).to.deep.equal([
      'taskStart:a:1',
      'taskSuccess:a',
      'taskStart:b:1',
      'taskSuccess:b',
    ]);
    expect((await stream.result).get('b')).to.equal(4);
    expect(() => tm.addNode(() => 0)).to.throw(WorkflowDefinitionError, /sealed/);
  });
});

describe('WorkflowStream in console.log and JSON', () => {
  it('shows its workflow and state, never its buffered events (task values) or inner state', async () => {
    const tm = buildDag<string>({ name: 'Tokens' });
    tm.addNode({ name: 'token' }, (key: string) => `Bearer ${key}`, tm.parameterNode);
    const stream = tm.stream('SECRET-123');
    await stream.result; // the events are buffered, unread
    expect(inspect(stream)).to.equal("WorkflowStream { workflow: 'Tokens', state: 'succeeded' }");
    expect(inspect({ run: stream }, { depth: 0 })).to.equal('{ run: [WorkflowStream] }');
    expect(JSON.stringify(stream)).to.equal('{"workflow":"Tokens","state":"succeeded"}');
    const events = await readAll(stream);
    expect(JSON.stringify(events)).to.contain('SECRET-123'); // read on purpose, the value is there

    const failing = buildDag({ name: 'Tokens' });
    failing.addNode({ name: 'token' }, () => Promise.reject(new Error('SECRET-456')));
    const failed = failing.stream();
    expect(inspect(failed)).to.equal("WorkflowStream { workflow: 'Tokens', state: 'running' }");
    await failed.result.catch(() => undefined);
    expect(inspect(failed)).to.equal("WorkflowStream { workflow: 'Tokens', state: 'failed' }");
    expect(inspect(failed, { depth: 5 })).not.to.contain('SECRET');
  });
});

describe('WorkflowStream with Node.js streams (docs/watching.md)', () => {
  /** `first`, then `waits`, which ends only when its signal aborts. */
  class WaitsForAbort {
    readonly reasons: unknown[] = [];
    @Task() first() {
      return 1;
    }
    @Task() @DependsOn('first') waits(_first: number, @Signal() signal: AbortSignal) {
      return new Promise<never>((_resolve, reject) =>
        signal.addEventListener('abort', () => {
          this.reasons.push(signal.reason);
          reject(signal.reason);
        }),
      );
    }
  }

  it('reads as Readable.from(stream): every event in order, and the run error as the stream error', async () => {
    const events: WorkflowEvent[] = [];
    for await (const event of Readable.from(Workflow.stream(new Pipeline(), 1))) events.push(event);
    expect(summary(events)).to.deep.equal(PIPELINE_EVENTS);

    class Failing {
      @Task() async boom(): Promise<number> {
        await settle();
        throw new Error('boom');
      }
    }
    const stream = Workflow.stream(new Failing());
    const read: WorkflowEvent[] = [];
    let thrown: unknown;
    try {
      for await (const event of Readable.from(stream)) read.push(event);
    } catch (error) {
      thrown = error;
    }
    expect(summary(read)).to.deep.equal(['taskStart:boom:1', 'taskFailure:boom:1']);
    expect(thrown).to.equal(await rejectionOf(stream.result, WorkflowExecutionError));
  });

  it('aborts the run when pipeline() destroys Readable.from(stream), while a task is still running', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    const caller = new AbortController(); // ends the run if the stream did not
    try {
      const flow = new WaitsForAbort();
      const stream = Workflow.stream(flow, undefined, { signal: caller.signal });
      const written: string[] = [];
      // A response whose client leaves once it got the start of `waits`, while `waits` runs (the
      // pipeline is waiting for the next event).
      const response = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          written.push(chunk.toString());
          callback();
          if (written.length === 3)
            void settle(2).then(() => response.destroy(new Error('client left')));
        },
      });
      const ndjson = async function* (events: AsyncIterable<WorkflowEvent>) {
        for await (const event of events) yield `${JSON.stringify(event)}\n`;
      };
      const piping = pipeline(Readable.from(stream), ndjson, response);
      expect(await rejectionOf(piping, Error)).to.have.property('message', 'client left');
      // `waits` never ends by itself: the run settles only because the pipeline aborted it.
      const outcome = await Promise.race([
        stream.result.then(
          () => 'succeeded',
          (error: unknown) => error,
        ),
        settle(20).then(() => 'still running'),
      ]);
      expect(outcome).to.be.instanceOf(WorkflowAbortedError);
      expect(flow.reasons).to.have.length(1);
      expect(written.map((line) => summary([JSON.parse(line) as WorkflowEvent])[0])).to.deep.equal([
        'taskStart:first:1',
        'taskSuccess:first',
        'taskStart:waits:1',
      ]);
      await settle(2);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      caller.abort();
      unhandled.stop();
    }
  });
});
