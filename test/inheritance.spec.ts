/** Subclass and decorate: API.md §1 "Inheritance". */
import { expect } from 'chai';
import {
  DependsOn,
  Param,
  PARAM,
  Signal,
  SIGNAL,
  Task,
  Workflow,
  WorkflowDefinitionError,
  type DefinitionErrorCode,
  type WorkflowClass,
} from '../src';

/** Asserts that validating `workflowClass` throws exactly this definition error. */
function expectDefinitionError(
  workflowClass: WorkflowClass,
  code: DefinitionErrorCode,
  task: string,
  message: string,
): void {
  let thrown: unknown;
  try {
    Workflow.validate(workflowClass);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).to.be.instanceOf(WorkflowDefinitionError);
  const error = thrown as WorkflowDefinitionError;
  expect(error.message).to.equal(message);
  expect([error.code, error.workflow, error.task]).to.deep.equal([code, workflowClass.name, task]);
}

class Base {
  @Task() load(@Param() id: number) {
    return { id, source: 'base' };
  }
  @Task() @DependsOn('load') format(record: { id: number; source: string }) {
    return `${record.source}#${record.id}`;
  }
}

class AddsTasks extends Base {
  @Task() @DependsOn('format') shout(text: string) {
    return text.toUpperCase();
  }
}

class UndecoratedOverride extends Base {
  override load(id: number) {
    return { id: id * 10, source: 'override' };
  }
}

class DecoratedOverride extends Base {
  @Task() audit() {
    return 'audited';
  }
  @Task() @DependsOn('audit') override format(audit: unknown) {
    return `rewired after ${String(audit)}`;
  }
}

class GrandChild extends AddsTasks {
  @Task() @DependsOn('shout', 'load') summary(shout: string, record: { id: number }) {
    return `${shout} (${record.id})`;
  }
}

describe('inheritance', () => {
  it('lets a subclass add tasks that depend on inherited ones', async () => {
    const result = await Workflow.invoke(new AddsTasks(), 7);
    expect(result.get('shout')).to.equal('BASE#7');
    expect(Workflow.graph(AddsTasks).order).to.deep.equal(['load', 'format', 'shout']);
  });

  it('keeps base metadata for an override without decorators, and runs the override', async () => {
    const result = await Workflow.invoke(new UndecoratedOverride(), 7);
    expect(result.get('load')).to.deep.equal({ id: 70, source: 'override' });
    expect(result.get('format')).to.equal('override#70');
  });

  it('rewires a decorated override for the subclass only', async () => {
    const sub = await Workflow.invoke(new DecoratedOverride(), 1);
    expect(sub.get('format')).to.equal('rewired after audited');
    expect(Workflow.graph(DecoratedOverride).tasks.map((t) => [t.name, t.dependsOn])).to.deep.equal(
      [
        ['load', []],
        ['format', ['audit']],
        ['audit', []],
      ],
    );
    const base = await Workflow.invoke(new Base(), 1);
    expect(base.get('format')).to.equal('base#1');
    expect(Workflow.graph(Base).tasks[1].dependsOn).to.deep.equal(['load']);
  });

  it('orders base-class tasks first across several levels', async () => {
    expect(Workflow.graph(GrandChild).tasks.map((task) => task.name)).to.deep.equal([
      'load',
      'format',
      'shout',
      'summary',
    ]);
    expect((await Workflow.invoke(new GrandChild(), 3)).get('summary')).to.equal('BASE#3 (3)');
  });

  it('runs an ES5-style subclass, whose prototype has no constructor of its own, with its overrides', async () => {
    function Legacy() {}
    Legacy.prototype = Object.create(Base.prototype) as Base;
    (Legacy.prototype as Base).format = (record: { id: number }) => `legacy#${record.id}`;
    const instance = new (Legacy as unknown as new () => Base)();
    const result = await Workflow.invoke(instance, 7);
    expect(result.toObject()).to.deep.equal({
      load: { id: 7, source: 'base' },
      format: 'legacy#7',
    });
    // Named as its prototype's inherited `constructor` names it.
    expect(result.workflow).to.equal('Base');
  });

  it('caches one graph per class', () => {
    expect(Workflow.graph(AddsTasks)).to.equal(Workflow.graph(AddsTasks));
    expect(Workflow.graph(AddsTasks)).to.not.equal(Workflow.graph(Base));
    expect(Workflow.graph(Base).tasks).to.have.length(2);
    expect(Workflow.graph(AddsTasks).workflow).to.equal('AddsTasks');
  });

  describe("a base class's mistake", () => {
    class Forgetful {
      @Task() a() {
        return 1;
      }
      @DependsOn('a') helper(a: number) {
        return a;
      }
    }

    it('is reported against the subclass, naming the base class that declared it', () => {
      class Inherits extends Forgetful {
        @Task() b() {
          return 2;
        }
      }
      expect(() => Workflow.validate(Inherits))
        .to.throw(
          'Inherits: @DependsOn on "helper", which is not a @Task() method of its base class ' +
            'Forgetful. Add @Task() to "helper" in Forgetful, or override it in Inherits with @Task().',
        )
        .with.property('code', 'NOT_A_TASK');
      class Accessor {
        @Task() get total() {
          return 1;
        }
      }
      class UsesAccessor extends Accessor {
        @Task() b() {}
      }
      expect(() => Workflow.validate(UsesAccessor)).to.throw(
        'UsesAccessor: in its base class Accessor: @Task() on accessor "total"',
      );
      // A subclass with no decorated member of its own: the base's mistake is still the base's.
      class AddsNothing extends Forgetful {}
      expect(() => Workflow.validate(AddsNothing)).to.throw(
        'AddsNothing: @DependsOn on "helper", which is not a @Task() method of its base class Forgetful.',
      );
    });

    describe('found while planning the tasks names the base class too', () => {
      it('UNKNOWN_DEPENDENCY: a @DependsOn naming no task', () => {
        class Typo {
          @Task() load(@Param() id: string) {
            return id;
          }
          @Task() @DependsOn('lod') price(record: unknown) {
            return record;
          }
        }
        class InheritsTypo extends Typo {
          @Task() extra() {}
        }
        expectDefinitionError(
          InheritsTypo,
          'UNKNOWN_DEPENDENCY',
          'price',
          'InheritsTypo: in its base class Typo: task "price" depends on "lod", which is not a ' +
            'task. Did you mean "load"?',
        );
        // The base class itself reports it as its own.
        expectDefinitionError(
          Typo,
          'UNKNOWN_DEPENDENCY',
          'price',
          'Typo: task "price" depends on "lod", which is not a task. Did you mean "load"?',
        );
      });

      it('UNKNOWN_DEPENDENCY: a @DependsOn input that is neither a name nor a token', () => {
        class NotAnInput {
          @Task() a() {}
          // What only a decorator applied by hand, or a cast, can write.
          @Task() @DependsOn(42 as never) b(input: unknown) {
            return input;
          }
        }
        class InheritsNotAnInput extends NotAnInput {
          @Task() c() {}
        }
        expectDefinitionError(
          InheritsNotAnInput,
          'UNKNOWN_DEPENDENCY',
          'b',
          'InheritsNotAnInput: in its base class NotAnInput: input 1 of task "b" is 42, which is ' +
            'neither a task name nor a token. @DependsOn takes task names (strings) and the ' +
            'tokens PARAM, SIGNAL and CONTEXT.',
        );
      });

      it('PARAMETER_GAP', () => {
        class Gap {
          @Task() a(value: unknown, @Signal() signal: AbortSignal) {
            return [value, signal];
          }
        }
        class InheritsGap extends Gap {
          @Task() b() {}
        }
        expectDefinitionError(
          InheritsGap,
          'PARAMETER_GAP',
          'a',
          'InheritsGap: in its base class Gap: parameter 2 of task "a" is marked, but the task ' +
            'receives only 1 argument (0 from @DependsOn plus the marked ones), so parameter 1 ' +
            'would get no value. Add the missing @DependsOn names or move the marked parameter ' +
            'left.',
        );
      });

      it('INVALID_TASK: an invalid task option', () => {
        class BadOption {
          @Task({ timeout: -5 }) a() {}
        }
        class InheritsBadOption extends BadOption {
          @Task() b() {}
        }
        expectDefinitionError(
          InheritsBadOption,
          'INVALID_TASK',
          'a',
          'InheritsBadOption: in its base class BadOption: option "timeout" of task "a" must be ' +
            'a positive number of milliseconds (at most 2147483647), or Infinity for none, got -5.',
        );
        expectDefinitionError(
          BadOption,
          'INVALID_TASK',
          'a',
          'BadOption: option "timeout" of task "a" must be a positive number of milliseconds ' +
            '(at most 2147483647), or Infinity for none, got -5.',
        );
      });

      it('INVALID_TASK: @Task() on a static member', () => {
        class StaticTask {
          @Task() static s() {}
          @Task() a() {}
        }
        class InheritsStaticTask extends StaticTask {}
        expectDefinitionError(
          InheritsStaticTask,
          'INVALID_TASK',
          's',
          'InheritsStaticTask: in its base class StaticTask: @Task() on static member "s": tasks ' +
            'must be instance methods. Remove "static".',
        );
      });

      it('INVALID_TASK: @Task() on the class itself', () => {
        @(Task() as ClassDecorator)
        class DecoratedClass {
          @Task() a() {}
        }
        class InheritsDecoratedClass extends DecoratedClass {}
        expectDefinitionError(
          InheritsDecoratedClass,
          'INVALID_TASK',
          'InheritsDecoratedClass',
          'InheritsDecoratedClass: in its base class DecoratedClass: @Task() on the class ' +
            'DecoratedClass itself: it is a method decorator. Apply it to the methods that are ' +
            'tasks.',
        );
      });
    });

    it('names the class of the chain that declared the member, across three levels', () => {
      class Grandparent {
        @Task() load(@Param() id: string) {
          return id;
        }
        @Task() @DependsOn('lod') price(record: unknown) {
          return record;
        }
      }
      class Parent extends Grandparent {}
      class Child extends Parent {
        @Task() extra() {}
      }
      expectDefinitionError(
        Child,
        'UNKNOWN_DEPENDENCY',
        'price',
        'Child: in its base class Grandparent: task "price" depends on "lod", which is not a ' +
          'task. Did you mean "load"?',
      );
      class Fine {
        @Task() load(@Param() id: string) {
          return id;
        }
      }
      class Middle extends Fine {
        @Task({ retries: 1.5 }) @DependsOn('load') check(id: string) {
          return id;
        }
      }
      class Bottom extends Middle {
        @Task() @DependsOn('check') report(id: string) {
          return id;
        }
      }
      expectDefinitionError(
        Bottom,
        'INVALID_TASK',
        'check',
        'Bottom: in its base class Middle: option "retries" of task "check" must be a ' +
          'non-negative integer, got 1.5.',
      );
      class StaticMiddle extends Fine {
        @Task() static cleanup() {}
      }
      class StaticBottom extends StaticMiddle {
        @Task() extra() {}
      }
      expectDefinitionError(
        StaticBottom,
        'INVALID_TASK',
        'cleanup',
        'StaticBottom: in its base class StaticMiddle: @Task() on static member "cleanup": tasks ' +
          'must be instance methods. Remove "static".',
      );
    });

    it('is NOT_A_TASK for a marker on a static method of the base class', () => {
      class StaticParam {
        @Task() a() {}
        static b(@Param() _n: number) {}
      }
      class InheritsStaticParam extends StaticParam {
        @Task() c() {}
      }
      expectDefinitionError(
        InheritsStaticParam,
        'NOT_A_TASK',
        'b',
        'InheritsStaticParam: @Param() on static member "b", which is not a @Task() method of its ' +
          'base class StaticParam. Tasks must be instance methods: remove "static" and add ' +
          '@Task() to "b" in StaticParam, or remove @Param().',
      );
    });

    it("is the subclass's own once the subclass overrides the member with @Task()", async () => {
      class BadOption {
        @Task({ timeout: -5 }) a() {
          return 1;
        }
      }
      class StillBad extends BadOption {
        @Task({ timeout: -1 }) override a() {
          return 2;
        }
      }
      expectDefinitionError(
        StillBad,
        'INVALID_TASK',
        'a',
        'StillBad: option "timeout" of task "a" must be a positive number of milliseconds ' +
          '(at most 2147483647), or Infinity for none, got -1.',
      );
      class Mended extends BadOption {
        @Task({ timeout: 1_000 }) override a() {
          return 3;
        }
      }
      expect((await Workflow.invoke(new Mended())).get('a')).to.equal(3);
    });

    it('is no mistake of a subclass whose decorated override replaces it', async () => {
      class Fixes extends Forgetful {
        @Task() @DependsOn('a') override helper(a: number) {
          return a + 1;
        }
      }
      expect((await Workflow.invoke(new Fixes())).get('helper')).to.equal(2);
      expect(() => Workflow.validate(Forgetful)).to.throw(
        'which is not a @Task() method of this class',
      );
    });
  });

  describe('a decorated override that drops the inputs of the task it overrides', () => {
    it('INVALID_TASK: @Task(options) alone on an override of a task with @DependsOn', () => {
      class MoreRetries extends Base {
        @Task({ retries: 5 }) override format(record: { id: number; source: string }) {
          return `premium ${record.source}#${record.id}`;
        }
      }
      expectDefinitionError(
        MoreRetries,
        'INVALID_TASK',
        'format',
        'MoreRetries: @Task() on override "format" declares the task anew, without the inputs ' +
          'of Base\'s "format" (@DependsOn("load")), so its 1 parameter would get undefined. To ' +
          'change only its options, repeat those inputs on the override; to keep the inherited ' +
          "task, remove the override's decorators.",
      );
    });

    it('INVALID_TASK: @Task() alone on an override of a task with @Param()', () => {
      class Middle extends Base {}
      class Reloads extends Middle {
        @Task({ timeout: 1_000 }) override load(id: number) {
          return { id, source: 'reloaded' };
        }
      }
      expectDefinitionError(
        Reloads,
        'INVALID_TASK',
        'load',
        'Reloads: @Task() on override "load" declares the task anew, without the inputs of ' +
          'Base\'s "load" (@Param()), so its 1 parameter would get undefined. To change only ' +
          'its options, repeat those inputs on the override; to keep the inherited task, ' +
          "remove the override's decorators.",
      );
    });

    it('lists the tokens among the inputs, as written', () => {
      class Tokens {
        @Task() @DependsOn(PARAM, SIGNAL) watch(id: number, signal: AbortSignal) {
          return [id, signal];
        }
      }
      class Timed extends Tokens {
        @Task({ timeout: 50 }) override watch(id: number, signal: AbortSignal) {
          return [id, signal];
        }
      }
      expectDefinitionError(
        Timed,
        'INVALID_TASK',
        'watch',
        'Timed: @Task() on override "watch" declares the task anew, without the inputs of ' +
          'Tokens\'s "watch" (@DependsOn(PARAM, SIGNAL)), so its 2 parameters would get ' +
          'undefined. To change only its options, repeat those inputs on the override; to keep ' +
          "the inherited task, remove the override's decorators.",
      );
    });

    it('names the base class that declared an override between the two', () => {
      class Signalled {
        @Task() watch(@Signal() signal: AbortSignal, @Param() id: number) {
          return [signal, id];
        }
      }
      class Forgets extends Signalled {
        @Task() override watch(signal: AbortSignal, id: number) {
          return [signal, id];
        }
      }
      class Leaf extends Forgets {
        @Task() other() {}
      }
      expectDefinitionError(
        Leaf,
        'INVALID_TASK',
        'watch',
        'Leaf: in its base class Forgets: @Task() on override "watch" declares the task anew, ' +
          'without the inputs of Signalled\'s "watch" (@Signal(), @Param()), so its 2 ' +
          'parameters would get undefined. To change only its options, repeat those inputs on ' +
          "the override; to keep the inherited task, remove the override's decorators.",
      );
    });

    it('INVALID_TASK for a leaf that repeats the slip of an override between the two', () => {
      // Standard is only ever a base class, so its own error is never seen: the leaf's override
      // replaces it, and its parameter got undefined all the same.
      class Standard extends Base {
        @Task({ timeout: 1_000 }) override format(record: { id: number; source: string }) {
          return `standard ${record.source}#${record.id}`;
        }
      }
      class Premium extends Standard {
        @Task({ retries: 5 }) override format(record: { id: number; source: string }) {
          return `premium ${record.source}#${record.id}`;
        }
      }
      expectDefinitionError(
        Premium,
        'INVALID_TASK',
        'format',
        'Premium: @Task() on override "format" declares the task anew, without the inputs of ' +
          'Base\'s "format" (@DependsOn("load")), so its 1 parameter would get undefined. To ' +
          'change only its options, repeat those inputs on the override; to keep the inherited ' +
          "task, remove the override's decorators.",
      );
    });

    it('names the undecorated override whose parameters would get undefined', () => {
      class Constant extends Base {
        @Task() override format() {
          return 'constant';
        }
      }
      class Reformats extends Constant {
        override format(record?: { id: number }) {
          return `reformatted ${record?.id}`;
        }
      }
      expectDefinitionError(
        Reformats,
        'INVALID_TASK',
        'format',
        'Reformats: in its base class Constant: @Task() on override "format" declares the task ' +
          'anew, without the inputs of Base\'s "format" (@DependsOn("load")), so the 1 parameter ' +
          "of Reformats's undecorated override would get undefined. To change only its options, " +
          'repeat those inputs on the override; to keep the inherited task, remove the ' +
          "override's decorators.",
      );
    });

    it('runs a leaf without inputs after an override that declared none on purpose', async () => {
      class NoneOnPurpose extends Base {
        @Task() @DependsOn() override format(record?: { id: number }) {
          return `none ${String(record)}`;
        }
      }
      class Leaf extends NoneOnPurpose {
        @Task({ retries: 1 }) override format(record?: { id: number }) {
          return `leaf ${String(record)}`;
        }
      }
      expect((await Workflow.invoke(new Leaf(), 1)).get('format')).to.equal('leaf undefined');
    });

    it('runs an override that takes no parameters, or declares its inputs anew', async () => {
      class Constant extends Base {
        @Task({ retries: 1 }) override format() {
          return 'constant';
        }
      }
      class Defaulted extends Base {
        @Task() override format(record = { id: 0, source: 'default' }) {
          return `${record.source}#${record.id}`;
        }
      }
      class NoneOnPurpose extends Base {
        @Task() @DependsOn() override format(record?: { id: number }) {
          return String(record);
        }
      }
      class Repeats extends Base {
        @Task({ retries: 5 }) @DependsOn('load') override format(record: { id: number }) {
          return `premium#${record.id}`;
        }
      }
      expect((await Workflow.invoke(new Constant(), 1)).get('format')).to.equal('constant');
      expect((await Workflow.invoke(new Defaulted(), 1)).get('format')).to.equal('default#0');
      expect((await Workflow.invoke(new NoneOnPurpose(), 1)).get('format')).to.equal('undefined');
      expect((await Workflow.invoke(new Repeats(), 4)).get('format')).to.equal('premium#4');
    });
  });
});
