/**
 * `InvokeOptions.hooks`: `onTaskStart`, `onTaskSuccess`, `onTaskFailure`, `onTaskRetry`, their
 * payloads and their timing (a success is reported before any dependent starts), and a hook that
 * throws failing the run with its error.
 */
import { expect } from 'chai';
import {
  buildDag,
  DependsOn,
  skip,
  SIGNAL,
  Param,
  Task,
  TaskResultError,
  Workflow,
  WorkflowExecutionError,
  type TaskFailureEvent,
  type TaskRetryEvent,
  type TaskStartEvent,
  type TaskSuccessEvent,
  type WorkflowHooks,
} from '../../src';
import { recordProcessEvents, rejectionOf, settle } from '../support/event-log';

/** Hooks that append `hook:task#attempt` to `events`, next to the tasks' own `run:task` entries. */
function loggingHooks(events: string[]): WorkflowHooks {
  return {
    onTaskStart: ({ task, attempt }) => events.push(`start:${task}#${attempt}`),
    onTaskSuccess: ({ task, attempt }) => events.push(`success:${task}#${attempt}`),
    onTaskFailure: ({ task, attempt }) => events.push(`failure:${task}#${attempt}`),
    onTaskRetry: ({ task, attempt }) => events.push(`retry:${task}#${attempt}`),
  };
}

class Chain {
  readonly events: string[] = [];

  @Task() first(@Param() n: number) {
    this.events.push('run:first');
    return settle().then(() => n + 1);
  }
  @Task() @DependsOn('first') second(first: number) {
    this.events.push('run:second');
    return first * 2;
  }
}

describe('InvokeOptions.hooks', () => {
  it('reports start before the task runs and success before any dependent starts', async () => {
    const flow = new Chain();
    await Workflow.invoke(flow, 1, { hooks: loggingHooks(flow.events) });
    expect(flow.events).to.deep.equal([
      'start:first#1',
      'run:first',
      'success:first#1',
      'start:second#1',
      'run:second',
      'success:second#1',
    ]);
  });

  it('passes { task, attempt } to onTaskStart and { task, attempt, value, durationMs } to onTaskSuccess', async () => {
    const starts: TaskStartEvent[] = [];
    const successes: TaskSuccessEvent[] = [];
    const result = await Workflow.invoke(new Chain(), 4, {
      hooks: {
        onTaskStart: (event) => starts.push(event),
        onTaskSuccess: (event) => successes.push(event),
      },
    });

    expect(starts).to.deep.equal([
      { task: 'first', attempt: 1 },
      { task: 'second', attempt: 1 },
    ]);
    expect(successes.map(({ task, attempt, value }) => ({ task, attempt, value }))).to.deep.equal([
      { task: 'first', attempt: 1, value: 5 },
      { task: 'second', attempt: 1, value: 10 },
    ]);
    for (const { durationMs } of successes) {
      expect(durationMs).to.be.a('number').within(0, result.durationMs);
    }
  });

  it("gives onTaskSuccess the task's durationMs: from its first attempt's start, retries and delays included", async () => {
    class Retried {
      attempts = 0;
      @Task({ retries: 1, retryDelay: 30 }) flaky() {
        if (this.attempts++ === 0) throw new Error('first try');
        return 'done';
      }
    }
    const successes: TaskSuccessEvent[] = [];
    const result = await Workflow.invoke(new Retried(), undefined, {
      hooks: { onTaskSuccess: (event) => successes.push(event) },
    });
    const [success] = successes;
    const [entry] = result.trace;
    expect(success.attempt).to.equal(2);
    // The successful attempt itself is synchronous: the duration is the task's, as in the trace.
    expect(success.durationMs).to.equal(entry.end - entry.start);
    expect(success.durationMs).to.be.at.least(25);
  });

  it('reports a retried attempt to onTaskRetry and only the final failure to onTaskFailure', async () => {
    const errors = [new Error('first try'), new Error('second try')];
    const retries: TaskRetryEvent[] = [];
    const failures: TaskFailureEvent[] = [];
    const events: string[] = [];
    class Flaky {
      attempts = 0;
      @Task({ retries: 1, retryDelay: 5 }) flaky() {
        throw errors[this.attempts++];
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Flaky(), undefined, {
        hooks: {
          ...loggingHooks(events),
          onTaskRetry: (event) => {
            events.push(`retry:${event.task}#${event.attempt}`);
            retries.push(event);
          },
          onTaskFailure: (event) => {
            events.push(`failure:${event.task}#${event.attempt}`);
            failures.push(event);
          },
        },
      }),
      WorkflowExecutionError,
    );

    expect(events).to.deep.equal([
      'start:flaky#1',
      'retry:flaky#1',
      'start:flaky#2',
      'failure:flaky#2',
    ]);
    expect(retries).to.deep.equal([{ task: 'flaky', attempt: 1, error: errors[0], delayMs: 5 }]);
    expect(failures).to.deep.equal([{ task: 'flaky', attempt: 2, error: errors[1] }]);
    expect(error.cause).to.equal(errors[1]);
  });

  it("gives onTaskFailure the task's error: retryIf's or the fallback's when one threw while handling the attempt's", async () => {
    const own = new Error('network down');
    const policyBug = new Error('policy bug');
    const fallbackBug = new Error('fallback bug');
    class Handled {
      @Task({
        retries: 1,
        retryIf: () => {
          throw policyBug;
        },
      })
      retried(): string {
        throw own;
      }
      @Task({
        fallback: () => {
          throw fallbackBug;
        },
      })
      recovered(): string {
        throw own;
      }
    }
    const failures: TaskFailureEvent[] = [];
    const error = await rejectionOf(
      Workflow.invoke(new Handled(), undefined, {
        failFast: false,
        hooks: { onTaskFailure: (event) => failures.push(event) },
      }),
      WorkflowExecutionError,
    );
    expect(failures).to.deep.equal([
      { task: 'retried', attempt: 1, error: policyBug },
      { task: 'recovered', attempt: 1, error: fallbackBug },
    ]);
    // The attempt's own error is kept in the run error's failures.
    expect(error.failures.map((failure) => failure.attemptError)).to.deep.equal([own, own]);
  });

  it('calls no hook for a task outside the targets', async () => {
    const events: string[] = [];
    class TwoRoots {
      @Task() wanted() {
        return 1;
      }
      @Task() unwanted() {
        return 2;
      }
    }
    await Workflow.invoke(new TwoRoots(), undefined, {
      targets: ['wanted'],
      hooks: loggingHooks(events),
    });
    expect(events).to.deep.equal(['start:wanted#1', 'success:wanted#1']);
  });

  describe('a hook that throws fails the run with that error', () => {
    const hookError = new Error('hook exploded');
    const explode = () => {
      throw hookError;
    };

    it('onTaskStart: the task is not called, its dependents never start', async () => {
      const flow = new Chain();
      const error = await rejectionOf(
        Workflow.invoke(flow, 1, { hooks: { onTaskStart: explode } }),
        WorkflowExecutionError,
      );
      expect(error.task).to.equal('first');
      expect(error.cause).to.equal(hookError);
      expect(flow.events).to.deep.equal([]);
    });

    it('onTaskStart on a task with retries: the error is not retried away', async () => {
      let hookCalls = 0;
      let taskCalls = 0;
      class Retrying {
        @Task({ retries: 2 }) retrying() {
          taskCalls++;
          return 'done';
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Retrying(), undefined, {
          hooks: {
            onTaskStart: () => {
              if (hookCalls++ === 0) throw hookError;
            },
          },
        }),
        WorkflowExecutionError,
      );
      expect(error.cause).to.equal(hookError);
      expect(hookCalls).to.equal(1);
      expect(taskCalls).to.equal(0);
    });

    it('onTaskStart on a retry: the refused attempt counts in the trace and the failure', async () => {
      const failedAttempts: number[] = [];
      class Flaky {
        calls = 0;
        @Task({ retries: 2 }) flaky(): number {
          this.calls++;
          throw new Error('first attempt fails');
        }
      }
      const flow = new Flaky();
      const error = await rejectionOf(
        Workflow.invoke(flow, undefined, {
          hooks: {
            onTaskStart: ({ attempt }) => {
              if (attempt === 2) throw hookError;
            },
            onTaskFailure: ({ attempt }) => failedAttempts.push(attempt),
          },
        }),
        WorkflowExecutionError,
      );
      expect(error.cause).to.equal(hookError);
      expect(flow.calls).to.equal(1);
      expect(failedAttempts).to.deep.equal([2]);
      expect(error.result.trace[0]).to.include({ task: 'flaky', status: 'failed', attempts: 2 });
    });

    it('onTaskStart or onTaskRetry on a task with a fallback: the fallback does not recover it', async () => {
      for (const hook of ['onTaskStart', 'onTaskRetry'] as const) {
        let fallbackCalls = 0;
        class Recovering {
          @Task({ retries: 1, fallback: () => ++fallbackCalls })
          recovering(): number {
            throw new Error('task failed');
          }
        }
        const error = await rejectionOf(
          Workflow.invoke(new Recovering(), undefined, { hooks: { [hook]: explode } }),
          WorkflowExecutionError,
        );
        expect(error.cause, hook).to.equal(hookError);
        expect(fallbackCalls, hook).to.equal(0);
        expect(error.result.trace[0], hook).to.include({ status: 'failed' });
      }
    });

    it('onTaskSuccess: the task does not count as succeeded, its dependents never start', async () => {
      const flow = new Chain();
      const error = await rejectionOf(
        Workflow.invoke(flow, 1, { hooks: { onTaskSuccess: explode } }),
        WorkflowExecutionError,
      );
      expect(error.task).to.equal('first');
      expect(error.cause).to.equal(hookError);
      expect(flow.events).to.deep.equal(['run:first']);
      expect(error.result.has('first')).to.equal(false);
      expect(error.result.has('second')).to.equal(false);
    });

    it('onTaskRetry: no further attempt is made', async () => {
      let calls = 0;
      class Flaky {
        @Task({ retries: 3 }) flaky() {
          calls++;
          throw new Error('flaky');
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flaky(), undefined, { hooks: { onTaskRetry: explode } }),
        WorkflowExecutionError,
      );
      expect(calls).to.equal(1);
      expect(error.cause).to.equal(hookError);
    });

    it('onTaskFailure: the hook error is among the run failures, next to the task error', async () => {
      const taskError = new Error('task failed');
      class Failing {
        @Task() failing() {
          throw taskError;
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Failing(), undefined, { hooks: { onTaskFailure: explode } }),
        WorkflowExecutionError,
      );
      expect(error.failures.map((failure) => failure.error)).to.include.members([
        taskError,
        hookError,
      ]);
    });
  });

  describe('an async hook that rejects', () => {
    it('fails the run with the rejection, never an unhandled rejection', async () => {
      const unhandled = recordProcessEvents('unhandledRejection');
      const hookRejection = new Error('metrics backend down');
      class Flow {
        @Task() first() {
          return 1;
        }
        @Task() @DependsOn('first') async second(first: number) {
          await settle();
          return first + 1;
        }
      }
      try {
        const error = await rejectionOf(
          Workflow.invoke(new Flow(), undefined, {
            hooks: {
              onTaskSuccess: async ({ task }) => {
                if (task === 'first') throw hookRejection;
              },
            },
          }),
          WorkflowExecutionError,
        );
        expect(error.task).to.equal('first');
        expect(error.cause).to.equal(hookRejection);
        await settle(2);
        expect(unhandled.received).to.deep.equal([]);
      } finally {
        unhandled.stop();
      }
    });

    it('becomes a process warning when it rejects after the run settled', async () => {
      const warnings = recordProcessEvents('warning');
      class Flow {
        @Task() only() {
          return 1;
        }
      }
      try {
        const result = await Workflow.invoke(new Flow(), undefined, {
          hooks: {
            onTaskSuccess: async () => {
              await settle();
              throw new Error('too late');
            },
          },
        });
        expect(result.get('only')).to.equal(1);
        await settle(3);
        expect(
          warnings.received.map((warning) => String((warning as Error).message)),
        ).to.deep.equal([
          'Flow: the onTaskSuccess hook of task "only" rejected after the run settled: too late',
        ]);
        // The stack of what the hook threw comes with it, to find the hook by.
        expect((warnings.received[0] as { detail?: string }).detail)
          .to.be.a('string')
          .that.contains('Error: too late')
          .and.contains('hooks.spec.ts');
      } finally {
        warnings.stop();
      }
    });
  });

  describe('a hook that fails the run is named in the messages', () => {
    const hookBug = new Error('hook bug');
    const explode = () => {
      throw hookBug;
    };

    /** A builder DAG named Flow: `a`, and `b` after it; `a` runs `body`. */
    function flow(body: () => unknown) {
      const tm = buildDag({ name: 'Flow' });
      const a = tm.addNode({ name: 'a' }, body);
      tm.addNode({ name: 'b' }, (value: unknown) => value, a);
      return tm;
    }

    it('onTaskFailure: the second failure of the task is its hook, not the task again', async () => {
      const taskError = new Error('a broke');
      const error = await rejectionOf(
        flow(() => {
          throw taskError;
        }).invoke(undefined, { hooks: { onTaskFailure: explode } }),
        WorkflowExecutionError,
      );
      expect(error.message).to.equal(
        'Flow: task "a" failed: a broke (and 1 more: the onTaskFailure hook of "a")',
      );
      // The fields stay what they were.
      expect(error.task).to.equal('a');
      expect(error.cause).to.equal(taskError);
      expect(error.failures).to.deep.equal([
        { task: 'a', error: taskError },
        { task: 'a', error: hookBug },
      ]);
    });

    it('onTaskStart and onTaskSuccess: the task failed because its hook threw', async () => {
      for (const hook of ['onTaskStart', 'onTaskSuccess'] as const) {
        const error = await rejectionOf(
          flow(() => 1).invoke(undefined, { hooks: { [hook]: explode } }),
          WorkflowExecutionError,
        );
        expect(error.message, hook).to.equal(
          `Flow: task "a" failed: its ${hook} hook threw: hook bug`,
        );
        expect(error.task, hook).to.equal('a');
        expect(error.cause, hook).to.equal(hookBug);
        expect(error.failures, hook).to.deep.equal([{ task: 'a', error: hookBug }]);
        expect(() => error.result.get('a'), hook)
          .to.throw(TaskResultError)
          .with.property(
            'message',
            `Flow: task "a" failed in this run: its ${hook} hook threw: hook bug`,
          );
      }
    });

    it('names the hook for the task it failed only, not for another task that failed by itself', async () => {
      // `hooked` fails first, in its onTaskSuccess hook; `broken` then throws on its own.
      const taskError = new Error('task bug');
      const tm = buildDag({ name: 'Flow' });
      tm.addNode({ name: 'hooked' }, () => 1);
      tm.addNode({ name: 'broken' }, async () => {
        await settle();
        throw taskError;
      });
      const error = await rejectionOf(
        tm.invoke(undefined, {
          failFast: false,
          hooks: {
            onTaskSuccess: ({ task }) => {
              if (task === 'hooked') throw hookBug;
            },
          },
        }),
        WorkflowExecutionError,
      );
      expect(error.failures).to.deep.equal([
        { task: 'hooked', error: hookBug },
        { task: 'broken', error: taskError },
      ]);
      expect(() => error.result.get('hooked'))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'Flow: task "hooked" failed in this run: its onTaskSuccess hook threw: hook bug',
        );
      expect(() => error.result.get('broken'))
        .to.throw(TaskResultError)
        .with.property('message', 'Flow: task "broken" failed in this run: task bug');
    });

    it('onTaskRetry, and onTaskStart of a retry: the attempt error stays the attemptError', async () => {
      for (const hook of ['onTaskRetry', 'onTaskStart'] as const) {
        const attemptError = new Error('attempt failed');
        const tm = buildDag({ name: 'Flow' });
        tm.addNode({ name: 'a', retries: 1 }, () => {
          throw attemptError;
        });
        const error = await rejectionOf(
          tm.invoke(undefined, {
            hooks: {
              [hook]: ({ attempt }: { attempt: number }) => {
                if (hook === 'onTaskRetry' || attempt === 2) throw hookBug;
              },
            },
          }),
          WorkflowExecutionError,
        );
        expect(error.message, hook).to.equal(
          `Flow: task "a" failed: its ${hook} hook threw: hook bug`,
        );
        expect(error.failures, hook).to.deep.equal([{ task: 'a', error: hookBug, attemptError }]);
        expect(() => error.result.get('a'), hook).to.throw(
          `Flow: task "a" failed in this run: its ${hook} hook threw: hook bug`,
        );
      }
    });

    it('onTaskSkip: the run fails for the hook of a task that did not fail', async () => {
      const error = await rejectionOf(
        flow(() => skip('nothing to do')).invoke(undefined, { hooks: { onTaskSkip: explode } }),
        WorkflowExecutionError,
      );
      expect(error.message).to.equal('Flow: the onTaskSkip hook of task "a" threw: hook bug');
      expect(error.task).to.equal('a');
      expect(error.cause).to.equal(hookBug);
      expect(error.failures).to.deep.equal([{ task: 'a', error: hookBug }]);
      expect(() => error.result.get('a')).to.throw('Flow: task "a" was skipped: nothing to do');
    });

    it('an async hook whose promise rejects while the run is going', async () => {
      const tm = buildDag({ name: 'Flow' });
      tm.addNode({ name: 'a' }, () => 1);
      tm.addNode({ name: 'slow' }, () => settle(3).then(() => 2));
      const error = await rejectionOf(
        tm.invoke(undefined, {
          hooks: {
            onTaskSuccess: async ({ task }) => {
              if (task === 'a') throw hookBug;
            },
          },
        }),
        WorkflowExecutionError,
      );
      expect(error.message).to.equal('Flow: the onTaskSuccess hook of task "a" rejected: hook bug');
      expect(error.failures).to.deep.equal([{ task: 'a', error: hookBug }]);
      expect(error.result.get('a')).to.equal(1);
    });

    it('lists the hooks among the other failures, with failFast: false', async () => {
      const tm = buildDag({ name: 'Flow' });
      tm.addNode({ name: 'a' }, () => {
        throw new Error('a broke');
      });
      tm.addNode({ name: 'b' }, () => 'b');
      tm.addNode({ name: 'c' }, () => 'c');
      const error = await rejectionOf(
        tm.invoke(undefined, {
          failFast: false,
          hooks: {
            onTaskStart: ({ task }) => {
              if (task === 'c') throw hookBug;
            },
            onTaskFailure: ({ task }) => {
              if (task === 'a') throw hookBug;
            },
          },
        }),
        WorkflowExecutionError,
      );
      expect(error.message).to.equal(
        'Flow: task "a" failed: a broke (and 2 more: the onTaskFailure hook of "a", the onTaskStart hook of "c")',
      );
      expect(error.failures.map(({ task }) => task)).to.deep.equal(['a', 'a', 'c']);
    });

    it('names a hook only for the failures a run made: an error built by hand is read as given', async () => {
      const error = await rejectionOf(
        flow(() => 1).invoke(undefined, { hooks: { onTaskStart: explode } }),
        WorkflowExecutionError,
      );
      const other = new Error('something else');
      const rebuilt = new WorkflowExecutionError('Flow', 'a', other, error.failures, error.result);
      expect(rebuilt.message).to.equal('Flow: task "a" failed: something else');
      const none = new WorkflowExecutionError('Flow', 'a', hookBug, [], error.result);
      expect(none.message).to.equal('Flow: task "a" failed: hook bug');
      // The run's own entries keep their hook, wherever they are listed.
      const listed = new WorkflowExecutionError(
        'Flow',
        'b',
        other,
        [{ task: 'b', error: other }, ...error.failures],
        error.result,
      );
      expect(listed.message).to.equal(
        'Flow: task "b" failed: something else (and 1 more: the onTaskStart hook of "a")',
      );
    });

    it("names the hook in the reason of the run's aborted signal", async () => {
      const tm = buildDag({ name: 'Flow' });
      let reason: unknown;
      tm.addNode(
        { name: 'waiting' },
        (signal: AbortSignal) =>
          settle(3).then(() => {
            reason = signal.reason;
          }),
        SIGNAL,
      );
      tm.addNode({ name: 'a' }, () => 1);
      await rejectionOf(
        tm.invoke(undefined, {
          hooks: {
            onTaskSuccess: ({ task }) => {
              if (task === 'a') throw hookBug;
            },
          },
        }),
        WorkflowExecutionError,
      );
      expect(reason).to.have.property(
        'message',
        'Flow: run stopped because task "a" failed: its onTaskSuccess hook threw: hook bug',
      );
    });
  });
});
