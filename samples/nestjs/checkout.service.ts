import { Injectable } from '@nestjs/common';
import { Workflow } from '../../src';
import { CheckoutRequest, CheckoutWorkflow, Invoice } from './checkout.workflow';

/**
 * Application code that uses the workflow without a controller: it injects the workflow like any
 * other provider and invokes it.
 */
@Injectable()
export class CheckoutService {
  constructor(private readonly checkoutWorkflow: CheckoutWorkflow) {}

  /** Prices `request` for its user and returns the invoice. */
  async checkout(request: CheckoutRequest): Promise<Invoice> {
    const result = await Workflow.invoke(this.checkoutWorkflow, request);
    return result.get('invoice');
  }
}
