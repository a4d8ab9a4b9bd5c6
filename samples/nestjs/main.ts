/**
 * Boots a Nest application context, resolves the workflow provider and runs it, then does the same
 * through a service that injects the workflow. Run with `npm run sample:nest`.
 */
import { NestFactory } from '@nestjs/core';
import { Workflow } from '../../src';
import { CheckoutModule } from './checkout.module';
import { CheckoutService } from './checkout.service';
import { CheckoutRequest, CheckoutWorkflow } from './checkout.workflow';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(CheckoutModule, { logger: false });
  try {
    const request: CheckoutRequest = {
      userId: 'u1',
      items: [
        { sku: 'book', quantity: 2 },
        { sku: 'pen', quantity: 3 },
      ],
    };

    console.log('CheckoutWorkflow:');
    console.log(Workflow.toMermaid(CheckoutWorkflow));

    const workflow = app.get(CheckoutWorkflow);
    const result = await Workflow.invoke(workflow, request);
    console.log('\nWorkflow.invoke on the Nest-resolved CheckoutWorkflow:');
    console.log(result.get('invoice'));

    const invoice = await app.get(CheckoutService).checkout({
      userId: 'u2',
      items: [{ sku: 'book', quantity: 1 }],
    });
    console.log('\nCheckoutService.checkout (the workflow injected into a service):');
    console.log(invoice);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
