/**
 * The seed's example written with the builder, line for line as the Python seed writes it
 * (`build_dag` → `buildDag`, `add_node` → `addNode`, `parameter_node` → `parameterNode`,
 * `extract_result` → `extractResult`). Run with `npm run sample:builder`: it prints the same
 * started/done lines in the same order as `npm run sample`, then 1 and 4.
 */
import { buildDag, formatTimeline } from '../src';
import { addTask, incTask } from './seed-tasks';

// Define the DAG: each node is a function and the arguments it gets at invoke time — another node
// (its result), tm.parameterNode (the value passed to invoke) or a constant.
const tm = buildDag<number>({ name: 'seed' });
const fastTaskA = tm.addNode(incTask, tm.parameterNode, 'fast_task_a', 100);
const slowTaskB = tm.addNode(incTask, fastTaskA, 'slow_task_b', 1000);
const slowTaskA = tm.addNode(incTask, tm.parameterNode, 'slow_task_a', 500);
const fastTaskB = tm.addNode(incTask, tm.parameterNode, 'fast_task_b', 200);
const fastTaskC = tm.addNode(addTask, slowTaskA, fastTaskB, 'fast_task_c', 100);
const endTask = tm.addNode({ name: 'endTask' }, addTask, fastTaskC, slowTaskB, 'end_task', 100);

async function main(): Promise<void> {
  // Invoke the DAG: it can be invoked any number of times, concurrently.
  const executionResult = await tm.invoke(0);
  console.log(fastTaskA.extractResult(executionResult)); // 1
  console.log(endTask.extractResult(executionResult)); // 4

  console.log('\n== the DAG (Mermaid) ==');
  console.log(tm.toMermaid());
  console.log('\n== the run ==');
  console.log(formatTimeline(executionResult));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
