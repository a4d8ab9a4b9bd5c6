/**
 * The seed example as a consumer of the packed package writes it with standard decorators: inputs
 * listed with the tokens, no parameter decorators. test/package.spec.ts copies it into each
 * consumer project as seed.ts (and, for runners that take one file, as the start of index.ts);
 * every toolchain must print the same lines. Babel, which has no parameter decorators, compiles it
 * in both decorator modes. legacy.ts is the same with @Param().
 */
import {
  DependsOn,
  PARAM,
  Task,
  Workflow,
  WorkflowDefinitionError,
  WorkflowExecutionError,
} from 'async-dag';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Which decorator mode the toolchain compiled this file in, as a decorator call shows it. */
let decorators = 'none';
function probe(...args: unknown[]): void {
  decorators = args.length === 2 ? 'standard' : 'legacy';
}

export class Example {
  readonly log: string[] = [];

  /**
   * Logs `name`'s start and end around a sleep of `ms`. Consumers run while tsc compiles others on
   * the same cores, and a process can be held up for tens of milliseconds between two tasks' starts,
   * so the orders that depend on time have wide margins: fastTaskA's end (10 ms) before fastTaskB's
   * (100 ms) before slowTaskA's (200 ms), and fastTaskC's end (200 ms, then 10) before slowTaskB's
   * (10, then 700 ms): half a second.
   */
  private async step<T>(name: string, ms: number, value: T): Promise<T> {
    this.log.push(`${name} started`);
    await sleep(ms);
    this.log.push(`${name} done`);
    return value;
  }

  @probe @Task() @DependsOn(PARAM) fastTaskA(n: number) {
    return this.step('fastTaskA', 10, n + 1);
  }

  @Task() @DependsOn<Example>('fastTaskA') slowTaskB(a: number) {
    return this.step('slowTaskB', 700, a + 1);
  }

  @Task() @DependsOn(PARAM) slowTaskA(n: number) {
    return this.step('slowTaskA', 200, n + 1);
  }

  @Task() @DependsOn(PARAM) fastTaskB(n: number) {
    return this.step('fastTaskB', 100, n + 1);
  }

  @Task() @DependsOn<Example>('slowTaskA', 'fastTaskB') fastTaskC(a: number, b: number) {
    return this.step('fastTaskC', 10, a + b);
  }

  @Task() @DependsOn<Example>('fastTaskC', 'slowTaskB') endTask(c: number, b: number) {
    return this.step('endTask', 10, c + b);
  }
}

/** Tasks named by numbers, which esbuild, swc and Bun give decorators as numbers, not strings. */
class Numbered {
  @Task() @DependsOn(PARAM) 1(n: number) {
    return n + 1;
  }

  @Task() @DependsOn<Numbered>('1') 2(one: number) {
    return one * 2;
  }
}

class Broken {
  @Task() explode(): number {
    throw new Error('boom');
  }
}

class Misspelt {
  @Task() load() {
    return 1;
  }

  // @ts-expect-error -- 'lod' is not a task of Misspelt (proves the types resolved)
  @Task() @DependsOn<Misspelt>('lod') show(loaded: number) {
    return loaded;
  }
}

/** Runs the examples and returns what they show, one line each. */
export async function seed(): Promise<string[]> {
  const example = new Example();
  const result = await Workflow.invoke(example, 0);
  const first: number = result.get('fastTaskA');
  const end: number = result.get('endTask');
  // @ts-expect-error -- 'log' is not a method, so it is not a task name
  if (result.has('log')) result.get('log');
  const lines = [
    `decorators ${decorators}`,
    ...example.log,
    `results ${JSON.stringify({ first, end })}`,
    `roots ${Workflow.graph(Example).roots.join(' ')}`,
  ];
  const numbered = await Workflow.invoke(new Numbered(), 1);
  lines.push(`numbered ${JSON.stringify(numbered.toObject())}`);
  try {
    await Workflow.invoke(new Broken());
  } catch (error) {
    lines.push(`failure ${error instanceof WorkflowExecutionError} ${(error as Error).message}`);
  }
  try {
    Workflow.validate(Misspelt);
  } catch (error) {
    const { code } = error as WorkflowDefinitionError;
    lines.push(`definition ${error instanceof WorkflowDefinitionError} ${code}`);
  }
  return lines;
}
