/**
 * Names a port from the Python seed writes word for word where async-dag has another — on a
 * builder `tm.add_node(…)`, on a node `extract_result`, on `tm.parameterNode` (a token here, a
 * node there) `extractResult` — made hidden getters that say what to write instead.
 */

/**
 * Defines each of `names` on `target` as a hidden getter (non-enumerable, and not in the types:
 * TypeScript refuses it at compile time) that throws a `TypeError` with `message(name, self)`,
 * `self` being what it was read on. A name given a value (`DagBuilder.prototype.add_node = …`, a
 * shim) is defined where it is assigned, as it would be without the getter.
 *
 * @example
 * ```ts
 * pointSeedNames(DagNode.prototype, ['extract_result'], () => 'write node.extractResult()');
 * ```
 */
export function pointSeedNames(
  target: object,
  names: readonly string[],
  message: (name: string, self: unknown) => string,
): void {
  for (const seedName of names) {
    Object.defineProperty(target, seedName, {
      configurable: true,
      enumerable: false,
      get(this: unknown): never {
        throw new TypeError(message(seedName, this));
      },
      set(this: unknown, value: unknown): void {
        Object.defineProperty(this, seedName, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
    });
  }
}
