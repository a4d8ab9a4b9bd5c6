/**
 * What a plan keeps of its runs' scratch (counters, queue, promise reactions) between runs: enough
 * for small workflows invoked often, never more than a bounded number of tasks' worth, and
 * nothing for large plans.
 */
import { expect } from 'chai';
import { DependsOn, Param, Task, Workflow } from '../src';
import type { WorkflowPlan } from '../src/plan';
import type { ReactionTarget } from '../src/run-scratch';
import { planFor } from '../src/scanner';
import { declareTask } from './support/declare-task';

const target: ReactionTarget = { taskFulfilled() {}, attemptFailed() {} };

/** The plan of a fresh class with `count` independent tasks. */
function planWithTasks(count: number): WorkflowPlan {
  class Flow {
    @Task() first() {
      return 0;
    }
  }
  for (let task = 1; task < count; task++) declareTask(Flow.prototype, `task${task}`, () => task);
  return planFor(Flow.prototype);
}

/** Borrows `count` sets at once, gives them all back, and borrows `count` again: how many came back. */
function reusedAfterBurst(plan: WorkflowPlan, count: number): number {
  const first = Array.from({ length: count }, () => plan.scratch.borrow(plan, target));
  for (const scratch of first) plan.scratch.giveBack(scratch);
  const second = Array.from({ length: count }, () => plan.scratch.borrow(plan, target));
  const reused = second.filter((scratch) => first.includes(scratch)).length;
  for (const scratch of second) plan.scratch.giveBack(scratch);
  return reused;
}

describe('the scratch a plan keeps between runs', () => {
  it('keeps up to 1,024 tasks’ worth of sets for a small plan, and lends them again', () => {
    expect(reusedAfterBurst(planWithTasks(6), 400)).to.equal(Math.floor(1_024 / 6));
    expect(reusedAfterBurst(planWithTasks(1_000), 3)).to.equal(1);
  });

  it('keeps nothing for a plan over 1,024 tasks', () => {
    expect(reusedAfterBurst(planWithTasks(1_025), 2)).to.equal(0);
  });

  it('lends a kept set with its counters back at the plan’s dependency counts', () => {
    class Chain {
      @Task() a() {
        return 1;
      }
    }
    declareTask(Chain.prototype, 'b', (a: number) => a, { dependsOn: ['a'] });
    declareTask(Chain.prototype, 'c', (a: number, b: number) => a + b, { dependsOn: ['a', 'b'] });
    const plan = planFor(Chain.prototype);
    const scratch = plan.scratch.borrow(plan, target);
    scratch.waitingFor[1] = 0;
    scratch.waitingFor[2] = 0;
    plan.scratch.giveBack(scratch);
    const again = plan.scratch.borrow(plan, target);
    expect(again).to.equal(scratch);
    expect([again.waitingFor[0], again.waitingFor[1], again.waitingFor[2]]).to.deep.equal([
      0, 1, 2,
    ]);
  });

  it('resets the counter of the first declared task too, when it waits for a later one', async () => {
    class Backwards {
      @Task() @DependsOn('source') doubled(source: number) {
        return source * 2;
      }
      @Task() source(@Param() n: number) {
        return n;
      }
    }
    const results: unknown[] = [];
    for (const n of [1, 2, 3]) {
      results.push((await Workflow.invoke(new Backwards(), n)).toObject());
    }
    expect(results).to.deep.equal([
      { doubled: 2, source: 1 },
      { doubled: 4, source: 2 },
      { doubled: 6, source: 3 },
    ]);
  });

  it('lends the ready queue of a kept set at its plan’s size, however many runs used it', async () => {
    class Flow {
      @Task() first() {
        return 0;
      }
    }
    for (let task = 1; task < 6; task++) declareTask(Flow.prototype, `task${task}`, () => task);
    for (let run = 0; run < 50; run++) await Workflow.invoke(new Flow());
    const plan = planFor(Flow.prototype);
    const scratch = plan.scratch.borrow(plan, target);
    const queue = scratch.queue(undefined);
    expect(queue.size).to.equal(0);
    // The room each run's queue uses: one slot per task, not one per task per run.
    expect((scratch as unknown as { queued: number[] }).queued).to.have.length(6);
    plan.scratch.giveBack(scratch);
  });
});
