/**
 * Type-level tests of the shapes a task method may have, and what `result.get`, overrides and
 * stream events make of them; compiled by `npm run typecheck` (never executed). Every
 * `@ts-expect-error` line must be a compile error.
 */
import { buildDag, DependsOn, Param, SIGNAL, Task, Workflow, type DagNode } from '../../src';

declare function expectType<T>(_value: T): void;
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the assertion
declare function assertTrue<T extends true>(): void;

const secret = Symbol('secret');

/** A thenable that is no promise: awaited, it gives its value, as the run gives it. */
interface Deferred<T> {
  then(resolve: (value: T) => void): void;
}

class Shapes {
  /** A symbol-named method names no task (`@Task()` on it is a definition error at run time). */
  [secret]() {
    return 1;
  }

  /** A generic method: its value is `unknown`, what its type parameter is without a call. */
  @Task() echo<T>(@Param() value: T): T {
    return value;
  }

  /** An overloaded method: typed by its last overload, as TypeScript types it everywhere. */
  parse(text: string): string;
  parse(text: number): number;
  @Task() @DependsOn<Shapes>('echo') parse(text: unknown): unknown {
    return text;
  }

  /** An async generator's value is the generator itself: it is no thenable. */
  @Task() async *pages() {
    yield 1;
  }

  @Task() later(): PromiseLike<number> {
    return Promise.resolve(1);
  }

  @Task() deferred(): Deferred<string> {
    return { then: (resolve) => resolve('done') };
  }

  @Task() nothing(): void {}

  @Task() async nothingAsync() {}

  @Task() @DependsOn<Shapes>('later', 'deferred', SIGNAL) combined(
    later: number,
    deferred: string,
    signal: AbortSignal,
  ) {
    return signal.aborted ? deferred : later;
  }
}

assertTrue<
  Equals<Parameters<Shapes['combined']>, [later: number, deferred: string, signal: AbortSignal]>
>();

async function shapes(name: 'later' | 'deferred', which: 'nothing' | 'pages'): Promise<void> {
  const result = await Workflow.invoke(new Shapes(), 'input');
  expectType<unknown>(result.get('echo'));
  assertTrue<Equals<ReturnType<typeof result.get<'parse'>>, number>>();
  assertTrue<
    Equals<ReturnType<typeof result.get<'pages'>>, AsyncGenerator<number, void, unknown>>
  >();
  assertTrue<Equals<ReturnType<typeof result.get<'later'>>, number>>();
  assertTrue<Equals<ReturnType<typeof result.get<'deferred'>>, string>>();
  assertTrue<Equals<ReturnType<typeof result.get<'nothing'>>, void>>();
  assertTrue<Equals<ReturnType<typeof result.get<'nothingAsync'>>, void>>();
  assertTrue<Equals<ReturnType<typeof result.get<'combined'>>, string | number>>();
  // A name of a union type gives the union of their values.
  const _either = result.get(name);
  assertTrue<Equals<typeof _either, number | string>>();
  const _other = result.get(which);
  assertTrue<Equals<typeof _other, void | AsyncGenerator<number, void, unknown>>>();
  // @ts-expect-error -- a symbol names no task
  result.get(secret);
  // @ts-expect-error -- nor a name typed only as a string
  result.get(name as string);

  // Overrides return what the task's value is, or a thenable of it.
  await Workflow.invoke(new Shapes(), 'input', {
    overrides: {
      later: () => 2,
      deferred: async () => 'now',
      nothing: () => {},
      combined: (later, deferred) => (later > 0 ? deferred : later),
    },
  });
  await Workflow.invoke(new Shapes(), 'input', {
    // @ts-expect-error -- later's value is a number
    overrides: { later: () => 'two' },
  });

  for await (const event of Workflow.stream(new Shapes(), 'input')) {
    if (event.type !== 'taskSuccess') continue;
    if (event.task === 'later') assertTrue<Equals<typeof event.value, number>>();
    if (event.task === 'deferred') assertTrue<Equals<typeof event.value, string>>();
    if (event.task === 'nothing') assertTrue<Equals<typeof event.value, void>>();
    // @ts-expect-error -- a symbol-named method is no task of the stream's events
    if (event.task === secret) return;
  }
}
void shapes;

/**
 * A subclass that overrides a task with a narrower return type: its runs are typed by the
 * override, and its overrides must return the narrower type.
 */
class Pricing {
  @Task() price(@Param() amount: number): number | string {
    return amount;
  }

  @Task() @DependsOn<Pricing>('price') label(price: number | string) {
    return `${price}`;
  }
}

class ExactPricing extends Pricing {
  override price(amount: number): number {
    return amount * 100;
  }
}

async function narrowedOverride(): Promise<void> {
  const exact = await Workflow.invoke(new ExactPricing(), 1);
  assertTrue<Equals<ReturnType<typeof exact.get<'price'>>, number>>();
  expectType<string>(exact.get('label'));
  const _loose = await Workflow.invoke<Pricing, number>(new ExactPricing(), 1);
  assertTrue<Equals<ReturnType<typeof _loose.get<'price'>>, number | string>>();
  await Workflow.invoke(new ExactPricing(), 1, { overrides: { price: (amount) => amount * 2 } });
  await Workflow.invoke(new Pricing(), 1, { overrides: { price: () => 'free' } });
  // @ts-expect-error -- the subclass's price is a number
  await Workflow.invoke(new ExactPricing(), 1, { overrides: { price: () => 'free' } });
  for await (const event of Workflow.stream(new ExactPricing(), 1)) {
    if (event.type === 'taskSuccess' && event.task === 'price') expectType<number>(event.value);
  }
}
void narrowedOverride;

/** Builder nodes of the same shapes: constants, `parameterNode`, tokens and thenables. */
async function builderShapes(): Promise<void> {
  const tm = buildDag<{ id: string }>();
  const id = tm.addNode((request: { id: string }) => request.id, tm.parameterNode);
  const padded = tm.addNode((text: string, width?: number) => text.padStart(width ?? 0), id, 8);
  const unpadded = tm.addNode((text: string, width?: number) => text.padStart(width ?? 0), id);
  const joined = tm.addNode((...parts: string[]) => parts.join('/'), id, padded, 'v1');
  const later = tm.addNode((): PromiseLike<number> => Promise.resolve(1));
  const deferred = tm.addNode((): Deferred<string> => ({ then: (resolve) => resolve('x') }));
  const _nothing = tm.addNode((signal: AbortSignal): void => void signal, SIGNAL);
  const _config = tm.addNode(
    (_options: { retries: number }, text: string) => text,
    { retries: 2 },
    id,
  );
  const constant = tm.addImmediateNode({ region: 'eu' } as const);
  expectType<DagNode<string>>(padded);
  expectType<DagNode<string>>(unpadded);
  expectType<DagNode<string>>(joined);
  assertTrue<Equals<typeof later, DagNode<number>>>();
  assertTrue<Equals<typeof deferred, DagNode<string>>>();
  assertTrue<Equals<typeof _nothing, DagNode<void>>>();
  assertTrue<Equals<typeof _config, DagNode<string>>>();
  assertTrue<Equals<typeof constant, DagNode<{ readonly region: 'eu' }>>>();
  // @ts-expect-error -- an optional parameter still takes only its type
  tm.addNode((text: string, width?: number) => text.padStart(width ?? 0), id, 'wide');
  // @ts-expect-error -- a rest parameter too
  tm.addNode((...parts: string[]) => parts.join('/'), id, later);
  // @ts-expect-error -- the parameter is an object with an id, not a string
  tm.addNode((text: string) => text, tm.parameterNode);
  // @ts-expect-error -- a constant of the wrong shape
  tm.addNode((options: { retries: number }) => options, { retries: '2' });

  const result = await tm.invoke({ id: 'a' }, { targets: [joined, 'task'] });
  expectType<number>(later.extractResult(result));
  expectType<string>(deferred.extractResult(result));
  expectType<{ readonly region: 'eu' }>(constant.extractResult(result));
  // @ts-expect-error -- the builder's parameter is an object with an id
  await tm.invoke('a');
}
void builderShapes;
