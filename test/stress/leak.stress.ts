/**
 * Memory must plateau over many runs: heap after a full GC is measured after a warm-up and again
 * after many more runs of the same kind, and may grow only by a small slack. Each scenario keeps
 * something long-lived that a leak would attach to (the instance, the class's cached plan, the
 * caller's AbortSignal). Run with `npm run test:stress`.
 */
import { expect } from 'chai';
import {
  DependsOn,
  Param,
  Signal,
  Task,
  Workflow,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type InvokeOptions,
} from '../../src';
import { mebibytes, settledHeapBytes } from './measure';

const WARMUP_RUNS = 2_000;
const MEASURED_RUNS = 20_000;
/** Allowed growth between the two measurements. */
const SLACK_BYTES = 512 * 1024;

class Checkout {
  failOn: number | undefined;
  @Task() user(@Param() id: number) {
    return { id };
  }
  @Task({ timeout: 60_000 }) @DependsOn<Checkout>('user') async cart(
    user: { id: number },
    @Signal() signal: AbortSignal,
  ) {
    await null;
    if (signal.aborted) throw signal.reason;
    return [user.id, user.id + 1];
  }
  @Task({ retries: 1, retryDelay: 1 }) @DependsOn<Checkout>('user') async prices(user: {
    id: number;
  }) {
    await null;
    if (user.id === this.failOn) throw new Error(`no prices for ${user.id}`);
    return 2;
  }
  @Task() @DependsOn<Checkout>('cart', 'prices') total(cart: number[], price: number) {
    return cart.length * price;
  }
}

interface Scenario {
  readonly name: string;
  /** Measured runs (after the warm-up); fewer where each run waits for a retry timer. */
  readonly runs: number;
  run(checkout: Checkout, index: number): Promise<unknown>;
}

const longLivedController = new AbortController();

const scenarios: Scenario[] = [
  {
    name: 'successful runs',
    runs: MEASURED_RUNS,
    async run(checkout, index) {
      const result = await Workflow.invoke(checkout, index);
      expect(result.get('total')).to.equal(4);
    },
  },
  {
    name: 'failing runs (retry, then WorkflowExecutionError)',
    runs: MEASURED_RUNS / 4,
    async run(checkout, index) {
      checkout.failOn = index;
      const error = await Workflow.invoke(checkout, index).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(WorkflowExecutionError);
    },
  },
  {
    name: "runs sharing one long-lived caller's AbortSignal, with hooks",
    runs: MEASURED_RUNS,
    async run(checkout, index) {
      const options: InvokeOptions<Checkout> = {
        signal: longLivedController.signal,
        hooks: { onTaskSuccess: () => {} },
        concurrency: 2,
      };
      const result = await Workflow.invoke(checkout, index, options);
      expect(result.has('total')).to.equal(true);
    },
  },
  {
    name: "streamed runs sharing one caller's AbortSignal, every other one left at its first event",
    runs: MEASURED_RUNS,
    async run(checkout, index) {
      const leave = index % 2 === 1;
      const stream = Workflow.stream(checkout, index, { signal: longLivedController.signal });
      let events = 0;
      for await (const event of stream) {
        events++;
        if (leave) break;
        void event;
      }
      if (leave) {
        expect(await stream.result.catch((error: unknown) => error)).to.be.instanceOf(
          WorkflowAbortedError,
        );
      } else {
        expect(events).to.equal(8);
        expect((await stream.result).get('total')).to.equal(4);
      }
    },
  },
];

describe('stress: memory', function () {
  for (const scenario of scenarios) {
    it(`does not grow over ${scenario.runs.toLocaleString('en')} ${scenario.name}`, async function () {
      const checkout = new Checkout();
      const runBatch = async (from: number, count: number) => {
        for (let index = from; index < from + count; index++) await scenario.run(checkout, index);
      };
      await runBatch(0, WARMUP_RUNS);
      const afterWarmup = settledHeapBytes();
      const started = performance.now();
      await runBatch(WARMUP_RUNS, scenario.runs);
      const milliseconds = performance.now() - started;
      const afterRuns = settledHeapBytes();
      const growth = afterRuns - afterWarmup;
      console.log(
        `      ${scenario.name}: heap ${mebibytes(afterWarmup)} after ${WARMUP_RUNS.toLocaleString('en')} runs, ` +
          `${mebibytes(afterRuns)} after ${scenario.runs.toLocaleString('en')} more ` +
          `(${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB); ` +
          `${((milliseconds * 1000) / scenario.runs).toFixed(1)} µs per run`,
      );
      expect(growth, 'heap growth in bytes').to.be.below(SLACK_BYTES);
    });
  }
});
