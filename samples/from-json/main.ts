/**
 * `npm run sample:json`: builds a DAG from `pipeline.json` (steps with `needs`), runs it and prints
 * its timeline — every step starts the moment the steps it needs are done.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTimeline } from '../../src';
import { loadPipeline, parsePipeline } from './load-dag';

async function main(): Promise<void> {
  const description = parsePipeline(
    JSON.parse(readFileSync(join(__dirname, 'pipeline.json'), 'utf8')),
  );
  const { dag, nodes } = loadPipeline(description);
  const result = await dag.invoke();
  console.log(dag.toMermaid());
  console.log();
  console.log(formatTimeline(result));
  console.log();
  console.log('publish ran after:', nodes.get('publish')!.extractResult(result).after.join(', '));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
