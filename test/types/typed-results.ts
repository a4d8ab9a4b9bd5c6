/**
 * Type-level tests, compiled by `npm run typecheck` (never executed). Every `@ts-expect-error`
 * line must be a compile error: if one compiles, tsc reports the unused directive and fails.
 */
import {
  buildDag,
  DependsOn,
  formatTimeline,
  Param,
  Task,
  Workflow,
  type ExecutionResult,
  type InvokeOptions,
  type TaskName,
  type TaskResult,
  type TimelineOptions,
  type WorkflowHooks,
  type WorkflowEvent,
  type WorkflowInterceptor,
  type WorkflowStream,
  type WorkflowClass,
  WorkflowAbortedError,
  WorkflowExecutionError,
} from '../../src';
import { openTelemetry } from '../../src/opentelemetry';

interface User {
  id: string;
  name: string;
}

class Checkout {
  readonly currency = 'EUR';

  @Task()
  async user(@Param() id: string): Promise<User> {
    return { id, name: 'Ada' };
  }

  @Task()
  @DependsOn<Checkout>('user')
  cart(user: User): string[] {
    return [user.id];
  }

  @Task()
  @DependsOn<Checkout>('cart', 'user')
  total(cart: string[]): number {
    return cart.length;
  }
}

declare function expectType<T>(_value: T): void;
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the assertion
declare function assertTrue<T extends true>(): void;

async function typedResults(): Promise<void> {
  const result = await Workflow.invoke(new Checkout(), 'u1');

  // get() is typed from the method's awaited return type.
  assertTrue<Equals<ReturnType<typeof result.get<'user'>>, User>>();
  assertTrue<Equals<ReturnType<typeof result.get<'cart'>>, string[]>>();
  expectType<number>(result.get('total'));
  expectType<string>(result.param);

  // @ts-expect-error -- not a member at all
  result.get('nope');
  // @ts-expect-error -- a property, not a method
  result.get('currency');
  // @ts-expect-error -- a number is not a User
  expectType<number>(result.get('user'));

  const object = result.toObject();
  expectType<User | undefined>(object.user);
}

// Task names are the method names only.
assertTrue<Equals<TaskName<Checkout>, 'user' | 'cart' | 'total'>>();
assertTrue<Equals<TaskResult<Checkout, 'user'>, User>>();

/** Methods with numeric names are tasks named by strings, as the run names them. */
class Numbered {
  @Task() 1(@Param() n: number) {
    return n + 1;
  }

  @Task() @DependsOn<Numbered>('1') async 2(one: number) {
    return String(one);
  }

  // @ts-expect-error -- there is no task "3"
  @Task() @DependsOn<Numbered>('3') last(two: string) {
    return two;
  }
}

assertTrue<Equals<TaskName<Numbered>, '1' | '2' | 'last'>>();
assertTrue<Equals<TaskResult<Numbered, '2'>, string>>();

async function numberedResults(): Promise<void> {
  const result = await Workflow.invoke(new Numbered(), 1, {
    targets: ['2'],
    overrides: { 2: async (one) => `${one + 1}` },
  });
  expectType<number>(result.get('1'));
  expectType<string>(result.get('2'));
  expectType<string | undefined>(result.toObject()[2]);
  // @ts-expect-error -- "2" gives a string
  expectType<number>(result.get('2'));
  // @ts-expect-error -- an override of "2" takes its arguments and gives what it gives
  void Workflow.invoke(new Numbered(), 1, { overrides: { 2: (one: string) => one } });
}

// @DependsOn<W> checks names at compile time; without the type argument any string is accepted.
export class Typos {
  @Task()
  first(): number {
    return 1;
  }

  // @ts-expect-error -- 'frist' is not a method of Typos
  @DependsOn<Typos>('frist')
  @Task()
  second(first: number): number {
    return first;
  }

  @DependsOn('checked at scan time instead')
  @Task()
  third(): void {}
}

// Options are typed against the workflow.
const goodOptions: InvokeOptions<Checkout> = {
  targets: ['cart'],
  overrides: {
    user(this: Checkout, id: string) {
      return { id, name: this.currency };
    },
  },
};
// @ts-expect-error -- unknown target
const badTarget: InvokeOptions<Checkout> = { targets: ['carts'] };
// @ts-expect-error -- unknown override
const badOverride: InvokeOptions<Checkout> = { overrides: { users: () => null } };
// An override returns what its task does (or a promise of it), and takes the task's arguments.
const goodOverrides: InvokeOptions<Checkout> = {
  overrides: { user: async (id: string) => ({ id, name: 'Test' }), total: () => 0 },
};
// @ts-expect-error -- total returns a number: result.get('total') would lie
const wrongReturn: InvokeOptions<Checkout> = { overrides: { total: () => 'zero' } };
// @ts-expect-error -- cart takes a User, not a number
const wrongArgument: InvokeOptions<Checkout> = { overrides: { cart: (_user: number) => [] } };

// An override given inline to invoke keeps the literal types its task's type asks for, as the same
// override in an annotated InvokeOptions does (a status union, a discriminated union's tag).
class Tiered {
  @Task()
  tier(): 'gold' | 'standard' {
    return 'gold';
  }

  @Task()
  async account(): Promise<{ kind: 'person'; tier: 'gold' | 'standard' }> {
    return { kind: 'person', tier: 'gold' };
  }
}
async function literalOverrides(): Promise<void> {
  const result = await Workflow.invoke(new Tiered(), undefined, {
    overrides: { tier: () => 'standard', account: async () => ({ kind: 'person', tier: 'gold' }) },
  });
  expectType<'gold' | 'standard'>(result.get('tier'));
  await Workflow.stream(new Tiered(), undefined, { overrides: { tier: () => 'gold' } }).result;
  // @ts-expect-error -- still only the task's literals
  await Workflow.invoke(new Tiered(), undefined, { overrides: { tier: () => 'silver' } });
}
void literalOverrides;

class FactoryMade {
  private constructor(private readonly offset: number) {}
  static create(): FactoryMade {
    return new FactoryMade(1);
  }
  @Task() next(@Param() n: number) {
    return n + this.offset;
  }
}
class Guarded {
  protected constructor() {}
  @Task() ready() {
    return true;
  }
}
class FromGuarded extends Guarded {}
abstract class AbstractFlow {
  @Task() ready() {
    return true;
  }
}
class PrototypeTask {
  @Task() prototype(@Param() n: number) {
    return n + 1;
  }
}

async function options(): Promise<void> {
  await Workflow.invoke(new Checkout(), 'u1', goodOptions);
  // @ts-expect-error -- targets are checked against the instance's class
  await Workflow.invoke(new Checkout(), 'u1', { targets: ['totals'] });
  // @ts-expect-error -- Workflow.invoke needs an object
  await Workflow.invoke(42);
  // @ts-expect-error -- the class itself, not an instance of it (a TypeError at run time)
  await Workflow.invoke(Checkout, 'u1');
  // @ts-expect-error -- nor does Workflow.stream take the class
  Workflow.stream(Checkout, 'u1');
  // @ts-expect-error -- an abstract class is no instance either
  await Workflow.invoke(AbstractFlow);
  // @ts-expect-error -- a builder runs with its own tm.invoke (a TypeError at run time)
  await Workflow.invoke(buildDag<number>(), 1);
  // @ts-expect-error -- and streams with its own tm.stream
  Workflow.stream(buildDag<number>(), 1);
  // A task may still be named "prototype", the member a class has and an instance has not.
  expectType<number>((await Workflow.invoke(new PrototypeTask(), 1)).get('prototype'));
  // @ts-expect-error -- Workflow.graph needs a class
  Workflow.graph(new Checkout());
  // @ts-expect-error -- a function is no class: it has no prototype of its own to scan
  Workflow.validate(() => new Checkout());
  // @ts-expect-error -- nor is a plain function, whose prototype is `any`
  Workflow.toMermaid(function checkout() {});
  // A class whose constructor is private or protected (a factory, a singleton) is a class too.
  Workflow.validate(FactoryMade);
  const factoryOrder: readonly string[] = Workflow.graph(FactoryMade).order;
  void factoryOrder;
  Workflow.toMermaid(Guarded);
  Workflow.validate(FromGuarded);
  await Workflow.invoke(FactoryMade.create(), 1);
  // Generic code over WorkflowClass still compiles.
  const graphOf = <C extends WorkflowClass>(workflowClass: C) => Workflow.graph(workflowClass);
  graphOf(Checkout);
  // Options written once, untyped, do not erase the result's typing: it comes from the instance.
  const common: InvokeOptions = { concurrency: 4, targets: ['cart'] };
  const shared = await Workflow.invoke(new Checkout(), 'u1', common);
  const cart: string[] = shared.get('cart');
  // @ts-expect-error -- still a typed result: not a task
  shared.get('carts');
  for await (const event of Workflow.stream(new Checkout(), 'u1', common)) {
    if (event.type === 'taskSuccess' && event.task === 'user') {
      const user: User = event.value;
      void user;
    }
  }
  void cart;
}

// Under exactOptionalPropertyTypes (this project sets it), an option may be given as undefined,
// as it may at run time: the shape of `{ signal: maybeSignal }`.
declare const maybeSignal: AbortSignal | undefined;
declare const maybeRetries: number | undefined;
const explicitUndefined: InvokeOptions<Checkout> = {
  signal: maybeSignal,
  concurrency: undefined,
  targets: undefined,
  overrides: undefined,
};
class Retrying {
  @Task({ retries: maybeRetries, timeout: undefined }) work() {
    return 1;
  }
}
export { explicitUndefined, Retrying };

// A fallback takes the error, and may take the task's signal as well: its type is inferred.
declare function cachedPrice(signal: AbortSignal): Promise<number>;
class Priced {
  @Task({ fallback: () => 0 }) price() {
    return 1;
  }
  @Task({ fallback: (_error, signal) => cachedPrice(signal) }) quote() {
    return 1;
  }
  @Task({
    fallback: (error, signal) => {
      expectType<unknown>(error);
      expectType<AbortSignal>(signal);
      return 0;
    },
  })
  discount() {
    return 1;
  }
  // @ts-expect-error -- the second argument is a signal, not a number
  @Task({ fallback: (_error: unknown, attempt: number) => attempt }) bad() {
    return 1;
  }
}
export { Priced };

// formatTimeline's options too: `{ width: maybeWidth }` compiles, as formatTimeline draws it.
declare const maybeWidth: number | undefined;
function timelineOfAnyWidth(result: ExecutionResult<Checkout>): string {
  formatTimeline(result, { width: undefined });
  return formatTimeline(result, { width: maybeWidth });
}
export { timelineOfAnyWidth };

// Hooks of a typed run name its tasks; a success's value is typed once its task is narrowed.
async function typedHooks(): Promise<void> {
  await Workflow.invoke(new Checkout(), 'u1', {
    hooks: {
      onTaskSuccess(event) {
        if (event.task === 'total') expectType<number>(event.value);
        if (event.task === 'user') expectType<string>(event.value.name);
        // @ts-expect-error -- not a task of Checkout
        if (event.task === 'totals') return;
      },
      onTaskStart: ({ task }) => expectType<TaskName<Checkout>>(task),
    },
  });
  // Untyped hooks (a logger class, say) fit every workflow, and their events stay as they were.
  const logger: WorkflowHooks = {
    onTaskSuccess(event) {
      void event.task;
      assertTrue<Equals<typeof event.value, unknown>>();
    },
  };
  await Workflow.invoke(new Checkout(), 'u1', { hooks: logger });
}
export { typedHooks };

// Tasks that keyof does not see (private, protected): hooks keep their plain events.
class Hidden {
  @Task() private secret() {
    return 1;
  }
}
async function hiddenTaskHooks(): Promise<void> {
  await Workflow.invoke(new Hidden(), undefined, {
    hooks: {
      onTaskSuccess(event) {
        void event.task;
        assertTrue<Equals<typeof event.value, unknown>>();
      },
    },
  });
}
export { hiddenTaskHooks };

// ... and so do its stream's events: any task name, values unknown (not `never`).
async function hiddenTaskEvents(): Promise<void> {
  for await (const event of Workflow.stream(new Hidden())) {
    assertTrue<Equals<typeof event.task, string>>();
    if (event.type === 'taskSuccess') assertTrue<Equals<typeof event.value, unknown>>();
  }
}
export { hiddenTaskEvents };

// A run interceptor's next() resolves with the run's result.
const timing: WorkflowInterceptor = {
  async run(_info, next) {
    const result = await next();
    expectType<number>(result.durationMs);
    return result;
  },
};
export { timing };

// A result without a param is typed `undefined`.
async function noParam(): Promise<ExecutionResult<Checkout, undefined>> {
  return Workflow.invoke(new Checkout());
}

// @Task() is a method decorator: a class field is rejected at compile time.
export class FieldTask {
  // @ts-expect-error -- tasks must be methods
  @Task() arrow = () => 1;
}

export {
  typedResults,
  numberedResults,
  options,
  noParam,
  badTarget,
  badOverride,
  goodOverrides,
  wrongReturn,
};
export { wrongArgument };

/** A task may be named after an `Object.prototype` method, with another signature. */
class ShadowsObjectMethods {
  @Task() hasOwnProperty(): string {
    return 'own';
  }
  @Task() @DependsOn<ShadowsObjectMethods>('hasOwnProperty') toLocaleString(
    own: string,
    @Param() n: number,
  ) {
    return own.length + n;
  }
}

async function objectMethodNames(): Promise<void> {
  const result = await Workflow.invoke(new ShadowsObjectMethods(), 1);
  expectType<string>(result.get('hasOwnProperty'));
  expectType<number>(result.get('toLocaleString'));
}
void objectMethodNames;

/**
 * Beside other tasks too: every name an `Object.prototype` member has (which an empty object
 * has, by its apparent type) is a task name like any other, checked and typed.
 */
class NamedLikeObjectMembers {
  @Task() toString() {
    return 'text';
  }
  @Task() valueOf() {
    return 1;
  }
  @Task() isPrototypeOf() {
    return true;
  }
  @Task() propertyIsEnumerable() {
    return 1n;
  }
  @Task() @DependsOn('toString', 'valueOf') untyped(text: string, n: number) {
    return text + n;
  }
  @Task() @DependsOn<NamedLikeObjectMembers>('toString', 'valueOf', 'untyped') typed(
    text: string,
    n: number,
  ) {
    return [text, n] as const;
  }
  // @ts-expect-error -- still checked: there is no task "hasOwnProperty"
  @Task() @DependsOn<NamedLikeObjectMembers>('hasOwnProperty') unknownName() {}
}
assertTrue<
  Equals<
    TaskName<NamedLikeObjectMembers>,
    | 'toString'
    | 'valueOf'
    | 'isPrototypeOf'
    | 'propertyIsEnumerable'
    | 'untyped'
    | 'typed'
    | 'unknownName'
  >
>();

async function objectMemberNamesBesideOthers(): Promise<void> {
  const result = await Workflow.invoke(new NamedLikeObjectMembers(), undefined, {
    targets: ['typed', 'valueOf'],
    overrides: { toString: () => 'other' },
  });
  expectType<string>(result.get('toString'));
  assertTrue<Equals<ReturnType<typeof result.get<'valueOf'>>, number>>();
  expectType<boolean>(result.get('isPrototypeOf'));
  expectType<bigint>(result.get('propertyIsEnumerable'));
  expectType<string | undefined>(result.toObject().untyped);
  // @ts-expect-error -- valueOf gives a number
  expectType<string>(result.get('valueOf'));
  await Workflow.invoke(new NamedLikeObjectMembers(), undefined, {
    // @ts-expect-error -- an override of toString gives a string
    overrides: { toString: () => 1 },
  });
  // Overrides of tasks named so, and of others, take the task's arguments.
  await Workflow.invoke(new NamedLikeObjectMembers(), undefined, {
    overrides: { valueOf: () => 2, untyped: (text, n) => text.repeat(n) },
  });
  await Workflow.invoke(new ShadowsObjectMethods(), 1, {
    overrides: { toLocaleString: (own, n) => own.length * n },
  });
  await Workflow.invoke(new ShadowsObjectMethods(), 1, {
    // @ts-expect-error -- an override of toLocaleString gives a number
    overrides: { toLocaleString: (own: string) => own },
  });
  for await (const event of Workflow.stream(new NamedLikeObjectMembers())) {
    if (event.type === 'taskSuccess' && event.task === 'valueOf') expectType<number>(event.value);
  }
}
void objectMemberNamesBesideOthers;

/** A stream is an async iterable only: a synchronous loop over it does not compile. */
function synchronousLoop(): void {
  // @ts-expect-error -- for await, not for
  for (const event of Workflow.stream(new Checkout(), 'u1')) void event;
  // @ts-expect-error -- nor a spread
  void [...Workflow.stream(new Checkout(), 'u1')];
}
void synchronousLoop;

/** Stream events are a union discriminated by `type`; a success's value is typed per task. */
async function streamedEvents(): Promise<void> {
  for await (const event of Workflow.stream(new Checkout(), 'u1')) {
    if (event.type === 'taskSuccess' && event.task === 'cart') expectType<string[]>(event.value);
    if (event.type === 'taskSuccess' && event.task === 'total') expectType<number>(event.value);
    if (event.type === 'taskSuccess' && event.task === 'user') {
      // @ts-expect-error -- user's value is a User, not a string
      expectType<string>(event.value);
    }
    if (event.type === 'taskStart') {
      expectType<number>(event.attempt);
      // @ts-expect-error -- a start event has no value
      void event.value;
    }
    if (event.type === 'taskSkip') expectType<string>(event.reason);
    if (event.type === 'taskSuccess') assertTrue<Equals<typeof event.recoveredFrom, unknown>>();
    if (event.type === 'taskFailure') {
      assertTrue<Equals<typeof event.error, unknown>>();
      assertTrue<Equals<typeof event.attempt, number>>();
      assertTrue<Equals<typeof event.willRetry, boolean>>();
    }
    if (event.type === 'taskProgress') {
      assertTrue<Equals<typeof event.data, unknown>>();
      assertTrue<Equals<typeof event.attempt, number>>();
    }
    assertTrue<Equals<typeof event.task, 'user' | 'cart' | 'total'>>();
    assertTrue<Equals<typeof event.time, number>>();
    // @ts-expect-error -- events are read-only
    event.time = 0;
    // @ts-expect-error -- no such event type
    if (event.type === 'taskEnd') void event;
    // @ts-expect-error -- 'currency' is a field, not a task
    if (event.task === 'currency') void event;
  }
  // The stream's result is typed as invoke's, and its options are checked against the class.
  const run = Workflow.stream(new Checkout(), 'u1', { targets: ['cart'] });
  assertTrue<Equals<typeof run, WorkflowStream<Checkout, string>>>();
  const result = await run.result;
  expectType<string[]>(result.get('cart'));
  assertTrue<Equals<typeof result.param, string>>();
  // @ts-expect-error -- not a task of Checkout
  Workflow.stream(new Checkout(), 'u1', { targets: ['totals'] });
}
void streamedEvents;

/**
 * Where the workflow's type is not known — a run error caught in a `catch`, a run interceptor's
 * `next()`, a function taking any `ExecutionResult`, `WorkflowEvent` or `WorkflowStream` — values
 * are `unknown`, never `any`: a wrong assumption about a value is a compile error, not a silent one.
 */
type IsAny<T> = 0 extends 1 & T ? true : false;
async function untypedValuesAreUnknown(): Promise<void> {
  try {
    await Workflow.invoke(new Checkout(), 'u1');
  } catch (error) {
    if (error instanceof WorkflowExecutionError) {
      assertTrue<Equals<IsAny<ReturnType<typeof error.result.get>>, false>>();
      assertTrue<Equals<typeof error.result.get<'total'>, (task: 'total') => unknown>>();
      // @ts-expect-error -- the caught run's values are unknown: not assignable to a number
      const total: number = error.result.get('total');
      void total;
      assertTrue<Equals<ReturnType<typeof error.result.toObject>[string], unknown>>();
    }
    if (error instanceof WorkflowAbortedError) {
      assertTrue<Equals<ReturnType<typeof error.result.get<'total'>>, unknown>>();
    }
  }
  const interceptor: WorkflowInterceptor = {
    async run(_info, next) {
      const result = await next();
      assertTrue<Equals<ReturnType<typeof result.get<'total'>>, unknown>>();
      return result;
    },
  };
  void interceptor;
  const onEvent = (event: WorkflowEvent): void => {
    if (event.type === 'taskSuccess') assertTrue<Equals<typeof event.value, unknown>>();
  };
  void onEvent;
  const onResult = (result: ExecutionResult): void => {
    const total = result.get('total');
    assertTrue<Equals<typeof total, unknown>>();
    void total;
  };
  void onResult;
  const onStream = async (stream: WorkflowStream): Promise<void> => {
    const total = (await stream.result).get('total');
    assertTrue<Equals<typeof total, unknown>>();
    void total;
  };
  void onStream;
  // A typed result still fits where an untyped one is expected.
  onResult(await Workflow.invoke(new Checkout(), 'u1'));
  await onStream(Workflow.stream(new Checkout(), 'u1'));
  assertTrue<Equals<TaskResult<any, 'total'>, unknown>>();
}
void untypedValuesAreUnknown;

/**
 * Under exactOptionalPropertyTypes, every optional member of an option object may be given as
 * `undefined`, as the run accepts it: a hook or interceptor method chosen at run time, a timeline
 * width or a tracer that may be missing.
 */
declare const verbose: boolean;
declare const width: number | undefined;
async function optionalMembersTakeUndefined(): Promise<void> {
  const log = (event: { task: string }): void => void event.task;
  const hooks: WorkflowHooks = {
    onTaskStart: verbose ? log : undefined,
    onTaskSuccess: undefined,
    onTaskFailure: undefined,
    onTaskRetry: undefined,
    onTaskSkip: undefined,
    onTaskProgress: undefined,
  };
  const interceptor: WorkflowInterceptor = {
    run: undefined,
    task: verbose ? (_info, next) => next() : undefined,
  };
  const result = await Workflow.invoke(new Checkout(), 'u1', {
    hooks: { onTaskSuccess: verbose ? undefined : (event) => void event.value },
    interceptors: [interceptor, openTelemetry({ tracer: undefined })],
  });
  await Workflow.invoke(new Checkout(), 'u1', { hooks });
  // An override chosen at run time: undefined runs the task itself.
  await Workflow.invoke(new Checkout(), 'u1', {
    overrides: { total: verbose ? () => 0 : undefined, cart: undefined },
  });
  const timeline: TimelineOptions = { width };
  formatTimeline(result, timeline);
  formatTimeline(result, { width: undefined });
  // Hooks and interceptors written as classes still fit.
  class Logger implements WorkflowHooks {
    onTaskStart(event: { task: string; attempt: number }): void {
      void event;
    }
  }
  class Timing implements WorkflowInterceptor {
    async task(_info: { task: string }, next: () => Promise<unknown>): Promise<unknown> {
      return next();
    }
  }
  await Workflow.invoke(new Checkout(), 'u1', {
    hooks: new Logger(),
    interceptors: [new Timing()],
  });
}
void optionalMembersTakeUndefined;

/**
 * Generic code over any workflow passes its options on: `InvokeOptions<W>`, `TaskName<W>[]`
 * targets and `WorkflowHooks<W>` of a type parameter `W` fit `Workflow.invoke` and `stream`.
 */
async function runWith<W extends object>(
  workflow: W,
  options: InvokeOptions<W>,
  targets: TaskName<W>[],
  hooks: WorkflowHooks<W>,
): Promise<ExecutionResult<W, number>> {
  await Workflow.invoke(workflow, 1, { targets, hooks });
  for await (const event of Workflow.stream(workflow, 1, { ...options, targets })) void event.task;
  return Workflow.invoke(workflow, 1, options);
}
/**
 * Task names are written out in compile errors (`get`, `targets` and `@DependsOn<W>` take
 * `TaskName<W> & string`, which changes no name): a `TaskName<W>` of a type parameter `W` still
 * fits each of them, and so do the names of a workflow with numeric task names.
 */
function valueOf<W extends object>(result: ExecutionResult<W>, task: TaskName<W>): unknown {
  return result.get(task);
}
function targetsOf<W extends object>(task: TaskName<W>): InvokeOptions<W> {
  return { targets: [task] };
}
async function namesOfTypeParameters(): Promise<void> {
  const result = await Workflow.invoke(new Checkout(), 'u1', targetsOf<Checkout>('cart'));
  valueOf(result, 'cart');
  // @ts-expect-error -- still only the names of the workflow
  valueOf(result, 'carts');
  const names: TaskName<Numbered>[] = ['1', '2'];
  const numbered = await Workflow.invoke(new Numbered(), 1, { targets: names });
  expectType<number>(numbered.get(names[0] as '1'));
}
void namesOfTypeParameters;

async function genericCallers(): Promise<void> {
  const result = await runWith(new Checkout(), { targets: ['cart'] }, ['total'], {});
  expectType<string[]>(result.get('cart'));
  // @ts-expect-error -- still checked against the workflow at the generic function's call
  await runWith(new Checkout(), { targets: ['carts'] }, [], {});
}
void genericCallers;

/**
 * An optional method (`m?() {…}`) is a method, and may be a task: its name, its result type and
 * its override's type are known, as a plain method's are.
 */
class OptionalTask {
  @Task()
  maybe?(): number {
    return 1;
  }

  @Task()
  @DependsOn<OptionalTask>('maybe')
  after(n: number): string {
    return String(n);
  }
}
async function optionalMethodTasks(): Promise<void> {
  assertTrue<Equals<TaskName<OptionalTask>, 'maybe' | 'after'>>();
  const result = await Workflow.invoke(new OptionalTask(), undefined, {
    targets: ['maybe'],
    overrides: { maybe: () => 2 },
    hooks: {
      onTaskSuccess(event) {
        if (event.task === 'maybe') expectType<number>(event.value);
      },
    },
  });
  expectType<number>(result.get('maybe'));
  assertTrue<Equals<ReturnType<typeof result.get<'maybe'>>, number>>();
  assertTrue<Equals<ReturnType<typeof result.toObject>['maybe'], number | undefined>>();
  // @ts-expect-error -- its override still returns its type
  await Workflow.invoke(new OptionalTask(), undefined, { overrides: { maybe: () => 'x' } });
}
void optionalMethodTasks;

/**
 * "Subclass and decorate": a subclass's result has every task of its base class, so it fits where
 * the base class's result is expected (a report written once for a family of workflows) — and
 * not the other way round: a base class's result has none of the subclass's tasks.
 */
class BaseFlow {
  @Task()
  load(@Param() id: string): Promise<User> {
    return Promise.resolve({ id, name: 'Ada' });
  }
}
class ExtendedFlow extends BaseFlow {
  @Task()
  @DependsOn<ExtendedFlow>('load')
  greet(user: User): string {
    return `Hello, ${user.name}`;
  }
}
function reportLoad(result: ExecutionResult<BaseFlow, string>): string {
  return result.get('load').name;
}
function reportGreeting(result: ExecutionResult<ExtendedFlow>): string {
  return result.get('greet');
}
async function subclassResults(): Promise<void> {
  const extended = await Workflow.invoke(new ExtendedFlow(), 'u1');
  reportLoad(extended);
  const asBase: ExecutionResult<BaseFlow> = extended;
  expectType<User>(asBase.get('load'));
  const base = await Workflow.invoke(new BaseFlow(), 'u1');
  // @ts-expect-error -- a base class's result has no "greet"
  reportGreeting(base);
  // @ts-expect-error -- another workflow's result has no "load"
  reportLoad(await Workflow.invoke(new Checkout(), 'u1'));
  const streamed = await Workflow.stream(new ExtendedFlow(), 'u1').result;
  reportLoad(streamed);
  expectType<User | undefined>(asBase.toObject().load);

  // What would tell of "greet" as if it were one of BaseFlow's tasks stays apart: its events, its
  // stream, and hooks or options written for the base class, given to a run of the subclass.
  for await (const event of Workflow.stream(new ExtendedFlow(), 'u1')) {
    // @ts-expect-error -- an event of ExtendedFlow may be about "greet"
    const baseEvent: WorkflowEvent<BaseFlow> = event;
    void baseEvent;
  }
  // @ts-expect-error -- its stream yields those events
  const baseStream: WorkflowStream<BaseFlow, string> = Workflow.stream(new ExtendedFlow(), 'u1');
  void baseStream;
  const baseHooks: WorkflowHooks<BaseFlow> = {};
  // @ts-expect-error -- onTaskSuccess would get "greet"'s string as load's User
  await Workflow.invoke(new ExtendedFlow(), 'u1', { hooks: baseHooks });
}
void subclassResults;

/** Generic code over a family of workflows reads the base class's tasks through its result. */
async function loadOf<W extends BaseFlow>(workflow: W): Promise<User> {
  const result: ExecutionResult<BaseFlow, string> = await Workflow.invoke(workflow, 'u1');
  return result.get('load');
}
void loadOf;

/**
 * A workflow class with an index signature (declared, or inherited from a `Record`-like base):
 * `keyof` lists it as `string | number`, yet its tasks are the methods it names. The names are
 * still checked, and `get`, `targets`, `overrides`, `toObject()` and events typed by them.
 */
class Flexible {
  [key: string]: unknown;

  @Task() load(@Param() id: string) {
    return { id };
  }

  @Task() @DependsOn<Flexible>('load') async count(loaded: { id: string }) {
    return loaded.id.length;
  }

  // @ts-expect-error -- 'lod' is not a task of Flexible
  @Task() @DependsOn<Flexible>('lod') typo(loaded: { id: string }) {
    return loaded;
  }
}
/** A base class whose index signature holds functions, which every name would have fitted. */
class Registry {
  [name: string]: (...args: any[]) => unknown;
}
class Registered extends Registry {
  @Task() first(@Param() n: number) {
    return n + 1;
  }
  @Task() @DependsOn<Registered>('first') second(first: number) {
    return String(first);
  }
}
class Handlers {
  [handler: `on${string}`]: () => void;
  [index: number]: () => void;
  @Task() render() {
    return '<p>';
  }
}
const RecordBase = Object as unknown as new () => Record<string, unknown>;
class FromRecord extends RecordBase {
  @Task() own() {
    return 1;
  }
}
assertTrue<Equals<TaskName<Flexible>, 'load' | 'count' | 'typo'>>();
assertTrue<Equals<TaskName<Registered>, 'first' | 'second'>>();
assertTrue<Equals<TaskName<Handlers>, 'render'>>();
assertTrue<Equals<TaskName<FromRecord>, 'own'>>();

async function indexSignatures(): Promise<void> {
  const result = await Workflow.invoke(new Flexible(), 'id', {
    targets: ['count'],
    overrides: { load: (id) => ({ id: id.toUpperCase() }) },
  });
  assertTrue<Equals<ReturnType<typeof result.get<'load'>>, { id: string }>>();
  expectType<number>(result.get('count'));
  expectType<number | undefined>(result.toObject().count);
  expectType<{ id: string } | undefined>(result.toObject().load);
  // @ts-expect-error -- not a task of Flexible
  result.get('cont');
  // @ts-expect-error -- nor a target
  await Workflow.invoke(new Flexible(), 'id', { targets: ['lod'] });
  // @ts-expect-error -- an override returns what its task does
  await Workflow.invoke(new Flexible(), 'id', { overrides: { count: () => 'many' } });

  const registered = await Workflow.invoke(new Registered(), 1, {
    targets: ['second'],
    overrides: { first: (n) => n * 2 },
  });
  expectType<string>(registered.get('second'));
  expectType<number | undefined>(registered.toObject().first);
  // @ts-expect-error -- an index signature of functions names no task
  registered.get('third');
  // @ts-expect-error -- nor a target
  await Workflow.invoke(new Registered(), 1, { targets: ['third'] });
  // @ts-expect-error -- nor an override
  await Workflow.invoke(new Registered(), 1, { overrides: { third: () => 3 } });
  // @ts-expect-error -- a pattern index signature neither
  (await Workflow.invoke(new Handlers())).get('onClick');
  expectType<string>((await Workflow.invoke(new Handlers())).get('render'));
  expectType<number>((await Workflow.invoke(new FromRecord())).get('own'));

  for await (const event of Workflow.stream(new Flexible(), 'id')) {
    assertTrue<Equals<typeof event.task, 'load' | 'count' | 'typo'>>();
    if (event.type === 'taskSuccess' && event.task === 'count') expectType<number>(event.value);
  }
  await Workflow.invoke(new Registered(), 1, {
    hooks: {
      onTaskSuccess(event) {
        if (event.task === 'second') expectType<string>(event.value);
        // @ts-expect-error -- not a task of Registered
        if (event.task === 'third') return;
      },
    },
  });
}
void indexSignatures;

/**
 * A class that runs itself names itself as the type argument (`this` is polymorphic: see the FAQ).
 * A param's type is then named too (`<RunsItself, number>`), as the FAQ says: the type argument left
 * out is `undefined`, the type of a run without a param.
 */
class RunsItself {
  @Task() double(@Param() n: number) {
    return n * 2;
  }

  async run(n: number): Promise<number> {
    const result = await Workflow.invoke<RunsItself, number>(this, n, { targets: ['double'] });
    assertTrue<Equals<typeof result.param, number>>();
    const streamed = await Workflow.stream<RunsItself, number>(this, n).result;
    const none = await Workflow.invoke<RunsItself>(this);
    assertTrue<Equals<typeof none.param, undefined>>();
    // @ts-expect-error -- the param's type is named too: left out, it is `undefined`
    await Workflow.invoke<RunsItself>(this, n);
    // @ts-expect-error -- still checked against the class named
    await Workflow.invoke<RunsItself, number>(this, n, { targets: ['triple'] });
    return result.get('double') + streamed.get('double') + none.get('double');
  }
}
void RunsItself;

/**
 * A generic workflow class names itself with its type parameters (`@DependsOn<Flow<T>>('load')`),
 * also when a member's type is a type parameter — a constructor-injected `repo: R`, a `value: T` —
 * which may or may not be a function until `T` is known: the names it declares are still its tasks.
 */
class Repository<R extends { find(): string[] }, T> {
  constructor(
    readonly repo: R,
    public fallback?: T,
  ) {}

  @Task() load() {
    return this.repo.find();
  }

  @Task() @DependsOn<Repository<R, T>>('load') count(rows: string[]) {
    return rows.length;
  }

  // @ts-expect-error -- still not a task of the class
  @Task() @DependsOn<Repository<R, T>>('lod') typo(rows: string[]) {
    return rows;
  }

  @Task() @DependsOn<Repository<R, T>>('load') first(rows: string[]): T | string {
    return rows[0] ?? this.fallback!;
  }

  names(): TaskName<Repository<R, T>>[] {
    return ['load', 'count'];
  }

  report(result: ExecutionResult<Repository<R, T>>): [number, T | string] {
    return [result.get('count'), result.get('first')];
  }
}

async function genericClasses(): Promise<void> {
  const result = await Workflow.invoke(new Repository({ find: () => ['a'] }, 0));
  expectType<number>(result.get('count'));
  assertTrue<Equals<ReturnType<typeof result.get<'first'>>, string | number>>();
  // @ts-expect-error -- a property, even of a type parameter's type, names no task
  result.get('repo');
}
void genericClasses;
