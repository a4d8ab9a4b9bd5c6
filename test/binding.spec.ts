/**
 * How tasks are called: argument binding left to right, `this`, sync and async tasks, and lookup
 * of the task function on the instance at call time.
 */
import { expect } from 'chai';
import {
  CONTEXT,
  DependsOn,
  Param,
  Signal,
  SIGNAL,
  Task,
  Workflow,
  WorkflowExecutionError,
} from '../src';

describe('argument binding', () => {
  it('gives @Param() its value in any position, dependencies filling the rest in listed order', async () => {
    class Positions {
      @Task() a() {
        return 'A';
      }
      @Task() b() {
        return 'B';
      }
      @Task() @DependsOn('a', 'b') first(@Param() p: string, a: string, b: string) {
        return [p, a, b];
      }
      @Task() @DependsOn('a', 'b') middle(a: string, @Param() p: string, b: string) {
        return [a, p, b];
      }
      @Task() @DependsOn('b', 'a') last(b: string, a: string, @Param() p: string) {
        return [b, a, p];
      }
    }
    const result = await Workflow.invoke(new Positions(), 'P');
    expect(result.get('first')).to.deep.equal(['P', 'A', 'B']);
    expect(result.get('middle')).to.deep.equal(['A', 'P', 'B']);
    expect(result.get('last')).to.deep.equal(['B', 'A', 'P']);
  });

  it('passes @Signal() an AbortSignal next to @Param() and dependencies', async () => {
    class WithSignal {
      @Task() a() {
        return 1;
      }
      @Task() @DependsOn('a') b(@Signal() signal: AbortSignal, a: number, @Param() p: number) {
        return { isSignal: signal instanceof AbortSignal, aborted: signal.aborted, sum: a + p };
      }
    }
    const result = await Workflow.invoke(new WithSignal(), 10);
    expect(result.get('b')).to.deep.equal({ isSignal: true, aborted: false, sum: 11 });
  });

  it('can mark @Param() more than once, each getting the same value', async () => {
    class Twice {
      @Task() a(@Param() x: number, @Param() y: number) {
        return x + y;
      }
    }
    expect((await Workflow.invoke(new Twice(), 2)).get('a')).to.equal(4);
  });

  it('passes exactly the listed inputs and the marked parameters: no argument more', async () => {
    class Counted {
      @Task() a() {
        return 'A';
      }
      @Task() none(...args: unknown[]) {
        return args.length;
      }
      @Task() @DependsOn('a', 'a') twice(...args: unknown[]) {
        return args;
      }
      @Task() @DependsOn('a', SIGNAL, CONTEXT) mixed(
        @Param() p: number,
        a: string,
        @Signal() signal: AbortSignal,
        ...rest: unknown[]
      ) {
        return [p, a, signal instanceof AbortSignal, rest.length, rest[0] === signal];
      }
      // A parameter left over gets no argument, so its default applies.
      @Task() @DependsOn('a') defaults(a: string, extra = 'default') {
        return [a, extra];
      }
    }
    const result = await Workflow.invoke(new Counted(), 7);
    expect(result.toObject()).to.deep.equal({
      a: 'A',
      none: 0,
      twice: ['A', 'A'],
      mixed: [7, 'A', true, 2, true],
      defaults: ['A', 'default'],
    });
  });

  it('passes undefined as the param when invoke gets none', async () => {
    class NoParam {
      @Task() a(@Param() p: unknown) {
        return p === undefined;
      }
    }
    expect((await Workflow.invoke(new NoParam())).get('a')).to.equal(true);
  });
});

describe('decorator order', () => {
  it('does not matter: @Task() above or below @DependsOn, with options and parameter decorators', async () => {
    /** Each task's inputs as plain data: the signal by what it is. */
    const shown = (...inputs: unknown[]) =>
      inputs.map((input) => (input instanceof AbortSignal ? 'signal' : input));
    class TaskFirst {
      tries = 0;
      @Task() load(@Param() id: string) {
        return `record ${id}`;
      }
      @Task({ retries: 1 }) @DependsOn('load') render(
        record: string,
        @Signal() signal: AbortSignal,
        @Param() id: string,
      ) {
        if (++this.tries === 1) throw new Error('first attempt fails');
        return shown(record, signal, id);
      }
      @Task({ when: 'allSettled' }) @DependsOn('render', 'load') done(...settled: unknown[]) {
        return settled.length;
      }
    }
    class DependsOnFirst {
      tries = 0;
      @Task() load(@Param() id: string) {
        return `record ${id}`;
      }
      @DependsOn('load') @Task({ retries: 1 }) render(
        record: string,
        @Signal() signal: AbortSignal,
        @Param() id: string,
      ) {
        if (++this.tries === 1) throw new Error('first attempt fails');
        return shown(record, signal, id);
      }
      @DependsOn('render', 'load') @Task({ when: 'allSettled' }) done(...settled: unknown[]) {
        return settled.length;
      }
    }
    const graph = ({ tasks, roots, sinks, order }: ReturnType<typeof Workflow.graph>) => ({
      tasks,
      roots,
      sinks,
      order,
    });
    expect(graph(Workflow.graph(DependsOnFirst))).to.deep.equal(graph(Workflow.graph(TaskFirst)));
    const expected = { load: 'record 7', render: ['record 7', 'signal', '7'], done: 2 };
    for (const instance of [new TaskFirst(), new DependsOnFirst()]) {
      const result = await Workflow.invoke(instance, '7');
      expect(result.toObject()).to.deep.equal(expected);
      expect(result.trace.map(({ task, attempts }) => [task, attempts])).to.deep.equal([
        ['load', 1],
        ['render', 2],
        ['done', 1],
      ]);
    }
  });
});

describe('calling tasks', () => {
  it('binds this to the instance', async () => {
    class Greeter {
      constructor(private readonly greeting: string) {}
      @Task() hello(@Param() name: string) {
        return `${this.greeting}, ${name}`;
      }
      @Task() @DependsOn('hello') shout(hello: string) {
        return this.loud(hello);
      }
      private loud(text: string) {
        return `${text.toUpperCase()}!`;
      }
    }
    const result = await Workflow.invoke(new Greeter('Hello'), 'Ada');
    expect(result.get('shout')).to.equal('HELLO, ADA!');
  });

  it('runs sync tasks, async tasks and tasks returning thenables alike', async () => {
    class Mixed {
      @Task() sync() {
        return 1;
      }
      @Task() async asynchronous() {
        return 2;
      }
      @Task() thenable(): PromiseLike<number> {
        return { then: (resolve) => Promise.resolve(resolve?.(3)) as never };
      }
      @Task() @DependsOn('sync', 'asynchronous', 'thenable') sum(a: number, b: number, c: number) {
        return a + b + c;
      }
    }
    expect((await Workflow.invoke(new Mixed())).get('sum')).to.equal(6);
  });

  it('resolves a sync task without waiting a turn: a sync chain completes before invoke returns', async () => {
    const calls: string[] = [];
    class SyncChain {
      @Task() a() {
        calls.push('a');
        return 1;
      }
      @Task() @DependsOn('a') b(a: number) {
        calls.push('b');
        return a + 1;
      }
    }
    const run = Workflow.invoke(new SyncChain());
    expect(calls).to.deep.equal(['a', 'b']);
    expect((await run).get('b')).to.equal(2);
  });

  it('fails the run when a sync task throws', async () => {
    class Throws {
      @Task() a(): number {
        throw new TypeError('sync boom');
      }
    }
    const error = (await Workflow.invoke(new Throws()).catch(
      (e: unknown) => e,
    )) as WorkflowExecutionError;
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    expect(error.cause).to.be.instanceOf(TypeError);
    expect(error.message).to.equal('Throws: task "a" failed: sync boom');
  });

  it('looks the task up on the instance at call time, so an instance property replaces it', async () => {
    class Lookup {
      @Task() value() {
        return 'prototype';
      }
    }
    const flow = new Lookup();
    Object.assign(flow, { value: () => 'instance' });
    expect((await Workflow.invoke(flow)).get('value')).to.equal('instance');
    expect((await Workflow.invoke(new Lookup())).get('value')).to.equal('prototype');
  });

  it('fails clearly when the instance replaced a task with a non-function', async () => {
    class Lookup {
      @Task() value() {
        return 1;
      }
    }
    const flow = Object.assign(new Lookup(), { value: 42 });
    const error = (await Workflow.invoke(flow as unknown as Lookup).catch(
      (e: unknown) => e,
    )) as WorkflowExecutionError;
    expect(error.cause).to.be.instanceOf(TypeError);
    expect((error.cause as Error).message).to.equal(
      'Lookup: task "value" is not a function on the instance (it is number): a property, field ' +
        'or getter of that name hides the @Task() method. Rename it, or replace the task with the ' +
        'overrides option.',
    );
  });

  it('keeps concurrent runs of one instance apart', async () => {
    class Echo {
      @Task() async wait(@Param() ms: number) {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ms;
      }
      @Task() @DependsOn('wait') double(ms: number) {
        return ms * 2;
      }
    }
    const flow = new Echo();
    const [slow, fast] = await Promise.all([Workflow.invoke(flow, 20), Workflow.invoke(flow, 1)]);
    expect(slow.get('double')).to.equal(40);
    expect(fast.get('double')).to.equal(2);
  });
});
