/**
 * The canonical example of the Python async-dag library, as a decorated class.
 *
 *   FastTask_A → SlowTask_B ──────────┐
 *   SlowTask_A ┐                      ├→ EndTask
 *   FastTask_B ┴→ FastTask_C ─────────┘
 *
 * Run with `npm run sample`. It prints the seed's "started"/"done" lines in the seed's order, the
 * results (1 and 4), the DAG as Mermaid, the run as a terminal timeline and as a Mermaid Gantt
 * chart — and then the same flow hand-wired with Promise.all, for comparison.
 */
import { DependsOn, Param, Task, Workflow, formatTimeline, toMermaidGantt } from '../src';
import { addTask, incTask } from './seed-tasks';

/** The seed's DAG. Delays are the seed's, in milliseconds. */
export class SeedExample {
  @Task()
  fastTaskA(@Param() n: number) {
    return incTask(n, 'fast_task_a', 100);
  }

  @Task()
  @DependsOn<SeedExample>('fastTaskA')
  slowTaskB(a: number) {
    return incTask(a, 'slow_task_b', 1000);
  }

  @Task()
  slowTaskA(@Param() n: number) {
    return incTask(n, 'slow_task_a', 500);
  }

  @Task()
  fastTaskB(@Param() n: number) {
    return incTask(n, 'fast_task_b', 200);
  }

  @Task()
  @DependsOn<SeedExample>('slowTaskA', 'fastTaskB')
  fastTaskC(a: number, b: number) {
    return addTask(a, b, 'fast_task_c', 100);
  }

  @Task()
  @DependsOn<SeedExample>('fastTaskC', 'slowTaskB')
  endTask(c: number, b: number) {
    return addTask(c, b, 'end_task', 100);
  }
}

/** What you would write by hand for the same maximal parallelism: one function per branch. */
async function builtinAlternative(param: number): Promise<number> {
  const leftBranch = async (n: number) =>
    incTask(await incTask(n, 'fast_task_a', 100), 'slow_task_b', 1000);
  const rightBranch = async (n: number) => {
    const [a, b] = await Promise.all([
      incTask(n, 'slow_task_a', 500),
      incTask(n, 'fast_task_b', 200),
    ]);
    return addTask(a, b, 'fast_task_c', 100);
  };
  const [left, right] = await Promise.all([leftBranch(param), rightBranch(param)]);
  return addTask(right, left, 'end_task', 100);
}

async function main(): Promise<void> {
  console.log('== async-dag ==');
  const result = await Workflow.invoke(new SeedExample(), 0);
  console.log(result.get('fastTaskA')); // 1
  console.log(result.get('endTask')); // 4

  console.log('\n== the DAG (Mermaid) ==');
  console.log(Workflow.toMermaid(SeedExample));
  console.log('\n== the run ==');
  console.log(formatTimeline(result));
  console.log(
    `took ${Math.round(result.durationMs)} ms — the critical path fastTaskA → slowTaskB → endTask ` +
      `is 100 + 1000 + 100 = 1200 ms;\nlevel by level (all roots, then their dependents, …) it ` +
      `would take 500 + 1000 + 100 = 1600 ms`,
  );
  console.log('\n== the run (Mermaid Gantt) ==');
  console.log(toMermaidGantt(result));

  console.log('\n== hand-wired with Promise.all ==');
  console.log(await builtinAlternative(0)); // 4
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
