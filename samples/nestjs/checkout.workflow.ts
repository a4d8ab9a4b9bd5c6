import { Injectable } from '@nestjs/common';
import { DependsOn, Param, Signal, Task } from '../../src';
import { PricingService } from './pricing.service';
import { User, UserRepository } from './users.repository';

/** What a client asks to buy. */
export interface CheckoutRequest {
  userId: string;
  items: { sku: string; quantity: number }[];
}

/** The workflow's final result. */
export interface Invoice {
  customer: string;
  subtotal: number;
  discount: number;
  total: number;
}

/**
 * A workflow that is also an ordinary Nest provider: Nest injects its dependencies through the
 * constructor, and `Workflow.invoke` runs its tasks. `loadUser` and `subtotal` run in parallel;
 * `subtotal` hands its `@Signal()` to the price lookups, so an aborted run cancels them.
 */
@Injectable()
export class CheckoutWorkflow {
  constructor(
    private readonly users: UserRepository,
    private readonly pricing: PricingService,
  ) {}

  @Task()
  loadUser(@Param() request: CheckoutRequest): Promise<User> {
    return this.users.findById(request.userId);
  }

  @Task()
  async subtotal(
    @Param() request: CheckoutRequest,
    @Signal() signal: AbortSignal,
  ): Promise<number> {
    const linePrices = await Promise.all(
      request.items.map(
        async ({ sku, quantity }) => (await this.pricing.unitPrice(sku, signal)) * quantity,
      ),
    );
    return linePrices.reduce((sum, price) => sum + price, 0);
  }

  @Task()
  @DependsOn<CheckoutWorkflow>('loadUser', 'subtotal')
  discount(user: User, subtotal: number): number {
    return this.pricing.discountFor(user, subtotal);
  }

  @Task()
  @DependsOn<CheckoutWorkflow>('loadUser', 'subtotal', 'discount')
  invoice(user: User, subtotal: number, discount: number): Invoice {
    return { customer: user.name, subtotal, discount, total: subtotal - discount };
  }
}
