/**
 * The runnable samples, run as a user runs them (`npm run sample`, `npm run sample:builder`,
 * `npm run sample:control-flow`): the seed example as a class and with the builder prints the same
 * started/done lines in the seed's order, then 1 and 4; the shipping example prints its three runs.
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

describe('the seed samples', function () {
  this.timeout(30_000);

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
});
