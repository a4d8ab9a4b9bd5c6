/** Subclass and decorate: API.md §1 "Inheritance". */
import { expect } from 'chai';
import { DependsOn, Param, Task, Workflow } from '../src';

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
});
