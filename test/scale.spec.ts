/** Large graphs: nothing recursive, nothing quadratic. */
import { expect } from 'chai';
import { Workflow, WorkflowDefinitionError } from '../src';
import { declareTask } from './support/declare-task';

/** Builds a class whose tasks form a chain t0 <- t1 <- … , the way tsc applies decorators. */
/** What `Workflow.validate` throws for `workflow`, or `undefined` when it is valid. */
function validationError(workflow: new () => object): WorkflowDefinitionError | undefined {
  try {
    Workflow.validate(workflow);
  } catch (error) {
    return error as WorkflowDefinitionError;
  }
  return undefined;
}

function chainClass(size: number, options: { async: boolean; closeLoop?: boolean }) {
  class Chain {}
  const prototype = Chain.prototype;
  for (let index = 0; index < size; index++) {
    const name = `t${index}`;
    const body = options.async
      ? (previous: number | undefined) => Promise.resolve((previous ?? 0) + 1)
      : (previous: number | undefined) => (previous ?? 0) + 1;
    const dependsOn = index > 0 ? [`t${index - 1}`] : options.closeLoop ? [`t${size - 1}`] : [];
    declareTask(prototype, name, body, { dependsOn });
  }
  return Chain;
}

describe('scale', function () {
  // 50,000-task workflows: up to 3 s each on a 2-core machine under the load of other test runs,
  // a third of mocha's 10 s default. No speed is asserted; the timeout only guards against a hang.
  this.timeout(30_000);
  it('validates and runs a 50,000-task synchronous chain without a stack overflow', async () => {
    const Chain = chainClass(50_000, { async: false });
    expect(Workflow.graph(Chain).order.at(-1)).to.equal('t49999');
    const result = await Workflow.invoke(new Chain());
    expect(result.get('t49999' as never)).to.equal(50_000);
  });

  it('runs a 50,000-task asynchronous chain', async () => {
    const Chain = chainClass(50_000, { async: true });
    const result = await Workflow.invoke(new Chain());
    expect(result.get('t49999' as never)).to.equal(50_000);
  });

  it('times every task of a plan over 512 tasks (its per-task arrays are typed arrays)', async () => {
    const Chain = chainClass(600, { async: true });
    const result = await Workflow.invoke(new Chain());
    const byTask = new Map(result.trace.map((entry) => [entry.task, entry]));
    expect(byTask.size).to.equal(600);
    const untimed: string[] = [];
    for (let index = 0; index < 600; index++) {
      const { start, end } = byTask.get(`t${index}`)!;
      const previousEnd = index === 0 ? 0 : byTask.get(`t${index - 1}`)!.end;
      // Each task starts once its dependency has ended, and ends after it starts.
      if (!(start >= previousEnd && end >= start)) untimed.push(`t${index}: ${start}..${end}`);
    }
    expect(untimed).to.deep.equal([]);
  });

  it('runs what the get trap of a Proxy instance gives, also for a class over 1,020 tasks', async () => {
    // Past V8's fast-property limit tasks are looked up in two steps; never on a Proxy, whose
    // traps must see every lookup as they would for `instance[name]`.
    const Chain = chainClass(1_100, { async: false });
    const looked: PropertyKey[] = [];
    const instance = new Proxy(new Chain(), {
      get(target, key, receiver) {
        looked.push(key);
        return key === 't0' ? () => 1_000 : Reflect.get(target, key, receiver);
      },
    });
    const result = await Workflow.invoke(instance);
    expect(result.get('t1099' as never)).to.equal(2_099);
    expect(looked.filter((key) => typeof key === 'string' && /^t\d+$/.test(key))).to.have.length(
      1_100,
    );
  });

  it('runs an instance property and an override in place of a method, also for a class over 1,020 tasks', async () => {
    // Past V8's fast-property limit a task is looked up on the instance's own properties, then on
    // the prototype: an instance property must still win, and `overrides` over both.
    const Chain = chainClass(1_100, { async: false });
    const instance = new Chain() as Record<string, unknown>;
    instance.t500 = (previous: number) => previous + 1_000;
    instance.t900 = () => {
      throw new Error('the override runs instead');
    };
    const result = await Workflow.invoke(instance, undefined, {
      overrides: { t900: (previous: number) => previous + 10_000 } as never,
    });
    // t0..t499 count 1..500; t500 adds 1,000; t501..t899 add 1 each; t900 adds 10,000.
    expect(result.get('t499' as never)).to.equal(500);
    expect(result.get('t500' as never)).to.equal(1_500);
    expect(result.get('t900' as never)).to.equal(1_500 + 399 + 10_000);
    expect(result.get('t1099' as never)).to.equal(1_500 + 399 + 10_000 + 199);
  });

  it('names a few of 50,000 tasks copied from a decorated class (applyMixins) in a short message', () => {
    const Mixin = chainClass(50_000, { async: false });
    class Sprite {}
    for (const name of Object.getOwnPropertyNames(Mixin.prototype)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(Mixin.prototype, name)!;
      Object.defineProperty(Sprite.prototype, name, descriptor);
    }
    const error = validationError(Sprite);
    expect(error?.code).to.equal('NO_TASKS');
    // Each copy is looked up in its class's records, not found by a scan of all 50,000 of them.
    expect(error?.message.length).to.be.below(2_000);
    expect(error?.message).to.contain(
      'its methods "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9" and 49,990 more ' +
        'were decorated in Chain and copied onto it',
    );
  });

  it('reports a 50,000-task cycle in a short message, with the whole cycle on the error', () => {
    const Loop = chainClass(50_000, { async: false, closeLoop: true });
    const error = validationError(Loop);
    expect(error?.code).to.equal('CYCLE');
    // Its ends, and how many tasks are left out between them: not a megabyte of task names.
    expect(error?.message.length).to.be.below(2_000);
    expect(error?.message).to.contain('t0 -> t1 -> t2');
    expect(error?.message).to.contain('-> t49 -> … 49,900 more … -> t49950 ->');
    expect(error?.message).to.contain('t49998 -> t49999 -> t0');
    const cycle = error!.cycle!;
    expect(cycle).to.have.length(50_001);
    expect([cycle[0], cycle[1], cycle[49_999], cycle[50_000]]).to.deep.equal([
      't0',
      't1',
      't49999',
      't0',
    ]);
    // Not enumerable, and not in the error's JSON, which stays as short as its message.
    const logged = JSON.parse(JSON.stringify(error));
    expect(logged).to.not.have.property('cycle');
    expect(logged.message).to.equal(error!.message);
    expect(JSON.stringify(error).length).to.be.below(error!.message.length + 200);
  });
});
