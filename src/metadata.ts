/**
 * Metadata keys and the typed record the decorators write. Decorators only call
 * {@link recordMember}; the scanner only calls {@link readOwnMembers}. Nothing else touches
 * reflect-metadata, so the storage format lives in this one file.
 */
import type { TaskOptions } from './types';

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
  taskOptions: TaskOptions;
  /** `@DependsOn` inputs (task names and tokens) as given — checked by the scanner. */
  dependsOn: unknown[];
  /** Number of times `@DependsOn` was applied (more than one is a definition error). */
  dependsOnDecorations: number;
  /**
   * Parameters marked `@Param()`, `@Signal()` or `@Context()`, in the order the decorators ran:
   * the parameter index and the argument slot it receives (`PARAM_SLOT`, …).
   */
  markedParameters: MarkedParameter[];
}

/** One parameter decorator's record. */
export interface MarkedParameter {
  readonly index: number;
  readonly slot: number;
}

/**
 * Returns the record for `key` on `target`, creating it (and registering it in declaration order)
 * when this is the first of our decorators to touch that member.
 */
export function recordMember(
  target: object,
  key: string | symbol | undefined,
  descriptor: PropertyDescriptor | undefined,
): MemberMetadata {
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
    member = {
      key: memberKey,
      kind: key === undefined ? 'constructor' : 'method',
      taskDecorations: 0,
      taskOptions: {},
      dependsOn: [],
      dependsOnDecorations: 0,
      markedParameters: [],
    };
    members.set(memberKey, member);
  }
  if (descriptor !== undefined) {
    member.kind = typeof descriptor.value === 'function' ? 'method' : 'accessor';
  } else if (key !== undefined) {
    // Parameter and property decorators get no descriptor: look at the prototype itself.
    member.kind = describeUndecoratedMember(target, key);
  }
  return member;
}

function describeUndecoratedMember(target: object, key: string | symbol): MemberKind {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return 'field';
  return typeof descriptor.value === 'function' ? 'method' : 'accessor';
}

/** The records our decorators left on exactly this prototype or constructor (not inherited). */
export function readOwnMembers(target: object): Iterable<MemberMetadata> {
  const members: Map<string | symbol, MemberMetadata> | undefined = Reflect.getOwnMetadata(
    METADATA_KEYS.members,
    target,
  );
  return members?.values() ?? [];
}
