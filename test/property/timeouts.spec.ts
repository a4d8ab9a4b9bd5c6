/**
 * Timeouts on real timers: tasks that hang (ignoring their signal, giving up when it aborts, or
 * rejecting long after their timeout) among quick ones. A timed-out attempt counts as settled at
 * its timeout, its signal aborts with the `TaskTimeoutError`, and its abandoned promise never
 * becomes an unhandled rejection.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import '../support/fuzz';
import { TaskTimeoutError, Workflow, WorkflowExecutionError } from '../../src';
import { declareTask } from '../support/declare-task';
import { deferred, settle, sleep } from '../support/event-log';

/** How a task behaves on every attempt. */
type Behaviour = 'quick' | 'hang' | 'hang-until-aborted' | 'reject-after-timeout';

interface TimedTaskSpec {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly behaviour: Behaviour;
  /** Milliseconds; only hanging tasks have one (so quick tasks can never time out on a slow machine). */
  readonly timeout: number | undefined;
  readonly retries: number;
}

const timedWorkflowArbitrary = fc
  .array(
    fc.record({
      dependencyOffsets: fc.array(fc.nat(3), { maxLength: 2 }),
      behaviour: fc.constantFrom<Behaviour>(
        'quick',
        'quick',
        'hang',
        'hang-until-aborted',
        'reject-after-timeout',
      ),
      timeout: fc.integer({ min: 1, max: 4 }),
      retries: fc.nat(1),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((raws) => {
    const tasks: TimedTaskSpec[] = raws.map((raw, index) => ({
      name: `t${index}`,
      dependsOn: index === 0 ? [] : raw.dependencyOffsets.map((o) => `t${index - 1 - (o % index)}`),
      behaviour: raw.behaviour,
      timeout: raw.behaviour === 'quick' ? undefined : raw.timeout,
      retries: raw.retries,
    }));
    const describe = () =>
      tasks
        .map(
          (task) =>
            `${task.name} <- [${task.dependsOn.join(', ')}] ${task.behaviour}` +
            (task.timeout === undefined ? '' : ` timeout ${task.timeout}`) +
            (task.retries > 0 ? ` retries ${task.retries}` : ''),
        )
        .join('\n');
    return Object.assign(tasks, { [fc.toStringMethod]: describe });
  });

interface TimedEvent {
  readonly type: 'start' | 'settle' | 'aborted' | 'timedOut' | 'runSettled';
  readonly task: string;
  readonly attempt: number;
  readonly reason?: unknown;
}

/**
 * `gaveUp` collects, per attempt of a `reject-after-timeout` task, a promise that resolves as its
 * body rejects: the spec waits for them before it looks for unhandled rejections.
 */
function buildTimedWorkflow(
  tasks: readonly TimedTaskSpec[],
  events: TimedEvent[],
  gaveUp: Promise<void>[],
): object {
  const Timed = class TimedWorkflow {};
  const prototype = Timed.prototype;
  for (const task of tasks) {
    let attempts = 0;
    const body = async (...args: unknown[]) => {
      const attempt = ++attempts;
      const signal = args.at(-1) as AbortSignal;
      events.push({ type: 'start', task: task.name, attempt });
      signal.addEventListener('abort', () =>
        events.push({ type: 'aborted', task: task.name, attempt, reason: signal.reason }),
      );
      switch (task.behaviour) {
        case 'quick':
          await sleep(attempt % 2);
          events.push({ type: 'settle', task: task.name, attempt });
          return attempt;
        case 'hang':
          return new Promise(() => {});
        case 'hang-until-aborted':
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          events.push({ type: 'settle', task: task.name, attempt });
          throw signal.reason;
        case 'reject-after-timeout': {
          const rejecting = deferred();
          gaveUp.push(rejecting.promise);
          // Late by its signal, not by a timer of its own: under load Node.js may fire a longer
          // timer first (it runs every due timer of one duration before the next duration's),
          // and the body would then reject before its timeout instead of after it.
          if (!signal.aborted)
            await new Promise((resolve) => signal.addEventListener('abort', resolve));
          await sleep(5);
          events.push({ type: 'settle', task: task.name, attempt });
          rejecting.resolve();
          throw new Error(`${task.name} gave up late`);
        }
      }
    };
    declareTask(prototype, task.name, body, {
      dependsOn: task.dependsOn,
      options: { retries: task.retries, timeout: task.timeout },
      signalIndex: task.dependsOn.length,
    });
  }
  return new Timed();
}

describe('task timeouts on random workflows (property-based, real timers)', function () {
  this.timeout(60_000);
  const unhandled: unknown[] = [];
  const onUnhandledRejection = (reason: unknown) => unhandled.push(reason);
  before(() => process.on('unhandledRejection', onUnhandledRejection));
  after(() => process.off('unhandledRejection', onUnhandledRejection));

  it('settles every attempt or times it out, aborts its signal and leaves nothing unhandled', async function () {
    await fc.assert(
      fc.asyncProperty(timedWorkflowArbitrary, async (tasks) => {
        unhandled.length = 0;
        const events: TimedEvent[] = [];
        const gaveUp: Promise<void>[] = [];
        const instance = buildTimedWorkflow(tasks, events, gaveUp);
        let error: unknown;
        await Workflow.invoke(instance, undefined, {
          hooks: {
            onTaskRetry: ({ task, attempt, error }) =>
              events.push({ type: 'timedOut', task, attempt, reason: error }),
            onTaskFailure: ({ task, attempt, error }) =>
              events.push({ type: 'timedOut', task, attempt, reason: error }),
          },
        }).catch((caught: unknown) => {
          error = caught;
        });
        events.push({ type: 'runSettled', task: '', attempt: 0 });
        const settledAt = events.length - 1;

        const hangs = tasks.filter((task) => task.behaviour !== 'quick');
        const byName = new Map(tasks.map((task) => [task.name, task]));
        for (const [index, start] of events.entries()) {
          if (start.type !== 'start') continue;
          const task = byName.get(start.task)!;
          expect(start.attempt, `attempts of ${task.name}`).to.be.at.most(1 + task.retries);
          const ending = events.findIndex(
            (event, at) =>
              at > index &&
              (event.type === 'settle' || event.type === 'timedOut') &&
              event.task === start.task &&
              event.attempt === start.attempt,
          );
          expect(
            ending,
            `${start.task}#${start.attempt} neither settled nor timed out`,
          ).to.be.within(0, settledAt);
          if (task.behaviour === 'quick') continue;
          // A hanging attempt ends by its timeout, or by giving up when a stopped run aborted it.
          const ended = events[ending];
          const aborted = events.find(
            (event) =>
              event.type === 'aborted' &&
              event.task === start.task &&
              event.attempt === start.attempt,
          );
          expect(aborted, `the signal of ${start.task}#${start.attempt} aborts`).to.not.equal(
            undefined,
          );
          if (ended.type === 'timedOut') {
            expect(ended.reason).to.be.instanceOf(TaskTimeoutError);
            expect(ended.reason).to.include({ task: task.name, timeoutMs: task.timeout });
            expect((ended.reason as Error).message)
              .to.contain('TimedWorkflow')
              .and.contain(task.name);
          }
          if (ended.type === 'settle' || aborted!.reason !== ended.reason) {
            expect(aborted!.reason, 'the run stopped first').to.have.property('name', 'AbortError');
            expect(error, 'only a failed run aborts attempts itself').to.be.instanceOf(
              WorkflowExecutionError,
            );
          }
        }

        if (hangs.length === 0) {
          expect(error).to.equal(undefined);
        } else {
          expect(error).to.be.instanceOf(WorkflowExecutionError);
          const failure = error as WorkflowExecutionError;
          expect(hangs.map((task) => task.name)).to.include(failure.task);
          expect(failure.cause).to.be.instanceOf(TaskTimeoutError);
        }
        // Late rejections of abandoned attempts arrive after their timeouts: wait them out (every
        // such body gives up once its signal aborted, which the checks above saw), then one turn
        // for Node.js to report a rejection nobody handled.
        await Promise.all(gaveUp);
        await settle();
        expect(unhandled, 'unhandled rejections').to.deep.equal([]);
      }),
      { numRuns: 25, timeout: 5_000 },
    );
  });
});
