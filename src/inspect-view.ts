/**
 * What `console.log` and Node's `util.inspect` show for the objects of this package that hold a
 * run or a DAG (a result, a stream, a builder, a node): a small view of what they are, as their `toJSON()`
 * gives it, not their inner arrays and plan — nor the constant arguments of every node, an API
 * key among them. Node, Bun and Deno call the method by `Symbol.for('nodejs.util.inspect.custom')`
 * with the `inspect` function to use, so no `node:` module is imported.
 */

/** The `inspect` Node passes to a custom inspection method. */
export type InspectFunction = (value: unknown, options: object) => string;

/**
 * What a custom inspection method returns for an object of `kind` shown as `view`: `Kind { … }`,
 * `[Kind]` when there is no depth left, the bare view where no `inspect` is passed.
 *
 * @example
 * ```ts
 * class DagNode {
 *   readonly name = 'total';
 *   [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: object, inspect?: InspectFunction) {
 *     return inspectView('DagNode', { name: this.name }, depth, options, inspect);
 *   }
 * }
 * ```
 */
export function inspectView(
  kind: string,
  view: object,
  depth: number,
  options: { depth?: number | null },
  inspect: InspectFunction | undefined,
): unknown {
  if (depth < 0) return `[${kind}]`;
  if (typeof inspect !== 'function') return view;
  // `depth` is what is left of the depth asked for at this level (`options.depth` is the whole
  // call's): the view opens as many levels as it would in the object's place.
  return `${kind} ${inspect(view, { ...options, depth })}`;
}
