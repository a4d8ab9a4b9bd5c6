/**
 * Options given the way real code gives them: hooks and overrides as class instances (methods on a
 * prototype, `this` used inside), `TaskOptions` with a misspelt key, option objects that throw when
 * read, and every delay checked against the timer limit. Nothing is silently ignored.
 */
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import {
  DependsOn,
  Param,
  Task,
  Workflow,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  type InvokeOptions,
  type TaskFailureEvent,
  type TaskRetryEvent,
  type TaskStartEvent,
  type TaskSuccessEvent,
} from '../../src';
import { resolveRunSettings } from '../../src/options';
import { planFor } from '../../src/scanner';
import { declareTask } from '../support/declare-task';
import { rejectionOf, throwing } from '../support/event-log';

class Pair {
  readonly calls: string[] = [];
  @Task() first(@Param() n: number) {
    this.calls.push('first');
    return n + 1;
  }
  @Task() @DependsOn('first') second(first: number) {
    this.calls.push('second');
    return first * 2;
  }
}

describe('hooks given as a class instance', () => {
  class Recorder {
    readonly seen: string[] = [];
    onTaskStart(event: TaskStartEvent) {
      this.seen.push(`start ${event.task}`);
    }
    onTaskSuccess(event: TaskSuccessEvent) {
      this.seen.push(`success ${event.task}`);
    }
    onTaskFailure(event: TaskFailureEvent) {
      this.seen.push(`failure ${event.task}`);
    }
    onTaskRetry(event: TaskRetryEvent) {
      this.seen.push(`retry ${event.task}`);
    }
  }

  it('calls every hook found on the prototype, with this = the object', async () => {
    let attempts = 0;
    class Flaky {
      @Task({ retries: 1 }) once() {
        if (++attempts === 1) throw new Error('first attempt fails');
        return 1;
      }
      @Task() @DependsOn('once') never(): number {
        throw new Error('always');
      }
    }
    const recorder = new Recorder();
    await rejectionOf(
      Workflow.invoke(new Flaky(), undefined, { hooks: recorder }),
      WorkflowExecutionError,
    );
    expect(recorder.seen).to.deep.equal([
      'start once',
      'retry once',
      'start once',
      'success once',
      'start never',
      'failure never',
    ]);
  });

  it('calls a subclass override of a hook', async () => {
    class Quiet extends Recorder {
      override onTaskStart() {
        this.seen.push('quiet start');
      }
    }
    const hooks = new Quiet();
    await Workflow.invoke(new Pair(), 1, { hooks });
    expect(hooks.seen).to.deep.equal([
      'quiet start',
      'success first',
      'quiet start',
      'success second',
    ]);
  });

  it('accepts a class whose hooks are static, as its type does, with this = the class', async () => {
    class Audit {
      static readonly seen: string[] = [];
      static onTaskStart({ task }: TaskStartEvent) {
        this.seen.push(`start ${task}`);
      }
      static onTaskSuccess = ({ task }: TaskSuccessEvent) => Audit.seen.push(`success ${task}`);
    }
    class Quiet extends Audit {
      static override onTaskStart() {}
    }
    const options: InvokeOptions<Pair> = { hooks: Audit };
    await Workflow.invoke(new Pair(), 1, options);
    expect(Audit.seen).to.deep.equal([
      'start first',
      'success first',
      'start second',
      'success second',
    ]);
    Audit.seen.length = 0;
    await Workflow.invoke(new Pair(), 1, { hooks: Quiet });
    expect(Audit.seen).to.deep.equal(['success first', 'success second']);

    class Misspelt {
      static onTaskSucess() {}
      static onTaskStart() {}
    }
    const misspelt = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { hooks: Misspelt as never }),
      WorkflowOptionsError,
    );
    expect(misspelt.message).to.contain(
      '"onTaskSucess" is not a hook. Did you mean "onTaskSuccess"?',
    );
  });

  it('names a class given for its instance, and refuses a function without hooks', async () => {
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { hooks: Recorder as never }),
      WorkflowOptionsError,
    );
    expect(error.option).to.equal('hooks');
    expect(error.message).to.contain(
      'must be an object of hook functions, got the class Recorder: pass an instance (new Recorder()).',
    );
    // A class without a name is called Hooks.
    const [anonymous] = [
      class {
        onTaskStart() {}
      },
    ];
    const unnamed = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { hooks: anonymous as never }),
      WorkflowOptionsError,
    );
    expect(unnamed.message).to.contain(
      'must be an object of hook functions, got the class Hooks: pass an instance (new Hooks()).',
    );
    for (const hooks of [() => {}, class Empty {}]) {
      const plain = await rejectionOf(
        Workflow.invoke(new Pair(), 1, { hooks: hooks as never }),
        WorkflowOptionsError,
      );
      expect(plain.message).to.contain('must be an object of hook functions, got a function.');
    }
  });

  it('allows own fields that are not hooks on a class instance (injected collaborators)', async () => {
    class WithLogger {
      constructor(readonly lines: string[]) {}
      onTaskSuccess({ task }: TaskSuccessEvent) {
        this.lines.push(task);
      }
    }
    const lines: string[] = [];
    await Workflow.invoke(new Pair(), 1, { hooks: new WithLogger(lines) });
    expect(lines).to.deep.equal(['first', 'second']);
  });

  it('rejects a misspelt hook method on a class instance, with a suggestion', async () => {
    class Misspelt {
      onTaskSucess() {}
    }
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { hooks: new Misspelt() as never }),
      WorkflowOptionsError,
    );
    expect(error.option).to.equal('hooks');
    expect(error.message).to.contain('"onTaskSucess" is not a hook. Did you mean "onTaskSuccess"?');
  });

  it('accepts a class instance whose other members only start with "on" (a flag, an EventEmitter)', async () => {
    class Filtered extends EventEmitter {
      onlyFailures = true;
      readonly seen: string[] = [];
      onTaskSuccess({ task }: TaskSuccessEvent) {
        if (!this.onlyFailures) this.seen.push(task);
      }
    }
    const hooks = new Filtered();
    await Workflow.invoke(new Pair(), 1, { hooks });
    expect(hooks.seen).to.deep.equal([]);
  });

  it('rejects a misspelt hook getter or arrow-function field on a class instance', async () => {
    class MisspeltGetter {
      get onTaskStrat() {
        return () => undefined;
      }
    }
    class MisspeltField {
      onTaskFailur = () => undefined;
    }
    for (const [hooks, misspelt, meant] of [
      [new MisspeltGetter(), 'onTaskStrat', 'onTaskStart'],
      [new MisspeltField(), 'onTaskFailur', 'onTaskFailure'],
    ] as const) {
      const error = await rejectionOf(
        Workflow.invoke(new Pair(), 1, { hooks: hooks as never }),
        WorkflowOptionsError,
      );
      expect(error.message).to.contain(`"${misspelt}" is not a hook. Did you mean "${meant}"?`);
    }
  });

  it('checks the instance’s own non-enumerable hook-like functions and getters too', async () => {
    const started: string[] = [];
    class Hooks {
      constructor() {
        Object.defineProperty(this, 'onTaskStart', {
          get: () => (event: { task: string }) => started.push(event.task),
        });
      }
    }
    await Workflow.invoke(new Pair(), 1, { hooks: new Hooks() as never });
    expect(started).to.deep.equal(['first', 'second']);
    class Misspelt {
      constructor() {
        Object.defineProperty(this, 'onTaskStrat', { value: () => undefined });
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { hooks: new Misspelt() as never }),
      WorkflowOptionsError,
    );
    expect(error.message).to.contain('"onTaskStrat" is not a hook. Did you mean "onTaskStart"?');
  });

  it('rejects a hook whose getter throws, before any task starts', async () => {
    const hooks = {
      get onTaskStart(): never {
        throw new Error('getter refused');
      },
    };
    const flow = new Pair();
    const error = await rejectionOf(
      Workflow.invoke(flow, 1, { hooks } as InvokeOptions),
      WorkflowOptionsError,
    );
    expect(error.option).to.equal('hooks');
    expect(error.message).to.contain('getter refused');
    expect(flow.calls).to.deep.equal([]);
  });
});

describe('hooks that hold no hook', () => {
  // What a conditional spread leaves (`{ ...(debug && { onTaskStart }) }`), or a hook switched
  // off with `undefined`: a run costs what it costs with no hooks (no event machinery per task).
  for (const [given, hooks] of [
    ['an empty object', {}],
    ['every hook undefined', { onTaskStart: undefined, onTaskSuccess: undefined }],
    ['a class instance without hooks', new (class Quiet {})()],
  ] as const) {
    it(`are no hooks: ${given}`, async () => {
      const plan = planFor(Pair.prototype);
      expect(resolveRunSettings(plan, { hooks }, undefined, '').hooks).to.equal(undefined);
      expect((await Workflow.invoke(new Pair(), 1, { hooks })).get('second')).to.equal(4);
    });
  }

  it('keep the hooks that are given', () => {
    const onTaskSkip = () => undefined;
    expect(
      resolveRunSettings(planFor(Pair.prototype), { hooks: { onTaskSkip } }, undefined, '').hooks,
    )
      .to.have.property('onTaskSkip')
      .that.is.a('function');
  });
});

describe('the order hook and interceptor members are read in', () => {
  /** An object whose members are getters recording their reads in `reads`. */
  function recording(reads: string[], members: Record<string, unknown>): object {
    const object = {};
    for (const [name, value] of Object.entries(members)) {
      Object.defineProperty(object, name, {
        get: () => (reads.push(name), value),
        enumerable: true,
      });
    }
    return object;
  }

  it('reads each hook once, in the order of the hook list, and stops at the first that is no function', async () => {
    const reads: string[] = [];
    const noop = () => undefined;
    const members = { onTaskSkip: noop, onTaskStart: noop, onTaskRetry: noop };
    await Workflow.invoke(new Pair(), 1, { hooks: recording(reads, members) } as InvokeOptions);
    expect(reads).to.deep.equal(['onTaskStart', 'onTaskRetry', 'onTaskSkip']);
    reads.length = 0;
    const bad = recording(reads, { ...members, onTaskSuccess: 42 });
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { hooks: bad } as InvokeOptions),
      WorkflowOptionsError,
    );
    expect(error.message).to.contain('"onTaskSuccess" must be a function, got 42.');
    expect(reads).to.deep.equal(['onTaskStart', 'onTaskSuccess']);
  });

  it('reads run, then task, of each interceptor once, while checking them, as it reads hooks', async () => {
    const reads: string[] = [];
    const next = (_info: unknown, call: () => Promise<unknown>) => call();
    const interceptors = [
      recording(reads, { task: next }),
      recording(reads, { run: next, task: next }),
    ] as InvokeOptions['interceptors'];
    await Workflow.invoke(new Pair(), 1, { interceptors });
    // Checked (task; run, task): the run calls what was read then, and reads nothing more.
    expect(reads).to.deep.equal(['task', 'run', 'task']);
    reads.length = 0;
    const bad = [recording(reads, { run: 'x', task: next })] as InvokeOptions['interceptors'];
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { interceptors: bad }),
      WorkflowOptionsError,
    );
    expect(error.message).to.contain('"run" of interceptor 1 must be a function');
    expect(reads).to.deep.equal(['run']);
  });
});

describe('overrides given as a class instance', () => {
  it('runs the prototype methods as overrides, with this = the workflow instance', async () => {
    class Fakes {
      second(this: Pair, first: number) {
        this.calls.push('fake second');
        return first * 100;
      }
    }
    const flow = new Pair();
    const result = await Workflow.invoke(flow, 1, { overrides: new Fakes() as never });
    expect(result.get('second')).to.equal(200);
    expect(flow.calls).to.deep.equal(['first', 'fake second']);
  });

  it('reads a getter named after a task as its override, and checks what it gives', async () => {
    class Fakes {
      get second() {
        return (first: number) => `from a getter, ${first}`;
      }
    }
    const flow = new Pair();
    const result = await Workflow.invoke(flow, 1, { overrides: new Fakes() as never });
    expect(result.get('second')).to.equal('from a getter, 2');
    expect(flow.calls).to.deep.equal(['first']);
    class NotAFunction {
      get second() {
        return 42;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { overrides: new NotAFunction() as never }),
      WorkflowOptionsError,
    );
    expect(error.message).to.equal(
      'Pair: invalid option "overrides": "second" must be a function, got 42.',
    );
  });

  it('takes a getter that names no task for a collaborator, not an override', async () => {
    class Fakes {
      get label() {
        return 'fakes';
      }
      second(first: number) {
        return `fake ${first}`;
      }
    }
    const flow = new Pair();
    const result = await Workflow.invoke(flow, 1, { overrides: new Fakes() as never });
    expect(result.toObject()).to.deep.equal({ first: 2, second: 'fake 2' });
    expect(flow.calls).to.deep.equal(['first']);
  });

  it('reads the instance’s own properties whether or not they are enumerable, reading no getter twice', async () => {
    const reads: string[] = [];
    const fake = (first: number) => `own ${first}`;
    class Fakes {
      constructor(enumerable: boolean) {
        // What `Object.defineProperty(this, …)` makes by default: a property `Object.keys` skips.
        Object.defineProperty(this, 'second', {
          get: () => (reads.push('second'), fake),
          enumerable,
        });
        Object.defineProperty(this, 'label', {
          get: () => (reads.push('label'), 'a collaborator'),
          enumerable,
        });
      }
    }
    for (const enumerable of [false, true]) {
      reads.length = 0;
      const result = await Workflow.invoke(new Pair(), 1, {
        overrides: new Fakes(enumerable) as never,
      });
      expect(result.get('second'), `enumerable: ${enumerable}`).to.equal('own 2');
      expect(reads, `enumerable: ${enumerable}`).to.deep.equal(['second']);
    }
    class HiddenField {
      constructor() {
        Object.defineProperty(this, 'second', { value: fake });
      }
    }
    const result = await Workflow.invoke(new Pair(), 1, { overrides: new HiddenField() as never });
    expect(result.get('second')).to.equal('own 2');
    class HiddenMisspelt {
      constructor() {
        Object.defineProperty(this, 'secnd', { value: fake });
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { overrides: new HiddenMisspelt() as never }),
      WorkflowOptionsError,
    );
    expect(error.message).to.contain('Did you mean "second"?');
  });

  it('rejects a prototype method that names no task, with a suggestion', async () => {
    class Fakes {
      secnd() {
        return 0;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Pair(), 1, { overrides: new Fakes() as never }),
      WorkflowOptionsError,
    );
    expect(error.option).to.equal('overrides');
    expect(error.message).to.contain('Did you mean "second"?');
  });
});

describe('option objects that cannot be read', () => {
  const refusing = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('ownKeys refused');
      },
    },
  );
  for (const [label, options] of [
    ['options', refusing],
    ['hooks', { hooks: refusing }],
    ['overrides', { overrides: refusing }],
  ] as const) {
    it(`rejects ${label} whose keys cannot be listed with WorkflowOptionsError`, async () => {
      const flow = new Pair();
      const error = await rejectionOf(
        Workflow.invoke(flow, 1, options as InvokeOptions),
        WorkflowOptionsError,
      );
      expect(error.option).to.equal(label);
      expect(error.message).to.contain('ownKeys refused');
      expect(flow.calls).to.deep.equal([]);
    });
  }
});

describe('TaskOptions keys', () => {
  it('rejects a misspelt key as INVALID_TASK with a suggestion', () => {
    class Misspelt {
      @Task({ timout: 50 } as never) slow() {
        return 1;
      }
    }
    expect(() => Workflow.validate(Misspelt))
      .to.throw(WorkflowDefinitionError)
      .that.satisfies(
        (error: WorkflowDefinitionError) =>
          error.code === 'INVALID_TASK' &&
          error.task === 'slow' &&
          error.message.includes('"timout"') &&
          error.message.includes('Did you mean "timeout"?'),
      );
  });

  it('reads options inherited from a prototype (an options class instance)', async () => {
    class Patient {
      get retries() {
        return 2;
      }
    }
    let attempts = 0;
    class Flow {
      @Task(new Patient()) flaky() {
        if (++attempts < 3) throw new Error('not yet');
        return attempts;
      }
    }
    const result = await Workflow.invoke(new Flow());
    expect(result.get('flaky')).to.equal(3);
  });
});

describe('delays and the timer limit', () => {
  const LIMIT = 2 ** 31 - 1;

  for (const [label, retryDelay] of [
    ['larger than the timer limit', LIMIT + 1],
    ['Infinity', Infinity],
    ['NaN', Number.NaN],
  ] as const) {
    it(`rejects a retryDelay of ${label} as INVALID_TASK naming the option`, () => {
      class Flow {}
      declareTask(Flow.prototype, 'flaky', () => 1, { options: { retries: 1, retryDelay } });
      expect(() => Workflow.validate(Flow))
        .to.throw(WorkflowDefinitionError, /retryDelay/)
        .with.property('code', 'INVALID_TASK');
    });
  }

  it('accepts a retryDelay at the timer limit', () => {
    class Flow {}
    declareTask(Flow.prototype, 'flaky', () => 1, { options: { retries: 1, retryDelay: LIMIT } });
    expect(() => Workflow.validate(Flow)).not.to.throw();
  });

  for (const [label, returned] of [
    ['larger than the timer limit', LIMIT + 1],
    ['Infinity', Infinity],
    ['NaN', Number.NaN],
    ['negative', -1],
    ['a string', '5'],
  ] as const) {
    it(`fails the task, without retrying, when a retryDelay function returns ${label}`, async () => {
      const original = new Error('attempt failed');
      let calls = 0;
      class Flow {
        @Task({ retries: 3, retryDelay: () => returned as number }) flaky(): number {
          calls++;
          throw original;
        }
      }
      const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
      expect(calls).to.equal(1);
      expect(error.cause).to.be.instanceOf(typeof returned === 'number' ? RangeError : TypeError);
      expect((error.cause as Error).message).to.match(
        /^Flow: retryDelay of task "flaky" returned .+; it must return a number of milliseconds from 0 to 2147483647\.$/,
      );
      expect(error.failures[0].attemptError).to.equal(original);
    });
  }
});

describe("keeping the task's own error when a retry policy throws", () => {
  it('keeps it when onTaskRetry throws', async () => {
    const original = new Error('attempt failed');
    const hookError = new Error('hook failed');
    class Flow {
      @Task({ retries: 1 }) flaky(): number {
        throw original;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flow(), undefined, {
        hooks: {
          onTaskRetry() {
            throw hookError;
          },
        },
      }),
      WorkflowExecutionError,
    );
    expect(error.cause).to.equal(hookError);
    expect(error.failures).to.deep.equal([
      { task: 'flaky', error: hookError, attemptError: original },
    ]);
  });

  it('keeps it when a retryDelay function throws', async () => {
    const original = new Error('attempt failed');
    const delayError = new Error('no delay for you');
    class Flow {
      @Task({
        retries: 1,
        retryDelay: throwing(delayError),
      })
      flaky(): number {
        throw original;
      }
    }
    const error = await rejectionOf(Workflow.invoke(new Flow()), WorkflowExecutionError);
    expect(error.cause).to.equal(delayError);
    expect(error.failures[0].attemptError).to.equal(original);
  });
});
