/**
 * Type-level tests of the builder, compiled by `npm run typecheck` (never executed). Every
 * `@ts-expect-error` line must be a compile error.
 */
import {
  buildDag,
  CONTEXT,
  type DagBuilder,
  PARAM,
  SIGNAL,
  skip,
  type DagNode,
  type ExecutionResult,
  type DagTasks,
  type NodeOptions,
  type ParamToken,
  type Settled,
  type SettledSuccess,
  type TaskContext,
  type TaskNode,
  type WorkflowGraph,
} from '../../src';

declare function expectType<T>(_value: T): void;
declare function incTask(n: number, name: string, delay: number): Promise<number>;
declare function addTask(a: number, b: number, name: string, delay: number): Promise<number>;
declare function describe(n: number, label: string): string;
declare function withSignal(n: number, signal: AbortSignal): Promise<boolean>;
declare function withContext(ctx: TaskContext): void;
declare function optional(n: number, label?: string): number;
declare function fetchJson<T>(url: string): Promise<T>;
declare function withRetry<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;

async function seed(): Promise<void> {
  const tm = buildDag<number>();
  const a = tm.addNode(incTask, tm.parameterNode, 'fast_task_a', 0.1);
  expectType<DagNode<number>>(a);
  const b = tm.addNode(incTask, a, 'slow_task_b', 1);
  const c = tm.addNode({ name: 'end', retries: 1 }, addTask, a, b, 'end_task', 0.1);
  const text = tm.addNode(describe, c, 'total');
  expectType<DagNode<string>>(text);

  const result = await tm.invoke(0);
  expectType<ExecutionResult<DagTasks, number>>(result);
  expectType<number>(a.extractResult(result));
  expectType<string>(text.extractResult(result));
  // Looked up by name, a builder's result is unknown: extractResult is the typed way.
  expectType<unknown>(result.get('end'));
  expectType<unknown>(result.get(c.name));
  expectType<number>(result.param);
  // A node is no task name: result.get and has take names (plain JavaScript is told so at run time).
  // @ts-expect-error -- a node where a task name is expected
  result.get(a);
  // @ts-expect-error -- a node where a task name is expected
  result.has(a);

  // @ts-expect-error -- a string node where a number is expected
  tm.addNode(incTask, text, 'x', 1);
  // @ts-expect-error -- a missing argument
  tm.addNode(incTask, a, 'x');
  // @ts-expect-error -- one argument too many
  tm.addNode(incTask, a, 'x', 1, 'extra');
  // @ts-expect-error -- a constant of the wrong type
  tm.addNode(incTask, a, 42, 1);
  // @ts-expect-error -- the parameter is a number, not a string
  tm.addNode(describe, 1, tm.parameterNode);

  // Tokens fit where their values fit.
  tm.addNode(withSignal, a, SIGNAL);
  tm.addNode(withContext, CONTEXT);
  tm.addNode(incTask, PARAM, 'from PARAM', 1);
  // @ts-expect-error -- SIGNAL where a number is expected
  tm.addNode(incTask, SIGNAL, 'x', 1);
  // @ts-expect-error -- CONTEXT where an AbortSignal is expected
  tm.addNode(withSignal, a, CONTEXT);

  // Optional parameters may be left out.
  tm.addNode(optional, a);
  tm.addNode(optional, a, 'label');
  // With options too: their arguments are checked against the function alone.
  expectType<DagNode<number>>(tm.addNode({ retries: 1 }, optional, a));
  tm.addNode({ retries: 1 }, optional, a, 'label');
  // @ts-expect-error -- a missing argument, with options
  tm.addNode({ retries: 1 }, incTask, a, 'x');
  // @ts-expect-error -- one argument too many, with options
  tm.addNode({ retries: 1 }, optional, a, 'label', 'extra');
  const sum = (...values: number[]) => values.reduce((total, value) => total + value, 0);
  expectType<DagNode<number>>(tm.addNode({ name: 'sum' }, sum, a, b, 3, ...[a, b]));
  // @ts-expect-error -- a string node among the numbers
  tm.addNode({ name: 'sum' }, sum, a, text);
  // An inline function whose parameters all have their types written compiles with options, with
  // a token among its arguments, and with an optional argument left out (docs/builder.md).
  expectType<DagNode<number>>(
    tm.addNode({ retries: 1 }, (n: number, step: number = 1) => n + step, a),
  );
  expectType<DagNode<number>>(tm.addNode((n: number, step: number = 1) => n + step, PARAM));
  // Without options, an untyped parameter takes its type from a node argument, or the parameter's.
  expectType<DagNode<number>>(tm.addNode((n) => n + 1, a));
  expectType<DagNode<number>>(tm.addNode((n) => n + 1, tm.parameterNode));
  expectType<DagNode<number>>(tm.addNode((n: number, step: number = 1) => n + step, a, 2));
  expectType<DagNode<boolean>>(tm.addNode((n, signal) => signal.aborted || n > 0, a, SIGNAL));
  expectType<DagNode<string>>(tm.addNode((context) => context.task, CONTEXT));
  // @ts-expect-error -- a parameter written with a type the node argument does not fit
  tm.addNode((x: string) => x, a);
  // @ts-expect-error -- an untyped parameter is an AbortSignal: no number arithmetic on it
  tm.addNode((signal) => signal + 1, SIGNAL);
  // With options too, from every kind of argument: nodes, constants, the parameter and the tokens,
  // each parameter typed as the node's function receives it.
  expectType<DagNode<number>>(tm.addNode({ retries: 1 }, (n) => n + 1, tm.parameterNode));
  expectType<DagNode<number>>(tm.addNode({ name: 'double' }, (x) => x * 2, a));
  expectType<DagNode<number>>(tm.addNode({}, (x, y) => x + y, a, PARAM));
  expectType<DagNode<string>>(tm.addNode({ name: 'label' }, (n, label) => label + n, a, 'x'));
  expectType<DagNode<boolean>>(
    tm.addNode({ timeout: 50 }, (n, signal) => signal.aborted || n > 0, a, SIGNAL),
  );
  expectType<DagNode<string>>(tm.addNode({ retries: 1 }, (context) => context.task, CONTEXT));
  expectType<DagNode<number>>(tm.addNode({ fallback: () => 0 }, (n) => n * 2, PARAM));
  tm.addNode({ name: 'typed' }, (text) => expectType<string>(text), text);
  // @ts-expect-error -- a parameter written with a type the node argument does not fit
  tm.addNode({ name: 'double' }, (x: string) => x, a);
  // @ts-expect-error -- the same with the parameter's token
  tm.addNode({ retries: 1 }, (n: string) => n, tm.parameterNode);
  // @ts-expect-error -- an untyped parameter is a number: no string method on it
  tm.addNode({ retries: 1 }, (n) => n.toUpperCase(), tm.parameterNode);
  // @ts-expect-error -- one argument too many for the inline function
  tm.addNode({ name: 'double' }, (x) => x, a, a);
  // A generic function, instantiated: `fetchJson<number>` is an ordinary function.
  expectType<DagNode<number>>(tm.addNode({ retries: 2 }, fetchJson<number>, text));
  expectType<DagNode<number>>(tm.addNode(fetchJson<number>, text));
  // A call of a generic function that returns the node's function — a method bound in place, or a
  // wrapper (a retry, a rate limit) — with options, whatever the arguments: nodes, constants, tokens.
  const api = {
    rate: 2,
    scale(n: number) {
      return n * this.rate;
    },
  };
  expectType<DagNode<number>>(tm.addNode({ retries: 1 }, api.scale.bind(api), a));
  expectType<DagNode<number>>(tm.addNode({ retries: 1 }, api.scale.bind(api), 3));
  expectType<DagNode<number>>(tm.addNode({ retries: 1 }, api.scale.bind(api), tm.parameterNode));
  expectType<DagNode<boolean>>(tm.addNode({ timeout: 50 }, withRetry(withSignal), a, SIGNAL));
  expectType<DagNode<number>>(tm.addNode({ name: 'late' }, withRetry(incTask), PARAM, 'x', 1));
  // Without options, with nodes, constants and the parameter too.
  expectType<DagNode<number>>(tm.addNode(api.scale.bind(api), a));
  expectType<DagNode<number>>(tm.addNode(withRetry(incTask), a, 'x', 1));
  expectType<DagNode<number>>(tm.addNode(api.scale.bind(api), tm.parameterNode));
  expectType<DagNode<number>>(tm.addNode(withRetry(incTask), PARAM, 'x', 1));
  // @ts-expect-error -- the parameter (a number) where the wrapped function takes a string
  tm.addNode(withRetry(describe), 1, tm.parameterNode);
  // @ts-expect-error -- a string node where the bound method takes a number, with options
  tm.addNode({ retries: 1 }, api.scale.bind(api), text);
  // @ts-expect-error -- a missing argument of a wrapped function, with options
  tm.addNode({ retries: 1 }, withRetry(incTask), a, 'x');

  // Immediate nodes are typed by their value, awaited.
  const rate = tm.addImmediateNode(Promise.resolve(0.2));
  expectType<DagNode<number>>(rate);
  tm.addNode(addTask, rate, a, 'taxed', 0);

  // Targets accept nodes and names.
  await tm.invoke(1, { targets: [c, 'fast_task_a'], concurrency: 2 });
}

async function voidParameter(): Promise<void> {
  const tm = buildDag();
  tm.addNode(() => 1);
  await tm.invoke();
  // @ts-expect-error -- a DAG without a parameter type has no parameter to pass to a number
  tm.addNode((n: number) => n, tm.parameterNode);
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the type under test
type NonNullish = {};

async function nodesAndTokensAreNeverConstants(): Promise<void> {
  const tm = buildDag<number>();
  const count = tm.addNode((n: number) => n + 1, tm.parameterNode);
  const user = tm.addNode((): { name: string } => ({ name: 'Ada' }));

  // A node or a token stands for its value, so it must fit as that value, even where the node or
  // token object itself would fit the parameter's type.
  // @ts-expect-error -- a number node where an object with a name is expected
  tm.addNode((u: { name: string }) => u.name.toUpperCase(), count);
  // @ts-expect-error -- a number node where an object is expected
  tm.addNode((o: object) => Object.keys(o), count);
  // @ts-expect-error -- a number node where an object with optional fields is expected
  tm.addNode((o: { name?: string }) => o.name, count);
  // @ts-expect-error -- a number node where an object or a string is expected
  tm.addNode((o: string | { name: string }) => o, count);
  // @ts-expect-error -- the parameter (a number) where an object with a token is expected
  tm.addNode((o: { token: string }) => o.token.toLowerCase(), tm.parameterNode);
  // @ts-expect-error -- PARAM (a number here) where an object is expected
  tm.addNode((o: object) => o, PARAM);
  // @ts-expect-error -- SIGNAL where an object with a token is expected
  tm.addNode((o: { token: string }) => o.token, SIGNAL);
  // @ts-expect-error -- CONTEXT where an object with a token is expected
  tm.addNode((o: { token: string }) => o.token, CONTEXT);
  // @ts-expect-error -- a number node where a record is expected
  tm.addNode((o: Record<string, number>) => o, count);

  // What fits still does: nodes of the right type, and constants of every kind.
  tm.addNode((u: { name: string }) => u.name, user);
  tm.addNode((u: { name: string }) => u.name, { name: 'Grace' });
  tm.addNode((o: object) => o, user);
  tm.addNode((o: object) => o, { any: 'thing' });
  tm.addNode((o: object) => o, [1, 2]);
  tm.addNode((o: object) => o, new Date());
  tm.addNode((o: { token: string }) => o.token, { token: 'abc' });
  tm.addNode((o: { name?: string }) => o.name, {});
  tm.addNode((o: Record<string, number>) => o, { a: 1 });
  tm.addNode((o: NonNullish) => o, 42);
  tm.addNode((o: NonNullish) => o, { a: 1 });
  tm.addNode((o: NonNullish) => o, count);
  tm.addNode((o: NonNullish) => o, tm.parameterNode);
  tm.addNode((o: unknown) => o, count);
  tm.addNode((o: unknown) => o, null);
  tm.addNode((o: unknown) => o, SIGNAL);
  tm.addNode((o: number | { name: string }) => o, count);
  tm.addNode((o: { name: string } | undefined) => o, undefined);
  tm.addNode(
    (f: (n: number) => number) => f(1),
    (n) => n + 1,
  );
  tm.addNode((signal: AbortSignal) => signal.aborted, new AbortController().signal);
  tm.addNode((nodes: readonly DagNode<number>[]) => nodes.length, [count]);
  const immediate = tm.addImmediateNode({ name: 'Alan' });
  tm.addNode((u: { name: string }) => u.name, immediate);
  // @ts-expect-error -- an excess property in an object constant is still an error
  tm.addNode((u: { name: string }) => u.name, { name: 'Ada', age: 36 });
  await tm.invoke(1);
}

/** A node's `when` rule decides what its arguments are: values, values or undefined, Settled. */
async function argumentsFollowTheWhenRule(): Promise<void> {
  const tm = buildDag<number>();
  const count = tm.addNode((n: number) => n, tm.parameterNode);
  const label = tm.addNode((n: number) => `#${n}`, count);
  // allSettled: each dependency arrives as a Settled of its value.
  const status = tm.addNode({ when: 'allSettled' }, (c: Settled<number>) => c.status, count);
  expectType<DagNode<'succeeded' | 'failed' | 'skipped'>>(status);
  tm.addNode(
    { name: 'both', when: 'allSettled', retries: 1 },
    (c: Settled<number>, l: Settled<string>) => [c, l],
    count,
    label,
  );
  tm.addNode({ when: 'allSettled' }, (anything: unknown) => anything, count);
  tm.addNode({ when: 'allSettled' }, (c: Settled<number>, n: number) => [c, n], count, 5);
  // @ts-expect-error -- under allSettled the argument is a Settled, not the value
  tm.addNode({ when: 'allSettled' }, (c: number) => c, count);
  // @ts-expect-error -- a Settled of a number is not a Settled of a string
  tm.addNode({ when: 'allSettled' }, (l: Settled<string>) => l, count);
  // noneFailed: a skipped dependency arrives as undefined.
  tm.addNode({ when: 'noneFailed' }, (c: number | undefined) => c ?? 0, count);
  // An untyped parameter is typed as the rule passes the dependency.
  tm.addNode({ when: 'allSettled' }, (c) => expectType<Settled<number>>(c), count);
  tm.addNode({ when: 'noneFailed' }, (c) => expectType<number | undefined>(c), count);
  // @ts-expect-error -- under noneFailed an untyped parameter may be undefined
  tm.addNode({ when: 'noneFailed' }, (c) => c + 1, count);
  tm.addNode({ when: 'noneFailed' }, (c?: number) => c ?? 0, count);
  // @ts-expect-error -- under noneFailed the argument may be undefined
  tm.addNode({ when: 'noneFailed' }, (c: number) => c.toFixed(), count);
  // allSucceeded, said or not: the value.
  tm.addNode({ when: 'allSucceeded' }, (c: number) => c, count);
  // @ts-expect-error -- under allSucceeded the argument is the value, never a Settled
  tm.addNode({ when: 'allSucceeded' }, (c: Settled<number>) => c, count);
  // @ts-expect-error -- only a success has a value: a failure or a skip may arrive too
  tm.addNode({ when: 'allSettled' }, (c: SettledSuccess<number>) => c.value, count);
  tm.addNode({ when: 'allSettled' }, (c: { status: string }) => c.status, count);
  const settledRule = { when: 'allSettled' } as const;
  tm.addNode(settledRule, (c: Settled<number>) => c.status, count);
  // @ts-expect-error -- a misspelt option is still an excess property
  tm.addNode({ name: 'x', retires: 2 }, (c: number) => c, count);
  // A rule known only at run time: any of the three fits.
  const options: NodeOptions = { when: Math.random() > 0.5 ? 'allSettled' : 'noneFailed' };
  tm.addNode(options, (c: number | undefined) => c, count);
  // fn is called with `this` undefined: a function that needs a `this` does not compile.
  const counter = {
    base: 1,
    add(this: { base: number }, n: number) {
      return this.base + n;
    },
  };
  // @ts-expect-error -- `add` needs a `this`
  tm.addNode(counter.add, count);
  // @ts-expect-error -- with options too
  tm.addNode({ name: 'add' }, counter.add, count);
  tm.addNode((n: number) => counter.add(n), count);
  await tm.invoke(1);
}

/**
 * A helper generic in a node's type adds an `allSettled` node for it: `Settled<T>` takes a
 * `DagNode<T>`, and still no node of another type, nor a `Settled` it is not.
 */
function settledOf<T>(tm: DagBuilder<number>, node: DagNode<T>): DagNode<Settled<T>['status']> {
  return tm.addNode({ when: 'allSettled' }, (settled: Settled<T>) => settled.status, node);
}
function settledPair<T>(tm: DagBuilder<number>, node: DagNode<T[]>, count: DagNode<number>) {
  return tm.addNode(
    { when: 'allSettled' },
    (items: Settled<T[]>, n: Settled<number>, label: string) => [items, n, label],
    node,
    count,
    'label',
  );
}
function settledMismatches<T, U>(tm: DagBuilder<number>, node: DagNode<T>, other: DagNode<U>) {
  // @ts-expect-error -- a U is not a T
  tm.addNode({ when: 'allSettled' }, (settled: Settled<T>) => settled, other);
  // @ts-expect-error -- only a success has a value: a failure or a skip may arrive too
  tm.addNode({ when: 'allSettled' }, (settled: SettledSuccess<T>) => settled.value, node);
  // @ts-expect-error -- under allSucceeded the argument is the value, never a Settled
  tm.addNode((settled: Settled<T>) => settled, node);
}
async function genericSettledHelpers(): Promise<void> {
  const tm = buildDag<number>();
  const count = tm.addNode((n: number) => n, tm.parameterNode);
  expectType<DagNode<'succeeded' | 'failed' | 'skipped'>>(settledOf(tm, count));
  settledPair(
    tm,
    tm.addNode(() => ['a']),
    count,
  );
  settledMismatches(tm, count, count);
}

/** A node's fallback returns the node's type: its value becomes the node's. */
async function fallbacksReturnTheNodesType(): Promise<void> {
  const tm = buildDag<number>();
  const fetchPrice = async (sku: number): Promise<number> => sku;
  const price = tm.addNode({ fallback: () => 0 }, (n: number) => n * 2, tm.parameterNode);
  expectType<DagNode<number>>(price);
  tm.addNode({ fallback: async () => 0 }, async (n: number) => n * 2, tm.parameterNode);
  tm.addNode({ fallback: () => skip('no price') }, (n: number) => n * 2, tm.parameterNode);
  tm.addNode({ fallback: (error) => Promise.reject(error) }, (n: number) => n, tm.parameterNode);
  // Its second argument is the node's signal.
  const cachedPrice = async (_signal: AbortSignal) => 1;
  const cached = tm.addNode(
    { fallback: (_error, signal) => cachedPrice(signal) },
    (n: number) => n * 2,
    tm.parameterNode,
  );
  expectType<DagNode<number>>(cached);
  const sharedFallback: NodeOptions<number> = { fallback: (_error, signal) => cachedPrice(signal) };
  tm.addNode(sharedFallback, (n: number) => n * 2, tm.parameterNode);
  // @ts-expect-error -- a string is not the node's number: extractResult would lie
  tm.addNode({ fallback: () => 'unavailable' }, (n: number) => n * 2, tm.parameterNode);
  // @ts-expect-error -- nor a promise of one
  tm.addNode({ fallback: async () => 'unavailable' }, (n: number) => n, tm.parameterNode);
  // An async function with a plain fallback, the usual pair (a call that falls back to a
  // constant), and the other way round: the fallback may return the value or a promise of it.
  const quote = tm.addNode({ fallback: () => 0 }, async (n: number) => n * 2, tm.parameterNode);
  expectType<DagNode<number>>(quote);
  tm.addNode({ retries: 2, fallback: () => 0 }, fetchPrice, tm.parameterNode);
  tm.addNode({ fallback: async () => 0 }, (n: number) => n * 2, tm.parameterNode);
  // @ts-expect-error -- a string is not the async node's number either
  tm.addNode({ fallback: () => 'unavailable' }, async (n: number) => n * 2, tm.parameterNode);
  // @ts-expect-error -- nor a promise of one
  tm.addNode({ fallback: async () => 'unavailable' }, async (n: number) => n, tm.parameterNode);
  // The node's function decides the type: a fallback's never widens it.
  const label = tm.addNode(
    { fallback: () => null },
    (n: number): string | null => (n > 0 ? String(n) : null),
    tm.parameterNode,
  );
  expectType<DagNode<string | null>>(label);
  // A fallback returning a literal keeps it when the node's type asks for literals (a status
  // union), rather than widening it to string and failing to compile.
  const tierOf = (n: number): 'gold' | 'standard' => (n > 0 ? 'gold' : 'standard');
  const fetchTier = async (n: number): Promise<'gold' | 'standard'> => tierOf(n);
  const tier = tm.addNode({ fallback: () => 'standard' }, tierOf, tm.parameterNode);
  expectType<DagNode<'gold' | 'standard'>>(tier);
  tm.addNode({ retries: 1, fallback: () => 'standard' }, fetchTier, tm.parameterNode);
  tm.addNode(
    { fallback: () => 404 },
    (n: number): 200 | 404 => (n > 0 ? 200 : 404),
    tm.parameterNode,
  );
  // @ts-expect-error -- still only the node's literals
  tm.addNode({ fallback: () => 'silver' }, tierOf, tm.parameterNode);
  // @ts-expect-error -- nor a promise of another
  tm.addNode({ fallback: async () => 'silver' }, fetchTier, tm.parameterNode);
}

/**
 * Helpers generic in a node's type add nodes with a fallback or a shared policy: the fallback is
 * checked against the node's type once that is known from the function.
 */
function withDefault<T>(tm: DagBuilder<number>, node: DagNode<T>, fallbackValue: T): DagNode<T> {
  return tm.addNode({ retries: 1, fallback: () => fallbackValue }, (value: T) => value, node);
}
function withPolicy<T>(tm: DagBuilder<number>, node: DagNode<T>, policy: NodeOptions) {
  return tm.addNode(policy, (value: T) => value, node);
}
function policyOf<T>(fallbackValue: T): NodeOptions<T> {
  return { retries: 1, fallback: () => fallbackValue };
}
function withTypedPolicy<T>(tm: DagBuilder<number>, node: DagNode<T>, policy: NodeOptions<T>) {
  return tm.addNode(policy, (value: T) => value, node);
}
function genericFallbackMismatch<T>(tm: DagBuilder<number>, node: DagNode<T>, other: string) {
  // @ts-expect-error -- a string is not the node's T
  tm.addNode({ fallback: () => other }, (value: T) => value, node);
  const zeroed: NodeOptions<number> = { fallback: () => 0 };
  // @ts-expect-error -- its 0 would become the value of a T node
  tm.addNode(zeroed, (value: T) => value, node);
}
async function genericFallbacksAndPolicies(): Promise<void> {
  const tm = buildDag<number>();
  const count = tm.addNode((n: number) => n, tm.parameterNode);
  expectType<DagNode<number>>(withDefault(tm, count, 0));
  expectType<DagNode<number>>(withPolicy(tm, count, { retries: 2 }));
  expectType<DagNode<number>>(withTypedPolicy(tm, count, policyOf(0)));
  // @ts-expect-error -- a policy falling back to a string, for a number node
  withTypedPolicy(tm, count, policyOf('none'));
  genericFallbackMismatch(tm, count, 'x');
}

/**
 * Options declared apart and shared between nodes (a policy) leave each node its own type:
 * `NodeOptions` has no fallback that returns a value, `NodeOptions<T>` one that returns a `T`.
 */
async function sharedPoliciesKeepNodeTypes(): Promise<void> {
  const tm = buildDag<number>();
  const patient: NodeOptions = { retries: 3, timeout: 5_000 };
  const text = tm.addNode(patient, (n: number) => String(n), tm.parameterNode);
  const length = tm.addNode(patient, (s: string) => s.length, text);
  const result = await tm.invoke(1);
  const typedText: string = text.extractResult(result);
  const typedLength: number = length.extractResult(result);
  void typedText;
  void typedLength;
  // A policy's fallback may throw or skip, whatever the node's type.
  const skipping: NodeOptions = { retries: 1, fallback: () => skip('unavailable') };
  const flag = tm.addNode(skipping, (n: number) => n > 0, tm.parameterNode);
  const typedFlag: boolean = flag.extractResult(result);
  void typedFlag;
  // @ts-expect-error -- a bare NodeOptions has no fallback returning a value: which node's type?
  const zero: NodeOptions = { fallback: () => 0 };
  void zero;
  const zeroed: NodeOptions<number> = { fallback: () => 0 };
  const count = tm.addNode(zeroed, (n: number) => n * 2, tm.parameterNode);
  const typedCount: number = count.extractResult(result);
  void typedCount;
  // @ts-expect-error -- its 0 would become the value of a string node
  tm.addNode(zeroed, (n: number) => String(n), tm.parameterNode);
}

/** Overrides of a builder's nodes are called as the nodes are: with `this` undefined. */
async function overridesHaveNoThis(): Promise<void> {
  const tm = buildDag<number>();
  tm.addNode({ name: 'tax' }, (n: number) => n * 0.2, tm.parameterNode);
  await tm.invoke(1, { overrides: { tax: (n: number) => n * 0.1 } });
  await tm.invoke(1, {
    overrides: {
      tax(n: number) {
        // @ts-expect-error -- `this` is undefined in a node, and in its override
        return this.base(n);
      },
    },
  });
}

/**
 * Options that may be `undefined` take it, as `InvokeOptions` and `NodeOptions` do, also under
 * `exactOptionalPropertyTypes` (this project's setting).
 */
async function optionsTakeUndefined(
  name: string | undefined,
  targets: string[] | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const tm = buildDag<number>({ name });
  tm.addImmediateNode(1, { name });
  tm.addNode({ name }, (n: number) => n, tm.parameterNode);
  await tm.invoke(0, { targets, signal, overrides: undefined });
}

void seed;
void optionsTakeUndefined;
void voidParameter;
void argumentsFollowTheWhenRule;
void nodesAndTokensAreNeverConstants;
void fallbacksReturnTheNodesType;
void sharedPoliciesKeepNodeTypes;
void overridesHaveNoThis;
void genericSettledHelpers;
void genericFallbacksAndPolicies;

/**
 * A builder's nodes are named at run time: its stream's events name any node and a success's
 * value is `unknown` (not `any`); `extractResult` reads a node's value typed.
 */
async function streamedNodes(): Promise<void> {
  const tm = buildDag<number>();
  const total = tm.addNode({ name: 'total' }, (n: number) => n * 2, tm.parameterNode);
  const run = tm.stream(1);
  for await (const event of run) {
    expectType<string>(event.task);
    if (event.type === 'taskSuccess') {
      // @ts-expect-error -- unknown, not any: not assignable to a number
      const value: number = event.value;
      void value;
    }
  }
  expectType<number>(total.extractResult(await run.result));
}
void streamedNodes;

/**
 * A function typed `any` (from an untyped registry or module) is a node's function with options
 * as without: its arguments are not checked, as TypeScript checks no call of an `any`.
 */
declare const untyped: any;
declare const handlers: Record<string, any>;
async function untypedFunctions(): Promise<void> {
  const tm = buildDag<number>();
  const first = tm.addNode({ name: 'first' }, untyped);
  tm.addNode({ name: 'second', retries: 1 }, untyped, first, tm.parameterNode, 'label');
  tm.addNode({ name: 'third' }, handlers['third'], first);
  tm.addNode(untyped, first, 2);
  expectType<DagNode<unknown>>(first);
  await tm.invoke(1);
}
void untypedFunctions;

/**
 * API.md §7's signatures: `buildDag<P = void>` gives a `DagBuilder<P>` whose `parameterNode` is
 * `PARAM` typed as `P`; a node's `name` is a string; `tm.graph()` has the entries of
 * `Workflow.graph`, `TaskNode`s.
 */
function signatures(): void {
  const tm = buildDag<string>({ name: 'typed' });
  expectType<DagBuilder<string>>(tm);
  expectType<ParamToken<string>>(tm.parameterNode);
  // @ts-expect-error -- the parameter is a string, not a number
  expectType<ParamToken<number>>(tm.parameterNode);
  const untyped = buildDag();
  expectType<DagBuilder<void>>(untyped);
  void untyped.invoke();
  const node = tm.addNode((id: string) => id.length, tm.parameterNode);
  expectType<string>(node.name);
  const graph: WorkflowGraph = tm.graph();
  const entry: TaskNode = graph.tasks[0];
  expectType<readonly string[]>(entry.dependsOn);
  // @ts-expect-error -- a builder's name is a string
  buildDag({ name: 1 });
}
void signatures;
