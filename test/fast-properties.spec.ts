/**
 * The objects the run loop reads on every task stay in V8's fast mode, where a property load is
 * an inlined offset. An object in dictionary mode turns each load into a hash lookup in a generic
 * inline-cache stub: a plan built as an object literal with one getter was one (V8 keeps any
 * literal with an accessor in dictionary mode), and its ~40 loads per invoke of the seed graph
 * cost 17% of the invoke (callgrind: 3,300 of 19,500 instructions). V8-specific: skipped where the
 * engine cannot say.
 */
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { buildDag, DependsOn, Param, Task, Workflow } from '../src';
import { Run } from '../src/scheduler';
import { planFor } from '../src/scanner';

/** V8's own answer, through a native made callable for this file; `undefined` off V8. */
const hasFastProperties = ((): ((value: object) => boolean) | undefined => {
  try {
    setFlagsFromString('--allow-natives-syntax');
    return new Function('value', 'return %HasFastProperties(value)') as (value: object) => boolean;
  } catch {
    return undefined;
  }
})();

/** The `Run` of one invoke, caught as it calls its first task. */
async function runOf(invoke: () => Promise<unknown>): Promise<Run<object, unknown>> {
  const call = Run.prototype.call;
  let caught: Run<object, unknown> | undefined;
  Run.prototype.call = function (this: Run<object, unknown>, ...args) {
    if (caught === undefined) caught = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the run under test
    return call.apply(this, args);
  };
  try {
    await invoke();
  } finally {
    Run.prototype.call = call;
  }
  return caught!;
}

class Checkout {
  @Task() user(@Param() id: number) {
    return { id };
  }
  @Task({ retries: 1, priority: 2 }) @DependsOn('user') cart(user: { id: number }) {
    return [user.id];
  }
  @Task({ when: 'allSettled' }) @DependsOn('cart') audit() {
    return 'logged';
  }
}

describe('objects read on every task', () => {
  before(function () {
    if (hasFastProperties === undefined) this.skip();
  });

  it('a class’s plan, before and after its lazy parts (ranks, graph) are made', () => {
    const plan = planFor(Checkout.prototype);
    expect(hasFastProperties!(plan)).to.equal(true);
    expect(plan.ranks()).to.have.length(3);
    expect(plan.graph().order).to.deep.equal(['user', 'cart', 'audit']);
    expect(hasFastProperties!(plan)).to.equal(true);
  });

  it('a builder’s plan, and the run and its settings, limited or not', async () => {
    const dag = buildDag<number>({ name: 'Doubling' });
    const doubled = dag.addNode({ name: 'doubled' }, (n: number) => n * 2, dag.parameterNode);
    dag.addNode({ name: 'plusOne' }, (n: number) => n + 1, doubled);
    for (const invoke of [
      () => dag.invoke(1),
      () => dag.invoke(1, { concurrency: 1 }),
      () => Workflow.invoke(new Checkout(), 7, { concurrency: 2 }),
    ]) {
      const run = await runOf(invoke);
      expect(hasFastProperties!(run.plan), 'plan').to.equal(true);
      expect(hasFastProperties!(run), 'run').to.equal(true);
      expect(hasFastProperties!(run.settings), 'settings').to.equal(true);
    }
  });
});
