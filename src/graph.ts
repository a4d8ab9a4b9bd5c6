/**
 * Pure graph algorithms over index arrays. Tasks are numbered 0..n-1 in declaration order; every
 * function here is iterative (explicit queues and stacks), so a 100,000-task chain never grows the
 * call stack.
 */

/**
 * Adjacency in compressed sparse row form: the neighbours of node `i` are
 * `list[start[i]]` … `list[start[i + 1] - 1]`.
 */
export interface Adjacency {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

/** Packs per-node neighbour lists into one {@link Adjacency}. */
export function adjacencyFromLists(lists: readonly (readonly number[])[]): Adjacency {
  const start = new Int32Array(lists.length + 1);
  for (let node = 0; node < lists.length; node++)
    start[node + 1] = start[node] + lists[node].length;
  const list = new Int32Array(start[lists.length]);
  for (let node = 0; node < lists.length; node++) list.set(lists[node], start[node]);
  return { start, list };
}

/** The same edges pointing the other way; each node's neighbours come out in ascending order. */
export function reverseAdjacency(adjacency: Adjacency): Adjacency {
  const nodeCount = adjacency.start.length - 1;
  const start = new Int32Array(nodeCount + 1);
  for (let edge = 0; edge < adjacency.list.length; edge++) start[adjacency.list[edge] + 1]++;
  for (let node = 0; node < nodeCount; node++) start[node + 1] += start[node];
  const fill = start.slice(0, nodeCount);
  const list = new Int32Array(adjacency.list.length);
  for (let node = 0; node < nodeCount; node++) {
    for (let edge = adjacency.start[node]; edge < adjacency.start[node + 1]; edge++) {
      list[fill[adjacency.list[edge]]++] = node;
    }
  }
  return { start, list };
}

/**
 * Kahn's algorithm. `dependencies` points from a node to what it waits for. Returns the nodes in an
 * order where each comes after its dependencies — ready nodes in ascending index order — or
 * `undefined` when the graph has a cycle.
 */
export function topologicalOrder(
  dependencies: Adjacency,
  dependents: Adjacency,
): Int32Array | undefined {
  const nodeCount = dependencies.start.length - 1;
  const waitingFor = new Int32Array(nodeCount);
  const order = new Int32Array(nodeCount);
  let tail = 0;
  for (let node = 0; node < nodeCount; node++) {
    waitingFor[node] = dependencies.start[node + 1] - dependencies.start[node];
    if (waitingFor[node] === 0) order[tail++] = node;
  }
  for (let head = 0; head < tail; head++) {
    const node = order[head];
    for (let edge = dependents.start[node]; edge < dependents.start[node + 1]; edge++) {
      const dependent = dependents.list[edge];
      if (--waitingFor[dependent] === 0) order[tail++] = dependent;
    }
  }
  return tail === nodeCount ? order : undefined;
}

/**
 * Finds a shortest cycle, as node indexes in execution order with the first node repeated at the
 * end (`[a, b, c, a]`: b depends on a, c on b, a on c). Returns `undefined` for an acyclic graph.
 * The answer is stable: of the shortest cycles, the one through the lowest-numbered node, written
 * from its lowest-numbered node. The shortest is the one to show: any of its few links is a fix,
 * where a depth-first search may report a long detour through a two-task loop.
 *
 * Only an invalid definition gets here. A breadth-first search from each node that can be on a
 * cycle, shortest first, each node dropped once searched (a shorter cycle through it would have
 * been found), and the nodes that drop leaves with no cycle through them trimmed at once; so a
 * 200,000-task ring costs one search. When the searches have visited {@link MOST_CYCLE_EDGES}
 * edges, the shortest cycle found so far is the answer.
 */
export function findCycle(dependencies: Adjacency): number[] | undefined {
  const nodeCount = dependencies.start.length - 1;
  const dependents = reverseAdjacency(dependencies);
  // How many dependencies and dependents each node still has among the nodes that may be on a
  // cycle; a node without one of either is on none.
  const waitsFor = new Int32Array(nodeCount);
  const waitedOnBy = new Int32Array(nodeCount);
  const gone = new Uint8Array(nodeCount);
  const toTrim: number[] = [];
  for (let node = 0; node < nodeCount; node++) {
    waitsFor[node] = dependencies.start[node + 1] - dependencies.start[node];
    waitedOnBy[node] = dependents.start[node + 1] - dependents.start[node];
    if (waitsFor[node] === 0 || waitedOnBy[node] === 0) toTrim.push(node);
  }
  const trim = () => {
    while (toTrim.length > 0) {
      const node = toTrim.pop()!;
      if (gone[node] === 1) continue;
      gone[node] = 1;
      for (let edge = dependencies.start[node]; edge < dependencies.start[node + 1]; edge++) {
        const dependency = dependencies.list[edge];
        if (gone[dependency] === 0 && --waitedOnBy[dependency] === 0) toTrim.push(dependency);
      }
      for (let edge = dependents.start[node]; edge < dependents.start[node + 1]; edge++) {
        const dependent = dependents.list[edge];
        if (gone[dependent] === 0 && --waitsFor[dependent] === 0) toTrim.push(dependent);
      }
    }
  };
  trim();
  let best: number[] | undefined;
  // Per search: the node each reached node was reached from (-1: not reached), and the queue.
  const reachedFrom = new Int32Array(nodeCount).fill(-1);
  const queue = new Int32Array(nodeCount);
  let visited = 0;
  for (let source = 0; source < nodeCount && visited < MOST_CYCLE_EDGES; source++) {
    if (gone[source] === 1) continue;
    let tail = 0;
    queue[tail++] = source;
    reachedFrom[source] = source;
    // Nodes at `depth` edges from the source lie in queue[levelStart, levelEnd).
    let closing = -1;
    for (let head = 0, depth = 0, levelEnd = 1; head < tail && closing < 0; depth++) {
      // A cycle found now would be no shorter than the best one.
      if (best !== undefined && depth + 1 >= best.length - 1) break;
      for (; head < levelEnd && closing < 0; head++) {
        const node = queue[head];
        for (let edge = dependencies.start[node]; edge < dependencies.start[node + 1]; edge++) {
          visited++;
          const dependency = dependencies.list[edge];
          if (dependency === source) {
            closing = node;
            break;
          }
          if (gone[dependency] === 1 || reachedFrom[dependency] !== -1) continue;
          reachedFrom[dependency] = node;
          queue[tail++] = dependency;
        }
      }
      levelEnd = tail;
    }
    if (closing >= 0) {
      // source waits for … waits for `closing`, which waits for source: reversed, execution order.
      const cycle: number[] = [];
      for (let node = closing; node !== source; node = reachedFrom[node]) cycle.push(node);
      cycle.push(source);
      best = startAtLowest(cycle);
    }
    for (let index = 0; index < tail; index++) reachedFrom[queue[index]] = -1;
    toTrim.push(source);
    trim();
  }
  return best ?? firstCycle(dependencies);
}

/**
 * How many edges {@link findCycle}'s searches visit at most before it settles for the shortest
 * cycle found so far: a few tenths of a second.
 */
const MOST_CYCLE_EDGES = 20_000_000;

/**
 * The first cycle a depth-first search finds from the lowest-numbered nodes, written from its
 * lowest-numbered node: what {@link findCycle} answers when its budget ran out before its searches
 * found one.
 */
function firstCycle(dependencies: Adjacency): number[] | undefined {
  const nodeCount = dependencies.start.length - 1;
  // 0 = unvisited, 1 = on the current path, 2 = finished (no cycle through it).
  const state = new Uint8Array(nodeCount);
  const nextEdge = new Int32Array(nodeCount);
  const path: number[] = [];
  for (let root = 0; root < nodeCount; root++) {
    if (state[root] !== 0) continue;
    path.push(root);
    state[root] = 1;
    nextEdge[root] = dependencies.start[root];
    while (path.length > 0) {
      const node = path[path.length - 1];
      if (nextEdge[node] === dependencies.start[node + 1]) {
        state[node] = 2;
        path.pop();
        continue;
      }
      const dependency = dependencies.list[nextEdge[node]++];
      if (state[dependency] === 1) {
        // From `dependency` to `node`, each path entry depends on the next, and `node` depends on
        // `dependency`: reversed, that is the cycle in execution order.
        const cycle = path.slice(path.indexOf(dependency)).reverse();
        return startAtLowest(cycle);
      }
      if (state[dependency] === 0) {
        state[dependency] = 1;
        nextEdge[dependency] = dependencies.start[dependency];
        path.push(dependency);
      }
    }
  }
  return undefined;
}

/** Rotates a cycle so that it starts (and ends) at its lowest-numbered node. */
function startAtLowest(cycle: number[]): number[] {
  let lowest = 0;
  for (let position = 1; position < cycle.length; position++) {
    if (cycle[position] < cycle[lowest]) lowest = position;
  }
  const rotated = [...cycle.slice(lowest), ...cycle.slice(0, lowest)];
  rotated.push(rotated[0]);
  return rotated;
}

/**
 * For each node, the number of nodes on the longest path from it to a sink, itself included
 * (a sink has 1). `order` must be a topological order. With `included`, only the marked nodes
 * count: the graph is the one they induce (the others get 0).
 */
export function remainingPathLengths(
  order: Int32Array,
  dependents: Adjacency,
  included?: Uint8Array,
): Int32Array {
  return heaviestPathsToSinks(order, dependents, new Int32Array(order.length), undefined, included);
}

/**
 * Each node's own priority plus the largest of 0 and its dependents' cumulative priorities (as
 * p-graph computes it): a node inherits the urgency of the work waiting for it. `order` must be a
 * topological order. With `included`, only the marked nodes count (the others get 0).
 */
export function cumulativePriorities(
  order: Int32Array,
  dependents: Adjacency,
  ownPriorities: Float64Array,
  included?: Uint8Array,
): Float64Array {
  return heaviestPathsToSinks(
    order,
    dependents,
    new Float64Array(order.length),
    ownPriorities,
    included,
  );
}

/**
 * Fills `totals` with each node's weight (`ownWeights[node]`, or 1 when there are none) plus the
 * largest of 0 and its dependents' totals, walking `order` (a topological order) backwards. A node
 * left out of `included` keeps its 0, so it adds nothing to the nodes it depends on.
 */
function heaviestPathsToSinks<Totals extends Int32Array | Float64Array>(
  order: Int32Array,
  dependents: Adjacency,
  totals: Totals,
  ownWeights: Float64Array | undefined,
  included: Uint8Array | undefined,
): Totals {
  for (let position = order.length - 1; position >= 0; position--) {
    const node = order[position];
    if (included !== undefined && included[node] === 0) continue;
    let heaviest = 0;
    for (let edge = dependents.start[node]; edge < dependents.start[node + 1]; edge++) {
      const total = totals[dependents.list[edge]];
      if (total > heaviest) heaviest = total;
    }
    totals[node] = (ownWeights === undefined ? 1 : ownWeights[node]) + heaviest;
  }
  return totals;
}

/**
 * Ranks nodes for scheduling: rank 0 goes first. Higher cumulative priority first (when given),
 * then longer remaining path, then lower index (declaration order). With `included`, only the
 * marked nodes are ranked (the others, which never queue, keep rank 0).
 */
export function schedulingRanks(
  remainingPath: Int32Array,
  priorities?: Float64Array,
  included?: Uint8Array,
): Int32Array {
  const nodes: number[] = [];
  for (let node = 0; node < remainingPath.length; node++) {
    if (included === undefined || included[node] === 1) nodes.push(node);
  }
  nodes.sort(
    (a, b) =>
      (priorities === undefined ? 0 : priorities[b] - priorities[a]) ||
      remainingPath[b] - remainingPath[a] ||
      a - b,
  );
  const ranks = new Int32Array(remainingPath.length);
  for (let rank = 0; rank < nodes.length; rank++) ranks[nodes[rank]] = rank;
  return ranks;
}

/** Marks `targets` and everything they transitively depend on. */
export function dependencyClosure(targets: Iterable<number>, dependencies: Adjacency): Uint8Array {
  const included = new Uint8Array(dependencies.start.length - 1);
  const stack: number[] = [];
  for (const target of targets) {
    if (included[target] === 0) {
      included[target] = 1;
      stack.push(target);
    }
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (let edge = dependencies.start[node]; edge < dependencies.start[node + 1]; edge++) {
      const dependency = dependencies.list[edge];
      if (included[dependency] === 0) {
        included[dependency] = 1;
        stack.push(dependency);
      }
    }
  }
  return included;
}
