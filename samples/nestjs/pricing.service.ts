import { Injectable } from '@nestjs/common';
import type { User } from './users.repository';

/** Catalogue prices (in cents) and the discount a customer gets. */
@Injectable()
export class PricingService {
  private readonly pricesInCents = new Map([
    ['book', 2_500],
    ['pen', 300],
  ]);

  /**
   * The price of one unit of `sku`, in cents; rejects for an unknown product, or once `signal`
   * has aborted (a price list behind an API would pass `signal` on to `fetch`).
   */
  async unitPrice(sku: string, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const price = this.pricesInCents.get(sku);
    if (price === undefined) throw new Error(`no price for "${sku}"`);
    return price;
  }

  /** The discount `user` gets on `subtotal`, in cents: 10% for gold customers. */
  discountFor(user: User, subtotal: number): number {
    return user.tier === 'gold' ? Math.round(subtotal / 10) : 0;
  }
}
