/**
 * The decorators. Each one only records metadata (see `metadata.ts`); the scanner decides later,
 * on first use of the class, whether the whole definition makes sense. `@Task()` and
 * `@DependsOn()` work in both decorator modes: like Lit's and MobX's decorators, they tell a
 * legacy call `(prototype, key, descriptor)` from a standard call `(value, context)` and hand
 * both to the same kind of record.
 */
import {
  isStandardDecoratorContext,
  memberName,
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
 * default of TypeScript 5.0 and later.
 *
 * @example
 * ```ts
 * const retried: WorkflowMethodDecorator = Task({ retries: 2 });
 * class Flow { @retried load() { return 1; } }
 * ```
 */
export interface WorkflowMethodDecorator {
  /**
   * Legacy decorators (`experimentalDecorators`). The target is typed `object`, not `Object`, so
   * a class may name a task after an `Object.prototype` method with another signature
   * (`hasOwnProperty(): string`).
   */
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): void;
  /**
   * Standard (TC39) decorators, on a method. The context's class and method types are `any`: with
   * the defaults (`unknown`), a method that declares its `this` type (`label(this: Report)`) would
   * not take the decorator.
   */
  (value: Function, context: ClassMethodDecoratorContext<any, any>): void;
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
 * `async`, return a promise, or return a plain value.
 *
 * @example
 * ```ts
 * class Checkout {
 *   @Task() @DependsOn(PARAM) user(req: Req) { return users.find(req.userId); }
 *   @Task({ timeout: 500, retries: 2 }) @DependsOn('user') cart(user: User) { … }
 * }
 * ```
 */
export function Task(options?: TaskOptions): WorkflowMethodDecorator;
export function Task(
  options?: unknown,
  ...decoratorCall: unknown[]
): WorkflowMethodDecorator | undefined {
  if (decoratorCall.length > 0) return recordUncalled('@Task', options, decoratorCall);
  // A legacy class decorator call, `(constructor)`: `@Task` written on a class. Options are never
  // a class, and the method decorator returned would replace it.
  if (isClassConstructor(options)) return recordUncalled('@Task', options, []);
  return methodDecorator((member) => {
    member.taskDecorations += 1;
    // Kept as given (`undefined` when none: the scanner's fast path). The scanner reads it by
    // property access, so getters and inherited values count.
    member.taskOptions = options as TaskOptions | undefined;
  });
}

/**
 * Lists a task's inputs: the tasks that must succeed before it starts, whose results fill the
 * method's unmarked parameters in the listed order, and the tokens `PARAM`, `SIGNAL` and `CONTEXT`
 * in the positions that take the invocation parameter, the abort signal or the task context.
 * Naming the workflow class as the type argument checks the names at compile time.
 *
 * @example
 * ```ts
 * class Report {
 *   @Task() @DependsOn(PARAM) rows(query: Query) { return db.rows(query); }
 *   @Task() @DependsOn<Report>('rows', SIGNAL) total(rows: Row[], signal: AbortSignal) { … }
 * }
 * ```
 */
export function DependsOn<W extends object = never>(
  ...inputs: (([W] extends [never] ? string : TaskName<W>) | InputToken)[]
): WorkflowMethodDecorator;
export function DependsOn(...inputs: unknown[]): WorkflowMethodDecorator | undefined {
  if (isDecoratorCall(inputs)) return recordUncalled('@DependsOn', inputs[0], inputs.slice(1));
  return methodDecorator((member) => {
    member.dependsOnDecorations += 1;
    member.dependsOn = [...inputs];
  });
}

/**
 * Whether `@DependsOn`'s inputs are a decorator call's arguments — `(value, context)`,
 * `(prototype, key, descriptor or index)` or `(constructor)` — because it was applied without being
 * called. No list of inputs looks like that: inputs are task names and tokens, never a function or
 * another object.
 */
function isDecoratorCall(inputs: readonly unknown[]): boolean {
  const [first, second, third] = inputs;
  // A legacy class decorator call: `(constructor)`. A method or a function, which a slip could list
  // as an input, is no class.
  if (inputs.length === 1) return isClassConstructor(first);
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
  return isStandardDecoratorContext(keyOrContext)
    ? recordStandardMember(targetOrValue, keyOrContext)
    : recordMember(
        targetOrValue as object,
        keyOrContext as string | symbol | undefined,
        descriptor,
      );
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
export function Param(): WorkflowParameterDecorator;
export function Param(...decoratorCall: unknown[]): WorkflowParameterDecorator | undefined {
  return parameterMarker('@Param', PARAM_SLOT, decoratorCall);
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
export function Signal(): WorkflowParameterDecorator;
export function Signal(...decoratorCall: unknown[]): WorkflowParameterDecorator | undefined {
  return parameterMarker('@Signal', SIGNAL_SLOT, decoratorCall);
}

/**
 * Marks the parameter that receives the attempt's {@link TaskContext}: its task name, attempt
 * number, signal and `progress()`. The parameter-decorator form of the `CONTEXT` token.
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
  if (decoratorCall.length > 0) {
    return recordUncalled(decorator, decoratorCall[0], decoratorCall.slice(1));
  }
  return markParameter(slot);
}

function markParameter(slot: number): WorkflowParameterDecorator {
  return (target, key, index: unknown) => {
    if (isStandardDecoratorContext(key)) {
      // Applied to a member by a standard decorator call: recorded so the scanner can explain.
      const member = recordStandardMember(target, key);
      (member.misplacedMarkers ??= []).push(slot);
      return;
    }
    if (index === undefined || (typeof index === 'object' && index !== null)) {
      // A legacy call on a member or a class, not a parameter: its third argument is the method's
      // or accessor's descriptor, or nothing (a field, a class). Recorded as a standard call's is,
      // so both modes explain it alike.
      const descriptor = index as PropertyDescriptor | undefined;
      (recordMember(target, key, descriptor).misplacedMarkers ??= []).push(slot);
      return;
    }
    recordMember(target, key, undefined).markedParameters.push({ index: index as number, slot });
  };
}
