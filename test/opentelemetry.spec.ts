/**
 * `async-dag/opentelemetry` (API.md §9) against the real OpenTelemetry SDK: spans, their parents,
 * attributes, events and statuses, with an `AsyncLocalStorageContextManager` as a Node.js service
 * would register it — and the guarantees that must hold without one.
 */
import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type ContextManager,
  type HrTime,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import {
  buildDag,
  DependsOn,
  Param,
  Signal,
  skip,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type ExecutionResult,
  type RunInterceptorInfo,
  type WorkflowInterceptor,
} from '../src';
import { openTelemetry } from '../src/opentelemetry';
import { deferred, recordProcessEvents, rejectionOf, sleep } from './support/event-log';
import { hostileValues } from './support/hostile-values';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
/** The application's own tracer, for the caller's spans and spans made inside task bodies. */
const appTracer = () => trace.getTracer('app');

/** The finished span named `name`; fails when there is not exactly one. */
function span(name: string): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  const found = spans.filter((candidate) => candidate.name === name);
  expect(
    found,
    `spans named "${name}" among ${spans.map((s) => s.name).join(', ')}`,
  ).to.have.length(1);
  return found[0];
}

/** Every finished span named `name`, in the order they ended. */
function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((candidate) => candidate.name === name);
}

/** Each attempt span's attempt number, outcome and status (code and message), for comparing. */
function attemptOutcomes(spans: readonly ReadableSpan[]): unknown[][] {
  return spans.map((s) => [
    s.attributes['async_dag.task.attempt'],
    s.attributes['async_dag.attempt.outcome'],
    s.status.code,
    s.status.message,
  ]);
}

function isChildOf(child: ReadableSpan, parent: ReadableSpan | Span): boolean {
  const { traceId, spanId } = parent.spanContext();
  return child.spanContext().traceId === traceId && child.parentSpanContext?.spanId === spanId;
}

const millis = ([seconds, nanos]: HrTime) => seconds * 1e3 + nanos / 1e6;

/**
 * A tracer making the SDK's spans (exported as the others are) that counts their end() calls (the
 * SDK itself ignores a second one) and logs every start and end in the order the interceptor made
 * them: `Flow.task #n` is the n-th span started.
 */
function countingTracer() {
  const ended: { name: string; ends: number }[] = [];
  const order: string[] = [];
  const sdkTracer = provider.getTracer('counting');
  const tracer = {
    startSpan(...args: Parameters<Tracer['startSpan']>) {
      const started = sdkTracer.startSpan(...args);
      const record = { name: args[0], ends: 0 };
      const span = `${args[0]} #${ended.push(record)}`;
      order.push(`start ${span}`);
      const end = started.end.bind(started);
      started.end = (endTime) => {
        record.ends++;
        order.push(`end ${span}`);
        end(endTime);
      };
      return started;
    },
  } as unknown as Tracer;
  return { tracer, ended, order };
}

/** A tracer whose spans throw from every method but `spanContext`. */
function brokenTracer(): Tracer {
  const refuse = () => {
    throw new Error('span broken');
  };
  const brokenSpan = new Proxy(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), {
    get: (target, key) => (key === 'spanContext' ? () => target.spanContext() : refuse),
  });
  return { startSpan: () => brokenSpan } as unknown as Tracer;
}

class Seed {
  @Task() async fetchUser(@Param() id: number) {
    await sleep(2);
    return { id };
  }
  // Starts from the `.then` of fetchUser's promise.
  @Task() @DependsOn('fetchUser') cart(user: { id: number }) {
    return [user.id];
  }
  @Task() prices() {
    return 3;
  }
  @Task() @DependsOn('cart', 'prices') total(cart: number[], prices: number) {
    return cart.length * prices;
  }
}

/**
 * A one-task workflow whose first attempt settles only when `late` does, and an interceptor that
 * gives up on that attempt without waiting for it (the task retries at once; its retry returns
 * `'second'`).
 */
function givenUpFirstAttempt() {
  const late = deferred<string>();
  let calls = 0;
  class Flow {
    @Task({ retries: 1 }) slow() {
      return ++calls === 1 ? late.promise : 'second';
    }
  }
  const impatient: WorkflowInterceptor = {
    task: (info, next) => {
      if (info.attempt > 1) return next();
      void next();
      return Promise.reject(new Error('gave up'));
    },
  };
  return { late, Flow, impatient };
}
/**
 * A workflow whose two tasks call `look` where context is to be checked: at the start of `first`,
 * after an await in it, and in `second`, which depends on it.
 */
function lookingFlow(look: (where: string) => void) {
  class Flow {
    @Task() async first() {
      look('first');
      await sleep(1);
      look('first, after an await');
    }
    @Task() @DependsOn('first') second() {
      look('second');
    }
  }
  return Flow;
}

describe('openTelemetry()', () => {
  let unhandled: ReturnType<typeof recordProcessEvents>;

  // Registered as a Node.js service does at start-up; undone in after().
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });

  after(async () => {
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  beforeEach(() => {
    exporter.reset();
    unhandled = recordProcessEvents('unhandledRejection');
  });

  afterEach(async () => {
    // Late settlements of abandoned attempts happen after the run: let them surface first.
    await sleep(5);
    unhandled.stop();
    expect(unhandled.received, 'unhandled rejections').to.deep.equal([]);
  });

  describe('spans and their parents', () => {
    it('makes a run span named after the workflow, a child of the span active at invoke', async () => {
      const result = await appTracer().startActiveSpan('request', async (request) => {
        try {
          return await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
        } finally {
          request.end();
        }
      });
      expect(result.get('total')).to.equal(3);
      const run = span('Seed');
      expect(isChildOf(run, span('request'))).to.equal(true);
      expect(run.kind).to.equal(SpanKind.INTERNAL);
    });

    it('makes one span per attempt, <workflow>.<task>, each a child of the run span — also a task started by its dependency', async () => {
      await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
      const run = span('Seed');
      const names = ['Seed.fetchUser', 'Seed.cart', 'Seed.prices', 'Seed.total'];
      for (const name of names) {
        expect(isChildOf(span(name), run), `${name} is a child of the run span`).to.equal(true);
      }
      // cart and total start in the callbacks of their dependencies' promises: still not their
      // children.
      expect(isChildOf(span('Seed.cart'), span('Seed.fetchUser'))).to.equal(false);
      expect(exporter.getFinishedSpans().map((s) => s.name)).to.have.members([...names, 'Seed']);
    });

    it('makes spans a task body creates children of its attempt span, before and after an await', async () => {
      const seen: (string | undefined)[] = [];
      class Flow {
        @Task() async query() {
          appTracer().startSpan('sync child').end();
          await sleep(1);
          seen.push(trace.getActiveSpan()?.spanContext().spanId);
          await appTracer().startActiveSpan('async child', async (child) => {
            await sleep(1);
            child.end();
          });
        }
      }
      await Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] });
      const attempt = span('Flow.query');
      expect(isChildOf(span('sync child'), attempt)).to.equal(true);
      expect(isChildOf(span('async child'), attempt)).to.equal(true);
      expect(seen).to.deep.equal([attempt.spanContext().spanId]);
    });

    it('parents a retry started after its delay, and the tasks after it, on the run span', async () => {
      let calls = 0;
      class Flow {
        @Task({ retries: 2, retryDelay: 3 }) flaky() {
          if (++calls < 3) throw new Error(`failure ${calls}`);
          return calls;
        }
        @Task() @DependsOn('flaky') after(flaky: number) {
          return flaky;
        }
      }
      await Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] });
      const run = span('Flow');
      const attempts = spansNamed('Flow.flaky');
      expect(attempts.map((s) => s.attributes['async_dag.task.attempt'])).to.deep.equal([1, 2, 3]);
      for (const attempt of [...attempts, span('Flow.after')]) {
        expect(isChildOf(attempt, run)).to.equal(true);
      }
    });

    it('parents an attempt on its run span even when it starts in another context (an abort from elsewhere)', async () => {
      // The abort arrives during flaky's retry wait, inside the caller's "aborter" span: the
      // allSettled cleanup task starts synchronously within that call.
      const controller = new AbortController();
      class Flow {
        @Task({ retries: 1, retryDelay: 1_000 }) flaky() {
          throw new Error('flaky');
        }
        @Task({ when: 'allSettled' }) @DependsOn('flaky') cleanup() {
          return 'cleaned';
        }
      }
      const run = Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        interceptors: [openTelemetry()],
      });
      await sleep(2);
      appTracer().startActiveSpan('aborter', (aborter) => {
        controller.abort(new Error('user left'));
        aborter.end();
      });
      const error = await rejectionOf(run, WorkflowAbortedError);
      expect(error.result.get('cleanup')).to.equal('cleaned');
      expect(isChildOf(span('Flow.cleanup'), span('Flow'))).to.equal(true);
    });

    it('keeps the context interceptors set around next() for the task body: baggage, values, before and after it', async () => {
      const tenant = createContextKey('tenant');
      const seen: unknown[][] = [];
      const look = (where: string) =>
        seen.push([
          where,
          context.active().getValue(tenant),
          propagation.getActiveBaggage()?.getEntry('user')?.value,
          trace.getActiveSpan()?.spanContext().spanId,
        ]);
      const Flow = lookingFlow(look);
      // A task interceptor listed before the tracer sets a value and baggage around next(); a run
      // interceptor listed after it sets another value around the run.
      const outerTask: WorkflowInterceptor = {
        task: ({ task }, next) => {
          const bag = propagation.createBaggage({ user: { value: `user of ${task}` } });
          return context.with(
            propagation.setBaggage(context.active(), bag).setValue(tenant, `tenant of ${task}`),
            next,
          );
        },
      };
      const runKey = createContextKey('run value');
      const innerRun: WorkflowInterceptor = {
        run: (_info, next) => context.with(context.active().setValue(runKey, 'set'), next),
        task: (_info, next) => {
          expect(context.active().getValue(runKey)).to.equal('set');
          return next();
        },
      };
      await Workflow.invoke(new Flow(), undefined, {
        interceptors: [outerTask, openTelemetry(), innerRun],
      });
      const first = span('Flow.first').spanContext().spanId;
      const second = span('Flow.second').spanContext().spanId;
      expect(seen).to.deep.equal([
        ['first', 'tenant of first', 'user of first', first],
        ['first, after an await', 'tenant of first', 'user of first', first],
        ['second', 'tenant of second', 'user of second', second],
      ]);
      // The attempt spans are still the run span's children, not of a span the outer one sets.
      expect(isChildOf(span('Flow.first'), span('Flow'))).to.equal(true);
    });

    it('keeps the context a task interceptor sets between two instances for the task body', async () => {
      // Two separate instances in one list (a framework's and the application's, each with its
      // tracer): the value set between them reaches the body, as without tracing.
      const tenant = createContextKey('tenant');
      const seen: unknown[][] = [];
      const look = (where: string) =>
        seen.push([
          where,
          context.active().getValue(tenant),
          trace.getActiveSpan()?.spanContext().spanId,
        ]);
      const Flow = lookingFlow(look);
      const between: WorkflowInterceptor = {
        task: ({ task }, next) =>
          context.with(context.active().setValue(tenant, `tenant of ${task}`), next),
      };
      await Workflow.invoke(new Flow(), undefined, {
        interceptors: [
          openTelemetry({ tracer: provider.getTracer('outer') }),
          between,
          openTelemetry({ tracer: provider.getTracer('inner') }),
        ],
      });
      const inner = (name: string) => {
        const found = spansNamed(name).filter((s) => s.instrumentationScope.name === 'inner');
        expect(found, name).to.have.length(1);
        return found[0];
      };
      const first = inner('Flow.first').spanContext().spanId;
      const second = inner('Flow.second').spanContext().spanId;
      expect(seen).to.deep.equal([
        ['first', 'tenant of first', first],
        ['first, after an await', 'tenant of first', first],
        ['second', 'tenant of second', second],
      ]);
    });

    it("gives a task started from another context the run's context, not the one it started in", async () => {
      // cleanup starts inside the body of aborter, within a context holding a value of its own.
      const key = createContextKey('value');
      const controller = new AbortController();
      let seen: unknown;
      class Flow {
        @Task({ retries: 1, retryDelay: 1_000 }) flaky() {
          throw new Error('flaky');
        }
        @Task() async aborter() {
          await sleep(2);
          context.with(context.active().setValue(key, 'the aborter'), () => controller.abort());
        }
        @Task({ when: 'allSettled' }) @DependsOn('flaky') cleanup() {
          seen = context.active().getValue(key);
        }
      }
      await context.with(context.active().setValue(key, 'the caller'), () =>
        rejectionOf(
          Workflow.invoke(new Flow(), undefined, {
            signal: controller.signal,
            interceptors: [openTelemetry()],
          }),
          WorkflowAbortedError,
        ),
      );
      expect(seen).to.equal('the caller');
      expect(isChildOf(span('Flow.cleanup'), span('Flow'))).to.equal(true);
    });

    it('keeps concurrent runs apart, even with the same workflow and param', async () => {
      const tracing = openTelemetry();
      await Promise.all([
        Workflow.invoke(new Seed(), 1, { interceptors: [tracing] }),
        Workflow.invoke(new Seed(), 1, { interceptors: [tracing] }),
      ]);
      const runs = spansNamed('Seed');
      expect(runs).to.have.length(2);
      expect(runs[0].spanContext().traceId).to.not.equal(runs[1].spanContext().traceId);
      for (const run of runs) {
        const children = exporter.getFinishedSpans().filter((s) => isChildOf(s, run));
        expect(children.map((s) => s.name)).to.have.members([
          'Seed.fetchUser',
          'Seed.cart',
          'Seed.prices',
          'Seed.total',
        ]);
      }
    });

    it('works with the builder: spans named after the DAG and its nodes', async () => {
      const tm = buildDag<number>({ name: 'checkout' });
      const increment = async (n: number) => n + 1;
      const first = tm.addNode({ name: 'first' }, increment, tm.parameterNode);
      const second = tm.addNode({ name: 'second' }, increment, first);
      const result = await tm.invoke(1, { interceptors: [openTelemetry()] });
      expect(second.extractResult(result)).to.equal(3);
      const run = span('checkout');
      expect(isChildOf(span('checkout.first'), run)).to.equal(true);
      expect(isChildOf(span('checkout.second'), run)).to.equal(true);

      // Unnamed, a builder is 'dag', as in its messages.
      const unnamed = buildDag();
      unnamed.addNode({ name: 'only' }, () => 1);
      await unnamed.invoke(undefined, { interceptors: [openTelemetry()] });
      expect(isChildOf(span('dag.only'), span('dag'))).to.equal(true);
    });

    it('nests a workflow invoked inside a task: its run span is a child of that attempt span', async () => {
      const tracing = openTelemetry();
      class Inner {
        @Task() async lookup(@Param() id: number) {
          await sleep(1);
          return id * 10;
        }
      }
      class Outer {
        attempts = 0;
        @Task({ retries: 1 }) async orders(@Param() id: number) {
          const inner = await Workflow.invoke(new Inner(), id, { interceptors: [tracing] });
          if (++this.attempts === 1) throw new Error('the first attempt fails after its inner run');
          return inner.get('lookup');
        }
        @Task() @DependsOn('orders') total(orders: number) {
          return orders;
        }
      }
      const result = await Workflow.invoke(new Outer(), 2, { interceptors: [tracing] });
      expect(result.get('total')).to.equal(20);
      const attempts = spansNamed('Outer.orders');
      expect(attempts.map((s) => s.attributes['async_dag.attempt.outcome'])).to.deep.equal([
        'failed',
        'succeeded',
      ]);
      // One inner run per attempt, each under the attempt that invoked it.
      const innerRuns = spansNamed('Inner');
      const innerAttempts = spansNamed('Inner.lookup');
      expect(innerRuns).to.have.length(2);
      expect(innerAttempts).to.have.length(2);
      for (const index of [0, 1]) {
        expect(isChildOf(innerRuns[index], attempts[index]), `inner run ${index + 1}`).to.equal(
          true,
        );
        expect(isChildOf(innerAttempts[index], innerRuns[index])).to.equal(true);
        expect(innerRuns[index].attributes['async_dag.run.outcome']).to.equal('succeeded');
      }
      expect(isChildOf(span('Outer.total'), span('Outer'))).to.equal(true);
    });

    it('nests a workflow invoked inside a task with an instance of its own, or untraced, under that attempt span', async () => {
      class Inner {
        @Task() async lookup(@Param() id: number) {
          await sleep(1);
          appTracer().startSpan(`query ${id}`).end();
          return id;
        }
      }
      class Outer {
        @Task() async traced() {
          // A module of its own, with its own interceptor.
          const inner = await Workflow.invoke(new Inner(), 1, { interceptors: [openTelemetry()] });
          return inner.get('lookup');
        }
        @Task() async untraced() {
          return (await Workflow.invoke(new Inner(), 2)).get('lookup');
        }
      }
      await Workflow.invoke(new Outer(), undefined, { interceptors: [openTelemetry()] });
      expect(isChildOf(span('Inner'), span('Outer.traced'))).to.equal(true);
      expect(isChildOf(span('Inner.lookup'), span('Inner'))).to.equal(true);
      expect(isChildOf(span('query 1'), span('Inner.lookup'))).to.equal(true);
      // Untraced, the inner run makes no span: what its task bodies make is under the outer attempt.
      expect(isChildOf(span('query 2'), span('Outer.untraced'))).to.equal(true);
    });

    it('traces a streamed run the same way', async () => {
      const stream = Workflow.stream(new Seed(), 2, { interceptors: [openTelemetry()] });
      for await (const event of stream) void event;
      await stream.result;
      expect(isChildOf(span('Seed.total'), span('Seed'))).to.equal(true);
    });

    it('has ended every span of a stream left early (break) once the loop is left: the run aborted', async () => {
      const { tracer, ended } = countingTracer();
      class Flow {
        @Task() async first() {
          await sleep(1);
          return 1;
        }
        @Task() @DependsOn('first') async second(_first: number, @Signal() signal: AbortSignal) {
          await new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(new Error('stopped')));
          });
        }
        @Task() @DependsOn('second') third() {
          return 3;
        }
        @Task({ when: 'allSettled' }) @DependsOn('third') cleanup() {
          return 'cleaned';
        }
      }
      const stream = Workflow.stream(new Flow(), undefined, {
        interceptors: [openTelemetry({ tracer })],
      });
      for await (const event of stream) {
        if (event.type === 'taskStart' && event.task === 'second') break;
      }
      // Leaving the loop is enough (no await of stream.result): a service may flush right away.
      expect(ended).to.have.deep.members([
        { name: 'Flow', ends: 1 },
        { name: 'Flow.first', ends: 1 },
        { name: 'Flow.second', ends: 1 },
        { name: 'Flow.cleanup', ends: 1 },
      ]);
      expect(span('Flow').attributes).to.include({
        'async_dag.run.outcome': 'aborted',
        'error.type': 'AbortError',
        'async_dag.run.tasks.succeeded': 2,
        'async_dag.run.tasks.failed': 1,
        'async_dag.run.tasks.skipped': 0,
      });
      expect(span('Flow').status.code).to.equal(SpanStatusCode.ERROR);
      expect(span('Flow.second').attributes).to.include({
        'async_dag.attempt.outcome': 'failed',
        'error.type': 'Error',
      });
      expect(span('Flow.cleanup').attributes['async_dag.attempt.outcome']).to.equal('succeeded');
      await rejectionOf(stream.result, WorkflowAbortedError);
    });
  });

  describe('attributes, statuses and events', () => {
    it('names the workflow, the task and the attempt, and counts tasks by status on the run span', async () => {
      await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
      expect(span('Seed').attributes).to.deep.equal({
        'async_dag.workflow.name': 'Seed',
        'async_dag.run.outcome': 'succeeded',
        'async_dag.run.tasks.succeeded': 4,
        'async_dag.run.tasks.failed': 0,
        'async_dag.run.tasks.skipped': 0,
        'async_dag.run.tasks.recovered': 0,
      });
      expect(span('Seed.cart').attributes).to.deep.equal({
        'async_dag.workflow.name': 'Seed',
        'async_dag.task.name': 'cart',
        'async_dag.task.attempt': 1,
        'async_dag.attempt.outcome': 'succeeded',
      });
      for (const finished of exporter.getFinishedSpans()) {
        expect(finished.status.code).to.equal(SpanStatusCode.UNSET);
        expect(finished.events).to.deep.equal([]);
      }
    });

    it('makes every span, the run and its attempts, of kind INTERNAL', async () => {
      await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
      const finished = exporter.getFinishedSpans();
      expect(finished).to.have.length(5);
      for (const each of finished) expect(each.kind, each.name).to.equal(SpanKind.INTERNAL);
    });

    it('uses the instrumentation scope async-dag, at the version in package.json', async () => {
      const { version } = JSON.parse(
        readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8'),
      ) as { version: string };
      await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
      for (const finished of exporter.getFinishedSpans()) {
        expect(finished.instrumentationScope).to.include({ name: 'async-dag', version });
      }
    });

    it('records a failed attempt and a failed run: the exception, and status ERROR', async () => {
      class Flow {
        @Task() broken(): number {
          throw new TypeError('boom');
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
        WorkflowExecutionError,
      );
      const attempt = span('Flow.broken');
      expect(attempt.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'boom' });
      expect(attempt.attributes['async_dag.attempt.outcome']).to.equal('failed');
      expect(attempt.events.map((event) => event.name)).to.deep.equal(['exception']);
      expect(attempt.events[0].attributes).to.include({
        'exception.type': 'TypeError',
        'exception.message': 'boom',
      });
      expect(attempt.events[0].attributes?.['exception.stacktrace']).to.contain('TypeError: boom');

      const run = span('Flow');
      expect(run.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: error.message });
      expect(run.events[0].attributes).to.include({
        'exception.type': 'WorkflowExecutionError',
        'exception.message': 'Flow: task "broken" failed: boom',
      });
      expect(run.attributes).to.include({
        'async_dag.run.outcome': 'failed',
        'async_dag.run.tasks.failed': 1,
      });
    });

    it("sets error.type, the exception's type, on every failed attempt and failed or aborted run, and only there", async () => {
      const controller = new AbortController();
      let calls = 0;
      class Flow {
        @Task({ retries: 1 }) flaky(): number {
          if (++calls === 1) throw new RangeError('first');
          return 1;
        }
        @Task() @DependsOn('flaky') thrower(): number {
          throw 'plain text';
        }
        @Task() async wait(@Signal() signal: AbortSignal) {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }
      }
      await rejectionOf(
        Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
        WorkflowExecutionError,
      );
      const errorTypes = (name: string) =>
        spansNamed(name).map((each) => each.attributes['error.type']);
      expect(errorTypes('Flow.flaky')).to.deep.equal(['RangeError', undefined]);
      expect(errorTypes('Flow.thrower')).to.deep.equal(['string']);
      expect(errorTypes('Flow')).to.deep.equal(['WorkflowExecutionError']);

      exporter.reset();
      calls = 1;
      const aborted = Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        interceptors: [openTelemetry()],
        targets: ['wait'],
      });
      controller.abort(new Error('user left'));
      await rejectionOf(aborted, WorkflowAbortedError);
      expect(errorTypes('Flow')).to.deep.equal(['AbortError']);
      expect(errorTypes('Flow.wait')).to.deep.equal([undefined]);
    });

    it('makes each retry its own span, numbered, the failed ones with status ERROR', async () => {
      let calls = 0;
      class Flow {
        @Task({ retries: 2 }) flaky() {
          if (++calls < 3) throw new Error(`failure ${calls}`);
          return calls;
        }
      }
      await Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] });
      expect(attemptOutcomes(spansNamed('Flow.flaky'))).to.deep.equal([
        [1, 'failed', SpanStatusCode.ERROR, 'failure 1'],
        [2, 'failed', SpanStatusCode.ERROR, 'failure 2'],
        [3, 'succeeded', SpanStatusCode.UNSET, undefined],
      ]);
      expect(span('Flow').attributes['async_dag.run.tasks.succeeded']).to.equal(1);
    });

    it('ends an attempt that calls skip() as skipped, and lists every skipped task on the run span', async () => {
      class Shipping {
        @Task() route(@Param() express: boolean) {
          return express ? 'express' : 'standard';
        }
        @Task() @DependsOn('route') express(route: string) {
          if (route !== 'express') skip('standard order');
          return 'booked express';
        }
        @Task() @DependsOn('route') standard(route: string) {
          return `booked ${route}`;
        }
        // Never starts: its dependency was skipped.
        @Task() @DependsOn('express') expressLabel(booking: string) {
          return booking;
        }
      }
      await Workflow.invoke(new Shipping(), false, { interceptors: [openTelemetry()] });

      const express = span('Shipping.express');
      expect(express.status.code).to.equal(SpanStatusCode.UNSET);
      expect(express.events).to.deep.equal([]);
      expect(express.attributes).to.include({
        'async_dag.attempt.outcome': 'skipped',
        'async_dag.task.skip_reason': 'standard order',
      });
      expect(spansNamed('Shipping.expressLabel')).to.deep.equal([]);

      const run = span('Shipping');
      expect(run.status.code).to.equal(SpanStatusCode.UNSET);
      expect(run.attributes).to.include({
        'async_dag.run.outcome': 'succeeded',
        'async_dag.run.tasks.succeeded': 2,
        'async_dag.run.tasks.skipped': 2,
      });
      expect(run.events.map(({ name, attributes }) => ({ name, attributes }))).to.deep.equal([
        {
          name: 'async_dag.task.skipped',
          attributes: {
            'async_dag.task.name': 'express',
            'async_dag.task.skip_reason': 'standard order',
            'async_dag.task.attempts': 1,
          },
        },
        {
          name: 'async_dag.task.skipped',
          attributes: {
            'async_dag.task.name': 'expressLabel',
            'async_dag.task.skip_reason': 'dependency "express" was skipped',
            'async_dag.task.attempts': 0,
          },
        },
      ]);
      // Each event at the time of the skip (not all at the end), within the run span.
      const [expressSkipped, labelSkipped] = run.events.map((event) => millis(event.time));
      expect(expressSkipped).to.be.within(millis(run.startTime), millis(run.endTime));
      expect(labelSkipped).to.be.within(expressSkipped, millis(run.endTime));
    });

    it('dates a skipped event when the task was skipped, not when the run settled', async () => {
      const skipped = deferred();
      class Flow {
        @Task() early() {
          skip('not today');
        }
        // Ends 100 ms after the run saw the skip: not on a timer started with the run, which a
        // process descheduled for a while on a loaded machine would see fire with the skip.
        @Task() async slow() {
          await skipped.promise;
          await sleep(100);
          return 1;
        }
      }
      await Workflow.invoke(new Flow(), undefined, {
        interceptors: [openTelemetry()],
        hooks: { onTaskSkip: () => skipped.resolve() },
      });
      const run = span('Flow');
      expect(run.events.map((event) => event.name)).to.deep.equal(['async_dag.task.skipped']);
      const skippedAt = millis(run.events[0].time);
      // `early` skipped at once; the run settled only when `slow` ended, 100 ms later.
      expect(skippedAt).to.be.within(millis(run.startTime), millis(run.endTime) - 50);
    });

    it('dates skipped events within the run span when no task reached it (an interceptor before it answered)', async () => {
      class Flow {
        @Task() first() {
          return 1;
        }
        @Task() @DependsOn('first') second(first: number) {
          return first + 1;
        }
      }
      await Workflow.invoke(new Flow(), undefined, {
        interceptors: [{ task: () => skip('served from elsewhere') }, openTelemetry()],
      });
      expect(spansNamed('Flow.first')).to.deep.equal([]);
      const run = span('Flow');
      expect(run.events.map((event) => event.attributes?.['async_dag.task.name'])).to.deep.equal([
        'first',
        'second',
      ]);
      for (const event of run.events) {
        expect(millis(event.time)).to.be.within(millis(run.startTime), millis(run.endTime));
      }
    });

    it('dates skipped and recovered events by the run, also when a run interceptor inside it starts the run late', async () => {
      class Flow {
        @Task() async skipper() {
          await sleep(10);
          skip('nothing new');
        }
        @Task({ fallback: () => 0 }) async recovering(): Promise<number> {
          await sleep(20);
          throw new Error('pricing service down');
        }
      }
      // A lock or a rate limiter: the run starts 100 ms after its span.
      const queued: WorkflowInterceptor = {
        run: async (_info, next) => {
          await sleep(100);
          return next();
        },
      };
      await Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry(), queued] });
      const run = span('Flow');
      expect(run.events.map((event) => event.name)).to.have.members([
        'async_dag.task.skipped',
        'async_dag.task.recovered',
      ]);
      const at = (name: string) => millis(run.events.find((event) => event.name === name)!.time);
      // Each event after its task had run for 10 (20) ms, not ~100 ms before its task started;
      // and within the run span.
      expect(at('async_dag.task.skipped')).to.be.within(
        millis(span('Flow.skipper').startTime) + 5,
        millis(run.endTime),
      );
      expect(at('async_dag.task.recovered')).to.be.within(
        millis(span('Flow.recovering').startTime) + 15,
        millis(run.endTime),
      );
    });

    it('dates a skipped event by the run, also when a task interceptor outside it calls it late', async () => {
      const skipped = deferred();
      class Flow {
        @Task() async skipper() {
          await sleep(10);
          skip('nothing new');
        }
        // Ends 200 ms after the run saw the skip (not on a timer started with the run: see above).
        @Task() async slow() {
          await skipped.promise;
          await sleep(200);
          return 1;
        }
      }
      // Listed before openTelemetry(): every attempt reaches it 200 ms after it started.
      const throttled: WorkflowInterceptor = {
        task: async (_info, next) => {
          await sleep(200);
          return next();
        },
      };
      await Workflow.invoke(new Flow(), undefined, {
        interceptors: [throttled, openTelemetry()],
        hooks: { onTaskSkip: () => skipped.resolve() },
      });
      const run = span('Flow');
      expect(run.events.map((event) => event.name)).to.deep.equal(['async_dag.task.skipped']);
      // When skipper's attempt span ended, not ~200 ms later (the run went on 200 ms more). The
      // margin of 100 ms is for a process descheduled for a while on a loaded machine: the time
      // of the event comes from clock readings taken a few microtasks apart from the span's end.
      const skipper = span('Flow.skipper');
      expect(millis(run.events[0].time)).to.be.within(
        millis(skipper.startTime) + 5,
        millis(skipper.endTime) + 100,
      );
    });

    it('names what a task throws that is not an object by its type, and describes it as the message', async () => {
      const recorded: unknown[] = [];
      for (const thrown of [null, undefined, 42, 'down']) {
        exporter.reset();
        class Flow {
          @Task() broken() {
            throw thrown;
          }
        }
        await rejectionOf(
          Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
          WorkflowExecutionError,
        );
        const attempt = span('Flow.broken');
        recorded.push([
          attempt.events[0].attributes?.['exception.type'],
          attempt.events[0].attributes?.['exception.message'],
          attempt.status.message,
        ]);
      }
      expect(recorded).to.deep.equal([
        ['null', 'null', 'null'],
        ['undefined', 'undefined', 'undefined'],
        ['number', '42', '42'],
        ['string', 'down', 'down'],
      ]);
    });

    it("uses an error's name as its message when it has none", async () => {
      class Flow {
        @Task() broken(): number {
          throw new RangeError();
        }
      }
      await rejectionOf(
        Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
        WorkflowExecutionError,
      );
      const attempt = span('Flow.broken');
      expect(attempt.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'RangeError' });
      expect(attempt.events[0].attributes).to.include({
        'exception.type': 'RangeError',
        'exception.message': 'RangeError',
      });
    });

    it('treats an error merely named TaskSkipped as a failure', async () => {
      class Flow {
        @Task() impostor() {
          const error = new Error('not from skip()');
          error.name = 'TaskSkipped';
          throw error;
        }
      }
      await rejectionOf(
        Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
        WorkflowExecutionError,
      );
      expect(span('Flow.impostor').status.code).to.equal(SpanStatusCode.ERROR);
      expect(span('Flow').events.map((event) => event.name)).to.deep.equal(['exception']);
    });

    it('shows a task its fallback recovered: a failed attempt, and an event on the run span', async () => {
      class Flow {
        @Task({ fallback: () => 0 }) discount(): number {
          throw new Error('pricing service down');
        }
      }
      await Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] });
      expect(span('Flow.discount').status.code).to.equal(SpanStatusCode.ERROR);
      const run = span('Flow');
      expect(run.status.code).to.equal(SpanStatusCode.UNSET);
      expect(run.attributes).to.include({
        'async_dag.run.tasks.succeeded': 1,
        'async_dag.run.tasks.recovered': 1,
      });
      expect(run.events.map(({ name, attributes }) => ({ name, attributes }))).to.deep.equal([
        {
          name: 'async_dag.task.recovered',
          attributes: {
            'async_dag.task.name': 'discount',
            'async_dag.task.recovered_from': 'pricing service down',
          },
        },
      ]);
    });

    it('marks an aborted run: outcome aborted, status ERROR', async () => {
      const controller = new AbortController();
      class Flow {
        @Task() async wait(@Signal() signal: AbortSignal) {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }
      }
      const run = Workflow.invoke(new Flow(), undefined, {
        signal: controller.signal,
        interceptors: [openTelemetry()],
      });
      controller.abort(new Error('user left'));
      await rejectionOf(run, WorkflowAbortedError);
      expect(span('Flow').attributes['async_dag.run.outcome']).to.equal('aborted');
      expect(span('Flow').status).to.deep.equal({
        code: SpanStatusCode.ERROR,
        message: 'Flow: the run was aborted: user left',
      });
    });

    it('leaves a task a hook failed without a failed attempt span; the run span names the hook', async () => {
      class Flow {
        @Task() started() {
          return 1;
        }
        @Task() succeeded() {
          return 2;
        }
      }
      const run = Workflow.invoke(new Flow(), undefined, {
        interceptors: [openTelemetry()],
        failFast: false,
        hooks: {
          onTaskStart({ task }) {
            if (task === 'started') throw new Error('start hook bug');
          },
          onTaskSuccess() {
            throw new Error('success hook bug');
          },
        },
      });
      const error = await rejectionOf(run, WorkflowExecutionError);
      expect(error.result.trace.map(({ task, status }) => [task, status])).to.deep.equal([
        ['started', 'failed'],
        ['succeeded', 'failed'],
      ]);
      // onTaskStart kept its attempt from being called; onTaskSuccess failed the task after it.
      expect(spansNamed('Flow.started')).to.deep.equal([]);
      expect(span('Flow.succeeded').attributes['async_dag.attempt.outcome']).to.equal('succeeded');
      expect(span('Flow.succeeded').status.code).to.equal(SpanStatusCode.UNSET);
      const runSpan = span('Flow');
      expect(runSpan.attributes['async_dag.run.tasks.failed']).to.equal(2);
      expect(runSpan.status.message).to.equal(
        'Flow: task "started" failed: its onTaskStart hook threw: start hook bug (and 1 more: the onTaskSuccess hook of "succeeded")',
      );
    });
  });

  describe('attempts the run stops waiting for', () => {
    it('ends the span of a timed-out attempt at its timeout, failed, even if its body ends well later', async () => {
      const late = deferred<string>();
      let calls = 0;
      class Flow {
        @Task({ timeout: 5, retries: 1, retryDelay: 200 }) slow() {
          return ++calls === 1 ? late.promise : 'second';
        }
      }
      // The first attempt's body succeeds 10 ms after its timeout (counted from the retry it
      // causes, not from the start: under load a 15 ms timer may fire before the 5 ms timeout).
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [openTelemetry()],
        hooks: { onTaskRetry: () => void sleep(10).then(() => late.resolve('too late')) },
      });
      expect(result.get('slow')).to.equal('second');
      const [first, second] = spansNamed('Flow.slow');
      expect(first.attributes).to.include({
        'async_dag.task.attempt': 1,
        'async_dag.attempt.outcome': 'failed',
      });
      expect(first.status.code).to.equal(SpanStatusCode.ERROR);
      expect(first.events.map((event) => event.attributes?.['exception.type'])).to.deep.equal([
        'TaskTimeoutError',
      ]);
      // Ended at the timeout, well before the retry (200 ms later) started: a margin that a
      // process descheduled for a while on a loaded machine still keeps.
      expect(millis(first.endTime)).to.be.below(millis(second.startTime) - 20);
      expect(second.attributes['async_dag.attempt.outcome']).to.equal('succeeded');
    });

    it('ends an abandoned span once, even when the next attempt cannot get a span', async () => {
      const ends: number[] = [];
      let started = 0;
      // Spans that count their end() calls; the third span asked for (the retry's) is refused.
      const tracer = {
        startSpan() {
          if (++started === 3) throw new Error('no more spans');
          const index = ends.push(0) - 1;
          const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
          span.end = () => {
            ends[index]++;
          };
          return span;
        },
      } as unknown as Tracer;
      let calls = 0;
      class Flow {
        @Task({ timeout: 5, retries: 1 }) slow() {
          return ++calls === 1 ? new Promise(() => {}) : 'second';
        }
      }
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [openTelemetry({ tracer })],
      });
      expect(result.get('slow')).to.equal('second');
      expect(ends).to.deep.equal([1, 1]); // the run span, the abandoned first attempt
    });

    it('ends an attempt an outer interceptor gave up on when the next attempt starts, and only once', async () => {
      const { late, Flow, impatient } = givenUpFirstAttempt();
      const { tracer, ended, order } = countingTracer();
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [impatient, openTelemetry({ tracer })],
      });
      expect(result.get('slow')).to.equal('second');
      const [first, second] = spansNamed('Flow.slow');
      expect(first.attributes).to.include({
        'async_dag.task.attempt': 1,
        'async_dag.attempt.outcome': 'abandoned',
      });
      expect(first.status.code).to.equal(SpanStatusCode.ERROR);
      // Ended as the retry started, not when the run settled.
      expect(order.slice(0, 4)).to.deep.equal([
        'start Flow #1',
        'start Flow.slow #2',
        'end Flow.slow #2',
        'start Flow.slow #3',
      ]);
      expect(second.attributes).to.include({
        'async_dag.task.attempt': 2,
        'async_dag.attempt.outcome': 'succeeded',
      });
      // The abandoned body succeeding later neither ends its span again nor changes it.
      late.resolve('too late');
      await sleep(1);
      expect(ended).to.deep.equal([
        { name: 'Flow', ends: 1 },
        { name: 'Flow.slow', ends: 1 },
        { name: 'Flow.slow', ends: 1 },
      ]);
      expect(spansNamed('Flow.slow')[0].attributes['async_dag.attempt.outcome']).to.equal(
        'abandoned',
      );
    });

    it('ends the span of an attempt still running when the run settles', async () => {
      const never = new Promise<number>(() => {});
      class Flow {
        @Task() hangs() {
          return never;
        }
      }
      // An outer interceptor that stops waiting for the attempt: the run settles without it.
      const impatient: WorkflowInterceptor = {
        task: (_info, next) => {
          void next();
          return 'gave up';
        },
      };
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [impatient, openTelemetry()],
      });
      expect(result.get('hangs')).to.equal('gave up');
      const attempt = span('Flow.hangs');
      expect(attempt.attributes['async_dag.attempt.outcome']).to.equal('abandoned');
      expect(attempt.status.code).to.equal(SpanStatusCode.ERROR);
      // Status ERROR asks for error.type; with no exception, the conventions take a name.
      expect(attempt.attributes['error.type']).to.equal('async_dag.abandoned');
      expect(millis(attempt.endTime)).to.be.at.most(millis(span('Flow').endTime) + 1);
    });

    it('lets a late next() end or abandon no span: an outer interceptor that answers at once and refreshes later', async () => {
      const { tracer, ended, order } = countingTracer();
      const running = deferred();
      const release = deferred<string>();
      let calls = 0;
      class Flow {
        @Task({ retries: 1 }) fetch() {
          calls++;
          running.resolve();
          return release.promise;
        }
      }
      // "Serve cached, refresh later": answers attempt 1 at once (stale: an error, so the task
      // retries) and calls its next() later — which the run refuses, not calling the task.
      let refresh: (() => Promise<unknown>) | undefined;
      const staleFirst: WorkflowInterceptor = {
        task: (info, next) => {
          if (info.attempt > 1) return next();
          refresh = next;
          return Promise.reject(new Error('stale'));
        },
      };
      const run = Workflow.invoke(new Flow(), undefined, {
        interceptors: [staleFirst, openTelemetry({ tracer })],
      });
      await running.promise; // attempt 2 runs
      const refused = await rejectionOf(refresh!(), Error);
      expect(refused.message).to.contain('next() of task "fetch" (attempt 1) was called after');
      release.resolve('fresh');
      const result = await run;
      expect(result.get('fetch')).to.equal('fresh');
      expect(calls).to.equal(1);
      // Attempt 2's span, ended once by its own outcome; no span for the refused call.
      expect(order).to.deep.equal([
        'start Flow #1',
        'start Flow.fetch #2',
        'end Flow.fetch #2',
        'end Flow #1',
      ]);
      expect(ended).to.deep.equal([
        { name: 'Flow', ends: 1 },
        { name: 'Flow.fetch', ends: 1 },
      ]);
      const attempt = span('Flow.fetch');
      expect(attempt.attributes).to.include({
        'async_dag.task.attempt': 2,
        'async_dag.attempt.outcome': 'succeeded',
      });
      expect(attempt.status.code).to.equal(SpanStatusCode.UNSET);
    });

    it("makes no span for a late next() of a task's last attempt, during the run or after it", async () => {
      const { tracer, order } = countingTracer();
      const refreshes: (() => Promise<unknown>)[] = [];
      const release = deferred<string>();
      class Flow {
        calls = 0;
        @Task() cached() {
          return ++this.calls;
        }
        @Task() slow() {
          return release.promise;
        }
      }
      const flow = new Flow();
      // "Serve cached, refresh later", with no retries: the attempt's outcome is 'stale' at once.
      const staleFirst: WorkflowInterceptor = {
        task: (info, next) => {
          if (info.task === 'slow') return next();
          refreshes.push(next);
          return 'stale';
        },
      };
      const run = Workflow.invoke(flow, undefined, {
        interceptors: [staleFirst, openTelemetry({ tracer })],
      });
      await sleep(5);
      const during = await rejectionOf(refreshes[0](), Error);
      release.resolve('done');
      const result = await run;
      expect(result.get('cached')).to.equal('stale');
      const after = await rejectionOf(refreshes[0](), Error);
      expect(during.message).to.contain('next() of task "cached" (attempt 1) was called after');
      expect(after).to.equal(during);
      expect(flow.calls).to.equal(0);
      expect(order).to.deep.equal([
        'start Flow #1',
        'start Flow.slow #2',
        'end Flow.slow #2',
        'end Flow #1',
      ]);
    });

    it('gives each layer of an instance listed twice its own span, nested, ended by its own next()', async () => {
      const { tracer, order } = countingTracer();
      let calls = 0;
      class Flow {
        @Task({ retries: 1 }) flaky() {
          if (++calls === 1) throw new Error('once');
          appTracer().startSpan('body').end();
          return calls;
        }
      }
      const tracing = openTelemetry({ tracer });
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [tracing, tracing],
      });
      expect(result.get('flaky')).to.equal(2);
      expect(order).to.deep.equal([
        'start Flow #1',
        'start Flow #2',
        'start Flow.flaky #3',
        'start Flow.flaky #4',
        'end Flow.flaky #4',
        'end Flow.flaky #3',
        'start Flow.flaky #5',
        'start Flow.flaky #6',
        'end Flow.flaky #6',
        'end Flow.flaky #5',
        'end Flow #2',
        'end Flow #1',
      ]);
      // In the order they ended: inner, outer (attempt 1), then inner, outer (attempt 2).
      const [inner1, outer1, inner2, outer2] = spansNamed('Flow.flaky');
      expect(attemptOutcomes([inner1, outer1, inner2, outer2])).to.deep.equal([
        [1, 'failed', SpanStatusCode.ERROR, 'once'],
        [1, 'failed', SpanStatusCode.ERROR, 'once'],
        [2, 'succeeded', SpanStatusCode.UNSET, undefined],
        [2, 'succeeded', SpanStatusCode.UNSET, undefined],
      ]);
      const [innerRun, outerRun] = spansNamed('Flow');
      expect(isChildOf(innerRun, outerRun)).to.equal(true);
      expect(isChildOf(outer1, innerRun)).to.equal(true);
      expect(isChildOf(inner1, outer1)).to.equal(true);
      expect(isChildOf(outer2, innerRun)).to.equal(true);
      expect(isChildOf(inner2, outer2)).to.equal(true);
      expect(isChildOf(span('body'), inner2)).to.equal(true);
      for (const run of [innerRun, outerRun]) {
        expect(run.attributes).to.include({
          'async_dag.run.outcome': 'succeeded',
          'async_dag.run.tasks.succeeded': 1,
        });
      }
    });

    it("abandons every layer's span of an attempt given up on, innermost first, when the next attempt starts", async () => {
      const { late, Flow, impatient } = givenUpFirstAttempt();
      const { tracer, ended, order } = countingTracer();
      const tracing = openTelemetry({ tracer });
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [impatient, tracing, tracing],
      });
      expect(result.get('slow')).to.equal('second');
      expect(order).to.deep.equal([
        'start Flow #1',
        'start Flow #2',
        'start Flow.slow #3',
        'start Flow.slow #4',
        'end Flow.slow #4',
        'end Flow.slow #3',
        'start Flow.slow #5',
        'start Flow.slow #6',
        'end Flow.slow #6',
        'end Flow.slow #5',
        'end Flow #2',
        'end Flow #1',
      ]);
      late.resolve('too late');
      await sleep(1);
      expect(ended.map((record) => record.ends)).to.deep.equal([1, 1, 1, 1, 1, 1]);
      expect(
        spansNamed('Flow.slow').map((s) => [
          s.attributes['async_dag.task.attempt'],
          s.attributes['async_dag.attempt.outcome'],
          s.status.code,
        ]),
      ).to.deep.equal([
        [1, 'abandoned', SpanStatusCode.ERROR],
        [1, 'abandoned', SpanStatusCode.ERROR],
        [2, 'succeeded', SpanStatusCode.UNSET],
        [2, 'succeeded', SpanStatusCode.UNSET],
      ]);
    });

    it('ends the span of a timed-out attempt whose body never settles as failed, at its timeout', async () => {
      class Flow {
        @Task({ timeout: 5 }) hangs() {
          return new Promise(() => {});
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
        WorkflowExecutionError,
      );
      expect(error.cause).to.have.property('name', 'TaskTimeoutError');
      const attempt = span('Flow.hangs');
      expect(attempt.attributes['async_dag.attempt.outcome']).to.equal('failed');
      expect(attempt.status.code).to.equal(SpanStatusCode.ERROR);
      expect(span('Flow').status.message).to.contain('timed out after 5 ms');
    });
  });

  describe('tracers', () => {
    it('uses the tracer given in options instead of the global one', async () => {
      const ownExporter = new InMemorySpanExporter();
      const ownProvider = new BasicTracerProvider({
        spanProcessors: [new SimpleSpanProcessor(ownExporter)],
      });
      await Workflow.invoke(new Seed(), 7, {
        interceptors: [openTelemetry({ tracer: ownProvider.getTracer('mine') })],
      });
      expect(exporter.getFinishedSpans()).to.deep.equal([]);
      const own = ownExporter.getFinishedSpans();
      expect(own.map((s) => s.name)).to.have.members([
        'Seed',
        'Seed.fetchUser',
        'Seed.cart',
        'Seed.prices',
        'Seed.total',
      ]);
      expect(own[0].instrumentationScope.name).to.equal('mine');
      await ownProvider.shutdown();
    });

    it('asks the global provider at each run, so a provider registered later is used', async () => {
      const tracing = openTelemetry();
      trace.disable();
      try {
        await Workflow.invoke(new Seed(), 7, { interceptors: [tracing] });
        expect(exporter.getFinishedSpans()).to.deep.equal([]);
      } finally {
        trace.setGlobalTracerProvider(provider);
      }
      await Workflow.invoke(new Seed(), 7, { interceptors: [tracing] });
      expect(exporter.getFinishedSpans()).to.have.length(5);
    });

    it('registers nothing global', async () => {
      const globals = Symbol.for('opentelemetry.js.api.1');
      const registry = (globalThis as unknown as Record<symbol, Record<string, unknown>>)[globals];
      const before = { ...registry };
      const ownProvider = new BasicTracerProvider();
      await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
      await Workflow.invoke(new Seed(), 7, {
        interceptors: [openTelemetry({ tracer: ownProvider.getTracer('mine') })],
      });
      expect({ ...registry }).to.deep.equal(before);
      for (const key of Object.keys(before)) expect(registry[key]).to.equal(before[key]);
    });

    it('rejects options that are not an object, or a tracer that is not a tracer', () => {
      expect(() => openTelemetry(null as never)).to.throw(
        TypeError,
        'options must be an object, got null',
      );
      expect(() => openTelemetry({ tracer: {} as Tracer })).to.throw(
        TypeError,
        'the tracer must be an OpenTelemetry Tracer (with a startSpan method), got an object',
      );
      expect(() => openTelemetry({ tracer: 'tracer' as never })).to.throw(TypeError, 'a string');
      expect(() => openTelemetry({ tracer: (() => {}) as never })).to.throw(
        TypeError,
        'a function',
      );
      expect(() => openTelemetry(undefined)).to.not.throw();
    });

    it('rejects options or a tracer given as a promise not awaited, or options given as an array', () => {
      // Each has no own keys: read as options, it would trace with the global provider's tracer.
      const tracer = provider.getTracer('test');
      expect(() => openTelemetry(Promise.resolve({ tracer }) as never)).to.throw(
        TypeError,
        'openTelemetry(options): options must be an object, got a promise. Await it first.',
      );
      expect(() => openTelemetry([] as never)).to.throw(
        TypeError,
        'openTelemetry(options): options must be an object, got an array.',
      );
      expect(() => openTelemetry({ tracer: Promise.resolve(tracer) as never })).to.throw(
        TypeError,
        'the tracer must be an OpenTelemetry Tracer (with a startSpan method), got a promise. ' +
          'Await it first.',
      );
    });

    it('rejects a promise not awaited whatever the global Promise is, and from another realm', () => {
      const tracer = provider.getTracer('test');
      // What an `async` function returns is the language's promise, also with bluebird or
      // zone.js as the global `Promise`; a vm context (jest's) makes promises of its own.
      const loadOptions = async () => ({ tracer });
      const fromRealm = vm.runInNewContext('Promise.resolve({})') as Promise<unknown>;
      const NativePromise = Promise;
      const refusals: string[] = [];
      globalThis.Promise = class Replacement {} as unknown as PromiseConstructor;
      try {
        for (const options of [loadOptions(), { tracer: loadOptions() }, fromRealm]) {
          try {
            openTelemetry(options as never);
            refusals.push('accepted');
          } catch (error) {
            refusals.push((error as Error).message);
          }
        }
      } finally {
        globalThis.Promise = NativePromise;
      }
      expect(refusals).to.deep.equal([
        'openTelemetry(options): options must be an object, got a promise. Await it first.',
        'openTelemetry({ tracer }): the tracer must be an OpenTelemetry Tracer (with a startSpan ' +
          'method), got a promise. Await it first.',
        'openTelemetry(options): options must be an object, got a promise. Await it first.',
      ]);
    });

    it('says to call getTracer when given a tracer provider, or the trace API, as the tracer', () => {
      for (const notATracer of [new BasicTracerProvider(), trace]) {
        expect(() => openTelemetry({ tracer: notATracer as never })).to.throw(
          TypeError,
          'the tracer must be an OpenTelemetry Tracer (with a startSpan method), got an object ' +
            "with a getTracer method: a TracerProvider, or the trace API. Pass its getTracer('…') " +
            'instead.',
        );
      }
    });

    it('rejects an unknown option, rather than falling back to the global tracer', () => {
      const { tracer } = countingTracer();
      expect(() => openTelemetry({ tarcer: tracer } as never)).to.throw(
        TypeError,
        'openTelemetry(options): unknown option "tarcer". Its only option is "tracer".',
      );
      expect(() => openTelemetry({ tracer: undefined })).to.not.throw();
    });

    it('says options that cannot be read could not be read, keeping what reading threw as the cause', () => {
      // As buildDag, formatTimeline and invoke say it: a getter or a Proxy trap of the caller's.
      const getterError = new Error('no tracer today');
      const trapError = new Error('no keys');
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      const rows: [label: string, options: unknown, cause: unknown, shown: string][] = [
        [
          'a throwing tracer getter',
          {
            get tracer() {
              throw getterError;
            },
          },
          getterError,
          'no tracer today',
        ],
        [
          'a Proxy whose ownKeys trap throws',
          new Proxy(
            {},
            {
              ownKeys: () => {
                throw trapError;
              },
            },
          ),
          trapError,
          'no keys',
        ],
        [
          'a tracer whose startSpan getter throws',
          {
            tracer: {
              get startSpan() {
                throw getterError;
              },
            },
          },
          getterError,
          'no tracer today',
        ],
      ];
      for (const [label, options, cause, shown] of rows) {
        let thrown: unknown;
        try {
          openTelemetry(options as never);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, label).to.be.instanceOf(TypeError);
        expect((thrown as TypeError).message, label).to.equal(
          `openTelemetry(options): options could not be read: ${shown}`,
        );
        expect((thrown as TypeError).cause, label).to.equal(cause);
      }
      expect(() => openTelemetry(revoked.proxy as never)).to.throw(
        TypeError,
        /^openTelemetry\(options\): options could not be read: Cannot perform 'ownKeys' on a proxy that has been revoked$/,
      );
    });
  });

  describe('without a context manager', () => {
    beforeEach(() => context.disable());
    afterEach(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    });

    it('still parents every attempt on its run span', async () => {
      await Workflow.invoke(new Seed(), 7, { interceptors: [openTelemetry()] });
      const run = span('Seed');
      for (const name of ['Seed.fetchUser', 'Seed.cart', 'Seed.prices', 'Seed.total']) {
        expect(isChildOf(span(name), run), name).to.equal(true);
      }
    });

    it('runs tasks once even when the context manager throws', async () => {
      const refusing: ContextManager = {
        active: () => ROOT_CONTEXT,
        // Refuses the contexts the interceptor sets (they hold a span), not the SDK's own.
        with: (active, fn, thisArg, ...args) => {
          if (trace.getSpan(active) !== undefined) throw new Error('no context today');
          return fn.call(thisArg, ...args);
        },
        bind: (_context, target) => target,
        enable() {
          return this;
        },
        disable() {
          return this;
        },
      };
      context.setGlobalContextManager(refusing);
      try {
        let calls = 0;
        class Flow {
          @Task() once() {
            return ++calls;
          }
        }
        const result = await Workflow.invoke(new Flow(), undefined, {
          interceptors: [openTelemetry()],
        });
        expect(result.get('once')).to.equal(1);
        expect(isChildOf(span('Flow.once'), span('Flow'))).to.equal(true);
      } finally {
        context.disable();
      }
    });
  });

  describe('never changes a run', () => {
    for (const [label, thrown] of [
      ...hostileValues(),
      ['undefined', undefined],
      ['a number', 42],
      ['a long string', 'x'.repeat(10_000)],
      ['a plain object', { code: 'E_DOWN' }],
      ['null', null],
      ['an object whose toJSON gives nothing', { toJSON: () => undefined }],
    ] as [string, unknown][]) {
      it(`records ${label} thrown by a task, and the run rejects with it as its cause`, async () => {
        class Flow {
          @Task() broken() {
            throw thrown;
          }
        }
        const error = await rejectionOf(
          Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
          WorkflowExecutionError,
        );
        expect(error.cause).to.equal(thrown);
        const attempt = span('Flow.broken');
        expect(attempt.status.code).to.equal(SpanStatusCode.ERROR);
        expect(attempt.status.message).to.be.a('string').and.not.equal('');
        expect(attempt.status.message!.length).to.be.at.most(501);
        expect(attempt.events.map((event) => event.name)).to.deep.equal(['exception']);
      });
    }

    /** The status message of the span of a task that throws `thrown`. */
    async function statusMessageWhenThrowing(thrown: unknown): Promise<string> {
      exporter.reset();
      class Flow {
        @Task() broken() {
          throw thrown;
        }
      }
      await Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }).catch(
        () => undefined,
      );
      return span('Flow.broken').status.message!;
    }

    it('describes what it cannot read: a plain object as JSON, a revoked Proxy by its kind', async () => {
      const messages: string[] = [];
      const long = `${'x'.repeat(499)}😀${'x'.repeat(100)}`;
      for (const thrown of [{ code: 'E_DOWN' }, hostileValues()[2][1], undefined, long]) {
        messages.push(await statusMessageWhenThrowing(thrown));
      }
      expect(messages.slice(0, 3)).to.deep.equal(['{"code":"E_DOWN"}', 'an object', 'undefined']);
      // Long text is cut at 500 characters, never between the halves of a surrogate pair.
      expect(messages[3]).to.equal(`${'x'.repeat(499)}…`);
    });

    it('keeps a description of exactly 500 characters whole, and cuts one of 501', async () => {
      const messages: string[] = [];
      for (const thrown of ['y'.repeat(500), 'y'.repeat(501)]) {
        messages.push(await statusMessageWhenThrowing(thrown));
      }
      expect(messages).to.deep.equal(['y'.repeat(500), `${'y'.repeat(500)}…`]);
    });

    it('runs the workflow untraced when the tracer throws', async () => {
      const throwing = {
        startSpan() {
          throw new Error('tracer broken');
        },
      } as unknown as Tracer;
      const result = await Workflow.invoke(new Seed(), 7, {
        interceptors: [openTelemetry({ tracer: throwing })],
      });
      expect(result.get('total')).to.equal(3);
    });

    it('keeps the outcome when every span method throws', async () => {
      const tracer = brokenTracer();
      let calls = 0;
      class Flow {
        @Task({ retries: 1 }) flaky() {
          if (++calls === 1) throw new Error('once');
          return calls;
        }
        @Task() @DependsOn('flaky') skipper() {
          skip('nothing to do');
        }
      }
      const result = await Workflow.invoke(new Flow(), undefined, {
        interceptors: [openTelemetry({ tracer })],
      });
      expect(result.get('flaky')).to.equal(2);
      expect(result.trace.map((entry) => entry.status)).to.deep.equal(['succeeded', 'skipped']);

      class Broken {
        @Task() broken(): number {
          throw new Error('boom');
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Broken(), undefined, { interceptors: [openTelemetry({ tracer })] }),
        WorkflowExecutionError,
      );
      expect(error.task).to.equal('broken');
    });

    it('keeps the outcome when every span method throws, for attempts it abandons too', async () => {
      let calls = 0;
      class Flow {
        @Task({ timeout: 5, retries: 1 }) hangs() {
          calls++;
          return new Promise(() => {});
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flow(), undefined, {
          interceptors: [openTelemetry({ tracer: brokenTracer() })],
        }),
        WorkflowExecutionError,
      );
      expect(error.cause).to.have.property('name', 'TaskTimeoutError');
      expect(calls).to.equal(2);
    });

    it('passes on what inner interceptors throw, whatever it is', async () => {
      for (const thrown of ['a string', hostileValues()[2][1]]) {
        exporter.reset();
        let error: unknown;
        await Workflow.invoke(new Seed(), 7, {
          interceptors: [
            openTelemetry(),
            {
              run: async (_info, next) => {
                await next();
                throw thrown;
              },
            },
          ],
        }).then(undefined, (rejection: unknown) => {
          // Kept in a variable: returning a revoked Proxy from a callback would make the promise
          // read its `then`.
          error = rejection;
        });
        expect(error).to.equal(thrown);
        expect(span('Seed').status.code).to.equal(SpanStatusCode.ERROR);
        expect(span('Seed').attributes['async_dag.run.outcome']).to.equal('failed');
      }
    });

    it('records a failure when it cannot find the skip markers, and still does not throw', async () => {
      const registry = (globalThis as unknown as Record<symbol, Record<string, unknown>>)[
        Symbol.for('async-dag.shared.v1')
      ];
      const markers = registry['skip markers'];
      delete registry['skip markers'];
      try {
        class Flow {
          @Task() broken(): number {
            throw new Error('boom');
          }
        }
        await rejectionOf(
          Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry()] }),
          WorkflowExecutionError,
        );
        expect(span('Flow.broken').status.code).to.equal(SpanStatusCode.ERROR);
      } finally {
        registry['skip markers'] = markers;
      }
    });

    it('passes on what inner interceptors return, even a result that is not one', async () => {
      const unreadable = {
        get trace(): never {
          throw new Error('no trace here');
        },
      };
      for (const replacement of ['done', unreadable]) {
        exporter.reset();
        const replace: WorkflowInterceptor = {
          run: async (_info, next) => (await next(), replacement),
        };
        const outcome = await Workflow.invoke(new Seed(), 7, {
          interceptors: [openTelemetry(), replace],
        });
        expect(outcome).to.equal(replacement);
        expect(span('Seed').attributes).to.deep.equal({
          'async_dag.workflow.name': 'Seed',
          'async_dag.run.outcome': 'succeeded',
        });
      }
    });

    it('records the outcome and the error of a run whose result an inner interceptor replaced with a trace of its own', async () => {
      // A run interceptor that answers with a summary: its `trace` lists task names, not entries.
      const summarize = (result: { trace: readonly { task: string }[] }) => ({
        trace: result.trace.map((entry) => entry.task),
      });
      const summarizing: WorkflowInterceptor = {
        run: async (_info, next) => {
          try {
            return summarize((await next()) as ExecutionResult);
          } catch (error) {
            const { result } = error as WorkflowExecutionError;
            throw Object.assign(new Error('checkout failed'), { result: summarize(result) });
          }
        },
      };
      class Flow {
        @Task() works(@Param() fails: boolean) {
          if (fails) throw new Error('out of stock');
          return 'done';
        }
      }
      const summary = await Workflow.invoke(new Flow(), false, {
        interceptors: [openTelemetry(), summarizing],
      });
      expect(summary).to.deep.equal({ trace: ['works'] });
      expect(span('Flow').attributes).to.deep.equal({
        'async_dag.workflow.name': 'Flow',
        'async_dag.run.outcome': 'succeeded',
      });
      exporter.reset();
      await rejectionOf(
        Workflow.invoke(new Flow(), true, { interceptors: [openTelemetry(), summarizing] }),
        Error,
      );
      const failed = span('Flow');
      expect(failed.attributes).to.deep.equal({
        'async_dag.workflow.name': 'Flow',
        'async_dag.run.outcome': 'failed',
        'error.type': 'Error',
      });
      expect(failed.status).to.deep.equal({
        code: SpanStatusCode.ERROR,
        message: 'checkout failed',
      });
      expect(failed.events.map((event) => event.name)).to.deep.equal(['exception']);
    });

    it('records an error for a run whose inner run interceptor forgot to return next()', async () => {
      // `await next()` without `return`: invoke rejects, and the run span must not say succeeded.
      const forgetful: WorkflowInterceptor = {
        run: async (_info, next) => {
          await next();
        },
      };
      class Flow {
        @Task() works() {
          return 'done';
        }
      }
      const error = await rejectionOf(
        Workflow.invoke(new Flow(), undefined, { interceptors: [openTelemetry(), forgetful] }),
        TypeError,
      );
      const run = span('Flow');
      expect(run.attributes).to.include({
        'async_dag.run.outcome': 'failed',
        'error.type': 'TypeError',
      });
      expect(run.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: error.message });
      expect(span('Flow.works').status.code).to.not.equal(SpanStatusCode.ERROR);
    });

    it('traces an attempt it is called for outside a run: under the active span', async () => {
      const tracing = openTelemetry();
      const run: RunInterceptorInfo = { workflow: 'Manual', param: undefined };
      const value = await appTracer().startActiveSpan('caller', async (caller) => {
        try {
          return await tracing.task!(
            {
              workflow: 'Manual',
              task: 'step',
              attempt: 1,
              param: undefined,
              run,
              signal: new AbortController().signal,
            },
            () => Promise.resolve(5),
          );
        } finally {
          caller.end();
        }
      });
      expect(value).to.equal(5);
      expect(isChildOf(span('Manual.step'), span('caller'))).to.equal(true);
    });
  });
});

describe('the async-dag/opentelemetry entry point', () => {
  const source = (file: string) =>
    ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);

  /** Module specifiers `file` loads at run time (type-only imports and exports excluded). */
  function runtimeImports(file: string): string[] {
    const specifiers: string[] = [];
    for (const statement of source(file).statements) {
      if (ts.isImportDeclaration(statement)) {
        const clause = statement.importClause;
        const typeOnly =
          clause !== undefined &&
          (clause.isTypeOnly ||
            (clause.name === undefined &&
              clause.namedBindings !== undefined &&
              ts.isNamedImports(clause.namedBindings) &&
              clause.namedBindings.elements.every((element) => element.isTypeOnly)));
        if (!typeOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
      } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
        if (!statement.isTypeOnly) {
          specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
        }
      }
    }
    return specifiers;
  }

  const srcDirectory = path.resolve(__dirname, '..', 'src');

  it('loads only @opentelemetry/api at run time: nothing of the core', () => {
    expect(runtimeImports(path.join(srcDirectory, 'opentelemetry.ts'))).to.deep.equal([
      '@opentelemetry/api',
    ]);
  });

  it('is never loaded by the core, and the core never loads @opentelemetry/api', () => {
    const seen = new Set<string>();
    const pending = [path.join(srcDirectory, 'index.ts')];
    const external = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of runtimeImports(file)) {
        if (specifier.startsWith('.'))
          pending.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
        else external.add(specifier);
      }
    }
    expect(seen.has(path.join(srcDirectory, 'opentelemetry.ts'))).to.equal(false);
    expect(seen.size).to.be.greaterThan(10);
    expect([...external].filter((name) => name.includes('opentelemetry'))).to.deep.equal([]);
  });

  it('is exported by package.json, with @opentelemetry/api an optional peer dependency', () => {
    const manifest = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8'),
    ) as Record<string, any>;
    expect(manifest.exports['./opentelemetry']).to.deep.equal({
      import: { types: './dist/esm/opentelemetry.d.ts', default: './dist/esm/opentelemetry.js' },
      require: { types: './dist/cjs/opentelemetry.d.ts', default: './dist/cjs/opentelemetry.js' },
    });
    // TypeScript's node10 resolution (TS 5's default for CommonJS projects) ignores "exports".
    expect(manifest.typesVersions).to.deep.equal({
      '*': { opentelemetry: ['./dist/cjs/opentelemetry.d.ts'] },
    });
    expect(manifest.peerDependencies).to.have.property('@opentelemetry/api');
    expect(manifest.peerDependenciesMeta).to.deep.equal({
      '@opentelemetry/api': { optional: true },
    });
    expect(manifest.dependencies).to.not.have.property('@opentelemetry/api');
  });
});
