/**
 * Walking a class's prototypes: what the scanner reads tasks from, and what options read a class
 * instance's methods from (hooks and overrides given as instances); and a class's name.
 */

/** `prototype` and the prototypes it inherits from, most derived first, without `Object.prototype`. */
export function prototypeChain(prototype: object): object[] {
  const chain: object[] = [];
  for (
    let current: object | null = prototype;
    current !== null && current !== Object.prototype;
    current = Reflect.getPrototypeOf(current)
  ) {
    chain.push(current);
  }
  return chain;
}

/**
 * The prototype of `chain` (most derived first) that has `name` as an own property — where a
 * lookup on the first finds it — or `undefined`. Reads no property: no getter runs.
 */
export function ownerOf(chain: readonly object[], name: string): object | undefined {
  return chain.find((prototype) => Object.hasOwn(prototype, name));
}

/**
 * Whether `prototype` is `Object.prototype` — of this realm, or of another (a `vm` context, an
 * iframe): the prototype of an object literal.
 */
export function isPlainObjectPrototype(prototype: object): boolean {
  if (prototype === Object.prototype) return true;
  try {
    if (Object.getPrototypeOf(prototype) !== null) return false;
    const constructor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
    return (
      typeof constructor === 'function' &&
      Object.getOwnPropertyDescriptor(constructor, 'name')?.value === 'Object' &&
      Object.getOwnPropertyDescriptor(constructor, 'prototype')?.value === prototype
    );
  } catch {
    return false; // a Proxy whose traps throw: not a plain object
  }
}

/**
 * Whether `value` is a class written with `class` syntax, as a legacy class decorator receives it:
 * its `prototype` is read-only, where a `function`'s is writable (a method or an arrow function has
 * none).
 */
export function isClassConstructor(value: unknown): value is Function {
  return (
    typeof value === 'function' &&
    Object.getOwnPropertyDescriptor(value, 'prototype')?.writable === false
  );
}

/** Whether `owner` has an own property `name` that holds a function (a method, not an accessor). */
export function isOwnMethod(owner: object, name: string): boolean {
  return typeof Object.getOwnPropertyDescriptor(owner, name)?.value === 'function';
}

/**
 * The name of class `constructor` as written, `''` for an anonymous class. Its `name` property,
 * unless a static member named `name` replaced it (a `static name()` method, a getter): then the
 * name in the class's source. Never throws.
 */
export function classNameOf(constructor: Function): string {
  try {
    const name: unknown = Object.getOwnPropertyDescriptor(constructor, 'name')?.value;
    if (typeof name === 'string') return name;
    const source = Function.prototype.toString.call(constructor);
    // `class extends Base {…}` is anonymous: `extends`, a reserved word, names no class.
    return /^class\s+(?!extends[\s{(])([^\s{]+)/.exec(source)?.[1] ?? '';
  } catch {
    return '';
  }
}

/**
 * The name of the class `prototype` belongs to, `''` when unknown: that of its own `constructor`,
 * unless that is no class of this prototype (a method named `['constructor']`, say).
 */
export function classNameOfPrototype(prototype: object): string {
  const constructor = classOfPrototype(prototype);
  return constructor === undefined ? '' : classNameOf(constructor);
}

/**
 * The class whose `prototype` is `prototype`, read from its own `constructor` data property (no
 * getter runs); `undefined` when it has none that points back to it.
 */
export function classOfPrototype(prototype: object): Function | undefined {
  const constructor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  return typeof constructor === 'function' && constructor.prototype === prototype
    ? constructor
    : undefined;
}
