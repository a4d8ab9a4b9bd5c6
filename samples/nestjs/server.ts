/**
 * Serves {@link CheckoutHttpModule} over HTTP on 127.0.0.1 (port `$PORT`, or 3000) and prints a
 * `curl -N` command that watches a checkout run as Server-Sent Events, and one that gets its
 * invoice as JSON. Run with `npm run sample:nest:sse`; Ctrl-C stops it.
 */
import { NestFactory } from '@nestjs/core';
import { CheckoutHttpModule } from './checkout-http.module';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  }
  // On shutdown (SIGTERM, Ctrl-C), ActiveRuns ends the runs clients are watching before the
  // providers they use are torn down, Nest answers a request that comes in meanwhile with 503
  // instead of starting a run, and it closes the event streams instead of waiting for their
  // clients to leave.
  const app = await NestFactory.create(CheckoutHttpModule, {
    logger: ['error', 'warn'],
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  app.enableShutdownHooks();
  await app.listen(port, '127.0.0.1');
  const url = await app.getUrl();
  console.log(`Checkout events on ${url}. Watch a run with:`);
  console.log(`  curl -N '${url}/checkout/events?userId=u1&items=book:2,pen:1'`);
  console.log('A failing one (unknown user):');
  console.log(`  curl -N '${url}/checkout/events?userId=nobody&items=pen:1'`);
  console.log('The invoice as JSON (an unknown user is a 404):');
  console.log(`  curl -i '${url}/checkout/invoice?userId=u1&items=book:2,pen:1'`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
