/**
 * `InvokeOptions.concurrency`: never more than N tasks in flight; when more are ready than there
 * are free slots, the task with the longest remaining path to a sink starts first, ties in
 * declaration order; when every ready task fits, they start in the order they became ready, as
 * without a limit. Every task waits on a gate the test opens, so the start order asserted here is
 * exact.
 */
import { expect } from 'chai';
import { DependsOn, Param, Task, Workflow, WorkflowExecutionError } from '../../src';
import { EventLog, GatedFlow, rejectionOf, settle } from '../support/event-log';

/** A one-task sink declared before a three-task chain: priority must beat declaration order. */
class ChainAfterSingle extends GatedFlow {
  @Task() single() {
    return this.step('single');
  }
  @Task() first() {
    return this.step('first');
  }
  @Task() @DependsOn('first') second() {
    return this.step('second');
  }
  @Task() @DependsOn('second') third() {
    return this.step('third');
  }
}

/** Five independent roots, then a chain c1 → c2 → c3 declared last. */
class WideWithChain extends GatedFlow {
  @Task() r1() {
    return this.step('r1');
  }
  @Task() r2() {
    return this.step('r2');
  }
  @Task() r3() {
    return this.step('r3');
  }
  @Task() r4() {
    return this.step('r4');
  }
  @Task() r5() {
    return this.step('r5');
  }
  @Task() c1() {
    return this.step('c1');
  }
  @Task() @DependsOn('c1') c2() {
    return this.step('c2');
  }
  @Task() @DependsOn('c2') c3() {
    return this.step('c3');
  }
}

/**
 * Two roots, then three tasks `hub` releases together, then two released together by `y` and `zz`.
 * Remaining paths: hub 5, z 4, y 3, zz 3, later 2; the rest 1.
 */
class FitsThenBindsThenFits extends GatedFlow {
  @Task() a() {
    return this.step('a');
  }
  @Task() hub() {
    return this.step('hub');
  }
  @Task() @DependsOn('hub') x() {
    return this.step('x');
  }
  @Task() @DependsOn('hub') y() {
    return this.step('y');
  }
  @Task() @DependsOn('hub') z() {
    return this.step('z');
  }
  @Task() @DependsOn('z') zz() {
    return this.step('zz');
  }
  @Task() @DependsOn('y', 'zz') late() {
    return this.step('late');
  }
  @Task() @DependsOn('y', 'zz') later() {
    return this.step('later');
  }
  @Task() @DependsOn('later') last() {
    return this.step('last');
  }
}

/** Opens gate `name` and lets the run react (start whatever became ready). */
async function finish(flow: GatedFlow, name: string): Promise<void> {
  flow.gates.open(name);
  await settle();
}

/**
 * A new class (its own cached plan) with two chains, `short → afterShort` and `head → middle →
 * tail`, whose tasks write their names to `started` as they start.
 */
function twoChains(started: string[]) {
  class TwoChains {
    @Task() short() {
      started.push('short');
    }
    @Task() head() {
      started.push('head');
    }
    @Task() @DependsOn('head') middle() {
      started.push('middle');
    }
    @Task() @DependsOn('middle') tail() {
      started.push('tail');
    }
    @Task() @DependsOn('short') afterShort() {
      started.push('afterShort');
    }
  }
  return TwoChains;
}

/**
 * Three roots for one slot, and `cleanup` (`allSettled`) after `load`: when `broken` fails,
 * `cleanup` is waiting in the queue behind it, with `extra`, which the stop cancels.
 */
class CleanupQueuedAtStop extends GatedFlow {
  @Task() load() {
    return this.step('load');
  }
  @Task() broken() {
    return this.step('broken');
  }
  @Task({ when: 'allSettled' }) @DependsOn('load') cleanup() {
    return this.step('cleanup');
  }
  @Task() extra() {
    return this.step('extra');
  }
}

/**
 * `load` (the longest path) first, then `broken` and three roots the stop cancels, all ahead of
 * four `allSettled` cleanups of `load`: when `broken` fails, the cleanups wait for the one slot.
 */
class CleanupsQueuedAtStop extends GatedFlow {
  @Task() load() {
    return this.step('load');
  }
  @Task() broken() {
    return this.step('broken');
  }
  @Task() e1() {
    return this.step('e1');
  }
  @Task() e2() {
    return this.step('e2');
  }
  @Task() e3() {
    return this.step('e3');
  }
  @Task({ when: 'allSettled' }) @DependsOn('load') c1() {
    return this.step('c1');
  }
  @Task({ when: 'allSettled' }) @DependsOn('load') c2() {
    return this.step('c2');
  }
  @Task({ when: 'allSettled' }) @DependsOn('load') c3() {
    return this.step('c3');
  }
  @Task({ when: 'allSettled' }) @DependsOn('load') c4() {
    return this.step('c4');
  }
}

describe('InvokeOptions.concurrency', () => {
  it('with 1, starts the longest chain first, one task at a time, ties in declaration order', async () => {
    const flow = new ChainAfterSingle();
    const run = Workflow.invoke(flow, undefined, { concurrency: 1 });
    await settle();
    expect(flow.log.starts).to.deep.equal(['first']);

    await finish(flow, 'first');
    // ready: single (path 1), second (path 2)
    expect(flow.log.starts).to.deep.equal(['first', 'second']);

    await finish(flow, 'second');
    // ready: single (path 1), third (path 1): declaration order decides
    expect(flow.log.starts).to.deep.equal(['first', 'second', 'single']);

    await finish(flow, 'single');
    await finish(flow, 'third');
    await run;
    expect(flow.log.events).to.deep.equal([
      'first:start',
      'first:end',
      'second:start',
      'second:end',
      'single:start',
      'single:end',
      'third:start',
      'third:end',
    ]);
    expect(flow.log.maxInFlight).to.equal(1);
  });

  it('with targets, measures chains within the run: a left-out tail does not lengthen one', async () => {
    const started: string[] = [];
    const Flow = twoChains(started);
    // The whole graph: head's chain (3) beats short's (2).
    await Workflow.invoke(new Flow(), undefined, { concurrency: 1 });
    expect(started).to.deep.equal(['head', 'short', 'middle', 'tail', 'afterShort']);
    started.length = 0;
    // Without tail, head's chain is 2 like short's: declaration order puts short first.
    await Workflow.invoke(new Flow(), undefined, {
      concurrency: 1,
      targets: ['middle', 'afterShort'],
    });
    expect(started).to.deep.equal(['short', 'head', 'middle', 'afterShort']);
    started.length = 0;
    // The same targets again (the ranks are reused), then the whole graph again.
    await Workflow.invoke(new Flow(), undefined, {
      concurrency: 1,
      targets: ['afterShort', 'middle'],
    });
    expect(started).to.deep.equal(['short', 'head', 'middle', 'afterShort']);
    started.length = 0;
    await Workflow.invoke(new Flow(), undefined, { concurrency: 1 });
    expect(started).to.deep.equal(['head', 'short', 'middle', 'tail', 'afterShort']);
  });

  it('with targets, ranks a list of targets again once 16 other lists have pushed it out', async () => {
    const started: string[] = [];
    const Flow = twoChains(started);
    const names = ['short', 'head', 'middle', 'tail', 'afterShort'] as const;
    const run = async (targets: (typeof names)[number][]) => {
      started.length = 0;
      await Workflow.invoke(new Flow(), undefined, { concurrency: 1, targets });
      return [...started];
    };
    expect(await run(['middle', 'afterShort'])).to.deep.equal([
      'short',
      'head',
      'middle',
      'afterShort',
    ]);
    // 16 other lists of targets: every non-empty subset but a few, each ranked and kept.
    let others = 0;
    for (let mask = 1; mask < 2 ** names.length && others < 16; mask++) {
      const targets = names.filter((_, index) => (mask >> index) & 1);
      if (targets.join() === 'middle,afterShort') continue;
      await run(targets);
      others++;
    }
    expect(await run(['middle', 'afterShort'])).to.deep.equal([
      'short',
      'head',
      'middle',
      'afterShort',
    ]);
    expect(await run(['tail', 'afterShort'])).to.deep.equal([
      'head',
      'short',
      'middle',
      'tail',
      'afterShort',
    ]);
  });

  it('with 1, starts independent roots in declaration order', async () => {
    const log = new EventLog();
    class Roots {
      @Task() delta() {
        return log.track('delta', settle);
      }
      @Task() bravo() {
        return log.track('bravo', settle);
      }
      @Task() charlie() {
        return log.track('charlie', settle);
      }
      @Task() alpha() {
        return log.track('alpha', settle);
      }
    }
    await Workflow.invoke(new Roots(), undefined, { concurrency: 1 });
    expect(log.starts).to.deep.equal(['delta', 'bravo', 'charlie', 'alpha']);
    expect(log.maxInFlight).to.equal(1);
  });

  it('with 2 on a wide graph, keeps two in flight and lets the chain jump the queue', async () => {
    const flow = new WideWithChain();
    const run = Workflow.invoke(flow, undefined, { concurrency: 2 });
    await settle();
    expect(flow.log.starts).to.deep.equal(['c1', 'r1']);

    await finish(flow, 'r1'); // c2 is not ready yet: r2
    await finish(flow, 'c1'); // c2 (path 2) beats r3 (path 1)
    await finish(flow, 'r2'); // c3 is not ready yet: r3
    await finish(flow, 'c2'); // c3 and r4 both have path 1: r4 was declared first
    expect(flow.log.starts).to.deep.equal(['c1', 'r1', 'r2', 'c2', 'r3', 'r4']);
    expect(flow.log.inFlight).to.equal(2);

    await finish(flow, 'r3');
    await finish(flow, 'r4');
    await finish(flow, 'r5');
    await finish(flow, 'c3');
    await run;
    expect(flow.log.starts).to.deep.equal(['c1', 'r1', 'r2', 'c2', 'r3', 'r4', 'r5', 'c3']);
    expect(flow.log.maxInFlight).to.equal(2);
  });

  it('with 3 on a fan-out/fan-in graph, never has more than three in flight and computes the same results', async () => {
    const log = new EventLog();
    /** Finishes after `turns` macrotask turns, so tasks overlap in a fixed pattern. */
    const work = (name: string, turns: number, value: number) =>
      log.track(name, async () => {
        await settle(turns);
        return value;
      });
    class FanOutFanIn {
      @Task() source(@Param() n: number) {
        return work('source', 1, n);
      }
      @Task() @DependsOn('source') m1(n: number) {
        return work('m1', 3, n + 1);
      }
      @Task() @DependsOn('source') m2(n: number) {
        return work('m2', 1, n + 2);
      }
      @Task() @DependsOn('source') m3(n: number) {
        return work('m3', 2, n + 3);
      }
      @Task() @DependsOn('source') m4(n: number) {
        return work('m4', 1, n + 4);
      }
      @Task() @DependsOn('source') m5(n: number) {
        return work('m5', 3, n + 5);
      }
      @Task() @DependsOn('source') m6(n: number) {
        return work('m6', 2, n + 6);
      }
      @Task() side(@Param() n: number) {
        return work('side', 4, -n);
      }
      @Task()
      @DependsOn('m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'side')
      sink(...values: number[]) {
        return work(
          'sink',
          1,
          values.reduce((sum, value) => sum + value, 0),
        );
      }
    }

    const result = await Workflow.invoke(new FanOutFanIn(), 10, { concurrency: 3 });
    expect(result.get('sink')).to.equal(6 * 10 + 21 - 10);
    expect(log.starts).to.have.members([
      'source',
      'side',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
      'sink',
    ]);
    expect(log.maxInFlight).to.equal(3);
    // source (path 3) before side (path 2); the middles in declaration order; the sink last.
    expect(log.starts.slice(0, 2)).to.deep.equal(['source', 'side']);
    expect(log.starts.filter((task) => task.startsWith('m'))).to.deep.equal([
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
    ]);
    expect(log.starts.at(-1)).to.equal('sink');
  });

  it('with a limit every ready task fits in, starts them in declaration order, as without one', async () => {
    for (const concurrency of [Infinity, 10, 2]) {
      const flow = new ChainAfterSingle();
      const run = Workflow.invoke(flow, undefined, { concurrency });
      await settle();
      // single (path 1) is declared before first (path 3); two free slots hold both.
      expect(flow.log.starts, `concurrency ${concurrency}`).to.deep.equal(['single', 'first']);
      for (const name of ['single', 'first', 'second', 'third']) await finish(flow, name);
      await run;
      expect(flow.log.starts, `concurrency ${concurrency}`).to.deep.equal([
        'single',
        'first',
        'second',
        'third',
      ]);
    }
  });

  it('ranks only when more tasks are ready than there are free slots, then goes back to declaration order', async () => {
    const flow = new FitsThenBindsThenFits();
    const run = Workflow.invoke(flow, undefined, { concurrency: 2 });
    await settle();
    // Two roots, two slots: declaration order, though hub's path is longer.
    expect(flow.log.starts).to.deep.equal(['a', 'hub']);

    await finish(flow, 'a');
    await finish(flow, 'hub');
    // x, y, z for two slots: the longest paths, z (4) then y (3), start; x waits.
    expect(flow.log.starts).to.deep.equal(['a', 'hub', 'z', 'y']);

    await finish(flow, 'z');
    // zz (path 3) and x (path 1) for one slot: zz.
    expect(flow.log.starts.slice(4)).to.deep.equal(['zz']);
    await finish(flow, 'y');
    expect(flow.log.starts.slice(4)).to.deep.equal(['zz', 'x']);

    await finish(flow, 'x');
    await finish(flow, 'zz');
    // late and later, released together into two free slots: declaration order, though later's
    // path is longer.
    expect(flow.log.starts.slice(6)).to.deep.equal(['late', 'later']);
    for (const name of ['later', 'late', 'last']) await finish(flow, name);
    await run;
    expect(flow.log.starts).to.deep.equal([
      'a',
      'hub',
      'z',
      'y',
      'zz',
      'x',
      'late',
      'later',
      'last',
    ]);
    expect(flow.log.maxInFlight).to.equal(2);
  });

  it('with Infinity (the default), starts every root before any of them ends', async () => {
    for (const options of [undefined, { concurrency: Infinity }]) {
      const flow = new WideWithChain();
      const run = Workflow.invoke(flow, undefined, options);
      await settle();
      expect(flow.log.starts).to.deep.equal(['r1', 'r2', 'r3', 'r4', 'r5', 'c1']);
      for (const name of ['r1', 'r2', 'r3', 'r4', 'r5', 'c1', 'c2', 'c3']) await finish(flow, name);
      await run;
      expect(flow.log.maxInFlight).to.equal(6);
    }
  });

  it('frees a slot when a task fails (failFast: false) and keeps going', async () => {
    const log = new EventLog();
    class FailingFirst {
      @Task() broken() {
        return log.track('broken', () => Promise.reject(new Error('broken')));
      }
      @Task() fine() {
        return log.track('fine', () => 'fine');
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new FailingFirst(), undefined, { concurrency: 1, failFast: false }),
      WorkflowExecutionError,
    );
    expect(log.events).to.deep.equal(['broken:start', 'broken:end', 'fine:start', 'fine:end']);
    expect(error.task).to.equal('broken');
    expect(error.result.get('fine')).to.equal('fine');
  });
  it('starts an allSettled task that was waiting for a slot when the run stopped, and only that one', async () => {
    const flow = new CleanupQueuedAtStop();
    const run = Workflow.invoke(flow, undefined, { concurrency: 1 });
    await settle();
    expect(flow.log.starts).to.deep.equal(['load']);
    await finish(flow, 'load');
    // cleanup and extra now wait behind broken.
    expect(flow.log.starts).to.deep.equal(['load', 'broken']);
    flow.gates.fail('broken', new Error('broken'));
    await settle();
    expect(flow.log.starts).to.deep.equal(['load', 'broken', 'cleanup']);
    await finish(flow, 'cleanup');
    const error = await rejectionOf(run, WorkflowExecutionError);
    expect(error.task).to.equal('broken');
    expect(error.result.trace.map(({ task, status }) => [task, status])).to.deep.equal([
      ['load', 'succeeded'],
      ['broken', 'failed'],
      ['cleanup', 'succeeded'],
    ]);
  });
  it('starts the allSettled tasks waiting for a slot when the run stopped in rank order', async () => {
    const flow = new CleanupsQueuedAtStop();
    const run = Workflow.invoke(flow, undefined, { concurrency: 1 });
    await settle();
    await finish(flow, 'load');
    expect(flow.log.starts).to.deep.equal(['load', 'broken']);
    flow.gates.fail('broken', new Error('broken'));
    await settle();
    for (const name of ['c1', 'c2', 'c3', 'c4']) await finish(flow, name);
    await rejectionOf(run, WorkflowExecutionError);
    // Equal paths: declaration order, whatever order the stop left the queue in.
    expect(flow.log.starts).to.deep.equal(['load', 'broken', 'c1', 'c2', 'c3', 'c4']);
    expect(flow.log.maxInFlight).to.equal(1);
  });
});
