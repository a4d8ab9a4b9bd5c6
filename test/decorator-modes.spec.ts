/**
 * Both decorator modes give the same workflows. The fixtures in `test/fixtures/decorator-modes/`
 * are compiled here by this repository's TypeScript, once with `experimentalDecorators` (legacy
 * decorators, as NestJS uses) and once without (standard decorators, the TypeScript 5+ default),
 * then loaded against `src/`: both must give the same graphs, results and definition errors.
 * A third compilation runs the standard output with `Symbol.metadata` absent, so decorators get no
 * `context.metadata`, as TypeScript 5.0 and 5.1 emit them; methods are still found through their
 * functions. (The packed-package tests compile the same way with TypeScript 5.0, 5.9, 6 and 7.)
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { DependsOn, Param, PARAM, Task, Workflow, WorkflowDefinitionError } from '../src';
import { withTimersInOrder } from './support/event-log';
import { SEED_ORDER, SEED_RESULTS } from './support/seed';

/** A class the fixture exports. */
type FixtureClass = new () => object;

type Mode = 'legacy' | 'standard' | 'standard without context.metadata';
const MODES: readonly Mode[] = ['legacy', 'standard', 'standard without context.metadata'];

const FIXTURES = path.join(__dirname, 'fixtures', 'decorator-modes');

/** Compiles a fixture as `tsc` would (CommonJS, ES2022) and loads it; `src/` is shared. */
function loadFixture(file: string, mode: Mode): Record<string, FixtureClass> {
  const fileName = path.join(FIXTURES, file);
  const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: mode === 'legacy',
      emitDecoratorMetadata: false,
    },
  });
  const metadataSymbol = Object.getOwnPropertyDescriptor(Symbol, 'metadata');
  if (mode === 'standard without context.metadata')
    delete (Symbol as { metadata?: symbol }).metadata;
  try {
    const loaded = new Module(`${fileName}.${mode}.js`, module);
    loaded.filename = loaded.id;
    loaded.paths = module.paths;
    (loaded as unknown as { _compile(code: string, file: string): void })._compile(
      outputText,
      loaded.id,
    );
    return loaded.exports as Record<string, FixtureClass>;
  } finally {
    if (metadataSymbol !== undefined) Object.defineProperty(Symbol, 'metadata', metadataSymbol);
  }
}

/** What `Workflow.validate` throws, as plain data. */
function definitionErrorOf(workflowClass: FixtureClass) {
  try {
    Workflow.validate(workflowClass);
  } catch (error) {
    return plainError(error);
  }
  throw new Error(`${workflowClass.name} is valid`);
}

/** What `action` throws, as plain data. */
function thrownBy(action: () => unknown) {
  try {
    action();
  } catch (error) {
    return plainError(error);
  }
  throw new Error('nothing was thrown');
}

/** A definition error as plain data. */
function plainError(error: unknown) {
  expect(error).to.be.instanceOf(WorkflowDefinitionError);
  const { code, workflow, task, message } = error as WorkflowDefinitionError;
  return { code, workflow, task, message };
}

describe('decorator modes', () => {
  const compiled = new Map<Mode, Record<string, FixtureClass>>();

  before(function () {
    this.timeout(30_000);
    for (const mode of MODES) compiled.set(mode, loadFixture('workflows.ts', mode));
  });

  /** The fixture class `name` in every mode. */
  const inEveryMode = (name: string) =>
    MODES.map((mode) => ({ mode, workflowClass: compiled.get(mode)![name] }));

  it('defines every class without throwing, whatever is wrong with it', () => {
    for (const mode of MODES) expect(Object.keys(compiled.get(mode)!)).to.have.length(39);
  });

  it('really compiles each mode differently', () => {
    const seed = (mode: Mode) =>
      Object.getOwnPropertyDescriptor(compiled.get(mode)!.Seed, Symbol.for('Symbol.metadata'))
        ?.value;
    expect(seed('legacy')).to.equal(undefined);
    expect(seed('standard')).to.be.an('object');
    expect(seed('standard without context.metadata')).to.equal(undefined);
  });

  it('runs the seed example with the same order and results in every mode', async () => {
    for (const { mode, workflowClass } of inEveryMode('Seed')) {
      const instance = new workflowClass() as { log: string[] };
      // On fake timers, fired in time order: the order is the scheduler's, not the machine's.
      const result = await withTimersInOrder(() => Workflow.invoke(instance, 0));
      expect(instance.log, mode).to.deep.equal(SEED_ORDER);
      expect(result.toObject(), mode).to.deep.equal(SEED_RESULTS);
      expect(Workflow.graph(workflowClass), mode).to.deep.equal(
        Workflow.graph(compiled.get('legacy')!.Seed),
      );
    }
    expect(Workflow.graph(compiled.get('standard')!.Seed).roots).to.deep.equal([
      'fastTaskA',
      'slowTaskA',
      'fastTaskB',
    ]);
  });

  for (const name of [
    'Options',
    'Extended',
    'Redefined',
    'Base',
    'Doubling',
    'AuditedDoubling',
    'Tagged',
  ]) {
    it(`gives ${name} the same graph, results and trace in every mode`, async () => {
      const outcomes = [];
      for (const { workflowClass } of inEveryMode(name)) {
        const events: string[] = [];
        const result = await Workflow.invoke(new workflowClass(), 7, {
          hooks: {
            onTaskProgress: ({ task, data }) => events.push(`${task} progress ${String(data)}`),
            onTaskRetry: ({ task, attempt }) => events.push(`${task} retry after ${attempt}`),
          },
        });
        outcomes.push({
          graph: Workflow.graph(workflowClass),
          mermaid: Workflow.toMermaid(workflowClass),
          results: result.toObject(),
          trace: result.trace.map(({ task, status, attempts }) => ({ task, status, attempts })),
          events,
        });
      }
      expect(outcomes[1]).to.deep.equal(outcomes[0]);
      expect(outcomes[2]).to.deep.equal(outcomes[0]);
    });
  }

  it('keeps the declared inputs, options and inheritance rules in standard mode', async () => {
    const { Options, Extended, Redefined, Base } = compiled.get('standard')!;
    const options = await Workflow.invoke(new Options(), 7);
    expect(options.toObject()).to.deep.equal({
      start: 'start#1 7 true',
      flaky: 'start#1 7 true then flaky on attempt 2',
      finish: 'succeeded/7/skipped',
    });
    expect(Workflow.graph(Options).order).to.deep.equal(['start', 'flaky', '2', 'finish']);
    expect((await Workflow.invoke(new Extended(), '1')).toObject()).to.deep.equal({
      load: 'record 1',
      render: '[record 1]',
      publish: '[record 1] from record 1',
    });
    expect(Workflow.graph(Redefined).roots).to.deep.equal(['load', 'render']);
    expect(Workflow.graph(Base).roots).to.deep.equal(['load']);
  });

  it('runs an abstract base class implemented by a subclass, two mixins on top, in standard mode', async () => {
    const { AuditedDoubling, Doubling, Tagged } = compiled.get('standard')!;
    expect((await Workflow.invoke(new AuditedDoubling(), 7)).toObject()).to.deep.equal({
      fetch: [7, 8],
      store: 'stored 14,16',
      transform: [14, 16],
      audit: 'audited stored 14,16',
      timed: 'audited stored 14,16 in 2 rows',
    });
    // Each class has its own graph, named after it: the mixins' classes by their declared names.
    expect(Workflow.graph(AuditedDoubling).workflow).to.equal('AuditedDoubling');
    expect(Workflow.graph(Object.getPrototypeOf(AuditedDoubling) as FixtureClass)).to.include({
      workflow: 'TimedWorkflow',
    });
    expect(Workflow.graph(Doubling).order).to.deep.equal(['fetch', 'transform', 'store']);
    expect((await Workflow.invoke(new Tagged(), 7)).toObject()).to.deep.equal({
      tag: { value: 7 },
      label: '#7',
    });
  });

  it('applies fallback, retryIf, priority and when the same way in every mode', async () => {
    for (const { mode, workflowClass } of inEveryMode('Policies')) {
      const instance = new workflowClass() as { started: string[] };
      const result = await Workflow.invoke(instance, undefined, { concurrency: 1 });
      expect(result.toObject(), mode).to.deep.equal({
        rate: 'default (rates down)',
        flaky: 'flaky on attempt 2',
        low: 'low',
        high: 'high',
        merge: 'undefined + default (rates down)',
      });
      // One slot: the highest priority first, then the longest remaining paths, then declaration.
      expect(instance.started, mode).to.deep.equal([
        'high',
        'rate',
        'optional',
        'flaky#1',
        'flaky#2', // a retry without a delay keeps its slot
        'low',
        'merge',
      ]);
      expect(
        result.trace.map((entry) => [
          entry.task,
          entry.status,
          entry.attempts,
          (entry.recoveredFrom as Error | undefined)?.message ?? entry.reason,
        ]),
        mode,
      ).to.deep.equal([
        ['high', 'succeeded', 1, undefined],
        ['rate', 'succeeded', 1, 'rates down'],
        ['optional', 'skipped', 1, 'not needed'],
        ['flaky', 'succeeded', 2, undefined],
        ['low', 'succeeded', 1, undefined],
        ['merge', 'succeeded', 1, undefined],
      ]);
    }
  });

  it('gives a task exactly its @DependsOn inputs, names and tokens, in every mode', async () => {
    for (const { mode, workflowClass } of inEveryMode('Arity')) {
      const result = await Workflow.invoke(new workflowClass(), 5);
      expect(result.toObject(), mode).to.deep.equal({
        none: 0,
        first: [5],
        second: [0, 0, 5, 'signal', 'context of second'],
      });
    }
  });

  it('calls an override with the same arguments and this, in every mode', async () => {
    for (const { mode, workflowClass } of inEveryMode('Arity')) {
      const instance = new workflowClass();
      const overrides: Record<string, Function> = {
        none(this: unknown, ...inputs: unknown[]) {
          return [this === instance, inputs.length];
        },
        second(this: unknown, ...inputs: unknown[]) {
          return [this === instance, inputs.length, inputs[2], inputs[3] instanceof AbortSignal];
        },
      };
      const result = await Workflow.invoke(instance, 5, { overrides });
      expect(result.toObject(), mode).to.deep.equal({
        none: [true, 0],
        first: [5],
        second: [true, 5, 5, true],
      });
    }
  });

  const errors: Record<string, [code: string, task: string | undefined, fragment: string]> = {
    Misspelt: ['UNKNOWN_DEPENDENCY', 'show', 'Did you mean "load"?'],
    Cyclic: ['CYCLE', 'a', 'a -> b -> a'],
    Pipeline: [
      'UNKNOWN_DEPENDENCY',
      'store',
      'Pipeline: task "store" depends on "transform", which is not a task.',
    ],
    UndecoratedDoubling: [
      'UNKNOWN_DEPENDENCY',
      'store',
      'UndecoratedDoubling: in its base class Pipeline: task "store" depends on "transform", ' +
        'which is not a task. "transform" is a method: add @Task() to it.',
    ],
    ReplacedSub: [
      'UNKNOWN_DEPENDENCY',
      'show',
      'ReplacedSub: in its base class ReplacedBase: task "show" depends on "lod"',
    ],
    Untasked: ['NOT_A_TASK', 'b', '@DependsOn on "b"'],
    TaskedTwice: ['INVALID_TASK', 'a', '@Task() is applied 2 times'],
    DependsTwice: ['INVALID_TASK', 'b', '@DependsOn is applied 2 times'],
    DependsOnlyOverride: ['NOT_A_TASK', 'render', 'an override must repeat @Task()'],
    OptionsOnlyOverride: [
      'INVALID_TASK',
      'render',
      'without the inputs of Base\'s "render" (@DependsOn("load")), so its 1 parameter',
    ],
    StaticTask: ['INVALID_TASK', 'cleanup', 'on static member "cleanup"'],
    SymbolTask: ['INVALID_TASK', 'Symbol(secret)', 'symbol-named method'],
    GetterTask: ['INVALID_TASK', 'total', 'accessor "total"'],
    FieldTask: ['INVALID_TASK', 'double', 'class field "double"'],
    ClassTask: ['INVALID_TASK', 'ClassTask', 'on the class ClassTask itself'],
    Uncalled: [
      'INVALID_TASK',
      'b',
      '@Task is applied to "b" without being called: write @Task(), with parentheses.',
    ],
    UncalledDependsOn: [
      'INVALID_TASK',
      'b',
      '@DependsOn is applied to "b" without being called: write @DependsOn(…) with its inputs.',
    ],
    UncalledDependsOnClass: [
      'INVALID_TASK',
      'UncalledDependsOnClass',
      '@DependsOn on the class UncalledDependsOnClass itself: it is a method decorator.',
    ],
    UncalledTaskClass: [
      'INVALID_TASK',
      'UncalledTaskClass',
      '@Task on the class UncalledTaskClass itself: it is a method decorator.',
    ],
    UncalledStatic: [
      'INVALID_TASK',
      'cleanup',
      '@Task is applied to static member "cleanup" without being called: write @Task(), with parentheses.',
    ],
    MarkerOnMethod: [
      'INVALID_TASK',
      'a',
      '@Context() is applied to "a" itself: parameter decorators exist only with ' +
        '"experimentalDecorators". With standard decorators, list CONTEXT in @DependsOn instead, ' +
        'at that argument\'s position; with "experimentalDecorators", you may write @Context() ' +
        'before that parameter instead.',
    ],
    MarkerOnClass: [
      'INVALID_TASK',
      'MarkerOnClass',
      '@Context() is applied to the class MarkerOnClass itself: it is a parameter decorator, ' +
        'which marks a parameter of a @Task() method (only with "experimentalDecorators"): write ' +
        '@Context() before that parameter. With standard decorators, list CONTEXT in @DependsOn ' +
        "instead, at that argument's position.",
    ],
    UncalledMarkerOnClass: [
      'INVALID_TASK',
      'UncalledMarkerOnClass',
      '@Signal is applied to the class UncalledMarkerOnClass itself: it is a parameter decorator, ' +
        'which marks a parameter of a @Task() method (only with "experimentalDecorators"): write ' +
        '@Signal() before that parameter. With standard decorators, list SIGNAL in @DependsOn ' +
        "instead, at that argument's position.",
    ],
    Empty: ['NO_TASKS', undefined, 'both decorator modes work'],
  };

  for (const [name, [code, task, fragment]] of Object.entries(errors)) {
    it(`reports ${name} as ${code} in both modes, only when the class is used`, async () => {
      const legacy = definitionErrorOf(compiled.get('legacy')![name]);
      expect(legacy).to.deep.include({ code, workflow: name, task });
      expect(legacy.message).to.contain(fragment);
      // Without context.metadata a field has no function to find it by: the class just has no
      // such task (TypeScript rejects the field decorator at compile time anyway).
      const modes = MODES.filter(
        (mode) => name !== 'FieldTask' || mode !== 'standard without context.metadata',
      );
      for (const mode of modes) {
        const workflowClass = compiled.get(mode)![name];
        expect(definitionErrorOf(workflowClass), mode).to.deep.equal(legacy);
        // Thrown by graph as by validate, and rejecting invoke: the same error in every mode.
        expect(
          thrownBy(() => Workflow.graph(workflowClass)),
          mode,
        ).to.deep.equal(legacy);
        expect(
          thrownBy(() => Workflow.stream(new workflowClass())),
          mode,
        ).to.deep.equal(legacy);
        const invoked = Workflow.invoke(new workflowClass());
        expect(invoked, mode).to.be.instanceOf(Promise);
        expect(
          plainError(
            await invoked.then(
              () => undefined,
              (error: unknown) => error,
            ),
          ),
          mode,
        ).to.deep.equal(legacy);
      }
    });
  }

  it("names a class behind a class decorator's subclass of the same name as the class itself", () => {
    for (const { mode, workflowClass } of inEveryMode('NamedReplaced')) {
      expect(definitionErrorOf(workflowClass).message, mode).to.equal(
        'NamedReplaced: task "show" depends on "lod", which is not a task. Did you mean "load"?',
      );
    }
  });

  it('leaves a method under a bare @DependsOn as written, in every mode', () => {
    for (const { mode, workflowClass } of inEveryMode('UncalledDependsOn')) {
      expect((new workflowClass() as { b(a: string): string }).b('x'), mode).to.equal('xb');
    }
  });

  it('leaves a decorated field out of the class when decorators get no context.metadata', () => {
    const { FieldTask } = compiled.get('standard without context.metadata')!;
    expect(Workflow.graph(FieldTask).order).to.deep.equal(['a']);
  });

  it('leaves task methods ordinary methods, looked up on the instance at call time, in every mode', async () => {
    for (const { mode, workflowClass } of inEveryMode('Base')) {
      type Methods = Record<'load' | 'render', (input: string) => string>;
      // A unit test calls a task method directly: it is the method as written.
      const direct = new workflowClass() as Methods;
      expect([direct.load('1'), direct.render('record 1')], mode).to.deep.equal([
        'record 1',
        '<record 1>',
      ]);
      // An instance property (a test stub) replacing a task method is what runs, with this.
      const instance = new workflowClass() as Methods & { tag: string };
      instance.tag = 'stub';
      instance.render = function (this: { tag: string }, record: string) {
        return `${this.tag} ${record}`;
      };
      expect((await Workflow.invoke(instance, '2')).toObject(), mode).to.deep.equal({
        load: 'record 2',
        render: 'stub record 2',
      });
      // So is a stub put on the prototype after the class's first use, until it is restored.
      const prototype = workflowClass.prototype as Methods;
      const original = prototype.load;
      prototype.load = (id: string) => `stubbed ${id}`;
      try {
        expect((await Workflow.invoke(new workflowClass(), '3')).toObject(), mode).to.deep.equal({
          load: 'stubbed 3',
          render: '<stubbed 3>',
        });
      } finally {
        prototype.load = original;
      }
      expect((await Workflow.invoke(new workflowClass(), '4')).get('load' as never), mode).to.equal(
        'record 4',
      );
    }
  });

  it('keeps a task whose method a decorator above @Task() replaced, given context.metadata', async () => {
    for (const mode of ['legacy', 'standard'] as const) {
      const { Wrapped } = compiled.get(mode)!;
      expect((await Workflow.invoke(new Wrapped(), 'x')).toObject(), mode).to.deep.equal({
        load: 'x',
        show: 'logged show x',
      });
    }
    // Without it (TypeScript 5.0 and 5.1) the replaced method is not the one @Task() saw.
    const { Wrapped } = compiled.get('standard without context.metadata')!;
    expect(Workflow.graph(Wrapped).order).to.deep.equal(['load']);
  });

  it('keeps a task stubbed on the prototype before first use, given context.metadata', async () => {
    const stubbed = (mode: Mode) => {
      const { StubbedOnPrototype } = compiled.get(mode)!;
      Object.assign(StubbedOnPrototype.prototype, { show: (id: string) => `stub ${id}` });
      return StubbedOnPrototype;
    };
    for (const mode of ['legacy', 'standard'] as const) {
      const workflowClass = stubbed(mode);
      expect((await Workflow.invoke(new workflowClass(), 'x')).toObject(), mode).to.deep.equal({
        load: 'x',
        show: 'stub x',
      });
    }
    // Without it (TypeScript 5.0 and 5.1) the stub is not the function @Task() saw.
    expect(Workflow.graph(stubbed('standard without context.metadata')).order).to.deep.equal([
      'load',
    ]);
  });

  it('adds what decorators called on the class later record, whatever mode compiled it', async () => {
    for (const { mode, workflowClass } of inEveryMode('Programmatic')) {
      const prototype = workflowClass.prototype as Record<string, Function>;
      const decorate = (key: string, ...decorators: MethodDecorator[]) =>
        Reflect.decorate(
          decorators,
          prototype,
          key,
          Object.getOwnPropertyDescriptor(prototype, key),
        );
      decorate('b', DependsOn('a'));
      decorate('c', Task(), DependsOn('a'));
      expect(Workflow.graph(workflowClass).tasks, mode).to.deep.equal([
        { name: 'a', dependsOn: [], dependents: ['b', 'c'] },
        { name: 'b', dependsOn: ['a'], dependents: [] },
        { name: 'c', dependsOn: ['a'], dependents: [] },
      ]);
      expect((await Workflow.invoke(new workflowClass())).toObject(), mode).to.deep.equal({
        a: 'a',
        b: 'b(a)',
        c: 'c(a)',
      });
    }
  });

  describe('member names as transpilers pass them', () => {
    /** Decorator calls of either mode, as compiled code makes them (types do not matter here). */
    type AnyCall = (...args: unknown[]) => unknown;
    const call = (decorator: unknown, ...args: unknown[]) => (decorator as AnyCall)(...args);

    type NumberedMode = 'legacy' | 'standard' | 'standard with context.metadata';

    /**
     * `1(n) {…}` and `2(n) {…}`, compiled by esbuild (so tsx, vitest and Bun) or swc: they give a
     * numeric literal name as a number — the key of a legacy call, `context.name` of a standard one
     * — where tsc gives the string the class holds it under.
     */
    function numbered(mode: NumberedMode) {
      class Numbered {
        1(n: number) {
          return n + 1;
        }
        2(previous: number, n: number) {
          return previous * n;
        }
      }
      const prototype = Numbered.prototype as unknown as Record<string, Function>;
      const metadata = mode === 'standard with context.metadata' ? {} : undefined;
      if (metadata !== undefined) {
        Object.defineProperty(Numbered, Symbol.for('Symbol.metadata'), { value: metadata });
      }
      const decorate = (key: number, ...decorators: unknown[]) => {
        for (const decorator of decorators) {
          if (mode !== 'legacy') {
            const context = { kind: 'method', name: key, static: false, private: false };
            call(decorator, prototype[key], { ...context, metadata });
          } else {
            call(decorator, prototype, key, Object.getOwnPropertyDescriptor(prototype, key));
          }
        }
      };
      decorate(1, Task(), DependsOn(PARAM));
      if (mode === 'legacy') call(Param(), prototype, 2, 1);
      decorate(2, Task(), DependsOn('1', ...(mode === 'legacy' ? [] : [PARAM])));
      return Numbered;
    }

    for (const mode of ['legacy', 'standard', 'standard with context.metadata'] as const) {
      it(`names a task with a numeric name by its string, in ${mode} mode`, async () => {
        const Numbered = numbered(mode);
        expect(Workflow.graph(Numbered).tasks).to.deep.equal([
          { name: '1', dependsOn: [], dependents: ['2'] },
          { name: '2', dependsOn: ['1'], dependents: [] },
        ]);
        expect((await Workflow.invoke(new Numbered(), 3)).toObject()).to.deep.equal({
          1: 4,
          2: 12,
        });
      });
    }

    it('names a bare @DependsOn on a numeric name, as esbuild calls it, as a slip', () => {
      class Bare {
        1() {
          return 1;
        }
        2(one: number) {
          return one;
        }
      }
      const prototype = Bare.prototype as unknown as Record<string, Function>;
      for (const key of [1, 2]) {
        call(Task(), prototype, key, Object.getOwnPropertyDescriptor(prototype, key));
      }
      call(DependsOn, prototype, 2, Object.getOwnPropertyDescriptor(prototype, 2));
      const error = definitionErrorOf(Bare);
      expect(error).to.deep.include({ code: 'INVALID_TASK', task: '2' });
      expect(error.message).to.contain('@DependsOn is applied to "2" without being called');
    });
  });

  describe('misuses only standard decorators can write', () => {
    let standardOnly: Record<string, FixtureClass>;
    let withoutMetadata: Record<string, FixtureClass>;

    before(function () {
      this.timeout(10_000);
      standardOnly = loadFixture('standard-only.ts', 'standard');
      withoutMetadata = loadFixture('standard-only.ts', 'standard without context.metadata');
    });

    it('names a nameless class with tasks of its own (a mixin) apart from the class it extends', () => {
      for (const loaded of [standardOnly, withoutMetadata]) {
        expect(definitionErrorOf(loaded.AuditedLoader)).to.deep.include({
          code: 'UNKNOWN_DEPENDENCY',
          workflow: '(anonymous workflow)',
          message:
            '(anonymous workflow): task "audit" depends on "lod", which is not a task. ' +
            'Did you mean "load"?',
        });
      }
    });

    it("names a mixin's class apart from its base for a #private or field task of its own", () => {
      const expected = {
        HiddenTaskLoader: ['#check', 'on private member "#check"'],
        FieldTaskLoader: ['handler', 'on class field "handler"'],
      };
      for (const [name, [task, fragment]] of Object.entries(expected)) {
        const error = definitionErrorOf(standardOnly[name]);
        expect(error, name).to.deep.include({
          code: 'INVALID_TASK',
          workflow: '(anonymous workflow)',
          task,
        });
        expect(error.message, name).to.contain(`(anonymous workflow): @Task() ${fragment}`);
        // Without context.metadata neither member can be seen: the rest is a valid workflow.
        expect(Workflow.graph(withoutMetadata[name]).order, name).to.deep.equal(['load', 'audit']);
      }
    });

    it("keeps the name of the class a class decorator's subclass stands for, tasks and all", () => {
      expect(definitionErrorOf(standardOnly.AuditedByDecorator)).to.deep.include({
        workflow: 'AuditedByDecorator',
        message:
          'AuditedByDecorator: task "show" depends on "lod", which is not a task. ' +
          'Did you mean "load"?',
      });
      // Without context.metadata that subclass cannot be told from a mixin's class expression.
      expect(definitionErrorOf(withoutMetadata.AuditedByDecorator).message).to.contain(
        'in its base class AuditedByDecorator: task "show" depends on "lod"',
      );
    });

    it('rejects a #private method: tasks are looked up by name', () => {
      expect(definitionErrorOf(standardOnly.PrivateTask)).to.deep.include({
        code: 'INVALID_TASK',
        task: '#hidden',
      });
      expect(definitionErrorOf(standardOnly.PrivateTask).message).to.contain(
        'on private member "#hidden"',
      );
      // Without context.metadata a #private method cannot be seen from outside the class.
      expect(Workflow.graph(withoutMetadata.PrivateTask).order).to.deep.equal(['a']);
    });

    it('rejects a #private accessor and a static field, unseen without context.metadata', () => {
      const expected = {
        PrivateAccessorTasks: ['#total', 'on private member "#total"'],
        StaticFieldTask: ['handler', 'on static member "handler"'],
      };
      for (const [name, [task, fragment]] of Object.entries(expected)) {
        const error = definitionErrorOf(standardOnly[name]);
        expect(error, name).to.deep.include({ code: 'INVALID_TASK', workflow: name, task });
        expect(error.message, name).to.contain(fragment);
        // As docs/toolchains.md says: TypeScript 5.0 and 5.1 give no way to see them.
        expect(Workflow.graph(withoutMetadata[name]).order, name).to.deep.equal(['a']);
      }
    });

    it('rejects an auto-accessor, with or without context.metadata', () => {
      for (const loaded of [standardOnly, withoutMetadata]) {
        expect(definitionErrorOf(loaded.AutoAccessorTask)).to.deep.include({
          code: 'INVALID_TASK',
          task: 'total',
        });
      }
    });

    it('explains that a parameter decorator cannot decorate a method, naming the token to use', () => {
      for (const loaded of [standardOnly, withoutMetadata]) {
        const error = definitionErrorOf(loaded.ParamOnMethod);
        expect(error).to.deep.include({ code: 'INVALID_TASK', task: 'a' });
        expect(error.message).to.contain('@Param() is applied to "a" itself').and.contain('PARAM');
      }
    });

    it('names a bare @Task on the class itself, as @Task() there', () => {
      for (const loaded of [standardOnly, withoutMetadata]) {
        const error = definitionErrorOf(loaded.UncalledOnClass);
        expect(error).to.deep.include({ code: 'INVALID_TASK', task: 'UncalledOnClass' });
        expect(error.message).to.contain('@Task on the class UncalledOnClass itself');
      }
    });

    it('keeps a field and an auto-accessor under a bare @DependsOn, and names the slip', () => {
      for (const loaded of [standardOnly, withoutMetadata]) {
        const instance = new loaded.UncalledDependsOnFields() as { field: number; total: number };
        expect([instance.field, instance.total]).to.deep.equal([1, 2]);
      }
      const error = definitionErrorOf(standardOnly.UncalledDependsOnFields);
      // Standard decorators apply to accessors before fields.
      expect(error).to.deep.include({ code: 'INVALID_TASK', task: 'total' });
      expect(error.message).to.contain('@DependsOn is applied to "total" without being called');
    });

    it('names @Signal() and the SIGNAL token when @Signal() decorates a method', () => {
      for (const loaded of [standardOnly, withoutMetadata]) {
        const error = definitionErrorOf(loaded.SignalOnMethod);
        expect(error).to.deep.include({ code: 'INVALID_TASK', task: 'a' });
        expect(error.message).to.contain(
          '@Signal() is applied to "a" itself: parameter decorators exist only with ' +
            '"experimentalDecorators". With standard decorators, list SIGNAL in @DependsOn instead',
        );
      }
    });
  });

  describe("Babel's 2018-09 decorators (Babel 7's default when no version is set)", () => {
    /**
     * Applies `decorators` to the method `key` of `workflowClass` as Babel's `_decorate` helper
     * does for `@babel/plugin-proposal-decorators` with `version: "2018-09"`: each decorator, the
     * nearest first, gets one element descriptor (and no class), and returns a replacement or
     * nothing.
     */
    function decorate2018(workflowClass: FixtureClass, key: string, decorators: unknown[]): void {
      let element: object = {
        kind: 'method',
        key,
        placement: 'prototype',
        descriptor: Object.getOwnPropertyDescriptor(workflowClass.prototype, key),
      };
      Object.defineProperty(element, Symbol.toStringTag, { value: 'Descriptor' });
      for (const decorator of [...decorators].reverse()) {
        element = (decorator as (element: object) => object | undefined)(element) ?? element;
      }
      const { descriptor } = element as { descriptor: PropertyDescriptor };
      Object.defineProperty(workflowClass.prototype, key, descriptor);
    }

    it('names the decorator version and the setting to use, where it said the class has no tasks', () => {
      class Flow {
        a(n: number) {
          return n + 1;
        }

        b(a: number) {
          return a * 2;
        }
      }
      decorate2018(Flow, 'a', [Task(), DependsOn(PARAM)]);
      decorate2018(Flow, 'b', [Task(), DependsOn('a')]);
      const error = definitionErrorOf(Flow);
      expect(error).to.deep.include({ code: 'INVALID_TASK', workflow: 'Flow', task: 'a' });
      expect(error.message).to.equal(
        'Flow: @Task(), @DependsOn on "a" were applied by Babel\'s decorators plugin with ' +
          '"version": "2018-09" (its default in Babel 7 when no version is set), an early ' +
          'decorators proposal that async-dag does not support. Set "version": "2023-11" ' +
          '(standard decorators) or "version": "legacy" in the options of ' +
          '@babel/plugin-proposal-decorators.',
      );
    });

    it('names it on a getter too, found through its function', () => {
      class Totals {
        get total() {
          return 1;
        }
      }
      decorate2018(Totals, 'total', [Task()]);
      const error = definitionErrorOf(Totals);
      expect(error).to.deep.include({ code: 'INVALID_TASK', workflow: 'Totals', task: 'total' });
      expect(error.message).to.contain('@Task() on "total" was applied by Babel');
    });

    it('names it when @Task or @DependsOn was written without being called', () => {
      // Babel then throws at the class's definition about the function returned, naming neither.
      class Uncalled {
        a() {
          return 1;
        }

        b(a: number) {
          return a;
        }
      }
      decorate2018(Uncalled, 'a', [Task]);
      decorate2018(Uncalled, 'b', [Task(), DependsOn]);
      const error = definitionErrorOf(Uncalled);
      expect(error).to.deep.include({ code: 'INVALID_TASK', workflow: 'Uncalled', task: 'a' });
      expect(error.message).to.contain('@Task on "a" was applied by Babel');
    });
  });
});
