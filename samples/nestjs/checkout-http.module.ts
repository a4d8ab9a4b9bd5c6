import { Module } from '@nestjs/common';
import { ActiveRuns } from './active-runs';
import { CheckoutController } from './checkout.controller';
import { CheckoutModule } from './checkout.module';

/**
 * The checkout over HTTP: {@link CheckoutController} on top of {@link CheckoutModule}, which stays
 * usable without an HTTP server (`main.ts` boots it as an application context). {@link ActiveRuns}
 * lives here, above the module whose providers the runs use: on shutdown Nest ends the runs first.
 */
@Module({
  imports: [CheckoutModule],
  controllers: [CheckoutController],
  providers: [ActiveRuns],
})
export class CheckoutHttpModule {}
