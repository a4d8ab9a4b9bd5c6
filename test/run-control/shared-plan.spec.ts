/**
 * Runs of one workflow share its plan, and the plan lends each run its scratch (counters, ready
 * queue, promise reactions) and takes it back when the run settles. These specs make runs overlap,
 * fail, abort and follow each other in every order that could leak one run's state into another's.
 */
import { expect } from 'chai';
import {
  buildDag,
  DependsOn,
  Param,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
} from '../../src';
import { declareTask } from '../support/declare-task';

/** Resolves with `value` after `turns` extra microtask turns: a deterministic, timer-free delay. */
async function after<T>(turns: number, value: T): Promise<T> {
  for (let turn = 0; turn < turns; turn++) await undefined;
  return value;
}

/** The seed's shape; each task waits a number of turns picked from the parameter, and `c` fails when asked. */
class Diamond {
  @Task() a(@Param() n: number) {
    return after(n % 3, n + 1);
  }
  @Task() b(@Param() n: number) {
    return after((n * 7) % 5, n * 2);
  }
  @Task() @DependsOn('a') c(a: number) {
    if (a % 10 === 0) return Promise.reject(new Error(`c refused ${a}`));
    return after(a % 4, a + 100);
  }
  @Task() @DependsOn('b', 'c') d(b: number, c: number) {
    return after(b % 2, b + c);
  }
}

/** What a run of `Diamond` with parameter `n` must give: its `d`, or the value `c` fails on. */
function expectedOfDiamond(n: number): { d: number } | { failsOn: number } {
  const a = n + 1;
  if (a % 10 === 0) return { failsOn: a };
  return { d: n * 2 + a + 100 };
}

describe('runs of one workflow', () => {
  it('keep their own values, failures and traces when hundreds overlap', async () => {
    const flow = new Diamond();
    const runs = Array.from({ length: 300 }, (_, n) =>
      Workflow.invoke(flow, n).then(
        (result) => ({ n, result, error: undefined }),
        (error: unknown) => ({ n, result: undefined, error }),
      ),
    );
    const outcomes = await Promise.all(runs);
    let failed = 0;
    for (const { n, result, error } of outcomes) {
      const expected = expectedOfDiamond(n);
      if ('failsOn' in expected) {
        failed++;
        expect(error, `run ${n}`).to.be.instanceOf(WorkflowExecutionError);
        expect((error as WorkflowExecutionError).task).to.equal('c');
        expect((error as Error).cause).to.have.property('message', `c refused ${expected.failsOn}`);
      } else {
        expect(error, `run ${n}`).to.equal(undefined);
        expect(result!.get('d'), `run ${n}`).to.equal(expected.d);
        expect(result!.trace.map((entry) => entry.task).sort()).to.deep.equal(['a', 'b', 'c', 'd']);
      }
    }
    expect(failed).to.equal(30);
  });

  it('start from the full dependency counts after a run that failed with tasks still waiting', async () => {
    const flow = new Diamond();
    // a = 10: c fails; d never ran, its counter was left at 1.
    const error = await Workflow.invoke(flow, 9).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    for (let n = 0; n < 5; n++) {
      const result = await Workflow.invoke(flow, n);
      expect({ d: result.get('d') }).to.deep.equal(expectedOfDiamond(n));
      expect(result.trace.map((entry) => entry.status)).to.deep.equal([
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
    }
  });

  it('start from the full dependency counts after an aborted run', async () => {
    const flow = new Diamond();
    const controller = new AbortController();
    const aborted = Workflow.invoke(flow, 1, { signal: controller.signal });
    controller.abort(new Error('enough'));
    const error = await aborted.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(WorkflowAbortedError);
    const result = await Workflow.invoke(flow, 1);
    expect(result.get('d')).to.equal(2 + 2 + 100);
  });

  it('alternate between a concurrency limit and none, each in its own order', async () => {
    const order: string[][] = [[], []];
    class Fan {
      constructor(private readonly log: string[]) {}
      @Task() root() {
        this.log.push('root');
        return after(1, 0);
      }
    }
    for (const name of ['x', 'y', 'z']) {
      declareTask(
        Fan.prototype,
        name,
        function (this: Fan) {
          (this as unknown as { log: string[] }).log.push(name);
          return after(1, name);
        },
        { dependsOn: ['root'] },
      );
    }
    const unlimited = Workflow.invoke(new Fan(order[0]));
    const limited = Workflow.invoke(new Fan(order[1]), undefined, { concurrency: 1 });
    const [free, one] = await Promise.all([unlimited, limited]);
    expect(order[0]).to.deep.equal(['root', 'x', 'y', 'z']);
    expect(order[1]).to.deep.equal(['root', 'x', 'y', 'z']);
    expect(free.get('z' as never)).to.equal('z');
    expect(one.get('z' as never)).to.equal('z');
    const again = await Workflow.invoke(new Fan([]), undefined, { concurrency: 2 });
    expect(again.trace).to.have.length(4);
  });

  it('nest: a task that invokes its own workflow gets its own run, at every depth', async () => {
    class Countdown {
      @Task() below(@Param() n: number): Promise<number> | number {
        if (n === 0) return 0;
        return Workflow.invoke(new Countdown(), n - 1).then((result) => result.get('total'));
      }
      @Task() @DependsOn('below') total(below: number) {
        return after(1, below + 1);
      }
    }
    const results = await Promise.all([5, 12, 0].map((n) => Workflow.invoke(new Countdown(), n)));
    expect(results.map((result) => result.get('total'))).to.deep.equal(
      [5, 12, 0].map((n) => n + 1),
    );
  });

  it('re-enter from hooks: a run of the same instance started inside onTaskStart or onTaskSuccess has its own scratch', async () => {
    const flow = new Diamond();
    const inner: Promise<unknown>[] = [];
    const startInner = (n: number) =>
      inner.push(
        Workflow.invoke(flow, n, { concurrency: 1 }).then(
          (result) => result.get('d'),
          (error: WorkflowExecutionError) => ({ failsOn: error.task }),
        ),
      );
    const outer = await Workflow.invoke(flow, 4, {
      concurrency: 1,
      hooks: {
        onTaskStart: ({ task }) => void startInner(task === 'a' ? 9 : 2),
        onTaskSuccess: () => void startInner(3),
      },
    });
    expect(outer.get('d')).to.equal((expectedOfDiamond(4) as { d: number }).d);
    expect(outer.trace.map((entry) => entry.task)).to.have.members(['a', 'b', 'c', 'd']);
    const values = await Promise.all(inner);
    expect(values).to.have.length(8);
    expect(values[0]).to.deep.equal({ failsOn: 'c' }); // n = 9: c refuses a = 10
    // Three starts of b, c, d (n = 2: d = 107) and four successes (n = 3: d = 110).
    expect(values.slice(1).sort()).to.deep.equal([107, 107, 107, 110, 110, 110, 110]);
  });

  it('nest streams: a stream of the same plan read to its end inside another’s loop keeps to its own events', async () => {
    const outerEvents: string[] = [];
    const innerValues: unknown[][] = [];
    for await (const event of Workflow.stream(new Diamond(), 1)) {
      outerEvents.push(`${event.type}:${event.task}`);
      const values: unknown[] = [];
      for await (const innerEvent of Workflow.stream(new Diamond(), 2)) {
        if (innerEvent.type === 'taskSuccess') values.push(innerEvent.value);
      }
      innerValues.push(values);
    }
    expect(outerEvents.filter((event) => event.startsWith('taskSuccess'))).to.have.length(4);
    expect(outerEvents).to.include('taskSuccess:d');
    for (const values of innerValues) expect(values).to.have.members([3, 4, 103, 107]);
  });

  it('abort together when they share a signal, one nested in a task of the other', async () => {
    const controller = new AbortController();
    let innerRun: Promise<unknown> | undefined;
    class Host {
      @Task() nest() {
        innerRun = Workflow.invoke(new Diamond(), 5, { signal: controller.signal });
        void innerRun.catch(() => undefined);
        controller.abort(new Error('request gone'));
        return innerRun;
      }
    }
    const outer = Workflow.invoke(new Host(), undefined, { signal: controller.signal });
    const [outerError, innerError] = await Promise.all([
      outer.then(
        () => undefined,
        (error: unknown) => error,
      ),
      Promise.resolve().then(() =>
        innerRun!.then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    ]);
    expect(outerError).to.be.instanceOf(WorkflowAbortedError);
    expect(innerError).to.be.instanceOf(WorkflowAbortedError);
    // The plan's scratch came back whole: a later run starts from the full counts.
    expect((await Workflow.invoke(new Diamond(), 5)).get('d')).to.equal(
      (expectedOfDiamond(5) as { d: number }).d,
    );
  });

  it('of a builder DAG overlap without sharing values', async () => {
    const dag = buildDag<number>();
    const input = dag.parameterNode;
    const doubled = dag.addNode((n: number) => after(n % 3, n * 2), input);
    const summed = dag.addNode((n: number, d: number) => after(d % 2, n + d), input, doubled);
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => dag.invoke(n)));
    results.forEach((result, n) => expect(summed.extractResult(result)).to.equal(3 * n));
  });

  it('of a large workflow (no scratch kept between runs) overlap correctly too', async () => {
    class Wide {}
    const width = 5_000;
    declareTask(Wide.prototype, 'start', (n: number) => after(1, n), { paramIndex: 0 });
    for (let leaf = 0; leaf < width; leaf++) {
      declareTask(Wide.prototype, `leaf${leaf}`, (n: number) => after(leaf % 3, n + leaf), {
        dependsOn: ['start'],
      });
    }
    const flow = new Wide();
    const [first, second] = await Promise.all([Workflow.invoke(flow, 0), Workflow.invoke(flow, 1)]);
    expect(first.get(`leaf${width - 1}` as never)).to.equal(width - 1);
    expect(second.get(`leaf${width - 1}` as never)).to.equal(width);
    expect(second.trace).to.have.length(width + 1);
  });
});
