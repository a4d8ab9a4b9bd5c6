/**
 * `InvokeOptions.targets` (only the targets and their transitive dependencies run) and
 * `InvokeOptions.overrides` (a function replaces a task method for one run, with the same argument
 * binding and `this` bound to the instance).
 */
import { expect } from 'chai';
import {
  DependsOn,
  Param,
  Signal,
  skip,
  Task,
  TaskResultError,
  Workflow,
  WorkflowExecutionError,
} from '../../src';
import { Gates, rejectionOf, settle } from '../support/event-log';

/**
 * user → cart → total, user → profile; prices is a second root feeding total; audit and email
 * hang off the side and are never needed for total.
 */
class Checkout {
  readonly calls: string[] = [];

  @Task() user(@Param() id: string) {
    this.calls.push('user');
    return { id };
  }
  @Task() prices() {
    this.calls.push('prices');
    return { apple: 2 };
  }
  @Task() @DependsOn('user') profile(user: { id: string }) {
    this.calls.push('profile');
    return `profile of ${user.id}`;
  }
  @Task() @DependsOn('user') cart(user: { id: string }) {
    this.calls.push('cart');
    return { owner: user.id, items: ['apple', 'apple'] };
  }
  @Task() @DependsOn('cart', 'prices') total(
    cart: { items: string[] },
    prices: Record<string, number>,
  ) {
    this.calls.push('total');
    return cart.items.reduce((sum, item) => sum + prices[item], 0);
  }
  @Task() @DependsOn('profile') email(profile: string) {
    this.calls.push('email');
    return `mail for ${profile}`;
  }
  @Task() audit() {
    this.calls.push('audit');
    return 'audited';
  }
}

describe('InvokeOptions.targets', () => {
  it('runs only the targets and their transitive dependencies', async () => {
    const flow = new Checkout();
    const result = await Workflow.invoke(flow, 'u1', { targets: ['total'] });

    expect(flow.calls).to.have.members(['user', 'prices', 'cart', 'total']);
    expect(flow.calls).to.have.length(4);
    expect(result.get('total')).to.equal(4);
    expect(result.toObject()).to.deep.equal({
      user: { id: 'u1' },
      prices: { apple: 2 },
      cart: { owner: 'u1', items: ['apple', 'apple'] },
      total: 4,
    });
    expect(result.trace.map((entry) => entry.task)).to.have.members([
      'user',
      'prices',
      'cart',
      'total',
    ]);
  });

  it('runs the union of several targets, each dependency once', async () => {
    const flow = new Checkout();
    const result = await Workflow.invoke(flow, 'u2', { targets: ['email', 'cart'] });
    expect([...flow.calls].sort()).to.deep.equal(['cart', 'email', 'profile', 'user']);
    expect(result.get('email')).to.equal('mail for profile of u2');
  });

  it('runs a root target alone', async () => {
    const flow = new Checkout();
    const result = await Workflow.invoke(flow, 'u3', { targets: ['audit'] });
    expect(flow.calls).to.deep.equal(['audit']);
    expect(result.trace.map((entry) => entry.task)).to.deep.equal(['audit']);
  });

  it('makes result.get of a task outside the targets throw a TaskResultError that says why', async () => {
    const result = await Workflow.invoke(new Checkout(), 'u4', { targets: ['cart'] });

    expect(result.has('cart')).to.equal(true);
    expect(result.has('audit')).to.equal(false);
    let thrown: unknown;
    try {
      result.get('audit');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(TaskResultError);
    const error = thrown as TaskResultError;
    expect(error.task).to.equal('audit');
    expect(error.workflow).to.equal('Checkout');
    expect(error.message)
      .to.contain('Checkout')
      .and.contain('"audit"')
      .and.match(/target/);
  });

  it('runs everything again in the next run without targets', async () => {
    const flow = new Checkout();
    await Workflow.invoke(flow, 'u5', { targets: ['audit'] });
    flow.calls.length = 0;
    const result = await Workflow.invoke(flow, 'u5');
    expect(flow.calls).to.have.length(7);
    expect(result.get('email')).to.equal('mail for profile of u5');
  });
});

describe('InvokeOptions.overrides', () => {
  /** Arguments in every position: dependency, @Param, @Signal. */
  class Binding {
    readonly label = 'the instance';

    @Task() base(@Param() n: number) {
      return n * 10;
    }
    @Task() @DependsOn('base') mixed(
      base: number,
      @Param() n: number,
      @Signal() signal: AbortSignal,
    ): string {
      return `original ${base} ${n} ${signal.aborted}`;
    }
    @Task() @DependsOn('mixed') after(mixed: string) {
      return `after(${mixed})`;
    }
  }

  it('runs the override instead of the method, with the same arguments and this = instance', async () => {
    const flow = new Binding();
    const seen: { self: unknown; args: unknown[] }[] = [];
    const result = await Workflow.invoke(flow, 7, {
      overrides: {
        mixed(this: Binding, ...args: unknown[]) {
          seen.push({ self: this, args });
          return `override for ${this.label}`;
        },
      },
    });

    expect(seen).to.have.length(1);
    expect(seen[0].self).to.equal(flow);
    expect(seen[0].args.slice(0, 2)).to.deep.equal([70, 7]);
    expect(seen[0].args[2]).to.be.instanceOf(AbortSignal);
    expect(result.get('mixed')).to.equal('override for the instance');
    expect(result.get('after')).to.equal('after(override for the instance)');
  });

  it('applies to one run only: the next run and a concurrent run call the method', async () => {
    const flow = new Binding();
    const gates = new Gates<string>();
    const overridden = Workflow.invoke(flow, 1, {
      overrides: { mixed: () => gates.wait('mixed') },
    });
    const plain = await Workflow.invoke(flow, 1);
    expect(plain.get('mixed')).to.equal('original 10 1 false');

    gates.open('mixed', 'stubbed');
    expect((await overridden).get('after')).to.equal('after(stubbed)');
    expect((await Workflow.invoke(flow, 2)).get('mixed')).to.equal('original 20 2 false');
  });

  it('overrides a root, synchronously, together with targets', async () => {
    const flow = new Checkout();
    const result = await Workflow.invoke(flow, 'ignored', {
      targets: ['cart'],
      overrides: { user: (id: string) => ({ id: `fake-${id}` }) },
    });
    expect(flow.calls).to.deep.equal(['cart']);
    expect(result.get('cart')).to.deep.equal({ owner: 'fake-ignored', items: ['apple', 'apple'] });
  });

  it('lets an override fail the run like the method would', async () => {
    const flow = new Binding();
    const failure = new Error('stubbed failure');
    const error = await rejectionOf(
      Workflow.invoke(flow, 1, {
        overrides: {
          base: async () => {
            await settle();
            throw failure;
          },
        },
      }),
      WorkflowExecutionError,
    );
    expect(error.task).to.equal('base');
    expect(error.cause).to.equal(failure);
    expect(error.result.has('mixed')).to.equal(false);
  });

  it("keeps the task's own options: each retry calls the override, then its fallback recovers it", async () => {
    class Guarded {
      @Task({ retries: 2, fallback: (error) => `fallback after ${(error as Error).message}` })
      fetch() {
        return 'the method';
      }
    }
    let calls = 0;
    const result = await Workflow.invoke(new Guarded(), undefined, {
      overrides: {
        fetch: () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
      },
    });
    expect(calls).to.equal(3);
    expect(result.get('fetch')).to.equal('fallback after failure 3');
    expect(result.trace[0]).to.include({ status: 'succeeded', attempts: 3 });
  });

  it('lets an override skip its task like the method would', async () => {
    const result = await Workflow.invoke(new Binding(), 1, {
      overrides: { mixed: () => skip('not today') },
    });
    expect(result.trace.map(({ task, status }) => [task, status])).to.deep.equal([
      ['base', 'succeeded'],
      ['mixed', 'skipped'],
      ['after', 'skipped'],
    ]);
  });

  it('accepts, and never calls, an override of a task that targets leave out', async () => {
    const flow = new Checkout();
    let called = false;
    const result = await Workflow.invoke(flow, 'u1', {
      targets: ['cart'],
      overrides: {
        email: () => {
          called = true;
          return 'overridden';
        },
      },
    });
    expect(called).to.equal(false);
    expect(result.has('email')).to.equal(false);
    expect(flow.calls).to.deep.equal(['user', 'cart']);
  });
});
