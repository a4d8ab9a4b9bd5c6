/**
 * Subclassing workflows: a base workflow, a subclass that adds tasks on top of the inherited ones,
 * and a subclass that overrides tasks with and without decorators. Prints each class's graph and
 * the result of one run. Run with `npm run sample:inheritance`.
 */
import { DependsOn, Param, Task, Workflow } from '../src';

interface Order {
  id: string;
  lines: { sku: string; quantity: number; unitPrice: number }[];
}

interface Customer {
  name: string;
  country: string;
}

/** The base workflow: load an order and its customer in parallel, price it, write a receipt. */
class OrderWorkflow {
  @Task()
  loadOrder(@Param() orderId: string): Order {
    return {
      id: orderId,
      lines: [
        { sku: 'book', quantity: 2, unitPrice: 25 },
        { sku: 'pen', quantity: 3, unitPrice: 2 },
      ],
    };
  }

  @Task()
  loadCustomer(@Param() orderId: string): Customer {
    return orderId.endsWith('-1')
      ? { name: 'Ada', country: 'NL' }
      : { name: 'Linus', country: 'FI' };
  }

  @Task()
  @DependsOn<OrderWorkflow>('loadOrder')
  price(order: Order): number {
    return order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  }

  @Task()
  @DependsOn<OrderWorkflow>('price', 'loadCustomer')
  receipt(total: number, customer: Customer): string {
    return `${customer.name} pays ${total}`;
  }
}

/** Adds tasks on top of the inherited ones; they may depend on any base task. */
class ShippedOrderWorkflow extends OrderWorkflow {
  @Task()
  @DependsOn<ShippedOrderWorkflow>('loadOrder', 'loadCustomer')
  shipping(order: Order, customer: Customer): number {
    const items = order.lines.reduce((sum, line) => sum + line.quantity, 0);
    return customer.country === 'NL' ? 5 : 5 + items;
  }

  @Task()
  @DependsOn<ShippedOrderWorkflow>('receipt', 'shipping')
  label(receipt: string, shipping: number): string {
    return `${receipt} + ${shipping} shipping`;
  }
}

/** Overrides inherited tasks: `price` without decorators, `receipt` with them. */
class DiscountedOrderWorkflow extends OrderWorkflow {
  /** No decorators: still the base's `price` task (same dependencies), with a new body. */
  override price(order: Order): number {
    return super.price(order) - 10;
  }

  /** A new task that the rewired `receipt` depends on. */
  @Task()
  @DependsOn<DiscountedOrderWorkflow>('price')
  roundedPrice(total: number): number {
    return Math.floor(total / 10) * 10;
  }

  /** Decorated: replaces the base's wiring of `receipt`, for this subclass only. */
  @Task()
  @DependsOn<DiscountedOrderWorkflow>('roundedPrice', 'loadCustomer')
  override receipt(total: number, customer: Customer): string {
    return `${super.receipt(total, customer)} (discounted)`;
  }
}

async function main(): Promise<void> {
  for (const workflowClass of [OrderWorkflow, ShippedOrderWorkflow, DiscountedOrderWorkflow]) {
    const result = await Workflow.invoke(new workflowClass(), 'order-1');
    console.log(`${workflowClass.name}:`);
    console.log(Workflow.toMermaid(workflowClass));
    for (const [task, value] of Object.entries(result.toObject())) {
      console.log(`  ${task}: ${JSON.stringify(value)}`);
    }
    console.log();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
