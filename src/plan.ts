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

/** Everything a run needs to know about a workflow, computed once per workflow. */
export interface WorkflowPlan {
  /** The workflow's name (a class name, or a builder's `name`), for messages. */
  readonly workflow: string;
  /** Task names in declaration order; a task's index is its position here. */
  readonly names: readonly string[];
  readonly indexByName: ReadonlyMap<string, number>;
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
  private readonly argumentStart: number[] = [0];
  private readonly argumentList: number[] = [];
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
    this.argumentStart.push(this.argumentList.length);
    return task;
  }

  /** Appends an argument slot to the last task added. */
  addArgument(slot: number): void {
    this.argumentList.push(slot);
    const task = this.names.length - 1;
    this.argumentStart[task + 1] = this.argumentList.length;
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
      start: Int32Array.from(this.argumentStart),
      list: Int32Array.from(this.argumentList),
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

/** The task slots of each task's arguments, without repeats, in the order first listed. */
function distinctDependencies(argumentSlots: Adjacency): Adjacency {
  const taskCount = argumentSlots.start.length - 1;
  const start = new Int32Array(taskCount + 1);
  // At most one dependency per argument: fill a list that long, then keep what was used.
  const list = new Int32Array(argumentSlots.list.length);
  let length = 0;
  const lastListedBy = new Int32Array(taskCount).fill(-1);
  for (let task = 0; task < taskCount; task++) {
    for (
      let position = argumentSlots.start[task];
      position < argumentSlots.start[task + 1];
      position++
    ) {
      const dependency = argumentSlots.list[position];
      if (dependency >= 0 && lastListedBy[dependency] !== task) {
        lastListedBy[dependency] = task;
        list[length++] = dependency;
      }
    }
    start[task + 1] = length;
  }
  return { start, list: length === list.length ? list : list.slice(0, length) };
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
