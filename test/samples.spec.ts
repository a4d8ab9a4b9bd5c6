/**
 * The runnable samples, run as a user runs them (`npm run sample`, `npm run sample:builder`,
 * `npm run sample:control-flow`, `npm run sample:inheritance`, `npm run sample:nest`): the seed
 * example as a class and with the builder prints the same started/done lines in the seed's order,
 * then 1 and 4; the shipping example prints its three runs; the inheritance example prints each
 * class's graph and results, as docs/defining-workflows.md says; the NestJS example prints the
 * invoices of its two runs. (`sample:json` is test/json-dag-sample.spec.ts's.)
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');

/** Runs a sample with ts-node (no type check: `npm run typecheck` does that) and returns stdout lines. */
async function sampleOutput(sample: string): Promise<string[]> {
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  const { stdout } = await run(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(root, 'samples', sample)],
    { cwd: root, env },
  );
  return stdout.split('\n');
}

const SEED_LINES = [
  'fast_task_a task started...',
  'slow_task_a task started...',
  'fast_task_b task started...',
  'fast_task_a task done!',
  'slow_task_b task started...',
  'fast_task_b task done!',
  'slow_task_a task done!',
  'fast_task_c task started...',
  'fast_task_c task done!',
  'slow_task_b task done!',
  'end_task task started...',
  'end_task task done!',
  '1',
  '4',
];

describe('the runnable samples', function () {
  // Each test starts Node.js processes that compile a sample with ts-node: 13 s for the slowest
  // on a 2-core machine under the load of other test runs, and the load varies (a hang guard).
  this.timeout(60_000);

  it('print the same started/done lines in the seed order, then 1 and 4, as a class and with the builder', async () => {
    const [classOutput, builderOutput] = await Promise.all([
      sampleOutput('seed-example.ts'),
      sampleOutput('seed-builder.ts'),
    ]);
    expect(classOutput.slice(1, 15)).to.deep.equal(SEED_LINES);
    expect(builderOutput.slice(0, 14)).to.deep.equal(SEED_LINES);
  });

  it('the control-flow sample books both kinds of order, falls back, and always releases the lock', async () => {
    const lines = await sampleOutput('control-flow.ts');
    expect(lines).to.include.members([
      'label EXPRESS-A1, discount 10',
      'label STANDARD-B2, discount 0',
      'failed: Shipping: task "express" failed: express carrier is down',
      'locks still held: 0',
    ]);
    const rows = (task: string) => lines.filter((line) => line.startsWith(`${task} `));
    expect(rows('standard')[0]).to.match(/skipped at [\d.]+ ms: express order$/);
    expect(rows('express')[1]).to.match(/skipped at [\d.]+ ms: standard order$/);
    expect(rows('discount')[1]).to.match(/\(3 attempts\) recovered$/);
    expect(rows('express')[2]).to.match(/FAILED$/);
    expect(rows('releaseLock')).to.have.length(3);
  });

  it('the inheritance sample prints each class’s graph and the results of its run', async () => {
    const output = (await sampleOutput('inheritance.ts')).join('\n');
    const section = (workflow: string) =>
      output.split('\n\n').find((s) => s.startsWith(`${workflow}:`));
    // The base graph, unchanged by its subclasses.
    expect(section('OrderWorkflow')).to.contain(
      'graph TD;\nloadOrder-->price;\nprice-->receipt;\nloadCustomer-->receipt;\n',
    );
    expect(section('OrderWorkflow')).to.contain('receipt: "Ada pays 56"');
    // Tasks added on top of the inherited ones.
    expect(section('ShippedOrderWorkflow')).to.contain('receipt-->label;\nshipping-->label;');
    expect(section('ShippedOrderWorkflow')).to.contain('label: "Ada pays 56 + 5 shipping"');
    // `price` overridden without decorators (same wiring, new body), `receipt` with them (rewired).
    expect(section('DiscountedOrderWorkflow')).to.contain(
      'loadOrder-->price;\nroundedPrice-->receipt;',
    );
    expect(section('DiscountedOrderWorkflow')).to.contain('price: 46');
    expect(section('DiscountedOrderWorkflow')).to.contain('receipt: "Ada pays 40 (discounted)"');
  });

  it('the NestJS sample runs the Nest-resolved workflow and the service that injects it', async () => {
    const output = (await sampleOutput('nestjs/main.ts')).join('\n');
    expect(output).to.contain('CheckoutWorkflow:\ngraph TD;\n');
    expect(output).to.contain(
      "Workflow.invoke on the Nest-resolved CheckoutWorkflow:\n{ customer: 'Ada', subtotal: 5900, discount: 590, total: 5310 }",
    );
    expect(output).to.contain(
      "CheckoutService.checkout (the workflow injected into a service):\n{ customer: 'Linus', subtotal: 2500, discount: 0, total: 2500 }",
    );
  });
});
