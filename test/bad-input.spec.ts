/**
 * The bad-input catalogue: one table per kind of mistake — invalid definitions (every code of
 * API.md §5, in several shapes each), values that are not workflows, tasks that fail in every way
 * JavaScript allows, and invalid options. Every row asserts the error class, its code or option,
 * that the message names the class and the task, and that nothing else broke: the next valid run
 * still works.
 */
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import {
  buildDag,
  DependsOn,
  formatTimeline,
  Param,
  Signal,
  skip,
  Task,
  TaskResultError,
  Workflow,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  type DefinitionErrorCode,
  type ExecutionResult,
  type InvokeOptions,
  type TaskOptions,
  type WorkflowClass,
} from '../src';
import { declareTask } from './support/declare-task';
import { revokedProxy } from './support/hostile-values';
import { typeCheckMarkdown } from './support/markdown-snippets';

/** Calls `run`, which must not throw synchronously, and returns what its promise rejected with. */
async function rejectionOf(run: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = run();
  } catch (error) {
    return expect.fail(`threw synchronously instead of rejecting: ${String(error)}`);
  }
  return promise.then(
    (value) => expect.fail(`resolved with ${String(value)} instead of rejecting`),
    (error: unknown) => error,
  );
}

/** Builds a class the way `tsc` emits decorators, for shapes that decorator syntax cannot write. */
function defineWorkflow(
  name: string,
  tasks: Record<string, { dependsOn?: string[]; options?: TaskOptions }>,
  base: WorkflowClass = Object,
): WorkflowClass {
  const Defined = { [name]: class extends (base as new () => object) {} }[name];
  const prototype = Defined.prototype;
  for (const [task, { dependsOn = [], options }] of Object.entries(tasks)) {
    declareTask(prototype, task, (...args: unknown[]) => [task, ...args].join('+'), {
      dependsOn,
      options,
    });
  }
  return Defined;
}

/** A chain `prefix0 <- prefix1 <- …`, closed into a cycle when `closed`. */
function ring(name: string, length: number): WorkflowClass {
  const tasks: Record<string, { dependsOn: string[] }> = {};
  for (let index = 0; index < length; index++) {
    tasks[`step${index}`] = { dependsOn: [`step${(index + length - 1) % length}`] };
  }
  return defineWorkflow(name, tasks);
}

// --- Definition errors --------------------------------------------------------------------------

interface DefinitionCase {
  readonly code: DefinitionErrorCode;
  readonly shape: string;
  /** Defines the class; decorators run here, so a bad shape cannot break module loading. */
  readonly define: () => WorkflowClass;
  /** `error.task`: the task or member involved, when there is one. */
  readonly task: string | undefined;
  /** Further text the message must contain (cycle path, suggestion, hint). */
  readonly mentions?: readonly string[];
  /** A related valid class (the base of a broken subclass) that must keep working. */
  readonly unaffected?: (broken: WorkflowClass) => WorkflowClass;
}

const definitionCases: DefinitionCase[] = [
  // CYCLE
  {
    code: 'CYCLE',
    shape: 'a task that depends on itself',
    define: () => {
      class SelfDependent {
        @Task() @DependsOn('again') again() {}
      }
      return SelfDependent;
    },
    task: 'again',
    mentions: ['again -> again', 'depends on itself'],
  },
  {
    code: 'CYCLE',
    shape: 'two tasks waiting for each other',
    define: () => {
      class PingPong {
        @Task() @DependsOn('pong') ping() {}
        @Task() @DependsOn('ping') pong() {}
      }
      return PingPong;
    },
    task: 'ping',
    mentions: ['ping -> pong -> ping'],
  },
  {
    code: 'CYCLE',
    shape: 'a cycle of 60 tasks',
    define: () => ring('LongRing', 60),
    task: 'step0',
    mentions: [
      Array.from({ length: 60 }, (_, index) => `step${index}`)
        .concat('step0')
        .join(' -> '),
    ],
  },
  {
    code: 'CYCLE',
    shape: 'a cycle deep inside an otherwise valid graph (only the cycle is shown)',
    define: () =>
      defineWorkflow('DeepCycle', {
        source: {},
        prepare: { dependsOn: ['source'] },
        loopA: { dependsOn: ['prepare', 'loopC'] },
        loopB: { dependsOn: ['loopA'] },
        loopC: { dependsOn: ['loopB'] },
        report: { dependsOn: ['loopC'] },
      }),
    task: 'loopA',
    mentions: [': dependency cycle loopA -> loopB -> loopC -> loopA ('],
  },
  {
    code: 'CYCLE',
    shape: 'a decorated override in a subclass that closes a cycle through inherited tasks',
    define: () => {
      class Pipeline {
        @Task() fetch() {
          return 'rows';
        }
        @Task() @DependsOn('fetch') transform(rows: string) {
          return `${rows}!`;
        }
      }
      class LoopingPipeline extends Pipeline {
        @Task() @DependsOn('transform') override fetch() {
          return 'again';
        }
      }
      return LoopingPipeline;
    },
    task: 'fetch',
    mentions: ['fetch -> transform -> fetch'],
    unaffected: (broken) => Object.getPrototypeOf(broken),
  },
  {
    code: 'CYCLE',
    shape: 'a cycle spanning three generations of classes',
    define: () => {
      const Grandparent = defineWorkflow('Grandparent', { first: {} });
      const Parent = defineWorkflow('Parent', { second: { dependsOn: ['first'] } }, Grandparent);
      const Child = defineWorkflow('Child', { third: { dependsOn: ['second'] } }, Parent);
      return defineWorkflow('Grandchild', { first: { dependsOn: ['third'] } }, Child);
    },
    task: 'first',
    mentions: ['first -> second -> third -> first'],
    unaffected: (broken) => Object.getPrototypeOf(broken),
  },

  // UNKNOWN_DEPENDENCY
  {
    code: 'UNKNOWN_DEPENDENCY',
    shape: 'a near-miss typo',
    define: () => {
      class Profile {
        @Task() fetchUser() {}
        @Task() @DependsOn('fetchUsr') render() {}
      }
      return Profile;
    },
    task: 'render',
    mentions: ['"fetchUsr"', 'Did you mean "fetchUser"?'],
  },
  {
    code: 'UNKNOWN_DEPENDENCY',
    shape: 'a name that differs only in case',
    define: () => {
      class Casing {
        @Task() loadOrders() {}
        @Task() @DependsOn('LoadOrders') total() {}
      }
      return Casing;
    },
    task: 'total',
    mentions: ['"LoadOrders"', 'Did you mean "loadOrders"?'],
  },
  {
    code: 'UNKNOWN_DEPENDENCY',
    shape: 'a name far from every task',
    define: () => {
      class Faraway {
        @Task() alpha() {}
        @Task() @DependsOn('alpha', 'zzzzzzzz') omega() {}
      }
      return Faraway;
    },
    task: 'omega',
    mentions: ['"zzzzzzzz"', 'Check the spelling'],
  },
  {
    code: 'UNKNOWN_DEPENDENCY',
    shape: 'a plain method without @Task()',
    define: () => {
      class Undecorated {
        helper() {}
        @Task() @DependsOn('helper') main() {}
      }
      return Undecorated;
    },
    task: 'main',
    mentions: ['"helper"', 'add @Task()'],
  },
  {
    code: 'UNKNOWN_DEPENDENCY',
    shape: 'a task that only a sibling subclass defines',
    define: () => {
      const Base = defineWorkflow('Base', { load: {} });
      defineWorkflow('WithExtra', { extra: { dependsOn: ['load'] } }, Base);
      return defineWorkflow('WithoutExtra', { summary: { dependsOn: ['load', 'extra'] } }, Base);
    },
    task: 'summary',
    mentions: ['"extra"'],
    unaffected: (broken) => Object.getPrototypeOf(broken),
  },
  {
    code: 'UNKNOWN_DEPENDENCY',
    shape: 'the name of a static method',
    define: () => {
      class Statics {
        static create() {}
        @Task() @DependsOn('create') use() {}
      }
      return Statics;
    },
    task: 'use',
    mentions: ['"create"'],
  },

  // NOT_A_TASK
  {
    code: 'NOT_A_TASK',
    shape: '@DependsOn without @Task()',
    define: () => {
      class Forgotten {
        @Task() a() {}
        @DependsOn('a') b() {}
      }
      return Forgotten;
    },
    task: 'b',
    mentions: ['@DependsOn', 'Add @Task() to "b"'],
  },
  {
    code: 'NOT_A_TASK',
    shape: '@Param() without @Task()',
    define: () => {
      class ParamOnly {
        @Task() a() {}
        b(@Param() _input: unknown) {}
      }
      return ParamOnly;
    },
    task: 'b',
    mentions: ['@Param()'],
  },
  {
    code: 'NOT_A_TASK',
    shape: '@Signal() without @Task()',
    define: () => {
      class SignalOnly {
        @Task() a() {}
        b(@Signal() _signal: AbortSignal) {}
      }
      return SignalOnly;
    },
    task: 'b',
    mentions: ['@Signal()'],
  },
  {
    code: 'NOT_A_TASK',
    shape: '@Param() on a constructor parameter',
    define: () => {
      class Injected {
        constructor(@Param() readonly input: unknown) {}
        @Task() a() {}
      }
      return Injected;
    },
    task: 'constructor',
    mentions: ['@Param()'],
  },
  {
    code: 'NOT_A_TASK',
    shape: 'an override that adds @DependsOn but not @Task()',
    define: () => {
      class Report {
        @Task() rows() {
          return [1, 2];
        }
        @Task() total() {
          return 0;
        }
      }
      class RewiredReport extends Report {
        @DependsOn('rows') override total() {
          return 3;
        }
      }
      return RewiredReport;
    },
    task: 'total',
    mentions: ['@DependsOn', 'an override must repeat @Task()'],
    unaffected: (broken) => Object.getPrototypeOf(broken),
  },

  // PARAMETER_GAP
  {
    code: 'PARAMETER_GAP',
    shape: '@Param() after an argument no dependency fills',
    define: () => {
      class Gap {
        @Task() a(_missing: unknown, @Param() _input: unknown) {}
      }
      return Gap;
    },
    task: 'a',
    mentions: ['parameter 2 of task "a"', 'so parameter 1 would get no value'],
  },
  {
    code: 'PARAMETER_GAP',
    shape: '@Signal() two places beyond the only dependency',
    define: () => {
      class SignalGap {
        @Task() first() {}
        @Task() @DependsOn('first') second(
          _first: unknown,
          _x: unknown,
          _y: unknown,
          @Signal() _signal: AbortSignal,
        ) {}
      }
      return SignalGap;
    },
    task: 'second',
    mentions: ['parameter 4 of task "second"', 'so parameters 2..3 would get no value'],
  },
  {
    code: 'PARAMETER_GAP',
    shape: '@Param() far out of range',
    define: () => {
      const Far = defineWorkflow('FarParam', { a: {} });
      Param()(Far.prototype, 'a', 9);
      return Far;
    },
    task: 'a',
    mentions: ['parameter 10 of task "a"', 'so parameters 1..9 would get no value'],
  },
  {
    code: 'PARAMETER_GAP',
    shape: '@Param() and @Signal() around an argument nothing fills',
    define: () => {
      class Around {
        @Task() a(@Param() _input: unknown, _hole: unknown, @Signal() _signal: AbortSignal) {}
      }
      return Around;
    },
    task: 'a',
    mentions: ['parameter 3 of task "a"', 'so parameter 2 would get no value'],
  },

  ...(
    [
      ['undefined', undefined, 'undefined'],
      ['a symbol', Symbol('load'), 'Symbol(load)'],
      ['a number', 7, '7'],
      ['null', null, 'null'],
      ['an object', { name: 'a' }, 'an object'],
    ] as const
  ).map(([label, input, shown]): DefinitionCase => ({
    code: 'UNKNOWN_DEPENDENCY',
    shape: `@DependsOn(${label}) applied by hand`,
    define: () => {
      const ByHand = defineWorkflow('ByHandInput', { a: {}, b: {} });
      Reflect.decorate(
        [DependsOn('a', input as never)],
        ByHand.prototype,
        'b',
        Object.getOwnPropertyDescriptor(ByHand.prototype, 'b'),
      );
      return ByHand;
    },
    task: 'b',
    mentions: [`input 2 of task "b" is ${shown}`, 'task names (strings)'],
  })),
  ...(
    [
      ['-1', -1],
      ['1.5', 1.5],
      ['NaN', Number.NaN],
      ['2^32', 2 ** 32],
      ['Infinity', Infinity],
    ] as const
  ).map(([label, index]): DefinitionCase => ({
    code: 'INVALID_TASK',
    shape: `@Param() at parameter index ${label}, applied by hand`,
    define: () => {
      const Odd = defineWorkflow('OddIndex', { a: {} });
      Param()(Odd.prototype, 'a', index);
      return Odd;
    },
    task: 'a',
    mentions: [`@Param() of task "a" marks parameter index ${label === '2^32' ? 2 ** 32 : label}`],
  })),
  {
    code: 'PARAMETER_GAP',
    shape: '@Signal() at parameter index 2^31 - 2, without allocating per index',
    define: () => {
      const Huge = defineWorkflow('HugeIndex', { a: {} });
      Signal()(Huge.prototype, 'a', 2 ** 31 - 2);
      return Huge;
    },
    task: 'a',
    mentions: [
      'parameter 2147483647 of task "a"',
      'so parameters 1..2147483646 would get no value',
    ],
  },

  // INVALID_TASK
  {
    code: 'INVALID_TASK',
    shape: '@Task() applied by hand to the constructor',
    define: () => {
      const WithConstructorTask = defineWorkflow('WithConstructorTask', { a: {} });
      Reflect.decorate(
        [Task()],
        WithConstructorTask.prototype,
        'constructor',
        Object.getOwnPropertyDescriptor(WithConstructorTask.prototype, 'constructor'),
      );
      return WithConstructorTask;
    },
    task: 'constructor',
    mentions: ['constructor'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@Task() on a static method',
    define: () => {
      class StaticTask {
        @Task() a() {}
        @Task() static b() {}
      }
      return StaticTask;
    },
    task: 'b',
    mentions: ['static'],
  },
  {
    code: 'NOT_A_TASK',
    shape: '@DependsOn on a static method',
    define: () => {
      class StaticDependsOn {
        @Task() a() {}
        @DependsOn('a') static b() {}
      }
      return StaticDependsOn;
    },
    task: 'b',
    mentions: ['static'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@Task() on a getter',
    define: () => {
      class Getter {
        @Task() a() {}
        @Task() get b() {
          return 1;
        }
      }
      return Getter;
    },
    task: 'b',
    mentions: ['accessor'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@Task() on a setter',
    define: () => {
      class Setter {
        @Task() a() {}
        @Task() set b(_value: number) {}
      }
      return Setter;
    },
    task: 'b',
    mentions: ['accessor'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@Task() on a symbol-named method',
    define: () => {
      const load = Symbol('load');
      class SymbolTask {
        @Task() a() {}
        @Task() [load]() {}
      }
      return SymbolTask;
    },
    task: 'Symbol(load)',
    mentions: ['symbol'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@Task() on an arrow-function field',
    define: () => {
      class FieldTask {
        @Task() a() {}
        b = () => 1;
      }
      Reflect.decorate([Task()], FieldTask.prototype, 'b', undefined);
      return FieldTask;
    },
    task: 'b',
    mentions: ['class field'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@Task() applied twice',
    define: () => {
      class TwiceTask {
        @Task() @Task() a() {}
      }
      return TwiceTask;
    },
    task: 'a',
    mentions: ['2 times'],
  },
  {
    code: 'INVALID_TASK',
    shape: '@DependsOn applied twice',
    define: () => {
      class TwiceDependsOn {
        @Task() a() {}
        @Task() b() {}
        @Task() @DependsOn('a') @DependsOn('b') c() {}
      }
      return TwiceDependsOn;
    },
    task: 'c',
    mentions: ['2 times', 'one @DependsOn'],
  },
  {
    code: 'INVALID_TASK',
    shape: 'one argument marked both @Param() and @Signal()',
    define: () => {
      class DoubleMarked {
        @Task() a(@Param() @Signal() _both: unknown) {}
      }
      return DoubleMarked;
    },
    task: 'a',
    mentions: ['parameter 1 of task "a" is marked both @Param() and @Signal()'],
  },
  ...(
    [
      [{ timeout: -1 }, 'timeout'],
      [{ timeout: 0 }, 'timeout'],
      [{ timeout: Number.NaN }, 'timeout'],
      [{ timeout: '5' }, 'timeout'],
      [{ timeout: 2 ** 31 }, 'timeout'],
      [{ timeout: Number.NEGATIVE_INFINITY }, 'timeout'],
      [{ retries: -1 }, 'retries'],
      [{ retries: 1.5 }, 'retries'],
      [{ retries: Number.NaN }, 'retries'],
      [{ retries: Number.POSITIVE_INFINITY }, 'retries'],
      [{ retryDelay: -5 }, 'retryDelay'],
      [{ retryDelay: 'soon' }, 'retryDelay'],
      [{ retryDelay: Number.POSITIVE_INFINITY }, 'retryDelay'],
      [{ retryDelay: 2 ** 31 }, 'retryDelay'],
      [{ timout: 50 }, 'timout'],
      [null, 'options'],
    ] as const
  ).map(([options, option]): DefinitionCase => ({
    code: 'INVALID_TASK',
    shape:
      options === null
        ? '@Task(null)'
        : `@Task({ ${Object.entries(options)
            .map(([key, value]) => `${key}: ${typeof value === 'string' ? `'${value}'` : value}`)
            .join(', ')} })`,
    define: () =>
      defineWorkflow('BadOptions', {
        good: {},
        bad: { dependsOn: ['good'], options: options as unknown as TaskOptions },
      }),
    task: 'bad',
    mentions: [
      option === 'timout'
        ? 'unknown option "timout". Did you mean "timeout"?'
        : option === 'options'
          ? 'the options of task "bad" must be an object, got null'
          : `option "${option}" of task`,
    ],
  })),

  // NO_TASKS
  {
    code: 'NO_TASKS',
    shape: 'an empty class',
    define: () => {
      class Empty {}
      return Empty;
    },
    task: undefined,
    mentions: ['experimentalDecorators'],
  },
  {
    code: 'NO_TASKS',
    shape: 'a class of plain methods',
    define: () => {
      class PlainMethods {
        a() {
          return 1;
        }
        b() {
          return 2;
        }
      }
      return PlainMethods;
    },
    task: undefined,
    mentions: ['no @Task() methods'],
  },
  {
    code: 'NO_TASKS',
    shape: 'a subclass of a class without tasks',
    define: () => {
      class Service {
        run() {}
      }
      class SpecialService extends Service {
        extra() {}
      }
      return SpecialService;
    },
    task: undefined,
    mentions: ['no @Task() methods'],
  },
];

/** A valid workflow used after each bad input, to show nothing else broke. */
class Healthy {
  @Task() base(@Param() n: number) {
    return n + 1;
  }
  @Task() @DependsOn<Healthy>('base') double(base: number) {
    return base * 2;
  }
}

async function expectStillWorks(workflowClass: WorkflowClass = Healthy): Promise<void> {
  Workflow.validate(workflowClass);
  const result = await Workflow.invoke(new (workflowClass as new () => object)(), 4);
  const { tasks } = Workflow.graph(workflowClass);
  expect(result.trace.map((trace) => trace.status)).to.deep.equal(tasks.map(() => 'succeeded'));
  if (workflowClass === Healthy) expect(result.toObject()).to.deep.equal({ base: 5, double: 10 });
}

function expectDefinitionError(error: unknown, row: DefinitionCase, workflow: string): void {
  expect(error).to.be.instanceOf(WorkflowDefinitionError);
  const definitionError = error as WorkflowDefinitionError;
  expect(definitionError.code).to.equal(row.code);
  expect(definitionError.workflow).to.equal(workflow);
  expect(definitionError.task).to.equal(row.task);
  expect(definitionError.message.startsWith(`${workflow}: `), definitionError.message).to.equal(
    true,
  );
  if (row.task !== undefined) expect(definitionError.message).to.contain(row.task);
  for (const mention of row.mentions ?? []) expect(definitionError.message).to.contain(mention);
}

describe('bad input catalogue', () => {
  describe('invalid definitions', () => {
    for (const row of definitionCases) {
      it(`${row.code}: ${row.shape}`, async () => {
        const broken = row.define();
        const thrownBy = (inspect: () => unknown): unknown => {
          try {
            inspect();
          } catch (error) {
            return error;
          }
          return expect.fail(`${broken.name} should not be a valid workflow`);
        };
        const validateError = thrownBy(() => Workflow.validate(broken));
        expectDefinitionError(validateError, row, broken.name);
        for (const inspect of [() => Workflow.graph(broken), () => Workflow.toMermaid(broken)]) {
          expectDefinitionError(thrownBy(inspect), row, broken.name);
        }
        // invoke rejects (never throws) with the same error, every time: nothing is half-cached.
        for (let attempt = 0; attempt < 2; attempt++) {
          const invokeError = await rejectionOf(() =>
            Workflow.invoke(new (broken as new (...args: unknown[]) => object)(undefined)),
          );
          expectDefinitionError(invokeError, row, broken.name);
          expect((invokeError as Error).message).to.equal((validateError as Error).message);
        }
        if (row.unaffected !== undefined) await expectStillWorks(row.unaffected(broken));
        await expectStillWorks();
      });
    }
  });

  describe('values that are not workflow instances or classes', () => {
    const notObjects: [string, unknown][] = [
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['a string', 'Healthy'],
      ['a boolean', true],
      ['a bigint', 10n],
      ['a symbol', Symbol('flow')],
    ];
    for (const [label, value] of notObjects) {
      it(`invoke rejects ${label} with a TypeError`, async () => {
        const error = await rejectionOf(() => Workflow.invoke(value as object));
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.contain('expects an instance of a workflow class');
        await expectStillWorks();
      });
    }

    // Plain JavaScript, or a cast: TypeScript refuses the class where an instance goes.
    it('invoke rejects the class itself and says to instantiate it', async () => {
      const error = await rejectionOf(() => Workflow.invoke(Healthy as object));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain('new Healthy(');
      await expectStillWorks();
    });

    it('invoke rejects an anonymous class itself, with a placeholder for its name', async () => {
      const anonymous = (() => class {})();
      expect(anonymous.name).to.equal('');
      const error = await rejectionOf(() => Workflow.invoke(anonymous as object));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(
        'Workflow.invoke expects an instance of a workflow class, got the class (anonymous) itself. ' +
          'Did you mean Workflow.invoke(new YourWorkflow(…), …)?',
      );
      await expectStillWorks();
    });

    it('stream given the class itself, or no object, names Workflow.stream, not invoke, in its advice', () => {
      expect(() => Workflow.stream(Healthy as object)).to.throw(
        TypeError,
        'Workflow.stream expects an instance of a workflow class, got the class Healthy itself. ' +
          'Did you mean Workflow.stream(new Healthy(…), …)?',
      );
      expect(() => Workflow.stream(null as unknown as object)).to.throw(
        TypeError,
        'Workflow.stream expects an instance of a workflow class, got null.',
      );
      expect(() => Workflow.stream(Object.create(null) as object)).to.throw(
        TypeError,
        'Workflow.stream expects an instance of a workflow class, got an object without a class.',
      );
    });

    it('invoke rejects a function that is no class (no prototype) as a value, not as a class', async () => {
      const arrow = () => new Healthy();
      const error = await rejectionOf(() => Workflow.invoke(arrow));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(
        'Workflow.invoke expects an instance of a workflow class, got a function.',
      );
      await expectStillWorks();
    });

    it('invoke rejects an object without a class (a null prototype) with a TypeError that says so', async () => {
      const error = await rejectionOf(() => Workflow.invoke(Object.create(null) as object));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(
        'Workflow.invoke expects an instance of a workflow class, got an object without a class.',
      );
      await expectStillWorks();
    });

    it('invoke and stream reject a plain object (a mock given as the workflow) with a TypeError that says so', async () => {
      const mock = { loadUser: async () => ({ id: 1 }) };
      const message =
        'Workflow.invoke expects an instance of a workflow class, got a plain object: a run calls ' +
        'the @Task() methods its class declares. To replace tasks in a test, pass an instance of ' +
        'the workflow class (or a subclass) with the `overrides` option, or stub its methods.';
      const error = await rejectionOf(() => Workflow.invoke(mock));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(message);
      // Workflow.stream says the same, naming itself: it is what the caller wrote.
      const streamMessage = message.replace('Workflow.invoke', 'Workflow.stream');
      expect(() => Workflow.stream(mock)).to.throw(TypeError, streamMessage);
      // One from another realm (a vm context, an iframe) too.
      const foreign = runInNewContext('({ loadUser() { return 1; } })') as object;
      expect(() => Workflow.stream(foreign)).to.throw(TypeError, streamMessage);
      // A class whose prototype has no prototype is no plain object.
      class Bare {
        @Task() a() {
          return 1;
        }
      }
      Object.setPrototypeOf(Bare.prototype, null);
      expect((await Workflow.invoke(new Bare())).get('a')).to.equal(1);
      await expectStillWorks();
    });

    const notClasses: [string, unknown][] = [
      ['an instance', new Healthy()],
      ['a plain object', {}],
      ['null', null],
      ['a number', 7],
      // A function, but no class: it has no prototype object.
      ['an arrow function', () => new Healthy()],
      // Nothing of it can be read, not even whether it is a builder.
      ['a revoked Proxy', revokedProxy()],
    ];
    for (const [label, value] of notClasses) {
      it(`validate, graph and toMermaid reject ${label} with a TypeError`, async () => {
        const notAClass = value as WorkflowClass;
        for (const [caller, inspect] of [
          ['validate', () => Workflow.validate(notAClass)],
          ['graph', () => Workflow.graph(notAClass)],
          ['toMermaid', () => Workflow.toMermaid(notAClass)],
        ] as const) {
          // Named by the call written, as Workflow.invoke's message is.
          expect(inspect).to.throw(TypeError, `Workflow.${caller} expects a workflow class, got `);
        }
        await expectStillWorks();
      });
    }

    it('validate, graph and toMermaid given an instance name the class to pass instead', () => {
      const instance = new Healthy() as unknown as WorkflowClass;
      expect(() => Workflow.validate(instance)).to.throw(
        TypeError,
        'Workflow.validate expects a workflow class, got an instance of Healthy. Did you mean Workflow.validate(Healthy)?',
      );
      expect(() => Workflow.graph(instance)).to.throw(TypeError, 'Workflow.graph(Healthy)?');
      expect(() => Workflow.toMermaid(instance)).to.throw(
        TypeError,
        'Workflow.toMermaid(Healthy)?',
      );
    });

    it('validate, graph and toMermaid given a buildDag builder point to its own methods', () => {
      const tm = buildDag({ name: 'Nightly' });
      tm.addNode({ name: 'only' }, () => 1);
      const builder = tm as unknown as WorkflowClass;
      expect(() => Workflow.toMermaid(builder)).to.throw(
        TypeError,
        'Workflow.toMermaid expects a workflow class, got a buildDag() builder. Call its own toMermaid() instead.',
      );
      expect(() => Workflow.graph(builder)).to.throw(TypeError, 'Call its own graph() instead.');
      expect(() => Workflow.validate(builder)).to.throw(
        TypeError,
        'Call its own validate() instead.',
      );
      expect(tm.toMermaid()).to.equal('graph TD;\nonly;');
    });

    it('invoke and stream given the promise of an instance say to await it, not to decorate a class', async () => {
      // Nest's moduleRef.resolve() and create(), or an async factory, give a promise of the
      // instance; TypeScript accepts it where an instance goes (it is an object).
      const pending = Promise.resolve(new Healthy());
      const message =
        'Workflow.invoke expects an instance of a workflow class, got a promise. Await it first: ' +
        'Workflow.invoke(await instancePromise, …).';
      const error = await rejectionOf(() => Workflow.invoke(pending));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(message);
      expect(() => Workflow.stream(pending)).to.throw(
        TypeError,
        message.replace(/Workflow\.invoke/g, 'Workflow.stream'),
      );
      // Any thenable, as await takes it (a promise library's).
      class Deferred {
        then(resolve: (value: Healthy) => void) {
          resolve(new Healthy());
        }
      }
      const other = await rejectionOf(() => Workflow.invoke(new Deferred()));
      expect((other as Error).message).to.equal(message);
      expect((await Workflow.invoke(await pending, 1)).get('double')).to.equal(4);
      await expectStillWorks();
    });

    it('invoke and stream given a buildDag builder point to its own methods, not to decorators', async () => {
      const tm = buildDag({ name: 'Nightly' });
      tm.addNode({ name: 'only' }, () => 1);
      // Plain JavaScript, or a cast: TypeScript refuses a builder where an instance goes.
      const error = await rejectionOf(() => Workflow.invoke(tm as object, 1));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(
        'Workflow.invoke expects an instance of a workflow class, got a buildDag() builder. ' +
          'Call its own invoke() instead.',
      );
      expect(() => Workflow.stream(tm as object, 1)).to.throw(
        TypeError,
        'Workflow.stream expects an instance of a workflow class, got a buildDag() builder. ' +
          'Call its own stream() instead.',
      );
      expect((await tm.invoke()).get('only')).to.equal(1);
    });
  });

  describe('tasks that fail', () => {
    /** How `Fragile.explode` fails on the next run; `undefined` makes it succeed. */
    type Failure = () => unknown;
    const failures: [string, () => { thrown: unknown; failure: Failure }][] = [
      [
        'returns a rejected promise',
        () => withThrown(new Error('rejected'), (e) => () => Promise.reject(e)),
      ],
      [
        'throws inside an async function',
        () =>
          withThrown(new RangeError('async'), (e) => async () => {
            await null;
            throw e;
          }),
      ],
      [
        'throws synchronously',
        () =>
          withThrown(new Error('sync'), (e) => () => {
            throw e;
          }),
      ],
      [
        'returns a thenable that rejects',
        () =>
          withThrown(new Error('thenable'), (e) => () => ({
            then: (_resolve: unknown, reject: (reason: unknown) => void) => reject(e),
          })),
      ],
      [
        'returns a thenable whose then() throws',
        () =>
          withThrown(new Error('then threw'), (e) => () => ({
            then: () => {
              throw e;
            },
          })),
      ],
      [
        'throws a string',
        () =>
          withThrown('just a string', (e) => () => {
            throw e;
          }),
      ],
      [
        'throws undefined',
        () =>
          withThrown(undefined, (e) => () => {
            throw e;
          }),
      ],
      ['rejects with null', () => withThrown(null, (e) => () => Promise.reject(e))],
      [
        'throws a plain object',
        () =>
          withThrown({ status: 503 }, (e) => () => {
            throw e;
          }),
      ],
      [
        'throws a number',
        () =>
          withThrown(404, (e) => () => {
            throw e;
          }),
      ],
    ];

    function withThrown(thrown: unknown, make: (thrown: unknown) => Failure) {
      return { thrown, failure: make(thrown) };
    }

    class Fragile {
      failure: Failure | undefined;
      @Task() before() {
        return 'ready';
      }
      @Task() @DependsOn<Fragile>('before') explode(ready: string) {
        return this.failure === undefined ? `${ready}!` : this.failure();
      }
      @Task() @DependsOn<Fragile>('explode') after(exploded: string) {
        return exploded.length;
      }
    }

    for (const [shape, make] of failures) {
      it(`a task that ${shape} fails the run with exactly what it threw, and the instance runs again`, async () => {
        const fragile = new Fragile();
        const { thrown, failure } = make();
        fragile.failure = failure;
        const error = await rejectionOf(() => Workflow.invoke(fragile));
        expect(error).to.be.instanceOf(WorkflowExecutionError);
        const executionError = error as WorkflowExecutionError<Fragile>;
        expect(executionError.task).to.equal('explode');
        expect(executionError.cause).to.equal(thrown);
        expect(executionError.failures).to.deep.equal([{ task: 'explode', error: thrown }]);
        expect(executionError.message).to.contain('Fragile').and.contain('"explode"');
        expect(executionError.result.get('before')).to.equal('ready');
        expect(executionError.result.has('after')).to.equal(false);

        fragile.failure = undefined;
        const result = await Workflow.invoke(fragile);
        expect(result.toObject()).to.deep.equal({ before: 'ready', explode: 'ready!', after: 6 });
      });
    }

    it('a task that returns a resolving thenable succeeds with its value', async () => {
      const fragile = new Fragile();
      fragile.failure = () => ({ then: (resolve: (value: string) => void) => resolve('thenable') });
      const result = await Workflow.invoke(fragile);
      expect(result.toObject()).to.deep.equal({ before: 'ready', explode: 'thenable', after: 8 });
    });

    it('a task replaced by a non-function on the instance fails with a TypeError naming it', async () => {
      const fragile = new Fragile();
      Object.defineProperty(fragile, 'explode', { value: 42, configurable: true });
      const error = (await rejectionOf(() => Workflow.invoke(fragile))) as WorkflowExecutionError;
      expect(error).to.be.instanceOf(WorkflowExecutionError);
      expect(error.task).to.equal('explode');
      expect(error.cause).to.be.instanceOf(TypeError);
      expect((error.cause as Error).message)
        .to.contain('Fragile')
        .and.contain('"explode"');
      delete (fragile as Partial<Fragile>).explode;
      expect((await Workflow.invoke(fragile)).get('after')).to.equal(6);
    });

    const throwingHooks: [keyof NonNullable<InvokeOptions['hooks']>, string][] = [
      ['onTaskStart', 'explode'],
      ['onTaskSuccess', 'explode'],
    ];
    for (const [hook, task] of throwingHooks) {
      it(`a ${hook} hook that throws fails the run as a failure of the task it was called for`, async () => {
        const hookError = new Error(`${hook} broke`);
        const hooks = {
          [hook]: (event: { task: string }) => {
            if (event.task === task) throw hookError;
          },
        };
        const error = (await rejectionOf(() =>
          Workflow.invoke(new Fragile(), undefined, { hooks }),
        )) as WorkflowExecutionError;
        expect(error).to.be.instanceOf(WorkflowExecutionError);
        expect(error.task).to.equal(task);
        expect(error.cause).to.equal(hookError);
        expect(error.message).to.contain('Fragile').and.contain(`"${task}"`);
        await expectStillWorks();
      });
    }
  });

  describe('invalid invoke options', () => {
    let started: string[];
    class Optioned {
      @Task() prepare() {
        started.push('prepare');
        return 1;
      }
      @Task() @DependsOn<Optioned>('prepare') deliver(prepared: number) {
        started.push('deliver');
        return prepared + 1;
      }
    }

    const badOptions: [string, unknown, string, string[]][] = [
      [
        'concurrency 0',
        { concurrency: 0 },
        'concurrency',
        ['positive integer or Infinity', 'got 0'],
      ],
      ['concurrency -1', { concurrency: -1 }, 'concurrency', ['got -1']],
      ['concurrency NaN', { concurrency: Number.NaN }, 'concurrency', ['got NaN']],
      ['concurrency 1.5', { concurrency: 1.5 }, 'concurrency', ['got 1.5']],
      ["concurrency '2'", { concurrency: '2' }, 'concurrency', ['got "2"']],
      [
        'concurrency -Infinity',
        { concurrency: Number.NEGATIVE_INFINITY },
        'concurrency',
        ['-Infinity'],
      ],
      ['concurrency null', { concurrency: null }, 'concurrency', ['got null']],
      [
        'an unknown target far from every task',
        { targets: ['shipping'] },
        'targets',
        ['"shipping"', 'prepare, deliver'],
      ],
      [
        'an unknown target near a task',
        { targets: ['delivr'] },
        'targets',
        ['"delivr"', 'Did you mean "deliver"?'],
      ],
      ['a target that is not a string', { targets: [42] }, 'targets', ['42']],
      // A hole reads as undefined; map would skip it.
      [
        'a hole in targets',
        { targets: Object.assign(new Array(2), { 1: 'deliver' }) },
        'targets',
        ['undefined is not a task'],
      ],
      ['targets of holes only', { targets: new Array(1) }, 'targets', ['undefined is not a task']],
      ['empty targets', { targets: [] }, 'targets', ['non-empty array']],
      ['targets as a string', { targets: 'deliver' }, 'targets', ['non-empty array']],
      [
        'an unknown override',
        { overrides: { delivery: () => 0 } },
        'overrides',
        ['"delivery"', 'Did you mean "deliver"?'],
      ],
      [
        'an override that is not a function',
        { overrides: { deliver: 42 } },
        'overrides',
        ['"deliver"', 'function'],
      ],
      ['a misspelt option', { concurency: 2 }, 'concurency', ['Did you mean "concurrency"?']],
      ['failFast as a string', { failFast: 'yes' }, 'failFast', ['"yes"']],
      ['a signal that is not an AbortSignal', { signal: {} }, 'signal', ['AbortSignal']],
      [
        'an unknown hook',
        { hooks: { onTaskStrat: () => {} } },
        'hooks',
        ['"onTaskStrat"', 'Did you mean "onTaskStart"?'],
      ],
      [
        'a hook that is not a function',
        { hooks: { onTaskStart: 'log' } },
        'hooks',
        ['"onTaskStart"'],
      ],
      ['options that are not an object', 42, 'options', ['object']],
      ['null options', null, 'options', ['object']],
    ];

    for (const [label, options, option, mentions] of badOptions) {
      it(`rejects ${label} before any task starts, and the next run works`, async () => {
        started = [];
        const optioned = new Optioned();
        const error = await rejectionOf(() =>
          Workflow.invoke(optioned, undefined, options as InvokeOptions<Optioned>),
        );
        expect(error).to.be.instanceOf(WorkflowOptionsError).and.instanceOf(TypeError);
        expect(error).to.have.property('option', option);
        expect(error).to.have.property('workflow', 'Optioned');
        const { message } = error as Error;
        expect(message.startsWith('Optioned: '), message).to.equal(true);
        for (const mention of mentions) expect(message).to.contain(mention);
        expect(started, 'tasks started').to.deep.equal([]);

        const result = await Workflow.invoke(optioned, undefined, { concurrency: 1 });
        expect(result.toObject()).to.deep.equal({ prepare: 1, deliver: 2 });
        expect(started).to.deep.equal(['prepare', 'deliver']);
      });
    }
  });

  describe('asking a result for what it does not hold', () => {
    it('throws TaskResultError naming the class and the name, for a name that is not a task', async () => {
      const result = await Workflow.invoke(new Healthy(), 1);
      expect(() => result.get('dubble' as never))
        .to.throw(TaskResultError, 'Healthy: "dubble" is not a task. Did you mean "double"?')
        .with.property('task', 'dubble');
    });

    it('lists the tasks, as the options do, when no task name is close to the one asked for', async () => {
      const result = await Workflow.invoke(new Healthy(), 1);
      expect(() => result.get('summary' as never))
        .to.throw(TaskResultError, 'Healthy: "summary" is not a task. Tasks: base, double.')
        .with.property('task', 'summary');
    });

    it('quotes a name that is not a task as the options do: escaped, and cut short if long', async () => {
      // A name from outside (a URL, a message) must not fill a log or drive a terminal.
      const result = await Workflow.invoke(new Healthy(), 1);
      const errorFor = (name: string) => {
        try {
          result.get(name as never);
        } catch (e) {
          return e as TaskResultError;
        }
        return expect.fail(`get(${name.slice(0, 20)}…) should throw`);
      };
      const long = 'x'.repeat(1_000_000);
      const longError = errorFor(long);
      expect(longError.task).to.equal(long);
      expect(longError.message.length).to.be.below(400);
      expect(longError.message).to.equal(
        `Healthy: "${'x'.repeat(299)}… is not a task. Tasks: base, double.`,
      );
      // Cut before a character of two UTF-16 units, not between them.
      expect(errorFor(`${'x'.repeat(298)}\u{1F600}${'x'.repeat(10)}`).message).to.equal(
        `Healthy: "${'x'.repeat(298)}… is not a task. Tasks: base, double.`,
      );
      expect(errorFor('double\n\u001b[2J').message).to.equal(
        'Healthy: "double\\n\\u001b[2J" is not a task. Tasks: base, double.',
      );
      const targetError = (await Workflow.invoke(new Healthy(), 1, {
        targets: ['double\n\u001b[2J' as never],
      }).catch((e: unknown) => e)) as Error;
      expect(targetError.message).to.contain('"double\\n\\u001b[2J" is not a task of Healthy.');
    });

    it('cuts a long name given alone as targets short, in the array it says to write too', async () => {
      // targets: 'a name' from JavaScript gets the array to write; a name from outside stays cut.
      const long = 'z'.repeat(1_000_000);
      const message = await Workflow.invoke(new Healthy(), 1, {
        targets: long as never,
      }).then(
        () => expect.fail('should reject'),
        (e: Error) => e.message,
      );
      expect(message.length).to.be.below(1_000);
      expect(message).to.contain(`Put it in an array: targets: ["${'z'.repeat(299)}…].`);
      const short = await Workflow.invoke(new Healthy(), 1, { targets: 'double' as never }).then(
        () => expect.fail('should reject'),
        (e: Error) => e.message,
      );
      expect(short).to.contain('got "double". Put it in an array: targets: ["double"].');
    });

    it('quotes an unknown option or hook name in the same way, wherever options are checked', async () => {
      // Option objects may come from JSON: their keys are as untrusted as a task name.
      const hostile = 'timeot\n\u001b[2J';
      const quoted = '"timeot\\n\\u001b[2J"';
      const long = 'y'.repeat(1_000_000);
      const messageOf = (act: () => unknown) => {
        try {
          act();
        } catch (e) {
          return (e as Error).message;
        }
        return expect.fail('should throw');
      };
      const invokeError = (options: object) =>
        Workflow.invoke(new Healthy(), 1, options as InvokeOptions).then(
          () => expect.fail('should reject'),
          (e: Error) => e.message,
        );
      expect(await invokeError({ [hostile]: 1 })).to.contain(
        `invalid option ${quoted}: unknown option.`,
      );
      const longMessage = await invokeError({ [long]: 1 });
      expect(longMessage.length).to.be.below(700);
      expect(await invokeError({ hooks: { [hostile]: () => undefined } })).to.contain(
        `${quoted} is not a hook.`,
      );
      expect(messageOf(() => buildDag({ [hostile]: 1 } as never))).to.contain(
        `buildDag: unknown option ${quoted}.`,
      );
      const result = await Workflow.invoke(new Healthy(), 1);
      expect(messageOf(() => formatTimeline(result, { [hostile]: 1 } as never))).to.contain(
        `formatTimeline: unknown option ${quoted}.`,
      );
      const Optioned = class Optioned {};
      declareTask(Optioned.prototype, 'a', () => 1, { options: { [hostile]: 1 } as TaskOptions });
      expect(messageOf(() => Workflow.validate(Optioned))).to.contain(
        `task "a" has an unknown option ${quoted}.`,
      );
    });

    for (const [label, name] of [
      ['a number', 5],
      ['a symbol', Symbol('double')],
      ['undefined', undefined],
      ['an object', { toString: () => 'double' }],
    ] as const) {
      it(`throws TaskResultError for ${label} given as the name, and has() says false`, async () => {
        const result = await Workflow.invoke(new Healthy(), 1);
        expect(() => result.get(name as never))
          .to.throw(TaskResultError, /^Healthy: expected a task name \(a string\), got /)
          .with.property('workflow', 'Healthy');
        expect(result.has(name as never)).to.equal(false);
      });
    }

    it('throws TaskResultError naming the class and the task, for a task that did not run', async () => {
      const result = await Workflow.invoke(new Healthy(), 1, { targets: ['base'] });
      expect(result.get('base')).to.equal(2);
      expect(() => result.get('double'))
        .to.throw(TaskResultError, /^Healthy: .*"double"/)
        .with.property('workflow', 'Healthy');
    });

    it("cuts a long skip() reason short, as it cuts a failed task's message", async () => {
      // A reason built from outside (a response body) must not fill a log line.
      const long = 'r'.repeat(1_000_000);
      const tm = buildDag({ name: 'Skips' });
      tm.addNode({ name: 'skipped' }, () => skip(long));
      tm.addNode({ name: 'failed' }, () => {
        throw new Error(long);
      });
      const result = (
        (await tm.invoke(undefined, { failFast: false }).catch((e: unknown) => e)) as {
          result: ExecutionResult<any, any>;
        }
      ).result;
      expect(result.trace.find(({ task }) => task === 'skipped')?.reason).to.equal(long);
      const messageOf = (task: string) => {
        try {
          result.get(task);
        } catch (e) {
          expect(e).to.be.instanceOf(TaskResultError);
          return (e as TaskResultError).message;
        }
        return expect.fail(`get(${task}) should throw`);
      };
      expect(messageOf('failed')).to.equal(
        `Skips: task "failed" failed in this run: ${'r'.repeat(300)}…`,
      );
      expect(messageOf('skipped')).to.equal(
        `Skips: task "skipped" was skipped: ${'r'.repeat(300)}…`,
      );
      // skip() in a hook is an error that quotes its reason: escaped, and cut short too.
      const hooked = buildDag({ name: 'Hooked' });
      hooked.addNode({ name: 'a' }, () => 1);
      const hookError = (await hooked
        .invoke(undefined, { hooks: { onTaskStart: () => skip(long) } })
        .catch((e: unknown) => e)) as WorkflowExecutionError;
      expect((hookError.cause as Error).message).to.equal(
        `Hooked: task "a": skip("${'r'.repeat(299)}…) was called in a hook, retryIf or retryDelay, ` +
          'where it cannot skip the task, so it is an error instead. Call skip() in the task, its ' +
          'fallback or a task interceptor.',
      );
    });

    it('says a task the run stopped before was stopped, with targets or without', async () => {
      class StopsEarly {
        @Task() broken(): number {
          throw new Error('broken');
        }
        @Task() slow() {
          return new Promise((resolve) => setTimeout(resolve, 5));
        }
        @Task() @DependsOn('slow') after() {
          return 1;
        }
      }
      // With targets, a target it did not reach is stopped, not "no target"; without, the same.
      for (const targets of [['broken', 'after'] as const, undefined]) {
        const error = await rejectionOf(() =>
          Workflow.invoke(new StopsEarly(), undefined, targets && { targets: [...targets] }),
        );
        expect(error).to.be.instanceOf(WorkflowExecutionError);
        const { result } = error as WorkflowExecutionError<StopsEarly>;
        expect(() => result.get('after'))
          .to.throw(TaskResultError)
          .with.property(
            'message',
            'StopsEarly: task "after" did not run: the run stopped before it could start',
          );
      }
    });
  });
});

describe('Workflow.invoke compile errors', () => {
  it('say that an instance is expected where the class or a builder is given', function () {
    this.timeout(60_000); // one TypeScript program over src/
    const lines = [
      `import { buildDag, Task, Workflow } from 'async-dag';`,
      `class Checkout {`,
      `  @Task() load() { return 1; }`,
      `}`,
      `Workflow.invoke(Checkout);`,
      `Workflow.stream(Checkout);`,
      `Workflow.invoke(buildDag());`,
      `Workflow.invoke(new Checkout());`,
    ];
    const problems = typeCheckMarkdown([
      { name: 'instance', markdown: ['```ts', ...lines, '```'].join('\n') },
    ]);
    // The block's first code line is line 2 of the Markdown; the message's last line is what the
    // compiler says went wrong, under the lines of how it got there.
    expect(
      problems.map(({ line, code, message }) => [
        line - 1,
        code,
        message.split('\n').pop()?.trim(),
      ]),
    ).to.deep.equal([
      [
        5,
        2345,
        `Property ''expected an instance of the workflow class (new MyWorkflow(…)), not the ` +
          `class'' is missing in type 'Checkout' but required in type 'InstanceExpected'.`,
      ],
      [
        6,
        2345,
        `Property ''expected an instance of the workflow class (new MyWorkflow(…)), not the ` +
          `class'' is missing in type 'Checkout' but required in type 'InstanceExpected'.`,
      ],
      [
        7,
        2345,
        `Type '"a buildDag() builder: call its own invoke() or stream()"' is not assignable to ` +
          `type 'never'.`,
      ],
    ]);
  });
});

describe('task-name compile errors', () => {
  it('list the task names a misspelt one is not in @DependsOn<W> and result.get; targets keeps its alias, with a "did you mean"', function () {
    this.timeout(60_000); // one TypeScript program over src/
    const lines = [
      `import { DependsOn, Param, Task, Workflow } from 'async-dag';`,
      `class Checkout {`,
      `  @Task() user(@Param() id: string) { return { id }; }`,
      `  @Task() @DependsOn<Checkout>('usr') cart(user: { id: string }) { return [user.id]; }`,
      `}`,
      `void Workflow.invoke(new Checkout(), 'u1', { targets: ['carts'] })`,
      `  .then((result) => result.get('totals'));`,
    ];
    const problems = typeCheckMarkdown([
      { name: 'names', markdown: ['```ts', ...lines, '```'].join('\n') },
    ]);
    // Each message names the type the misspelt name is not: the names themselves (in the order of
    // the compiler's union, which its version decides), not an alias such as `TaskName<Checkout>`.
    expect(
      problems.map(({ line, code, message }) => {
        const [, given, expected] =
          /'("\w+")' is not assignable to (?:parameter of )?type '([^']+)'/.exec(message)!;
        return [line - 1, code, given, expected.split(' | ').sort()];
      }),
    ).to.deep.equal([
      [4, 2345, '"usr"', ['"cart"', '"user"', 'InputToken']],
      [6, 2820, '"carts"', ['TaskName<Checkout>']], // … Did you mean '"cart"'?
      [7, 2345, '"totals"', ['"cart"', '"user"']],
    ]);
    // `targets` is a property's type, which a consumer's helper infers and writes into its
    // declarations: there the alias stays one name, and the compiler offers the close one.
    expect(problems.find(({ code }) => code === 2820)?.message).to.include(
      `Did you mean '"cart"'?`,
    );
  });
});
