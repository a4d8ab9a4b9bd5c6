/**
 * The checkout workflow over HTTP, as Server-Sent Events: `GET
 * /checkout/events?userId=u1&items=book:2,pen:1` streams the run's events as they happen, then its
 * results. A client that disconnects aborts the run. `GET /checkout/invoice?…` answers with the
 * invoice as JSON. Try it with `npm run sample:nest:sse`.
 */
import {
  BadRequestException,
  Controller,
  Get,
  HttpException,
  HttpStatus,
  MessageEvent,
  Query,
  Req,
  Sse,
} from '@nestjs/common';
import { EMPTY, Observable } from 'rxjs';
import { Workflow } from '../../src';
import { ActiveRuns } from './active-runs';
import { CheckoutRequest, CheckoutWorkflow, Invoice } from './checkout.workflow';
import { workflowEvents } from './workflow-events';

/**
 * Injects the workflow like any provider and streams one run of it per request; {@link ActiveRuns}
 * ends the runs still going when the server shuts down.
 */
@Controller('checkout')
export class CheckoutController {
  constructor(
    private readonly workflow: CheckoutWorkflow,
    private readonly runs: ActiveRuns,
  ) {}

  /**
   * One run per connection, as `text/event-stream`: a message per workflow event (`event:
   * taskStart`, `taskSuccess`, …), then `result` or `failure`. An invalid query is answered with
   * 400 Bad Request before the stream starts. A `HEAD` request (the router serves it with this
   * `GET` handler) starts no run: Nest would subscribe, start one, and abort it once the headers are
   * out, as a HEAD response has no body.
   *
   * A request with a `Last-Event-ID` header is an `EventSource` reconnecting by itself — after the
   * stream ended, or after the connection dropped mid-run, which aborted that run. It is answered
   * with 204 No Content, which stops the `EventSource`, rather than with a new run from the start
   * (a checkout done twice): a client that wants another run opens a new `EventSource`.
   */
  @Sse('events')
  events(
    @Query() query: Record<string, unknown>,
    @Req() { method, headers }: { method: string; headers: Record<string, unknown> },
  ): Observable<MessageEvent> {
    const request = parseCheckoutQuery(query);
    if (method === 'HEAD') return EMPTY;
    if (headers['last-event-id'] !== undefined) throw new HttpException('', HttpStatus.NO_CONTENT);
    return workflowEvents(() => this.runs.track(Workflow.stream(this.workflow, request)));
  }

  /**
   * One run, answered with its invoice as JSON once it is done. A run that fails rejects with
   * `WorkflowExecutionError`; `WorkflowErrorFilter` answers it with the `HttpException` a task threw
   * (404 for an unknown user), and Nest any other failure with 500.
   */
  @Get('invoice')
  async invoice(@Query() query: Record<string, unknown>): Promise<Invoice> {
    const result = await Workflow.invoke(this.workflow, parseCheckoutQuery(query));
    return result.get('invoice');
  }
}

/** Items as `sku:quantity`, comma-separated; a quantity has at most six digits. */
const ITEMS = /^[\w-]+:\d{1,6}(,[\w-]+:\d{1,6})*$/;

/**
 * `?userId=u1&items=book:2,pen:1` as a {@link CheckoutRequest} (a query string, so that a plain
 * `EventSource` GET can carry it); throws `BadRequestException` when the query is not of that form.
 */
export function parseCheckoutQuery(query: Record<string, unknown>): CheckoutRequest {
  const { userId, items } = query;
  if (
    typeof userId !== 'string' ||
    userId === '' ||
    typeof items !== 'string' ||
    !ITEMS.test(items)
  ) {
    throw new BadRequestException(
      'expected ?userId=<id>&items=<sku>:<quantity>,… (quantities up to 999999), e.g. ?userId=u1&items=book:2,pen:1',
    );
  }
  return {
    userId,
    items: items.split(',').map((item) => {
      const [sku, quantity] = item.split(':');
      return { sku, quantity: Number(quantity) };
    }),
  };
}
