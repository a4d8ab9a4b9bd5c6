/**
 * Walking a class's prototypes: what the scanner reads tasks from, and what options read a class
 * instance's methods from (hooks and overrides given as instances).
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

/** Whether `owner` has an own property `name` that holds a function (a method, not an accessor). */
export function isOwnMethod(owner: object, name: string): boolean {
  return typeof Object.getOwnPropertyDescriptor(owner, name)?.value === 'function';
}
