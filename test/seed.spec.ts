/**
 * The seed library's own examples and test cases, ported: the canonical DAG, multiple invocations,
 * a single task, calling order, a duplicate dependency, an error reaching the caller, and a cycle.
 */
import { expect } from 'chai';
import {
  DependsOn,
  Param,
  Task,
  Workflow,
  WorkflowDefinitionError,
  WorkflowExecutionError,
} from '../src';
import { EventLog, GatedFlow, settle, sleep, withTimersInOrder } from './support/event-log';
import { SEED_EVENTS, SEED_RESULTS } from './support/seed';

/** The seed's DAG with the seed's delays (0.1 s → 100 ms). */
class TimedSeed {
  constructor(readonly log: EventLog) {}

  private async inc(n: number, name: string, ms: number) {
    this.log.start(name);
    await sleep(ms);
    this.log.end(name);
    return n + 1;
  }

  private async add(a: number, b: number, name: string, ms: number) {
    this.log.start(name);
    await sleep(ms);
    this.log.end(name);
    return a + b;
  }

  @Task() fastTaskA(@Param() n: number) {
    return this.inc(n, 'fast_task_a', 100);
  }
  @Task() @DependsOn('fastTaskA') slowTaskB(a: number) {
    return this.inc(a, 'slow_task_b', 1_000);
  }
  @Task() slowTaskA(@Param() n: number) {
    return this.inc(n, 'slow_task_a', 500);
  }
  @Task() fastTaskB(@Param() n: number) {
    return this.inc(n, 'fast_task_b', 200);
  }
  @Task() @DependsOn('slowTaskA', 'fastTaskB') fastTaskC(a: number, b: number) {
    return this.add(a, b, 'fast_task_c', 100);
  }
  @Task() @DependsOn('fastTaskC', 'slowTaskB') endTask(c: number, b: number) {
    return this.add(c, b, 'end_task', 100);
  }
}

describe('the seed example', () => {
  it('prints started/done in the seed order and returns 1 and 4', async () => {
    // On fake timers: on real ones, a process held up for ~125 ms between fastTaskA's end and
    // slowTaskA's (25 and 125 ms, at the quarter scale this spec used) ended fastTaskC after
    // slowTaskB, as a loaded machine may.
    const log = new EventLog();
    const result = await withTimersInOrder(() => Workflow.invoke(new TimedSeed(log), 0));
    expect(log.events).to.deep.equal(SEED_EVENTS);
    expect(result.get('fastTaskA')).to.equal(1);
    expect(result.get('endTask')).to.equal(4);
  });

  it('follows the critical path: slowTaskB starts before the other roots finish', async () => {
    // Each task waits for the test to open its gate, so the order below is exact.
    class Seed extends GatedFlow {
      @Task() fastTaskA(@Param() n: number) {
        return this.step('fastTaskA').then(() => n + 1);
      }
      @Task() @DependsOn('fastTaskA') slowTaskB(a: number) {
        return this.step('slowTaskB').then(() => a + 1);
      }
      @Task() slowTaskA(@Param() n: number) {
        return this.step('slowTaskA').then(() => n + 1);
      }
      @Task() fastTaskB(@Param() n: number) {
        return this.step('fastTaskB').then(() => n + 1);
      }
      @Task() @DependsOn('slowTaskA', 'fastTaskB') fastTaskC(a: number, b: number) {
        return this.step('fastTaskC').then(() => a + b);
      }
      @Task() @DependsOn('fastTaskC', 'slowTaskB') endTask(c: number, b: number) {
        return this.step('endTask').then(() => c + b);
      }
    }
    const seed = new Seed();
    const { log } = seed;
    const finish = async (task: string) => {
      seed.gates.open(task);
      await settle();
    };
    const run = Workflow.invoke(seed, 0);
    expect(log.starts).to.deep.equal(['fastTaskA', 'slowTaskA', 'fastTaskB']);

    await finish('fastTaskA');
    // A level-by-level runner would still be waiting for slowTaskA and fastTaskB here.
    expect(log.starts).to.deep.equal(['fastTaskA', 'slowTaskA', 'fastTaskB', 'slowTaskB']);

    await finish('fastTaskB');
    expect(log.starts).to.not.include('fastTaskC');
    await finish('slowTaskA');
    expect(log.starts.at(-1)).to.equal('fastTaskC');

    await finish('fastTaskC');
    expect(log.starts).to.not.include('endTask');
    await finish('slowTaskB');
    expect(log.starts.at(-1)).to.equal('endTask');
    seed.gates.open('endTask');

    const result = await run;
    expect(result.toObject()).to.deep.equal(SEED_RESULTS);
  });

  it('is invoked many times, with different params, by one instance', async () => {
    class Inc {
      @Task() inc(@Param() n: number) {
        return n + 1;
      }
      @Task() @DependsOn('inc') double(n: number) {
        return n * 2;
      }
    }
    const flow = new Inc();
    const results = await Promise.all([1, 2, 3].map((n) => Workflow.invoke(flow, n)));
    expect(results.map((result) => result.get('double'))).to.deep.equal([4, 6, 8]);
    expect(results.map((result) => result.param)).to.deep.equal([1, 2, 3]);
  });

  it('runs a single task', async () => {
    class Single {
      @Task() only(@Param() n: number) {
        return n * 10;
      }
    }
    const result = await Workflow.invoke(new Single(), 4);
    expect(result.get('only')).to.equal(40);
    expect(Workflow.graph(Single).order).to.deep.equal(['only']);
  });

  it('calls each task once, after its dependencies, in dependency order', async () => {
    const calls: string[] = [];
    class Chain {
      @Task() @DependsOn('b') c(b: string) {
        calls.push('c');
        return `${b}c`;
      }
      @Task() @DependsOn('a') b(a: string) {
        calls.push('b');
        return `${a}b`;
      }
      @Task() a() {
        calls.push('a');
        return 'a';
      }
    }
    const result = await Workflow.invoke(new Chain());
    expect(calls).to.deep.equal(['a', 'b', 'c']);
    expect(result.get('c')).to.equal('abc');
  });

  it('orders a chain declared backwards topologically, with its first link the root and its last the sink', () => {
    class Backwards {
      @Task() @DependsOn('load') report() {}
      @Task() load() {}
    }
    const graph = Workflow.graph(Backwards);
    expect(graph.tasks.map((task) => task.name)).to.deep.equal(['report', 'load']);
    expect(graph.order).to.deep.equal(['load', 'report']);
    expect(graph.roots).to.deep.equal(['load']);
    expect(graph.sinks).to.deep.equal(['report']);
  });

  it('passes a dependency listed twice twice', async () => {
    class Twice {
      @Task() n(@Param() n: number) {
        return n;
      }
      @Task() @DependsOn('n', 'n') sum(a: number, b: number) {
        return a + b;
      }
    }
    expect((await Workflow.invoke(new Twice(), 21)).get('sum')).to.equal(42);
    expect(Workflow.graph(Twice).tasks[1].dependsOn).to.deep.equal(['n']);
  });

  it('delivers a task error to the caller', async () => {
    const boom = new Error('boom');
    class Failing {
      @Task() ok() {
        return 1;
      }
      @Task() @DependsOn('ok') bad(): number {
        throw boom;
      }
    }
    const error = await Workflow.invoke(new Failing()).then(
      () => expect.fail('the run should reject'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    const failure = error as WorkflowExecutionError;
    expect(failure.task).to.equal('bad');
    expect(failure.cause).to.equal(boom);
    expect(failure.message).to.equal('Failing: task "bad" failed: boom');
    expect(failure.result.get('ok')).to.equal(1);
  });

  it('rejects a cycle', async () => {
    class Cycle {
      @Task() @DependsOn('c') a() {}
      @Task() @DependsOn('a') b() {}
      @Task() @DependsOn('b') c() {}
    }
    const error = await Workflow.invoke(new Cycle()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(WorkflowDefinitionError);
    expect((error as WorkflowDefinitionError).code).to.equal('CYCLE');
    expect((error as Error).message).to.contain('a -> b -> c -> a');
  });
});
