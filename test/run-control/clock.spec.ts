/**
 * The trace's clock (src/clock.ts): tasks whose promises settle in one turn of the microtask queue
 * share one reading, and sharing never dates an end before the task settled, nor makes times go
 * back; and which reading dates each event (a progress report, a retry, an abort, a skip). Counts
 * of clock reads, lower bounds of busy waits and a clock set by hand, never wall-clock speed.
 */
import { expect } from 'chai';
import { mock } from 'node:test';
import sinon from 'sinon';
import {
  buildDag,
  CONTEXT,
  skip,
  TaskTimeoutError,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type Settled,
  type TaskContext,
  type WorkflowEvent,
  type WorkflowStream,
} from '../../src';
import { deferred, rejectionOf } from '../support/event-log';

/** Runs `body` with `performance.now` counted; returns what it returned and the count. */
async function countingClockReads<T>(body: () => Promise<T>): Promise<[T, number]> {
  const original = performance.now;
  let reads = 0;
  performance.now = function now(this: typeof performance) {
    reads++;
    return original.call(this);
  };
  try {
    const value = await body();
    return [value, reads];
  } finally {
    performance.now = original;
  }
}

/**
 * Replaces `performance.now` (which src/clock.ts calls afresh on every reading) with a clock the
 * test moves by hand, until `restore()`: the times of traces and events are then exact.
 */
function handSetClock(): { now: number; restore(): void } {
  const original = performance.now;
  const clock = {
    now: 1_000,
    restore: () => {
      performance.now = original;
    },
  };
  performance.now = () => clock.now;
  return clock;
}

/** `[type, time]` of every event of `stream`, read to its end. */
async function typesAndTimes(stream: WorkflowStream<any, any>): Promise<[string, number][]> {
  const events: [string, number][] = [];
  for await (const event of stream) events.push([event.type, event.time]);
  return events;
}

/** Keeps the thread busy for at least `ms` milliseconds. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('the trace clock', () => {
  it('is read once per turn of the microtask queue for tasks whose promises settle in it', async () => {
    const tm = buildDag<number>();
    const roots = Array.from({ length: 200 }, () =>
      tm.addNode(async (n: number) => n + 1, tm.parameterNode),
    );
    const sums = roots.map((root) => tm.addNode(async (value: number) => value * 2, root));
    const [result, reads] = await countingClockReads(() => tm.invoke(1));
    expect(sums.map((node) => node.extractResult(result))).to.deep.equal(sums.map(() => 4));
    // The start, one reading for the 200 roots, one for the 200 dependents (each reading by a
    // reaction's own `performance.now()` call: the counter sees it) — not 401.
    expect(reads).to.be.at.most(4);
    expect(result.trace).to.have.length(400);
  });

  it('reads the clock afresh for a promise that settled after the shared reading', async () => {
    const tm = buildDag();
    // `quick` settles when called: its reaction takes a reading to share (three tasks are in
    // flight). `slow` settles in a later job, after spinning 20 ms: its reaction comes after the
    // reading expired.
    tm.addNode({ name: 'quick' }, async () => 'quick');
    tm.addNode({ name: 'other' }, async () => 'other');
    tm.addNode({ name: 'slow' }, async () => {
      await undefined;
      busyWait(20);
      return 'slow';
    });
    const result = await tm.invoke();
    const [quick, , slow] = result.trace;
    expect(quick.task).to.equal('quick');
    expect(slow.task).to.equal('slow');
    expect(slow.end - slow.start).to.be.at.least(20);
    expect(quick.end).to.be.below(slow.end);
  });

  it('never dates an end before the task returned', async () => {
    const tm = buildDag();
    const returnedAt: number[] = [];
    const spinner = async (index: number) => {
      await undefined;
      busyWait(2);
      returnedAt[index] = performance.now();
      return index;
    };
    for (let index = 0; index < 5; index++)
      tm.addNode({ name: `task${index}` }, () => spinner(index));
    const before = performance.now();
    const outcome = tm.invoke();
    const after = performance.now();
    const result = await outcome;
    // The run began between `before` and `after`: its trace times are relative to that.
    result.trace.forEach((trace, index) => {
      expect(trace.end + after).to.be.at.least(returnedAt[index]);
      expect(trace.end + before).to.be.at.most(performance.now());
    });
  });

  it('never goes back when a task that settles at once reads it between shared readings', async () => {
    const tm = buildDag();
    // first's reaction takes a reading the others share (three tasks are in flight); then starts
    // `synchronous`, which returns a value after 5 ms and takes a fresh reading; second's reaction
    // was queued before the shared reading, and must not get an earlier time than that fresh one.
    const first = tm.addNode({ name: 'first' }, async () => 1);
    tm.addNode({ name: 'second' }, async () => 2);
    tm.addNode({ name: 'third' }, async () => 3);
    tm.addNode(
      { name: 'synchronous' },
      (value: number) => {
        busyWait(5);
        return value;
      },
      first,
    );
    const events: WorkflowEvent[] = [];
    for await (const event of tm.stream()) events.push(event);
    const times = events.map((event) => event.time);
    expect(times).to.deep.equal([...times].sort((x, y) => x - y));
    const successes = events.filter((event) => event.type === 'taskSuccess');
    expect(successes.map((event) => event.task)).to.deep.equal([
      'first',
      'synchronous',
      'second',
      'third',
    ]);
  });
});

describe('the reading that dates an event', () => {
  let clock: ReturnType<typeof handSetClock>;
  beforeEach(() => (clock = handSetClock()));
  afterEach(() => clock.restore());

  it('dates a progress report at the time it was reported', async () => {
    const tm = buildDag();
    const done = deferred<string>();
    let context: TaskContext | undefined;
    tm.addNode(
      { name: 'reports' },
      (ctx: TaskContext) => {
        context = ctx;
        return done.promise;
      },
      CONTEXT,
    );
    const stream = tm.stream();
    clock.now += 250;
    context!.progress('halfway');
    clock.now += 100;
    done.resolve('done');
    expect(await typesAndTimes(stream)).to.deep.equal([
      ['taskStart', 0],
      ['taskProgress', 250],
      ['taskSuccess', 350],
    ]);
  });

  it('dates a retry at the time it starts, not at the failure before it', async () => {
    const tm = buildDag();
    let calls = 0;
    tm.addNode({ name: 'flaky', retries: 1, retryDelay: 1 }, () => {
      if (++calls === 1) throw new Error('first attempt fails');
      return 'ok';
    });
    // The first attempt fails at once, inside stream(); the retry waits for its timer.
    const stream = tm.stream();
    clock.now += 40;
    expect(await typesAndTimes(stream)).to.deep.equal([
      ['taskStart', 0],
      ['taskFailure', 0],
      ['taskStart', 40],
      ['taskSuccess', 40],
    ]);
  });

  it('starts an allSettled task that an abort released at the time of the abort', async () => {
    const tm = buildDag();
    const slow = deferred<number>();
    const a = tm.addNode({ name: 'a' }, () => slow.promise);
    const b = tm.addNode({ name: 'b' }, (value: number) => value, a);
    tm.addNode({ name: 'cleanup', when: 'allSettled' }, (_b: Settled<number>) => 'cleaned', b);
    const controller = new AbortController();
    const run = tm.invoke(undefined, { signal: controller.signal });
    clock.now += 200;
    controller.abort('enough');
    clock.now += 100;
    slow.resolve(1);
    const error = await rejectionOf(run, WorkflowAbortedError);
    expect(
      error.result.trace.map(({ task, status, start, end }) => [task, status, start, end]),
    ).to.deep.equal([
      ['a', 'succeeded', 0, 300],
      ['cleanup', 'succeeded', 200, 200],
    ]);
    expect(error.result.durationMs).to.equal(300);
  });

  it('starts an allSettled task that a rejected async hook released at the time of the rejection', async () => {
    const tm = buildDag();
    const slow = deferred<number>();
    const hook = deferred();
    const a = tm.addNode({ name: 'a' }, () => slow.promise);
    const b = tm.addNode({ name: 'b' }, (value: number) => value, a);
    tm.addNode({ name: 'cleanup', when: 'allSettled' }, (_b: Settled<number>) => 'cleaned', b);
    const run = tm.invoke(undefined, {
      hooks: { onTaskStart: ({ task }) => (task === 'a' ? hook.promise : undefined) },
    });
    clock.now += 200;
    hook.reject(new Error('audit log down'));
    await Promise.resolve(); // the rejection reaches the run a job later
    clock.now += 100;
    slow.resolve(1);
    const error = await rejectionOf(run, WorkflowExecutionError);
    expect(error.failures.map(({ task }) => task)).to.deep.equal(['a']);
    expect(
      error.result.trace.map(({ task, status, start, end }) => [task, status, start, end]),
    ).to.deep.equal([
      ['a', 'succeeded', 0, 300],
      ['cleanup', 'succeeded', 200, 200],
    ]);
  });

  it('dates a task skipped before it started at the skip, start and end alike', async () => {
    const tm = buildDag();
    const ready = deferred();
    const a = tm.addNode({ name: 'a' }, async () => {
      await ready.promise;
      skip('nothing to do');
    });
    tm.addNode({ name: 'b' }, (value: unknown) => value, a);
    const run = tm.invoke();
    clock.now += 300;
    ready.resolve();
    const result = await run;
    expect(
      result.trace.map(({ task, status, start, end, attempts }) => [
        task,
        status,
        start,
        end,
        attempts,
      ]),
    ).to.deep.equal([
      ['a', 'skipped', 0, 300, 1],
      ['b', 'skipped', 300, 300, 0],
    ]);
  });

  it('dates the end of each task when it ends: through its attempt policy, or failing', async () => {
    const tm = buildDag();
    const slow = deferred<string>();
    const broken = deferred<string>();
    tm.addNode({ name: 'other' }, () => 'other');
    tm.addNode({ name: 'timed', timeout: 60_000 }, () => slow.promise);
    tm.addNode({ name: 'broken' }, () => broken.promise);
    const run = tm.invoke(undefined, { failFast: false });
    clock.now += 100;
    slow.resolve('slow');
    await slow.promise;
    clock.now += 200;
    broken.reject(new Error('broken'));
    const error = await rejectionOf(run, WorkflowExecutionError);
    expect(
      error.result.trace.map(({ task, status, start, end }) => [task, status, start, end]),
    ).to.deep.equal([
      ['other', 'succeeded', 0, 0],
      ['timed', 'succeeded', 0, 100],
      ['broken', 'failed', 0, 300],
    ]);
  });

  it('dates each task of a chain of skips at the skip, and leaves the times of the others alone', async () => {
    const tm = buildDag();
    const ready = deferred();
    tm.addNode({ name: 'other' }, () => 'other');
    const a = tm.addNode({ name: 'a' }, async () => {
      await ready.promise;
      skip('nothing to do');
    });
    const b = tm.addNode({ name: 'b' }, (value: unknown) => value, a);
    const c = tm.addNode({ name: 'c' }, (value: unknown) => value, b);
    tm.addNode({ name: 'd' }, (value: unknown) => value, c);
    const run = tm.invoke();
    clock.now += 300;
    ready.resolve();
    const result = await run;
    expect(
      result.trace.map(({ task, status, start, end }) => [task, status, start, end]),
    ).to.deep.equal([
      ['other', 'succeeded', 0, 0],
      ['a', 'skipped', 0, 300],
      ['b', 'skipped', 300, 300],
      ['c', 'skipped', 300, 300],
      ['d', 'skipped', 300, 300],
    ]);
  });
});

describe('the trace clock under fake timers', () => {
  /**
   * Puts a performance object of its own in place of `globalThis.performance`, and a `setTimeout`
   * of its own in place of the global one, as the fake timers of vitest 3 (`vi.useFakeTimers()`)
   * and older @sinonjs/fake-timers do, until `restore()`.
   */
  function replacedPerformance(): { now: number; restore(): void } {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'performance')!;
    const originalSetTimeout = Object.getOwnPropertyDescriptor(globalThis, 'setTimeout')!;
    const clock = {
      now: 5_000,
      restore: () => {
        Object.defineProperty(globalThis, 'performance', original);
        Object.defineProperty(globalThis, 'setTimeout', originalSetTimeout);
      },
    };
    Object.defineProperty(globalThis, 'performance', {
      configurable: true,
      writable: true,
      value: { now: () => clock.now },
    });
    const realSetTimeout = globalThis.setTimeout;
    Object.defineProperty(globalThis, 'setTimeout', {
      configurable: true,
      writable: true,
      value: (...args: Parameters<typeof setTimeout>) => realSetTimeout(...args),
    });
    return clock;
  }

  it('dates runs by the real clock again once the fake timers are gone', async () => {
    const clock = replacedPerformance();
    const tm = buildDag();
    tm.addNode({ name: 'waits' }, () => new Promise((resolve) => setTimeout(resolve, 5)));
    try {
      expect((await tm.invoke()).durationMs).to.equal(0); // the fake clock stood still
    } finally {
      clock.restore();
    }
    // A run started now reads the real clock: the fake one would still read 0.
    expect((await tm.invoke()).durationMs).to.be.at.least(4);
  });

  it('keeps a run started on the real clock on it when another run starts under fake timers', async () => {
    const ready = deferred<string>();
    const slow = buildDag({ name: 'slow' });
    slow.addNode({ name: 'first' }, () => 1);
    slow.addNode({ name: 'waits' }, () => ready.promise);
    const stream = slow.stream(undefined);
    const reading = typesAndTimes(stream);
    await Promise.resolve(); // the stream has read its first events
    busyWait(20);
    const clock = replacedPerformance();
    clock.now = 0; // before any real reading: dated by it, the run would end before it started
    try {
      const quick = buildDag({ name: 'quick' });
      quick.addNode({ name: 'q' }, () => 1);
      expect((await quick.invoke()).durationMs).to.equal(0);
      ready.resolve('done');
      await reading;
    } finally {
      clock.restore();
    }
    const times = (await reading).map(([, time]) => time);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    const result = await stream.result;
    expect(result.durationMs).to.be.at.least(19);
    const waits = result.trace.find((entry) => entry.task === 'waits')!;
    expect(waits.end - waits.start).to.be.at.least(19);
  });

  /**
   * The duration of a run started under fake timers that `install` puts in place (and that advance
   * 250 ms), which end before the run does while another run starts on the real clock.
   */
  async function durationAcrossRemoval(
    install: () => { advance(): Promise<unknown> | void; remove(): void },
  ): Promise<number> {
    const ready = deferred<string>();
    const tm = buildDag();
    tm.addNode({ name: 'waits' }, () => ready.promise);
    const timers = install();
    let run: ReturnType<typeof tm.invoke>;
    try {
      run = tm.invoke();
      await timers.advance();
    } finally {
      timers.remove();
    }
    const other = buildDag();
    other.addNode({ name: 'quick' }, () => 1);
    await other.invoke();
    ready.resolve('done');
    return (await run).durationMs;
  }

  it('keeps a run started under fake timers on their clock once they are removed', async () => {
    const duration = await durationAcrossRemoval(() => {
      const clock = replacedPerformance();
      return { advance: () => void (clock.now += 250), remove: clock.restore };
    });
    // The fake clock read 5,250 when it was removed, and still does; the real one is far from it.
    expect(duration).to.equal(250);
  });

  it('dates runs on two clocks that settle in one turn each by its own', async () => {
    const ready = deferred<string>();
    const waitingThree = (name: string) => {
      const tm = buildDag({ name });
      for (const task of ['a', 'b', 'c']) tm.addNode({ name: task }, () => ready.promise);
      return tm;
    };
    const [fakeDag, realDag] = [waitingThree('UnderFake'), waitingThree('OnReal')];
    const clock = replacedPerformance();
    clock.now = 1e9; // days away from the real clock
    let underFake: ReturnType<typeof fakeDag.invoke>;
    try {
      underFake = fakeDag.invoke();
      clock.now += 250;
    } finally {
      clock.restore();
    }
    const onReal = realDag.invoke();
    // All six reactions run in one turn. The first (the run under fake timers subscribed first)
    // starts sharing its reading; the other run's must read their own clock.
    ready.resolve('done');
    const [real, fake] = [await onReal, await underFake];
    expect(fake.trace.map(({ end }) => end)).to.deep.equal([250, 250, 250]);
    for (const { end } of real.trace) expect(end).to.be.within(0, 1_000);
  });

  it('keeps a run on the real clock when sinon replaces performance.now in place', async () => {
    const ready = deferred<string>();
    const tm = buildDag();
    tm.addNode({ name: 'waits' }, () => ready.promise);
    const run = tm.invoke();
    busyWait(20);
    const fake = sinon.useFakeTimers();
    try {
      ready.resolve('done');
      const result = await run;
      expect(result.durationMs).to.be.at.least(19);
      expect(result.trace[0].end).to.be.at.least(19);
    } finally {
      fake.restore();
    }
  });

  it('dates a run started under sinon fake timers by their clock', async () => {
    const fake = sinon.useFakeTimers({ now: 1_000 });
    try {
      const tm = buildDag();
      tm.addNode({ name: 'sleeps' }, () => new Promise((resolve) => setTimeout(resolve, 300)));
      const run = tm.invoke();
      await fake.tickAsync(300);
      const result = await run;
      expect(result.durationMs).to.equal(300);
      expect(result.trace.map(({ start, end }) => [start, end])).to.deep.equal([[0, 300]]);
    } finally {
      fake.restore();
    }
  });

  it('keeps a run started under sinon fake timers on their clock once they are restored', async () => {
    const duration = await durationAcrossRemoval(() => {
      const fake = sinon.useFakeTimers({ now: 1_000 });
      return { advance: () => fake.tickAsync(250), remove: () => fake.restore() };
    });
    expect(duration).to.equal(250);
  });

  it('dates the trace with the performance object in place when the run starts', async () => {
    const clock = replacedPerformance();
    try {
      const ready = deferred<string>();
      const tm = buildDag();
      tm.addNode({ name: 'slow' }, () => ready.promise);
      const run = tm.invoke();
      clock.now += 3_000;
      ready.resolve('done');
      const result = await run;
      expect(result.trace.map(({ task, start, end }) => [task, start, end])).to.deep.equal([
        ['slow', 0, 3_000],
      ]);
      expect(result.durationMs).to.equal(3_000);
    } finally {
      clock.restore();
    }
  });
});

/**
 * node:test's mock timers, as docs/testing.md describes them: they fake `setTimeout` (so a task's
 * `timeout` and `retryDelay`) but not `performance`, and have only synchronous methods, so the
 * test lets promise reactions run (`setImmediate`, which stays real) before each `tick()`.
 */
describe("the trace clock under node:test's mock timers", () => {
  /** Enables the mock for `setTimeout` only, without its ExperimentalWarning in the test output. */
  function enableMockTimeout(): void {
    const emitWarning = process.emitWarning;
    process.emitWarning = () => {};
    try {
      mock.timers.enable({ apis: ['setTimeout'] });
    } finally {
      process.emitWarning = emitWarning;
    }
  }
  const reactions = () => new Promise((resolve) => setImmediate(resolve));

  it('drives retry delays and timeouts, and leaves the trace dated by performance', async () => {
    const clock = handSetClock();
    enableMockTimeout();
    try {
      let calls = 0;
      const flaky = buildDag({ name: 'flaky' });
      flaky.addNode({ name: 'ping', retries: 1, retryDelay: 1_000 }, async () => {
        if (++calls === 1) throw new Error('try again');
        return 'pong';
      });
      const run = flaky.invoke();
      await reactions();
      mock.timers.tick(999);
      await reactions();
      expect(calls).to.equal(1);
      clock.now += 7;
      mock.timers.tick(1);
      const result = await run;
      expect(result.trace).to.deep.equal([
        { task: 'ping', status: 'succeeded', start: 0, end: 7, attempts: 2 },
      ]);

      const hangs = buildDag({ name: 'hangs' });
      hangs.addNode({ name: 'hang', timeout: 5_000 }, () => new Promise<never>(() => {}));
      const failed = rejectionOf(hangs.invoke(), WorkflowExecutionError);
      await reactions();
      mock.timers.tick(5_000);
      const error = await failed;
      expect(error.cause).to.be.instanceOf(TaskTimeoutError);
      expect(error.result.durationMs).to.equal(0); // performance stood still
    } finally {
      mock.timers.reset();
      clock.restore();
    }
  });
});
