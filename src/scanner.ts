/**
 * Turns a workflow class into a validated, cached {@link WorkflowPlan}: walks the prototype chain
 * (base classes first, an override shadowing its base), checks every rule of a workflow definition,
 * and precomputes everything a run needs as index arrays, so a run does no per-class work.
 */
import { bareName, describeInput, quotedName } from './describe.js';
import { definitionErrors } from './definition-errors.js';
import {
  copiedLegacyTasks,
  readOwnMembers,
  readOwnStaticMembers,
  type MemberMetadata,
} from './metadata.js';
import { PlanDraft, type WorkflowPlan } from './plan.js';
import {
  classNameOf,
  classNameOfPrototype,
  classOfPrototype,
  isOwnMethod,
  ownerOf,
  prototypeChain,
} from './prototypes.js';
import { didYouMean, tasksListed } from './suggest.js';
import { CONTEXT_SLOT, PARAM_SLOT, SIGNAL_SLOT, tokenSlot } from './tokens.js';

const plans = new WeakMap<object, WorkflowPlan>();

/** V8 keeps at most this many own properties of an object in fast mode (kMaxNumberOfDescriptors). */
const FAST_PROPERTY_LIMIT = 1020;

/** The plan of the class whose prototype is `prototype`, if one was built; never builds one. */
export function cachedPlan(prototype: object): WorkflowPlan | undefined {
  return plans.get(prototype);
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

function buildPlan(prototype: object): WorkflowPlan {
  const chain = prototypeChain(prototype);
  const { workflow, ownLevels } = workflowNameOf(chain);
  const { definitions, baseClassOf, largestPrototype } = collectTasks(chain, workflow, ownLevels);
  const indexByName = new Map<string, number>();
  let argumentCount = 0;
  for (let index = 0; index < definitions.length; index++) {
    const metadata = definitions[index];
    // checkMember accepted only string keys.
    indexByName.set(metadata.key as string, index);
    argumentCount += metadata.dependsOn.length + metadata.markedParameters.length;
  }

  const draft = new PlanDraft(workflow, false);
  draft.reserve(definitions.length, argumentCount);
  const listed: number[] = [];
  for (let index = 0; index < definitions.length; index++) {
    const metadata = definitions[index];
    const name = metadata.key as string;
    const baseClass = baseClassOf(index);
    draft.addTask(name, draft.policyOf(name, metadata.taskOptions, baseClass));
    // Without marked parameters (the usual case) the inputs are the arguments, added as they are
    // resolved: no list per task (a 1,000,000-task class made a million of them).
    const marked = metadata.markedParameters.length > 0;
    if (marked) listed.length = 0;
    for (let position = 0; position < metadata.dependsOn.length; position++) {
      const input: unknown = metadata.dependsOn[position];
      const slot = typeof input === 'string' ? indexByName.get(input) : tokenSlot(input);
      if (slot === undefined) {
        throw typeof input === 'string'
          ? unknownDependency(prototype, workflow, name, input, indexByName, baseClass)
          : definitionErrors.invalidInput(workflow, name, position, input, baseClass);
      }
      if (marked) listed.push(slot);
      else draft.addArgument(slot);
    }
    if (marked) {
      for (const slot of bindMarkedArguments(workflow, name, metadata, listed, baseClass)) {
        draft.addArgument(slot);
      }
    }
  }
  // A prototype with more decorated members than V8 keeps in fast mode is in dictionary mode.
  // (Counted from our records: listing a dictionary-mode object's keys sorts them, which made the
  // first use of a 1,000,000-task class superlinear.)
  return draft.compile(largestPrototype > FAST_PROPERTY_LIMIT, indexByName);
}

/**
 * Walks the prototype chain from the base class down, so base tasks come first and a subclass's
 * decorated override replaces its base's definition in place. An override without decorators
 * leaves the base definition as it is (the override itself runs, because tasks are looked up on
 * the instance at call time).
 *
 * The first `ownLevels` prototypes of `chain` are the workflow class itself (with the anonymous
 * subclasses a class decorator may have put in front of it). A member any other class of the chain
 * declared is that base class's: `baseClassOf` gives its name for each definition, for the errors
 * the plan finds later, which name it as these checks do.
 */
function collectTasks(
  chain: readonly object[],
  workflow: string,
  ownLevels: number,
): {
  definitions: MemberMetadata[];
  baseClassOf: (definition: number) => string | undefined;
  largestPrototype: number;
} {
  const levels: { members: MemberMetadata[]; baseClass: string | undefined; prototype: object }[] =
    [];
  for (let level = chain.length - 1; level >= 0; level--) {
    const classPrototype = chain[level];
    const baseClass = level < ownLevels ? undefined : shownClassName(classPrototype);
    const constructor = Object.getOwnPropertyDescriptor(classPrototype, 'constructor')?.value;
    if (typeof constructor === 'function') rejectStaticMembers(constructor, workflow, baseClass);
    const members = readOwnMembers(classPrototype);
    if (members.length > 0) levels.push({ members, baseClass, prototype: classPrototype });
  }
  if (levels.length === 0) throw definitionErrors.noTasks(workflow, copiedTasksOf(chain));
  // A loop, not `Math.max(...)`: spreading 130,000 levels of inheritance overflows the stack.
  let largestPrototype = 0;
  for (const { members } of levels) largestPrototype = Math.max(largestPrototype, members.length);
  // One class with tasks (the usual case): its members, in declaration order, are the tasks.
  if (levels.length === 1) {
    const [{ members: only, baseClass }] = levels;
    // An index loop: this runs once per class, too few times for the optimiser to remove a
    // `for…of`'s iterator results (40 MB for a 1,000,000-task class).
    for (let index = 0; index < only.length; index++) checkMember(only[index], workflow, baseClass);
    return { definitions: only, baseClassOf: () => baseClass, largestPrototype };
  }
  // Several: a subclass's member replaces its base's in place (Map keeps first-insertion order),
  // so a base's mistake that a decorated override replaces is no mistake of this class. The rest
  // are checked, naming the base class that declared them.
  const members = new Map<string | symbol, DeclaredMember>();
  for (const { members: own, baseClass, prototype } of levels) {
    for (const metadata of own) {
      // The same record again on a more derived level is still the member its first level
      // declared: standard decorators' class metadata is on the class a class decorator returned
      // (`class extends Target`), while the methods are found on the class that declared them.
      const earlier = members.get(metadata.key);
      if (earlier?.metadata === metadata) continue;
      members.set(metadata.key, { metadata, baseClass, prototype, overridden: earlier });
    }
  }
  const definitions: MemberMetadata[] = [];
  const baseClasses: (string | undefined)[] = [];
  for (const member of members.values()) {
    const { metadata, baseClass } = member;
    checkMember(metadata, workflow, baseClass);
    if (member.overridden !== undefined) checkOverride(chain, member, workflow);
    definitions.push(metadata);
    baseClasses.push(baseClass);
  }
  return { definitions, baseClassOf: (definition) => baseClasses[definition], largestPrototype };
}

/** The class of a prototype of the chain, as messages name it. */
function shownClassName(prototype: object): string {
  return classNameOfPrototype(prototype) || '(an anonymous class)';
}

/**
 * For a class with no tasks: the `@Task()` methods of other classes copied onto the prototypes of
 * `chain` (see {@link copiedLegacyTasks}), each with the name of the class that declared it.
 */
function copiedTasksOf(chain: readonly object[]): { task: string; declaredIn: string }[] {
  return chain.flatMap((prototype) =>
    copiedLegacyTasks(prototype).map(({ key, declarer }) => ({
      task: key,
      declaredIn: shownClassName(declarer),
    })),
  );
}

/**
 * A member as a class of the chain declared it: its record, that class (by name when it is a base
 * class, and its prototype), and the member it overrides, when it replaces a base's.
 */
interface DeclaredMember {
  readonly metadata: MemberMetadata;
  readonly baseClass: string | undefined;
  readonly prototype: object;
  readonly overridden: DeclaredMember | undefined;
}

/** Whether a `@Task()` member lists no inputs at all: no `@DependsOn`, no parameter decorator. */
function declaresNoInputs(metadata: MemberMetadata): boolean {
  return (
    metadata.taskDecorations > 0 &&
    metadata.dependsOnDecorations === 0 &&
    metadata.markedParameters.length === 0
  );
}

/**
 * Throws for a decorated override that drops every input of the task it overrides while taking
 * parameters: `@Task({ retries: 5 }) override pay(quote)` declares `pay` anew, so without the
 * base's `@DependsOn` and parameter decorators each parameter would get `undefined` — an option
 * change that silently unwires the task. An explicit `@DependsOn()`, parameters with defaults,
 * or none at all say that no inputs are meant. The parameters counted are those of the method
 * that runs: the override's, or an undecorated override of it further down.
 */
function checkOverride(chain: readonly object[], member: DeclaredMember, workflow: string): void {
  const { metadata } = member;
  if (!declaresNoInputs(metadata)) return;
  // An override between the two that dropped the inputs too (a base class never run itself, so
  // its own error is never seen) passes the inputs of the task it replaced on to this one.
  let overridden = member.overridden!;
  while (declaresNoInputs(overridden.metadata) && overridden.overridden !== undefined) {
    overridden = overridden.overridden;
  }
  const base = overridden.metadata;
  const baseHadInputs =
    base.taskDecorations > 0 && (base.dependsOn.length > 0 || base.markedParameters.length > 0);
  if (!baseHadInputs) return;
  // `checkMember` has refused symbol keys. The method that runs: the most derived one (an
  // undecorated override below keeps this record).
  const name = metadata.key as string;
  const owner = ownerOf(chain, name);
  const method: unknown = owner && Object.getOwnPropertyDescriptor(owner, name)?.value;
  const parameters = typeof method === 'function' ? method.length : 0;
  if (parameters === 0) return;
  const counted = parameters === 1 ? '1 parameter' : `${parameters} parameters`;
  const whose =
    owner === member.prototype
      ? `its ${counted}`
      : `the ${counted} of ${shownClassName(owner!)}'s undecorated override`;
  const inputs: string[] = [];
  if (base.dependsOn.length > 0) {
    const listed = base.dependsOn.map((input) => {
      const slot = tokenSlot(input);
      return slot === undefined ? describeInput(input) : TOKEN_BY_SLOT[slot];
    });
    inputs.push(`@DependsOn(${listed.join(', ')})`);
  }
  const marked = [...base.markedParameters].sort((a, b) => a.index - b.index);
  for (const { slot } of marked) inputs.push(MARKER_BY_SLOT[slot]);
  const task = quotedName(name);
  throw definitionErrors.invalidTask(
    workflow,
    name,
    `@Task() on override ${task} declares the task anew, without the inputs of ` +
      `${overridden.baseClass ?? workflow}'s ${task} (${inputs.join(', ')}), so ${whose} would ` +
      `get undefined. To change only its options, repeat those inputs on the override; to keep ` +
      `the inherited task, remove the override's decorators.`,
    member.baseClass,
  );
}

/**
 * Our decorators on a class itself are on statics, on constructor parameters, or on the class
 * (a method decorator used as a class decorator). `baseClass` names the class `constructor` is,
 * when it is a base class of the workflow class.
 */
function rejectStaticMembers(
  constructor: Function,
  workflow: string,
  baseClass: string | undefined,
): void {
  for (const metadata of readOwnStaticMembers(constructor)) {
    const decorators = decoratorsOn(metadata);
    if (metadata.kind === 'constructor') {
      // A bare `@Task` or `@DependsOn` there is a method decorator on the class too.
      const bareOnClass = metadata.uncalled?.some(
        ({ decorator, parameter }) =>
          (decorator === '@Task' || decorator === '@DependsOn') && parameter === undefined,
      );
      if (metadata.taskDecorations + metadata.dependsOnDecorations > 0 || bareOnClass) {
        throw definitionErrors.invalidTask(
          workflow,
          workflow,
          `${decorators.join(', ')} on the class ${baseClass ?? workflow} itself: ` +
            (decorators.length === 1
              ? `it is a method decorator. Apply it to the methods that are tasks.`
              : `they are method decorators. Apply them to the methods that are tasks.`),
          baseClass,
        );
      }
      const markerProblem = markerOnClassProblem(metadata, baseClass ?? workflow);
      if (markerProblem !== undefined) {
        throw definitionErrors.invalidTask(workflow, workflow, markerProblem, baseClass);
      }
      throw definitionErrors.notATask(workflow, 'constructor', decorators, baseClass);
    }
    const member = String(metadata.key);
    // A decorator without its parentheses, or given arguments, is named first, as on an instance
    // member.
    const misused = misusedDecoratorProblem(metadata, `static member ${quotedName(member)}`);
    if (misused !== undefined) {
      throw definitionErrors.invalidTask(workflow, member, misused, baseClass);
    }
    // A marker or @DependsOn without @Task() is NOT_A_TASK, as on an instance method (API.md §5).
    if (metadata.taskDecorations === 0) {
      throw definitionErrors.notATask(workflow, member, decorators, baseClass, metadata.kind, true);
    }
    throw definitionErrors.invalidTask(
      workflow,
      member,
      `${decorators.join(', ')} on static member ${quotedName(member)}: ` +
        `tasks must be instance methods. Remove "static".`,
      baseClass,
    );
  }
}

/**
 * Checks one decorated member of a prototype; throws `WorkflowDefinitionError` when it is not a
 * valid task, naming `baseClass`, the base class that declared it, unless that is `undefined`.
 */
function checkMember(
  metadata: MemberMetadata,
  workflow: string,
  baseClass: string | undefined,
): void {
  const member = String(metadata.key);
  const invalid = (problem: string) =>
    definitionErrors.invalidTask(workflow, member, problem, baseClass);
  if (typeof metadata.key === 'symbol') {
    throw invalid(
      `${decoratorsOn(metadata).join(', ')} on symbol-named method ${bareName(member)}: task names must be strings.`,
    );
  }
  if (metadata.isPrivate === true) {
    throw invalid(
      `${decoratorsOn(metadata).join(', ')} on private member ${quotedName(member)}: tasks are looked up on ` +
        `the instance by name, which a #private member cannot be. Use TypeScript's "private" ` +
        `keyword instead of "#".`,
    );
  }
  const misused = misusedDecoratorProblem(metadata, quotedName(member));
  if (misused !== undefined) throw invalid(misused);
  if (metadata.misplacedMarkers !== undefined) {
    const marker = MARKER_BY_SLOT[metadata.misplacedMarkers[0]];
    throw invalid(
      `${marker} is applied to ${quotedName(member)} itself: parameter decorators exist only with ` +
        `"experimentalDecorators". With standard decorators, list ${TOKEN_BY_SLOT[metadata.misplacedMarkers[0]]} ` +
        `in @DependsOn instead, at that argument's position; with "experimentalDecorators", you ` +
        `may write ${marker} before that parameter instead.`,
    );
  }
  if (metadata.taskDecorations === 0) {
    throw definitionErrors.notATask(
      workflow,
      member,
      decoratorsOn(metadata),
      baseClass,
      metadata.kind,
    );
  }
  if (member === 'constructor') {
    throw invalid(
      `${decoratorsOn(metadata).join(', ')} on the constructor: tasks must be methods of the class.`,
    );
  }
  if (metadata.kind === 'accessor') {
    throw invalid(
      `@Task() on accessor ${quotedName(member)}: tasks must be methods, not getters or setters.`,
    );
  }
  if (metadata.kind === 'field') {
    throw invalid(
      `@Task() on class field ${quotedName(member)}: tasks must be methods on the prototype. ` +
        `Write ${quotedName(`${member}(…) { … }`)} instead of ${quotedName(`${member} = (…) => …`)}.`,
    );
  }
  if (metadata.taskDecorations > 1) {
    throw invalid(
      `@Task() is applied ${metadata.taskDecorations} times to ${quotedName(member)}; apply it once.`,
    );
  }
  if (metadata.dependsOnDecorations > 1) {
    throw invalid(
      `@DependsOn is applied ${metadata.dependsOnDecorations} times to ${quotedName(member)}; ` +
        `list every dependency in one @DependsOn(…), in argument order.`,
    );
  }
  if (metadata.markedParameters.length > 0) checkMarkedParameters(metadata, member, invalid);
}

/** Checks the parameter markers of task `member`: whole-number indexes, each marked once. */
function checkMarkedParameters(
  metadata: MemberMetadata,
  member: string,
  invalid: (problem: string) => Error,
): void {
  const byIndex = new Map<number, number>();
  for (const { index, slot } of metadata.markedParameters) {
    if (!isParameterIndex(index)) {
      throw invalid(
        `${MARKER_BY_SLOT[slot]} of task ${quotedName(member)} marks parameter index ${describeInput(index)}; ` +
          `a parameter index is a whole number from 0 (the first parameter).`,
      );
    }
    const other = byIndex.get(index);
    if (other !== undefined && other !== slot) {
      const [first, second] = [MARKER_BY_SLOT[slot], MARKER_BY_SLOT[other]].sort();
      throw invalid(
        `parameter ${index + 1} of task ${quotedName(member)} is marked both ${first} and ${second}; mark it once.`,
      );
    }
    byIndex.set(index, slot);
  }
}

/**
 * The problem with a parameter decorator applied to the class `className` itself, called
 * (`@Param()`, recorded as misplaced) or not (`@Param`), if one was: only a transpiler that does
 * not type-check lets it through. Markers on constructor parameters are not this: they have an
 * index.
 */
function markerOnClassProblem(metadata: MemberMetadata, className: string): string | undefined {
  let slot = metadata.misplacedMarkers?.[0];
  let written = slot === undefined ? undefined : MARKER_BY_SLOT[slot];
  if (slot === undefined) {
    for (const { decorator, parameter } of metadata.uncalled ?? []) {
      const marked = SLOTS.find((candidate) => MARKER_BY_SLOT[candidate] === `${decorator}()`);
      if (parameter === undefined && marked !== undefined) {
        [slot, written] = [marked, decorator];
        break;
      }
    }
  }
  if (slot === undefined) return undefined;
  return (
    `${written} is applied to the class ${className} itself: it is a parameter decorator, which ` +
    `marks a parameter of a @Task() method (only with "experimentalDecorators"): write ` +
    `${MARKER_BY_SLOT[slot]} before that parameter. With standard decorators, list ` +
    `${TOKEN_BY_SLOT[slot]} in @DependsOn instead, at that argument's position.`
  );
}

/**
 * The problem with a decorator of `member` (`"name"`, or `static member "name"`) applied without
 * its parentheses ({@link uncalledProblem}), else with arguments it does not take
 * ({@link givenArgumentsProblem}); `undefined` when there is neither.
 */
function misusedDecoratorProblem(metadata: MemberMetadata, member: string): string | undefined {
  if (metadata.elementDescriptorCall === true) return elementDescriptorProblem(metadata, member);
  if (metadata.uncalled !== undefined) return uncalledProblem(metadata, member);
  if (metadata.givenArguments !== undefined) return givenArgumentsProblem(metadata, member);
  return undefined;
}

/**
 * The problem with our decorators on `member` (`"name"`, or `static member "name"`) when Babel's
 * decorators plugin applied them with `version: "2018-09"`, which async-dag does not support.
 */
function elementDescriptorProblem(metadata: MemberMetadata, member: string): string {
  const decorators = decoratorsOn(metadata);
  return (
    `${decorators.join(', ')} on ${member} ${decorators.length === 1 ? 'was' : 'were'} applied ` +
    `by Babel's decorators plugin with "version": "2018-09" (its default in Babel 7 when no ` +
    `version is set), an early decorators proposal that async-dag does not support. Set ` +
    `"version": "2023-11" (standard decorators) or "version": "legacy" in the options of ` +
    `@babel/plugin-proposal-decorators.`
  );
}

/**
 * The problem with the first of our decorators applied to `member` (`"name"`, or `static member
 * "name"`) without being called: `@Task` for `@Task()`.
 */
function uncalledProblem(metadata: MemberMetadata, member: string): string {
  const { decorator, parameter } = metadata.uncalled![0];
  const where = parameter === undefined ? member : `parameter ${parameter + 1} of ${member}`;
  const fix =
    decorator === '@DependsOn'
      ? `write @DependsOn(…) with its inputs.`
      : `write ${decorator}(), with parentheses.`;
  return (
    `${decorator} is applied to ${where} without being called: ${fix} (The TypeScript compiler ` +
    `reports this; a transpiler that does not type-check, such as tsx, esbuild or swc, lets it ` +
    `through.)`
  );
}

/** What each parameter decorator marks, for messages. */
const MARKS: Readonly<Record<string, string>> = {
  '@Param': "the value passed to invoke (it is not NestJS's @Param(name))",
  '@Signal': "the task's AbortSignal",
  '@Context': "the task's TaskContext",
};

/**
 * The problem with the first decorator given arguments it does not take on `member` (`"name"`, or
 * `static member "name"`): `@Param('id')` for `@Param()`, `@Task('fetch', {…})` for `@Task({…})`.
 */
function givenArgumentsProblem(metadata: MemberMetadata, member: string): string {
  const { decorator, args, parameter } = metadata.givenArguments![0];
  const where = parameter === undefined ? member : `parameter ${parameter + 1} of ${member}`;
  const fix =
    decorator === '@Task'
      ? `takes one argument, its options (a task is named by its method): write @Task({ … }).`
      : `takes no arguments: it marks the parameter that receives ${MARKS[decorator]}. Write ` +
        `${decorator}().`;
  return (
    `${decorator}(${args.map(describeInput).join(', ')}) is applied to ${where}, but ${decorator}() ` +
    `${fix} (The TypeScript compiler reports this; a transpiler that does not type-check, such ` +
    `as tsx, esbuild or swc, lets it through.)`
  );
}

/** The marked slots, in the order messages list them. */
const SLOTS = [PARAM_SLOT, SIGNAL_SLOT, CONTEXT_SLOT] as const;

/** The parameter decorator behind each marked slot, for messages. */
const MARKER_BY_SLOT: Record<number, string> = {
  [PARAM_SLOT]: '@Param()',
  [SIGNAL_SLOT]: '@Signal()',
  [CONTEXT_SLOT]: '@Context()',
};

/** The token that stands for each marked slot, for messages. */
const TOKEN_BY_SLOT: Record<number, string> = {
  [PARAM_SLOT]: 'PARAM',
  [SIGNAL_SLOT]: 'SIGNAL',
  [CONTEXT_SLOT]: 'CONTEXT',
};

/**
 * Our decorators on a member, for messages: `@Task()`, `@DependsOn` and the markers, then any
 * applied without being called, as written (`@Task`), so the list is never empty.
 */
function decoratorsOn(metadata: MemberMetadata): string[] {
  const decorators: string[] = [];
  if (metadata.taskDecorations > 0) decorators.push('@Task()');
  if (metadata.dependsOnDecorations > 0) decorators.push('@DependsOn');
  for (const slot of SLOTS) {
    if (
      metadata.markedParameters.some((marked) => marked.slot === slot) ||
      metadata.misplacedMarkers?.includes(slot) === true
    ) {
      decorators.push(MARKER_BY_SLOT[slot]);
    }
  }
  for (const { decorator } of metadata.uncalled ?? []) {
    if (!decorators.includes(decorator)) decorators.push(decorator);
  }
  return decorators;
}

/**
 * The argument slots of a task with marked parameters, left to right: a marked index gets its
 * marker's slot (param, signal or context), every other index the next listed input.
 */
function bindMarkedArguments(
  workflow: string,
  task: string,
  metadata: MemberMetadata,
  listedInputs: readonly number[],
  baseClass: string | undefined,
): number[] {
  const slotByIndex = new Map<number, number>();
  for (const { index, slot } of metadata.markedParameters) slotByIndex.set(index, slot);
  const arity = listedInputs.length + slotByIndex.size;
  const marked = [...slotByIndex.keys()].sort((a, b) => a - b);
  const highestMarked = marked[marked.length - 1];
  if (highestMarked >= arity) {
    throw definitionErrors.parameterGap(
      workflow,
      task,
      highestMarked,
      arity,
      listedInputs.length,
      unfilledPositions(marked, listedInputs.length),
      baseClass,
    );
  }
  const slots: number[] = [];
  let nextInput = 0;
  for (let index = 0; index < arity; index++) {
    slots.push(slotByIndex.get(index) ?? listedInputs[nextInput++]);
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

/**
 * The error for `task` depending on `dependency`, which is no task. The suggestion never names
 * `task` itself: depending on it would be a cycle, not a fix.
 */
function unknownDependency(
  prototype: object,
  workflow: string,
  task: string,
  dependency: string,
  indexByName: ReadonlyMap<string, number>,
  baseClass: string | undefined,
) {
  const otherTasks = [...indexByName.keys()].filter((name) => name !== task);
  // Several tasks in one string ('load, price'): each is to be an argument of its own.
  const parts = dependency.split(',').map((part) => part.trim());
  const tasksInOneString =
    parts.length > 1 && parts.every((part) => part !== task && indexByName.has(part))
      ? parts
      : undefined;
  return definitionErrors.unknownDependency(
    workflow,
    task,
    dependency,
    didYouMean(dependency, otherTasks),
    methodKindOf(prototype, dependency),
    tasksListed(otherTasks),
    tasksInOneString,
    baseClass,
  );
}

/**
 * Whether `name` is an (undecorated) method of the class of `prototype` or a static method of it
 * or of a base class, `undefined` when neither: `'expressionMethod'` for a method of a class
 * without a name, a class expression (a mixin's `return class extends Base { … }`), whose member
 * decorators `experimentalDecorators` do not allow, so a build that does not type-check drops them.
 * Reads descriptors only: no getter runs.
 */
function methodKindOf(
  prototype: object,
  name: string,
): 'method' | 'expressionMethod' | 'static' | undefined {
  const chain = prototypeChain(prototype);
  const owner = ownerOf(chain, name);
  if (owner !== undefined) {
    if (!isOwnMethod(owner, name)) return undefined;
    const ownerClass = classOfPrototype(owner);
    return ownerClass !== undefined && classNameOf(ownerClass) === ''
      ? 'expressionMethod'
      : 'method';
  }
  for (const classPrototype of chain) {
    const constructor = classOfPrototype(classPrototype);
    if (constructor !== undefined && Object.hasOwn(constructor, name)) {
      return isOwnMethod(constructor, name) ? 'static' : undefined;
    }
  }
  return undefined;
}

/**
 * The name of the class at the start of `chain`, and how many levels of `chain` are that class. A
 * class decorator that returns an anonymous `class extends Target` leaves the first level
 * nameless: then the nearest named base is used, and it and the levels before it are the class.
 * A stand-in that took the name of the class it replaced (as libraries that keep names do, and
 * esbuild's `keepNames`, so tsx) is that class too, not a subclass of the same name.
 * A nameless level that is no such stand-in (see {@link isWrittenClass}) is the workflow class
 * itself, written as a class expression (a mixin's `class extends Base { … }`): it is
 * `(anonymous workflow)`, and the named classes after it are its base classes, so neither its
 * mistakes nor its tasks are put down to them.
 */
function workflowNameOf(chain: readonly object[]): { workflow: string; ownLevels: number } {
  for (let level = 0; level < chain.length; level++) {
    const name = classNameOfPrototype(chain[level]);
    if (name !== '') {
      let last = level;
      while (
        last + 1 < chain.length &&
        classNameOfPrototype(chain[last + 1]) === name &&
        !isWrittenClass(chain[last])
      ) {
        last++;
      }
      return { workflow: name, ownLevels: last + 1 };
    }
    if (isWrittenClass(chain[level])) break;
  }
  return { workflow: '(anonymous workflow)', ownLevels: 1 };
}

/**
 * Whether the nameless class of `prototype` declares tasks of its own, rather than standing in for
 * the class a class decorator replaced. A stand-in declares nothing; or, with standard decorators,
 * its class's metadata (which the decorator's target recorded, and the stand-in took over) lists
 * methods it does not hold, beside any its decorator gave it. Fields and `#private` members are on
 * no prototype, so only its other members tell (a mixin's `#private` task is its own mistake, not
 * its base class's). Without `context.metadata` (TypeScript 5.0 and 5.1) a stand-in that declares
 * tasks cannot be told from a class expression.
 */
function isWrittenClass(prototype: object): boolean {
  const members = readOwnMembers(prototype);
  const onPrototype = members.filter(
    (member) => member.kind !== 'field' && member.isPrivate !== true,
  );
  return (
    onPrototype.length > 0 && onPrototype.every((member) => Object.hasOwn(prototype, member.key))
  );
}
