/**
 * Values the library cannot print — thrown by tasks, given as abort reasons, rejected by hooks —
 * must still end every run cleanly: the documented error, the original value kept as `cause`, no
 * hang, no unhandled rejection, no bare `TypeError` escaping.
 */
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import {
  DependsOn,
  Param,
  Signal,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type ExecutionResult,
  type InvokeOptions,
} from '../src';
import { recordProcessEvents, settle } from './support/event-log';
import { hostileValues } from './support/hostile-values';

/** Fails the test instead of hanging it when `promise` does not settle within `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms = 2_000): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not settle within ${ms} ms`)), ms);
  });
  try {
    const [outcome] = await Promise.race([Promise.allSettled([promise]), deadline]);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection reason of `promise`, which must reject with `type` within the deadline. */
async function rejectionWith<E>(
  promise: Promise<unknown>,
  type: abstract new (...args: any[]) => E,
): Promise<E> {
  const outcome = await settledWithin(promise);
  if (outcome.status === 'fulfilled') expect.fail('the run resolved instead of rejecting');
  expect(outcome.reason).to.be.instanceOf(type);
  return outcome.reason as E;
}

function expectCause(error: { cause: unknown; message: unknown }, value: unknown): void {
  expect(Object.is(error.cause, value), 'cause is the very value thrown').to.equal(true);
  expect(error.message).to.be.a('string');
}

describe('errors from another realm', () => {
  it('are described by their message, in the run error and the abort error', async () => {
    const foreign = runInNewContext('new TypeError("fetch failed: ECONNREFUSED")') as Error;
    expect(foreign instanceof Error).to.equal(false);
    class Fetcher {
      @Task() load(): number {
        throw foreign;
      }
    }
    const failed = await rejectionWith(Workflow.invoke(new Fetcher()), WorkflowExecutionError);
    expect(failed.message).to.equal('Fetcher: task "load" failed: fetch failed: ECONNREFUSED');
    expect(failed.cause).to.equal(foreign);
    const aborted = await rejectionWith(
      Workflow.invoke(new Fetcher(), undefined, { signal: AbortSignal.abort(foreign) }),
      WorkflowAbortedError,
    );
    expect(aborted.message).to.contain('fetch failed: ECONNREFUSED');
  });
});

describe('a blank string thrown or given as the abort reason', () => {
  it('is shown quoted, so that the message does not end in a bare colon', async () => {
    class Blank {
      @Task() load(): number {
        throw '';
      }
      @Task() async slow() {
        await settle(2);
        return 1;
      }
    }
    const failed = await rejectionWith(Workflow.invoke(new Blank()), WorkflowExecutionError);
    expect(failed.message).to.equal('Blank: task "load" failed: ""');
    expect(failed.cause).to.equal('');
    const aborted = await rejectionWith(
      Workflow.invoke(new Blank(), undefined, {
        signal: AbortSignal.abort('  '),
        targets: ['slow'],
      }),
      WorkflowAbortedError,
    );
    expect(aborted.message).to.equal('Blank: the run was aborted: "  "');
  });

  it('names an Error whose message is blank by its name', async () => {
    class BlankError {
      @Task() load(): number {
        throw new RangeError('   ');
      }
    }
    const failed = await rejectionWith(Workflow.invoke(new BlankError()), WorkflowExecutionError);
    expect(failed.message).to.equal('BlankError: task "load" failed: RangeError');
  });
});

describe('values that cannot be printed', () => {
  let unhandled: ReturnType<typeof recordProcessEvents>;
  beforeEach(() => (unhandled = recordProcessEvents('unhandledRejection')));
  afterEach(async () => {
    await settle(2);
    unhandled.stop();
    expect(unhandled.received, 'unhandled rejections').to.deep.equal([]);
  });

  for (const [label, value] of hostileValues()) {
    describe(`${label}`, () => {
      it('thrown by a synchronous root fails the run with WorkflowExecutionError', async () => {
        class Flow {
          @Task() other() {
            return 1;
          }
          @Task() root(): number {
            throw value;
          }
        }
        const error = await rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
        expectCause(error, value);
        expect(error.task).to.equal('root');
        expect(error.message).to.contain('Flow: task "root" failed');
        expect(error.result.get('other')).to.equal(1);
        expect(() => error.result.get('root')).to.throw(/task "root" failed in this run/);
      });

      it('rejected by an asynchronous dependent fails the run with WorkflowExecutionError', async () => {
        class Flow {
          @Task() first(@Param() n: number) {
            return n + 1;
          }
          @Task() @DependsOn('first') async second(): Promise<number> {
            await settle();
            throw value;
          }
        }
        const error = await rejectionWith(Workflow.invoke(new Flow(), 1), WorkflowExecutionError);
        expectCause(error, value);
        expect(error.task).to.equal('second');
      });

      it('thrown by a task with a timeout and retries fails it after its retries', async () => {
        let calls = 0;
        class Flow {
          @Task({ timeout: 1_000, retries: 1 }) flaky(): number {
            calls++;
            throw value;
          }
        }
        const error = await rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
        expectCause(error, value);
        expect(calls).to.equal(2);
        expect(error.result.trace[0].attempts).to.equal(2);
      });

      it('thrown with failFast: false is listed among the failures', async () => {
        class Flow {
          @Task() one(): number {
            throw value;
          }
          @Task() async two(): Promise<number> {
            throw value;
          }
        }
        const error = await rejectionWith(
          Workflow.invoke(new Flow(), undefined, { failFast: false }),
          WorkflowExecutionError,
        );
        expect(error.failures.map((failure) => failure.task)).to.deep.equal(['one', 'two']);
        expect(error.message).to.contain('(and 1 more: "two")');
      });

      it('thrown, or recovered from by a fallback, still leaves the run error and its result JSON', async () => {
        class Flow {
          @Task({ fallback: () => 0 }) recovered(): number {
            throw value;
          }
          @Task() broken(): number {
            throw value;
          }
        }
        const error = await rejectionWith(
          Workflow.invoke(new Flow(), undefined, { failFast: false }),
          WorkflowExecutionError,
        );
        const logged = JSON.parse(JSON.stringify(error));
        expect(logged.task).to.equal('broken');
        expect(logged.failures).to.have.length(1);
        const trace = JSON.parse(JSON.stringify(error.result)).trace;
        expect(trace[0]).to.have.property('recoveredFrom');
        const aborted = await rejectionWith(
          Workflow.invoke(new Flow(), undefined, { signal: AbortSignal.abort(value) }),
          WorkflowAbortedError,
        );
        expect(JSON.parse(JSON.stringify(aborted)).name).to.equal('AbortError');
      });

      it('as the reason of a signal aborted before the run aborts it with WorkflowAbortedError', async () => {
        class Flow {
          @Task() never() {
            expect.fail('no task may start');
          }
        }
        const controller = new AbortController();
        controller.abort(value);
        const error = await rejectionWith(
          Workflow.invoke(new Flow(), undefined, { signal: controller.signal }),
          WorkflowAbortedError,
        );
        expectCause(error, value);
      });

      it('as the reason of an abort mid-run aborts it with WorkflowAbortedError', async () => {
        const controller = new AbortController();
        class Flow {
          @Task() async first() {
            controller.abort(value);
            return 1;
          }
          @Task() @DependsOn('first') second() {
            expect.fail('no task may start after the abort');
          }
        }
        const error = await rejectionWith(
          Workflow.invoke(new Flow(), undefined, { signal: controller.signal }),
          WorkflowAbortedError,
        );
        expectCause(error, value);
        expect(error.result.get('first')).to.equal(1);
      });

      it('thrown by a hook fails the run as a failure of its task', async () => {
        class Flow {
          @Task() only() {
            return 1;
          }
        }
        const error = await rejectionWith(
          Workflow.invoke(new Flow(), undefined, {
            hooks: {
              onTaskSuccess() {
                throw value;
              },
            },
          }),
          WorkflowExecutionError,
        );
        expectCause(error, value);
      });

      it('rejected by an async hook after the run settled becomes a warning', async () => {
        const warnings = recordProcessEvents('warning');
        try {
          let rejectLater!: (reason: unknown) => void;
          class Flow {
            @Task() only() {
              return 1;
            }
          }
          const options: InvokeOptions<Flow> = {
            hooks: {
              onTaskSuccess: () => new Promise<void>((_, reject) => (rejectLater = reject)),
            },
          };
          const outcome = await settledWithin(Workflow.invoke(new Flow(), undefined, options));
          expect(outcome.status).to.equal('fulfilled');
          rejectLater(value);
          await settle(2);
          expect(warnings.received).to.have.length(1);
          expect(String((warnings.received[0] as Error).message)).to.contain(
            'the onTaskSuccess hook of task "only" rejected after the run settled',
          );
        } finally {
          warnings.stop();
        }
      });
    });
  }

  it('rejects a revoked Proxy given as the instance with a TypeError that says so', async () => {
    const outcome = await settledWithin(Workflow.invoke(hostileValues()[2][1] as object));
    expect(outcome.status).to.equal('rejected');
    const reason = (outcome as PromiseRejectedResult).reason as TypeError;
    expect(reason).to.be.instanceOf(TypeError);
    expect(reason.message).to.match(/^Workflow\.invoke could not read the class of the instance: /);
  });

  it('keeps what reading the class threw as the cause of that TypeError', async () => {
    const trapError = new Error('no prototype for you');
    const instance = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw trapError;
        },
      },
    );
    const outcome = await settledWithin(Workflow.invoke(instance));
    expect(outcome.status).to.equal('rejected');
    const reason = (outcome as PromiseRejectedResult).reason as TypeError;
    expect(reason).to.be.instanceOf(TypeError);
    expect(reason.message).to.equal(
      'Workflow.invoke could not read the class of the instance: no prototype for you',
    );
    expect(reason.cause).to.equal(trapError);
  });

  it('makes validate, graph and toMermaid given a class they cannot read throw a TypeError that says so', () => {
    const trapError = new Error('no prototype for you');
    const unreadable = new Proxy(class Flow {}, {
      get(target, key) {
        if (key === 'prototype') throw trapError;
        return Reflect.get(target, key);
      },
    });
    const revoked = Proxy.revocable(class Flow {}, {});
    revoked.revoke();
    for (const caller of ['validate', 'graph', 'toMermaid'] as const) {
      expect(() => Workflow[caller](unreadable))
        .to.throw(TypeError, `Workflow.${caller} could not read the class: no prototype for you`)
        .with.property('cause', trapError);
      expect(() => Workflow[caller](revoked.proxy)).to.throw(
        TypeError,
        new RegExp(
          `^Workflow\\.${caller} could not read the class: Cannot perform 'get' on a proxy`,
        ),
      );
    }
  });

  it('rejects an instance whose prototype is a Proxy that throws with what the Proxy threw', async () => {
    // Neither taken for a plain object nor for a builder on the way: reading the class failed.
    const trapError = new Error('no class for you');
    const refuse = () => {
      throw trapError;
    };
    const instance = Object.create(
      new Proxy({}, { get: refuse, getPrototypeOf: refuse }),
    ) as object;
    const outcome = await settledWithin(Workflow.invoke(instance));
    expect(outcome.status).to.equal('rejected');
    expect((outcome as PromiseRejectedResult).reason).to.equal(trapError);
  });

  describe('a task returning a promise whose then throws', () => {
    /** A promise of 1 whose `then` throws `thrown`. */
    const promiseWhoseThenThrows = (thrown: Error): Promise<number> => {
      const promise = Promise.resolve(1);
      promise.then = () => {
        throw thrown;
      };
      return promise;
    };

    it('fails that task with what then threw', async () => {
      const thrown = new Error('then refused');
      class Flow {
        @Task() tampered(): Promise<number> {
          return promiseWhoseThenThrows(thrown);
        }
      }
      const error = await rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
      expect(error.cause).to.equal(thrown);
      expect(error.task).to.equal('tampered');
    });

    it('fails a task with a timeout the same way', async () => {
      const thrown = new Error('then refused');
      class Flow {
        @Task({ timeout: 1_000 }) tampered(): Promise<number> {
          return promiseWhoseThenThrows(thrown);
        }
      }
      const error = await rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
      expect(error.cause).to.equal(thrown);
    });
  });

  describe('a task returning an instance of a Promise subclass', () => {
    /** A promise of `value` whose class refuses to make derived promises (its species throws). */
    const promiseWithoutSpecies = (value: number, refusal: Error): Promise<number> => {
      class Stubborn<T> extends Promise<T> {
        static override get [Symbol.species](): PromiseConstructor {
          throw refusal;
        }
      }
      return Stubborn.resolve(value);
    };

    for (const position of ['a root', 'a dependent'] as const) {
      it(`fails that task, as await would, when the subclass cannot make a derived promise (${position})`, async () => {
        const refusal = new Error('no derived promises');
        const unhandled = recordProcessEvents('unhandledRejection');
        try {
          class Flow {
            @Task() first(): Promise<number> | number {
              return position === 'a root' ? promiseWithoutSpecies(1, refusal) : 1;
            }
            @Task() @DependsOn('first') second(first: number): Promise<number> {
              return promiseWithoutSpecies(first + 1, refusal);
            }
          }
          const error = await rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
          expect(error.task).to.equal(position === 'a root' ? 'first' : 'second');
          expect(error.cause).to.equal(refusal);
          await settle();
          expect(unhandled.received).to.deep.equal([]);
        } finally {
          unhandled.stop();
        }
      });
    }

    it('fails the attempt when a task interceptor returns one', async () => {
      const refusal = new Error('no derived promises');
      class Flow {
        @Task() only(): number {
          return 1;
        }
      }
      const error = await rejectionWith(
        Workflow.invoke(new Flow(), undefined, {
          interceptors: [{ task: () => promiseWithoutSpecies(2, refusal) }],
        }),
        WorkflowExecutionError,
      );
      expect(error.cause).to.equal(refusal);
    });

    it('takes the value of a well-behaved subclass', async () => {
      class Tracked<T> extends Promise<T> {}
      class Flow {
        @Task() first(): Promise<number> {
          return Tracked.resolve(20);
        }
        @Task() @DependsOn('first') second(first: number): Promise<number> {
          return Tracked.resolve(first + 1);
        }
      }
      const result = await Workflow.invoke(new Flow());
      expect(result.get('second')).to.equal(21);
    });
  });

  describe('a task returning null', () => {
    it('succeeds with null, which its dependent and its fallback-recovered twin pass on', async () => {
      class Flow {
        @Task() nothing(): null {
          return null;
        }
        @Task({ fallback: () => null }) broken(): string | null {
          throw new Error('broken');
        }
        @Task() @DependsOn('nothing', 'broken') after(nothing: null, broken: null) {
          return [nothing, broken];
        }
      }
      const result = await Workflow.invoke(new Flow());
      expect(result.toObject()).to.deep.equal({ nothing: null, broken: null, after: [null, null] });
    });
  });

  describe('a task returning a thenable that is not a plain native promise', () => {
    /** A thenable whose `then` logs its call to `calls`, then resolves with 'adopted'. */
    const thenables: [string, (calls: string[]) => unknown][] = [
      [
        'an object with a then method',
        (calls) => ({
          then(resolve: (value: string) => void) {
            calls.push('then');
            resolve('adopted');
          },
        }),
      ],
      [
        'a native promise whose then was replaced',
        (calls) =>
          Object.assign(Promise.resolve('unused'), {
            then(resolve: (value: string) => void) {
              calls.push('then');
              resolve('adopted');
            },
          }),
      ],
    ];
    for (const [shape, make] of thenables) {
      it(`has the then of ${shape} called in a later job, as await calls it: after the tasks started with it`, async () => {
        const calls: string[] = [];
        class Flow {
          @Task() first(): unknown {
            calls.push('first');
            return make(calls);
          }
          @Task() second() {
            calls.push('second');
            return 'plain';
          }
        }
        const result = await Workflow.invoke(new Flow());
        expect(calls).to.deep.equal(['first', 'second', 'then']);
        expect(result.get('first')).to.equal('adopted');
      });
    }
  });

  describe('a task returning a function with a then method', () => {
    /** A function that is also a thenable: `await` calls its `then`, as for any thenable. */
    const callableThenable = (
      then: (resolve: (value: unknown) => void, reject: (error: unknown) => void) => void,
    ) => Object.assign(() => 'the function itself', { then });

    it('is adopted as await adopts it: the task succeeds with what then resolves with', async () => {
      const returned = callableThenable((resolve) => resolve('resolved value'));
      expect(await (returned as unknown as PromiseLike<unknown>)).to.equal('resolved value');
      class Flow {
        @Task() callable(): unknown {
          return returned;
        }
        @Task() @DependsOn('callable') after(callable: unknown) {
          return callable;
        }
      }
      const result = await Workflow.invoke(new Flow());
      expect(result.get('callable')).to.equal('resolved value');
      expect(result.get('after')).to.equal('resolved value');
    });

    it('fails the task with what then rejects with', async () => {
      const refusal = new Error('then rejected');
      class Flow {
        @Task() callable(): unknown {
          return callableThenable((_, reject) => reject(refusal));
        }
      }
      const error = await rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
      expect(error.task).to.equal('callable');
      expect(error.cause).to.equal(refusal);
    });
  });

  describe('a task returning a value that cannot be inspected', () => {
    for (const [label, value] of hostileValues()) {
      it(`settles the run when a task returns ${label}`, async () => {
        class Flow {
          @Task() odd() {
            return value;
          }
        }
        const outcome = await settledWithin(Workflow.invoke(new Flow()));
        if (outcome.status === 'fulfilled') {
          expect(Object.is(outcome.value.get('odd'), value)).to.equal(true);
        } else {
          // Reading `then` of a hostile object throws: the task fails with that error, as `await` would.
          expect(outcome.reason).to.be.instanceOf(WorkflowExecutionError);
          expect((outcome.reason as WorkflowExecutionError).cause).to.be.instanceOf(Error);
        }
      });
    }
  });
});

describe('a run error made by hand from hostile failures', () => {
  // Its message names the hook behind a run's failure; looking that up must not read the entries
  // a caller gave (a test double, a re-thrown error rebuilt from a log), as it did not before.
  it('builds its message whatever the first entry of failures is', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwing = {
      get task(): string {
        throw new Error('getter');
      },
      error: 1,
    };
    for (const first of [null, proxy, throwing]) {
      const error = new WorkflowExecutionError('Flow', 'a', new Error('boom'), [first as never], {
        workflow: 'Flow',
      } as never);
      expect(error.message).to.equal('Flow: task "a" failed: boom');
    }
  });
});

describe('errors described by their kind', () => {
  /** The run error of a run whose only task throws `thrown`. */
  async function runErrorOf(thrown: unknown): Promise<WorkflowExecutionError> {
    class Flow {
      @Task() root(): number {
        throw thrown;
      }
    }
    return rejectionWith(Workflow.invoke(new Flow()), WorkflowExecutionError);
  }

  it('logs an Error whose name getter throws as an Error, with its message', async () => {
    const thrown = new Error('disk full');
    Object.defineProperty(thrown, 'name', {
      get() {
        throw new Error('the name getter refused');
      },
    });
    const logged = JSON.parse(JSON.stringify(await runErrorOf(thrown)));
    expect(logged.cause).to.deep.equal({ name: 'Error', message: 'disk full' });
    expect(logged.failures).to.deep.equal([
      { task: 'root', error: { name: 'Error', message: 'disk full' } },
    ]);
  });

  it('calls an Error with neither a message nor a name "Error"', async () => {
    const thrown = new Error('');
    thrown.name = '';
    const error = await runErrorOf(thrown);
    expect(error.message).to.equal('Flow: task "root" failed: Error');
  });

  it('calls a function that cannot be made a string "a function"', async () => {
    const thrown = () => 1;
    thrown.toString = () => {
      throw new Error('no source');
    };
    const error = await runErrorOf(thrown);
    expectCause(error, thrown);
    expect(error.message).to.equal('Flow: task "root" failed: a function');
  });
});

describe('a caller signal that misbehaves', () => {
  class Waits {
    @Task() wait(@Signal() signal: AbortSignal) {
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      );
    }
  }

  /** A controller whose signal's `reason` getter throws `getterError`. */
  function withThrowingReason(getterError: Error): AbortController {
    const controller = new AbortController();
    Object.defineProperty(controller.signal, 'reason', {
      get() {
        throw getterError;
      },
    });
    return controller;
  }

  it('aborts every run on it with what its reason getter threw, as the reason, when it aborts', async () => {
    const getterError = new Error('no reason for you');
    const controller = withThrowingReason(getterError);
    // Mocha fails the test if the signal's listener throws (an uncaught exception).
    const runs = [1, 2].map(() => Workflow.invoke(new Waits(), 0, { signal: controller.signal }));
    await settle();
    controller.abort();
    for (const run of runs) {
      const error = await rejectionWith(run, WorkflowAbortedError);
      expectCause(error, getterError);
      expect(error.message).to.equal('Waits: the run was aborted: no reason for you');
    }
  });

  it('aborts a run with what its reason getter threw when it was aborted already', async () => {
    const getterError = new Error('no reason for you');
    const controller = withThrowingReason(getterError);
    controller.abort();
    const error = await rejectionWith(
      Workflow.invoke(new Waits(), 0, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expectCause(error, getterError);
  });

  it('still aborts later runs when adding its listener threw once', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const addError = new Error('not now');
    let refused = false;
    Object.defineProperty(signal, 'addEventListener', {
      value(...args: Parameters<AbortSignal['addEventListener']>) {
        if (!refused) {
          refused = true;
          throw addError;
        }
        return AbortSignal.prototype.addEventListener.apply(this, args);
      },
    });
    const first = await settledWithin(Workflow.invoke(new Waits(), 0, { signal }));
    expect(first).to.deep.equal({ status: 'rejected', reason: addError });
    const second = Workflow.invoke(new Waits(), 0, { signal });
    await settle();
    controller.abort(new Error('shutdown'));
    const error = await rejectionWith(second, WorkflowAbortedError);
    expect(error.message).to.equal('Waits: the run was aborted: shutdown');
  });

  it('settles a run whose signal refuses to remove its listener, with no unhandled rejection', async () => {
    class Pair {
      @Task() async a() {
        return 1;
      }
      @Task() @DependsOn('a') async b(a: number) {
        return a + 1;
      }
    }
    const { signal } = new AbortController();
    Object.defineProperty(signal, 'removeEventListener', {
      value() {
        throw new Error('not removing');
      },
    });
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const outcome = await settledWithin(Workflow.invoke(new Pair(), 0, { signal }));
      expect(outcome.status).to.equal('fulfilled');
      expect((outcome as PromiseFulfilledResult<ExecutionResult<Pair>>).value.get('b')).to.equal(2);
      await settle();
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });
});
