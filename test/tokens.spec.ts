/**
 * The input tokens PARAM, SIGNAL and CONTEXT in `@DependsOn`, the `@Context()` decorator, and the
 * `TaskContext` a task receives (API.md §6).
 */
import { expect } from 'chai';
import {
  CONTEXT,
  Context,
  DependsOn,
  PARAM,
  Param,
  SIGNAL,
  Signal,
  Task,
  Workflow,
  WorkflowDefinitionError,
  type TaskContext,
  type TaskProgressEvent,
} from '../src';
import { declareTask } from './support/declare-task';
import { sleep } from './support/event-log';

describe('input tokens in @DependsOn', () => {
  it('passes the parameter, results, the signal and the context in the listed positions', async () => {
    class Example {
      @Task() @DependsOn(PARAM) fastTaskA(n: number) {
        return n + 1;
      }
      @Task() @DependsOn<Example>('fastTaskA', PARAM, SIGNAL) slowTaskB(
        a: number,
        n: number,
        signal: AbortSignal,
      ) {
        return { sum: a + n, aborted: signal.aborted };
      }
      @Task() @DependsOn<Example>('slowTaskB', CONTEXT) report(
        b: { sum: number },
        ctx: TaskContext,
      ) {
        return `${ctx.task}#${ctx.attempt}: ${b.sum}`;
      }
    }
    const result = await Workflow.invoke(new Example(), 10);
    expect(result.get('fastTaskA')).to.equal(11);
    expect(result.get('slowTaskB')).to.deep.equal({ sum: 21, aborted: false });
    expect(result.get('report')).to.equal('report#1: 21');
  });

  it('does not make tokens graph edges', () => {
    class Example {
      @Task() @DependsOn(PARAM, SIGNAL, CONTEXT) a() {}
      @Task() @DependsOn('a', PARAM) b() {}
    }
    expect(Workflow.graph(Example).tasks).to.deep.equal([
      { name: 'a', dependsOn: [], dependents: ['b'] },
      { name: 'b', dependsOn: ['a'], dependents: [] },
    ]);
    expect(Workflow.graph(Example).roots).to.deep.equal(['a']);
  });

  it('fills the positions no parameter decorator marks, left to right', async () => {
    class Mixed {
      @Task() first() {
        return 'first';
      }
      @Task() @DependsOn('first', CONTEXT) second(
        @Param() n: number,
        first: string,
        @Signal() signal: AbortSignal,
        ctx: TaskContext,
      ) {
        return [n, first, signal === ctx.signal, ctx.task];
      }
    }
    const result = await Workflow.invoke(new Mixed(), 7);
    expect(result.get('second')).to.deep.equal([7, 'first', true, 'second']);
  });

  it('gives SIGNAL, @Signal() and ctx.signal the same object within an attempt, a new one per timed attempt', async () => {
    const seen: boolean[] = [];
    const signals: AbortSignal[] = [];
    class Timed {
      @Task({ timeout: 1_000, retries: 1 }) @DependsOn(SIGNAL, CONTEXT) flaky(
        signal: AbortSignal,
        ctx: TaskContext,
        @Signal() marked: AbortSignal,
      ) {
        seen.push(signal === ctx.signal && signal === marked);
        signals.push(signal);
        if (ctx.attempt === 1) throw new Error('retry me');
        return ctx.attempt;
      }
    }
    const result = await Workflow.invoke(new Timed());
    expect(result.get('flaky')).to.equal(2);
    expect(seen).to.deep.equal([true, true]);
    expect(signals[0]).not.to.equal(signals[1]);
  });

  it('works for tokens given by hand, and tokens are frozen and printable', () => {
    class ByHand {}
    declareTask(ByHand.prototype, 'a', (n: number) => n, { dependsOn: [PARAM as never] });
    Workflow.validate(ByHand);
    expect(Object.isFrozen(PARAM) && Object.isFrozen(SIGNAL) && Object.isFrozen(CONTEXT)).to.equal(
      true,
    );
    expect([String(PARAM), String(SIGNAL), String(CONTEXT)]).to.deep.equal([
      'PARAM',
      'SIGNAL',
      'CONTEXT',
    ]);
  });

  it('rejects an object that only looks like a token', () => {
    class LookAlike {}
    declareTask(LookAlike.prototype, 'a', () => 1, { dependsOn: [{ token: 'PARAM' } as never] });
    expect(() => Workflow.validate(LookAlike))
      .to.throw(WorkflowDefinitionError, 'input 1 of task "a" is an object')
      .with.property('code', 'UNKNOWN_DEPENDENCY');
  });
});

describe('@Context()', () => {
  it('passes the TaskContext to the marked parameter', async () => {
    class Import {
      @Task() rows(@Param() file: string, @Context() ctx: TaskContext) {
        return `${file}:${ctx.task}:${ctx.attempt}:${ctx.signal.aborted}`;
      }
    }
    expect((await Workflow.invoke(new Import(), 'a.csv')).get('rows')).to.equal(
      'a.csv:rows:1:false',
    );
  });

  it('follows the definition rules of @Param(): NOT_A_TASK, PARAMETER_GAP, marked twice', () => {
    class NotATask {
      @Task() a() {}
      b(@Context() _ctx: TaskContext) {}
    }
    class Gap {
      @Task() a(_hole: unknown, @Context() _ctx: TaskContext) {}
    }
    class Twice {
      @Task() a(@Param() @Context() _both: unknown) {}
    }
    expect(() => Workflow.validate(NotATask))
      .to.throw(WorkflowDefinitionError, '@Context() on "b"')
      .with.property('code', 'NOT_A_TASK');
    expect(() => Workflow.validate(Gap))
      .to.throw(WorkflowDefinitionError, 'parameter 2 of task "a" is marked')
      .with.property('code', 'PARAMETER_GAP');
    expect(() => Workflow.validate(Twice))
      .to.throw(WorkflowDefinitionError, 'marked both @Context() and @Param()')
      .with.property('code', 'INVALID_TASK');
  });
});

describe('TaskContext.progress', () => {
  it('reaches onTaskProgress with the task, attempt and data, in order', async () => {
    const events: TaskProgressEvent[] = [];
    class Import {
      @Task() @DependsOn(CONTEXT) async rows(ctx: TaskContext) {
        ctx.progress({ done: 1 });
        await null;
        ctx.progress({ done: 2 });
        return 2;
      }
    }
    await Workflow.invoke(new Import(), undefined, {
      hooks: { onTaskProgress: (event) => events.push(event) },
    });
    expect(events).to.deep.equal([
      { task: 'rows', attempt: 1, data: { done: 1 } },
      { task: 'rows', attempt: 1, data: { done: 2 } },
    ]);
  });

  it('is harmless when nobody listens, and ignored after the run settled', async () => {
    let saved: TaskContext | undefined;
    const events: unknown[] = [];
    class Import {
      @Task() @DependsOn(CONTEXT) rows(ctx: TaskContext) {
        saved = ctx;
        ctx.progress('nobody listens');
        return 1;
      }
    }
    await Workflow.invoke(new Import());
    saved!.progress('after');
    await Workflow.invoke(new Import(), undefined, {
      hooks: { onTaskProgress: (event) => events.push(event.data) },
    });
    saved!.progress('after the second run');
    expect(events).to.deep.equal(['nobody listens']);
  });

  it('is ignored once its attempt is over, while the run goes on', async () => {
    const events: string[] = [];
    const contexts: TaskContext[] = [];
    class Import {
      @Task({ retries: 1 }) @DependsOn(CONTEXT) async rows(ctx: TaskContext) {
        contexts.push(ctx);
        await null;
        if (ctx.attempt === 1) throw new Error('first attempt fails');
        contexts[0].progress('from attempt 1, while attempt 2 runs');
        ctx.progress('from attempt 2');
        return 1;
      }
      @Task() @DependsOn('rows') async report(rows: number) {
        contexts[1].progress('from rows, after it succeeded');
        await null;
        return rows;
      }
    }
    await Workflow.invoke(new Import(), undefined, {
      hooks: {
        onTaskProgress: ({ task, attempt, data }) =>
          events.push(`${task}:${attempt}:${String(data)}`),
      },
    });
    expect(events).to.deep.equal(['rows:2:from attempt 2']);
  });

  it('reaches hooks from a task without options when other tasks have some', async () => {
    const events: string[] = [];
    class Import {
      @Task({ retries: 1 }) other() {
        return 0;
      }
      @Task() @DependsOn(CONTEXT) rows(ctx: TaskContext) {
        ctx.progress('plain');
        return 1;
      }
    }
    await Workflow.invoke(new Import(), undefined, {
      hooks: {
        onTaskProgress: ({ task, attempt, data }) =>
          events.push(`${task}:${attempt}:${String(data)}`),
      },
    });
    expect(events).to.deep.equal(['rows:1:plain']);
  });

  it('reaches hooks from a task without options that starts before any task with some', async () => {
    const events: string[] = [];
    class Import {
      @Task() @DependsOn(CONTEXT) rows(ctx: TaskContext) {
        ctx.progress('first');
        return 1;
      }
      @Task({ retries: 1 }) other() {
        return 0;
      }
    }
    await Workflow.invoke(new Import(), undefined, {
      hooks: {
        onTaskProgress: ({ task, attempt, data }) =>
          events.push(`${task}:${attempt}:${String(data)}`),
      },
    });
    expect(events).to.deep.equal(['rows:1:first']);
  });

  it('is ignored while its task waits for its fallback after its attempt timed out', async () => {
    const events: string[] = [];
    let fallbackStarted!: () => void;
    const inFallback = new Promise<void>((resolve) => (fallbackStarted = resolve));
    let releaseFallback!: () => void;
    const fallbackMayEnd = new Promise<void>((resolve) => (releaseFallback = resolve));
    class Import {
      @Task({
        timeout: 5,
        fallback: async () => {
          fallbackStarted();
          await fallbackMayEnd;
          return 0;
        },
      })
      @DependsOn(CONTEXT)
      async rows(ctx: TaskContext) {
        ctx.progress('before the timeout');
        await inFallback; // the attempt timed out at 5 ms, and its fallback is running
        ctx.progress('from the timed-out attempt, while the fallback runs');
        releaseFallback();
        return 1;
      }
    }
    const result = await Workflow.invoke(new Import(), undefined, {
      hooks: { onTaskProgress: ({ data }) => events.push(String(data)) },
    });
    expect(result.get('rows')).to.equal(0);
    expect(events).to.deep.equal(['before the timeout']);
  });

  it('is ignored while its task waits out the retry delay after its attempt timed out', async () => {
    const events: string[] = [];
    class Import {
      @Task({ timeout: 5, retries: 1, retryDelay: 60 })
      @DependsOn(CONTEXT)
      async rows(ctx: TaskContext) {
        if (ctx.attempt === 1) {
          // Times out at 5 ms (its signal aborts then); the retry starts 60 ms later.
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          ctx.progress('from the timed-out attempt');
        }
        ctx.progress(`attempt ${ctx.attempt}`);
        return 1;
      }
    }
    await Workflow.invoke(new Import(), undefined, {
      hooks: { onTaskProgress: ({ data }) => events.push(String(data)) },
    });
    expect(events).to.deep.equal(['attempt 2']);
  });

  it('is ignored once its task succeeded, also from inside its onTaskSuccess hook', async () => {
    // The hook aborts the run: the body's abort listener reports after the task's last event.
    const events: string[] = [];
    const controller = new AbortController();
    class Race {
      @Task() @DependsOn(CONTEXT) async fast(ctx: TaskContext) {
        ctx.signal.addEventListener('abort', () => ctx.progress('fast cancelled'));
        await null;
        return 'fast';
      }
      @Task() @DependsOn(CONTEXT) async slow(ctx: TaskContext) {
        ctx.signal.addEventListener('abort', () => ctx.progress('slow cancelled'));
        await sleep(5);
        return 'slow';
      }
    }
    const run = Workflow.invoke(new Race(), undefined, {
      signal: controller.signal,
      hooks: {
        onTaskSuccess({ task }) {
          events.push(`success:${task}`);
          if (task === 'fast') controller.abort(new Error('got one'));
        },
        onTaskProgress: ({ task, data }) => events.push(`progress:${task}:${String(data)}`),
      },
    });
    await run.catch(() => undefined);
    expect(events).to.deep.equal(['success:fast', 'progress:slow:slow cancelled', 'success:slow']);
  });

  it('is ignored once its attempt failed, also while onTaskRetry runs', async () => {
    // The hook aborts the run: the failed attempt's abort listener reports after its failure.
    const events: string[] = [];
    const controller = new AbortController();
    class Import {
      @Task({ retries: 1 }) @DependsOn(CONTEXT) async rows(ctx: TaskContext) {
        ctx.signal.addEventListener('abort', () => ctx.progress('cancelled'));
        await null;
        throw new Error('flaky');
      }
    }
    const stream = Workflow.stream(new Import(), undefined, {
      signal: controller.signal,
      hooks: { onTaskRetry: () => controller.abort(new Error('stop')) },
    });
    const seen: string[] = [];
    try {
      for await (const event of stream) seen.push(`${event.type}:${event.task}`);
    } catch {
      // WorkflowAbortedError
    }
    expect(seen).to.deep.equal([
      'taskStart:rows',
      'taskFailure:rows', // willRetry: true
      'taskFailure:rows', // the stop ends the retry wait
    ]);
    expect(events).to.deep.equal([]);
  });
});
