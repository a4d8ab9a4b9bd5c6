/**
 * Whatever a task throws, or a caller aborts with, the run ends with the documented error and the
 * very value as its `cause` — for every value fast-check can make, and for hand-made hostile ones
 * (revoked proxies, objects without a prototype that refer to themselves, throwing getters).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import '../support/fuzz';
import {
  DependsOn,
  Param,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type TaskOptions,
} from '../../src';
import { declareTask } from '../support/declare-task';
import { hostileValues } from '../support/hostile-values';

/**
 * A value to throw, wrapped in a box: fast-check itself inspects generated values (`in` checks,
 * printing), which a revoked Proxy would not survive, so the hostile ones are made inside the run.
 */
interface Thrown {
  readonly label: string;
  make(): unknown;
}

const thrownValue: fc.Arbitrary<Thrown> = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc
        .anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true })
        .map((value) => ({ label: fc.stringify(value), make: () => value })),
    },
    {
      weight: 1,
      arbitrary: fc.nat(hostileValues().length - 1).map((index) => ({
        label: hostileValues()[index][0],
        make: () => hostileValues()[index][1],
      })),
    },
  )
  .map((thrown) => Object.assign(thrown, { toString: () => thrown.label }));

/** Where in a workflow the value is thrown, and how. */
const failureShape = fc.record({
  position: fc.constantFrom('root', 'dependent'),
  timing: fc.constantFrom('sync', 'async', 'thenable'),
  options: fc.constantFrom<TaskOptions>({}, { retries: 1 }, { timeout: 1_000 }),
  failFast: fc.boolean(),
});

type FailureShape = typeof failureShape extends fc.Arbitrary<infer T> ? T : never;

class Base {
  @Task() first(@Param() n: number) {
    return n + 1;
  }
  @Task() @DependsOn('first') second(first: number) {
    return first * 2;
  }
}

/** A subclass of {@link Base} with one more task, `failing`, that throws `value` as `shape` says. */
function workflowThrowing(value: unknown, shape: FailureShape): Base {
  class Failing extends Base {}
  const throwIt = () => {
    throw value;
  };
  const body =
    shape.timing === 'sync'
      ? throwIt
      : shape.timing === 'async'
        ? async () => {
            await null;
            throwIt();
          }
        : () => ({ then: (_: unknown, reject: (reason: unknown) => void) => reject(value) });
  declareTask(Failing.prototype, 'failing', body, {
    dependsOn: shape.position === 'dependent' ? ['second'] : [],
    options: shape.options,
  });
  return new Failing();
}

describe('property: thrown values', function () {
  // Generous, as in the other property specs: 300 cases take ~1 s on a busy machine, and
  // shrinking a counterexample takes many more.
  this.timeout(60_000);
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  before(() => process.on('unhandledRejection', record));
  after(() => process.off('unhandledRejection', record));

  it('a task that throws any value fails the run with that value as cause', async () => {
    await fc.assert(
      fc.asyncProperty(thrownValue, failureShape, async (thrown, shape) => {
        const value = thrown.make();
        const run = Workflow.invoke(workflowThrowing(value, shape), 1, {
          failFast: shape.failFast,
        });
        const error = await run.then(
          () => expect.fail('the run resolved'),
          (reason: unknown) => reason,
        );
        expect(error).to.be.instanceOf(WorkflowExecutionError);
        const failure = error as WorkflowExecutionError;
        expect(Object.is(failure.cause, value)).to.equal(true);
        expect(failure.task).to.equal('failing');
        expect(failure.message).to.be.a('string').and.contain('task "failing" failed');
        expect(failure.result.get('first')).to.equal(2);
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).to.deep.equal([]);
      }),
      { numRuns: 200 },
    );
  });

  it('a signal aborted with any reason aborts the run with that reason as cause', async () => {
    await fc.assert(
      fc.asyncProperty(thrownValue, fc.boolean(), async (thrown, beforeStart) => {
        const reason = thrown.make();
        const controller = new AbortController();
        if (beforeStart) controller.abort(reason);
        class Flow {
          @Task() async first() {
            controller.abort(reason);
            return 1;
          }
          @Task() @DependsOn('first') second() {
            return expect.fail('no task starts after the abort');
          }
        }
        const error = await Workflow.invoke(new Flow(), undefined, {
          signal: controller.signal,
        }).then(
          () => expect.fail('the run resolved'),
          (rejection: unknown) => rejection,
        );
        expect(error).to.be.instanceOf(WorkflowAbortedError);
        // `abort(undefined)` makes the reason a DOMException: the cause is always `signal.reason`.
        expect(Object.is((error as WorkflowAbortedError).cause, controller.signal.reason)).to.equal(
          true,
        );
        if (reason !== undefined)
          expect(Object.is(controller.signal.reason, reason)).to.equal(true);
        expect((error as Error).message).to.be.a('string');
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).to.deep.equal([]);
      }),
      { numRuns: 100 },
    );
  });
});
