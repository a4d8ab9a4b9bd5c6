/** The pure graph algorithms and the ready queues, alone. */
import { expect } from 'chai';
import {
  adjacencyFromLists,
  cumulativePriorities,
  dependencyClosure,
  findCycle,
  remainingPathLengths,
  reverseAdjacency,
  schedulingRanks,
  topologicalOrder,
} from '../src/graph';
import { FifoQueue, RankedQueue } from '../src/ready-queue';
import { closestName, editDistance } from '../src/suggest';

/** dependencies[i] lists what node i waits for. */
const diamond = adjacencyFromLists([[], [0], [0], [1, 2]]);

const listsOf = (adjacency: ReturnType<typeof adjacencyFromLists>) =>
  Array.from({ length: adjacency.start.length - 1 }, (_, node) =>
    Array.from(adjacency.list.subarray(adjacency.start[node], adjacency.start[node + 1])),
  );

describe('graph algorithms', () => {
  it('reverses adjacency with ascending neighbour lists', () => {
    expect(listsOf(reverseAdjacency(diamond))).to.deep.equal([[1, 2], [3], [3], []]);
  });

  it('orders topologically, ready nodes in index order', () => {
    const order = topologicalOrder(diamond, reverseAdjacency(diamond));
    expect(Array.from(order!)).to.deep.equal([0, 1, 2, 3]);
  });

  it('returns no order for a cyclic graph, and finds the cycle from its lowest node', () => {
    const cyclic = adjacencyFromLists([[], [3], [1], [2, 0]]);
    expect(topologicalOrder(cyclic, reverseAdjacency(cyclic))).to.equal(undefined);
    // 1 waits for 3, 3 for 2, 2 for 1: execution order 1 -> 2 -> 3 -> 1.
    expect(findCycle(cyclic)).to.deep.equal([1, 2, 3, 1]);
    expect(findCycle(diamond)).to.equal(undefined);
    // 0 waits for 1, found first from 0: an acyclic graph whatever the numbering.
    expect(findCycle(adjacencyFromLists([[1], []]))).to.equal(undefined);
  });

  it('measures the remaining path to a sink and ranks longest-first, ties by index', () => {
    //  0 -> 1 -> 2 ; 3 (alone) ; 4 -> 5
    const graph = adjacencyFromLists([[], [0], [1], [], [], [4]]);
    const order = topologicalOrder(graph, reverseAdjacency(graph))!;
    const lengths = remainingPathLengths(order, reverseAdjacency(graph));
    expect(Array.from(lengths)).to.deep.equal([3, 2, 1, 1, 2, 1]);
    // rank 0 first: node 0 (3), then 1 and 4 (2), then 2, 3, 5 (1).
    expect(Array.from(schedulingRanks(lengths))).to.deep.equal([0, 1, 3, 4, 2, 5]);
  });

  it('accumulates priorities along dependents, never taking less than 0 from them', () => {
    //  0 -> 1 -> 2 ; 0 -> 3: what waits for a node lends it its urgency, a negative one nothing.
    const graph = adjacencyFromLists([[], [0], [1], [0]]);
    const dependents = reverseAdjacency(graph);
    const order = topologicalOrder(graph, dependents)!;
    const own = Float64Array.from([1, -2, 4, -5]);
    const priorities = cumulativePriorities(order, dependents, own);
    expect(Array.from(priorities)).to.deep.equal([3, 2, 4, -5]);
    // Higher priority first, whatever the path length: 2, 0, 1, then 3.
    const lengths = remainingPathLengths(order, dependents);
    expect(Array.from(schedulingRanks(lengths, priorities))).to.deep.equal([1, 2, 0, 3]);
  });

  it('measures, weighs and ranks only the included nodes, as if the others were not there', () => {
    //  0 -> 1 -> 2 ; 0 -> 3 ; 4 alone, with 2 and 4 left out.
    const graph = adjacencyFromLists([[], [0], [1], [0], []]);
    const dependents = reverseAdjacency(graph);
    const order = topologicalOrder(graph, dependents)!;
    const included = Uint8Array.from([1, 1, 0, 1, 0]);
    const lengths = remainingPathLengths(order, dependents, included);
    expect(Array.from(lengths)).to.deep.equal([2, 1, 0, 1, 0]);
    const own = Float64Array.from([1, 1, 9, 2, 9]);
    const priorities = cumulativePriorities(order, dependents, own, included);
    expect(Array.from(priorities)).to.deep.equal([3, 1, 0, 2, 0]);
    // Ranked among themselves: 0, 3, 1; the left-out nodes keep rank 0.
    expect(Array.from(schedulingRanks(lengths, priorities, included))).to.deep.equal([
      0, 2, 0, 1, 0,
    ]);
    expect(Array.from(schedulingRanks(lengths, undefined, included))).to.deep.equal([
      0, 1, 0, 2, 0,
    ]);
  });

  it('closes targets over their transitive dependencies', () => {
    expect(Array.from(dependencyClosure([1], diamond))).to.deep.equal([1, 1, 0, 0]);
    expect(Array.from(dependencyClosure([3], diamond))).to.deep.equal([1, 1, 1, 1]);
  });

  it('finds a shortest cycle, through the lowest-numbered node of the shortest ones', () => {
    // 0 <- 1 <- 2 <- 3 <- 4 <- 0 is a ring of five; 4 also waits for 1, so 1 -> 4 -> 0 -> 1 is a
    // cycle of three; and 5 <- 6 <- 5 is one of two, the shortest, though its nodes come later.
    const graph = adjacencyFromLists([[4], [0], [1], [2], [3, 1], [6], [5]]);
    expect(findCycle(graph)).to.deep.equal([5, 6, 5]);
    const withoutPair = adjacencyFromLists([[4], [0], [1], [2], [3, 1]]);
    expect(findCycle(withoutPair)).to.deep.equal([0, 1, 4, 0]);
    // Nodes hanging off a cycle, before and after it, are no part of it.
    const tails = adjacencyFromLists([[], [0, 3], [1], [2], [3]]);
    expect(findCycle(tails)).to.deep.equal([1, 2, 3, 1]);
  });

  it('of cycles of the same length, keeps the one through the lowest-numbered node', () => {
    // 0 <-> 1 and 2 <-> 3: a later search that finds a cycle no shorter does not replace it.
    expect(findCycle(adjacencyFromLists([[1], [0], [3], [2]]))).to.deep.equal([0, 1, 0]);
    expect(findCycle(adjacencyFromLists([[2], [0], [1], [5], [3], [4]]))).to.deep.equal([
      0, 1, 2, 0,
    ]);
    // Two cycles close at the same depth of one search: the first found is kept.
    expect(findCycle(adjacencyFromLists([[1, 2], [0], [0]]))).to.deep.equal([0, 1, 0]);
  });

  it('answers the first cycle a depth-first search finds when its budget runs out before any is found', function () {
    // The whole budget walked: 0.2 s in a run of this file alone, 2.5 s in the whole suite under
    // the load of other test runs on a 2-core machine (a hang guard).
    this.timeout(60_000);
    // 2,000 sources each wait for a ring of 10,000 nodes (the search from each walks the whole ring
    // and finds no cycle through its source) and keep a waiting pair alive, so that no source is
    // trimmed: 20 million edges, the budget, before the searches reach the ring or the pair.
    const sources = 2_000;
    const ringSize = 10_000;
    const ring = sources;
    const pair = ring + ringSize;
    const lists: number[][] = [];
    for (let source = 0; source < sources; source++) lists.push([ring]);
    // In execution order the ring runs ring -> ring + 1 -> … -> the last -> ring.
    for (let node = 0; node < ringSize; node++)
      lists.push([ring + ((node + ringSize - 1) % ringSize)]);
    const allSources = Array.from({ length: sources }, (_, source) => source);
    lists.push([...allSources, pair + 1], [pair]);
    const cycle = findCycle(adjacencyFromLists(lists))!;
    // Not the pair, the shortest: the ring, the first cycle found from node 0.
    expect(cycle).to.have.length(ringSize + 1);
    expect(cycle.slice(0, 3)).to.deep.equal([ring, ring + 1, ring + 2]);
    expect(cycle.slice(-2)).to.deep.equal([ring + ringSize - 1, ring]);
  });

  it('handles a 200,000-node chain without recursion', () => {
    const size = 200_000;
    const lists = Array.from({ length: size }, (_, node) => (node === 0 ? [size - 1] : [node - 1]));
    const cyclic = adjacencyFromLists(lists);
    const cycle = findCycle(cyclic)!;
    expect(cycle).to.have.length(size + 1);
    expect(cycle[0]).to.equal(0);
    expect(cycle[1]).to.equal(1);
  });
});

describe('ready queues', () => {
  it('FifoQueue pops in push order', () => {
    const queue = new FifoQueue([0, 0, 0]);
    [2, 0, 1].forEach((node) => queue.push(node));
    expect([queue.pop(), queue.pop(), queue.pop()]).to.deep.equal([2, 0, 1]);
    expect(queue.size).to.equal(0);
  });

  it('FifoQueue.clear() empties it and starts it over at the beginning of its room', () => {
    const room = [0, 0, 0];
    const queue = new FifoQueue(room);
    queue.push(1);
    queue.push(2);
    queue.pop();
    expect(queue.clear().size).to.equal(0);
    // Each task enters a run's queue at most once: three runs of three tasks fit in three slots.
    for (let run = 0; run < 3; run++) {
      [2, 0, 1].forEach((node) => queue.push(node));
      expect([queue.pop(), queue.pop(), queue.pop()]).to.deep.equal([2, 0, 1]);
      queue.clear();
    }
    expect(room).to.have.length(3);
  });

  it('FifoQueue.retain() keeps the nodes accepted, in push order', () => {
    const queue = new FifoQueue([0, 0, 0, 0, 0]);
    [4, 3, 2, 1, 0].forEach((node) => queue.push(node));
    queue.pop();
    queue.retain((node) => node !== 2);
    expect(queue.size).to.equal(3);
    expect([queue.pop(), queue.pop(), queue.pop()]).to.deep.equal([3, 1, 0]);
  });

  it('RankedQueue pops lowest rank first, whatever the push order, when one slot is free', () => {
    const ranks = Int32Array.from([5, 3, 9, 0, 7, 1, 8, 2, 6, 4]);
    const queue = new RankedQueue(ranks, new Array<number>(ranks.length).fill(0));
    [9, 2, 4, 0, 7, 1, 8, 3, 6, 5].forEach((node) => queue.push(node));
    const popped: number[] = [];
    while (queue.size > 0) popped.push(queue.pop(1));
    expect(popped.map((node) => ranks[node])).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('RankedQueue pops in push order while every node fits in the free slots', () => {
    const ranks = Int32Array.from([3, 2, 1, 0]);
    const queue = new RankedQueue(ranks, [0, 0, 0, 0]);
    [0, 1, 2, 3].forEach((node) => queue.push(node));
    const popped: number[] = [];
    while (queue.size > 0) popped.push(queue.pop(4));
    expect(popped).to.deep.equal([0, 1, 2, 3]);
  });

  it('RankedQueue ranks once more nodes wait than slots are free, until it is empty, then goes back to push order', () => {
    const ranks = Int32Array.from([7, 6, 5, 4, 3, 2, 1, 0]);
    const queue = new RankedQueue(ranks, new Array<number>(8).fill(0));
    [0, 1, 2].forEach((node) => queue.push(node));
    expect(queue.pop(3)).to.equal(0); // 3 waiting, 3 free: push order
    [3, 4].forEach((node) => queue.push(node));
    // 1, 2, 3, 4 waiting for 2 slots: by rank from now on, pushes included, even when all fit.
    expect(queue.pop(2)).to.equal(4);
    queue.push(5);
    expect([queue.pop(1), queue.pop(9), queue.pop(9), queue.pop(9)]).to.deep.equal([5, 3, 2, 1]);
    expect(queue.size).to.equal(0);
    // Empty: push order again.
    [6, 7].forEach((node) => queue.push(node));
    expect([queue.pop(2), queue.pop(2)]).to.deep.equal([6, 7]);
  });

  it('RankedQueue.retain() keeps the nodes accepted, ranked if it was ranking, and stops ranking once empty', () => {
    const ranks = Int32Array.from([5, 4, 3, 2, 1, 0]);
    const queue = new RankedQueue(ranks, new Array<number>(6).fill(0));
    [0, 1, 2, 3].forEach((node) => queue.push(node));
    queue.retain((node) => node !== 1);
    expect([queue.pop(3), queue.pop(3)]).to.deep.equal([0, 2]); // push order: all fit
    [4, 5].forEach((node) => queue.push(node));
    expect(queue.pop(1)).to.equal(5); // 3, 4, 5 for one slot: ranking
    queue.retain((node) => node !== 4);
    expect(queue.size).to.equal(1);
    expect(queue.pop(5)).to.equal(3);
    queue.push(0);
    queue.push(1);
    queue.push(2);
    expect(queue.pop(1)).to.equal(2);
    queue.retain(() => false);
    expect(queue.size).to.equal(0);
    // Empty after retain: push order again (no clear() in between, which would end ranking too).
    [3, 4].forEach((node) => queue.push(node));
    expect([queue.pop(2), queue.pop(2)]).to.deep.equal([3, 4]);
  });

  it('RankedQueue.clear() ends ranking', () => {
    const ranks = Int32Array.from([1, 0]);
    const queue = new RankedQueue(ranks, [0, 0]);
    [0, 1].forEach((node) => queue.push(node));
    expect(queue.pop(1)).to.equal(1);
    queue.rankBy(ranks);
    [0, 1].forEach((node) => queue.push(node));
    expect([queue.pop(2), queue.pop(2)]).to.deep.equal([0, 1]);
  });
});

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(editDistance('', 'abc')).to.equal(3);
  });

  it('suggests the closest name within a third of its length, or a case-only match', () => {
    expect(closestName('fetchUsr', ['fetchUser', 'render'])).to.equal('fetchUser');
    expect(closestName('FETCHUSER', ['fetchUser'])).to.equal('fetchUser');
    expect(closestName('xyz', ['fetchUser'])).to.equal(undefined);
  });
});
