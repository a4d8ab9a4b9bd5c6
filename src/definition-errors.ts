/**
 * Every error about a workflow's definition — a decorated class or a builder's nodes — and every
 * message that explains one, in one place. Messages always name the workflow and, where one is
 * involved, the task, and say how to fix the problem.
 */
import { bareName, describeInput, errorAsJson, joinedNames, quotedName } from './describe.js';
import type { MemberKind } from './metadata.js';
import { shareInstanceof } from './shared.js';

/**
 * The codes of {@link WorkflowDefinitionError}, each naming one kind of mistake:
 * - `CYCLE`: dependencies form a cycle (a task depending on itself included);
 * - `UNKNOWN_DEPENDENCY`: `@DependsOn` names no task of the class, or is given an input that is
 *   neither a task name nor a token;
 * - `NOT_A_TASK`: `@DependsOn`, `@Param`, `@Signal` or `@Context` on a member without `@Task()`;
 * - `PARAMETER_GAP`: a marked parameter leaves an argument that no input fills;
 * - `INVALID_TASK`: `@Task` on a member that cannot be a task (static, accessor, symbol-named) or
 *   twice on one method, an invalid `TaskOptions` value; for a builder, an invalid node (an `fn`
 *   that is not a function, a taken name, a node of another DAG);
 * - `NO_TASKS`: the class (hierarchy) has no `@Task()` method, or the builder no node;
 * - `SEALED`: a builder's `addNode` or `addImmediateNode` after its first use.
 *
 * @example
 * ```ts
 * const code: DefinitionErrorCode | undefined =
 *   error instanceof WorkflowDefinitionError ? error.code : undefined;
 * ```
 */
export type DefinitionErrorCode =
  | 'CYCLE'
  | 'UNKNOWN_DEPENDENCY'
  | 'NOT_A_TASK'
  | 'PARAMETER_GAP'
  | 'INVALID_TASK'
  | 'NO_TASKS'
  | 'SEALED';

/**
 * The error for a workflow class that is not a valid workflow; its `code` says what is wrong (see
 * {@link DefinitionErrorCode}). Thrown by `Workflow.validate` and `Workflow.graph`, and by
 * `Workflow.invoke` (as its rejection) and `Workflow.stream`, before any task starts. A builder's
 * DAG gets it too: from `addNode` and `addImmediateNode` at once (an invalid node, or `SEALED`
 * after the DAG's first use), and from its first use when it has no nodes (`NO_TASKS`).
 *
 * @example
 * ```ts
 * try {
 *   Workflow.validate(Checkout);
 * } catch (error) {
 *   if (error instanceof WorkflowDefinitionError && error.code === 'CYCLE') console.error(error.message);
 * }
 * ```
 */
export class WorkflowDefinitionError extends Error {
  /** Always `'WorkflowDefinitionError'`. */
  override readonly name = 'WorkflowDefinitionError';
  /**
   * For `CYCLE`, the whole cycle: its tasks in execution order, the first repeated at the end
   * (`['a', 'b', 'c', 'a']`). The message shows at most 100 of them. Not enumerable, and not in
   * the error's JSON, which has the message. `undefined` for the other codes.
   */
  declare readonly cycle?: readonly string[];

  constructor(
    /** What is wrong, as a stable code. */
    readonly code: DefinitionErrorCode,
    /** The workflow's name: its class name, or a builder's `name`. */
    readonly workflow: string,
    /** The task (or member) involved, when there is one. */
    readonly task: string | undefined,
    message: string,
    /** For `CYCLE`: the cycle, as {@link WorkflowDefinitionError.cycle} holds it. */
    cycle?: readonly string[],
  ) {
    super(`${bareName(workflow)}: ${message}`);
    if (cycle !== undefined) {
      Object.defineProperty(this, 'cycle', { value: Object.freeze([...cycle]) });
    }
  }

  /**
   * The error as JSON holds it — what a structured logger writes: `name`, `message`, `code`,
   * `workflow` and `task` (not `cycle`: the message shows it whole up to 100 tasks, a longer one
   * by its first and last 50).
   */
  toJSON(): object {
    return errorAsJson(this, { code: this.code, workflow: this.workflow, task: this.task });
  }
}
shareInstanceof(WorkflowDefinitionError, 'WorkflowDefinitionError');

/**
 * `problem`, said of a member that base class `baseClass` declared (`undefined`: the workflow class
 * itself did), as the scanner reports a base's mistake against each subclass.
 */
function inBaseClass(problem: string, baseClass: string | undefined): string {
  return baseClass === undefined ? problem : `in its base class ${baseClass}: ${problem}`;
}

/**
 * The advice for `decorators` on a getter, setter or field, which `@Task()` cannot make a task:
 * move them to `method` (`'a method'`, or `'an instance method'` for a static member).
 */
function notAMethodAdvice(
  kind: 'accessor' | 'field',
  decorators: readonly string[],
  method: string,
): string {
  const them = decorators.length === 1 ? 'it' : 'them';
  return (
    `A ${kind === 'field' ? 'field' : 'getter or setter'} cannot be a task: put ` +
    `${decorators.join(', ')} on ${method} with @Task(), or remove ${them}.`
  );
}

/**
 * For an array given to `@DependsOn` as one input (`@DependsOn(['load', 'price'])`, which only
 * JavaScript or a build that does not type-check lets through): how to write its inputs, each as
 * its own argument — by name when it holds a few strings, else by spreading it. `''` for any other
 * input. Never throws: a hostile array is told to be spread.
 */
function oneArgumentEach(input: unknown): string {
  if (describeInput(input) !== 'an array') return '';
  const spread = ', each as its own argument: spread the array, @DependsOn(...inputs)';
  try {
    const items = input as readonly unknown[];
    if (items.length === 0 || items.length > 5) return spread;
    if (!items.every((item) => typeof item === 'string')) return spread;
    return `, each as its own argument: @DependsOn(${items.map(describeInput).join(', ')})`;
  } catch {
    return spread; // a Proxy whose traps throw
  }
}

/** What each input token stands for, by its name: for a token's name given as a task name. */
const TOKEN_INPUTS: Readonly<Record<string, string>> = {
  PARAM: 'invocation parameter',
  SIGNAL: 'abort signal',
  CONTEXT: 'task context',
};

/**
 * The message builders of {@link WorkflowDefinitionError}, one per situation. Those about one
 * member take `baseClass`: the base class that declared it, when that is not the workflow class.
 */
export const definitionErrors = {
  cycle(workflow: string, path: readonly string[]): WorkflowDefinitionError {
    const arrow = cycleText(path);
    return new WorkflowDefinitionError(
      'CYCLE',
      workflow,
      path[0],
      path.length === 2
        ? `task ${quotedName(path[0])} depends on itself (${arrow}). Remove ${quotedName(path[0])} from its own @DependsOn.`
        : `dependency cycle ${arrow} (each task runs after the one before it). ` +
            `Remove one of these @DependsOn links.`,
      path,
    );
  },

  unknownDependency(
    workflow: string,
    task: string,
    dependency: string,
    /** `didYouMean`'s hint for the closest task name, `''` when none is close. */
    didYouMeanHint: string,
    /**
     * What `dependency` names, if a method: an undecorated one (of a nameless class expression,
     * whose decorators may have been dropped), or a static one.
     */
    dependencyMethod: 'method' | 'expressionMethod' | 'static' | undefined,
    /** `tasksListed`'s list of the other tasks, for when no name is close. */
    otherTasks: string,
    /** The tasks `dependency` names when it is several names in one string (`'load, price'`). */
    tasksInOneString: readonly string[] | undefined,
    baseClass?: string,
  ): WorkflowDefinitionError {
    let hint: string;
    if (tasksInOneString !== undefined) {
      hint =
        ` List each task as its own argument: ` +
        `@DependsOn(${tasksInOneString.map((name) => quotedName(name)).join(', ')}).`;
    } else if (dependency === 'constructor') {
      hint =
        ` "constructor" is the class constructor, which can never be a task: move the work it ` +
        `does into a @Task() method and depend on that.${didYouMeanHint}`;
    } else if (dependencyMethod === 'method') {
      hint = ` ${quotedName(dependency)} is a method: add @Task() to it.`;
    } else if (dependencyMethod === 'expressionMethod') {
      hint =
        ` ${quotedName(dependency)} is a method: add @Task() to it. If it has @Task(), its class ` +
        `is a class expression without a name (a mixin's \`return class extends Base { … }\`), ` +
        `whose member decorators "experimentalDecorators" do not allow (tsc reports TS1206, and a ` +
        `build that does not type-check drops them): declare the class in the mixin function, and ` +
        `return it.`;
    } else if (dependencyMethod === 'static') {
      hint =
        ` ${quotedName(dependency)} is a static method: tasks are instance methods. Remove "static" and ` +
        `add @Task() to it.`;
    } else if (dependency.startsWith('#') && didYouMeanHint === '') {
      hint =
        ` A #private method cannot be a task (tasks are looked up on the instance by name): ` +
        `make it a @Task() method with TypeScript's "private" keyword instead of "#", and ` +
        `depend on its name without "#".`;
    } else if (Object.hasOwn(TOKEN_INPUTS, dependency.toUpperCase())) {
      // A token's name written as a string: the token is what was meant.
      const token = dependency.toUpperCase();
      hint =
        ` To take the ${TOKEN_INPUTS[token]}, list the ${token} token (imported from ` +
        `'async-dag'), not the string ${quotedName(dependency)}.${didYouMeanHint}`;
    } else {
      hint =
        didYouMeanHint ||
        ` Check the spelling, or add a @Task() method with that name.${otherTasks}`;
    }
    return new WorkflowDefinitionError(
      'UNKNOWN_DEPENDENCY',
      workflow,
      task,
      inBaseClass(
        `task ${quotedName(task)} depends on ${quotedName(dependency)}, which is not a task.${hint}`,
        baseClass,
      ),
    );
  },

  notATask(
    workflow: string,
    member: string,
    decorators: readonly string[],
    /** The base class that declared the member, when it is not `workflow` itself. */
    baseClass?: string,
    /** What the member is: a getter or a field cannot take `@Task()` either. */
    kind?: MemberKind,
    /** Whether it is a static member (a method of those becomes a task by losing `static`). */
    isStatic = false,
  ): WorkflowDefinitionError {
    const where = baseClass === undefined ? '' : ` in ${baseClass}`;
    let advice: string;
    if (member === 'constructor') {
      advice =
        'The constructor can never be a task: mark the parameters of a @Task() method instead.';
    } else if (kind === 'accessor' || kind === 'field') {
      advice = notAMethodAdvice(kind, decorators, isStatic ? 'an instance method' : 'a method');
    } else if (isStatic) {
      advice =
        `Tasks must be instance methods: remove "static" and add @Task() to ${quotedName(member)}${where}, ` +
        `or remove ${decorators.join(', ')}.`;
    } else if (baseClass !== undefined) {
      advice = `Add @Task() to ${quotedName(member)}${where}, or override it in ${bareName(workflow)} with @Task().`;
    } else {
      advice = `Add @Task() to ${quotedName(member)} (an override must repeat @Task() to change an inherited task).`;
    }
    const owner = baseClass === undefined ? 'this class' : `its base class ${baseClass}`;
    const subject = isStatic ? `static member ${quotedName(member)}` : quotedName(member);
    return new WorkflowDefinitionError(
      'NOT_A_TASK',
      workflow,
      member,
      `${decorators.join(', ')} on ${subject}, which is not a @Task() method of ${owner}. ${advice}`,
    );
  },

  invalidInput(
    workflow: string,
    task: string,
    position: number,
    input: unknown,
    baseClass?: string,
  ): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'UNKNOWN_DEPENDENCY',
      workflow,
      task,
      inBaseClass(
        `input ${position + 1} of task ${quotedName(task)} is ${describeInput(input)}, which is neither a ` +
          `task name nor a token. @DependsOn takes task names (strings) and the tokens PARAM, ` +
          `SIGNAL and CONTEXT${oneArgumentEach(input)}.`,
        baseClass,
      ),
    );
  },

  parameterGap(
    workflow: string,
    task: string,
    index: number,
    arity: number,
    dependencyCount: number,
    unfilled: readonly (readonly [first: number, last: number])[],
    baseClass?: string,
  ): WorkflowDefinitionError {
    const count = unfilled.reduce((total, [first, last]) => total + last - first + 1, 0);
    const plural = count === 1 ? '' : 's';
    return new WorkflowDefinitionError(
      'PARAMETER_GAP',
      workflow,
      task,
      inBaseClass(
        `parameter ${index + 1} of task ${quotedName(task)} is marked, but the task receives only ${arity} ` +
          `argument${arity === 1 ? '' : 's'} (${dependencyCount} from @DependsOn plus the marked ` +
          `ones), so parameter${plural} ${positionsText(unfilled)} would get no value. ` +
          `Add the missing @DependsOn names or move the marked parameter left.`,
        baseClass,
      ),
    );
  },

  invalidTask(
    workflow: string,
    member: string,
    problem: string,
    baseClass?: string,
  ): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'INVALID_TASK',
      workflow,
      member,
      inBaseClass(problem, baseClass),
    );
  },

  noNodes(workflow: string): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'NO_TASKS',
      workflow,
      undefined,
      `the DAG has no nodes. Add nodes with addNode() or addImmediateNode() before using it.`,
    );
  },

  sealed(workflow: string, method: string): WorkflowDefinitionError {
    return new WorkflowDefinitionError(
      'SEALED',
      workflow,
      undefined,
      `${method}() after the DAG was sealed by its first invoke(), stream(), graph(), toMermaid() ` +
        `or validate(). Add every node before using the DAG, or build another with buildDag().`,
    );
  },

  /** `copied`: `@Task()` methods of other classes copied onto it (the handbook's `applyMixins`). */
  noTasks(
    workflow: string,
    copied: readonly { task: string; declaredIn: string }[],
  ): WorkflowDefinitionError {
    if (copied.length > 0) {
      // A task copied onto a base class and onto the class itself is named once.
      const tasks = [...new Set(copied.map(({ task }) => task))];
      const shown = fewOf(tasks.map(quotedName));
      const classes = fewOf(
        [...new Set(copied.map(({ declaredIn }) => declaredIn))].map((name) =>
          joinedNames([name], ', '),
        ),
      );
      const methods = tasks.length === 1 ? `its method ${shown} was` : `its methods ${shown} were`;
      return new WorkflowDefinitionError(
        'NO_TASKS',
        workflow,
        undefined,
        `the class has no @Task() methods of its own: ${methods} decorated in ` +
          `${classes} and copied onto it (as the TypeScript handbook's applyMixins does). With ` +
          `"experimentalDecorators": true a task belongs to the class that declares it, so a copy ` +
          `is no task. Write each mixin as a function that declares and returns a class extending ` +
          `its argument (class extends Base { @Task() … }) and extend the result, or compile ` +
          `with standard decorators, which find copied tasks.`,
      );
    }
    return new WorkflowDefinitionError(
      'NO_TASKS',
      workflow,
      undefined,
      `the class has no @Task() methods. Decorate its methods with @Task(); both decorator ` +
        `modes work: standard decorators (TypeScript 5.0+, no setting) and ` +
        `"experimentalDecorators": true (as NestJS uses). If its methods are decorated, the ` +
        `decorators did not run: with experimentalDecorators, a class expression loses them ` +
        `(declare the class instead); with standard decorators on TypeScript 5.0 or 5.1, a ` +
        `decorator written above @Task() that replaces the method hides it (write @Task() and ` +
        `@DependsOn() nearest the method).`,
    );
  },
};

/** A list of names longer than this is cut short in messages (see {@link fewOf}). */
const MOST_NAMES_LISTED = 10;

/**
 * `names` (already as a message writes them) joined with `, `: the first {@link MOST_NAMES_LISTED}
 * and how many more, for a longer list (a generated class may copy thousands of tasks).
 */
function fewOf(names: readonly string[]): string {
  if (names.length <= MOST_NAMES_LISTED) return names.join(', ');
  const omitted = (names.length - MOST_NAMES_LISTED).toLocaleString('en');
  return `${names.slice(0, MOST_NAMES_LISTED).join(', ')} and ${omitted} more`;
}

/** A cycle of more tasks than this shows only its first and last half of this many in messages. */
const MOST_CYCLE_TASKS_SHOWN = 100;

/**
 * A cycle path (`[a, b, c, a]`) as `a -> b -> c -> a` (a name that would split the line, or holds
 * `->`, quoted, as {@link joinedNames} writes it). A longer cycle than
 * {@link MOST_CYCLE_TASKS_SHOWN} tasks — generated classes make them — shows its
 * first and last 50 and says how many it leaves out between them, so the message stays a few
 * lines long instead of a megabyte of names (the error's `cycle` holds them all).
 */
function cycleText(path: readonly string[]): string {
  const taskCount = path.length - 1;
  const arrows = (tasks: readonly string[]) => joinedNames(tasks, ' -> ');
  if (taskCount <= MOST_CYCLE_TASKS_SHOWN) return arrows(path);
  const half = MOST_CYCLE_TASKS_SHOWN / 2;
  const head = arrows(path.slice(0, half));
  const tail = arrows(path.slice(taskCount - half));
  const omitted = (taskCount - MOST_CYCLE_TASKS_SHOWN).toLocaleString('en');
  return `${head} -> … ${omitted} more … -> ${tail}`;
}

/**
 * Parameter indices as the positions a reader counts, from 1: `3`, `1..4` for a contiguous run, or
 * `1, 3..5, 7` for several (the indices `2`, `0..3`, `0, 2..4, 6`).
 */
function positionsText(ranges: readonly (readonly [first: number, last: number])[]): string {
  return ranges
    .map(([first, last]) => (first === last ? String(first + 1) : `${first + 1}..${last + 1}`))
    .join(', ');
}
