/**
 * The NestJS sample's Server-Sent Events endpoint (`samples/nestjs/checkout.controller.ts`) over a
 * real connection: the app listens on 127.0.0.1 and a client reads the `text/event-stream` with
 * Node's `fetch`, as a browser's `EventSource` would.
 */
import {
  INestApplication,
  Injectable,
  MessageEvent,
  Module,
  OnModuleDestroy,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import {
  CONTEXT,
  DependsOn,
  Task,
  Workflow,
  WorkflowDefinitionError,
  type TaskContext,
  type WorkflowStream,
} from '../src';
import { ActiveRuns } from '../samples/nestjs/active-runs';
import { CheckoutHttpModule } from '../samples/nestjs/checkout-http.module';
import { CheckoutController } from '../samples/nestjs/checkout.controller';
import { CheckoutWorkflow } from '../samples/nestjs/checkout.workflow';
import { PricingService } from '../samples/nestjs/pricing.service';
import { UserRepository } from '../samples/nestjs/users.repository';
import { errorMessage, workflowEvents } from '../samples/nestjs/workflow-events';
import { deferred, recordProcessEvents, settle } from './support/event-log';

/** One dispatched Server-Sent Event: its `event:` field and its `data:`, parsed as JSON. */
interface ServerSentEvent {
  type: string;
  data: any;
}

/**
 * The events of a `text/event-stream` body as they arrive, parsed by the WHATWG rules a client
 * follows: `field: value` lines, `:` comments ignored, `data:` lines joined, and an event
 * dispatched at a blank line if it has data (`id:` and `retry:` are read past).
 */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let unread = '';
  let type = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      unread += decoder.decode(value, { stream: true });
      const lines = unread.split('\n');
      unread = lines.pop()!;
      for (const line of lines.map((line) => line.replace(/\r$/, ''))) {
        if (line === '') {
          if (data.length > 0) yield { type: type || 'message', data: JSON.parse(data.join('\n')) };
          type = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const fieldValue = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = fieldValue;
        else if (field === 'data') data.push(fieldValue);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Every event of the stream at `url`, once the server has ended it, and the response. */
async function readAll(url: string): Promise<{ response: Response; events: ServerSentEvent[] }> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  const events: ServerSentEvent[] = [];
  for await (const event of serverSentEvents(response.body!)) events.push(event);
  return { response, events };
}

/** `type task` for each event (`result` and `failure` have no task), to compare sequences. */
const summary = (events: ServerSentEvent[]) =>
  events.map(({ type, data }) => (data.task === undefined ? type : `${type} ${data.task}`));

/** Every app {@link listen} booted, and the promise of its closing once {@link close} was called. */
const booted = new Map<INestApplication, Promise<void> | undefined>();

/**
 * Boots `module` as an HTTP app on a free port of 127.0.0.1 and returns it with its base URL.
 * Closing it closes the connections still open (`forceCloseConnections`): a test that failed while
 * an event stream was open must not keep `app.close()` waiting for its client, nor the process up.
 */
async function listen(module: object): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module, { logger: false, forceCloseConnections: true });
  booted.set(app, undefined);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

/** Closes `app` once: a later call returns the same closing. */
function close(app: INestApplication): Promise<void> {
  let closing = booted.get(app);
  if (closing === undefined) booted.set(app, (closing = app.close()));
  return closing;
}

/**
 * The sample's HTTP module, its workflow's providers in a module it imports (the sample's shape),
 * with `pricing` for the pricing service.
 */
function httpModulePricedBy(pricing: Type<PricingService>): Type<unknown> {
  @Module({
    providers: [UserRepository, CheckoutWorkflow, { provide: PricingService, useClass: pricing }],
    exports: [CheckoutWorkflow],
  })
  class CheckoutPricedByModule {}

  @Module({
    imports: [CheckoutPricedByModule],
    controllers: [CheckoutController],
    providers: [ActiveRuns],
  })
  class HttpModule {}
  return HttpModule;
}

describe('NestJS Server-Sent Events (samples/nestjs/checkout.controller.ts)', () => {
  // The apps a test did not get to close, as it failed or timed out: a server left listening would
  // keep mocha from exiting.
  after(() => Promise.all([...booted.keys()].map(close)));

  describe('CheckoutHttpModule on a real HTTP port', () => {
    let app: INestApplication | undefined;
    let url: string;

    before(async () => ({ app, url } = await listen(CheckoutHttpModule)));
    after(() => app && close(app));

    const twoBooksAndAPen = () => `${url}/checkout/events?userId=u1&items=book:2,pen:1`;

    it('answers with an uncached text/event-stream', async () => {
      const { response } = await readAll(twoBooksAndAPen());

      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/event-stream\b/);
      expect(response.headers.get('cache-control')).to.include('no-cache');
    });

    it("sends each workflow event as a message of the event's type, in order, then the results", async () => {
      const { events } = await readAll(twoBooksAndAPen());
      const sequence = summary(events);

      // loadUser and subtotal run in parallel: which of them succeeds first is not the sample's to say.
      expect(sequence.slice(0, 2)).to.deep.equal(['taskStart loadUser', 'taskStart subtotal']);
      expect(sequence.slice(2, 4)).to.have.members([
        'taskSuccess loadUser',
        'taskSuccess subtotal',
      ]);
      expect(sequence.slice(4)).to.deep.equal([
        'taskStart discount',
        'taskSuccess discount',
        'taskStart invoice',
        'taskSuccess invoice',
        'result',
      ]);
      for (const { type, data } of events.slice(0, -1)) expect(data.type).to.equal(type);
      const invoice = { customer: 'Ada', subtotal: 5_300, discount: 530, total: 4_770 };
      expect(events.find((event) => event.data.task === 'invoice' && event.type === 'taskSuccess'))
        .to.have.nested.property('data.value')
        .that.deep.equals(invoice);
      expect(events.at(-1)!.data).to.deep.equal({
        loadUser: { id: 'u1', name: 'Ada', tier: 'gold' },
        subtotal: 5_300,
        discount: 530,
        invoice,
      });
    });

    it("orders the messages as the run went: a task starts after its dependencies' successes and before its own; time never decreases", async () => {
      const { events } = await readAll(twoBooksAndAPen());
      const position = (type: string, task: string) =>
        events.findIndex((event) => event.type === type && event.data.task === task);

      for (const { name, dependsOn } of Workflow.graph(CheckoutWorkflow).tasks) {
        const started = position('taskStart', name);
        expect(started, `${name} started`).to.be.at.least(0);
        expect(position('taskSuccess', name), `${name} succeeded after it started`).to.be.above(
          started,
        );
        for (const dependency of dependsOn) {
          expect(started, `${name} started after ${dependency} succeeded`).to.be.above(
            position('taskSuccess', dependency),
          );
        }
      }
      const times = events.slice(0, -1).map((event) => event.data.time as number);
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    });

    it('ends a failing run with a failure message naming the task; the taskFailure event carries { name, message }', async () => {
      const { response, events } = await readAll(
        `${url}/checkout/events?userId=nobody&items=pen:1`,
      );

      expect(response.status).to.equal(200);
      expect(summary(events).slice(0, 2)).to.deep.equal([
        'taskStart loadUser',
        'taskStart subtotal',
      ]);
      const failure = events.find((event) => event.type === 'taskFailure');
      expect(failure?.data).to.include({ task: 'loadUser', attempt: 1, willRetry: false });
      expect(failure?.data.error).to.deep.equal({
        name: 'NotFoundException',
        message: 'no user "nobody"',
      });
      expect(summary(events)).to.not.include.members(['taskStart discount', 'result']);
      // Not "error": a browser's EventSource fires an error event of its own.
      expect(events.at(-1)).to.deep.equal({
        type: 'failure',
        data: {
          name: 'WorkflowExecutionError',
          message: 'CheckoutWorkflow: task "loadUser" failed: no user "nobody"',
          task: 'loadUser',
        },
      });
    });

    it('answers HEAD with the headers of the event stream, and starts no run', async () => {
      const users = app!.get(UserRepository, { strict: false });
      const lookups: string[] = [];
      const findById = users.findById;
      users.findById = (id) => (lookups.push(id), findById.call(users, id));
      try {
        const response = await fetch(twoBooksAndAPen(), { method: 'HEAD' });
        await settle(2);

        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.match(/^text\/event-stream\b/);
        expect(lookups, 'users looked up').to.deep.equal([]);
        expect(app!.get(ActiveRuns).size).to.equal(0);
      } finally {
        users.findById = findById;
      }
    });

    it("answers an EventSource's reconnection (Last-Event-ID) with 204 No Content, and starts no run", async () => {
      const users = app!.get(UserRepository, { strict: false });
      const lookups: string[] = [];
      const findById = users.findById;
      users.findById = (id) => (lookups.push(id), findById.call(users, id));
      try {
        // What a browser sends, by itself, once the stream ends or the connection drops mid-run.
        const response = await fetch(twoBooksAndAPen(), {
          headers: { accept: 'text/event-stream', 'last-event-id': '7' },
        });
        await settle(2);

        // Any status but 200 makes EventSource stop reconnecting; 204 is the one meant for it.
        expect(response.status).to.equal(204);
        expect(await response.text()).to.equal('');
        expect(lookups, 'users looked up').to.deep.equal([]);
        expect(app!.get(ActiveRuns).size).to.equal(0);
      } finally {
        users.findById = findById;
      }
    });

    it('answers 400 Bad Request, not an event stream, when the query is not a checkout', async () => {
      for (const items of ['book', 'book:2,', `book:${'9'.repeat(400)}`, 'book:1000000']) {
        const response = await fetch(`${url}/checkout/events?userId=u1&items=${items}`);

        expect(response.status, items).to.equal(400);
        expect(response.headers.get('content-type')).to.match(/^application\/json\b/);
        expect(await response.json()).to.include({
          statusCode: 400,
          message:
            'expected ?userId=<id>&items=<sku>:<quantity>,… (quantities up to 999999), e.g. ' +
            '?userId=u1&items=book:2,pen:1',
        });
      }
    });
  });

  describe('GET /checkout/invoice: a failed run as an HTTP status (WorkflowErrorFilter)', () => {
    let app: INestApplication | undefined;
    let url: string;

    before(async () => ({ app, url } = await listen(CheckoutHttpModule)));
    after(() => app && close(app));

    const invoice = (query: string) => fetch(`${url}/checkout/invoice?${query}`);

    it('answers with the invoice as JSON', async () => {
      const response = await invoice('userId=u1&items=book:2,pen:1');

      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({
        customer: 'Ada',
        subtotal: 5_300,
        discount: 530,
        total: 4_770,
      });
    });

    it('answers with the HttpException a task threw: 404 for an unknown user, not 500', async () => {
      const response = await invoice('userId=nobody&items=pen:1');

      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.equal({
        statusCode: 404,
        error: 'Not Found',
        message: 'no user "nobody"',
      });
    });

    it("answers any other failure with Nest's 500, whose body says nothing of the error", async () => {
      const response = await invoice('userId=u1&items=ghost:1');

      expect(response.status).to.equal(500);
      expect(await response.json()).to.deep.equal({
        statusCode: 500,
        message: 'Internal server error',
      });
    });

    it('answers 400 Bad Request when the query is not a checkout', async () => {
      const response = await invoice('userId=u1&items=book');

      expect(response.status).to.equal(400);
    });
  });

  describe('a client that disconnects mid-run', () => {
    /** Prices as the sample does, except "slow", whose lookup waits until its signal aborts. */
    class PricingWithASlowLookup extends PricingService {
      readonly slowLookupStarted = deferred<AbortSignal>();
      readonly slowLookupAborted = deferred<unknown>();

      override unitPrice(sku: string, signal?: AbortSignal): Promise<number> {
        if (sku !== 'slow') return super.unitPrice(sku, signal);
        this.slowLookupStarted.resolve(signal!);
        return new Promise((_, reject) =>
          signal!.addEventListener('abort', () => {
            this.slowLookupAborted.resolve(signal!.reason);
            reject(signal!.reason);
          }),
        );
      }
    }
    const pricing = new PricingWithASlowLookup();

    /** The sample's controller and workflow, with the slow price lookup. */
    @Module({
      controllers: [CheckoutController],
      providers: [
        ActiveRuns,
        UserRepository,
        CheckoutWorkflow,
        { provide: PricingService, useValue: pricing },
      ],
    })
    class CheckoutWithASlowLookupModule {}

    let app: INestApplication | undefined;
    let url: string;

    // Node 20's fetch (undici 6) reconnects after a streaming response is aborted and never uses
    // the new connection (the spurious reconnect of nodejs/undici#5845): without
    // forceCloseConnections, which listen() sets, app.close() would wait ~4 s for it to time out.
    before(async () => ({ app, url } = await listen(CheckoutWithASlowLookupModule)));
    after(() => app && close(app));

    it("aborts the run: the waiting task's @Signal() aborts when the client closes the connection", async () => {
      const unhandled = recordProcessEvents('unhandledRejection');
      try {
        const client = new AbortController();
        const response = await fetch(`${url}/checkout/events?userId=u1&items=book:1,slow:1`, {
          signal: client.signal,
        });
        const received: string[] = [];
        for await (const event of serverSentEvents(response.body!)) {
          received.push(...summary([event]));
          if (event.type === 'taskStart' && event.data.task === 'subtotal') break;
        }
        const signal = await pricing.slowLookupStarted.promise;
        expect(signal.aborted, 'aborted before the client left').to.equal(false);
        expect(app!.get(ActiveRuns).size, 'runs going before the client left').to.equal(1);

        client.abort();
        const reason = await pricing.slowLookupAborted.promise;
        await settle(2);

        expect(received).to.deep.equal(['taskStart loadUser', 'taskStart subtotal']);
        expect(reason).to.be.instanceOf(DOMException);
        expect(reason).to.include({
          name: 'AbortError',
          message: 'the stream was closed before the run ended',
        });
        // The run itself has settled, not only the task that was waiting.
        expect(app!.get(ActiveRuns).size, 'runs going once the client left').to.equal(0);
        expect(unhandled.received).to.deep.equal([]);
      } finally {
        unhandled.stop();
      }
    });
  });

  describe('a server that shuts down mid-run', () => {
    const order: string[] = [];

    /** Prices as the sample does, except "slow", whose lookup waits until its signal aborts. */
    @Injectable()
    class PricingThatIsTornDown extends PricingService implements OnModuleDestroy {
      readonly slowLookupStarted = deferred<void>();

      override unitPrice(sku: string, signal?: AbortSignal): Promise<number> {
        if (sku !== 'slow') return super.unitPrice(sku, signal);
        this.slowLookupStarted.resolve();
        return new Promise((_, reject) =>
          signal!.addEventListener('abort', () => {
            order.push('the slow lookup aborted');
            reject(signal!.reason);
          }),
        );
      }

      onModuleDestroy(): void {
        order.push('pricing torn down');
      }
    }

    const HttpModule = httpModulePricedBy(PricingThatIsTornDown);

    it('ends the runs clients are watching before it tears down the providers they use', async () => {
      const { app, url } = await listen(HttpModule);
      const response = await fetch(`${url}/checkout/events?userId=u1&items=slow:1`);
      const events: string[] = [];
      const read = (async () => {
        for await (const event of serverSentEvents(response.body!))
          events.push(...summary([event]));
      })().catch(() => undefined); // the server may cut the connection
      const pricing = app.get(PricingService, { strict: false }) as PricingThatIsTornDown;
      await pricing.slowLookupStarted.promise;

      await close(app);
      await read;

      expect(order).to.deep.equal(['the slow lookup aborted', 'pricing torn down']);
      expect(app.get(ActiveRuns).size).to.equal(0);
      expect(events.at(-1)).to.equal('failure');
    });
  });

  describe('a request that arrives while the server shuts down', () => {
    const order: string[] = [];
    /** Holds the first run's aborted lookup, so that shutting down waits while a request comes in. */
    const releaseFirstLookup = deferred<void>();
    after(() => releaseFirstLookup.resolve()); // or a failed test would keep the app from closing

    /**
     * Prices as the sample does, except "slow", whose lookups wait until their signal aborts; the
     * first one settles only once {@link releaseFirstLookup} is resolved.
     */
    @Injectable()
    class PricingThatIsTornDown extends PricingService implements OnModuleDestroy {
      private lookups = 0;
      readonly firstLookupAborted = deferred<void>();

      override unitPrice(sku: string, signal?: AbortSignal): Promise<number> {
        if (sku !== 'slow') return super.unitPrice(sku, signal);
        const lookup = ++this.lookups;
        order.push(`lookup ${lookup} started`);
        return new Promise((_, reject) =>
          signal!.addEventListener('abort', async () => {
            if (lookup === 1) {
              this.firstLookupAborted.resolve();
              await releaseFirstLookup.promise;
            }
            order.push(`lookup ${lookup} aborted`);
            reject(signal!.reason);
          }),
        );
      }

      onModuleDestroy(): void {
        order.push('pricing torn down');
      }
    }

    const HttpModule = httpModulePricedBy(PricingThatIsTornDown);

    /** The events of `response` as `type task` lines, until the stream ends or is cut. */
    const eventsOf = async (response: Response) => {
      const events: string[] = [];
      try {
        for await (const event of serverSentEvents(response.body!))
          events.push(...summary([event]));
      } catch {
        // The server cut the connection.
      }
      return events;
    };

    it('ends a run started once ActiveRuns is ending the runs, before the providers it uses are torn down', async () => {
      const { app, url } = await listen(HttpModule);
      const checkout = `${url}/checkout/events?userId=u1&items=slow:1`;
      const first = eventsOf(await fetch(checkout));
      const pricing = app.get(PricingService, { strict: false }) as PricingThatIsTornDown;
      const closed = close(app);
      await pricing.firstLookupAborted.promise; // ActiveRuns.onModuleDestroy is waiting for it

      const second = eventsOf(await fetch(checkout)); // its run has started
      releaseFirstLookup.resolve();
      await closed;

      expect(order.at(-1)).to.equal('pricing torn down');
      for (const started of order.filter((step) => step.endsWith(' started'))) {
        expect(order, `${started}, then aborted`).to.include(started.replace('started', 'aborted'));
      }
      expect(app.get(ActiveRuns).size).to.equal(0);
      expect((await first).at(-1)).to.equal('failure');
      expect((await second).at(-1)).to.equal('failure');
    });
  });
});

/** Every message `workflowEvents` sends for the run `start` makes, its data parsed; rejects if it errors. */
async function messagesOf(start: () => WorkflowStream): Promise<ServerSentEvent[]> {
  const messages: MessageEvent[] = [];
  await new Promise<void>((resolve, reject) =>
    workflowEvents(start).subscribe({
      next: (message) => messages.push(message),
      error: reject,
      complete: resolve,
    }),
  );
  return messages.map(({ type, data }) => ({ type: type!, data: JSON.parse(data as string) }));
}

describe('workflowEvents (samples/nestjs/workflow-events.ts)', () => {
  it('sends every event, and the result, even with values JSON cannot hold', async () => {
    class Awkward {
      @Task() id() {
        return 12_345_678_901_234_567_890n;
      }
      @Task() @DependsOn<Awkward>('id') record(id: bigint) {
        const record: Record<string, unknown> = {
          id,
          tags: new Set(['a']),
          problem: new Error('x'),
        };
        record.self = record;
        return record;
      }
    }
    const messages: MessageEvent[] = [];
    await new Promise<void>((resolve, reject) =>
      workflowEvents(() => Workflow.stream(new Awkward())).subscribe({
        next: (message) => messages.push(message),
        error: reject,
        complete: resolve,
      }),
    );
    const parsed = messages.map(({ type, data }) => ({ type, data: JSON.parse(data as string) }));
    expect(parsed.map(({ type, data }) => `${type} ${data.task ?? ''}`.trim())).to.deep.equal([
      'taskStart id',
      'taskSuccess id',
      'taskStart record',
      'taskSuccess record',
      'result',
    ]);
    expect(parsed[1].data.value).to.equal('12345678901234567890');
    expect(parsed[3].data.value).to.have.property('notJson').that.contains('circular');
    expect(parsed[4].data).to.deep.include({ id: '12345678901234567890' });
    expect(parsed[4].data.record).to.have.property('notJson');
  });

  it('sends every field of an event and every task of the result, a value of undefined as null', async () => {
    class Quiet {
      @Task() @DependsOn(CONTEXT) notify(ctx: TaskContext) {
        ctx.progress(undefined);
        return undefined;
      }
      @Task() @DependsOn<Quiet>('notify') count() {
        return 1;
      }
    }
    class QuietAndCircular extends Quiet {
      @Task() circular() {
        const value: Record<string, unknown> = {};
        value.self = value;
        return value;
      }
    }
    class ThrowsUndefined {
      @Task() one(): never {
        throw undefined;
      }
    }

    const quiet = await messagesOf(() => Workflow.stream(new Quiet()));
    expect(summary(quiet)).to.deep.equal([
      'taskStart notify',
      'taskProgress notify',
      'taskSuccess notify',
      'taskStart count',
      'taskSuccess count',
      'result',
    ]);
    expect(quiet[1].data).to.have.property('data', null);
    expect(quiet[2].data).to.have.property('value', null);
    expect(quiet[5].data).to.deep.equal({ notify: null, count: 1 });
    // The same when part of the result is not JSON.
    const circular = await messagesOf(() => Workflow.stream(new QuietAndCircular()));
    expect(circular.at(-1)!.data).to.deep.include({ notify: null, count: 1 });
    expect(circular.at(-1)!.data.circular).to.have.property('notJson');
    const failed = await messagesOf(() => Workflow.stream(new ThrowsUndefined()));
    expect(failed.find(({ type }) => type === 'taskFailure')!.data).to.have.property('error', null);
  });

  it('errors, with what start threw, only when start throws (Workflow.stream refused its input)', async () => {
    class NotAWorkflow {
      method() {}
    }
    const refused = await messagesOf(() => Workflow.stream(new NotAWorkflow())).then(
      () => 'completed',
      (error: unknown) => error,
    );

    expect(refused).to.be.instanceOf(WorkflowDefinitionError).with.property('code', 'NO_TASKS');
  });

  it('ends the stream with failure, and no unhandled rejection, when the run fails with a value String() cannot convert', async () => {
    class Quick {
      @Task() one() {
        return 1;
      }
    }
    const unhandled = recordProcessEvents('unhandledRejection');
    try {
      const thrown = Object.create(null); // String(thrown) throws a TypeError
      const messages = messagesOf(() =>
        Workflow.stream(new Quick(), undefined, {
          interceptors: [
            {
              run: () => {
                throw thrown;
              },
            },
          ],
        }),
      );
      const ended = await Promise.race([messages, settle(5).then(() => 'never ended')]);
      await settle(2);

      expect(ended).to.deep.equal([
        {
          type: 'failure',
          data: { name: 'Error', message: 'object that cannot be converted to text' },
        },
      ]);
      expect(unhandled.received).to.deep.equal([]);
    } finally {
      unhandled.stop();
    }
  });

  it('sends an event whose value throws, from toJSON(), a value String() cannot convert; the run goes on', async () => {
    class Throwing {
      @Task() odd() {
        return {
          toJSON() {
            throw Object.create(null);
          },
        };
      }
      @Task() @DependsOn<Throwing>('odd') after() {
        return 'ran';
      }
    }
    const messages = await messagesOf(() => Workflow.stream(new Throwing()));

    expect(summary(messages)).to.deep.equal([
      'taskStart odd',
      'taskSuccess odd',
      'taskStart after',
      'taskSuccess after',
      'result',
    ]);
    expect(messages[1].data.value).to.deep.equal({
      notJson: 'object that cannot be converted to text',
    });
  });

  it('sends an error made in another realm (a vm context, as under jest) as { name, message }, not {}', async () => {
    const foreign = runInNewContext('new TypeError("from another realm")') as Error;
    expect(foreign).to.not.be.instanceOf(Error);
    class Failing {
      @Task() one(): never {
        throw foreign;
      }
    }
    const messages = await messagesOf(() => Workflow.stream(new Failing()));

    expect(messages.find((message) => message.type === 'taskFailure')?.data.error).to.deep.equal({
      name: 'TypeError',
      message: 'from another realm',
    });
    expect(errorMessage(foreign)).to.deep.equal({
      name: 'TypeError',
      message: 'from another realm',
    });
  });
});
