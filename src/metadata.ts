/**
 * Metadata keys and the typed record the decorators write, in both decorator modes. Decorators only
 * call {@link recordMember} (legacy) or {@link recordStandardMember} (standard); the scanner only
 * calls {@link readOwnMembers} and {@link readOwnStaticMembers}. Nothing else touches
 * reflect-metadata or the standard-mode records, so the storage format lives in this one file.
 *
 * - Legacy decorators (`experimentalDecorators`, as NestJS uses) get the prototype and the member
 *   key: records go into reflect-metadata under {@link METADATA_KEYS}, per prototype (or per
 *   constructor, for statics).
 * - Standard (TC39) decorators get the member's value and a context, never the class. Records go
 *   into a process-wide `WeakMap` keyed by the decorated function — the scanner finds them by
 *   looking up the functions on the prototype, which works on every toolchain, TypeScript 5.0 and
 *   5.1 included — and, where the toolchain passes `context.metadata`, also under the class's
 *   metadata object, which is how fields, accessors, statics and `#private` members, which have
 *   no function on the prototype, are found and reported.
 */
import { shared } from './shared.js';
import type { TaskOptions } from './types.js';

/** Every key is prefixed so it can never collide with `design:*` or a DI container's keys. */
export const METADATA_KEYS = {
  /**
   * Own `Map` of member key → {@link MemberMetadata} on a prototype (or a constructor, for
   * statics), in declaration order.
   */
  members: 'async-dag:members',
} as const;

/** What kind of class member a decorator was applied to, as far as the decorator could tell. */
export type MemberKind = 'method' | 'accessor' | 'field' | 'constructor';

/**
 * Everything our decorators recorded about one member of one class. The record is created by
 * whichever of our decorators runs first on the member, so decorator order never matters.
 */
export interface MemberMetadata {
  readonly key: string | symbol;
  kind: MemberKind;
  /** Number of times `@Task()` was applied (more than one is a definition error). */
  taskDecorations: number;
  /** `@Task(options)`'s options as given; `undefined` when none were given. */
  taskOptions: TaskOptions | undefined;
  /** `@DependsOn` inputs (task names and tokens) as given — checked by the scanner. */
  dependsOn: unknown[];
  /** Number of times `@DependsOn` was applied (more than one is a definition error). */
  dependsOnDecorations: number;
  /**
   * Parameters marked `@Param()`, `@Signal()` or `@Context()`, in the order the decorators ran:
   * the parameter index and the argument slot it receives (`PARAM_SLOT`, …).
   */
  markedParameters: MarkedParameter[];
  /** Standard decorators only: the member's place among every standard-decorated member. */
  readonly order?: number;
  /** Standard decorators only: a static member (legacy statics are recorded on the constructor). */
  readonly isStatic?: boolean;
  /** Standard decorators only: a `#private` member. */
  readonly isPrivate?: boolean;
  /**
   * The slots of parameter decorators (`@Param()`, …) applied to the member itself, not to one of
   * its parameters: all a standard decorator call can do, and what a legacy call as a method,
   * accessor, property or class decorator does.
   */
  misplacedMarkers?: number[];
  /**
   * Our decorators applied without being called (`@Task` for `@Task()`; only transpilers that do
   * not type-check let it through): the decorator as written, and for a parameter decorator, the
   * parameter's index.
   */
  uncalled?: { readonly decorator: string; readonly parameter?: number | undefined }[];
  /**
   * Decorators given arguments they do not take (`@Param('id')`, as NestJS writes it, or
   * `@Task('fetch', {…})`; only transpilers that do not type-check let it through): the decorator
   * (`@Param`), the arguments, and the parameter's index when it was applied to one.
   */
  givenArguments?: {
    readonly decorator: string;
    readonly args: readonly unknown[];
    readonly parameter?: number | undefined;
  }[];
  /**
   * Applied by Babel's decorators plugin with `version: "2018-09"` (see
   * {@link isElementDescriptor}), which async-dag does not support: the scanner reports it.
   */
  elementDescriptorCall?: true;
}

/** One parameter decorator's record. */
export interface MarkedParameter {
  readonly index: number;
  readonly slot: number;
}

function newMember(key: string | symbol, kind: MemberKind): MemberMetadata {
  return {
    key,
    kind,
    taskDecorations: 0,
    taskOptions: undefined,
    dependsOn: [],
    dependsOnDecorations: 0,
    markedParameters: [],
  };
}

/**
 * A member's name as the class holds it: a string or a symbol. esbuild (so tsx, vitest and Bun)
 * and swc give a numeric literal name (`2() {…}`) as the number `2` — a legacy call's key, a
 * standard call's `context.name` — where tsc gives the string `"2"`; recorded as given, the task
 * would be named by a number that `@DependsOn('2')`, overrides and the prototype's keys never
 * match.
 */
export function memberName(name: string | symbol | number): string | symbol {
  return typeof name === 'number' ? String(name) : name;
}

/**
 * Legacy decorators: returns the record of the member `decoratedKey` names on `target`, creating
 * it (and registering it in declaration order) when this is the first of our decorators to touch
 * that member.
 */
export function recordMember(
  target: object,
  decoratedKey: string | symbol | number | undefined,
  descriptor: PropertyDescriptor | undefined,
): MemberMetadata {
  const key = decoratedKey === undefined ? undefined : memberName(decoratedKey);
  let members: Map<string | symbol, MemberMetadata> | undefined = Reflect.getOwnMetadata(
    METADATA_KEYS.members,
    target,
  );
  if (members === undefined) {
    members = new Map();
    Reflect.defineMetadata(METADATA_KEYS.members, members, target);
  }
  const memberKey = key ?? 'constructor';
  let member = members.get(memberKey);
  if (member === undefined) {
    member =
      (key !== undefined ? standardRecordOf(target, key) : undefined) ??
      newMember(memberKey, key === undefined ? 'constructor' : 'method');
    members.set(memberKey, member);
  }
  if (key !== undefined && typeof descriptor?.value === 'function') {
    legacyDeclarers.set(descriptor.value as Function, target);
  }
  if (key !== undefined) {
    // The member as the class declares it. While legacy decorators run, the prototype still
    // holds it, whatever descriptor a decorator applied earlier handed on (`@autobind` below
    // `@Task()` hands on a getter); and a descriptor that still holds a function is a method,
    // whatever a decorator did to the prototype. Parameter and property decorators get none.
    member.kind =
      typeof descriptor?.value === 'function' ? 'method' : describeUndecoratedMember(target, key);
  }
  return member;
}

/**
 * Legacy decorators: each decorated method → the prototype whose records hold it. Read only to
 * explain a class with no tasks whose methods were copied from a decorated class.
 */
const legacyDeclarers = shared('legacy decorated methods', () => new WeakMap<Function, object>());

/**
 * The methods of `prototype` that are `@Task()` methods of another class, copied onto it (the
 * TypeScript handbook's `applyMixins`), each with the prototype that declared it: with legacy
 * decorators, their records stay there, so they are no tasks of `prototype`'s class.
 */
export function copiedLegacyTasks(prototype: object): { key: string; declarer: object }[] {
  const copied: { key: string; declarer: object }[] = [];
  for (const key of Object.getOwnPropertyNames(prototype)) {
    const value: unknown = Object.getOwnPropertyDescriptor(prototype, key)?.value;
    const declarer = typeof value === 'function' ? legacyDeclarers.get(value) : undefined;
    if (declarer === undefined) continue;
    // One look-up in the declarer's records, not a scan of them: a class may copy thousands.
    const members: Map<string | symbol, MemberMetadata> | undefined = Reflect.getOwnMetadata(
      METADATA_KEYS.members,
      declarer,
    );
    if ((members?.get(key)?.taskDecorations ?? 0) > 0) copied.push({ key, declarer });
  }
  return copied;
}

/**
 * The record standard decorators made for the member `key` of `target`, if any: a legacy call on
 * a member of a class compiled with standard decorators (`Reflect.decorate`, or code that calls the
 * decorators to register tasks) adds to that record, so both modes' decorators on one member count
 * together, as one mode's do.
 */
function standardRecordOf(target: object, key: string | symbol): MemberMetadata | undefined {
  if (standardRecords.recorded === 0) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  const isStatic = typeof target === 'function';
  for (const candidate of [descriptor?.value, descriptor?.get, descriptor?.set]) {
    if (typeof candidate !== 'function') continue;
    const member = standardRecords.byFunction.get(candidate);
    if (member?.key === key && member.isStatic === isStatic) return member;
  }
  return undefined;
}

function describeUndecoratedMember(target: object, key: string | symbol): MemberKind {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return 'field';
  if (!('value' in descriptor)) return 'accessor';
  return typeof descriptor.value === 'function' ? 'method' : 'field';
}

function ownLegacyMembers(target: object): MemberMetadata[] {
  const members: Map<string | symbol, MemberMetadata> | undefined = Reflect.getOwnMetadata(
    METADATA_KEYS.members,
    target,
  );
  return members === undefined ? [] : [...members.values()];
}

/**
 * The second argument of a standard (TC39) decorator call: only the fields we read. A legacy
 * call's second argument is a property key or `undefined`, never an object.
 */
export interface StandardDecoratorContext {
  readonly kind: string;
  /** A number for a numeric literal name, from esbuild and swc (see {@link memberName}). */
  readonly name?: string | symbol | number;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: unknown;
}

/** Whether a decorator's second argument is a standard decorator's context. */
export function isStandardDecoratorContext(value: unknown): value is StandardDecoratorContext {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** The records standard decorators made for one class, found through its metadata object. */
interface ClassRecords {
  readonly instance: Map<string | symbol, MemberMetadata>;
  readonly static: Map<string | symbol, MemberMetadata>;
}

/** Shared by every loaded copy of the package, so a class decorated by one is read by the other. */
const standardRecords = shared('standard decorator records', () => ({
  /** Decorated function (method, getter, setter, class) → its member's record. */
  byFunction: new WeakMap<Function, MemberMetadata>(),
  /** A class's `context.metadata` object → the records of its members. */
  byClassMetadata: new WeakMap<object, ClassRecords>(),
  /** How many members standard decorators have recorded: the next member's `order`. */
  recorded: 0,
}));

/**
 * TypeScript 5.2+ and other compilers pass `context.metadata` only when `Symbol.metadata` exists
 * when the class is defined; Node.js and most browsers do not define it yet. Defined here, on
 * import, before any decorated class, with the key esbuild, swc and Bun fall back to — never
 * replacing a native one (Deno has it).
 */
function provideSymbolMetadata(): void {
  if (typeof (Symbol as { metadata?: unknown }).metadata === 'symbol') return;
  try {
    Object.defineProperty(Symbol, 'metadata', {
      value: Symbol.for('Symbol.metadata'),
      writable: true,
      configurable: true,
    });
  } catch {
    // A frozen `Symbol` (a hardened realm): members are still found through their functions.
  }
}
provideSymbolMetadata();

/**
 * Standard decorators: returns the record of the member `context` describes, creating it when
 * this is the first of our decorators to touch that member. `value` is what the decorator got:
 * the method, getter or setter, `{ get, set }` for an auto-accessor, the class, or `undefined`
 * for a field.
 */
export function recordStandardMember(
  value: unknown,
  context: StandardDecoratorContext,
): MemberMetadata {
  const isClass = context.kind === 'class';
  const key = isClass || context.name === undefined ? 'constructor' : memberName(context.name);
  const isStatic = isClass || context.static === true;
  const functions = decoratedFunctions(value);
  const classRecords = recordsOfClassMetadata(context.metadata);
  const sameClassMembers = classRecords && (isStatic ? classRecords.static : classRecords.instance);
  let member = sameClassMembers?.get(key);
  for (const decorated of functions) member ??= standardRecords.byFunction.get(decorated);
  if (member === undefined) {
    member = {
      ...newMember(key, standardKind(context.kind)),
      order: standardRecords.recorded++,
      isStatic,
      isPrivate: context.private === true,
    };
  }
  sameClassMembers?.set(key, member);
  for (const decorated of functions) standardRecords.byFunction.set(decorated, member);
  return member;
}

/** What Babel's 2018-09 decorators pass a member decorator: see {@link isElementDescriptor}. */
export interface ElementDescriptor {
  readonly kind: string;
  readonly key: string | symbol | number;
  readonly placement: string;
  readonly descriptor: PropertyDescriptor;
}

/**
 * Whether a decorator's only argument is an element descriptor, `{ kind, key, placement,
 * descriptor }`: how Babel's decorators plugin calls decorators with `version: "2018-09"` (its
 * default in Babel 7 when no version is set), an early proposal that is neither TypeScript's
 * legacy decorators nor the standard.
 */
export function isElementDescriptor(value: unknown): value is ElementDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  // The value may be anything given to a decorator factory (a Proxy whose traps throw, say): one
  // that cannot be read is no element descriptor, and the factory reports it as it did before.
  try {
    const { kind, placement, descriptor } = value as Partial<Record<string, unknown>>;
    return (
      typeof kind === 'string' &&
      typeof placement === 'string' &&
      typeof descriptor === 'object' &&
      descriptor !== null
    );
  } catch {
    return false;
  }
}

/**
 * Babel's 2018-09 decorators: records the member `element` describes as a standard decorator
 * without `context.metadata` would, so the scanner finds it through its function, marked for the
 * scanner to report that this decorator version is not supported (the class has no other way to
 * say so: it would have no tasks).
 */
export function recordElementDescriptorMember(element: ElementDescriptor): MemberMetadata {
  const { kind, key, placement, descriptor } = element;
  const accessor = descriptor.get !== undefined || descriptor.set !== undefined;
  const member = recordStandardMember(
    accessor ? { get: descriptor.get, set: descriptor.set } : descriptor.value,
    { kind: accessor ? 'getter' : kind, name: key, static: placement === 'static' },
  );
  member.elementDescriptorCall = true;
  return member;
}

function standardKind(kind: string): MemberKind {
  if (kind === 'method') return 'method';
  if (kind === 'field') return 'field';
  if (kind === 'class') return 'constructor';
  return 'accessor'; // getter, setter, accessor
}

/** The functions a standard decorator's `value` puts on the class: one, two for an auto-accessor. */
function decoratedFunctions(value: unknown): Function[] {
  if (typeof value === 'function') return [value];
  if (typeof value !== 'object' || value === null) return [];
  const { get, set } = value as { get?: unknown; set?: unknown };
  return [get, set].filter((accessor): accessor is Function => typeof accessor === 'function');
}

function recordsOfClassMetadata(metadata: unknown): ClassRecords | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  let records = standardRecords.byClassMetadata.get(metadata);
  if (records === undefined) {
    records = { instance: new Map(), static: new Map() };
    standardRecords.byClassMetadata.set(metadata, records);
  }
  return records;
}

/** The records standard decorators left under `constructor`'s own `Symbol.metadata` object. */
function ownClassRecords(constructor: unknown): ClassRecords | undefined {
  if (typeof constructor !== 'function') return undefined;
  const keys = new Set([
    (Symbol as { metadata?: unknown }).metadata,
    Symbol.for('Symbol.metadata'),
  ]);
  for (const key of keys) {
    // No `Symbol.metadata` where `Symbol` is frozen (see provideSymbolMetadata).
    if (typeof key !== 'symbol') continue;
    const metadata: unknown = Object.getOwnPropertyDescriptor(constructor, key)?.value;
    const records =
      typeof metadata === 'object' && metadata !== null
        ? standardRecords.byClassMetadata.get(metadata)
        : undefined;
    if (records !== undefined) return records;
  }
  return undefined;
}

/**
 * Standard-decorator records of `holder`'s own members (a prototype, or a constructor for
 * statics), in declaration order: those under its class's metadata, and those of the functions it
 * holds (the only way on TypeScript 5.0 and 5.1, which pass no `context.metadata`).
 */
function ownStandardMembers(
  holder: object,
  fromClassMetadata: ReadonlyMap<string | symbol, MemberMetadata> | undefined,
  isStatic: boolean,
): MemberMetadata[] {
  if (standardRecords.recorded === 0) return [];
  const found = new Set(fromClassMetadata?.values());
  for (const key of Reflect.ownKeys(holder)) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, key);
    for (const candidate of [descriptor?.value, descriptor?.get, descriptor?.set]) {
      if (typeof candidate !== 'function') continue;
      const member = standardRecords.byFunction.get(candidate);
      if (member?.key === key && member.isStatic === isStatic) found.add(member);
    }
  }
  return [...found].sort((a, b) => a.order! - b.order!);
}

/**
 * The records our decorators left for exactly this prototype's members (not inherited), in
 * declaration order.
 */
export function readOwnMembers(prototype: object): MemberMetadata[] {
  const constructor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  const legacy = ownLegacyMembers(prototype);
  const standard = ownStandardMembers(prototype, ownClassRecords(constructor)?.instance, false);
  // Usually one of the two is empty: no copy of a class's (maybe huge) member list then.
  if (standard.length === 0) return legacy;
  if (legacy.length === 0) return standard;
  // Both modes on one class: a class compiled with standard decorators that decorators were called
  // on later. Its standard members come first, as they were recorded first; a legacy call on one
  // of them added to its record (see standardRecordOf), so one record per member.
  const byKey = new Map<string | symbol, MemberMetadata>();
  for (const member of [...standard, ...legacy]) {
    if (!byKey.has(member.key)) byKey.set(member.key, member);
  }
  return [...byKey.values()];
}

/**
 * The records our decorators left on a class itself: its static members, its constructor's
 * parameters, or the class (a method decorator applied to a class).
 */
export function readOwnStaticMembers(constructor: Function): MemberMetadata[] {
  const members = [
    ...ownLegacyMembers(constructor),
    ...ownStandardMembers(constructor, ownClassRecords(constructor)?.static, true),
  ];
  const onClass = standardRecords.byFunction.get(constructor);
  if (onClass?.kind === 'constructor' && !members.includes(onClass)) members.push(onClass);
  return members;
}
