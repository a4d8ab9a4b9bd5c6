/**
 * State that must be one per process even when the package is loaded twice — its CommonJS and its
 * ES-module build side by side, or two bundles — so that a token, a `skip()` or a decorator record
 * made by one copy is recognised by the other. Everything here lives on `globalThis` under one
 * `Symbol.for` key, versioned so that an incompatible future layout never collides with this one.
 */

const SHARED_KEY = Symbol.for('async-dag.shared.v1');

/**
 * The process-wide object of the given `name`, made by `create` on first use by any copy of the
 * package.
 *
 * @example
 * ```ts
 * const skips = shared('skips', () => new WeakSet<object>());
 * ```
 */
export function shared<T>(name: string, create: () => T): T {
  const holder = globalThis as { [SHARED_KEY]?: Record<string, unknown> };
  const registry = (holder[SHARED_KEY] ??= Object.create(null) as Record<string, unknown>);
  if (!(name in registry)) registry[name] = create();
  return registry[name] as T;
}

/**
 * Makes `value instanceof constructor` true also for instances of the same class made by another
 * loaded copy of the package (an application that `require`s it while a dependency `import`s
 * it), so `catch (error) { if (error instanceof WorkflowExecutionError) … }` works whichever copy
 * threw. Instances carry a `Symbol.for` brand named `name`; subclasses keep the usual meaning of
 * `instanceof`.
 *
 * @example
 * ```ts
 * export class TaskTimeoutError extends Error {}
 * shareInstanceof(TaskTimeoutError, 'TaskTimeoutError');
 * ```
 */
export function shareInstanceof(
  constructor: abstract new (...args: any[]) => object,
  name: string,
) {
  const brand = brandOf(name);
  Object.defineProperty(constructor.prototype, brand, { value: true });
  Object.defineProperty(constructor, Symbol.hasInstance, {
    value(this: Function, value: unknown): boolean {
      if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
      return (
        this === constructor &&
        typeof value === 'object' &&
        value !== null &&
        (value as Record<symbol, unknown>)[brand] === true
      );
    },
  });
}

/** The `Symbol.for` brand {@link shareInstanceof} puts on the prototype of the class `name`. */
function brandOf(name: string): symbol {
  return Symbol.for(`async-dag.class.${name}`);
}

/**
 * Whether `prototype` is, or inherits from, the prototype of the class `name` of any loaded copy of
 * the package, as {@link shareInstanceof} branded it: the `instanceof` of a prototype already read,
 * which reads nothing of the instance itself (a Proxy's traps stay untouched). `false` when the
 * prototype cannot be read (a Proxy prototype whose trap throws).
 */
export function isSharedClassPrototype(prototype: object, name: string): boolean {
  try {
    return (prototype as Record<symbol, unknown>)[brandOf(name)] === true;
  } catch {
    return false;
  }
}
