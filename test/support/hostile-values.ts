/**
 * Values a library cannot safely print or inspect: thrown by tasks, given as abort reasons,
 * returned by hooks. Each one breaks a naive `String(x)`, `JSON.stringify(x)`, `x instanceof Error`
 * or `x.message` — the library must carry them through untouched and still end the run cleanly.
 */

/** An object with no prototype that refers to itself: no `toString`, and `JSON.stringify` throws. */
export function selfReferentialBareObject(): object {
  const bare: Record<string, unknown> = Object.create(null);
  bare.self = bare;
  return bare;
}

/** A Proxy whose every trap throws, so even `instanceof` and `typeof x.then` throw. */
export function proxyThatThrowsOnEveryTrap(): object {
  const refuse = () => {
    throw new Error('trap refused');
  };
  return new Proxy(
    {},
    {
      get: refuse,
      has: refuse,
      ownKeys: refuse,
      getOwnPropertyDescriptor: refuse,
      getPrototypeOf: refuse,
      set: refuse,
      defineProperty: refuse,
      deleteProperty: refuse,
      isExtensible: refuse,
      preventExtensions: refuse,
      setPrototypeOf: refuse,
      apply: refuse,
      construct: refuse,
    },
  );
}

/** A revoked Proxy: every operation on it, `instanceof` included, throws a TypeError. */
export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An `Error` whose `message` getter throws. */
export function errorWithThrowingMessage(): Error {
  const error = new Error('hidden');
  Object.defineProperty(error, 'message', {
    get() {
      throw new Error('the message getter refused');
    },
  });
  return error;
}

/** An object whose conversion to a primitive throws. */
export function unprintableObject(): object {
  return {
    [Symbol.toPrimitive]() {
      throw new Error('no primitive');
    },
    toJSON() {
      throw new Error('no JSON');
    },
  };
}

/** Every hostile value above, plus primitives that `JSON.stringify` cannot handle, by label. */
export function hostileValues(): [label: string, value: unknown][] {
  return [
    ['a self-referential object with no prototype', selfReferentialBareObject()],
    ['a Proxy that throws on every trap', proxyThatThrowsOnEveryTrap()],
    ['a revoked Proxy', revokedProxy()],
    ['an Error whose message getter throws', errorWithThrowingMessage()],
    ['an object whose toPrimitive and toJSON throw', unprintableObject()],
    ['a symbol', Symbol('thrown')],
    ['a bigint', 10n ** 30n],
  ];
}
