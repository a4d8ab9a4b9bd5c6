/**
 * The plan: everything a run needs to know about a workflow, computed once and shared by every run
 * of it. Both front-ends make one — the scanner from a decorated class, the builder from `addNode`
 * calls — by filling a {@link PlanDraft}; nothing downstream of the plan (scheduler, options,
 * results, pictures) knows which front-end made it.
 */
import { definitionErrors } from './definition-errors.js';
import {
  cumulativePriorities,
  dependencyClosure,
  findCycle,
  remainingPathLengths,
  reverseAdjacency,
  schedulingRanks,
  topologicalOrder,
  type Adjacency,
} from './graph.js';
import { runArraysFor, type RunArrays } from './run-arrays.js';
import { ScratchPool } from './run-scratch.js';
import {
  DEFAULT_TASK_POLICY,
  resolveTaskPolicy,
  WhenRule,
  type AttemptPolicy,
  type TaskPolicy,
} from './task-options.js';
import { CONTEXT_SLOT, FIRST_CONSTANT_SLOT, PARAM_SLOT, SIGNAL_SLOT } from './tokens.js';
import type { TaskNode, TaskOptions, WorkflowGraph } from './types.js';

/** Bits of {@link WorkflowPlan.inputKinds}: which tokens a task takes. */
export const TakesInput = { Signal: 1, Context: 2 } as const;

/**
 * What a run's result keeps of its plan: the names it reads values by. Not the plan itself, which
 * holds the workflow's functions — a builder's node functions and constant arguments, options'
 * `fallback`, `retryIf` and `retryDelay` — and what they close over: a DAG built per request
 * closes over the request, which a kept result (a cache of results, an error log) would keep.
 */
export interface PlanOutline {
  /** The workflow's name (a class name, or a builder's `name`), for messages. */
  readonly workflow: string;
  /** Task names in declaration order; a task's index is its position here. */
  readonly names: readonly string[];
  readonly indexByName: ReadonlyMap<string, number>;
}

/**
 * Everything a run needs to know about a workflow, computed once per workflow: its outline's
 * fields, and the rest.
 */
export interface WorkflowPlan extends PlanOutline {
  /** What a result keeps of the plan (one per plan: results of one plan share it). */
  readonly outline: PlanOutline;
  /** What each task waits for, without repeats, in the order first listed. */
  readonly dependencies: Adjacency;
  /** Who waits for each task, in ascending index order. */
  readonly dependents: Adjacency;
  /** How many distinct tasks each task waits for. */
  readonly dependencyCounts: Int32Array;
  /** Makes the per-task arrays of a run (plain arrays for small plans, typed for large ones). */
  readonly runArrays: RunArrays;
  /**
   * What runs borrow for the parts of them no result keeps (counters, queue, promise reactions)
   * and give back when they settle: the one part of a plan that runs change (see run-scratch.ts).
   */
  readonly scratch: ScratchPool;
  /**
   * The arguments of task `i` are `argumentSlots.list[argumentSlots.start[i]…]`: a task index
   * (that dependency's result), a token slot, or a constant slot (see `tokens.ts`).
   */
  readonly argumentSlots: Adjacency;
  /** The constants that constant slots refer to: constant `k` is slot `FIRST_CONSTANT_SLOT - k`. */
  readonly constants: readonly unknown[];
  /**
   * The function of each task, when the workflow fixes them (a builder); `undefined` when tasks are
   * methods looked up by name on the instance at call time (a class).
   */
  readonly bodies: readonly Function[] | undefined;
  /** Per task, the {@link TakesInput} bits of the tokens among its arguments. */
  readonly inputKinds: Uint8Array;
  /** Tasks with no dependencies, in declaration order. */
  readonly roots: Int32Array;
  /**
   * Scheduling rank per task (0 first) under a concurrency limit: highest cumulative priority,
   * then longest remaining path to a sink, then declaration order. Computed on first call.
   */
  ranks(): Int32Array;
  /** Timeout, retry and fallback settings per task; `undefined` entries have none. */
  readonly attemptPolicies: readonly (AttemptPolicy | undefined)[];
  /** Whether any task has an attempt policy (a run then records attempts). */
  readonly hasAttemptPolicies: boolean;
  /** Each task's `when` rule ({@link WhenRule}); `undefined` when every task has the default. */
  readonly whenRules: Uint8Array | undefined;
  /** Whether any task is `when: 'allSettled'` (a stopped run then still runs those). */
  readonly hasAllSettled: boolean;
  /** Whether a task takes the run's param (`@Param()`, `PARAM`, a builder's `parameterNode`). */
  readonly readsParam: boolean;
  /**
   * Whether the instance's prototype has more own properties than V8 keeps in fast mode (about
   * 1,020): the scheduler then looks task methods up in two steps, which is faster there.
   */
  readonly prefersPrototypeLookup: boolean;
  /** The public description, built on first call. */
  graph(): WorkflowGraph;
  /** Marks `targets` and their transitive dependencies. */
  closure(targets: Iterable<number>): Uint8Array;
  /**
   * The scheduling ranks of a run of `included`, the closure of `targets`: as {@link ranks}, but
   * counting only the tasks that run (a dependent left out lends no path length or priority).
   * Kept for the last few target lists computed (the oldest goes first), so a run repeated with
   * the same targets does not sort.
   */
  ranksWithin(targets: readonly number[], included: Uint8Array): Int32Array;
}

/** How many target lists' ranks a plan keeps, at most (fewer for large plans: see below). */
const RANKED_TARGET_LISTS = 16;
/**
 * Tasks' ranks kept per plan for target lists, at most (4 bytes each; each list's key, its target
 * indexes joined, adds up to 7 bytes per target).
 */
const RANKED_TARGET_TASKS = 1_000_000;

/**
 * A plan being filled in, task by task: `addTask`, then that task's `addArgument`s, then the next
 * task. Checks each task's options before it is added ({@link PlanDraft.policyOf}, so a builder's
 * `addNode` fails at once), and the graph as a whole in {@link PlanDraft.compile}.
 */
export class PlanDraft {
  private readonly names: string[] = [];
  // Arguments go straight into typed arrays, grown by doubling unless `reserve` sized them: a
  // 1,000,000-task class used to grow two JS arrays of 1 and 3 million numbers (and copy them),
  // ~110 MB of garbage that set off a full collection in the run that followed.
  private argumentStart: Int32Array = new Int32Array(INITIAL_CAPACITY + 1);
  private argumentList: Int32Array = new Int32Array(INITIAL_CAPACITY);
  private argumentCount = 0;
  // What differs from the defaults, by task index: most tasks have no options and take no token,
  // so a 1,000,000-task class does not grow four more million-entry arrays while it is scanned.
  private readonly policies = new Map<number, AttemptPolicy>();
  private readonly whenRules = new Map<number, WhenRule>();
  private readonly priorities = new Map<number, number>();
  private readonly inputKinds = new Map<number, number>();
  private readonly constants: unknown[] = [];
  private readonly bodies: Function[] | undefined;

  constructor(
    /** The workflow's name, for messages. */
    readonly workflow: string,
    /** Whether each task brings its own function (a builder) rather than a method name. */
    withBodies: boolean,
    /** Option names allowed besides `TaskOptions` (a builder's `name`). */
    private readonly extraOptionNames: readonly string[] = [],
  ) {
    this.bodies = withBodies ? [] : undefined;
  }

  /** How many tasks have been added. */
  get size(): number {
    return this.names.length;
  }

  /**
   * Sizes the draft's argument arrays for `tasks` tasks with `argumentCount` arguments in all,
   * before the first is added, when the front-end knows them (the scanner does): they then neither
   * grow nor are copied. Adding more than reserved still works. (Names are still pushed: a
   * preallocated array would be holey, and its reads checked for holes on every task call.)
   */
  reserve(tasks: number, argumentCount: number): void {
    this.argumentStart = new Int32Array(tasks + 1);
    this.argumentList = new Int32Array(argumentCount);
  }

  /**
   * The policy of task `name`'s `options`, checked: throws `WorkflowDefinitionError`
   * (`INVALID_TASK`) when they are invalid, naming `baseClass` when a base class of the workflow
   * class declared the task, or `builderMethod` (`'addNode'`) when a builder's call gave them.
   * Adds nothing: reading the options may run the caller's code (getters, Proxy traps), so a
   * front-end reads them before it decides the task's name and adds it with
   * {@link PlanDraft.addTask}.
   */
  policyOf(
    name: string,
    options: TaskOptions | undefined,
    baseClass?: string,
    builderMethod?: string,
  ): TaskPolicy {
    return options === undefined
      ? DEFAULT_TASK_POLICY
      : resolveTaskPolicy(
          this.workflow,
          name,
          options,
          this.extraOptionNames,
          baseClass,
          builderMethod,
        );
  }

  /** Adds task `name` with `policy` (from {@link PlanDraft.policyOf}) and returns its index. */
  addTask(name: string, policy: TaskPolicy, body?: Function): number {
    const task = this.names.length;
    if (policy.attempt !== undefined) this.policies.set(task, policy.attempt);
    if (policy.when !== WhenRule.AllSucceeded) this.whenRules.set(task, policy.when);
    if (policy.priority !== 0) this.priorities.set(task, policy.priority);
    this.names.push(name);
    this.bodies?.push(body!);
    if (task + 1 === this.argumentStart.length) {
      this.argumentStart = grown(this.argumentStart);
    }
    this.argumentStart[task + 1] = this.argumentCount;
    return task;
  }

  /** Appends an argument slot to the last task added. */
  addArgument(slot: number): void {
    if (this.argumentCount === this.argumentList.length) {
      this.argumentList = grown(this.argumentList);
    }
    this.argumentList[this.argumentCount++] = slot;
    const task = this.names.length - 1;
    this.argumentStart[task + 1] = this.argumentCount;
    const kind =
      slot === SIGNAL_SLOT ? TakesInput.Signal : slot === CONTEXT_SLOT ? TakesInput.Context : 0;
    if (kind !== 0) this.inputKinds.set(task, (this.inputKinds.get(task) ?? 0) | kind);
  }

  /** Registers a constant argument and returns its slot. */
  addConstant(value: unknown): number {
    this.constants.push(value);
    return FIRST_CONSTANT_SLOT - (this.constants.length - 1);
  }

  /**
   * The finished plan. Throws `WorkflowDefinitionError` `CYCLE` when the dependencies form a cycle
   * (only a class can: a builder's nodes depend only on nodes added before them).
   */
  compile(
    prefersPrototypeLookup: boolean,
    /** Each task's index by name, as the front-end already keeps it. */
    indexByName: ReadonlyMap<string, number>,
  ): WorkflowPlan {
    const { workflow, names } = this;
    const taskCount = names.length;
    const argumentSlots: Adjacency = {
      start: exactly(this.argumentStart, taskCount + 1),
      list: exactly(this.argumentList, this.argumentCount),
    };
    const dependencies = distinctDependencies(argumentSlots);
    const dependents = reverseAdjacency(dependencies);
    const order = topologicalOrder(dependencies, dependents);
    if (order === undefined) {
      const cycle = findCycle(dependencies)!;
      throw definitionErrors.cycle(
        workflow,
        cycle.map((index) => names[index]),
      );
    }
    const dependencyCounts = new Int32Array(taskCount);
    const rootList: number[] = [];
    for (let task = 0; task < taskCount; task++) {
      dependencyCounts[task] = dependencies.start[task + 1] - dependencies.start[task];
      if (dependencyCounts[task] === 0) rootList.push(task);
    }
    const roots = Int32Array.from(rootList);
    const attemptPolicies = new Array<AttemptPolicy | undefined>(taskCount);
    for (const [task, policy] of this.policies) attemptPolicies[task] = policy;
    const whenRules = this.whenRules.size === 0 ? undefined : new Uint8Array(taskCount);
    for (const [task, rule] of this.whenRules) whenRules![task] = rule;
    const priorities = this.priorities.size === 0 ? undefined : new Float64Array(taskCount);
    for (const [task, priority] of this.priorities) priorities![task] = priority;
    const inputKinds = new Uint8Array(taskCount);
    for (const [task, kinds] of this.inputKinds) inputKinds[task] = kinds;
    const rankTasks = (included?: Uint8Array) =>
      schedulingRanks(
        remainingPathLengths(order, dependents, included),
        priorities === undefined
          ? undefined
          : cumulativePriorities(order, dependents, priorities, included),
        included,
      );
    let ranks: Int32Array | undefined;
    const ranksByTargets = new Map<string, Int32Array>();
    const targetListsKept = Math.max(
      1,
      Math.min(RANKED_TARGET_LISTS, Math.floor(RANKED_TARGET_TASKS / Math.max(taskCount, 1))),
    );
    let graph: WorkflowGraph | undefined;
    // No getters here: V8 keeps an object literal with an accessor in dictionary mode, and every
    // property load the run loop makes from its plan would be a hash lookup (17% of an invoke of
    // the seed graph; test/fast-properties.spec.ts). The lazy parts are methods.
    return {
      workflow,
      names,
      indexByName,
      outline: { workflow, names, indexByName },
      dependencies,
      dependents,
      dependencyCounts,
      runArrays: runArraysFor(dependencyCounts),
      scratch: new ScratchPool(taskCount),
      argumentSlots,
      constants: this.constants,
      bodies: this.bodies,
      inputKinds,
      roots,
      ranks: () => (ranks ??= rankTasks()),
      attemptPolicies,
      hasAttemptPolicies: this.policies.size > 0,
      whenRules,
      hasAllSettled: [...this.whenRules.values()].includes(WhenRule.AllSettled),
      readsParam: argumentSlots.list.includes(PARAM_SLOT),
      prefersPrototypeLookup,
      graph: () =>
        (graph ??= describeGraph(workflow, names, dependencies, dependents, roots, order)),
      closure: (targets) => dependencyClosure(targets, dependencies),
      ranksWithin(targets, included) {
        const key = [...new Set(targets)].sort((a, b) => a - b).join();
        let kept = ranksByTargets.get(key);
        if (kept === undefined) {
          if (ranksByTargets.size >= targetListsKept) {
            ranksByTargets.delete(ranksByTargets.keys().next().value!);
          }
          kept = rankTasks(included);
          ranksByTargets.set(key, kept);
        }
        return kept;
      },
    };
  }
}

/** The capacity of a draft's argument arrays before the first doubling. */
const INITIAL_CAPACITY = 16;

/** A copy of `array` with twice its length (at least the initial capacity), for a draft that outgrew it. */
function grown(array: Int32Array): Int32Array {
  const larger = new Int32Array(Math.max(INITIAL_CAPACITY, array.length * 2));
  larger.set(array);
  return larger;
}

/** `array` when it is `length` long, else a copy of its first `length` entries. */
function exactly(array: Int32Array, length: number): Int32Array {
  return array.length === length ? array : array.slice(0, length);
}

/**
 * The task slots of each task's arguments, without repeats, in the order first listed:
 * `argumentSlots` itself when every argument is a dependency listed once (a class whose tasks take
 * no token and no input twice), so that a plan keeps one copy of its edges, not two.
 */
function distinctDependencies(argumentSlots: Adjacency): Adjacency {
  const lastListedBy = new Int32Array(argumentSlots.start.length - 1).fill(-1);
  const length = listDistinct(argumentSlots, lastListedBy);
  if (length === argumentSlots.list.length) return argumentSlots;
  const distinct = {
    start: new Int32Array(argumentSlots.start.length),
    list: new Int32Array(length),
  };
  listDistinct(argumentSlots, lastListedBy.fill(-1), distinct);
  return distinct;
}

/**
 * Counts the distinct task slots among each task's arguments (`lastListedBy`: -1 for every task),
 * and writes them to `into` when it is given.
 */
function listDistinct(
  argumentSlots: Adjacency,
  lastListedBy: Int32Array,
  into?: { start: Int32Array; list: Int32Array },
): number {
  const { start, list } = argumentSlots;
  let length = 0;
  for (let task = 0; task + 1 < start.length; task++) {
    for (let position = start[task]; position < start[task + 1]; position++) {
      const dependency = list[position];
      if (dependency >= 0 && lastListedBy[dependency] !== task) {
        lastListedBy[dependency] = task;
        if (into !== undefined) into.list[length] = dependency;
        length++;
      }
    }
    if (into !== undefined) into.start[task + 1] = length;
  }
  return length;
}

function describeGraph(
  workflow: string,
  names: readonly string[],
  dependencies: Adjacency,
  dependents: Adjacency,
  roots: Int32Array,
  order: Int32Array,
): WorkflowGraph {
  const namesOf = (adjacency: Adjacency, node: number) =>
    Object.freeze(
      Array.from(
        adjacency.list.subarray(adjacency.start[node], adjacency.start[node + 1]),
        (index) => names[index],
      ),
    );
  const tasks: TaskNode[] = names.map((name, node) =>
    Object.freeze({
      name,
      dependsOn: namesOf(dependencies, node),
      dependents: namesOf(dependents, node),
    }),
  );
  return Object.freeze({
    workflow,
    tasks: Object.freeze(tasks),
    roots: Object.freeze(Array.from(roots, (index) => names[index])),
    sinks: Object.freeze(
      tasks.filter((task) => task.dependents.length === 0).map((task) => task.name),
    ),
    order: Object.freeze(Array.from(order, (index) => names[index])),
  });
}
