/**
 * The builder: a DAG written in code, the way the Python seed writes it (`build_dag`, `add_node`,
 * `parameter_node`, `extract_result`), for graphs known only at run time. Each `addNode` adds one
 * task to a {@link PlanDraft}, the same plan a decorated class compiles to, so a builder runs on the
 * same scheduler with the same options, results, errors and speed.
 */
import { definitionErrors, type WorkflowDefinitionError } from './definition-errors.js';
import {
  awaitHint,
  awaitOptionsHint,
  bareName,
  causedBy,
  describeInput,
  describeThrown,
  isNamedOptions,
  quotedName,
  unreadableOptions,
} from './describe.js';
import { WorkflowOptionsError } from './errors.js';
import { inspectView, type InspectFunction } from './inspect-view.js';
import { IntrinsicPromise } from './intrinsic-promise.js';
import { PlanDraft, type WorkflowPlan } from './plan.js';
import { pointSeedNames } from './seed-names.js';
import { isSharedClassPrototype, shared, shareInstanceof } from './shared.js';
import { mermaidGraph } from './render.js';
import {
  isResultOfAnotherCopy,
  resultOutline,
  TaskResultError,
  type ExecutionResult,
} from './result.js';
import { resolveRunSettings, type RunSettings } from './options.js';
import { markHandled } from './outcomes.js';
import { startRun } from './scheduler.js';
import { didYouMean, unknownKey } from './suggest.js';
import { WorkflowStream } from './stream.js';
import {
  PARAM,
  shownToken,
  tokenSlot,
  type ContextToken,
  type NotAnInputToken,
  type ParamToken,
  type SignalToken,
} from './tokens.js';
import type {
  InvokeOptions,
  Settled,
  SettledSuccess,
  TaskContext,
  TaskOptions,
  WorkflowGraph,
} from './types.js';

/**
 * The task type of a builder's results: tasks are named at run time, so `result.get(name)` is
 * `unknown` — use `node.extractResult(result)` for a typed value.
 *
 * @example
 * ```ts
 * const result: ExecutionResult<DagTasks, Order> = await tm.invoke(order);
 * result.get('total'); // unknown: read it typed with total.extractResult(result)
 * ```
 */
export interface DagTasks {
  /** Every node, by name. */
  readonly [name: string]: (...args: any[]) => unknown;
}

/**
 * Options of {@link buildDag}.
 *
 * @example
 * ```ts
 * const tm = buildDag<Order>({ name: 'checkout' }); // 'checkout' in messages and traces
 * ```
 */
export interface DagOptions {
  /**
   * The workflow's name in messages, the Gantt chart's title and tracing, as a class's name is.
   * @default 'dag'
   */
  name?: string | undefined;
}

/**
 * Options of one node: every {@link TaskOptions} field, plus its name. `T` is the node's value
 * type, which its `fallback` must return, since the fallback's value becomes the node's. Options
 * written in the call need no type; options declared apart and shared between nodes take
 * `NodeOptions` (no fallback, or one that only throws or calls `skip()`), or `NodeOptions<T>` for a
 * fallback that returns a `T`, which then fits only nodes whose value a `T` is.
 *
 * @example
 * ```ts
 * const price = tm.addNode({ retries: 2, fallback: () => 0 }, fetchPrice, tm.parameterNode);
 * const patient: NodeOptions = { retries: 3, timeout: 5_000 };
 * const user = tm.addNode(patient, fetchUser, tm.parameterNode); // DagNode<User>
 * ```
 */
export interface NodeOptions<T = never> extends Omit<TaskOptions, 'fallback'> {
  /**
   * The node's name (unique in its DAG). Without it, the function's name is used (`'task'` for an
   * anonymous one), with a numeric suffix when that name is taken: `incTask`, `incTask_2`, …
   */
  name?: string | undefined;
  /**
   * Called with the error when the node fails for good (after its retries, a timeout included):
   * its (awaited) return value becomes the node's value and the run goes on as if it had
   * succeeded, as {@link TaskOptions.fallback} says. It returns (or resolves to) a value of the
   * node's type: the node's function decides that type, the fallback is checked against it.
   * @default undefined (no fallback)
   */
  fallback?: ((error: unknown, signal: AbortSignal) => T | PromiseLike<T>) | undefined;
}

/**
 * A node's `when` rule (`TaskOptions.when`), `'allSucceeded'` when it has none.
 *
 * @example
 * ```ts
 * const rule: WhenRuleName = 'noneFailed';
 * tm.addNode({ when: rule }, (cost?: number) => cost ?? 0, shipping);
 * ```
 */
export type WhenRuleName = NonNullable<TaskOptions['when']>;

/**
 * What an argument of `addNode` may be for a parameter of type `T` of a builder with invocation
 * parameter `P`, in a node whose `when` rule is `Rule`: a value of type `T` (passed unchanged to
 * every invocation), a node whose value fits `T` as the rule passes it (see {@link DependencyNode}),
 * `PARAM` (`tm.parameterNode`) when `P` is a `T`, `SIGNAL` where an `AbortSignal` fits, or
 * `CONTEXT` where a `TaskContext` fits.
 *
 * @example
 * ```ts
 * type Arg = NodeArgument<number, number>; // a number, a DagNode<number>, or PARAM (a number too)
 * ```
 */
export type NodeArgument<T, P, Rule extends WhenRuleName = 'allSucceeded'> =
  | PlainArgument<T>
  | DependencyNode<T, Rule>
  | ([P] extends [T] ? ParamToken<any> : never)
  | (AbortSignal extends T ? SignalToken : never)
  | (TaskContext extends T ? ContextToken : never);

/**
 * The nodes that fit a parameter of type `T` of a node whose `when` rule is `Rule`: under
 * `'allSucceeded'`, a node whose value is a `T`; under `'noneFailed'`, the same, if `T` also takes
 * `undefined` (a skipped dependency's argument); under `'allSettled'`, a node whose `Settled`
 * is a `T` (`(reserved: Settled<Lock>)` takes a `DagNode<Lock>`).
 *
 * @example
 * ```ts
 * type Lock = { id: string };
 * type Fits = DependencyNode<Settled<Lock>, 'allSettled'>; // DagNode<Lock>
 * ```
 */
export type DependencyNode<T, Rule extends WhenRuleName> = Rule extends 'allSettled'
  ? DagNode<SettledValue<T>>
  : Rule extends 'noneFailed'
    ? undefined extends T
      ? DagNode<T>
      : never
    : DagNode<T>;

/**
 * The value type `V` for which every `Settled<V>` (success, failure and skip alike) fits `T`:
 * `unknown` when any does, `never` when none does. A `T` that is a `Settled<V>` gives that `V`
 * first, by inference: so a helper generic in `V` (`(v: Settled<V>) => …` given a `DagNode<V>`)
 * compiles, where the checks below stay unresolved until `V` is known.
 */
type SettledValue<T> = [T] extends [Settled<infer V>]
  ? [Settled<V>] extends [T]
    ? V
    : AnySettledValue<T>
  : AnySettledValue<T>;

/** {@link SettledValue}, for a `T` that is not exactly a `Settled`. */
type AnySettledValue<T> = [Settled<unknown>] extends [T]
  ? unknown
  : SuccessValue<T> extends infer V
    ? [Settled<V>] extends [T]
      ? V
      : never
    : never;

/** The value of the `SettledSuccess` members of `T`. */
type SuccessValue<T> = T extends SettledSuccess<infer V> ? V : never;

/** Type-level only: the brand of a node (see `PlainArgument`). */
declare const nodeBrand: unique symbol;

/**
 * Type-level only: the brand of a builder, which `Workflow.invoke` and `Workflow.stream` refuse
 * at compile time (a builder runs with its own `invoke` and `stream`).
 */
export declare const builderBrand: unique symbol;

/** Type-level only: what neither a node nor an input token fits. */
type NotANodeOrToken = NotAnInputToken & { readonly [nodeBrand]?: never };

/**
 * A constant argument for a parameter of type `T`: a `T` that is not a node or a token (those are
 * replaced by their values at run time, so they must fit as what they stand for), so a node never
 * passes as a constant of a type it happens to fit by its shape (`{ name: string }`, `object`).
 */
type PlainArgument<T> = T extends object
  ? [keyof T] extends [never]
    ? number extends T
      ? T // `{}`: any value but null and undefined; a node of a non-nullable result fits as one
      : T & NotANodeOrToken & { readonly [key: string]: any } // `object`, functions
    : T & NotANodeOrToken
  : T;

/**
 * Type-level only: the parameters the arguments after `fn` of `addNode`'s overload with options
 * must fit, `F` being `fn`'s type and `A` its parameters as inferred from `fn` alone (the indexed
 * access hides `A` from inference from the arguments). For `any` (a function from an untyped
 * registry) or `never`, any arguments, as TypeScript checks no call of an `any`. For anything else
 * that is no function, none that fit: a call `addNode(fn, …)` meant for the overload after it —
 * see {@link NoFunctionGiven}. Decided by `F` here, not by a default of `A`: a default other than
 * `A`'s constraint is what TypeScript took for `A` when `fn` was a call of a generic function
 * (`addNode({ retries: 1 }, fetchUser.bind(api), id)`, `withRetry(fetchUser)`), before it had
 * inferred `A` from that call's result.
 */
type ParametersOf<F, A extends readonly unknown[]> =
  IsAnyOrNever<F> extends true
    ? readonly any[]
    : [F] extends [(...args: any) => unknown]
      ? [A][A extends any ? 0 : never]
      : NoFunctionGiven;

/**
 * Type-level only: the values a node's function receives for arguments of types `G` (`addNode`'s
 * arguments after `fn`), in a builder with parameter `P` and a node whose `when` rule is `Rule`: a
 * node's value (as the rule passes it), `P` for `tm.parameterNode`, an `AbortSignal` for `SIGNAL`,
 * a `TaskContext` for `CONTEXT`, a constant itself. The parameters of an inline function left
 * without types, given with options: `addNode({ retries: 1 }, (n) => n + 1, tm.parameterNode)`.
 */
type ArgumentValues<G extends readonly unknown[], P, Rule extends WhenRuleName> = {
  -readonly [K in keyof G]: ArgumentValue<G[K], P, Rule>;
};

/** {@link ArgumentValues}, for one argument of type `X`. */
type ArgumentValue<X, P, Rule extends WhenRuleName> =
  X extends DagNode<infer V>
    ? Rule extends 'allSettled'
      ? Settled<V>
      : Rule extends 'noneFailed'
        ? V | undefined
        : V
    : X extends ParamToken<any>
      ? P
      : X extends SignalToken
        ? AbortSignal
        : X extends ContextToken
          ? TaskContext
          : X;

/** Type-level only: whether `F` is `any` or `never`, types TypeScript checks no call of. */
type IsAnyOrNever<F> = 0 extends 1 & F ? true : [F] extends [never] ? true : false;

/**
 * Type-level only: the parameters `addNode`'s overload with options takes when its second argument
 * is no function (so `A` is not inferred) — a call `addNode(fn, …)` meant for the overload after it.
 * Sixteen of them, so that this overload fails on its argument count for any call that gives `fn`
 * fewer than seventeen arguments, as the one meant does, and TypeScript reports the one meant: with
 * none, `addNode(incTask, a)` fitted its count, and TypeScript said that `incTask` had "no
 * properties in common" with the options instead of "Expected 4 arguments, but got 2."
 */
// prettier-ignore
type NoFunctionGiven = readonly [
  never, never, never, never, never, never, never, never,
  never, never, never, never, never, never, never, never,
];

/**
 * Type-level only: the primitives among `R` (the node's type), which TypeScript never infers `R`
 * from (see `addNode`'s arguments). Listed beside a fallback's own return type, they keep the
 * literal an inline fallback returns: `addNode` checks its options before it knows `R` from the
 * function after them, so `() => 'standard'` had only a type parameter for context, and TypeScript
 * widened its result to `string`, which a node returning `'gold' | 'standard'` does not take.
 * Every type listed here is an `R`, so the check of the fallback is no looser.
 */
type FallbackLiterals<R> = Extract<
  [R][R extends unknown ? 0 : never],
  string | number | bigint | boolean | symbol
>;

/**
 * Type-level only: the arguments after `fn` of `addNode`'s overload without options, `F` being
 * `fn`'s type and `G` the arguments as given: one {@link NodeArgument} per parameter `A` of `fn`,
 * `A` coming from `fn` alone (hidden from inference from the arguments, as in the overload with
 * options). While `F` is `unknown` (an inline function, or a call of a generic function, that
 * TypeScript has yet to type), the arguments as given, to infer `G`, from which `A` defaults to
 * what they pass (see {@link ArgumentValues}): so `(sg) => sg.aborted` with `SIGNAL` has an
 * `AbortSignal`, where `A`, inferred from the arguments, took the token's own type. When `F` is options (see
 * {@link GivesOptions}), the call was meant for the overload with options, and this one must fail
 * on its argument count, never on a type: TypeScript reports an overload that failed on a type
 * over one that failed on its count (so it said that `retries` did not exist in a function type),
 * and of those that failed on their count, the last. So it expects what the one meant does after
 * the options, a function and that function's arguments (`B`, inferred from that function alone):
 * with one missing or one too many, TypeScript says "Expected 5 arguments, but got 3.". With that
 * many given (`G` has their count), one more, so that the one meant, failing
 * on a type, is reported alone: its fallback, `when` rule, misspelt option or argument of the wrong
 * type, instead of "No overload matches this call" and this overload's complaint about options
 * that are no function (the only one TypeScript 7 shows).
 */
type ArgumentsAfter<
  F,
  G extends readonly unknown[],
  A extends readonly unknown[],
  B extends readonly unknown[],
  P,
> =
  GivesOptions<F> extends true
    ? number extends B['length']
      ? FunctionAndArguments<B, P> // no function after the options, or one with a rest parameter
      : G['length'] extends FunctionAndArguments<B, P>['length']
        ? [...args: FunctionAndArguments<B, P>, extra: never]
        : FunctionAndArguments<B, P>
    : unknown extends F
      ? G
      : Extract<NodeArguments<[A][A extends any ? 0 : never], P>, readonly unknown[]>;

/** Type-level only: a function with parameters `B`, then one {@link NodeArgument} for each. */
type FunctionAndArguments<B extends readonly unknown[], P> = [
  fn: (this: void, ...args: B) => unknown,
  ...args: Extract<NodeArguments<[B][B extends any ? 0 : never], P>, readonly unknown[]>,
];

/**
 * Type-level only: whether `addNode`'s first argument, of type `F`, is options rather than a
 * function: an object that is no function, node or token. Not `any` or `never` either, nor
 * `unknown` (the type of an inline function TypeScript has yet to type, while it infers `A` from
 * the arguments after it).
 */
type GivesOptions<F> =
  IsAnyOrNever<F> extends true
    ? false
    : unknown extends F
      ? false
      : [F] extends [(...args: any) => unknown]
        ? false
        : [F] extends [object]
          ? [F] extends [DagNode<any> | ParamToken<any> | SignalToken | ContextToken]
            ? false
            : true
          : false;

/** The options `buildDag` takes. */
const DAG_OPTIONS: readonly string[] = ['name'];

/**
 * The arguments of `addNode` for a function with parameters `A`, in a node whose `when` rule is
 * `Rule`: one {@link NodeArgument} each.
 *
 * @example
 * ```ts
 * type Args = NodeArguments<[user: User, signal: AbortSignal], string>;
 * // [NodeArgument<User, string>, NodeArgument<AbortSignal, string>]: a node of a User, SIGNAL…
 * ```
 */
export type NodeArguments<
  A extends readonly unknown[],
  P,
  Rule extends WhenRuleName = 'allSucceeded',
> = {
  [K in keyof A]: NodeArgument<A[K], P, Rule>;
};

/** True only while `addNode` or `addImmediateNode` makes a node: what its `#made` records. */
let makingNode = false;

/**
 * Whether `value` is a node that `addNode` or `addImmediateNode` of this copy of the package made.
 * A private-field check, not `instanceof` or a property read, never reads anything of `value` (a
 * revoked Proxy passed as a constant stays a constant), and costs nothing per node made (a
 * registry of every node, a `WeakSet`, took a quarter of the time of building 100,000 nodes). A
 * `DagNode` made with `new` is no node (its index could be anything: the node itself, a later one,
 * none), so it is a constant like any other object.
 */
let isNodeOfThisCopy: (value: object) => boolean;

/**
 * The node checks of every loaded copy of the package (its CommonJS and ES-module builds side by
 * side, or two bundles): a node of another copy is recognised, to reject it as foreign. Held
 * weakly: a copy a test runner loaded and let go (`jest.resetModules()`, vitest's per-file
 * modules) is not kept alive by its check.
 */
const nodeChecks = shared('dag node checks', () => [] as WeakRef<(value: object) => boolean>[]);

/**
 * A node of a {@link DagBuilder}: a handle to one task's result, typed by what its function returns.
 *
 * @typeParam T - the node's value type: what its function returns, awaited.
 * @example
 * ```ts
 * const tm = buildDag<number>();
 * const doubled = tm.addNode((n: number) => n * 2, tm.parameterNode);
 * const result = await tm.invoke(21);
 * doubled.extractResult(result); // 42, typed as number
 * ```
 */
export class DagNode<T> {
  /** Type-level only: marks a node, never a constant `addNode` argument. */
  declare readonly [nodeBrand]: 'node';
  /** Whether `addNode` or `addImmediateNode` made this node (see `isNodeOfThisCopy`). */
  readonly #made = makingNode;
  static {
    isNodeOfThisCopy = (value) => #made in value && (value as DagNode<unknown>).#made;
  }
  /** @internal Nodes are made by `addNode` and `addImmediateNode`. */
  constructor(
    /** The node's name: its task name in results, traces, options and pictures. */
    readonly name: string,
    private readonly owner: DagBuilder<any>,
    private readonly index: number,
  ) {
    // Bound, as the seed's `extract_result` is: `.then(node.extractResult)` and
    // `results.map(node.extractResult)` read this node.
    this.extractResult = this.extractResult.bind(this);
    // Frozen: `readonly` binds TypeScript alone, and a node renamed in plain JavaScript would read,
    // and target, the node whose name it took.
    Object.freeze(this);
  }

  /**
   * This node's value in `result`: `result.get(node.name)`, typed. Throws `TaskResultError` when
   * the node did not succeed in that run, when `result` is a run of another DAG (even one with
   * the same node names) or of another loaded copy of the package, and when it is no result at all
   * (the message says what it got: for a run error, to pass `error.result`; for the promise of a
   * run, to await it; for a stream, to await `stream.result`). Bound to its node, so it can be
   * passed on as a function.
   *
   * @example
   * ```ts
   * const total = tm.addNode(addTask, subtotal, shipping);
   * total.extractResult(await tm.invoke(order)); // typed as addTask's awaited return type
   * const totals = results.map(total.extractResult); // bound: it can be passed on
   * ```
   */
  extractResult(result: ExecutionResult<any, any>): T {
    const plan = this.owner['sealedPlan'];
    const ofResult = resultOutline(result);
    if (plan === undefined || ofResult !== plan.outline) {
      const workflow = plan?.workflow ?? this.owner.name;
      throw new TaskResultError(
        workflow,
        this.name,
        ofResult !== undefined
          ? `node ${quotedName(this.name)} cannot read a result of another DAG` +
              ` (this result is a run of ${quotedName(ofResult.workflow)}).`
          : isResultOfAnotherCopy(result)
            ? `node ${quotedName(this.name)} cannot read a result of another DAG` +
              ' (this result was made by another loaded copy of async-dag).'
            : `node ${quotedName(this.name)} needs an ExecutionResult (what invoke resolves with), ` +
              `got ${describeInput(result)}.${awaitHint(result)}${runErrorHint(result)}`,
      );
    }
    return result.get(this.name) as T;
  }

  /**
   * The node as JSON: its name, `{"name":"inc"}`. A node is a handle, so a node in a logged value
   * (one returned by mistake as a node's value, say) shows which node it is, not its DAG: the plan
   * and every constant argument of every node, secrets included.
   *
   * @example
   * ```ts
   * const total = tm.addNode({ name: 'total' }, addTask, subtotal, shipping);
   * JSON.stringify({ step: total }); // '{"step":{"name":"total"}}'
   * ```
   */
  toJSON(): Pick<DagNode<T>, 'name'> {
    return { name: this.name };
  }

  /**
   * What `console.log` and Node's `util.inspect` show for a node: `DagNode { name: 'inc' }`, as in
   * JSON, not its DAG. Node, Bun and Deno call it by this symbol; no `node:` module is needed.
   */
  [Symbol.for('nodejs.util.inspect.custom')](
    depth: number,
    options: { depth?: number | null },
    inspect?: InspectFunction,
  ): unknown {
    return inspectView('DagNode', this.toJSON(), depth, options, inspect);
  }

  /** @internal The node's task index, after checking that it belongs to `builder`. */
  indexIn(builder: DagBuilder<any>): number | undefined {
    return this.owner === builder ? this.index : undefined;
  }
}

shareInstanceof(DagNode, 'DagNode');
// This copy's node check joins the others' (set by the class's static block), and the checks of
// copies that were collected leave.
for (let index = nodeChecks.length - 1; index >= 0; index--) {
  if (nodeChecks[index].deref() === undefined) nodeChecks.splice(index, 1);
}
nodeChecks.push(new WeakRef(isNodeOfThisCopy!));

/**
 * The hint for a run error given where its result is wanted — the likely slip in a `catch` block —
 * or `''`. Never throws, whatever `value` is.
 */
function runErrorHint(value: unknown): string {
  try {
    const held = (value as { result?: unknown } | null | undefined)?.result;
    return resultOutline(held) === undefined
      ? ''
      : " A run error holds the run's result: pass error.result.";
  } catch {
    return ''; // a getter or a Proxy trap that throws: no hint
  }
}

/**
 * `value`, when it is a node or an input token, as messages show it (`node "inc"`, `the PARAM
 * token`) and as a call writes it (`node`, `PARAM`); else `undefined`. Never throws.
 */
function asInput(
  value: unknown,
): { kind: 'node' | 'token'; shown: string; written: string } | undefined {
  const node = asNode(value);
  if (node !== undefined)
    return { kind: 'node', shown: `node ${quotedName(node.name)}`, written: 'node' };
  const shown = shownToken(value);
  return shown === undefined ? undefined : { kind: 'token', shown, written: String(value) };
}

/** `value` as a node, when it is one; never throws, whatever `value` is. */
function asNode(value: unknown): DagNode<unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (isNodeOfThisCopy(value)) return value as DagNode<unknown>;
  for (const check of nodeChecks) {
    const isNode = check.deref();
    if (isNode !== undefined && isNode !== isNodeOfThisCopy && isNode(value)) {
      return value as DagNode<unknown>;
    }
  }
  return undefined;
}

/**
 * Builds a DAG in code: each `addNode` is a partially applied function whose arguments are other
 * nodes (their results), `tm.parameterNode` (the value passed to `invoke`), the tokens `SIGNAL` and
 * `CONTEXT`, or constants. The DAG is sealed by its first `invoke`, `stream`, `graph`, `toMermaid`
 * or `validate`, and can then be invoked any number of times, concurrently.
 *
 * @typeParam P - the type of the parameter `invoke` takes, which `tm.parameterNode` stands for.
 * @example
 * ```ts
 * const tm = buildDag<number>({ name: 'seed' });
 * const a = tm.addNode(incTask, tm.parameterNode, 'fast_task_a', 100);
 * const b = tm.addNode(incTask, a, 'slow_task_b', 1000);
 * const result = await tm.invoke(0);
 * b.extractResult(result); // 2
 * ```
 */
export function buildDag<P = void>(options: DagOptions = {}): DagBuilder<P> {
  return new DagBuilder<P>(options);
}

/**
 * A DAG built in code, node by node: what {@link buildDag} returns. Add nodes with `addNode` and
 * `addImmediateNode`, then run it with `invoke` or `stream`; its first use seals it.
 *
 * @typeParam P - the type of the parameter `invoke` takes, which `tm.parameterNode` stands for.
 * @example
 * ```ts
 * const tm: DagBuilder<number> = buildDag<number>();
 * const doubled = tm.addNode((n: number) => n * 2, tm.parameterNode);
 * doubled.extractResult(await tm.invoke(21)); // 42
 * ```
 */
export class DagBuilder<P = void> {
  /**
   * Type-level only: marks a builder, never an instance of a workflow class. The literal is what
   * the compiler quotes when a builder is given to `Workflow.invoke`.
   */
  declare readonly [builderBrand]: 'a buildDag() builder: call its own invoke() or stream()';
  /** The workflow's name, as given to {@link buildDag} (default `'dag'`). */
  readonly name: string;
  /**
   * The invocation parameter, as a node argument: the `PARAM` token, typed as `P`.
   *
   * @example
   * ```ts
   * const tm = buildDag<string>();
   * const greeting = tm.addNode((name: string) => `Hello, ${name}`, tm.parameterNode);
   * ```
   */
  readonly parameterNode: ParamToken<P>;
  private readonly draft: PlanDraft;
  /** Each node's index by name: the names taken, and the plan's name lookup once sealed. */
  private readonly indexByName = new Map<string, number>();
  private readonly nextSuffix = new Map<string, number>();
  private sealedPlan: WorkflowPlan | undefined;

  /** @internal Use {@link buildDag}. */
  constructor(options: DagOptions = {}) {
    if (!isNamedOptions(options)) {
      // A function here is most likely the seed's `build_dag(int)` ported word for word.
      const hint =
        typeof options === 'function'
          ? " The parameter's type is a type argument, not an argument: buildDag<number>() " +
            'where Python writes build_dag(int).'
          : typeof options === 'string' && options !== ''
            ? ` To name the DAG, write buildDag({ name: ${quotedName(options)} }).`
            : awaitOptionsHint(options);
      throw new TypeError(
        `buildDag: options must be an object, got ${describeInput(options)}.${hint}`,
      );
    }
    let name: unknown;
    let unknown: string | undefined;
    try {
      ({ name = 'dag' } = options);
      unknown = unknownKey(options, DAG_OPTIONS);
    } catch (error) {
      throw unreadableOptions('buildDag', error);
    }
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(
        `buildDag: option "name" must be a non-empty string, got ${describeInput(name)}.`,
      );
    }
    if (unknown !== undefined) {
      const hint = didYouMean(unknown, DAG_OPTIONS) || ' Its only option is "name".';
      throw new TypeError(`buildDag: unknown option ${describeInput(unknown)}.${hint}`);
    }
    this.name = name;
    this.parameterNode = PARAM as ParamToken<P>;
    this.draft = new PlanDraft(name, true, ['name']);
  }

  /**
   * Adds a node that calls `fn` with `args` and returns its typed handle. An argument is a node
   * (its result is passed), `tm.parameterNode`, `SIGNAL`, `CONTEXT`, or any other value (passed
   * unchanged to every invocation). `fn` is called with `this` undefined. Throws
   * `WorkflowDefinitionError` at once, adding nothing, for an invalid option, a taken name, an
   * `fn` that is not a function, or a node of another DAG (`INVALID_TASK`), and after the DAG is
   * sealed (`SEALED`).
   *
   * @example
   * ```ts
   * const price = tm.addNode(fetchPrice, tm.parameterNode); // DagNode<number>, named 'fetchPrice'
   * const total = tm.addNode({ name: 'total', retries: 2 }, addTask, subtotal, shipping);
   * ```
   */
  addNode<
    F,
    // The arguments after `fn`, as given: the parameters of an inline function left without types
    // come from them (see `A` and `args`). `Rule` comes before `A`, whose default names it.
    G extends readonly unknown[],
    Rule extends WhenRuleName = 'allSucceeded',
    // `F` is `unknown` only while TypeScript has yet to type an inline function (or a call of a
    // generic function) given as `fn`: `A` then defaults to what the arguments pass, the types of
    // the parameters left without one. Once `fn` is typed, `A` comes from it alone, as before.
    A extends readonly unknown[] = unknown extends F
      ? ArgumentValues<G, P, Rule>
      : readonly unknown[],
    R = unknown,
    Fallback extends R | PromiseLike<R> | Awaited<R> | PromiseLike<Awaited<R>> = never,
  >(
    // NodeOptions, member by member: from options typed `NodeOptions` (a policy shared between
    // nodes), `NodeOptions<Awaited<R>>` would have TypeScript infer `R` from the type argument,
    // and the node would lose its type. The fallback's return type is a type parameter of its
    // own, so TypeScript infers `R` from `fn` alone (from a fallback too, an `async` function
    // falling back to a constant would not compile), then checks the fallback against it: a check
    // that also holds in code generic in the node's type (its constraint names `R` and
    // `PromiseLike<R>` too: a generic `R` is not known to be an `Awaited<R>`, though it is one
    // once awaited). Beside it, `FallbackLiterals<R>` keeps the literal an inline fallback returns.
    options: {
      readonly [K in keyof NodeOptions]: K extends 'fallback'
        ? ((error: unknown, signal: AbortSignal) => Fallback | FallbackLiterals<R>) | undefined
        : K extends 'when'
          ? Rule | undefined
          : NodeOptions[K];
    },
    // `F`, `fn`'s own type, tells a function TypeScript infers nothing from (`any`) from no
    // function at all (see `ParametersOf`).
    fn: F & ((this: void, ...args: A) => R),
    // `A` comes from `fn` alone, never from these arguments (the indexed access hides it from
    // inference; `NoInfer` needs TypeScript 5.4; `Extract` shows TypeScript 5.0 that the rest is an
    // array), and they are `NoFunctionGiven` when `fn` is no function. So a call that starts with a
    // function always fails this overload on its argument count, and TypeScript reports the
    // overload after it, the one meant: "Expected 4 arguments, but got 3." (or the one argument that
    // does not fit), where it reported that the function was no options object. Hence the order of
    // the overloads too. While `F` is `unknown` (`fn` yet to be typed), the arguments are taken as
    // they come, to infer `G`; the call is checked against `fn`'s parameters once `fn` is typed.
    ...args: Extract<
      unknown extends F ? G : NodeArguments<ParametersOf<F, A>, P, Rule>,
      readonly unknown[]
    >
  ): DagNode<Awaited<R>>;
  addNode<
    F,
    G extends readonly unknown[],
    // What the arguments pass, for an inline function left without types; otherwise from `fn`.
    // (Unconditional: for a first argument that is no function, the one parameter the arguments
    // fit is what TypeScript names, as it did when `A` was inferred from them.)
    A extends readonly unknown[] = ArgumentValues<G, P, 'allSucceeded'>,
    R = unknown,
    B extends readonly unknown[] = readonly unknown[],
  >(
    // `F`, `fn`'s own type, tells options (in a call meant for the overload above) from a function:
    // this overload then takes the count of that one (see `ArgumentsAfter`).
    fn: F & ((this: void, ...args: A) => R),
    ...args: ArgumentsAfter<F, G, A, B, P>
  ): DagNode<Awaited<R>>;
  addNode(first: unknown, ...rest: unknown[]): DagNode<unknown> {
    this.rejectIfSealed('addNode');
    const [options, fn, args]: [NodeOptions, unknown, unknown[]] =
      typeof first === 'function'
        ? [{}, first, rest]
        : [first as NodeOptions, rest[0], rest.slice(1)];
    return this.add('addNode', options, fn, args, functionName(fn));
  }

  /**
   * Adds a node whose result is `value` (awaited if it is a promise), named `immediate` unless
   * `options.name` says otherwise — the seed's `add_immediate_node`. A node or a token as `value`
   * is a `WorkflowDefinitionError` (`INVALID_TASK`): it is an input of `addNode`, not a value.
   *
   * @example
   * ```ts
   * const rate = tm.addImmediateNode(0.2);
   * const tax = tm.addNode((net: number, rate: number) => net * rate, net, rate);
   * ```
   */
  addImmediateNode<T>(value: T, options: { name?: string | undefined } = {}): DagNode<Awaited<T>> {
    this.rejectIfSealed('addImmediateNode');
    const immediate = () => value;
    const node = this.add('addImmediateNode', options, immediate, [], 'immediate', value);
    markHandled(value);
    return node as DagNode<Awaited<T>>;
  }

  /**
   * Runs the DAG once with `param`: every node starts as soon as its last input node has
   * succeeded (or settled, as its `when` rule says). Resolves and rejects as `Workflow.invoke`
   * does. `options` ({@link DagInvokeOptions}) are those of `Workflow.invoke`, with tasks named by
   * node name, and `targets` also accepts nodes. Seals the DAG.
   *
   * @example
   * ```ts
   * const result = await tm.invoke(order, { concurrency: 2, targets: [total] });
   * ```
   */
  invoke(param: P, options?: DagInvokeOptions): Promise<ExecutionResult<DagTasks, P>> {
    try {
      const plan = this.seal();
      const settings = this.settingsFor(plan, options, param, "the builder's invoke(");
      return startRun<DagTasks, P>(undefined, plan, param, settings);
    } catch (error) {
      return IntrinsicPromise.reject(error);
    }
  }

  /**
   * Starts a run, as `invoke` does, and returns it as a {@link WorkflowStream} of its events. Throws
   * at once what `invoke` would reject with. Seals the DAG. Nodes are named at run time, so events
   * name any node and a success's `value` is `unknown`: read a node's value, typed, with
   * `node.extractResult(await run.result)`.
   *
   * @example
   * ```ts
   * for await (const event of tm.stream(order)) console.log(event.type, event.task);
   * ```
   */
  stream(param: P, options?: DagInvokeOptions): WorkflowStream<DagTasks, P> {
    const plan = this.seal();
    const settings = this.settingsFor(plan, options, param, "the builder's stream(");
    return new WorkflowStream<DagTasks, P>(undefined, plan, param, settings);
  }

  /**
   * The validated graph, as `Workflow.graph` gives it for a class: nodes by name, with their
   * inputs and dependents, roots, sinks and a topological order. Seals the DAG.
   *
   * @example
   * ```ts
   * const { roots, order } = tm.graph(); // node names; `order` lists each after its inputs
   * ```
   */
  graph(): WorkflowGraph {
    return this.seal().graph();
  }

  /**
   * Throws `WorkflowDefinitionError` if the DAG cannot run (it has no nodes: `NO_TASKS`). Seals
   * the DAG.
   *
   * @example
   * ```ts
   * buildDag({ name: 'empty' }).validate(); // throws WorkflowDefinitionError, code 'NO_TASKS'
   * ```
   */
  validate(): void {
    this.seal();
  }

  /**
   * The DAG as Mermaid `graph TD;` text, one `input-->node;` line per edge, as `Workflow.toMermaid`
   * gives it for a class. Seals the DAG.
   *
   * @example
   * ```ts
   * console.log(tm.toMermaid()); // paste into a ```mermaid block
   * ```
   */
  toMermaid(): string {
    return mermaidGraph(this.graph());
  }

  /**
   * The DAG as JSON: its name, its nodes' names in the order they were added, and whether it is
   * sealed — not the functions and constant arguments of its nodes (an API key among them) that
   * `JSON.stringify` would otherwise write out. Does not seal the DAG.
   *
   * @example
   * ```ts
   * const tm = buildDag({ name: 'prices' });
   * tm.addNode(function rates() { return 1.1; });
   * JSON.stringify(tm); // '{"name":"prices","nodes":["rates"],"sealed":false}'
   * ```
   */
  toJSON(): {
    /** The DAG's name. */
    name: string;
    /** Its nodes' names, in the order they were added. */
    nodes: string[];
    /** Whether its first use sealed it. */
    sealed: boolean;
  } {
    return {
      name: this.name,
      nodes: [...this.indexByName.keys()],
      sealed: this.sealedPlan !== undefined,
    };
  }

  /**
   * What `console.log` and Node's `util.inspect` show for a builder:
   * `DagBuilder { name: 'prices', nodes: [ 'rates' ], sealed: false }`, as in JSON.
   */
  [Symbol.for('nodejs.util.inspect.custom')](
    depth: number,
    options: { depth?: number | null },
    inspect?: InspectFunction,
  ): unknown {
    return inspectView('DagBuilder', this.toJSON(), depth, options, inspect);
  }

  /**
   * Adds a node named `options.name`, or `automaticName` made unique. Every check comes before
   * anything changes, so a call that throws leaves no trace (not even a used-up name suffix). The
   * options are read first: a getter or Proxy trap among them runs the caller's code, which may use
   * this DAG (seal it, add nodes), so the seal and the name are checked after it has run.
   */
  private add(
    method: 'addNode' | 'addImmediateNode',
    options: NodeOptions,
    fn: unknown,
    args: readonly unknown[],
    automaticName: string,
    /** An immediate node's value. */
    value?: unknown,
  ): DagNode<unknown> {
    const { draft } = this;
    const invalid = (task: string, message: string) =>
      definitionErrors.invalidTask(this.name, task, `${method}: ${message}`);
    // A node or a token where the options go: the arguments are swapped (plain JavaScript). Read
    // as options, its own fields would be reported as unknown options.
    const input = asInput(options);
    if (!isNamedOptions(options) || input !== undefined) {
      const expected =
        method === 'addNode'
          ? 'the first argument must be a function or an options object'
          : 'options must be an object';
      let hint = awaitOptionsHint(options);
      if (input !== undefined) {
        hint =
          method === 'addNode'
            ? ` A ${input.kind} is an input: pass it after the function, as in addNode(fn, ${input.written}).`
            : " An immediate node's only option is name: addImmediateNode(value, { name }).";
      }
      throw invalid(
        automaticName,
        `${expected}, got ${input?.shown ?? describeInput(options)}.${hint}`,
      );
    }
    let explicitName: unknown;
    try {
      explicitName = options.name;
    } catch (error) {
      throw causedBy(
        invalid(automaticName, `option "name" could not be read: ${describeThrown(error)}`),
        error,
      );
    }
    if (explicitName !== undefined && (typeof explicitName !== 'string' || explicitName === '')) {
      throw invalid(
        automaticName,
        `option "name" must be a non-empty string, got ${describeInput(explicitName)}.`,
      );
    }
    /** The node's name if it were added now: what the messages name. */
    const nameNow = () => {
      if (explicitName !== undefined) return { name: explicitName as string, suffix: undefined };
      const suffix = this.freeSuffix(automaticName);
      return { name: suffix === undefined ? automaticName : `${automaticName}_${suffix}`, suffix };
    };
    if (typeof fn !== 'function') {
      const { name } = nameNow();
      throw invalid(
        name,
        `node ${quotedName(name)} needs a function to call, got ${describeInput(fn)}.`,
      );
    }
    if (method === 'addImmediateNode') {
      rejectTaskOptions(options, (message) => invalid(nameNow().name, message));
      // A node or a token as the value: the handle itself would be the node's value, never the
      // result or the value it stands for (in plain JavaScript, without a word).
      const held = asInput(value);
      if (held !== undefined) {
        const { name } = nameNow();
        const of = held.kind === 'node' ? 'result' : 'value';
        throw invalid(
          name,
          `node ${quotedName(name)} would hold ${held.shown} itself, not its ${of}: a ${held.kind} ` +
            `is an input. addNode((value) => value, ${held.written}) is a node of its ${of}.`,
        );
      }
    }
    const named = nameNow();
    const sizeBefore = draft.size;
    const policy = draft.policyOf(named.name, options, undefined, method);
    // The options are read: nothing below runs the caller's code. Their getters may have added
    // nodes (taking the name's suffix) or sealed the DAG: the name is chosen again only then.
    this.rejectIfSealed(method);
    const { name, suffix } = draft.size === sizeBefore ? named : nameNow();
    if (explicitName !== undefined && this.indexByName.has(name)) {
      throw invalid(
        name,
        `the name ${quotedName(name)} is taken by another node of this DAG; node names are unique.`,
      );
    }
    const slots = args.map((arg, position) => this.slotOf(name, arg, position));
    draft.addTask(name, policy, fn);
    // Nothing below throws: the node is added.
    for (let position = 0; position < slots.length; position++) {
      draft.addArgument(slots[position] ?? draft.addConstant(args[position]));
    }
    this.indexByName.set(name, draft.size - 1);
    if (suffix !== undefined) this.nextSuffix.set(automaticName, suffix + 1);
    makingNode = true;
    const node = new DagNode(name, this, draft.size - 1);
    makingNode = false;
    return node;
  }

  /** The slot of a node or token argument; `undefined` for a constant. */
  private slotOf(name: string, arg: unknown, position: number): number | undefined {
    const node = asNode(arg);
    if (node === undefined) return tokenSlot(arg);
    const index = node.indexIn(this);
    if (index === undefined) {
      throw definitionErrors.invalidTask(
        this.name,
        name,
        `addNode: argument ${position + 1} of node ${quotedName(name)} is node ${quotedName(node.name)} of another DAG. ` +
          `A node can only take nodes of its own DAG.`,
      );
    }
    return index;
  }

  /**
   * The suffix that makes `base` a free name (`base_2`, `base_3`, … — the first that is free), or
   * `undefined` when `base` itself is free. Takes nothing: `add` records the suffix once the node
   * is added.
   */
  private freeSuffix(base: string): number | undefined {
    if (!this.indexByName.has(base)) return undefined;
    let suffix = this.nextSuffix.get(base) ?? 2;
    while (this.indexByName.has(`${base}_${suffix}`)) suffix++;
    return suffix;
  }

  private rejectIfSealed(method: string): void {
    if (this.sealedPlan !== undefined) throw definitionErrors.sealed(this.name, method);
  }

  private seal(): WorkflowPlan {
    if (this.sealedPlan !== undefined) return this.sealedPlan;
    if (this.draft.size === 0) throw definitionErrors.noNodes(this.name);
    return (this.sealedPlan = this.draft.compile(false, this.indexByName));
  }

  /**
   * The options check's view of the run options: a node among `targets` is that node's name (a
   * node of another DAG is a `WorkflowOptionsError`); the rest is checked as for a class.
   */
  private settingsFor(
    plan: WorkflowPlan,
    options: DagInvokeOptions | undefined,
    param: unknown,
    /** The call, up to its param, for messages (see `resolveRunSettings`). */
    call: string,
  ): RunSettings {
    // No options, nothing to name: skip making the closure below.
    if (options === undefined) return resolveRunSettings(plan, undefined, param, call);
    const given = options as InvokeOptions<DagTasks>;
    return resolveRunSettings(plan, given, param, call, (target) => {
      const node = asNode(target);
      if (node === undefined) return target;
      if (node.indexIn(this) === undefined) {
        throw new WorkflowOptionsError(
          plan.workflow,
          'targets',
          `node ${quotedName(node.name)} belongs to another DAG.`,
        );
      }
      return node.name;
    });
  }
}

// A builder of another loaded copy of the package (its CommonJS and its ES-module build) is a
// builder too: `instanceof DagBuilder` holds, and a `Workflow` function given one says so.
shareInstanceof(DagBuilder, 'DagBuilder');

/**
 * The seed's snake_case names, which a port from Python writes word for word: on a builder,
 * `tm.add_node(…)` was the engine's "tm.add_node is not a function", and `tm.parameter_node` read
 * `undefined`, a constant, so the node got `undefined` and returned `NaN` without a word. Each is a
 * hidden getter (see seed-names.ts) that throws a `TypeError` naming async-dag's name.
 */
function pointBuilderSeedNames(
  prototype: object,
  /** Each seed name, with how a call writes it and async-dag's name. */
  names: Readonly<Record<string, readonly [written: string, name: string]>>,
  workflowOf: (self: unknown) => unknown,
): void {
  pointSeedNames(prototype, Object.keys(names), (seedName, self) => {
    const [written, name] = names[seedName];
    let workflow: unknown;
    try {
      workflow = workflowOf(self);
    } catch {
      workflow = undefined; // a Proxy whose trap throws: no name
    }
    return (
      `${typeof workflow === 'string' ? `${bareName(workflow)}: ` : ''}${written} is the ` +
      `Python seed's name; in async-dag it is ${name}.`
    );
  });
}

pointBuilderSeedNames(
  DagBuilder.prototype,
  {
    add_node: ['tm.add_node()', 'tm.addNode()'],
    add_immediate_node: ['tm.add_immediate_node()', 'tm.addImmediateNode()'],
    parameter_node: ['tm.parameter_node', 'tm.parameterNode'],
  },
  (self) => (self instanceof DagBuilder ? self.name : undefined),
);
pointBuilderSeedNames(
  DagNode.prototype,
  { extract_result: ['node.extract_result()', 'node.extractResult()'] },
  (self) => (self instanceof DagNode ? self['owner'].name : undefined),
);

/**
 * Whether `prototype` is a builder's, of this or another loaded copy of the package: a `Workflow`
 * function given a builder points to the builder's own method instead of reporting its class as a
 * workflow without tasks.
 */
export function isBuilderPrototype(prototype: object): boolean {
  return isSharedClassPrototype(prototype, 'DagBuilder');
}

/**
 * The options of a builder's `invoke` and `stream`: every {@link InvokeOptions} field, with tasks
 * named by node name, and `targets` may also list nodes.
 *
 * @example
 * ```ts
 * const options: DagInvokeOptions = { targets: [total], overrides: { shipping: () => 0 } };
 * await tm.invoke(order, options);
 * ```
 */
export interface DagInvokeOptions extends Omit<InvokeOptions<DagTasks>, 'targets' | 'overrides'> {
  /**
   * Run only these nodes (or node names) and their transitive dependencies.
   * @default every node
   */
  targets?: readonly (string | DagNode<unknown>)[] | undefined;
  /**
   * Functions to run instead of the named nodes for this run, with the same arguments; called with
   * `this` undefined, as a node's function is.
   */
  overrides?:
    | {
        /** The function that runs instead of node `name`. */
        readonly [name: string]: ((this: void, ...args: any[]) => unknown) | undefined;
      }
    | undefined;
}

/**
 * An immediate node takes a name and nothing else: its value is given, so there is nothing to
 * time out, retry, recover or order. Throws what `invalid` makes for any other option.
 */
function rejectTaskOptions(
  options: object,
  invalid: (message: string) => WorkflowDefinitionError,
): void {
  let other: string | undefined;
  try {
    other = unknownKey(options, ['name']);
  } catch (error) {
    throw causedBy(invalid(`options could not be read: ${describeThrown(error)}`), error);
  }
  if (other !== undefined) {
    throw invalid(
      `option ${quotedName(other)} does not apply to an immediate node, whose value is given: its only ` +
        `option is "name".`,
    );
  }
}

/**
 * A function's own name for an automatic node name: `'task'` when it has none, or when it cannot be
 * read (a `name` getter or a Proxy trap that throws, a revoked Proxy). Never throws: a function
 * wrapped in a Proxy is still a function to call.
 */
function functionName(fn: unknown): string {
  let name: unknown;
  try {
    name = typeof fn === 'function' ? fn.name : '';
  } catch {
    name = '';
  }
  const unbound = typeof name === 'string' ? name.replace(/^(bound )+/, '') : '';
  return unbound === '' ? 'task' : unbound;
}
