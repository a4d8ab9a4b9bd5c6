/**
 * Two copies of the package in one process — the CommonJS and the ES-module build, as an
 * application that `require`s async-dag while a dependency `import`s it gets — must understand each
 * other. Here the second copy is `src/` loaded again with a fresh module cache; the packed-package
 * test checks the real pair of builds (test/consumers/projects/node-dual).
 */
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as first from '../src';
import { loadSecondCopy } from './support/second-copy';

/**
 * The time limit of a test that loads a copy of src/ (ts-node compiles its 40 modules again):
 * 0.5 s in a run of this file alone, 6.7 s in the whole suite (a larger heap to collect) under
 * the load of other test runs on a 2-core machine — two thirds of mocha's 10 s default. A hang
 * guard, not a speed limit.
 */
const LOADS_A_COPY = 60_000;

/** A standard decorator call, as TypeScript 5.0 emits it (no context.metadata). */
function decorateStandard(decorator: Function, method: Function, name: string): void {
  decorator(method, { kind: 'method', name, static: false, private: false, metadata: undefined });
}

describe('two copies of the package in one process', () => {
  const second = loadSecondCopy();

  it('are really two copies', () => {
    expect(second.Workflow).to.not.equal(first.Workflow);
    expect(second.WorkflowExecutionError).to.not.equal(first.WorkflowExecutionError);
  });

  it('share the tokens', () => {
    expect([second.PARAM, second.SIGNAL, second.CONTEXT]).to.deep.equal([
      first.PARAM,
      first.SIGNAL,
      first.CONTEXT,
    ]);
    expect(second.PARAM).to.equal(first.PARAM);
  });

  it("run a class one copy's standard decorators recorded, skip() included", async () => {
    class Standard {
      double(n: number) {
        return n * 2;
      }
      later() {
        second.skip('nothing to do');
      }
    }
    decorateStandard(second.Task(), Standard.prototype.double, 'double');
    decorateStandard(second.DependsOn(second.PARAM), Standard.prototype.double, 'double');
    decorateStandard(second.Task(), Standard.prototype.later, 'later');

    const result = await first.Workflow.invoke(new Standard(), 21);

    expect(result.get('double')).to.equal(42);
    expect(result.trace.map(({ task, status }) => `${task} ${status}`)).to.deep.equal([
      'double succeeded',
      'later skipped',
    ]);
  });

  it("run a class one copy's legacy decorators recorded", async () => {
    class Legacy {
      a() {
        return 'a';
      }
      b(a: string) {
        return `${a}b`;
      }
    }
    const descriptor = (name: string) => Object.getOwnPropertyDescriptor(Legacy.prototype, name);
    Reflect.decorate([first.Task()], Legacy.prototype, 'a', descriptor('a'));
    Reflect.decorate([first.Task(), first.DependsOn('a')], Legacy.prototype, 'b', descriptor('b'));

    expect((await second.Workflow.invoke(new Legacy())).get('b')).to.equal('ab');
  });

  it("recognise each other's errors with instanceof", async () => {
    class Broken {
      explode(): number {
        throw new Error('boom');
      }
    }
    decorateStandard(first.Task({ timeout: 1 }), Broken.prototype.explode, 'explode');
    const failure = await second.Workflow.invoke(new Broken()).catch((error: unknown) => error);
    const definition = (() => {
      try {
        second.Workflow.validate(class Empty {});
      } catch (error) {
        return error;
      }
    })();
    const resultError = new second.TaskResultError('W', 't', 'no such task');

    expect(failure).to.be.instanceOf(first.WorkflowExecutionError);
    expect(failure).to.be.instanceOf(second.WorkflowExecutionError);
    expect(definition).to.be.instanceOf(first.WorkflowDefinitionError);
    expect(resultError).to.be.instanceOf(first.TaskResultError);
    expect(new second.TaskTimeoutError('W', 't', 5)).to.be.instanceOf(first.TaskTimeoutError);
    expect(new second.WorkflowAbortedError('W', undefined, {} as never)).to.be.instanceOf(
      first.WorkflowAbortedError,
    );
    expect(new second.WorkflowOptionsError('W', 'o', 'bad')).to.be.instanceOf(
      first.WorkflowOptionsError,
    );
    expect(failure).to.not.be.instanceOf(first.WorkflowDefinitionError);
    expect({}).to.not.be.instanceOf(first.WorkflowExecutionError);
    expect(null).to.not.be.instanceOf(first.WorkflowExecutionError);
  });

  it("recognise each other's results, streams and builder nodes with instanceof", async () => {
    const tm = second.buildDag({ name: 'other' });
    const node = tm.addNode({ name: 'a' }, () => 1);
    const stream = tm.stream();
    const result = await stream.result;

    expect(result).to.be.instanceOf(first.ExecutionResult);
    expect(stream).to.be.instanceOf(first.WorkflowStream);
    expect(node).to.be.instanceOf(first.DagNode);
    expect(result).to.not.be.instanceOf(first.WorkflowStream);
    expect({}).to.not.be.instanceOf(first.ExecutionResult);
    expect(node.extractResult(result)).to.equal(1);
    const mine = first.buildDag({ name: 'mine' });
    const myNode = mine.addNode({ name: 'a' }, () => 1);
    await mine.invoke();
    expect(() => myNode.extractResult(result)).to.throw(
      first.TaskResultError,
      'node "a" cannot read a result of another DAG (this result was made by another loaded copy of async-dag).',
    );
  });

  it('keep instanceof of a subclass to that subclass', () => {
    class RetryableError extends first.TaskTimeoutError {}
    const plain = new second.TaskTimeoutError('W', 't', 5);

    expect(plain).to.not.be.instanceOf(RetryableError);
    expect(new RetryableError('W', 't', 5)).to.be.instanceOf(RetryableError);
    expect(new RetryableError('W', 't', 5)).to.be.instanceOf(second.TaskTimeoutError);
  });

  it("tells a Workflow function given the other copy's builder to call the builder's own", async () => {
    const tm = second.buildDag({ name: 'other' });
    tm.addNode({ name: 'a' }, () => 1);
    const builderGiven = (caller: string) =>
      `got a buildDag() builder. Call its own ${caller}() instead.`;

    expect(tm).to.be.instanceOf(first.DagBuilder);
    const invoked: unknown = await first.Workflow.invoke(tm as never).catch(
      (error: unknown) => error,
    );
    expect(invoked)
      .to.be.instanceOf(TypeError)
      .with.property('message')
      .that.contains(builderGiven('invoke'));
    expect(() => first.Workflow.stream(tm as never)).to.throw(TypeError, builderGiven('stream'));
    expect(() => first.Workflow.graph(tm as never)).to.throw(TypeError, builderGiven('graph'));
    expect({}).to.not.be.instanceOf(first.DagBuilder);
  });

  it('recognises a builder node of the other copy, and rejects it as a node of another DAG', function () {
    this.timeout(LOADS_A_COPY);
    const second = loadSecondCopy();
    const foreign = second.buildDag({ name: 'other' }).addNode({ name: 'foreign' }, () => 1);
    const tm = first.buildDag({ name: 'mine' });
    expect(() => tm.addNode({ name: 'mine' }, (n: number) => n, foreign as never))
      .to.throw(first.WorkflowDefinitionError, 'is node "foreign" of another DAG')
      .with.property('code', 'INVALID_TASK');
  });

  it('let go of a copy nothing holds any more (a test runner reloading modules)', async function () {
    this.timeout(LOADS_A_COPY);
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const copyAlive = useACopyAndDropIt();
    await releasedCopy(() => copyAlive.deref() === undefined, collectGarbage);
    expect(copyAlive.deref(), 'a second copy kept alive after it was dropped').to.equal(undefined);
  });
});

/** Loads a copy, builds a node with it and lets it go: a weak reference to one of its classes. */
function useACopyAndDropIt(): WeakRef<object> {
  const { DagNode, buildDag } = loadSecondCopy();
  buildDag({ name: 'dropped' }).addNode({ name: 'node' }, () => 1);
  return new WeakRef(DagNode);
}

/** Collects garbage, a macrotask apart (a `WeakRef` holds its target to the end of the job). */
async function releasedCopy(released: () => boolean, collectGarbage: () => void): Promise<void> {
  for (let round = 0; round < 10 && !released(); round++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
  }
}
