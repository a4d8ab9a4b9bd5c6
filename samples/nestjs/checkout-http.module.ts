import { Module } from '@nestjs/common';
import { CheckoutController } from './checkout.controller';
import { CheckoutModule } from './checkout.module';

/**
 * The checkout over HTTP: {@link CheckoutController} on top of {@link CheckoutModule}, which stays
 * usable without an HTTP server (`main.ts` boots it as an application context).
 */
@Module({
  imports: [CheckoutModule],
  controllers: [CheckoutController],
})
export class CheckoutHttpModule {}
