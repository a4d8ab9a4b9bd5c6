/**
 * The trace's clock (src/clock.ts): tasks whose promises settle in one turn of the microtask queue
 * share one reading, and sharing never dates an end before the task settled, nor makes times go
 * back. Counts of clock reads and lower bounds of busy waits, never wall-clock speed.
 */
import { expect } from 'chai';
import { buildDag, type WorkflowEvent } from '../../src';

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
