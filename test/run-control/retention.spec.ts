/**
 * A finished run is not kept alive by promises of the user's that outlive it: a hook's promise
 * (`() => appReady`), or the body of an attempt that timed out while awaiting something that never
 * settles. Checked with a `WeakRef` to the run's result and a full garbage collection.
 */
import { expect } from 'chai';
import { collectGarbage } from '../../bench/gc';
import { Task, Workflow, WorkflowExecutionError, type ExecutionResult } from '../../src';
import { settle } from '../support/event-log';

/** A promise that never settles, kept for the whole process (an app-wide "ready" signal, say). */
const forever = new Promise<never>(() => {});

/** Whether the object behind `ref` survives garbage collection, with nothing else holding it. */
async function survives(ref: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 3; round++) {
    await settle();
    collectGarbage();
  }
  return ref.deref() !== undefined;
}

describe('what a finished run leaves behind', () => {
  it('a hook that returns a promise that never settles does not keep the run', async () => {
    class Flow {
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
    }
    const run = async () => {
      const result = await Workflow.invoke(new Flow(), undefined, {
        hooks: { onTaskSuccess: () => forever },
      });
      return new WeakRef<ExecutionResult<Flow, undefined>>(result);
    };
    expect(await survives(await run())).to.equal(false);
  });

  it('a timed-out attempt whose body never settles does not keep the run', async () => {
    class Flow {
      @Task() a() {
        return new Array(1_000).fill('a result');
      }
      @Task({ timeout: 1 }) async hangs() {
        await forever;
      }
    }
    const run = async () => {
      const error = await Workflow.invoke(new Flow()).then(
        () => expect.fail('the run should time out'),
        (rejection: unknown) => rejection as WorkflowExecutionError,
      );
      expect(error.cause).to.have.property('name', 'TaskTimeoutError');
      return new WeakRef(error.result);
    };
    expect(await survives(await run())).to.equal(false);
  });
});
