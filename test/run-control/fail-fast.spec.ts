/**
 * What a task failure does to the run. `failFast: true` (the default): no new task starts, the
 * run's `@Signal()` aborts, the run waits for tasks in flight, then rejects. `failFast: false`:
 * independent branches finish, dependents of failures are skipped, the run rejects at the end with
 * every failure. Never an unhandled rejection.
 */
import { expect } from 'chai';
import {
  buildDag,
  DependsOn,
  SIGNAL,
  Signal,
  Task,
  TaskResultError,
  Workflow,
  WorkflowExecutionError,
} from '../../src';
import { declareTask } from '../support/declare-task';
import { GatedFlow, recordProcessEvents, rejectionOf, settle } from '../support/event-log';

/** Three roots the test finishes by hand; `afterSlow` would start once `slow` succeeds. */
class ThreeRoots extends GatedFlow<string> {
  slowSignal: AbortSignal | undefined;

  @Task() failing() {
    return this.step('failing');
  }
  @Task() slow(@Signal() signal: AbortSignal) {
    this.slowSignal = signal;
    return this.step('slow');
  }
  @Task() quick() {
    return this.step('quick');
  }
  @Task() @DependsOn('slow') afterSlow(slow: string) {
    this.log.start('afterSlow');
    return slow;
  }
}

describe('failFast: true (the default)', () => {
  it('starts nothing after a failure, aborts the run signal, and waits for tasks in flight', async () => {
    const flow = new ThreeRoots();
    let settled = false;
    const run = Workflow.invoke(flow);
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await settle();
    flow.gates.open('quick', 'quick value');
    await settle();

    const failure = new Error('payment declined');
    flow.gates.fail('failing', failure);
    await settle();
    expect(flow.slowSignal!.aborted, 'slow sees its signal abort').to.equal(true);
    expect(settled, 'the run waits for slow').to.equal(false);

    flow.gates.open('slow', 'slow value');
    const error = await rejectionOf(run, WorkflowExecutionError);

    expect(flow.log.starts).to.deep.equal(['failing', 'slow', 'quick']);
    expect(flow.log.events.at(-1), 'the run settled after slow ended').to.equal('slow:end');
    expect(error.task).to.equal('failing');
    expect(error.cause).to.equal(failure);
    expect(error.failures).to.deep.equal([{ task: 'failing', error: failure }]);
    expect(error.workflow).to.equal('ThreeRoots');
    expect(error.message)
      .to.contain('ThreeRoots')
      .and.contain('failing')
      .and.contain('payment declined');
    expect(error.result.get('quick')).to.equal('quick value');
    expect(error.result.has('afterSlow')).to.equal(false);
    expect(error.result.trace.map(({ task, status }) => `${task}:${status}`)).to.have.members([
      'failing:failed',
      'slow:succeeded',
      'quick:succeeded',
    ]);
  });

  it('records two tasks failing in the same turn, with no unhandled rejection', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const first = new Error('first');
      const second = new Error('second');
      class TwoFailures {
        @Task() one() {
          return Promise.reject(first);
        }
        @Task() two() {
          return Promise.reject(second);
        }
        @Task() three() {
          throw new Error('third, synchronously');
        }
        @Task() @DependsOn('one', 'two', 'three') never() {
          return 'never';
        }
      }
      const error = await rejectionOf(Workflow.invoke(new TwoFailures()), WorkflowExecutionError);
      await settle(2);

      expect(error.failures.map((failure) => failure.task)).to.have.members([
        'one',
        'two',
        'three',
      ]);
      expect(error.failures.find((failure) => failure.task === 'two')?.error).to.equal(second);
      expect(error.message).to.match(/and 2 more/);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('starts no root declared after one that throws synchronously; a rejecting root stops none', async () => {
    const started: string[] = [];
    class SyncFirst {
      @Task() first(): string {
        started.push('first');
        throw new Error('at once');
      }
      @Task() second() {
        started.push('second');
      }
    }
    const error = await rejectionOf(Workflow.invoke(new SyncFirst()), WorkflowExecutionError);
    expect(started).to.deep.equal(['first']);
    expect(error.result.trace.map((entry) => `${entry.task}:${entry.status}`)).to.deep.equal([
      'first:failed',
    ]);
    started.length = 0;
    class AsyncFirst {
      @Task() async first(): Promise<string> {
        started.push('first');
        throw new Error('later');
      }
      @Task() second() {
        started.push('second');
      }
    }
    await rejectionOf(Workflow.invoke(new AsyncFirst()), WorkflowExecutionError);
    expect(started).to.deep.equal(['first', 'second']);
  });

  it('aborts task signals with one AbortError that names the failed task and has the failure as cause', async () => {
    const failure = new Error('payment declined');
    const untilAborted = (signal: AbortSignal) =>
      new Promise<unknown>((resolve) =>
        signal.addEventListener('abort', () => resolve(signal.reason)),
      );
    class Checkout {
      @Task() plain(@Signal() signal: AbortSignal) {
        return untilAborted(signal);
      }
      @Task({ timeout: 60_000 }) timed(@Signal() signal: AbortSignal) {
        return untilAborted(signal);
      }
      @Task() async pay(): Promise<never> {
        await settle();
        throw failure;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Checkout()), WorkflowExecutionError);
    expect(error.task).to.equal('pay');
    const reason = error.result.get('plain') as Error;
    expect(reason).to.be.instanceOf(Error);
    expect(reason.name).to.equal('AbortError');
    expect(reason.message).to.equal(
      'Checkout: run stopped because task "pay" failed: payment declined',
    );
    expect(reason.cause).to.equal(failure);
    expect(error.result.get('timed'), 'the same reason for every signal').to.equal(reason);
  });

  it('says a timeout stopped the run once, as the run error does, not quoted after "failed:"', async () => {
    const tm = buildDag({ name: 'Checkout' });
    const reasons: unknown[] = [];
    tm.addNode(
      { name: 'watch' },
      (signal: AbortSignal) => {
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(reasons.push(signal.reason))),
        );
      },
      SIGNAL,
    );
    tm.addNode({ name: 'pay', timeout: 5 }, () => new Promise(() => {}));
    const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
    expect(error.message).to.equal('Checkout: task "pay" timed out after 5 ms');
    expect(reasons).to.have.length(1);
    expect((reasons[0] as Error).message).to.equal(
      'Checkout: run stopped because task "pay" timed out after 5 ms',
    );
    expect((reasons[0] as Error).cause).to.equal(error.cause);
  });

  it('gives each run its own signal: one run failing does not abort another', async () => {
    const signals: AbortSignal[] = [];
    class MaybeFailing {
      constructor(readonly fails: boolean) {}

      @Task() watch(@Signal() signal: AbortSignal) {
        signals.push(signal);
        return settle(2);
      }
      @Task() maybeFail() {
        return settle().then(() => {
          if (this.fails) throw new Error('only the first run fails');
        });
      }
    }
    const failing = Workflow.invoke(new MaybeFailing(true));
    const healthy = Workflow.invoke(new MaybeFailing(false));
    await rejectionOf(failing, WorkflowExecutionError);
    await healthy;
    expect(signals).to.have.length(2);
    expect(signals[0]).to.not.equal(signals[1]);
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([true, false]);
  });
});

describe('failFast: false', () => {
  it('names every failure in the message, cutting a long list short', async () => {
    class ManyFailures {}
    for (let index = 1; index <= 8; index++) {
      declareTask(ManyFailures.prototype, `broken${index}`, () => {
        throw new Error(`failure ${index}`);
      });
    }
    const error = await rejectionOf(
      Workflow.invoke(new ManyFailures(), undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    expect(error.failures).to.have.length(8);
    expect(error.message).to.equal(
      'ManyFailures: task "broken1" failed: failure 1 ' +
        '(and 7 more: "broken2", "broken3", "broken4", "broken5", "broken6", …)',
    );
  });

  /**
   * broken → skippedChild → skippedGrandchild; brokenToo (an independent failure);
   * independent → afterIndependent (runs after the failures); mixed depends on independent and broken.
   */
  class Branches extends GatedFlow<string> {
    @Task() broken() {
      return this.step('broken');
    }
    @Task() independent() {
      return this.step('independent');
    }
    @Task() brokenToo() {
      return this.step('brokenToo');
    }
    @Task() @DependsOn('broken') skippedChild() {
      return this.step('skippedChild');
    }
    @Task() @DependsOn('skippedChild') skippedGrandchild() {
      return this.step('skippedGrandchild');
    }
    @Task() @DependsOn('independent', 'broken') mixed() {
      return this.step('mixed');
    }
    @Task() @DependsOn('independent') afterIndependent(value: string) {
      this.log.start('afterIndependent');
      return `after ${value}`;
    }
  }

  it('finishes independent branches, skips dependents of failures, and rejects with every failure', async () => {
    const flow = new Branches();
    const run = Workflow.invoke(flow, undefined, { failFast: false });
    await settle();
    const brokenError = new Error('broken');
    const brokenTooError = new Error('broken too');
    flow.gates.fail('broken', brokenError);
    await settle();
    flow.gates.fail('brokenToo', brokenTooError);
    await settle();
    flow.gates.open('independent', 'independent value');

    const error = await rejectionOf(run, WorkflowExecutionError);
    expect(flow.log.starts).to.deep.equal([
      'broken',
      'independent',
      'brokenToo',
      'afterIndependent',
    ]);
    expect(error.task).to.equal('broken');
    expect(error.cause).to.equal(brokenError);
    expect(error.failures).to.deep.equal([
      { task: 'broken', error: brokenError },
      { task: 'brokenToo', error: brokenTooError },
    ]);
    expect(error.result.get('afterIndependent')).to.equal('after independent value');

    const statuses = Object.fromEntries(
      error.result.trace.map(({ task, status }) => [task, status]),
    );
    expect(statuses).to.deep.equal({
      broken: 'failed',
      independent: 'succeeded',
      brokenToo: 'failed',
      skippedChild: 'skipped',
      skippedGrandchild: 'skipped',
      mixed: 'skipped',
      afterIndependent: 'succeeded',
    });
    const skipped = error.result.trace.find((entry) => entry.task === 'skippedChild')!;
    expect(skipped.attempts).to.equal(0);
    expect(() => error.result.get('skippedChild'))
      .to.throw(TaskResultError)
      .with.property('message')
      .that.matches(/skipped/);
    expect(() => error.result.get('broken'))
      .to.throw(TaskResultError)
      .with.property('message')
      .that.matches(/failed/);
  });

  it('does not abort the run signal after a failure', async () => {
    let seen: AbortSignal | undefined;
    class FailAndWatch {
      @Task() fails() {
        throw new Error('no');
      }
      @Task() watches(@Signal() signal: AbortSignal) {
        seen = signal;
        return settle(2).then(() => signal.aborted);
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new FailAndWatch(), undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    expect(seen).to.be.instanceOf(AbortSignal);
    expect(error.result.get('watches')).to.equal(false);
  });

  it('resolves normally when nothing fails', async () => {
    class AllGood {
      @Task() a() {
        return 1;
      }
      @Task() @DependsOn('a') b(a: number) {
        return a + 1;
      }
    }
    const result = await Workflow.invoke(new AllGood(), undefined, { failFast: false });
    expect(result.toObject()).to.deep.equal({ a: 1, b: 2 });
  });
});
