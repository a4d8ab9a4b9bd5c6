/**
 * Every public path through a 100,000-task graph — skips, failures with and without failFast,
 * cleanup tasks, aborts, retries, fallbacks, targets, overrides, the stream, a cycle, the builder,
 * the pictures and JSON, and a class 130,000 levels of inheritance deep — finishes without a stack
 * overflow. Each step prints its time; none is asserted on (speed belongs in the benchmark). A test
 * takes a few seconds here, and anything quadratic would take minutes at this size: the mocha
 * timeout below is the hang guard that catches it. Run with `npm run test:stress`.
 */
import { expect } from 'chai';
import {
  buildDag,
  formatTimeline,
  skip,
  toMermaidGantt,
  Workflow,
  WorkflowAbortedError,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  type TaskOptions,
  type WorkflowClass,
} from '../../src';
import { declareTask } from '../support/declare-task';
import { measure } from './measure';

const SIZE = 100_000;
const LAST = `t${SIZE - 1}`;
/** How long a test may run before mocha calls it hung: anything quadratic takes minutes. */
const HANG_GUARD_MS = 60_000;

/** Tasks t0 <- t1 <- … <- t(SIZE-1), each with the body and options made for its index. */
function chainClass(
  body: (index: number) => (...args: any[]) => unknown,
  options: (index: number) => TaskOptions | undefined = () => undefined,
  closeLoop = false,
): WorkflowClass {
  const Chain = class LongChain {};
  for (let index = 0; index < SIZE; index++) {
    const dependsOn = index > 0 ? [`t${index - 1}`] : closeLoop ? [LAST] : [];
    declareTask(Chain.prototype, `t${index}`, body(index), { dependsOn, options: options(index) });
  }
  return Chain;
}

/** `source`, SIZE tasks m0… that each depend on it, and `sink` depending on all of them. */
function fanClass(
  middle: (index: number) => (...args: any[]) => unknown,
  sinkOptions?: TaskOptions,
  middleOptions?: TaskOptions,
): WorkflowClass {
  const Fan = class WideFan {};
  const names = Array.from({ length: SIZE }, (_, index) => `m${index}`);
  declareTask(Fan.prototype, 'source', () => 1);
  names.forEach((name, index) =>
    declareTask(Fan.prototype, name, middle(index), {
      dependsOn: ['source'],
      options: middleOptions,
    }),
  );
  declareTask(Fan.prototype, 'sink', (...values: unknown[]) => values, {
    dependsOn: names,
    options: sinkOptions,
  });
  return Fan;
}

const increment =
  () =>
  (previous = 0) =>
    previous + 1;
const instanceOf = (workflowClass: WorkflowClass) => new (workflowClass as new () => object)();

/** Runs `work` and prints its figures (see `measure`). */
async function timed<T>(label: string, work: () => Promise<T> | T): Promise<T> {
  return (await measure(label, work)).value;
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the run should reject'),
    (error: unknown) => error,
  );
}

describe('stress: every path through 100,000 tasks', function () {
  this.timeout(HANG_GUARD_MS);
  it('skips a whole chain when its first task skips, and draws and serializes it', async () => {
    const Chain = chainClass((index) => (index === 0 ? () => skip('nothing to do') : increment()));
    const result = await timed('skip cascade', () => Workflow.invoke(instanceOf(Chain)));
    expect(result.trace).to.have.length(SIZE);
    expect(result.trace.at(-1)).to.include({
      status: 'skipped',
      reason: `dependency "t99998" was skipped`,
    });
    await timed('timeline of the skips', () => formatTimeline(result));
    await timed('Gantt chart of the skips', () => toMermaidGantt(result));
    await timed('JSON of the skips', () => JSON.stringify(result));
  });

  it('stops at a failure with failFast, and skips every dependent without', async () => {
    const Chain = chainClass((index) =>
      index === 0
        ? () => {
            throw new Error('broken');
          }
        : increment(),
    );
    const stopped = (await timed('failure, failFast', () =>
      rejection(Workflow.invoke(instanceOf(Chain))),
    )) as WorkflowExecutionError;
    expect(stopped.result.trace).to.have.length(1);
    const finished = (await timed('failure, failFast: false', () =>
      rejection(Workflow.invoke(instanceOf(Chain), undefined, { failFast: false })),
    )) as WorkflowExecutionError;
    expect(finished.failures).to.have.length(1);
    expect(finished.result.trace).to.have.length(SIZE);
    const json = await timed('JSON of the error', () => JSON.stringify(finished));
    expect(JSON.parse(json).result.trace).to.have.length(SIZE);
  });

  it('runs a chain of cleanup tasks after the failure that stopped the run', async () => {
    const Chain = chainClass(
      (index) =>
        index === 0
          ? () => {
              throw new Error('broken');
            }
          : (previous: { status: string; value?: number }) =>
              previous.status === 'succeeded' ? previous.value! + 1 : 1,
      (index) => (index === 0 ? undefined : { when: 'allSettled' }),
    );
    const error = (await timed('allSettled chain after a failure', () =>
      rejection(Workflow.invoke(instanceOf(Chain))),
    )) as WorkflowExecutionError;
    expect(error.result.get(LAST as never)).to.equal(SIZE - 1);
  });

  it('gives a cleanup fan-in every task an abort left unstarted, as skipped', async () => {
    const Fan = fanClass(
      () => async (source: number) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return source;
      },
      { when: 'allSettled' },
    );
    const controller = new AbortController();
    const run = Workflow.invoke(instanceOf(Fan), undefined, {
      signal: controller.signal,
      concurrency: 100,
    });
    setTimeout(() => controller.abort(new Error('enough')), 5);
    const error = (await timed('abort with a cleanup fan-in', () =>
      rejection(run),
    )) as WorkflowAbortedError;
    expect(error).to.be.instanceOf(WorkflowAbortedError);
    const settled = error.result.get('sink' as never) as { status: string }[];
    expect(settled).to.have.length(SIZE);
    expect(settled.filter((argument) => argument.status === 'skipped').length).to.be.above(0);
  });

  it('retries every task of a fan-out once, and recovers a chain of failures with fallbacks', async () => {
    const failedOnce = new Uint8Array(SIZE);
    const Fan = fanClass(
      (index) => (source: number) => {
        if (failedOnce[index]++ === 0) throw new Error('flaky');
        return source + index;
      },
      undefined,
      { retries: 1 },
    );
    const result = await timed('a retry per task', () => Workflow.invoke(instanceOf(Fan)));
    expect(result.trace.filter((entry) => entry.attempts === 2)).to.have.length(SIZE);
    const Chain = chainClass(
      () => () => {
        throw new Error('broken');
      },
      () => ({ fallback: () => 7 }),
    );
    const recovered = await timed('a fallback per task', () => Workflow.invoke(instanceOf(Chain)));
    expect(recovered.get(LAST as never)).to.equal(7);
  });

  it('runs targets, overrides, a concurrency limit and a stream of a chain', async () => {
    const Chain = chainClass(increment);
    const targeted = await timed('targets', () =>
      Workflow.invoke(instanceOf(Chain), undefined, { targets: ['t49999' as never] }),
    );
    expect(targeted.trace).to.have.length(SIZE / 2);
    const overridden = await timed('overrides and concurrency 1', () =>
      Workflow.invoke(instanceOf(Chain), undefined, {
        overrides: { t0: () => 1_000 } as never,
        concurrency: 1,
      }),
    );
    expect(overridden.get(LAST as never)).to.equal(SIZE + 999);
    const events = await timed('stream', async () => {
      let count = 0;
      for await (const event of Workflow.stream(instanceOf(Chain))) count += event ? 1 : 0;
      return count;
    });
    expect(events).to.equal(2 * SIZE);
  });

  it('reports a 100,000-task cycle in a message of a few lines', async () => {
    const Loop = chainClass(increment, undefined, true);
    const error = await timed('cycle', () => {
      try {
        Workflow.validate(Loop);
      } catch (e) {
        return e as WorkflowDefinitionError;
      }
      return expect.fail('a cycle');
    });
    expect(error.code).to.equal('CYCLE');
    expect(error.message.length).to.be.below(2_000);
    expect(error.cycle).to.have.length(SIZE + 1);
  });

  it('builds, draws and runs a 100,000-node builder chain', async () => {
    const tm = buildDag<number>({ name: 'chain' });
    const nodes = await timed('addNode', () => {
      let previous = tm.addNode((n: number) => n + 1, tm.parameterNode);
      const all = [previous];
      for (let index = 1; index < SIZE; index++) {
        previous = tm.addNode((n: number) => n + 1, previous);
        all.push(previous);
      }
      return all;
    });
    await timed('builder graph and Mermaid text', () => tm.toMermaid());
    const result = await timed('builder run', () => tm.invoke(0));
    expect(nodes.at(-1)!.extractResult(result)).to.equal(SIZE);
    const half = await timed('builder targets by node', () =>
      tm.invoke(0, { targets: [nodes[SIZE / 2 - 1]] }),
    );
    expect(half.trace).to.have.length(SIZE / 2);
    await timed(
      'builder timeline and Gantt chart',
      () => formatTimeline(result) + toMermaidGantt(result),
    );
  });

  it('scans a class 130,000 levels of inheritance deep, each level adding a task', async () => {
    let Deepest: WorkflowClass = class Base {};
    declareTask(Deepest.prototype, 't0', () => 0);
    await timed('130,000 subclasses', () => {
      for (let level = 1; level < 130_000; level++) {
        const Base = Deepest;
        Deepest = class extends Base {};
        declareTask(Deepest.prototype, `t${level}`, () => level, { dependsOn: [`t${level - 1}`] });
      }
    });
    const graph = await timed('deep scan', () => Workflow.graph(Deepest));
    expect(graph.order).to.have.length(130_000);
    expect(graph.order.at(-1)).to.equal('t129999');
  });
});
