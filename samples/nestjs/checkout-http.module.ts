import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ActiveRuns } from './active-runs';
import { CheckoutController } from './checkout.controller';
import { CheckoutModule } from './checkout.module';
import { WorkflowErrorFilter } from './workflow-error.filter';

/**
 * The checkout over HTTP: {@link CheckoutController} on top of {@link CheckoutModule}, which stays
 * usable without an HTTP server (`main.ts` boots it as an application context). {@link ActiveRuns}
 * lives here, above the module whose providers the runs use: on shutdown Nest ends the runs first.
 * {@link WorkflowErrorFilter} answers a run that a task's `HttpException` failed with that exception.
 */
@Module({
  imports: [CheckoutModule],
  controllers: [CheckoutController],
  providers: [ActiveRuns, { provide: APP_FILTER, useClass: WorkflowErrorFilter }],
})
export class CheckoutHttpModule {}
