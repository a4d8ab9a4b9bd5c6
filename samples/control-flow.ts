/**
 * The shipping example of API.md §8: branches that skip, a join that takes whichever branch ran, a
 * lock released whatever happened, and a non-essential call that falls back to a default. Run with
 * `npm run sample:control-flow`: it prints the timeline of an express order, a standard order, and
 * an order whose booking fails — the lock is still released.
 */
import {
  DependsOn,
  formatTimeline,
  Param,
  skip,
  Task,
  Workflow,
  WorkflowExecutionError,
  type ExecutionResult,
  type Settled,
} from '../src';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Order {
  readonly id: string;
  readonly express: boolean;
  /** Makes the carrier refuse the booking. */
  readonly carrierDown?: boolean;
}

interface Booking {
  readonly carrier: string;
  readonly label: string;
}

/** Stand-ins for a carrier API, a lock service and a discount service. */
class Services {
  readonly locks = new Set<string>();

  async lock(order: Order): Promise<void> {
    await sleep(10);
    this.locks.add(order.id);
  }

  async unlock(order: Order): Promise<void> {
    await sleep(10);
    this.locks.delete(order.id);
  }

  async book(carrier: string, order: Order): Promise<Booking> {
    await sleep(carrier === 'express' ? 40 : 60);
    if (order.carrierDown) throw new Error(`${carrier} carrier is down`);
    return { carrier, label: `${carrier.toUpperCase()}-${order.id}` };
  }

  async fetchDiscount(route: string): Promise<number> {
    await sleep(15);
    if (route === 'standard') throw Object.assign(new Error('discounts busy'), { transient: true });
    return 10;
  }
}

const isTransient = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { transient?: boolean }).transient === true;

export class Shipping {
  constructor(private readonly services: Services) {}

  @Task() async lockOrder(@Param() order: Order) {
    await this.services.lock(order);
    return order.id;
  }

  @Task()
  @DependsOn('lockOrder')
  route(_locked: string, @Param() order: Order) {
    return order.express ? 'express' : 'standard';
  }

  @Task()
  @DependsOn('route')
  express(route: string, @Param() order: Order) {
    if (route !== 'express') skip('standard order');
    return this.services.book('express', order);
  }

  @Task()
  @DependsOn('route')
  standard(route: string, @Param() order: Order) {
    if (route !== 'standard') skip('express order');
    return this.services.book('standard', order);
  }

  @Task({ when: 'noneFailed' })
  @DependsOn('express', 'standard')
  label(express?: Booking, standard?: Booking) {
    return (express ?? standard)!.label;
  }

  @Task({ fallback: () => 0, retries: 2, retryDelay: 5, retryIf: isTransient })
  @DependsOn('route')
  discount(route: string) {
    return this.services.fetchDiscount(route);
  }

  @Task({ when: 'allSettled' })
  @DependsOn('lockOrder', 'label', 'discount')
  async releaseLock(_locked: Settled<string>, label: Settled<string>, @Param() order: Order) {
    await this.services.unlock(order);
    return label.status;
  }
}

async function show(title: string, run: Promise<ExecutionResult<Shipping, Order>>): Promise<void> {
  console.log(`\n== ${title} ==`);
  let result: ExecutionResult<Shipping, Order>;
  try {
    result = await run;
    console.log(`label ${result.get('label')}, discount ${result.get('discount')}`);
  } catch (error) {
    if (!(error instanceof WorkflowExecutionError)) throw error;
    console.log(`failed: ${error.message}`);
    result = error.result;
  }
  console.log(formatTimeline(result, { width: 96 }));
}

async function main(): Promise<void> {
  const services = new Services();
  const shipping = new Shipping(services);
  await show('express order', Workflow.invoke(shipping, { id: 'A1', express: true }));
  await show('standard order', Workflow.invoke(shipping, { id: 'B2', express: false }));
  await show(
    'express order, carrier down',
    Workflow.invoke(shipping, { id: 'C3', express: true, carrierDown: true }),
  );
  console.log(`\nlocks still held: ${services.locks.size}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
