/**
 * The decorators. Each one only records metadata (see `metadata.ts`); the scanner decides later,
 * on first use of the class, whether the whole definition makes sense. `@Task()` and
 * `@DependsOn()` work in both decorator modes: like Lit's and MobX's decorators, they tell a
 * legacy call `(prototype, key, descriptor)` from a standard call `(value, context)` and hand
 * both to the same kind of record.
 */
import {
  isElementDescriptor,
  isStandardDecoratorContext,
  memberName,
  recordElementDescriptorMember,
  recordMember,
  recordStandardMember,
  type MemberMetadata,
} from './metadata.js';
import { isClassConstructor } from './prototypes.js';
import { CONTEXT_SLOT, PARAM_SLOT, SIGNAL_SLOT, tokenSlot, type InputToken } from './tokens.js';
import type { TaskName, TaskOptions } from './types.js';

/**
 * What `@Task()` and `@DependsOn()` return: a method decorator for either decorator mode —
 * TypeScript's `experimentalDecorators` (as NestJS uses) and standard (TC39) decorators, the
 * default of TypeScript 5.0 and later. `T` is what the task's `fallback` returns: the decorator
 * fits only a method whose (awaited) value a `T` is. Without one (`never`), it fits any method.
 *
 * @example
 * ```ts
 * const retried: WorkflowMethodDecorator = Task({ retries: 2 });
 * class Flow { @retried load() { return 1; } }
 * ```
 */
export interface WorkflowMethodDecorator<T = never> {
  /**
   * Standard (TC39) decorators, on a method. The context's class and method types are `any`: with
   * the defaults (`unknown`), a method that declares its `this` type (`label(this: Report)`) would
   * not take the decorator. The method's type `M` is inferred, to check the fallback against it.
   */
  <M extends Function>(
    value: M,
    context: ClassMethodDecoratorContext<any, any> & FallbackFits<T, M>,
  ): void;
  /**
   * Legacy decorators (`experimentalDecorators`). The target is typed `object`, not `Object`, so
   * a class may name a task after an `Object.prototype` method with another signature
   * (`hasOwnProperty(): string`). The descriptor's type `D` is inferred as TypeScript gives it
   * (a `TypedPropertyDescriptor`, which `set` makes invariant), to check the fallback against its
   * method. Last of the two: the overload TypeScript 7 reports when a legacy call fails.
   */
  <D extends PropertyDescriptor>(
    target: object,
    key: string | symbol,
    descriptor: D & FallbackFits<T, D extends { value?: infer M } ? M : unknown>,
  ): void;
}

/**
 * Type-level only: `unknown` when the fallback's value, a `T`, fits the method `M`, and otherwise
 * {@link FallbackMismatch}, which no decorator argument has: TypeScript then names both types in
 * its error. A `T` fits a method that returns, or resolves to, a supertype of `T`, or just `void`
 * (its value is not for use; `number | void` takes a `T` of its type), and anything fits what is
 * no method (an accessor, which the scanner reports). `T` is `never` for a decorator with no
 * fallback, or none that returns (it throws or calls `skip()`): `never` fits every method, even
 * before `M` is known (TypeScript 5.0 defers the check of a method returning `this`, a type
 * parameter, and would refuse `@Task()` on it).
 */
type FallbackFits<T, M> = [T] extends [never]
  ? unknown
  : M extends (...args: any[]) => infer R
    ? [T] extends [Awaited<R>]
      ? unknown
      : IsJustVoid<Awaited<R>> extends true
        ? unknown
        : FallbackMismatch<T, Awaited<R>>
    : unknown;

/** Type-level only: whether `V` is `void` itself (not `undefined`, `never` or a union with it). */
type IsJustVoid<V> = [void] extends [V] ? ([V] extends [void] ? true : false) : false;

/**
 * Type-level only: what a `@Task({ fallback })` decorator asks of a method whose value, `Method`,
 * the fallback's value, a `Fallback`, is not. TypeScript's error reads "Property
 * 'fallbackMustReturnMethodType' is missing in type … but required in type
 * 'FallbackMismatch<0, string>'".
 */
interface FallbackMismatch<Fallback, Method> {
  fallbackMustReturnMethodType: { fallback: Fallback; method: Method };
}

/**
 * Type-level only: what a fallback may return in `@Task({ fallback })`, as the constraint of its
 * type. Any value fits (`unknown` as well); the literals listed make TypeScript keep the literal
 * an inline fallback returns, at its top level and in its objects' properties (`'standard'`,
 * `{ ok: false }`), where it would widen it to `string` or `boolean`, which a method returning
 * `'gold' | 'standard'` or a `{ ok: true; … } | { ok: false; … }` does not take: `@Task` knows
 * its options before the method, so nothing else gives the fallback a literal type to keep.
 */
// `readonly []` makes an array literal a tuple, which fits a method's tuple as well as its array.
type FallbackValue =
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- any value, `unknown` too
  '' | 0 | 0n | boolean | symbol | {} | null | undefined | void | FallbackObject | readonly [];

/** Type-level only: the objects of {@link FallbackValue}, whose properties keep their literals. */
interface FallbackObject {
  [key: string]: FallbackValue;
}

/**
 * What `@Param()`, `@Signal()` and `@Context()` return: a parameter decorator. Parameter
 * decorators exist only with `experimentalDecorators`; with standard decorators, list the tokens
 * `PARAM`, `SIGNAL` and `CONTEXT` in `@DependsOn` instead.
 *
 * @example
 * ```ts
 * const input: WorkflowParameterDecorator = Param();
 * class Flow { @Task() load(@input id: string) { return id; } }
 * ```
 */
export type WorkflowParameterDecorator = (
  target: object,
  key: string | symbol | undefined,
  index: number,
) => void;

/**
 * Marks a method as a task: a node of the class's DAG, named by the method name. The method may be
 * `async`, return a promise, or return a plain value; `@DependsOn` lists its inputs. `options`
 * ({@link TaskOptions}): `timeout`, `retries`, `retryDelay`, `retryIf`, `when`, `fallback` and
 * `priority`. A `fallback` must return (or resolve to) a value of the method's type, which its
 * value stands in for: `T` is inferred from it, literals kept (`() => 'standard'` fits a method
 * returning `'gold' | 'standard'`).
 *
 * @example
 * ```ts
 * class Checkout {
 *   @Task() @DependsOn(PARAM) user(req: CheckoutRequest) { return users.find(req.userId); }
 *   @Task({ timeout: 500, retries: 2 }) @DependsOn('user') cart(user: User) { return carts.of(user); }
 *   @Task({ fallback: () => 0 }) @DependsOn('cart') async discount(cart: Cart) { return rate(cart); }
 * }
 * ```
 */
export function Task<T extends FallbackValue = never>(
  options?: TaskOptions<T>,
  // `T` is `never` without a fallback (or with one that only throws), and a fallback returning
  // `unknown` (options typed `TaskOptions`, a shared policy) is not checked. The indexed access
  // keeps `T` inferred from the fallback alone: with standard decorators, TypeScript infers a
  // `WorkflowMethodDecorator<T>`'s `T` from the decorator's contextual type, the method.
): WorkflowMethodDecorator<unknown extends T ? never : [T][T extends unknown ? 0 : never]>;
export function Task(
  options?: unknown,
  ...decoratorCall: unknown[]
): WorkflowMethodDecorator | undefined {
  if (decoratorCall.length > 0) {
    const args = [options, ...decoratorCall];
    if (isDecoratorCall(args)) return recordUncalled('@Task', options, decoratorCall);
    // More than the options (`@Task('fetch', { retries: 2 })`): recorded for the scanner to report.
    return methodDecorator((member) => {
      member.taskDecorations += 1;
      (member.givenArguments ??= []).push({ decorator: '@Task', args });
    });
  }
  // `@Task` written on a class, or (Babel 2018-09) on a method: the returned decorator would
  // replace the class, or make Babel throw.
  if (isLoneDecoratorArgument(options)) return recordUncalled('@Task', options, []);
  return methodDecorator((member) => {
    member.taskDecorations += 1;
    // Kept as given (`undefined` when none: the scanner's fast path). The scanner reads it by
    // property access, so getters and inherited values count.
    member.taskOptions = options as TaskOptions | undefined;
  });
}

/**
 * Lists a task's inputs: the tasks it waits for — which must succeed before it starts, unless its
 * `when` option says otherwise — whose results fill the method's unmarked parameters in the listed
 * order, and the tokens `PARAM`, `SIGNAL` and `CONTEXT` in the positions that take the invocation
 * parameter, the abort signal or the task context.
 * Naming the workflow class as the type argument checks the names at compile time.
 *
 * @example
 * ```ts
 * class Report {
 *   @Task() @DependsOn(PARAM) rows(query: Query) { return db.rows(query); }
 *   @Task() @DependsOn<Report>('rows', SIGNAL) total(rows: Row[], signal: AbortSignal) {
 *     signal.throwIfAborted();
 *     return rows.length;
 *   }
 * }
 * ```
 */
export function DependsOn<W extends object = never>(
  // `& string` (which changes no name) writes the names out in a compile error, as in `get`.
  ...inputs: (([W] extends [never] ? string : TaskName<W> & string) | InputToken)[]
): WorkflowMethodDecorator;
export function DependsOn(...inputs: unknown[]): WorkflowMethodDecorator | undefined {
  if (isDecoratorCall(inputs)) return recordUncalled('@DependsOn', inputs[0], inputs.slice(1));
  return methodDecorator((member) => {
    member.dependsOnDecorations += 1;
    member.dependsOn = [...inputs];
  });
}

/**
 * Whether `value`, a decorator factory's only argument, is what a decorator call with one argument
 * gets: a legacy class decorator's `(constructor)` (options and inputs are never a class; a method
 * or a function, which a slip could list as an input, is none), or the element descriptor of
 * Babel's 2018-09 member decorators.
 */
function isLoneDecoratorArgument(value: unknown): boolean {
  return isClassConstructor(value) || isElementDescriptor(value);
}

/**
 * Whether `@DependsOn`'s inputs are a decorator call's arguments — `(value, context)`,
 * `(prototype, key, descriptor or index)` or `(constructor)` — because it was applied without being
 * called. No list of inputs looks like that: inputs are task names and tokens, never a function or
 * another object.
 */
function isDecoratorCall(inputs: readonly unknown[]): boolean {
  const [first, second, third] = inputs;
  if (inputs.length === 1) return isLoneDecoratorArgument(first);
  // Standard: the member's value (a function, an accessor's `{ get, set }`, or `undefined` for a
  // field) and a context.
  if (inputs.length === 2) {
    return (
      isStandardDecoratorContext(second) &&
      typeof first !== 'string' &&
      tokenSlot(first) === undefined
    );
  }
  if (inputs.length !== 3) return false;
  // Legacy: a prototype or a constructor, a member key (none for a constructor parameter), and a
  // method's descriptor (the target holds the method), a parameter's index, or nothing (a field).
  const target =
    typeof first === 'function' ||
    (typeof first === 'object' && first !== null && tokenSlot(first) === undefined);
  // The key is a number for a numeric literal name, from esbuild and swc.
  const key = typeof second === 'number' ? memberName(second) : second;
  if (!target || !(typeof key === 'string' || typeof key === 'symbol' || key === undefined)) {
    return false;
  }
  const holdsMember = key !== undefined && Object.hasOwn(first, key);
  if (third === undefined) return key !== undefined;
  if (typeof third === 'number') return key === undefined || holdsMember;
  return (
    typeof third === 'object' && third !== null && tokenSlot(third) === undefined && holdsMember
  );
}

/**
 * `decorator` was applied without being called (`@Task` instead of `@Task()`, which only a
 * transpiler that does not type-check lets through), so this call is the decorator call itself:
 * `(target, key, descriptor or index)` or `(value, context)`. Records the mistake on the member for
 * the scanner to report, and returns nothing, so the method stays as written.
 */
function recordUncalled(
  decorator: string,
  targetOrValue: unknown,
  [keyOrContext, descriptorOrIndex]: unknown[],
): undefined {
  const parameter = typeof descriptorOrIndex === 'number' ? descriptorOrIndex : undefined;
  const descriptor =
    typeof descriptorOrIndex === 'object' ? (descriptorOrIndex as PropertyDescriptor) : undefined;
  (memberRecord(targetOrValue, keyOrContext, descriptor).uncalled ??= []).push({
    decorator,
    parameter,
  });
  return undefined;
}

/**
 * A decorator for both modes that applies `record` to the member's record. It returns nothing, so
 * the method stays as written in either mode.
 */
function methodDecorator(record: (member: MemberMetadata) => void): WorkflowMethodDecorator {
  return (targetOrValue: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): void => {
    record(memberRecord(targetOrValue, keyOrContext, descriptor));
  };
}

/** The record of the member a decorator call of either mode is applied to. */
function memberRecord(
  targetOrValue: unknown,
  keyOrContext: unknown,
  descriptor: PropertyDescriptor | undefined,
): MemberMetadata {
  if (isStandardDecoratorContext(keyOrContext)) {
    return recordStandardMember(targetOrValue, keyOrContext);
  }
  // Babel's 2018-09 decorators: one element descriptor, recorded for the scanner to report.
  if (keyOrContext === undefined && isElementDescriptor(targetOrValue)) {
    return recordElementDescriptorMember(targetOrValue);
  }
  return recordMember(
    targetOrValue as object,
    keyOrContext as string | symbol | undefined,
    descriptor,
  );
}

/**
 * Marks the parameter that receives the value passed to `Workflow.invoke`. A parameter decorator:
 * with `experimentalDecorators` only. With standard decorators, list {@link PARAM} in
 * `@DependsOn` at that argument's position instead.
 *
 * @example
 * ```ts
 * class Greeting {
 *   @Task() hello(@Param() name: string) { return `Hello, ${name}`; }
 * }
 * await Workflow.invoke(new Greeting(), 'Ada');
 * ```
 */
export function Param(): WorkflowParameterDecorator;
export function Param(...decoratorCall: unknown[]): WorkflowParameterDecorator | undefined {
  return parameterMarker('@Param', PARAM_SLOT, decoratorCall);
}

/**
 * Marks the parameter that receives an `AbortSignal`, aborted when the run fails or is aborted, or
 * when this attempt times out. Pass it on to `fetch`, database drivers and timers. A parameter
 * decorator: with `experimentalDecorators` only. With standard decorators, list {@link SIGNAL} in
 * `@DependsOn` at that argument's position instead.
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
export function Signal(): WorkflowParameterDecorator;
export function Signal(...decoratorCall: unknown[]): WorkflowParameterDecorator | undefined {
  return parameterMarker('@Signal', SIGNAL_SLOT, decoratorCall);
}

/**
 * Marks the parameter that receives the attempt's {@link TaskContext}: its task name, attempt
 * number, signal and `progress()`. A parameter decorator: with `experimentalDecorators` only. With
 * standard decorators, list {@link CONTEXT} in `@DependsOn` at that argument's position instead.
 *
 * @example
 * ```ts
 * class Import {
 *   @Task() async rows(@Param() file: string, @Context() ctx: TaskContext) {
 *     ctx.progress({ file, done: 0 });
 *     return load(file, ctx.signal);
 *   }
 * }
 * ```
 */
export function Context(): WorkflowParameterDecorator;
export function Context(...decoratorCall: unknown[]): WorkflowParameterDecorator | undefined {
  return parameterMarker('@Context', CONTEXT_SLOT, decoratorCall);
}

/**
 * The decorator `@Param()`, `@Signal()` or `@Context()` returns; or, when the factory was applied
 * as the decorator itself (`decoratorCall` holds that call's arguments), nothing, once the slip is
 * recorded.
 */
function parameterMarker(
  decorator: string,
  slot: number,
  decoratorCall: unknown[],
): WorkflowParameterDecorator | undefined {
  if (decoratorCall.length === 0) return markParameter(slot, undefined);
  if (isDecoratorCall(decoratorCall)) {
    return recordUncalled(decorator, decoratorCall[0], decoratorCall.slice(1));
  }
  // Arguments given to the factory (`@Param('id')`, as NestJS's `@Param` takes): the marker it
  // returns records them, for the scanner to report.
  return markParameter(slot, { decorator, args: decoratorCall });
}

/**
 * The parameter decorator that marks `slot`. `givenArguments`: the factory's arguments, when it
 * was given some (it takes none), recorded on the member with the mark.
 */
function markParameter(
  slot: number,
  givenArguments: { decorator: string; args: readonly unknown[] } | undefined,
): WorkflowParameterDecorator {
  const recordArguments = (member: MemberMetadata, parameter: number | undefined) => {
    if (givenArguments !== undefined) {
      (member.givenArguments ??= []).push({ ...givenArguments, parameter });
    }
  };
  return (target, key, index: unknown) => {
    if (isStandardDecoratorContext(key)) {
      // Applied to a member by a standard decorator call: recorded so the scanner can explain.
      const member = recordStandardMember(target, key);
      (member.misplacedMarkers ??= []).push(slot);
      recordArguments(member, undefined);
      return;
    }
    if (index === undefined || (typeof index === 'object' && index !== null)) {
      // A legacy call on a member or a class, not a parameter: its third argument is the method's
      // or accessor's descriptor, or nothing (a field, a class). Recorded as a standard call's is,
      // so both modes explain it alike.
      const descriptor = index as PropertyDescriptor | undefined;
      const member = recordMember(target, key, descriptor);
      (member.misplacedMarkers ??= []).push(slot);
      recordArguments(member, undefined);
      return;
    }
    const member = recordMember(target, key, undefined);
    member.markedParameters.push({ index: index as number, slot });
    recordArguments(member, index as number);
  };
}
