// Timeouts and retry delays are setTimeout calls: fake timers control them. Advance the clock with
// the async methods (tickAsync), which let the run's promise reactions run between timers.
import { expect } from 'chai';
import sinon from 'sinon';
import { Task, TaskTimeoutError, Workflow, WorkflowExecutionError } from '../../src';

describe('Testing timeouts and retry delays with fake timers', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('retries after the delay, and dates the trace with the fake clock', async () => {
    let calls = 0;
    class Flaky {
      @Task({ retries: 1, retryDelay: 1_000 }) ping() {
        if (++calls === 1) throw new Error('try again');
        return 'pong';
      }
    }

    const run = Workflow.invoke(new Flaky());
    await clock.tickAsync(999);
    expect(calls).to.equal(1);
    await clock.tickAsync(1);
    const result = await run;

    expect(result.get('ping')).to.equal('pong');
    expect(result.trace[0]).to.include({ task: 'ping', attempts: 2, start: 0, end: 1_000 });
  });

  it('times out a task that never settles', async () => {
    class Hangs {
      @Task({ timeout: 5_000 }) hang() {
        return new Promise<never>(() => {});
      }
    }

    const run = Workflow.invoke(new Hangs()).catch((error: unknown) => error);
    await clock.tickAsync(5_000);
    const error = await run;

    expect(error).to.be.instanceOf(WorkflowExecutionError);
    expect((error as WorkflowExecutionError).cause).to.be.instanceOf(TaskTimeoutError);
    expect((error as WorkflowExecutionError).result.trace[0]).to.include({ end: 5_000 });
  });
});
