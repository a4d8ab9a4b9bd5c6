/**
 * The plan draft both front-ends fill: its argument arrays grow as tasks are added (a builder) or
 * are sized up front (the scanner), and a compiled plan keeps exactly what was added — one copy of
 * the edges when every argument is a dependency listed once.
 */
import { expect } from 'chai';
import { DependsOn, Task } from '../src';
import { PlanDraft } from '../src/plan';
import { planFor } from '../src/scanner';
import { DEFAULT_TASK_POLICY } from '../src/task-options';
import { PARAM_SLOT, SIGNAL_SLOT } from '../src/tokens';

/** A plan of tasks `0…arguments.length - 1`, task `t` taking `arguments[t]`. */
function compiled(draft: PlanDraft, taskArguments: readonly (readonly number[])[]) {
  taskArguments.forEach((slots, task) => {
    draft.addTask(`t${task}`, DEFAULT_TASK_POLICY);
    for (const slot of slots) draft.addArgument(slot);
  });
  const indexByName = new Map(taskArguments.map((_, task) => [`t${task}`, task]));
  return draft.compile(false, indexByName);
}

/** Each task's slots, as lists. */
function listsOf({ start, list }: { start: Int32Array; list: Int32Array }): number[][] {
  return Array.from({ length: start.length - 1 }, (_, task) =>
    Array.from(list.subarray(start[task], start[task + 1])),
  );
}

describe('the plan draft', () => {
  // Task t depends on the (up to three) tasks before it: 40 tasks and 114 arguments, past the
  // draft's first capacity several times over.
  const chain = Array.from({ length: 40 }, (_, task) =>
    [task - 3, task - 2, task - 1].filter((dependency) => dependency >= 0),
  );

  it('keeps every argument of a draft that grew past its first capacity, in exact-length arrays', () => {
    const plan = compiled(new PlanDraft('Grown', false), chain);
    expect(listsOf(plan.argumentSlots)).to.deep.equal(chain);
    expect(plan.argumentSlots.start.length).to.equal(41);
    expect(plan.argumentSlots.list.length).to.equal(114);
    expect(Array.from(plan.dependencyCounts.subarray(0, 5))).to.deep.equal([0, 1, 2, 3, 3]);
  });

  it('fills a reserved draft in place, and keeps only what was added when less was', () => {
    const exact = new PlanDraft('Exact', false);
    exact.reserve(40, 114);
    expect(listsOf(compiled(exact, chain).argumentSlots)).to.deep.equal(chain);

    const roomy = new PlanDraft('Roomy', false);
    roomy.reserve(10, 50);
    const plan = compiled(roomy, [[], [0], [0, 1]]);
    expect(listsOf(plan.argumentSlots)).to.deep.equal([[], [0], [0, 1]]);
    expect(plan.argumentSlots.start.length).to.equal(4);
    expect(plan.argumentSlots.list.length).to.equal(3);
  });

  it('still grows a reserved draft that gets more than it reserved', () => {
    const small = new PlanDraft('Small', false);
    small.reserve(1, 0);
    expect(listsOf(compiled(small, chain).argumentSlots)).to.deep.equal(chain);
  });

  it('keeps one copy of the edges when every argument is a dependency listed once', () => {
    const plan = compiled(new PlanDraft('Shared', false), chain);
    expect(plan.dependencies).to.equal(plan.argumentSlots);
  });

  it('lists dependencies apart from arguments that repeat one or are tokens', () => {
    const taskArguments = [[], [0, PARAM_SLOT, 0], [SIGNAL_SLOT, 1, 0, 1]];
    const plan = compiled(new PlanDraft('Apart', false), taskArguments);
    expect(plan.dependencies).not.to.equal(plan.argumentSlots);
    expect(listsOf(plan.argumentSlots)).to.deep.equal(taskArguments);
    expect(listsOf(plan.dependencies)).to.deep.equal([[], [0], [1, 0]]);
    expect(Array.from(plan.dependencyCounts)).to.deep.equal([0, 1, 2]);
    expect(listsOf(plan.dependents)).to.deep.equal([[1, 2], [2], []]);
  });

  it('is what the scanner fills for a class, sized up front', () => {
    class Diamond {
      @Task() a() {
        return 1;
      }
      @Task() @DependsOn('a') b(a: number) {
        return a;
      }
      @Task() @DependsOn('a') c(a: number) {
        return a;
      }
      @Task() @DependsOn('b', 'c') d(b: number, c: number) {
        return b + c;
      }
    }
    const plan = planFor(Diamond.prototype);
    expect(listsOf(plan.argumentSlots)).to.deep.equal([[], [0], [0], [1, 2]]);
    expect(plan.argumentSlots.list.length).to.equal(4);
    expect(plan.dependencies).to.equal(plan.argumentSlots);
  });
});
