/**
 * The `Workflow` facade: the one place users call. It finds (or builds) the cached plan of the
 * instance's class, checks the options, and hands the run to the scheduler.
 */
import { describeInput, describeThrown } from './describe.js';
import { IntrinsicPromise } from './intrinsic-promise.js';
import { mermaidGraph } from './render.js';
import type { ExecutionResult } from './result.js';
import type { WorkflowPlan } from './plan.js';
import { DagBuilder, isBuilderPrototype, type builderBrand } from './builder.js';
import { isThenable } from './outcomes.js';
import { classNameOf, classNameOfPrototype, isPlainObjectPrototype } from './prototypes.js';
import { cachedPlan, planFor } from './scanner.js';
import { WorkflowStream } from './stream.js';
import { resolveRunSettings } from './options.js';
import { startRun } from './scheduler.js';
import type { AnyFunction, InvokeOptions, WorkflowGraph, WorkflowOfInstance } from './types.js';

/**
 * A workflow class: any class (abstract ones included) whose methods carry `@Task()`.
 *
 * @example
 * ```ts
 * const classes: WorkflowClass[] = [Checkout, Signup];
 * for (const workflow of classes) Workflow.validate(workflow);
 * ```
 */
export type WorkflowClass = abstract new (...args: any[]) => object;

/**
 * `C` when it is a class whose constructor is `private` or `protected` (a class made by a static
 * factory, a singleton), else `never`. No constructor type can be written that such a class is
 * assignable to, so `Workflow.graph`, `validate` and `toMermaid` take it by this second overload:
 * a type with a `prototype` of its own type and no call signature. A plain function, whose
 * `prototype` is `any`, and an arrow function, which is callable, are still compile errors.
 *
 * @example
 * ```ts
 * class Nightly {
 *   static create() { return new Nightly(); }
 *   private constructor() {}
 *   @Task() sync() { return 'synced'; }
 * }
 * Workflow.validate(Nightly); // compiles: Nightly is a ClassWithHiddenConstructor<typeof Nightly>
 * ```
 */
export type ClassWithHiddenConstructor<C> = C extends (...args: any[]) => unknown
  ? never
  : C extends {
        /** The instances' prototype, which the scanner reads tasks from. */
        readonly prototype: infer P extends object;
      }
    ? 0 extends 1 & P
      ? never
      : C
    : never;

/**
 * What the instance given to `Workflow.invoke` and `Workflow.stream` is besides an object: not a
 * class. A class has a `prototype` (of its instances' type), which an instance has not — or has as
 * a method, a task like any other. So `Workflow.invoke(Checkout, req)`, a `TypeError` at run time,
 * is a compile error naming this type, as is a `buildDag()` builder, while generic code passing on
 * an instance of a type parameter `W extends object` still compiles. Internal: not exported from
 * the package.
 */
export interface NotAClass {
  /** Absent on an instance of a workflow class, or a method (a task named `prototype`). */
  readonly prototype?: AnyFunction | InstanceExpected;
  /** Absent: a `buildDag()` builder runs with its own `invoke` and `stream`. */
  readonly [builderBrand]?: never;
}

/**
 * What a class's `prototype` is said not to be when a class is given where an instance goes. Its
 * index signature shares a key with any instance that has a string-named member, so the compiler
 * explains the failure against this member of the union (the key it misses, which is the message)
 * rather than stopping at "not assignable to type 'AnyFunction | InstanceExpected'".
 */
interface InstanceExpected {
  readonly [key: string]: never;
  /** Never present: the key is the message. */
  readonly 'expected an instance of the workflow class (new MyWorkflow(…)), not the class': never;
}

/**
 * Runs and inspects workflow classes, the classes whose methods carry `@Task()`: `invoke` and
 * `stream` run an instance's tasks; `graph`, `validate` and `toMermaid` read a class's DAG.
 *
 * @example
 * ```ts
 * class Example {
 *   @Task() @DependsOn(PARAM) a(n: number) { return n + 1; }
 *   @Task() @DependsOn('a') b(a: number) { return a * 2; }
 * }
 * const result = await Workflow.invoke(new Example(), 1);
 * result.get('b'); // 4
 * ```
 */
export class Workflow {
  private constructor() {}

  /**
   * Runs every task of `instance`'s class (or only `options.targets` and their dependencies), each
   * starting the moment its last dependency succeeds (or settles, as its `when` rule says).
   * Resolves with the results; rejects with `WorkflowDefinitionError` (invalid class),
   * `WorkflowOptionsError` (invalid options), `WorkflowExecutionError` (a task failed) or
   * `WorkflowAbortedError` (`options.signal` aborted), and with a `TypeError` when `instance` is
   * not an instance of a workflow class: a non-object, the class itself, a plain object, or a
   * `buildDag()` builder (which has its own `invoke`). The class and the builder are compile
   * errors in TypeScript.
   *
   * @param instance - an instance of a workflow class: `this` in its tasks.
   * @param param - the value the tasks that list `PARAM` (or mark `@Param()`) receive.
   * @param options - {@link InvokeOptions}: `signal`, `concurrency`, `targets`, `overrides`,
   *   `hooks`, `interceptors`, `failFast`.
   * @example
   * ```ts
   * const result = await Workflow.invoke(new Checkout(repo), request, { concurrency: 4 });
   * result.get('cart'); // typed as cart's awaited return type
   * ```
   */
  static invoke<W extends object & NotAClass, P = undefined>(
    instance: W,
    param?: P,
    options?: InvokeOptions<WorkflowOfInstance<W>>,
  ): Promise<ExecutionResult<W, P>> {
    try {
      const plan = planOfInstance(instance, 'invoke');
      const settings = resolveRunSettings(plan, options, param, 'Workflow.invoke(instance, ');
      return startRun(instance, plan, param as P, settings);
    } catch (error) {
      return IntrinsicPromise.reject(error);
    }
  }

  /**
   * Starts a run, as `invoke` does, and returns it as a {@link WorkflowStream}: its events, typed
   * per task, as they happen, and its `result`. Checks its input as `invoke` does, but throws at
   * once (the error `invoke` would reject with, its message naming `Workflow.stream`). Leaving the
   * `for await` loop early aborts the run.
   *
   * @param instance - an instance of a workflow class: `this` in its tasks.
   * @param param - the value the tasks that list `PARAM` (or mark `@Param()`) receive.
   * @param options - {@link InvokeOptions}, as for `invoke`.
   * @example
   * ```ts
   * const run = Workflow.stream(new Checkout(repo), request, { signal: AbortSignal.timeout(5_000) });
   * for await (const event of run) {
   *   if (event.type === 'taskSuccess' && event.task === 'cart') event.value; // cart's result type
   * }
   * const result = await run.result;
   * ```
   */
  static stream<W extends object & NotAClass, P = undefined>(
    instance: W,
    param?: P,
    options?: InvokeOptions<WorkflowOfInstance<W>>,
  ): WorkflowStream<W, P> {
    const plan = planOfInstance(instance, 'stream');
    const settings = resolveRunSettings(plan, options, param, 'Workflow.stream(instance, ');
    return new WorkflowStream(instance, plan, param as P, settings);
  }

  /**
   * The validated DAG of a workflow class: its tasks with their dependencies and dependents, roots,
   * sinks and a topological order. Throws `WorkflowDefinitionError` for an invalid class.
   *
   * @example
   * ```ts
   * Workflow.graph(Example).order; // ['a', 'b']
   * ```
   */
  static graph(workflowClass: WorkflowClass): WorkflowGraph;
  /**
   * The validated DAG of a workflow class whose constructor is `private` or `protected` (see
   * {@link ClassWithHiddenConstructor}), as for any other class.
   */
  static graph<C extends Function>(workflowClass: ClassWithHiddenConstructor<C>): WorkflowGraph;
  static graph(workflowClass: Function): WorkflowGraph {
    return planOfClass(workflowClass, 'graph').graph();
  }

  /**
   * Throws `WorkflowDefinitionError` when the class is not a valid workflow — a unit test can check
   * a definition without running it.
   *
   * @example
   * ```ts
   * it('is a valid workflow', () => Workflow.validate(Checkout));
   * ```
   */
  static validate(workflowClass: WorkflowClass): void;
  /**
   * Throws `WorkflowDefinitionError` when the class, whose constructor is `private` or `protected`
   * (see {@link ClassWithHiddenConstructor}), is not a valid workflow, as for any other class.
   */
  static validate<C extends Function>(workflowClass: ClassWithHiddenConstructor<C>): void;
  static validate(workflowClass: Function): void {
    planOfClass(workflowClass, 'validate');
  }

  /**
   * The class's DAG as Mermaid `graph TD;` text, one `dependency-->task;` line per edge. Any task
   * name draws: a name that is not a plain identifier, or is a Mermaid keyword such as `end`, gets
   * a generated id and is declared with its name as a quoted, escaped label (`t1["load users"];`).
   *
   * @example
   * ```ts
   * Workflow.toMermaid(Example); // 'graph TD;\na-->b;'
   * ```
   */
  static toMermaid(workflowClass: WorkflowClass): string;
  /**
   * The DAG as Mermaid `graph TD;` text of a class whose constructor is `private` or `protected`
   * (see {@link ClassWithHiddenConstructor}), as for any other class.
   */
  static toMermaid<C extends Function>(workflowClass: ClassWithHiddenConstructor<C>): string;
  static toMermaid(workflowClass: Function): string {
    return mermaidGraph(planOfClass(workflowClass, 'toMermaid').graph());
  }
}

/** The plan of `workflowClass`, for `Workflow[caller]`; a `TypeError` when it is no class. */
function planOfClass(
  workflowClass: Function,
  caller: 'graph' | 'validate' | 'toMermaid',
): WorkflowPlan {
  let prototype: unknown;
  try {
    prototype = typeof workflowClass === 'function' ? workflowClass.prototype : undefined;
  } catch (error) {
    // A revoked Proxy, or one whose trap throws, as for an instance that `invoke` cannot read.
    throw new TypeError(`Workflow.${caller} could not read the class: ${describeThrown(error)}`, {
      cause: error,
    });
  }
  if (typeof prototype !== 'object' || prototype === null) {
    throw new TypeError(
      `Workflow.${caller} expects a workflow class, got ${notAClass(workflowClass, caller)}`,
    );
  }
  return planFor(prototype);
}

/**
 * What `value` is, for `Workflow[caller]`'s "expects a workflow class" message, with the call that
 * was likely meant: the likely slips are a builder, which has its own `graph()`, `validate()` and
 * `toMermaid()`, and an instance, whose class is what to pass. Never throws.
 */
function notAClass(value: unknown, caller: string): string {
  let name = '';
  try {
    if (value instanceof DagBuilder) return builderGiven(caller);
    const prototype: unknown =
      typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : null;
    // An instance of a class of the user's own: not of Object, Map, Array or another built-in.
    if (prototype !== null && !isPlainObjectPrototype(prototype as object)) {
      const constructor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
      const native =
        typeof constructor === 'function' &&
        /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(constructor));
      if (!native) name = classNameOfPrototype(prototype as object);
    }
  } catch {
    // A revoked Proxy, or one whose traps throw: described by its kind.
  }
  return name === ''
    ? `${describeInput(value)}.`
    : `an instance of ${name}. Did you mean Workflow.${caller}(${name})?`;
}

/** What a `Workflow[caller]` message says of a `buildDag()` builder given to it. */
function builderGiven(caller: string): string {
  return `a buildDag() builder. Call its own ${caller}() instead.`;
}

/**
 * The plan `Workflow[caller]` runs for `instance`: its class's, through {@link prototypeOfInstance}.
 * A builder (of this or another loaded copy of the package: its CommonJS and its ES-module build)
 * and the promise of an instance are told apart only once their class turned out to be no
 * workflow, so a valid run pays nothing for it.
 */
function planOfInstance(instance: unknown, caller: 'invoke' | 'stream'): WorkflowPlan {
  const prototype = prototypeOfInstance(instance, caller);
  // A class that already ran has a plan, so it is no plain object: the check below (a second
  // prototype read, a call into V8's runtime) is for classes seen for the first time.
  const cached = cachedPlan(prototype);
  if (cached !== undefined) return cached;
  if (isPlainObjectPrototype(prototype)) throw plainObjectGivenToRun(caller);
  try {
    return planFor(prototype);
  } catch (error) {
    if (isBuilderPrototype(prototype)) throw builderGivenToRun(caller);
    if (isPromiseOfInstance(instance)) throw promiseGivenToRun(caller);
    throw error;
  }
}

/**
 * Whether `instance`, whose class is no workflow, is a thenable — the promise of an instance that
 * Nest's `moduleRef.resolve()` or an async factory gives, which TypeScript takes for an instance.
 * Never throws (a getter of `then` may).
 */
function isPromiseOfInstance(instance: unknown): boolean {
  try {
    return isThenable(instance);
  } catch {
    return false;
  }
}

/**
 * The promise of an instance given to `Workflow.invoke` or `Workflow.stream`: its class declares no
 * tasks, so the run would fail as NO_TASKS of `Promise`, blaming decorators.
 */
function promiseGivenToRun(caller: 'invoke' | 'stream'): TypeError {
  return new TypeError(
    `Workflow.${caller} expects an instance of a workflow class, got a promise. Await it first: ` +
      `Workflow.${caller}(await instancePromise, …).`,
  );
}

/**
 * A builder given to `Workflow.invoke` or `Workflow.stream`: its class declares no tasks, so the run
 * would fail as NO_TASKS, blaming decorators.
 */
function builderGivenToRun(caller: 'invoke' | 'stream'): TypeError {
  return new TypeError(
    `Workflow.${caller} expects an instance of a workflow class, got ${builderGiven(caller)}`,
  );
}

/**
 * The prototype of `instance`, the class whose plan `Workflow[caller]` runs; a `TypeError` saying
 * what was given instead when it is no instance of a class (a plain object and a `buildDag()`
 * builder are told apart by {@link planOfInstance}). Every message names `Workflow[caller]`, the
 * call the user wrote, and its advice calls it: `Workflow.stream(Flow)` is told to write
 * `Workflow.stream(new Flow(…), …)`, not `Workflow.invoke(…)`.
 */
function prototypeOfInstance(instance: unknown, caller: 'invoke' | 'stream'): object {
  if (typeof instance === 'function' && typeof instance.prototype === 'object') {
    const name = classNameOf(instance);
    throw new TypeError(
      `Workflow.${caller} expects an instance of a workflow class, got the class ${name || '(anonymous)'} ` +
        `itself. Did you mean Workflow.${caller}(new ${name || 'YourWorkflow'}(…), …)?`,
    );
  }
  if (typeof instance !== 'object' || instance === null) {
    throw new TypeError(
      `Workflow.${caller} expects an instance of a workflow class, got ${describeInput(instance)}.`,
    );
  }
  let prototype: object | null;
  try {
    prototype = Object.getPrototypeOf(instance);
  } catch (error) {
    // A revoked Proxy, or a Proxy whose getPrototypeOf trap throws.
    throw new TypeError(
      `Workflow.${caller} could not read the class of the instance: ${describeThrown(error)}`,
      { cause: error },
    );
  }
  if (prototype === null) {
    throw new TypeError(
      `Workflow.${caller} expects an instance of a workflow class, got an object without a class.`,
    );
  }
  return prototype;
}

/**
 * A plain object given to `Workflow.invoke` or `Workflow.stream` — likely a mock (Nest's
 * `overrideProvider(…).useValue({ … })`): it has no tasks to run.
 */
function plainObjectGivenToRun(caller: 'invoke' | 'stream'): TypeError {
  return new TypeError(
    `Workflow.${caller} expects an instance of a workflow class, got a plain object: a run calls ` +
      'the @Task() methods its class declares. To replace tasks in a test, pass an instance of ' +
      'the workflow class (or a subclass) with the `overrides` option, or stub its methods.',
  );
}
