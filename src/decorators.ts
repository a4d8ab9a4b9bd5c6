/**
 * The four decorators. Each one only records metadata (see `metadata.ts`); the scanner decides
 * later, on first use of the class, whether the whole definition makes sense.
 */
import { recordMember } from './metadata';
import type { TaskName, TaskOptions } from './types';

/**
 * What `@Task()` and `@DependsOn()` return: a method decorator. Its target is typed `object`, not
 * `Object`, so a class may name a task after an `Object.prototype` method with another signature
 * (`hasOwnProperty(): string`).
 */
export type WorkflowMethodDecorator = (
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
) => void;

/** What `@Param()` and `@Signal()` return: a parameter decorator. */
export type WorkflowParameterDecorator = (
  target: object,
  key: string | symbol | undefined,
  index: number,
) => void;

/**
 * Marks a method as a task: a node of the class's DAG, named by the method name. The method may be
 * `async`, return a promise, or return a plain value.
 *
 * @example
 * ```ts
 * class Checkout {
 *   @Task() user(@Param() req: Req) { return users.find(req.userId); }
 *   @Task({ timeout: 500, retries: 2 }) @DependsOn('user') cart(user: User) { … }
 * }
 * ```
 */
export function Task(options: TaskOptions = {}): WorkflowMethodDecorator {
  return (target, key, descriptor) => {
    const member = recordMember(target, key, descriptor);
    member.taskDecorations += 1;
    // Kept as given: the scanner reads it by property access, so getters and inherited values count.
    member.taskOptions = options;
  };
}

/**
 * Lists the tasks that must succeed before this one starts; their results are passed to the
 * method's unmarked parameters, in the listed order. Naming the workflow class as the type argument
 * checks the names at compile time.
 *
 * @example
 * ```ts
 * class Report {
 *   @Task() rows() { return db.rows(); }
 *   @Task() @DependsOn<Report>('rows') total(rows: Row[]) { return rows.length; }
 * }
 * ```
 */
export function DependsOn<W extends object = never>(
  ...tasks: [W] extends [never] ? string[] : TaskName<W>[]
): WorkflowMethodDecorator {
  return (target, key, descriptor) => {
    const member = recordMember(target, key, descriptor);
    member.dependsOnDecorations += 1;
    member.dependsOn = [...tasks];
  };
}

/**
 * Marks the parameter that receives the value passed to `Workflow.invoke`.
 *
 * @example
 * ```ts
 * class Greeting {
 *   @Task() hello(@Param() name: string) { return `Hello, ${name}`; }
 * }
 * await Workflow.invoke(new Greeting(), 'Ada');
 * ```
 */
export function Param(): WorkflowParameterDecorator {
  return (target, key, index) => {
    recordMember(target, key, undefined).paramIndexes.push(index);
  };
}

/**
 * Marks the parameter that receives an `AbortSignal`, aborted when the run fails or is aborted, or
 * when this attempt times out. Pass it on to `fetch`, database drivers and timers.
 *
 * @example
 * ```ts
 * class Prices {
 *   @Task({ timeout: 2_000 })
 *   quote(@Param() sku: string, @Signal() signal: AbortSignal) {
 *     return fetch(`https://prices.example/${sku}`, { signal });
 *   }
 * }
 * ```
 */
export function Signal(): WorkflowParameterDecorator {
  return (target, key, index) => {
    recordMember(target, key, undefined).signalIndexes.push(index);
  };
}
