/**
 * Every definition error code of API.md §5, thrown by Workflow.validate / Workflow.graph and
 * rejecting Workflow.invoke, with messages a user can act on.
 */
import { expect } from 'chai';
import {
  buildDag,
  Context,
  DependsOn,
  Param,
  Signal,
  SIGNAL,
  Task,
  Workflow,
  WorkflowDefinitionError,
  type DefinitionErrorCode,
  type WorkflowClass,
} from '../src';
import { declareTask } from './support/declare-task';
import { thrownBy } from './support/event-log';

function definitionErrorOf(workflowClass: WorkflowClass): WorkflowDefinitionError {
  try {
    Workflow.validate(workflowClass);
  } catch (error) {
    expect(error).to.be.instanceOf(WorkflowDefinitionError);
    return error as WorkflowDefinitionError;
  }
  return expect.fail(`${workflowClass.name} should not validate`);
}

function expectDefinitionError(
  workflowClass: WorkflowClass,
  code: DefinitionErrorCode,
  task: string | undefined,
  ...fragments: string[]
): WorkflowDefinitionError {
  const error = definitionErrorOf(workflowClass);
  expect(error.code).to.equal(code);
  expect(error.workflow).to.equal(workflowClass.name);
  expect(error.task).to.equal(task);
  expect(error.message.startsWith(`${workflowClass.name}: `), error.message).to.equal(true);
  for (const fragment of fragments) expect(error.message).to.contain(fragment);
  return error;
}

describe('definition errors', () => {
  describe('CYCLE', () => {
    it('shows the cycle path in execution order, starting at its first-declared task', () => {
      class Loop {
        @Task() start() {}
        @Task() @DependsOn('c', 'start') a() {}
        @Task() @DependsOn('a') b() {}
        @Task() @DependsOn('b') c() {}
      }
      expectDefinitionError(Loop, 'CYCLE', 'a', 'a -> b -> c -> a');
    });

    it('reports a self-dependency as a cycle of one', () => {
      class Selfish {
        @Task() @DependsOn('me') me() {}
      }
      expectDefinitionError(Selfish, 'CYCLE', 'me', 'me -> me', 'depends on itself');
    });

    it('rejects invoke with the same error, before any task runs', async () => {
      let ran = false;
      class Loop {
        @Task() free() {
          ran = true;
        }
        @Task() @DependsOn('y') x() {}
        @Task() @DependsOn('x') y() {}
      }
      const error = await Workflow.invoke(new Loop()).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(WorkflowDefinitionError);
      expect((error as WorkflowDefinitionError).message).to.contain('x -> y -> x');
      expect(ran).to.equal(false);
    });

    it('reports, of two separate cycles, the one reached from the first-declared task', () => {
      class TwoLoops {
        @Task() @DependsOn('b') a() {}
        @Task() @DependsOn('a') b() {}
        @Task() @DependsOn('d') c() {}
        @Task() @DependsOn('c') d() {}
      }
      const error = expectDefinitionError(TwoLoops, 'CYCLE', 'a', 'a -> b -> a');
      expect(error.message).to.not.contain('c -> d');
    });

    it('shows the shortest cycle, not a longer one through the same tasks', () => {
      // a -> b -> c -> d -> e -> a is a cycle, but so is b -> e -> a -> b: removing one of its
      // three links is the fix to look for first.
      class Shortcut {
        @Task() @DependsOn('e') a() {}
        @Task() @DependsOn('a') b() {}
        @Task() @DependsOn('b') c() {}
        @Task() @DependsOn('c') d() {}
        @Task() @DependsOn('d', 'b') e() {}
      }
      const error = expectDefinitionError(Shortcut, 'CYCLE', 'a', 'cycle a -> b -> e -> a (');
      expect(error.cycle).to.deep.equal(['a', 'b', 'e', 'a']);
    });

    it('shows a self-dependency rather than a longer cycle it is part of', () => {
      class Both {
        @Task() @DependsOn('c') a() {}
        @Task() @DependsOn('a') b() {}
        @Task() @DependsOn('b', 'c') c() {}
      }
      expectDefinitionError(Both, 'CYCLE', 'c', 'task "c" depends on itself (c -> c)');
    });
  });

  describe('CYCLE of many tasks', () => {
    /** A class whose tasks r0 … r(size-1) each depend on the one before, r0 on the last. */
    function ring(size: number): WorkflowClass {
      const Ring = class Ring {};
      for (let index = 0; index < size; index++) {
        declareTask(Ring.prototype, `r${index}`, () => index, {
          dependsOn: [`r${(index + size - 1) % size}`],
        });
      }
      return Ring;
    }
    const path = (indexes: number[]) => indexes.map((index) => `r${index}`).join(' -> ');
    const range = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, offset) => from + offset);

    it('shows a cycle of up to 100 tasks whole', () => {
      const error = expectDefinitionError(ring(100), 'CYCLE', 'r0', path([...range(0, 100), 0]));
      expect(error.message).to.not.contain('more');
      expect(error.cycle).to.deep.equal([...range(0, 100), 0].map((index) => `r${index}`));
    });

    it('shows the first and last 50 tasks of a longer one, and how many are left out', () => {
      const error = expectDefinitionError(
        ring(101),
        'CYCLE',
        'r0',
        `dependency cycle ${path(range(0, 50))} -> … 1 more … -> ${path([...range(51, 101), 0])} (`,
      );
      expect(error.cycle).to.deep.equal([...range(0, 101), 0].map((index) => `r${index}`));
    });

    it('has no cycle for the other codes', () => {
      class Typo {
        @Task() a() {}
        @Task() @DependsOn('x') b() {}
      }
      expect(definitionErrorOf(Typo).cycle).to.equal(undefined);
    });
  });

  describe('UNKNOWN_DEPENDENCY', () => {
    it('names both tasks and suggests a close match', () => {
      class Typo {
        @Task() fetchUser() {}
        @Task() @DependsOn('fetchUsr') render() {}
      }
      expectDefinitionError(
        Typo,
        'UNKNOWN_DEPENDENCY',
        'render',
        'task "render" depends on "fetchUsr", which is not a task. Did you mean "fetchUser"?',
      );
    });

    it('gives no suggestion for a name far from every task', () => {
      class Far {
        @Task() fetchUser() {}
        @Task() @DependsOn('somethingElse') render() {}
      }
      const error = expectDefinitionError(Far, 'UNKNOWN_DEPENDENCY', 'render', '"somethingElse"');
      expect(error.message).to.not.contain('Did you mean');
    });

    it('says to add @Task() when the dependency is a plain method', () => {
      class Plain {
        helper() {}
        @Task() @DependsOn('helper') render() {}
      }
      expectDefinitionError(
        Plain,
        'UNKNOWN_DEPENDENCY',
        'render',
        '"helper" is a method: add @Task()',
      );
    });

    it('does not call a getter that returns a function a method, nor run it, to word the error', () => {
      let reads = 0;
      class FunctionGetter {
        get handler() {
          reads++;
          return () => 1;
        }
        @Task() @DependsOn('handler') report() {}
      }
      const error = expectDefinitionError(FunctionGetter, 'UNKNOWN_DEPENDENCY', 'report');
      expect(error.message).to.equal(
        'FunctionGetter: task "report" depends on "handler", which is not a task. ' +
          'Check the spelling, or add a @Task() method with that name.',
      );
      expect(reads).to.equal(0);
    });

    it('asks for a @Task() method, not for @Task() on it, when the dependency is a getter', () => {
      class OnGetter {
        get total() {
          return 1;
        }
        @Task() @DependsOn('total') report() {}
      }
      const error = expectDefinitionError(OnGetter, 'UNKNOWN_DEPENDENCY', 'report');
      expect(error.message).to.equal(
        'OnGetter: task "report" depends on "total", which is not a task. ' +
          'Check the spelling, or add a @Task() method with that name.',
      );
    });

    it('says a static method cannot be a task, instead of asking for one with that name', () => {
      class Base {
        static format() {}
      }
      class OnStatic extends Base {
        static helper() {}
        @Task() load() {}
        @Task() @DependsOn('helper') report() {}
      }
      const error = expectDefinitionError(OnStatic, 'UNKNOWN_DEPENDENCY', 'report');
      expect(error.message).to.equal(
        'OnStatic: task "report" depends on "helper", which is not a task. "helper" is a static ' +
          'method: tasks are instance methods. Remove "static" and add @Task() to it.',
      );
      class OnInheritedStatic extends Base {
        @Task() @DependsOn('format') print() {}
      }
      expectDefinitionError(
        OnInheritedStatic,
        'UNKNOWN_DEPENDENCY',
        'print',
        '"format" is a static method: tasks are instance methods.',
      );
    });

    it('asks for a task, not a lost "static", when the dependency names a static field or getter', () => {
      class OnStaticField {
        static retries = 3;
        @Task() @DependsOn('retries') send() {}
      }
      expect(definitionErrorOf(OnStaticField).message).to.equal(
        'OnStaticField: task "send" depends on "retries", which is not a task. ' +
          'Check the spelling, or add a @Task() method with that name.',
      );
      class OnStaticGetter {
        static get region() {
          return 'eu';
        }
        @Task() @DependsOn('region') route() {}
      }
      expect(definitionErrorOf(OnStaticGetter).message).to.equal(
        'OnStaticGetter: task "route" depends on "region", which is not a task. ' +
          'Check the spelling, or add a @Task() method with that name.',
      );
    });

    it('says a #private method cannot be a task when the dependency names one', () => {
      class OnPrivate {
        #hidden() {
          return 1;
        }
        @Task() load() {
          return this.#hidden();
        }
        @Task() @DependsOn('#hidden') report() {}
      }
      const error = expectDefinitionError(OnPrivate, 'UNKNOWN_DEPENDENCY', 'report');
      expect(error.message).to.equal(
        'OnPrivate: task "report" depends on "#hidden", which is not a task. A #private method ' +
          'cannot be a task (tasks are looked up on the instance by name): make it a @Task() ' +
          'method with TypeScript\'s "private" keyword instead of "#", and depend on its name ' +
          'without "#".',
      );
    });

    it('suggests the task whose name has two adjacent letters swapped', () => {
      class Swapped {
        @Task() load() {}
        @Task() @DependsOn('laod') save() {}
      }
      const error = expectDefinitionError(Swapped, 'UNKNOWN_DEPENDENCY', 'save');
      expect(error.message).to.equal(
        'Swapped: task "save" depends on "laod", which is not a task. Did you mean "load"?',
      );
    });

    it('lists the other tasks when no name is close (an inherited one may be out of sight)', () => {
      class Base {
        @Task() loadOrders() {}
      }
      class Listed extends Base {
        @Task() loadUsers() {}
        @Task() @DependsOn('invoices') report() {}
      }
      const error = expectDefinitionError(Listed, 'UNKNOWN_DEPENDENCY', 'report');
      expect(error.message).to.equal(
        'Listed: task "report" depends on "invoices", which is not a task. ' +
          'Check the spelling, or add a @Task() method with that name. Tasks: loadOrders, loadUsers.',
      );
    });

    it('never suggests the depending task itself, which would be a cycle', () => {
      class AlmostSelf {
        @Task() @DependsOn('fetchUsers') fetchUser() {}
      }
      const error = expectDefinitionError(AlmostSelf, 'UNKNOWN_DEPENDENCY', 'fetchUser');
      expect(error.message).to.equal(
        'AlmostSelf: task "fetchUser" depends on "fetchUsers", which is not a task. ' +
          'Check the spelling, or add a @Task() method with that name.',
      );

      class CaseOfSelf {
        @Task() fetchUsers() {}
        @Task() @DependsOn('FetchUser') fetchUser() {}
      }
      expectDefinitionError(
        CaseOfSelf,
        'UNKNOWN_DEPENDENCY',
        'fetchUser',
        'depends on "FetchUser", which is not a task. Did you mean "fetchUsers"?',
      );
    });

    it('points a token written as a string ("PARAM") to the token itself', () => {
      class AsString {
        @Task() @DependsOn('PARAM') load(_id: string) {}
        @Task() @DependsOn('load', 'signal') save(_loaded: unknown, _signal: AbortSignal) {}
      }
      expectDefinitionError(
        AsString,
        'UNKNOWN_DEPENDENCY',
        'load',
        'AsString: task "load" depends on "PARAM", which is not a task. To take the invocation ' +
          'parameter, list the PARAM token (imported from \'async-dag\'), not the string "PARAM".',
      );
      class SignalAsString {
        @Task() load() {}
        @Task() @DependsOn('load', 'signal') save(_loaded: unknown, _signal: AbortSignal) {}
      }
      expectDefinitionError(
        SignalAsString,
        'UNKNOWN_DEPENDENCY',
        'save',
        "To take the abort signal, list the SIGNAL token (imported from 'async-dag'), not the " +
          'string "signal".',
      );
    });

    it('says the constructor can never be a task, instead of asking for @Task() on it', () => {
      class OnConstructor {
        @Task() load() {}
        @Task() @DependsOn('constructor') save() {}
      }
      const error = expectDefinitionError(OnConstructor, 'UNKNOWN_DEPENDENCY', 'save');
      expect(error.message).to.equal(
        'OnConstructor: task "save" depends on "constructor", which is not a task. ' +
          '"constructor" is the class constructor, which can never be a task: move the work it ' +
          'does into a @Task() method and depend on that.',
      );
      expect(error.message).to.not.contain('add @Task() to it');
    });

    it('says to list each input as its own argument when they come as one array', () => {
      // What JavaScript, or tsx (which does not type-check), lets through.
      class AsArray {
        @Task() load() {}
        @Task() price() {}
        @Task() @DependsOn(['load', 'price'] as never) total(_order: unknown, _price: unknown) {}
      }
      expectDefinitionError(
        AsArray,
        'UNKNOWN_DEPENDENCY',
        'total',
        'AsArray: input 1 of task "total" is an array, which is neither a task name nor a token. ' +
          '@DependsOn takes task names (strings) and the tokens PARAM, SIGNAL and CONTEXT, each ' +
          'as its own argument: @DependsOn("load", "price").',
      );
      // An array it cannot show as names is to be spread.
      class AsListOfAnything {
        @Task() load() {}
        @Task() @DependsOn(['load', SIGNAL] as never) total(_order: unknown) {}
      }
      expectDefinitionError(
        AsListOfAnything,
        'UNKNOWN_DEPENDENCY',
        'total',
        'each as its own argument: spread the array, @DependsOn(...inputs).',
      );
      // So are an empty one and a long one, which would not read as a call.
      for (const inputs of [[], ['a', 'b', 'c', 'd', 'e', 'f']]) {
        class AsEmptyOrLongArray {
          @Task() load() {}
          @Task() @DependsOn(inputs as never) total(_order: unknown) {}
        }
        expectDefinitionError(
          AsEmptyOrLongArray,
          'UNKNOWN_DEPENDENCY',
          'total',
          'each as its own argument: spread the array, @DependsOn(...inputs).',
        );
      }
      // So is one that cannot be read: wording the error never throws.
      const unreadable = new Proxy(['load'], {
        get() {
          throw new Error('trap');
        },
      });
      class AsUnreadableArray {
        @Task() load() {}
        @Task() @DependsOn(unreadable as never) total(_order: unknown) {}
      }
      expectDefinitionError(
        AsUnreadableArray,
        'UNKNOWN_DEPENDENCY',
        'total',
        'each as its own argument: spread the array, @DependsOn(...inputs).',
      );
    });

    it('says to list each task as its own argument when several are written in one string', () => {
      class InOneString {
        @Task() load() {}
        @Task() price() {}
        @Task() @DependsOn('load, price') total(_order: unknown, _price: unknown) {}
      }
      expectDefinitionError(
        InOneString,
        'UNKNOWN_DEPENDENCY',
        'total',
        'InOneString: task "total" depends on "load, price", which is not a task. List each task ' +
          'as its own argument: @DependsOn("load", "price").',
      );
      // Only when every part names a task: otherwise it is a name to check.
      class NotAllTasks {
        @Task() load() {}
        @Task() @DependsOn('load, prize') total(_order: unknown) {}
      }
      const error = expectDefinitionError(NotAllTasks, 'UNKNOWN_DEPENDENCY', 'total');
      expect(error.message).to.not.contain('its own argument');
    });
  });

  describe('NOT_A_TASK', () => {
    it('rejects @DependsOn on a method without @Task()', () => {
      class Forgot {
        @Task() a() {}
        @DependsOn('a') b() {}
      }
      expectDefinitionError(Forgot, 'NOT_A_TASK', 'b', '@DependsOn on "b"', 'Add @Task() to "b"');
    });

    it('rejects @Param() and @Signal() on a method without @Task()', () => {
      class ParamOnly {
        @Task() a() {}
        b(@Param() _n: number) {}
      }
      expectDefinitionError(ParamOnly, 'NOT_A_TASK', 'b', '@Param() on "b"');
      class SignalOnly {
        @Task() a() {}
        b(@Signal() _signal: AbortSignal) {}
      }
      expectDefinitionError(SignalOnly, 'NOT_A_TASK', 'b', '@Signal() on "b"');
    });

    it('rejects @DependsOn on a getter or a field without advising @Task(), which they cannot take', () => {
      class OnGetter {
        @Task() a() {}
        @DependsOn('a') get b() {
          return 1;
        }
      }
      const getterError = expectDefinitionError(OnGetter, 'NOT_A_TASK', 'b', '@DependsOn on "b"');
      expect(getterError.message).to.equal(
        'OnGetter: @DependsOn on "b", which is not a @Task() method of this class. A getter or ' +
          'setter cannot be a task: put @DependsOn on a method with @Task(), or remove it.',
      );
      // A misuse on purpose, which TypeScript refuses: typed here as a property decorator.
      const onField = DependsOn('a') as unknown as PropertyDecorator;
      class OnField {
        @Task() a() {}
        @onField b = 1;
      }
      const fieldError = expectDefinitionError(OnField, 'NOT_A_TASK', 'b', '@DependsOn on "b"');
      expect(fieldError.message).to.contain('A field cannot be a task');
    });

    it('rejects @Param() on a constructor parameter', () => {
      class Ctor {
        constructor(@Param() readonly n: number) {}
        @Task() a() {}
      }
      expectDefinitionError(Ctor, 'NOT_A_TASK', 'constructor', '@Param() on "constructor"');
      expect(() => Workflow.validate(Ctor)).to.throw(
        'The constructor can never be a task: mark the parameters of a @Task() method instead.',
      );
    });

    it('rejects @Param(), @Signal() and @DependsOn on a static method without @Task()', () => {
      class StaticParam {
        @Task() a() {}
        static b(@Param() _n: number) {}
      }
      expect(() => Workflow.validate(StaticParam))
        .to.throw(
          'StaticParam: @Param() on static member "b", which is not a @Task() method of this ' +
            'class. Tasks must be instance methods: remove "static" and add @Task() to "b", or ' +
            'remove @Param().',
        )
        .with.property('code', 'NOT_A_TASK');
      expectDefinitionError(StaticParam, 'NOT_A_TASK', 'b');
      class StaticMarkers {
        @Task() a() {}
        @DependsOn('a') static b(_a: unknown, @Signal() _signal: AbortSignal) {}
      }
      expectDefinitionError(
        StaticMarkers,
        'NOT_A_TASK',
        'b',
        '@DependsOn, @Signal() on static member "b"',
        'or remove @DependsOn, @Signal().',
      );
    });

    it('rejects @DependsOn on a static getter or field, advising an instance method, not dropping "static"', () => {
      // Written as tsc emits decorators: TypeScript refuses @DependsOn on these.
      class StaticGetter {
        @Task() a() {}
        static get b() {
          return 1;
        }
      }
      Reflect.decorate(
        [DependsOn('a') as unknown as PropertyDecorator],
        StaticGetter,
        'b',
        Object.getOwnPropertyDescriptor(StaticGetter, 'b'),
      );
      expect(() => Workflow.validate(StaticGetter)).to.throw(
        'StaticGetter: @DependsOn on static member "b", which is not a @Task() method of this class. ' +
          'A getter or setter cannot be a task: put @DependsOn on an instance method with @Task(), ' +
          'or remove it.',
      );
      class StaticField {
        @Task() a() {}
        static b = 1;
      }
      (DependsOn('a') as unknown as PropertyDecorator)(StaticField, 'b');
      expect(() => Workflow.validate(StaticField)).to.throw('A field cannot be a task');
      // Several decorators there: all named, and "them" to remove.
      class StaticFieldMarked {
        @Task() a() {}
        static b = 1;
      }
      Reflect.decorate(
        [DependsOn('a'), Param()] as unknown as PropertyDecorator[],
        StaticFieldMarked,
        'b',
      );
      expectDefinitionError(
        StaticFieldMarked,
        'NOT_A_TASK',
        'b',
        '@DependsOn, @Param() on static member "b"',
        'A field cannot be a task',
        'or remove them.',
      );
    });
  });

  describe('PARAMETER_GAP', () => {
    it('rejects a marked index that leaves an argument no dependency can fill', () => {
      class Gap {
        @Task() a() {
          return 1;
        }
        // Receives 1 dependency + 1 param = 2 arguments, but the param is marked at index 2.
        @Task() @DependsOn('a') b(_a: number, _unfilled: number, @Param() _p: number) {}
      }
      expectDefinitionError(
        Gap,
        'PARAMETER_GAP',
        'b',
        'parameter 3 of task "b" is marked',
        'only 2 arguments',
        'so parameter 2 would get no value',
      );
    });

    it('rejects a @Signal() beyond the arguments', () => {
      class Gap {
        @Task() b(_unfilled: unknown, @Signal() _signal: AbortSignal) {}
      }
      expectDefinitionError(
        Gap,
        'PARAMETER_GAP',
        'b',
        'parameter 2 of task "b" is marked',
        'so parameter 1 would get no value',
      );
    });

    it('takes the largest possible index, 2^32 − 2, as a parameter index that leaves a gap', () => {
      class Far {
        @Task() a() {}
      }
      // What a hand-applied decorator can write; no method has that many parameters.
      Param()(Far.prototype, 'a', 2 ** 32 - 2);
      const error = expectDefinitionError(
        Far,
        'PARAMETER_GAP',
        'a',
        'parameter 4294967295 of task "a" is marked, but the task receives only 1 argument',
      );
      expect(error.message).to.not.contain('a parameter index is a whole number');
    });
  });

  describe('INVALID_TASK', () => {
    it('names one method decorator on the class as "it", several as "they"', () => {
      @(Task() as ClassDecorator)
      class OneOnClass {
        @Task() a() {}
      }
      expectDefinitionError(
        OneOnClass,
        'INVALID_TASK',
        'OneOnClass',
        'OneOnClass: @Task() on the class OneOnClass itself: it is a method decorator. Apply it ' +
          'to the methods that are tasks.',
      );
      @(Task() as ClassDecorator)
      @(DependsOn('a') as ClassDecorator)
      class TwoOnClass {
        @Task() a() {}
      }
      expectDefinitionError(
        TwoOnClass,
        'INVALID_TASK',
        'TwoOnClass',
        'itself: they are method decorators. Apply them to the methods that are tasks.',
      );
    });

    it('rejects a decorator applied without its parentheses, keeping the method as written', async () => {
      // Only a transpiler that does not type-check (tsx, esbuild, swc) lets these through.
      type Uncalled = (...args: any[]) => any;
      const task = Task as unknown as Uncalled;
      const param = Param as unknown as Uncalled;
      const signal = Signal as unknown as Uncalled;
      const context = Context as unknown as Uncalled;
      class BareTask {
        @Task() load() {
          return 1;
        }
        @task sendEmail() {
          return 'sent';
        }
      }
      class BareParam {
        @Task() double(@param n: number) {
          return n * 2;
        }
      }
      class BareSignal {
        @Task() wait(@Param() ms: number, @signal abort: AbortSignal) {
          return [ms, abort];
        }
      }
      expectDefinitionError(
        BareTask,
        'INVALID_TASK',
        'sendEmail',
        '@Task is applied to "sendEmail" without being called: write @Task(), with parentheses.',
      );
      expect(new BareTask().sendEmail()).to.equal('sent');
      expectDefinitionError(
        BareParam,
        'INVALID_TASK',
        'double',
        '@Param is applied to parameter 1 of "double" without being called: write @Param()',
      );
      expectDefinitionError(
        BareSignal,
        'INVALID_TASK',
        'wait',
        '@Signal is applied to parameter 2 of "wait" without being called',
      );
      class BareContext {
        @Task() report(@context ctx: unknown) {
          return ctx;
        }
      }
      expectDefinitionError(
        BareContext,
        'INVALID_TASK',
        'report',
        '@Context is applied to parameter 1 of "report" without being called: write @Context()',
      );
      await Workflow.invoke(new BareTask()).then(
        () => expect.fail('a class with a bare @Task ran'),
        (error: unknown) => expect(error).to.have.property('code', 'INVALID_TASK'),
      );
    });

    it('names a decorator applied without its parentheses on a static member or the constructor', () => {
      type Uncalled = (...args: any[]) => any;
      const param = Param as unknown as Uncalled;
      class BareOnStatic {
        @Task() a() {}
        static b(@param n: number) {
          return n;
        }
      }
      class BareOnConstructor {
        constructor(@param readonly n: number) {}
        @Task() a() {}
      }
      expectDefinitionError(
        BareOnStatic,
        'INVALID_TASK',
        'b',
        'BareOnStatic: @Param is applied to parameter 1 of static member "b" without being called: ' +
          'write @Param(), with parentheses.',
      );
      expectDefinitionError(
        BareOnConstructor,
        'NOT_A_TASK',
        'constructor',
        'BareOnConstructor: @Param on "constructor", which is not a @Task() method of this class.',
      );
    });

    it('rejects a parameter decorator given arguments (NestJS-style @Param("id")) when validated, not when defined', async () => {
      // TypeScript rejects the arguments; a transpiler that does not type-check lets them through.
      type WithArguments = (...args: unknown[]) => ParameterDecorator;
      const param = Param as unknown as WithArguments;
      const signal = Signal as unknown as WithArguments;
      const context = Context as unknown as WithArguments;
      const define = () => {
        class NamedParam {
          @Task() load(@param('id') id: string) {
            return id;
          }
        }
        class NumberedSignal {
          @Task() wait(@Param() ms: number, @signal(5) abort: AbortSignal) {
            return [ms, abort];
          }
        }
        class ContextWithTwo {
          @Task() report(@context('ctx', null) ctx: unknown) {
            return ctx;
          }
        }
        class OnStatic {
          @Task() a() {}
          static b(@param('n') n: number) {
            return n;
          }
        }
        class ObjectArgument {
          @Task() load(@param({ name: 'id' }) id: string) {
            return id;
          }
        }
        const onMember = param('id') as unknown as PropertyDecorator;
        class OnField {
          @Task() a() {}
          @onMember handler = () => 1;
        }
        return { NamedParam, NumberedSignal, ContextWithTwo, OnStatic, ObjectArgument, OnField };
      };
      expect(define).not.to.throw();
      const { NamedParam, NumberedSignal, ContextWithTwo, OnStatic, ObjectArgument, OnField } =
        define();
      expectDefinitionError(
        NamedParam,
        'INVALID_TASK',
        'load',
        'NamedParam: @Param("id") is applied to parameter 1 of "load", but @Param() takes no ' +
          'arguments: it marks the parameter that receives the value passed to invoke (it is not ' +
          "NestJS's @Param(name)). Write @Param().",
        'a transpiler that does not type-check, such as tsx, esbuild or swc, lets it through.',
      );
      expectDefinitionError(
        NumberedSignal,
        'INVALID_TASK',
        'wait',
        '@Signal(5) is applied to parameter 2 of "wait", but @Signal() takes no arguments: it ' +
          "marks the parameter that receives the task's AbortSignal. Write @Signal().",
      );
      expectDefinitionError(
        ContextWithTwo,
        'INVALID_TASK',
        'report',
        '@Context("ctx", null) is applied to parameter 1 of "report", but @Context() takes no ' +
          "arguments: it marks the parameter that receives the task's TaskContext. Write @Context().",
      );
      expectDefinitionError(
        OnStatic,
        'INVALID_TASK',
        'b',
        'OnStatic: @Param("n") is applied to parameter 1 of static member "b", but @Param() takes no arguments',
      );
      expectDefinitionError(
        ObjectArgument,
        'INVALID_TASK',
        'load',
        '@Param(an object) is applied to parameter 1 of "load", but @Param() takes no arguments',
      );
      expectDefinitionError(
        OnField,
        'INVALID_TASK',
        'handler',
        '@Param("id") is applied to "handler", but @Param() takes no arguments',
      );
      await Workflow.invoke(new NamedParam()).then(
        () => expect.fail('a class with @Param("id") ran'),
        (error: unknown) => expect(error).to.have.property('code', 'INVALID_TASK'),
      );
    });

    it('rejects @Task() given more than its options (a name first) when validated, not when defined', () => {
      // TypeScript rejects the extra argument; a transpiler that does not type-check lets it through.
      const task = Task as unknown as (...args: unknown[]) => MethodDecorator;
      const define = () => {
        class NamedTask {
          @task('fetch', { retries: 2 }) load() {
            return 1;
          }
        }
        return NamedTask;
      };
      expect(define).not.to.throw();
      expectDefinitionError(
        define(),
        'INVALID_TASK',
        'load',
        'NamedTask: @Task("fetch", an object) is applied to "load", but @Task() takes one ' +
          'argument, its options (a task is named by its method): write @Task({ … }).',
      );
    });

    it('explains a parameter decorator applied to a field, not to a parameter', () => {
      // TypeScript rejects this; a transpiler that does not type-check lets it through.
      const onMember = Param() as unknown as PropertyDecorator;
      class MarkedField {
        @Task() a() {}
        @onMember handler = () => 1;
      }
      expectDefinitionError(
        MarkedField,
        'INVALID_TASK',
        'handler',
        '@Param() is applied to "handler" itself',
        'with "experimentalDecorators", you may write @Param() before that parameter instead.',
      );
    });

    it('names a bare @DependsOn on a static method, a parameter or a field, and only there', () => {
      type Uncalled = (...args: any[]) => any;
      const dependsOn = DependsOn as unknown as Uncalled;
      class OnStatic {
        @Task() a() {}
        @dependsOn static b() {}
      }
      class OnParameter {
        @Task() a() {}
        @Task() b(@dependsOn a: number) {
          return a;
        }
      }
      class OnField {
        @Task() a() {}
        @dependsOn handler = () => 1;
      }
      class ObjectInput {
        @Task() a() {}
        @Task() @dependsOn({}, 'a', SIGNAL) b() {}
      }
      const bare = 'without being called: write @DependsOn(…) with its inputs.';
      expectDefinitionError(OnStatic, 'INVALID_TASK', 'b', `to static member "b" ${bare}`);
      expectDefinitionError(OnParameter, 'INVALID_TASK', 'b', `to parameter 1 of "b" ${bare}`);
      expectDefinitionError(OnField, 'INVALID_TASK', 'handler', `to "handler" ${bare}`);
      // A symbol for the key (a symbol-named method), or none (a constructor parameter): still a
      // decorator call, caught as the misplaced decorator it is.
      const key = Symbol('hidden');
      class OnSymbolNamed {
        @Task() a() {}
        @dependsOn [key]() {}
      }
      class OnConstructorParameter {
        constructor(@dependsOn _a: number) {}
        @Task() a() {}
      }
      expectDefinitionError(
        OnSymbolNamed,
        'INVALID_TASK',
        'Symbol(hidden)',
        '@DependsOn on symbol-named method Symbol(hidden)',
      );
      expectDefinitionError(
        OnConstructorParameter,
        'NOT_A_TASK',
        'constructor',
        '@DependsOn on "constructor"',
      );
      // Three inputs that only resemble a decorator call are inputs, reported as such.
      expectDefinitionError(
        ObjectInput,
        'UNKNOWN_DEPENDENCY',
        'b',
        'input 1 of task "b" is an object',
      );
    });

    it('rejects @Task() on a static method', () => {
      class Static {
        @Task() a() {}
        @Task() static b() {}
      }
      expectDefinitionError(Static, 'INVALID_TASK', 'b', 'static member "b"');
    });

    it('rejects @Task() on an accessor', () => {
      class Accessor {
        @Task() a() {}
        @Task() get b() {
          return 1;
        }
      }
      expectDefinitionError(Accessor, 'INVALID_TASK', 'b', 'accessor "b"');
    });

    it('rejects a symbol-named task', () => {
      const key = Symbol('hidden');
      class Symbolic {
        @Task() a() {}
        @Task() [key]() {}
      }
      expectDefinitionError(Symbolic, 'INVALID_TASK', 'Symbol(hidden)', 'symbol-named method');
    });

    it('rejects @Task() applied twice, and @DependsOn applied twice', () => {
      class TwiceTask {
        @Task() @Task() a() {}
      }
      expectDefinitionError(TwiceTask, 'INVALID_TASK', 'a', 'applied 2 times');
      class TwiceDepends {
        @Task() a() {}
        @Task() @DependsOn('a') @DependsOn('a') b() {}
      }
      expectDefinitionError(
        TwiceDepends,
        'INVALID_TASK',
        'b',
        'list every dependency in one @DependsOn',
      );
    });

    it('rejects one argument marked both @Param() and @Signal()', () => {
      class Both {
        @Task() a(@Param() @Signal() _x: unknown) {}
      }
      expectDefinitionError(
        Both,
        'INVALID_TASK',
        'a',
        'parameter 1 of task "a" is marked both @Param() and @Signal()',
      );
    });

    it('accepts one argument marked @Param() twice, passing the parameter to it once', async () => {
      class ParamTwice {
        @Task() double(@Param() @Param() n: number) {
          return n * 2;
        }
      }
      expect(() => Workflow.validate(ParamTwice)).to.not.throw();
      expect((await Workflow.invoke(new ParamTwice(), 21)).get('double')).to.equal(42);
    });

    it('rejects invalid task options', () => {
      class BadTimeout {
        @Task({ timeout: -5 }) a() {}
      }
      expectDefinitionError(BadTimeout, 'INVALID_TASK', 'a', 'timeout', '-5');
      class BadRetries {
        @Task({ retries: 1.5 }) a() {}
      }
      expectDefinitionError(BadRetries, 'INVALID_TASK', 'a', 'retries', '1.5');
      class BadDelay {
        @Task({ retries: 1, retryDelay: -1 }) a() {}
      }
      expectDefinitionError(BadDelay, 'INVALID_TASK', 'a', 'retryDelay');
    });

    it('rejects retries past the safe integers, and null for retries or timeout', () => {
      class HugeRetries {
        @Task({ retries: 2 ** 53 }) a() {}
      }
      expectDefinitionError(
        HugeRetries,
        'INVALID_TASK',
        'a',
        'option "retries" of task "a" must be a non-negative integer, got 9007199254740992.',
      );
      class NullRetries {
        @Task({ retries: null } as never) a() {}
      }
      expectDefinitionError(
        NullRetries,
        'INVALID_TASK',
        'a',
        'option "retries" of task "a" must be a non-negative integer, got null.',
      );
      class NullTimeout {
        @Task({ timeout: null } as never) a() {}
      }
      expectDefinitionError(NullTimeout, 'INVALID_TASK', 'a', 'option "timeout"', 'got null.');
    });

    it('rejects options that are not an object, and "name", which only a builder node takes', () => {
      class NotAnObject {
        @Task('fast' as never) a() {}
      }
      const error = expectDefinitionError(NotAnObject, 'INVALID_TASK', 'a');
      expect(error.message).to.equal(
        'NotAnObject: the options of task "a" must be an object, got "fast".',
      );
      class MapOfOptions {
        @Task(new Map([['retries', 2]]) as never) a() {}
      }
      expect(expectDefinitionError(MapOfOptions, 'INVALID_TASK', 'a').message).to.equal(
        'MapOfOptions: the options of task "a" must be an object, got a Map.',
      );
      class PromisedOptions {
        @Task(Promise.resolve({ retries: 2 }) as never) a() {}
      }
      expect(expectDefinitionError(PromisedOptions, 'INVALID_TASK', 'a').message).to.equal(
        'PromisedOptions: the options of task "a" must be an object, got a promise. Await it first.',
      );
      class ListOfOptions {
        @Task([] as never) a() {}
      }
      expect(expectDefinitionError(ListOfOptions, 'INVALID_TASK', 'a').message).to.equal(
        'ListOfOptions: the options of task "a" must be an object, got an array.',
      );
      class Named {
        @Task({ name: 'other' } as never) a() {}
      }
      expect(expectDefinitionError(Named, 'INVALID_TASK', 'a').message).to.equal(
        'Named: task "a" has an unknown option "name". ' +
          'Options: timeout, retries, retryDelay, when, fallback, retryIf, priority.',
      );
      // Dependencies given as an option say where they go.
      class DependsAsOption {
        @Task() load() {}
        @Task({ dependsOn: ['load'] } as never) total() {}
      }
      expect(expectDefinitionError(DependsAsOption, 'INVALID_TASK', 'total').message).to.equal(
        'DependsAsOption: task "total" has an unknown option "dependsOn". A task\'s dependencies ' +
          'are not an option: list them with @DependsOn(…) beside @Task().',
      );
      // A run's option or hook given to a task says where it goes.
      class SerialTask {
        @Task({ concurrency: 1 } as never) a() {}
      }
      expect(expectDefinitionError(SerialTask, 'INVALID_TASK', 'a').message).to.equal(
        'SerialTask: task "a" has an unknown option "concurrency". "concurrency" is an option ' +
          'of a run, not of a task: give it to Workflow.invoke(instance, param, { concurrency }).',
      );
      class HookedTask {
        @Task({ onTaskStart: () => {} } as never) a() {}
      }
      expect(expectDefinitionError(HookedTask, 'INVALID_TASK', 'a').message).to.equal(
        'HookedTask: task "a" has an unknown option "onTaskStart". "onTaskStart" is a hook of a ' +
          'run: give it to Workflow.invoke(instance, param, { hooks: { onTaskStart } }).',
      );
      // Misspelt, as a run's misspelt task option is: what was meant, and where it goes.
      class SerialTypo {
        @Task({ concurency: 1 } as never) a() {}
      }
      expect(expectDefinitionError(SerialTypo, 'INVALID_TASK', 'a').message).to.equal(
        'SerialTypo: task "a" has an unknown option "concurency". Did you mean "concurrency"? ' +
          '"concurrency" is an option of a run, not of a task: give it to ' +
          'Workflow.invoke(instance, param, { concurrency }).',
      );
      expect(() => buildDag().addNode({ onTaskStrat: () => {} } as never, () => 1))
        .to.throw(WorkflowDefinitionError)
        .with.property(
          'message',
          'dag: addNode: node "task" has an unknown option "onTaskStrat". Did you mean ' +
            '"onTaskStart"? "onTaskStart" is a hook of a run: give it to ' +
            'tm.invoke(param, { hooks: { onTaskStart } }).',
        );
      expect(() => buildDag().addNode({ failFast: false } as never, () => 1))
        .to.throw(WorkflowDefinitionError)
        .with.property(
          'message',
          'dag: addNode: node "task" has an unknown option "failFast". "failFast" is an option of ' +
            'a run, not of a node: give it to tm.invoke(param, { failFast }).',
        );
      // A key far from every option (no "did you mean") lists them, so the message says what to write.
      class Pool {
        @Task({ pool: 'io' } as never) a() {}
      }
      expect(expectDefinitionError(Pool, 'INVALID_TASK', 'a').message).to.equal(
        'Pool: task "a" has an unknown option "pool". ' +
          'Options: timeout, retries, retryDelay, when, fallback, retryIf, priority.',
      );
      // Another library's name for an option, too far from ours for a typo, gets ours.
      class Retry {
        @Task({ retry: 3 } as never) a() {}
      }
      expect(expectDefinitionError(Retry, 'INVALID_TASK', 'a').message).to.equal(
        'Retry: task "a" has an unknown option "retry". Did you mean "retries"?',
      );
      // BullMQ's and Temporal's attempts count the first one; our retries do not.
      class Attempts {
        @Task({ maxAttempts: 3 } as never) a() {}
      }
      expect(expectDefinitionError(Attempts, 'INVALID_TASK', 'a').message).to.equal(
        'Attempts: task "a" has an unknown option "maxAttempts". Did you mean "retries"? It ' +
          'counts the attempts after the first: { maxAttempts: 3 } is { retries: 2 }.',
      );
      expect(() => buildDag().addNode({ backoff: 100 } as never, () => 1))
        .to.throw(WorkflowDefinitionError)
        .with.property(
          'message',
          'dag: addNode: node "task" has an unknown option "backoff". Did you mean "retryDelay"?',
        );
      // …and where it belongs, when that is a run.
      class Parallel {
        @Task({ parallelism: 2 } as never) a() {}
      }
      expect(expectDefinitionError(Parallel, 'INVALID_TASK', 'a').message).to.equal(
        'Parallel: task "a" has an unknown option "parallelism". Did you mean "concurrency"? ' +
          '"concurrency" is an option of a run, not of a task: give it to ' +
          'Workflow.invoke(instance, param, { concurrency }).',
      );
    });

    it('rejects task options that cannot be read, naming the option, in validate and invoke', async () => {
      const throwingTimeout = {
        get timeout(): number {
          throw new Error('getter boom');
        },
      };
      class Getter {
        @Task(throwingTimeout) a() {}
      }
      const error = expectDefinitionError(Getter, 'INVALID_TASK', 'a');
      expect(error.message).to.equal(
        'Getter: option "timeout" of task "a" could not be read: getter boom',
      );
      // What the getter threw stays at hand, with its stack.
      expect(error.cause).to.be.instanceOf(Error).with.property('message', 'getter boom');
      const rejection = await Workflow.invoke(new Getter()).then(
        () => expect.fail('invoke should reject'),
        (reason: unknown) => reason,
      );
      expect(rejection).to.be.instanceOf(WorkflowDefinitionError);
      expect((rejection as WorkflowDefinitionError).message).to.equal(error.message);

      const trappedOptions = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('ownKeys boom');
          },
        },
      );
      class Trapped {
        @Task(trappedOptions) a() {}
      }
      expect(expectDefinitionError(Trapped, 'INVALID_TASK', 'a').message).to.equal(
        'Trapped: the options of task "a" could not be read: ownKeys boom',
      );
    });
  });

  describe('NO_TASKS', () => {
    it('names the class and hints at experimentalDecorators', () => {
      class Empty {
        method() {}
      }
      expectDefinitionError(
        Empty,
        'NO_TASKS',
        undefined,
        'no @Task() methods',
        'experimentalDecorators',
      );
    });

    it("says that tasks copied from mixins (the handbook's applyMixins) are not tasks, and what to do", () => {
      class Jumpable {
        @Task() jump() {
          return 'jump';
        }
      }
      class Duckable {
        @Task() duck() {
          return 'duck';
        }
        helper() {}
      }
      class Sprite {}
      // The TypeScript handbook's applyMixins: every own property of each mixin's prototype
      // (its `constructor` too) copied onto the class's.
      for (const mixin of [Jumpable, Duckable]) {
        for (const name of Object.getOwnPropertyNames(mixin.prototype)) {
          const descriptor = Object.getOwnPropertyDescriptor(mixin.prototype, name)!;
          Object.defineProperty(Sprite.prototype, name, descriptor);
        }
      }
      const error = thrownBy(() => Workflow.validate(Sprite), WorkflowDefinitionError);
      expect(error.code).to.equal('NO_TASKS');
      expect(error.message).to.include(
        'its methods "jump", "duck" were decorated in Jumpable, Duckable and copied onto it',
      );
      expect(error.message).to.include('experimentalDecorators');
      expect(error.message).to.include('class extends Base');
      expect(error.message, 'no blaming of decorators that did run').not.to.include(
        'the decorators did not run',
      );
    });

    it('names a task copied from a mixin once, in the singular, also when copied onto a base class and the class', () => {
      class Jumpable {
        @Task() jump() {
          return 'jump';
        }
      }
      const copyOnto = (target: { prototype: object }) =>
        Object.defineProperty(
          target.prototype,
          'jump',
          Object.getOwnPropertyDescriptor(Jumpable.prototype, 'jump')!,
        );
      class Base {}
      class Sprite extends Base {}
      copyOnto(Base);
      copyOnto(Sprite);
      const error = thrownBy(() => Workflow.validate(Sprite), WorkflowDefinitionError);
      expect(error.message).to.include(
        'Sprite: the class has no @Task() methods of its own: its method "jump" was decorated ' +
          'in Jumpable and copied onto it',
      );
    });
  });

  describe('every code, wherever the class is used', () => {
    /** Calls of the classes' tasks: none may run when the definition is wrong. */
    const calls: string[] = [];
    class Looping {
      @Task() free() {
        calls.push('Looping.free');
      }
      @Task() @DependsOn('b') a() {}
      @Task() @DependsOn('a') b() {}
    }
    class Misspelt {
      @Task() load() {
        calls.push('Misspelt.load');
      }
      @Task() @DependsOn('lod') show() {}
    }
    class Undecorated {
      @Task() load() {
        calls.push('Undecorated.load');
      }
      show(@Param() _id: string) {}
    }
    class Gapped {
      @Task() load() {
        calls.push('Gapped.load');
      }
      @Task() show(_unfilled: unknown, @Param() _id: string) {}
    }
    class Twice {
      @Task() load() {
        calls.push('Twice.load');
      }
      @Task() @Task() show() {}
    }
    class Bare {
      load() {
        calls.push('Bare.load');
      }
    }
    const classes: Record<Exclude<DefinitionErrorCode, 'SEALED'>, new () => object> = {
      CYCLE: Looping,
      UNKNOWN_DEPENDENCY: Misspelt,
      NOT_A_TASK: Undecorated,
      PARAMETER_GAP: Gapped,
      INVALID_TASK: Twice,
      NO_TASKS: Bare,
    };
    // SEALED is a builder's code only (see builder.spec.ts).
    const codes = Object.keys(classes) as (keyof typeof classes)[];

    for (const code of codes) {
      it(`throws ${code} from validate, graph and toMermaid, and stream at once; rejects invoke`, async () => {
        const workflowClass = classes[code];
        const error = definitionErrorOf(workflowClass);
        expect(error.code).to.equal(code);
        for (const [use, action] of [
          ['graph', () => Workflow.graph(workflowClass)],
          ['toMermaid', () => Workflow.toMermaid(workflowClass)],
          ['stream', () => Workflow.stream(new workflowClass())],
        ] as const) {
          const thrown = thrownBy(action, WorkflowDefinitionError);
          expect([thrown.code, thrown.workflow, thrown.task, thrown.message], use).to.deep.equal([
            code,
            error.workflow,
            error.task,
            error.message,
          ]);
        }
        // invoke never throws: it returns a promise, which rejects with the same error.
        const invoked = Workflow.invoke(new workflowClass());
        expect(invoked).to.be.instanceOf(Promise);
        const rejection = await invoked.then(
          () => expect.fail('invoke resolved'),
          (reason: unknown) => reason,
        );
        expect(rejection).to.be.instanceOf(WorkflowDefinitionError);
        const {
          code: rejectedCode,
          workflow,
          task,
          message,
        } = rejection as WorkflowDefinitionError;
        expect([rejectedCode, workflow, task, message]).to.deep.equal([
          code,
          error.workflow,
          error.task,
          error.message,
        ]);
        expect(calls).to.deep.equal([]);
      });
    }
  });

  it('is not cached, so the next valid class of the same shape still works', async () => {
    class Broken {
      @Task() @DependsOn('missing') a() {}
    }
    expect(() => Workflow.validate(Broken)).to.throw(WorkflowDefinitionError);
    expect(() => Workflow.graph(Broken)).to.throw(WorkflowDefinitionError);
    class Fixed {
      @Task() a() {
        return 'ok';
      }
    }
    expect((await Workflow.invoke(new Fixed())).get('a')).to.equal('ok');
  });

  describe('non-workflow values', () => {
    it('rejects invoke on a non-object with a TypeError', async () => {
      for (const value of [undefined, null, 42, 'flow', Symbol('x')]) {
        const error = await Workflow.invoke(value as unknown as object).catch((e: unknown) => e);
        expect(error, String(value)).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.contain('expects an instance of a workflow class');
      }
    });

    it('tells the user to instantiate when given the class itself', async () => {
      class Flow {
        @Task() a() {}
      }
      const error = await Workflow.invoke(Flow as object).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain('Did you mean Workflow.invoke(new Flow(…), …)?');
    });

    it('rejects a non-class in Workflow.graph with a TypeError', () => {
      expect(() => Workflow.graph({} as unknown as WorkflowClass)).to.throw(
        TypeError,
        'Workflow.graph expects a workflow class, got an object.',
      );
    });
  });
});
