/**
 * Turns a workflow class into a validated, cached {@link WorkflowPlan}: walks the prototype chain
 * (base classes first, an override shadowing its base), checks every rule of a workflow definition,
 * and precomputes everything a run needs as index arrays, so a run does no per-class work.
 */
import { describeInput } from './describe';
import { definitionErrors } from './errors';
import {
  dependencyClosure,
  findCycle,
  remainingPathLengths,
  reverseAdjacency,
  schedulingRanks,
  topologicalOrder,
  type Adjacency,
} from './graph';
import { readOwnMembers, type MemberMetadata } from './metadata';
import { closestName } from './suggest';
import { resolveAttemptPolicy, type AttemptPolicy } from './task-options';
import type { TaskNode, WorkflowGraph } from './types';

/** Argument slot meaning "the value passed to invoke" in {@link WorkflowPlan.argumentSlots}. */
export const PARAM_SLOT = -1;
/** Argument slot meaning "the run's (or attempt's) AbortSignal". */
export const SIGNAL_SLOT = -2;

/** Everything a run needs to know about a workflow class, computed once per class. */
export interface WorkflowPlan {
  /** The class name, for messages. */
  readonly workflow: string;
  /** Task names in declaration order; a task's index is its position here. */
  readonly names: readonly string[];
  readonly indexByName: ReadonlyMap<string, number>;
  /** What each task waits for, without repeats. */
  readonly dependencies: Adjacency;
  /** Who waits for each task, in ascending index order. */
  readonly dependents: Adjacency;
  /** How many distinct tasks each task waits for (a run starts from a copy). */
  readonly dependencyCounts: Int32Array;
  /**
   * The arguments of task `i` are `argumentSlots.list[argumentSlots.start[i]…]`: a task index
   * (that dependency's result), {@link PARAM_SLOT} or {@link SIGNAL_SLOT}.
   */
  readonly argumentSlots: Adjacency;
  /** Tasks with no dependencies, in declaration order. */
  readonly roots: Int32Array;
  /** Scheduling rank per task (0 first): longest remaining path to a sink, then declaration order. */
  readonly ranks: Int32Array;
  /** Timeout and retry settings per task; `undefined` entries have none. */
  readonly attemptPolicies: readonly (AttemptPolicy | undefined)[];
  /** Whether any task has a timeout or retries (a run then records attempts). */
  readonly hasAttemptPolicies: boolean;
  /**
   * Whether a prototype of the class has more own properties than V8 keeps in fast mode (about
   * 1,020): the scheduler then looks task methods up in two steps, which is faster there.
   */
  readonly prefersPrototypeLookup: boolean;
  /** Whether any task takes a `@Signal()` argument. */
  readonly usesSignal: boolean;
  /** The public description, built on first request. */
  readonly graph: WorkflowGraph;
  /** Marks `targets` and their transitive dependencies. */
  closure(targets: Iterable<number>): Uint8Array;
}

const plans = new WeakMap<object, WorkflowPlan>();

/** V8 keeps at most this many own properties of an object in fast mode (kMaxNumberOfDescriptors). */
const FAST_PROPERTY_LIMIT = 1020;

/** `prototype` and the prototypes it inherits from, most derived first, without `Object.prototype`. */
function prototypeChain(prototype: object): object[] {
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
 * The validated plan of the class whose prototype is `prototype`, built on first use and cached.
 * Throws `WorkflowDefinitionError` when the class is not a valid workflow (not cached, so a fixed
 * definition is picked up).
 */
export function planFor(prototype: object): WorkflowPlan {
  let plan = plans.get(prototype);
  if (plan === undefined) {
    plan = buildPlan(prototype);
    plans.set(prototype, plan);
  }
  return plan;
}

/** A task as collected from the class hierarchy, before indexes are assigned. */
interface TaskDefinition {
  readonly name: string;
  readonly metadata: MemberMetadata;
}

function buildPlan(prototype: object): WorkflowPlan {
  const chain = prototypeChain(prototype);
  const workflow = classNameOf(chain);
  const definitions = collectTasks(chain, workflow);
  const taskCount = definitions.length;
  const names = definitions.map((definition) => definition.name);
  const indexByName = new Map(names.map((name, index) => [name, index]));

  // Both adjacencies are filled in one pass, straight into flat arrays (no per-task lists).
  const dependencyStart = new Int32Array(taskCount + 1);
  const dependencyList: number[] = [];
  const argumentStart = new Int32Array(taskCount + 1);
  const argumentList: number[] = [];
  const lastListedBy = new Int32Array(taskCount).fill(-1);
  for (let task = 0; task < taskCount; task++) {
    const { name, metadata } = definitions[task];
    const firstArgument = argumentList.length;
    for (let position = 0; position < metadata.dependsOn.length; position++) {
      const dependencyName: unknown = metadata.dependsOn[position];
      if (typeof dependencyName !== 'string') {
        throw definitionErrors.invalidInput(workflow, name, position, dependencyName);
      }
      const dependency = indexByName.get(dependencyName);
      if (dependency === undefined) {
        throw unknownDependency(prototype, workflow, name, dependencyName, names);
      }
      if (lastListedBy[dependency] !== task) {
        lastListedBy[dependency] = task;
        dependencyList.push(dependency);
      }
      argumentList.push(dependency);
    }
    if (metadata.paramIndexes.length > 0 || metadata.signalIndexes.length > 0) {
      const listed = argumentList.splice(firstArgument);
      argumentList.push(...bindMarkedArguments(workflow, name, metadata, listed));
    }
    dependencyStart[task + 1] = dependencyList.length;
    argumentStart[task + 1] = argumentList.length;
  }

  const dependencies: Adjacency = { start: dependencyStart, list: Int32Array.from(dependencyList) };
  const dependents = reverseAdjacency(dependencies);
  const order = topologicalOrder(dependencies, dependents);
  if (order === undefined) {
    const cycle = findCycle(dependencies)!;
    throw definitionErrors.cycle(
      workflow,
      cycle.map((index) => names[index]),
    );
  }

  const attemptPolicies = definitions.map(({ name, metadata }) =>
    resolveAttemptPolicy(workflow, name, metadata.taskOptions),
  );
  const dependencyCounts = new Int32Array(taskCount);
  const rootList: number[] = [];
  for (let task = 0; task < taskCount; task++) {
    dependencyCounts[task] = dependencyStart[task + 1] - dependencyStart[task];
    if (dependencyCounts[task] === 0) rootList.push(task);
  }
  const roots = Int32Array.from(rootList);
  let graph: WorkflowGraph | undefined;
  return {
    workflow,
    names,
    indexByName,
    dependencies,
    dependents,
    dependencyCounts,
    argumentSlots: { start: argumentStart, list: Int32Array.from(argumentList) },
    roots,
    ranks: schedulingRanks(remainingPathLengths(order, dependents)),
    attemptPolicies,
    hasAttemptPolicies: attemptPolicies.some((policy) => policy !== undefined),
    prefersPrototypeLookup: chain.some(
      (classPrototype) => Object.getOwnPropertyNames(classPrototype).length > FAST_PROPERTY_LIMIT,
    ),
    usesSignal: definitions.some(({ metadata }) => metadata.signalIndexes.length > 0),
    get graph() {
      return (graph ??= describeGraph(workflow, names, dependencies, dependents, roots, order));
    },
    closure: (targets) => dependencyClosure(targets, dependencies),
  };
}

/**
 * Walks the prototype chain from the base class down, so base tasks come first and a subclass's
 * decorated override replaces its base's definition in place. An override without decorators
 * leaves the base definition as it is (the override itself runs, because tasks are looked up on
 * the instance at call time).
 */
function collectTasks(chain: readonly object[], workflow: string): TaskDefinition[] {
  const tasks = new Map<string, TaskDefinition>();
  for (const classPrototype of [...chain].reverse()) {
    const constructor = Object.getOwnPropertyDescriptor(classPrototype, 'constructor')?.value;
    if (typeof constructor === 'function') rejectStaticMembers(constructor, workflow);
    for (const metadata of readOwnMembers(classPrototype)) {
      const name = checkMember(metadata, workflow);
      tasks.set(name, { name, metadata });
    }
  }
  if (tasks.size === 0) throw definitionErrors.noTasks(workflow);
  return [...tasks.values()];
}

/** Our decorators on a constructor's own members are either on statics or on constructor params. */
function rejectStaticMembers(constructor: Function, workflow: string): void {
  for (const metadata of readOwnMembers(constructor)) {
    if (metadata.kind === 'constructor') {
      throw definitionErrors.notATask(workflow, 'constructor', decoratorsOn(metadata));
    }
    throw definitionErrors.invalidTask(
      workflow,
      String(metadata.key),
      `${decoratorsOn(metadata).join(', ')} on static member "${String(metadata.key)}": ` +
        `tasks must be instance methods. Remove "static".`,
    );
  }
}

/** Checks one decorated member of a prototype and returns its task name. */
function checkMember(metadata: MemberMetadata, workflow: string): string {
  const member = String(metadata.key);
  const invalid = (problem: string) => definitionErrors.invalidTask(workflow, member, problem);
  if (typeof metadata.key === 'symbol') {
    throw invalid(
      `${decoratorsOn(metadata).join(', ')} on symbol-named method ${member}: task names must be strings.`,
    );
  }
  if (metadata.taskDecorations === 0) {
    throw definitionErrors.notATask(workflow, member, decoratorsOn(metadata));
  }
  if (member === 'constructor') {
    throw invalid(
      `${decoratorsOn(metadata).join(', ')} on the constructor: tasks must be methods of the class.`,
    );
  }
  if (metadata.kind === 'accessor') {
    throw invalid(
      `@Task() on accessor "${member}": tasks must be methods, not getters or setters.`,
    );
  }
  if (metadata.kind === 'field') {
    throw invalid(
      `@Task() on class field "${member}": tasks must be methods on the prototype. ` +
        `Write "${member}(…) { … }" instead of "${member} = (…) => …".`,
    );
  }
  if (metadata.taskDecorations > 1) {
    throw invalid(
      `@Task() is applied ${metadata.taskDecorations} times to "${member}"; apply it once.`,
    );
  }
  if (metadata.dependsOnDecorations > 1) {
    throw invalid(
      `@DependsOn is applied ${metadata.dependsOnDecorations} times to "${member}"; ` +
        `list every dependency in one @DependsOn(…), in argument order.`,
    );
  }
  for (const [decorator, indexes] of [
    ['@Param()', metadata.paramIndexes],
    ['@Signal()', metadata.signalIndexes],
  ] as const) {
    const odd = indexes.find((index) => !isParameterIndex(index));
    if (odd !== undefined) {
      throw invalid(
        `${decorator} of task "${member}" marks parameter index ${describeInput(odd)}; ` +
          `a parameter index is a whole number from 0 (the first parameter).`,
      );
    }
  }
  const both = metadata.paramIndexes.find((index) => metadata.signalIndexes.includes(index));
  if (both !== undefined) {
    throw invalid(
      `argument ${both} of "${member}" is marked both @Param() and @Signal(); mark it once.`,
    );
  }
  return member;
}

function decoratorsOn(metadata: MemberMetadata): string[] {
  const decorators: string[] = [];
  if (metadata.taskDecorations > 0) decorators.push('@Task()');
  if (metadata.dependsOnDecorations > 0) decorators.push('@DependsOn');
  if (metadata.paramIndexes.length > 0) decorators.push('@Param()');
  if (metadata.signalIndexes.length > 0) decorators.push('@Signal()');
  return decorators;
}

/**
 * The argument slots of a task with marked parameters, left to right: marked indexes get the param
 * or the signal, every other index the next listed dependency.
 */
function bindMarkedArguments(
  workflow: string,
  task: string,
  metadata: MemberMetadata,
  listedDependencies: readonly number[],
): number[] {
  const params = new Set(metadata.paramIndexes);
  const signals = new Set(metadata.signalIndexes);
  const arity = listedDependencies.length + params.size + signals.size;
  const marked = [...params, ...signals].sort((a, b) => a - b);
  const highestMarked = marked.length === 0 ? -1 : marked[marked.length - 1];
  if (highestMarked >= arity) {
    throw definitionErrors.parameterGap(
      workflow,
      task,
      highestMarked,
      arity,
      listedDependencies.length,
      unfilledPositions(marked, listedDependencies.length),
    );
  }
  const slots: number[] = [];
  let nextDependency = 0;
  for (let index = 0; index < arity; index++) {
    if (params.has(index)) slots.push(PARAM_SLOT);
    else if (signals.has(index)) slots.push(SIGNAL_SLOT);
    else slots.push(listedDependencies[nextDependency++]);
  }
  return slots;
}

/** The largest index an argument list can have (arrays hold at most 2^32 − 1 elements). */
const MAX_PARAMETER_INDEX = 2 ** 32 - 2;

function isParameterIndex(index: number): boolean {
  return Number.isInteger(index) && index >= 0 && index <= MAX_PARAMETER_INDEX;
}

/**
 * The positions below the highest marked one that no marked parameter and no dependency fills,
 * as inclusive ranges: the unmarked positions, left to right, minus the first `dependencyCount`
 * (the dependencies fill those). Computed from the gaps between marked positions, never per index,
 * so a hand-applied `@Param()` at index 2^31 costs nothing.
 */
function unfilledPositions(
  sortedMarked: readonly number[],
  dependencyCount: number,
): [first: number, last: number][] {
  const ranges: [number, number][] = [];
  let toSkip = dependencyCount;
  let previous = -1;
  for (const position of sortedMarked) {
    const gapStart = previous + 1;
    const gapLength = position - gapStart;
    if (gapLength > toSkip) {
      ranges.push([gapStart + toSkip, position - 1]);
      toSkip = 0;
    } else {
      toSkip -= Math.max(0, gapLength);
    }
    previous = position;
  }
  return ranges;
}

function unknownDependency(
  prototype: object,
  workflow: string,
  task: string,
  dependency: string,
  taskNames: readonly string[],
) {
  return definitionErrors.unknownDependency(
    workflow,
    task,
    dependency,
    closestName(dependency, taskNames),
    isMethodOf(prototype, dependency),
  );
}

function isMethodOf(prototype: object, name: string): boolean {
  const owner = prototypeChain(prototype).find((current) => Object.hasOwn(current, name));
  return (
    owner !== undefined && typeof Object.getOwnPropertyDescriptor(owner, name)?.value === 'function'
  );
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

/**
 * The name of the class at the start of `chain`. A class decorator that returns an anonymous
 * `class extends Target` leaves the first level nameless: then the nearest named base is used.
 */
function classNameOf(chain: readonly object[]): string {
  for (const current of chain) {
    const constructor = Object.getOwnPropertyDescriptor(current, 'constructor')?.value;
    if (typeof constructor === 'function' && constructor.name !== '') return constructor.name;
  }
  return '(anonymous workflow)';
}
