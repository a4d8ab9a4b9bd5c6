/**
 * Very large graphs and very many runs: a 100,000-task chain, a 100,000-wide fan-out/fan-in and
 * 10,000 concurrent invocations of one workflow. Prints time and heap figures (see README,
 * "Reliability"). Run with `npm run test:stress`.
 */
import { expect } from 'chai';
import { DependsOn, Param, Task, Workflow, type WorkflowClass } from '../../src';
import { declareTask } from '../support/declare-task';
import { measure } from './measure';

const SIZE = 100_000;

function chainClass(asynchronous: boolean): WorkflowClass {
  const Chain = class LongChain {};
  const prototype = Chain.prototype;
  for (let index = 0; index < SIZE; index++) {
    const body = asynchronous
      ? async (previous = 0) => previous + 1
      : (previous = 0) => previous + 1;
    declareTask(prototype, `t${index}`, body, { dependsOn: index === 0 ? [] : [`t${index - 1}`] });
  }
  return Chain;
}

function fanClass(): WorkflowClass {
  const Fan = class WideFan {};
  const prototype = Fan.prototype;
  const middle = Array.from({ length: SIZE }, (_, index) => `m${index}`);
  declareTask(prototype, 'source', () => 1);
  middle.forEach((name, index) => {
    declareTask(prototype, name, async (source: number) => source + index, {
      dependsOn: ['source'],
    });
  });
  declareTask(
    prototype,
    'sink',
    (...values: number[]) => values.reduce((sum, value) => sum + value, 0),
    { dependsOn: middle },
  );
  return Fan;
}

describe('stress: size', function () {
  for (const asynchronous of [false, true]) {
    const kind = asynchronous ? 'async' : 'sync';
    it(`validates and runs a ${SIZE.toLocaleString('en')}-task ${kind} chain`, async function () {
      const Chain = chainClass(asynchronous);
      await measure(`${kind} chain: build and validate the graph`, () => Workflow.validate(Chain));
      const { value: result } = await measure(`${kind} chain: one run`, () =>
        Workflow.invoke(new (Chain as new () => object)()),
      );
      expect(result.get(`t${SIZE - 1}` as never)).to.equal(SIZE);
      expect(result.trace).to.have.length(SIZE);
    });
  }

  it(`runs a ${SIZE.toLocaleString('en')}-wide fan-out/fan-in`, async function () {
    const Fan = fanClass();
    await measure('fan-out/fan-in: build and validate the graph', () => Workflow.validate(Fan));
    const { value: result } = await measure('fan-out/fan-in: one run', () =>
      Workflow.invoke(new (Fan as new () => object)()),
    );
    // sink = sum over i of (1 + i)
    expect(result.get('sink' as never)).to.equal(SIZE + (SIZE * (SIZE - 1)) / 2);
    expect(Workflow.graph(Fan).roots).to.deep.equal(['source']);
  });
});

describe('stress: concurrent invocations', function () {
  const INVOCATIONS = 10_000;

  class Example {
    private async step<T>(value: T, ticks: number): Promise<T> {
      for (let tick = 0; tick < ticks; tick++) await null;
      return value;
    }
    @Task() fastTaskA(@Param() n: number) {
      return this.step(n + 1, 1);
    }
    @Task() @DependsOn<Example>('fastTaskA') slowTaskB(a: number) {
      return this.step(a + 1, 10);
    }
    @Task() slowTaskA(@Param() n: number) {
      return this.step(n + 1, 5);
    }
    @Task() fastTaskB(@Param() n: number) {
      return this.step(n + 1, 2);
    }
    @Task() @DependsOn<Example>('slowTaskA', 'fastTaskB') fastTaskC(a: number, b: number) {
      return this.step(a + b, 1);
    }
    @Task() @DependsOn<Example>('fastTaskC', 'slowTaskB') endTask(c: number, b: number) {
      return this.step(c + b, 1);
    }
  }

  it(`runs ${INVOCATIONS.toLocaleString('en')} invocations of one instance at once, each with its own results`, async function () {
    const example = new Example();
    const { value: results } = await measure(
      `${INVOCATIONS.toLocaleString('en')} concurrent invocations of the seed example`,
      () => Promise.all(Array.from({ length: INVOCATIONS }, (_, n) => Workflow.invoke(example, n))),
    );
    results.forEach((result, n) => {
      expect(result.param).to.equal(n);
      // endTask = (n+1 + n+1) + (n+2) = 3n + 4
      expect(result.get('endTask')).to.equal(3 * n + 4);
    });
  });
});
