/**
 * How tasks are called: argument binding left to right, `this`, sync and async tasks, and lookup
 * of the task function on the instance at call time.
 */
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
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
import { recordProcessEvents, rejectionOf } from './support/event-log';

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

describe('instances not made by a plain new', () => {
  class Counter {
    runs = 0;
    receivers: unknown[] = [];
    @Task() start(@Param() n: number) {
      this.runs += 1;
      this.receivers.push(this);
      return n + 1;
    }
    @Task() @DependsOn('start') double(started: number) {
      this.receivers.push(this);
      return started * 2;
    }
  }

  class CounterWithReport extends Counter {
    @Task() @DependsOn('double') report(doubled: number) {
      return `${doubled} after ${this.runs} run(s)`;
    }
  }

  it('runs a Proxy of an instance (Vue reactive(), a tracking wrapper) through its traps: this is the proxy', async () => {
    const trapped: string[] = [];
    const counter = new Counter();
    const proxy = new Proxy(counter, {
      get(target, key, receiver) {
        if (key === 'start' || key === 'double') trapped.push(`get ${key}`);
        return Reflect.get(target, key, receiver) as unknown;
      },
      set(target, key, value, receiver) {
        trapped.push(`set ${String(key)}`);
        return Reflect.set(target, key, value, receiver);
      },
    });
    const result = await Workflow.invoke(proxy, 1);
    expect(result.toObject()).to.deep.equal({ start: 2, double: 4 });
    // Each task looked up on the proxy when it runs, and called on it: its writes go through `set`.
    expect(trapped).to.deep.equal(['get start', 'set runs', 'get double']);
    expect(counter.receivers).to.deep.equal([proxy, proxy]);
    expect(counter.receivers[0]).to.equal(proxy);
    expect(counter.runs).to.equal(1);
    // Its class's graph, cached once: the proxy is no class of its own.
    const streamed = Workflow.stream(proxy, 2);
    expect((await streamed.result).get('double')).to.equal(6);
    expect(Workflow.graph(Counter).order).to.deep.equal(['start', 'double']);
  });

  it('runs an instance made by Object.create(C.prototype), as sinon.createStubInstance makes one', async () => {
    const stub = Object.create(Counter.prototype) as Counter;
    Object.assign(stub, { receivers: [], start: (n: number) => n * 100 });
    const result = await Workflow.invoke(stub, 1);
    // The own property replaces `start`; `double` is the class's method, called on the object.
    expect(result.toObject()).to.deep.equal({ start: 100, double: 200 });
    expect(stub.receivers).to.deep.equal([stub]);
    expect(result.workflow).to.equal('Counter');
  });

  it('runs a frozen instance: a run writes nothing on it', async () => {
    class Pure {
      constructor(readonly factor: number) {}
      @Task() base(@Param() n: number) {
        return n * this.factor;
      }
      @Task() @DependsOn('base') plusOne(base: number) {
        return base + 1;
      }
    }
    const frozen = Object.freeze(new Pure(10));
    expect((await Workflow.invoke(frozen, 2)).toObject()).to.deep.equal({ base: 20, plusOne: 21 });
    expect((await Workflow.stream(frozen, 3).result).get('plusOne')).to.equal(31);
    // Not stubbable: the overrides option replaces a task for one run instead.
    const overridden = await Workflow.invoke(frozen, 2, { overrides: { base: () => 0 } });
    expect(overridden.get('plusOne')).to.equal(1);
    expect(Object.keys(frozen)).to.deep.equal(['factor']);
  });

  it("runs the class an instance's prototype was changed to, by that class's graph", async () => {
    // The base class's graph is built first; the instance then becomes a subclass's.
    const instance = new Counter();
    expect((await Workflow.invoke(instance, 1)).toObject()).to.deep.equal({ start: 2, double: 4 });
    Object.setPrototypeOf(instance, CounterWithReport.prototype);
    const result = await Workflow.invoke(instance as CounterWithReport, 1);
    expect(result.toObject()).to.deep.equal({ start: 2, double: 4, report: '4 after 2 run(s)' });
    expect(result.workflow).to.equal('CounterWithReport');
    expect(Workflow.graph(Counter).order).to.deep.equal(['start', 'double']);
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

  it('runs tasks returning promises of another realm (a vm context, an iframe) as native ones', async () => {
    const unhandled = recordProcessEvents('unhandledRejection');
    const realm = { setTimeout };
    const inRealm = <T>(code: string) => runInNewContext(code, realm) as Promise<T>;
    let attempts = 0;
    class Realms {
      @Task() now() {
        return inRealm<number>('Promise.resolve(1)');
      }
      @Task() later() {
        return inRealm<number>('new Promise((resolve) => setTimeout(resolve, 5, 2))');
      }
      // Abandoned at its timeout, it rejects later: handled all the same.
      @Task({ timeout: 5, fallback: (error) => (error as Error).name })
      abandoned() {
        return inRealm('new Promise((_, reject) => setTimeout(reject, 30, new Error("late")))');
      }
      @Task() @DependsOn('now', 'later', 'abandoned') sum(a: number, b: number, c: string) {
        return `${a + b} ${c}`;
      }
      @Task({ retries: 1 }) @DependsOn('sum') fails() {
        attempts++;
        return inRealm('Promise.reject(new Error("rejected in the realm"))');
      }
    }
    try {
      const error = await rejectionOf(Workflow.invoke(new Realms()), WorkflowExecutionError);
      expect([error.task, (error.cause as Error).message, attempts]).to.deep.equal([
        'fails',
        'rejected in the realm',
        2,
      ]);
      expect(error.result.get('sum')).to.equal('3 TaskTimeoutError');
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
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

  it('says null, not object, of a task the instance set to null (a stub disabling it)', async () => {
    class Lookup {
      @Task() value() {
        return 1;
      }
    }
    const flow = Object.assign(new Lookup(), { value: null });
    const error = (await Workflow.invoke(flow as unknown as Lookup).catch(
      (e: unknown) => e,
    )) as WorkflowExecutionError;
    expect((error.cause as Error).message).to.match(
      /^Lookup: task "value" is not a function on the instance \(it is null\): /,
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
