import { expect } from 'chai';
import { DependsOn, Param, Task, Workflow, WorkflowDefinitionError } from '../src';
import { declareTask } from './support/declare-task';

/** Any class constructor, as mixins and class decorators take it. */
type Constructor<T = object> = new (...args: any[]) => T;

describe('Definition edge cases', () => {
  describe('an arrow function in a class field', () => {
    it('is an INVALID_TASK error naming the field and saying to declare a method', () => {
      const defineAndValidate = () => {
        class FieldTask {
          @Task() load() {
            return 1;
          }

          // @ts-expect-error Task() is a method decorator: a field is a compile error too.
          @Task() @DependsOn('load') double = (n: number) => n * 2;
        }
        Workflow.validate(FieldTask);
      };

      expect(defineAndValidate)
        .to.throw(WorkflowDefinitionError, /class field "double".*methods/)
        .that.includes({ code: 'INVALID_TASK', workflow: 'FieldTask', task: 'double' });
    });

    it('is the same error when the decorator is applied programmatically', () => {
      class FieldTask {
        @Task() load() {
          return 1;
        }
        double = (n: number) => n * 2;
      }
      // What tsc emits for a decorated field: no descriptor.
      Reflect.decorate([Task(), DependsOn('load')], FieldTask.prototype, 'double', undefined);

      expect(() => Workflow.validate(FieldTask))
        .to.throw(WorkflowDefinitionError, /method/)
        .with.property('code', 'INVALID_TASK');
    });

    it('runs as an instance property that replaces a task method, when undecorated', async () => {
      class Greeter {
        @Task() name(@Param() name: string) {
          return name;
        }
        @Task() @DependsOn<Greeter>('name') greet(name: string) {
          return `Hello, ${name}`;
        }
      }
      class LoudGreeter extends Greeter {
        constructor() {
          super();
          this.greet = (name: string) => `HELLO, ${name.toUpperCase()}`;
        }
      }

      const result = await Workflow.invoke(new LoudGreeter(), 'ada');

      expect(result.get('greet')).to.equal('HELLO, ADA');
      expect(Workflow.graph(LoudGreeter).order).to.deep.equal(['name', 'greet']);
    });
  });

  describe('a decorator that turns the method into a getter (autobind)', () => {
    /** What `@autobind` (autobind-decorator, core-decorators) does: a getter of the bound method. */
    function autobind<T extends Function>(
      _target: object,
      _key: string | symbol,
      descriptor: TypedPropertyDescriptor<T>,
    ): TypedPropertyDescriptor<T> {
      const method = descriptor.value!;
      return {
        configurable: true,
        get(this: object): T {
          return method.bind(this);
        },
      };
    }

    it('keeps the task wherever the decorator is written among ours: their order does not matter', async () => {
      class Above {
        readonly offset = 1;
        @autobind @Task() a(@Param() n: number) {
          return n + this.offset;
        }
        @Task() @DependsOn('a') b(a: number) {
          return a * 10;
        }
      }
      class Below {
        readonly offset = 1;
        @Task() @autobind a(@Param() n: number) {
          return n + this.offset;
        }
        @Task() @DependsOn('a') b(a: number) {
          return a * 10;
        }
      }
      class Between {
        readonly offset = 1;
        @DependsOn() @autobind @Task() a(@Param() n: number) {
          return n + this.offset;
        }
        @Task() @DependsOn('a') b(a: number) {
          return a * 10;
        }
      }
      for (const Flow of [Above, Below, Between]) {
        const result = await Workflow.invoke(new Flow(), 1);
        expect(result.toObject(), Flow.name).to.deep.equal({ a: 2, b: 20 });
      }
    });

    it('still rejects @Task() on a getter the class declares', () => {
      class Getter {
        @Task() @autobind get a() {
          return () => 1;
        }
      }
      expect(() => Workflow.validate(Getter))
        .to.throw(WorkflowDefinitionError)
        .with.property('code', 'INVALID_TASK');
    });
  });

  describe('a class decorator that replaces the constructor', () => {
    /** Returns a subclass of the decorated class, as many class decorators do. */
    function Stamped<T extends Constructor>(Target: T) {
      return class extends Target {
        readonly stampedAt = 'constructor replaced';
      };
    }

    @Stamped
    class Stamp {
      @Task() read(@Param() n: number) {
        return n;
      }
      @Task() @DependsOn<Stamp>('read') double(n: number) {
        return n * 2;
      }
    }

    it('keeps the tasks, found through the prototype chain', async () => {
      const instance = new Stamp();

      const result = await Workflow.invoke(instance, 21);

      expect(instance).to.have.property('stampedAt', 'constructor replaced');
      expect(result.toObject()).to.deep.equal({ read: 21, double: 42 });
      expect(Workflow.toMermaid(Stamp)).to.equal('graph TD;\nread-->double;');
    });

    it('can itself be subclassed with more tasks', async () => {
      class Tripled extends Stamp {
        @Task() @DependsOn('double') triple(doubled: number) {
          return (doubled / 2) * 3;
        }
      }

      const result = await Workflow.invoke(new Tripled(), 2);

      expect(result.toObject()).to.deep.equal({ read: 2, double: 4, triple: 6 });
    });

    it("names the decorated class in messages, and reports its mistakes as its own, not as a base class's", () => {
      @Stamped
      class Misspelt {
        @Task() read() {
          return 1;
        }
        @Task() @DependsOn('raed') double(n: number) {
          return n * 2;
        }
      }
      @Stamped
      class WithGetter {
        @Task() get total() {
          return 1;
        }
      }

      expect(() => Workflow.validate(Misspelt))
        .to.throw(
          WorkflowDefinitionError,
          /^Misspelt: task "double" depends on "raed", which is not a task\. Did you mean "read"\?$/,
        )
        .with.property('workflow', 'Misspelt');
      expect(() => Workflow.validate(WithGetter)).to.throw(
        WorkflowDefinitionError,
        /^WithGetter: @Task\(\) on accessor "total": tasks must be methods, not getters or setters\.$/,
      );
      expect(Workflow.graph(Stamp).workflow).to.equal('Stamp');
    });
  });

  describe('a mixin that adds tasks', () => {
    /**
     * Adds a `stamp` task that runs after the base class's `load`. The class is a declaration
     * inside the function: TypeScript accepts decorators there, not in a class expression.
     */
    function Timestamped<T extends Constructor>(Base: T) {
      class TimestampedWorkflow extends Base {
        @Task() @DependsOn('load') stamp(loaded: string) {
          return `${loaded} @ t0`;
        }
      }
      return TimestampedWorkflow;
    }

    class Loader {
      @Task() load(@Param() id: string) {
        return `record ${id}`;
      }
    }

    class OtherLoader {
      @Task() load(@Param() id: string) {
        return `other ${id}`;
      }
      @Task() extra() {
        return 'extra';
      }
    }

    class Report extends Timestamped(Loader) {
      @Task() @DependsOn<Report>('stamp', 'load') report(stamped: string, loaded: string) {
        return `${stamped} (${loaded})`;
      }
    }

    it("combines the mixin's tasks with the base's and the subclass's", async () => {
      const result = await Workflow.invoke(new Report(), '7');

      expect(result.get('report')).to.equal('record 7 @ t0 (record 7)');
      expect(Workflow.graph(Report).order).to.deep.equal(['load', 'stamp', 'report']);
    });

    it('gives each application of the mixin its own graph', async () => {
      const TimestampedOther = Timestamped(OtherLoader);

      const result = await Workflow.invoke(new TimestampedOther(), '8');

      expect(result.toObject()).to.deep.equal({
        load: 'other 8',
        extra: 'extra',
        stamp: 'other 8 @ t0',
      });
      expect(Workflow.graph(Report).tasks.map((task) => task.name)).to.deep.equal([
        'load',
        'stamp',
        'report',
      ]);
    });

    it('gets no tasks from decorators in a class expression, which TypeScript rejects', () => {
      function TimestampedExpression<T extends Constructor>(Base: T) {
        return class extends Base {
          // @ts-expect-error TS1206 "Decorators are not valid here": the emit drops them.
          @Task() @DependsOn('load') stamp(loaded: string) {
            return `${loaded} @ t0`;
          }
        };
      }

      const Stamped = TimestampedExpression(Loader);

      expect(Workflow.graph(Stamped).order).to.deep.equal(['load']);
    });
  });
});

describe('a class whose name is hidden by a static member named "name"', () => {
  it('is still named as written, in run errors and pictures', async () => {
    // What `static name() {…}` or `static get name() {…}` do in JavaScript (TypeScript forbids them).
    class Named {
      @Task() a(): number {
        throw new Error('boom');
      }
    }
    Object.defineProperty(Named, 'name', { value: () => 'not the class name' });
    class Counted {
      @Task() a() {
        return 1;
      }
    }
    Object.defineProperty(Counted, 'name', { get: () => 42 });
    const error = await Workflow.invoke(new Named()).then(
      () => undefined,
      (rejection: { workflow: unknown; message: string }) => rejection,
    );
    expect(error?.workflow).to.equal('Named');
    expect(error?.message).to.equal('Named: task "a" failed: boom');
    expect((await Workflow.invoke(new Counted())).workflow).to.equal('Counted');
    expect(() => Workflow.invoke(Counted as never)).not.to.throw();
    const rejection = await Workflow.invoke(Counted as never).then(undefined, (e: Error) => e);
    expect(rejection)
      .to.have.property('message')
      .that.contains('Workflow.invoke(new Counted(…), …)');
  });

  it('reads the name as written whatever characters it holds: $, digits, non-ASCII letters', async () => {
    class $Flow_ä1 {
      @Task() a() {
        return 1;
      }
    }
    Object.defineProperty($Flow_ä1, 'name', { value: () => 'not the class name' });
    expect((await Workflow.invoke(new $Flow_ä1())).workflow).to.equal('$Flow_ä1');
  });
});

describe('a class with no name anywhere in its chain', () => {
  it('is called "(anonymous workflow)" in definition errors', () => {
    const Nameless = [class {}][0];
    declareTask(Nameless.prototype, 'a', () => 1, { dependsOn: ['missing'] });
    expect(Nameless.name).to.equal('');
    expect(() => Workflow.validate(Nameless))
      .to.throw(
        WorkflowDefinitionError,
        /^\(anonymous workflow\): task "a" depends on "missing", which is not a task\./,
      )
      .with.property('workflow', '(anonymous workflow)');
  });
});

describe('a nameless class that extends a named one', () => {
  class Loader {
    @Task() load() {
      return 1;
    }
  }
  /** A mixin: its class expression has no name of its own. */
  const stamped = <T extends new (...args: any[]) => object>(Base: T) => [class extends Base {}][0];

  it("is the workflow when it declares tasks: its mistakes are not its base class's", () => {
    const Stamped = stamped(Loader);
    declareTask(Stamped.prototype, 'stamp', (loaded: number) => loaded, { dependsOn: ['lod'] });
    expect(Stamped.name).to.equal('');
    expect(() => Workflow.validate(Stamped))
      .to.throw(
        WorkflowDefinitionError,
        /^\(anonymous workflow\): task "stamp" depends on "lod", which is not a task\. Did you mean "load"\?$/,
      )
      .with.property('workflow', '(anonymous workflow)');
    const Fixed = stamped(Loader);
    declareTask(Fixed.prototype, 'stamp', (loaded: number) => loaded, { dependsOn: ['load'] });
    expect(Workflow.graph(Fixed)).to.include({ workflow: '(anonymous workflow)' });
    expect(Workflow.graph(Loader)).to.include({ workflow: 'Loader' });
  });

  it("names a mistake of the named base class as its base class's", () => {
    class Broken {
      @Task() @DependsOn('lod') show(loaded: number) {
        return loaded;
      }
    }
    const Stamped = stamped(Broken);
    declareTask(Stamped.prototype, 'load', () => 1);
    expect(() => Workflow.validate(Stamped)).to.throw(
      WorkflowDefinitionError,
      /^\(anonymous workflow\): in its base class Broken: task "show" depends on "lod"/,
    );
  });

  it("says a nameless class expression's method may have lost its decorators when a task depends on it", () => {
    // A mixin's `return class extends Base { @Task() stamp() {…} }` under experimentalDecorators:
    // tsc reports TS1206, and a transpile-only build (ts-node, ts-jest) drops the decorators.
    const stampedAsCompiled = <T extends Constructor>(Base: T) =>
      [
        class extends Base {
          stamp() {
            return 'stamped';
          }
        },
      ][0];
    class Report extends stampedAsCompiled(Loader) {
      @Task() @DependsOn('stamp') report(stamp: string) {
        return stamp;
      }
    }
    expect(() => Workflow.validate(Report))
      .to.throw(WorkflowDefinitionError)
      .with.property(
        'message',
        'Report: task "report" depends on "stamp", which is not a task. "stamp" is a method: ' +
          'add @Task() to it. If it has @Task(), its class is a class expression without a name ' +
          "(a mixin's `return class extends Base { … }`), whose member decorators " +
          '"experimentalDecorators" do not allow (tsc reports TS1206, and a build that does not ' +
          'type-check drops them): declare the class in the mixin function, and return it.',
      );
    // A method of a named class keeps the short hint.
    class Named extends Loader {
      stamp() {
        return 'stamped';
      }
    }
    class NamedReport extends Named {
      @Task() @DependsOn('stamp') report(stamp: string) {
        return stamp;
      }
    }
    expect(() => Workflow.validate(NamedReport)).to.throw(
      WorkflowDefinitionError,
      /"stamp" is a method: add @Task\(\) to it\.$/,
    );
  });

  it('is not named "extends" when a static member replaced its name', () => {
    const Stamped = stamped(Loader);
    Object.defineProperty(Stamped, 'name', { get: () => 'not a name' });
    declareTask(Stamped.prototype, 'stamp', (loaded: number) => loaded, { dependsOn: ['lod'] });
    expect(() => Workflow.validate(Stamped))
      .to.throw(WorkflowDefinitionError)
      .with.property('workflow', '(anonymous workflow)');
  });
});

describe('two classes of one name (a module evaluated twice, or edited and reloaded)', () => {
  /**
   * What one module's `class Reloaded` is each time the module is evaluated again (jest's
   * `resetModules()`, `delete require.cache[…]`, a watch-mode reload): a new class of the same name.
   */
  const evaluateModule = (dependency: string) => {
    class Reloaded {
      @Task() load(@Param() n: number) {
        return n + 1;
      }
      @Task() @DependsOn(dependency) show(loaded: number) {
        return `#${loaded}`;
      }
    }
    return Reloaded;
  };

  it('gives each its own plan: a broken copy, a fixed one and an identical one apart', async () => {
    const Broken = evaluateModule('lod');
    const Fixed = evaluateModule('load');
    const Again = evaluateModule('load');
    expect([Broken.name, Fixed.name, Again.name]).to.deep.equal([
      'Reloaded',
      'Reloaded',
      'Reloaded',
    ]);

    expect(() => Workflow.validate(Broken))
      .to.throw(
        WorkflowDefinitionError,
        /^Reloaded: task "show" depends on "lod", which is not a task\. Did you mean "load"\?$/,
      )
      .with.property('workflow', 'Reloaded');
    const fixed = await Workflow.invoke(new Fixed(), 1);
    expect(fixed.toObject()).to.deep.equal({ load: 2, show: '#2' });
    expect(fixed.workflow).to.equal('Reloaded');
    expect(Workflow.graph(Again)).to.deep.equal(Workflow.graph(Fixed));
    expect(Workflow.graph(Again)).to.not.equal(Workflow.graph(Fixed));
    // An instance of the broken copy, still held somewhere, stays broken: no plan is found by name.
    const rejection = await Workflow.invoke(new Broken(), 1).catch((error: unknown) => error);
    expect(rejection).to.be.instanceOf(WorkflowDefinitionError);
    expect((await Workflow.invoke(new Again(), 2)).get('show')).to.equal('#3');
  });
});

describe("a method named ['constructor']", () => {
  it('is rejected, and never taken for the class in messages', () => {
    class Computed {
      @Task() a() {}
      @(Task() as MethodDecorator) ['constructor']() {}
    }
    expect(() => Workflow.validate(Computed))
      .to.throw(WorkflowDefinitionError, '@Task() on the constructor')
      .that.satisfies((error: WorkflowDefinitionError) => error.workflow !== 'constructor');
  });
});

describe('task names that are special to JavaScript objects', () => {
  it('gives toObject() keys as an object literal has them: a caller may change and delete them', async () => {
    class Odd {}
    declareTask(Odd.prototype, '__proto__', () => 1);
    declareTask(Odd.prototype, 'plain', () => 2);
    const object = (await Workflow.invoke(new Odd())).toObject() as Record<string, unknown>;
    for (const key of ['__proto__', 'plain']) {
      expect(Object.getOwnPropertyDescriptor(object, key), key).to.deep.equal({
        value: key === 'plain' ? 2 : 1,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    object.plain = 3;
    delete object.__proto__;
    expect(object).to.deep.equal({ plain: 3 });
  });

  it('keeps a task named __proto__ as an own key of toObject(), never re-prototyping it', async () => {
    class Odd {}
    declareTask(Odd.prototype, '__proto__', () => ({ polluted: true }));
    declareTask(Odd.prototype, 'toString', () => 'text');
    declareTask(Odd.prototype, 'hasOwnProperty', () => 'own', { dependsOn: ['toString'] });
    const result = await Workflow.invoke(new Odd());
    const object = result.toObject() as Record<string, unknown>;
    expect(Object.getPrototypeOf(object)).to.equal(Object.prototype);
    expect(Object.keys(object)).to.deep.equal(['__proto__', 'toString', 'hasOwnProperty']);
    expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).to.deep.equal({
      polluted: true,
    });
    expect((object as { polluted?: unknown }).polluted).to.equal(undefined);
    expect(result.get('__proto__' as never)).to.deep.equal({ polluted: true });
    expect(result.get('hasOwnProperty' as never)).to.equal('own');
    expect(Workflow.graph(Odd).order).to.deep.equal(['__proto__', 'toString', 'hasOwnProperty']);
  });
});
