import { Module } from '@nestjs/common';
import { CheckoutService } from './checkout.service';
import { CheckoutWorkflow } from './checkout.workflow';
import { PricingService } from './pricing.service';
import { UserRepository } from './users.repository';

/** The workflow is registered like any provider: no extra module or registration step. */
@Module({
  providers: [UserRepository, PricingService, CheckoutWorkflow, CheckoutService],
  exports: [CheckoutWorkflow, CheckoutService],
})
export class CheckoutModule {}
