/**
 * Checks `InvokeOptions` against a workflow's plan and turns them into the index-based settings the
 * scheduler uses. Every mistake is a `WorkflowOptionsError`, thrown before any task starts.
 */
import { signalProperty } from './abort-subscriptions.js';
import {
  awaitOptionsHint,
  bareName,
  causedBy,
  describeInput,
  describeThrown,
  isNamedOptions,
  quotedName,
} from './describe.js';
import { WorkflowOptionsError } from './errors.js';
import {
  HOOK_NAMES,
  isHookName,
  otherLibrariesNameHint,
  RUN_OPTION_NAMES,
  TASK_OPTION_NAMES,
} from './option-names.js';
import type { WorkflowPlan } from './plan.js';
import { classNameOf, isClassConstructor, isOwnMethod, prototypeChain } from './prototypes.js';
import { closestName, didYouMean, taskNameHint, unknownKey } from './suggest.js';
import { shownToken } from './tokens.js';
import type { RunAbort } from './run-abort.js';
import type { EventSink } from './run-events.js';
import type { InterceptorLayer } from './interceptors.js';
import type { InvokeOptions, WorkflowInterceptor } from './types.js';

/** The options of one run, resolved to task indexes. */
export interface RunSettings {
  readonly concurrency: number;
  /** Which tasks run; `undefined` means all of them. */
  readonly included: Uint8Array | undefined;
  /**
   * The order of the ready queue under a concurrency limit: the plan's ranks, or with `targets`
   * those of the tasks that run. `undefined` without a limit (first ready, first started).
   */
  readonly ranks: Int32Array | undefined;
  /** Replacement functions by task index; `undefined` when there are none. */
  readonly overrides: (Function | undefined)[] | undefined;
  readonly hooks: ResolvedHooks | undefined;
  readonly failFast: boolean;
  readonly signal: AbortSignal | undefined;
  /** The `run` methods of the interceptors, outermost first; `undefined` when there are none. */
  readonly runInterceptors: readonly InterceptorLayer[] | undefined;
  /** The `task` methods of the interceptors, outermost first; `undefined` when there are none. */
  readonly taskInterceptors: readonly InterceptorLayer[] | undefined;
  /** Where a streamed run sends its events (set by `Workflow.stream`, not an option). */
  readonly eventSink: EventSink | undefined;
  /** How a stream aborts its run when its reader leaves early (set by `Workflow.stream`). */
  readonly internalAbort: RunAbort | undefined;
}

/**
 * The hook functions of one run, read once from the `hooks` object (own properties, getters and
 * prototype methods alike); each is called with `this` = {@link ResolvedHooks.receiver}.
 */
export interface ResolvedHooks {
  /** The `hooks` object the user gave: `this` inside every hook. */
  readonly receiver: object;
  readonly onTaskStart: HookFunction | undefined;
  readonly onTaskSuccess: HookFunction | undefined;
  readonly onTaskFailure: HookFunction | undefined;
  readonly onTaskRetry: HookFunction | undefined;
  readonly onTaskProgress: HookFunction | undefined;
  readonly onTaskSkip: HookFunction | undefined;
}

/** A hook as the run calls it, with `this` = the hooks object. */
export type HookFunction = (this: object | undefined, event: any) => unknown;

/** A name a hook could have: `on` and a capital letter. */
const HOOK_LIKE = /^on[A-Z]/;

/*
 * Every RunSettings is made by an object literal with the same keys in the same order (here, in
 * `checkRunOptions` and in `streamedRunSettings`), so that they share one shape and the run's reads
 * of them stay monomorphic; a spread (`{ ...settings, eventSink }`) is not sure to make that shape.
 */
const DEFAULT_SETTINGS: RunSettings = {
  concurrency: Infinity,
  included: undefined,
  ranks: undefined,
  overrides: undefined,
  hooks: undefined,
  failFast: true,
  signal: undefined,
  runInterceptors: undefined,
  taskInterceptors: undefined,
  eventSink: undefined,
  internalAbort: undefined,
};

/** `settings` for a streamed run: its events go to `eventSink`, and `internalAbort` stops it. */
export function streamedRunSettings(
  settings: RunSettings,
  eventSink: EventSink,
  internalAbort: RunAbort,
): RunSettings {
  return {
    concurrency: settings.concurrency,
    included: settings.included,
    ranks: settings.ranks,
    overrides: settings.overrides,
    hooks: settings.hooks,
    failFast: settings.failFast,
    signal: settings.signal,
    runInterceptors: settings.runInterceptors,
    taskInterceptors: settings.taskInterceptors,
    eventSink,
    internalAbort,
  };
}

/**
 * What a front end makes of an entry of `targets` before it is looked up by name: a builder turns
 * its nodes into their names (and throws `WorkflowOptionsError` for another DAG's node).
 */
export type TargetName = (target: unknown) => unknown;

/**
 * Validates `options` for a run of `plan`. Anything wrong — including an option object whose
 * properties throw when read — is a `WorkflowOptionsError` naming the option. `targetName` maps
 * each entry of `targets` first (see {@link TargetName}).
 */
export function resolveRunSettings(
  plan: WorkflowPlan,
  options: InvokeOptions | undefined,
  param: unknown,
  /** How the caller's call reads up to its param, for messages: `'Workflow.invoke(instance, '`. */
  call: string,
  targetName?: TargetName,
): RunSettings {
  // The checks are a function of their own: their closure over `plan` would cost every call.
  if (options !== undefined) return checkRunOptions(plan, options, targetName);
  if (param !== undefined && !plan.readsParam) refuseOptionsAsParam(plan, param, call);
  return DEFAULT_SETTINGS;
}

/**
 * Throws when `param`, given to a run without options whose tasks read no param, holds option
 * names only (`Workflow.invoke(flow, { signal })`) or is an `AbortSignal` (meant as `{ signal }`):
 * options given where the param goes are the param, so the signal would never abort the run, nor a
 * limit apply — and TypeScript takes them for the param's type. Keys are listed without reading
 * their values.
 */
function refuseOptionsAsParam(plan: WorkflowPlan, param: unknown, call: string): void {
  let given: string;
  let options: string;
  try {
    if (typeof param !== 'object' || param === null) return;
    if (isPlainObject(param)) {
      const keys = Object.keys(param);
      if (keys.length === 0 || !keys.every((key) => RUN_OPTION_NAMES.includes(key))) return;
      options = `{ ${keys.join(', ')} }`;
      given = `${options}, option names only,`;
    } else if (isAbortSignal(param)) {
      options = '{ signal }';
      given = 'an AbortSignal';
    } else return;
  } catch {
    return; // a Proxy whose traps throw: no options
  }
  throw new WorkflowOptionsError(
    plan.workflow,
    'options',
    `none were given, but the param is ${given} and no task reads the param. Options come after ` +
      `the param: ${call}undefined, ${options}).`,
  );
}

function checkRunOptions(
  plan: WorkflowPlan,
  options: InvokeOptions,
  targetName: TargetName | undefined,
): RunSettings {
  const invalid = (option: string, message: string) =>
    new WorkflowOptionsError(plan.workflow, option, message);
  if (!isNamedOptions(options)) {
    throw invalid(
      'options',
      `must be an object, got ${describeInput(options)}.${awaitOptionsHint(options)}`,
    );
  }
  let option = 'options';
  try {
    const unknown = unknownKey(options, RUN_OPTION_NAMES);
    if (unknown !== undefined)
      throw invalid(unknown, `unknown option.${unknownOptionHint(unknown)}`);
    // A signal given as the options (`invoke(flow, param, signal)`, which only JavaScript lets
    // through) holds no option: read as one, it would leave the run impossible to abort.
    if (Object.getPrototypeOf(options) !== Object.prototype && isAbortSignal(options)) {
      throw invalid(option, 'must be an object, got an AbortSignal: pass it as { signal }.');
    }
    option = 'concurrency';
    const { concurrency = Infinity } = options;
    if (
      typeof concurrency !== 'number' ||
      !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))
    ) {
      throw invalid(
        option,
        `must be a positive integer or Infinity, got ${describeInput(concurrency)}.` +
          awaitOptionsHint(concurrency),
      );
    }
    option = 'failFast';
    const { failFast = true } = options;
    if (typeof failFast !== 'boolean') {
      throw invalid(
        option,
        `must be true or false, got ${describeInput(failFast)}.${awaitOptionsHint(failFast)}`,
      );
    }
    option = 'signal';
    const { signal } = options;
    if (signal !== undefined && !isAbortSignal(signal)) {
      const given =
        (signal as object) instanceof AbortController
          ? 'an AbortController: pass its signal (controller.signal)'
          : describeInput(signal);
      throw invalid(option, `must be an AbortSignal, got ${given}.${awaitOptionsHint(signal)}`);
    }
    option = 'hooks';
    const hooks = resolveHooks(options.hooks, invalid);
    option = 'targets';
    const targets = resolveTargets(plan, options.targets, targetName, invalid);
    const included = targets === undefined ? undefined : plan.closure(targets);
    const ranks =
      concurrency === Infinity
        ? undefined
        : included === undefined
          ? plan.ranks()
          : plan.ranksWithin(targets!, included);
    option = 'overrides';
    const overrides = resolveOverrides(plan, options.overrides, invalid);
    option = 'interceptors';
    const layers = resolveInterceptors(options.interceptors, invalid);
    return {
      concurrency,
      included,
      ranks,
      overrides,
      hooks,
      failFast,
      signal,
      runInterceptors: layers?.run,
      taskInterceptors: layers?.task,
      eventSink: undefined,
      internalAbort: undefined,
    };
  } catch (error) {
    if (error instanceof WorkflowOptionsError) throw error;
    // A getter, a Proxy trap or an iterator of the user's threw while we read the option.
    throw causedBy(invalid(option, `could not be read: ${describeThrown(error)}`), error);
  }
}

type InvalidOption = (option: string, message: string) => WorkflowOptionsError;

/**
 * What to do about an unknown `InvokeOptions` key: where it belongs when it is a task option or a
 * hook given to the run itself, else a close match (or our name for another library's, `limit`),
 * else the list of options. A key close to no
 * run option but to a task option or a hook (`timout`, `onTaskStrat`) gets that name, and where it
 * belongs.
 */
function unknownOptionHint(name: string): string {
  const elsewhere = belongsElsewhereHint(name);
  if (elsewhere !== '') return elsewhere;
  return (
    didYouMean(name, RUN_OPTION_NAMES) ||
    otherLibrariesNameHint(name, belongsElsewhereHint) ||
    didYouMean(name, [...TASK_OPTION_NAMES, ...HOOK_NAMES], belongsElsewhereHint) ||
    ` Options: ${RUN_OPTION_NAMES.join(', ')}.`
  );
}

/** Where a task option or a hook given to a run belongs; `''` for any other name. */
function belongsElsewhereHint(name: string): string {
  if (name === 'timeout') {
    return (
      ' A run has no "timeout": pass signal: AbortSignal.timeout(ms), or give each task its own ' +
      "with @Task({ timeout }) (or in addNode's options, for a builder)."
    );
  }
  if (TASK_OPTION_NAMES.includes(name)) {
    return ` "${name}" is a task option: give it to @Task({ ${name} }) (or to addNode, for a builder).`;
  }
  if (isHookName(name)) {
    return ` "${name}" is a hook: give it in hooks: { ${name} }.`;
  }
  return '';
}

function resolveTargets(
  plan: WorkflowPlan,
  targets: readonly string[] | undefined,
  targetName: TargetName | undefined,
  invalid: InvalidOption,
): number[] | undefined {
  if (targets === undefined) return undefined;
  if (!Array.isArray(targets) || targets.length === 0) {
    const expected = `a non-empty array of task names${targetName === undefined ? '' : ' or nodes'}`;
    throw invalid('targets', `must be ${expected}, got ${loneTarget(targets, targetName)}`);
  }
  // An index loop, not `map`: a hole (`[, 'a']`) is checked as `undefined`, not skipped.
  const indexes: number[] = [];
  for (let position = 0; position < targets.length; position++) {
    const target = targets[position];
    indexes.push(
      taskIndex(plan, targetName === undefined ? target : targetName(target), 'targets', invalid),
    );
  }
  return indexes;
}

/**
 * What `targets` is when it is no non-empty array, ending the sentence: a name or a builder's node
 * given alone (from JavaScript) gets the array to write.
 */
function loneTarget(targets: unknown, targetName: TargetName | undefined): string {
  if (Array.isArray(targets)) return 'an empty array.';
  if (typeof targets === 'string') {
    // Quoted and cut short as a name from outside is, in the array to write as well.
    const shown = describeInput(targets);
    return `${shown}. Put it in an array: targets: [${shown}].`;
  }
  // A builder's node is its name (a node of another builder throws, saying so).
  const name = targetName?.(targets);
  if (typeof name === 'string' && name !== targets) {
    return `node ${quotedName(name)}. Put it in an array: targets: [node].`;
  }
  const token = shownToken(targets);
  if (token !== undefined) return `${token}, an input of tasks, not a task.`;
  return `${describeInput(targets)}.${awaitOptionsHint(targets)}`;
}

function resolveHooks(hooks: unknown, invalid: InvalidOption): ResolvedHooks | undefined {
  if (hooks === undefined) return undefined;
  // A plain object holds only hooks; a class instance (or a class) may also hold collaborators (a
  // logger, an `onlyFailures` flag, EventEmitter's `on`), so only its functions named like a hook
  // (`onTask…`, `onSomething`) are checked: methods, getters and arrow-function fields.
  let plain = false;
  let names: Iterable<string>;
  if (typeof hooks === 'function') {
    // A function is hooks only with hooks of its own, as its type allows: a class whose hooks are
    // static.
    names = memberNames(hooks).all;
    if (!hasHook(names)) throw notHooks(hooks, invalid);
  } else if (isNamedOptions(hooks)) {
    plain = isPlainObject(hooks);
    names = plain ? Object.keys(hooks) : memberNames(hooks).all;
  } else {
    // A list or a Map of hooks has no hook named by a key: refused, rather than left uncalled.
    throw notHooks(hooks, invalid);
  }
  for (const name of names) {
    if (isHookName(name)) continue;
    if (plain || HOOK_LIKE.test(name)) {
      // A name far from every hook (`onProgress`, `onSkipped`) gets the list to pick from.
      const hint = didYouMean(name, HOOK_NAMES) || ` Hooks: ${HOOK_NAMES.join(', ')}.`;
      throw invalid('hooks', `${describeInput(name)} is not a hook.${hint}`);
    }
  }
  // Each hook read by its own name, in HOOK_NAMES order: a load of one name per site, which V8
  // inlines, where one site reading six names (`hooks[name]`) took its generic keyed-load stub.
  const given = hooks as Partial<Record<(typeof HOOK_NAMES)[number], unknown>>;
  const resolved: ResolvedHooks = {
    receiver: hooks,
    onTaskStart: hookFunction(given.onTaskStart, 'onTaskStart', invalid),
    onTaskSuccess: hookFunction(given.onTaskSuccess, 'onTaskSuccess', invalid),
    onTaskFailure: hookFunction(given.onTaskFailure, 'onTaskFailure', invalid),
    onTaskRetry: hookFunction(given.onTaskRetry, 'onTaskRetry', invalid),
    onTaskProgress: hookFunction(given.onTaskProgress, 'onTaskProgress', invalid),
    onTaskSkip: hookFunction(given.onTaskSkip, 'onTaskSkip', invalid),
  };
  // No hook at all (`{}`, what a conditional spread leaves, or every hook `undefined`): no hooks,
  // so that the run takes the path of a run without them, as an empty interceptor is switched off.
  return resolved.onTaskStart === undefined &&
    resolved.onTaskSuccess === undefined &&
    resolved.onTaskFailure === undefined &&
    resolved.onTaskRetry === undefined &&
    resolved.onTaskProgress === undefined &&
    resolved.onTaskSkip === undefined
    ? undefined
    : resolved;
}

/** Whether `names` include a hook's name. */
function hasHook(names: Iterable<string>): boolean {
  for (const name of names) if (isHookName(name)) return true;
  return false;
}

/**
 * The error for `hooks`, which are not hooks: a value that is no object, a collection, or a
 * function without hooks — a class whose instances have hook methods is named, with the instance
 * to pass instead.
 */
function notHooks(hooks: unknown, invalid: InvalidOption): WorkflowOptionsError {
  let given = describeInput(hooks);
  if (isClassConstructor(hooks)) {
    const prototype: unknown = hooks.prototype;
    if (
      typeof prototype === 'object' &&
      prototype !== null &&
      hasHook(memberNames(prototype).all)
    ) {
      const name = classNameOf(hooks) || 'Hooks';
      given = `the class ${name}: pass an instance (new ${name}())`;
    }
  }
  return invalid(
    'hooks',
    `must be an object of hook functions, got ${given}.${awaitOptionsHint(hooks)}`,
  );
}

/** `hook`, the value of the hook `name`, checked: a function or `undefined`. */
function hookFunction(
  hook: unknown,
  name: (typeof HOOK_NAMES)[number],
  invalid: InvalidOption,
): HookFunction | undefined {
  if (hook !== undefined && typeof hook !== 'function') {
    throw invalid('hooks', `"${name}" must be a function, got ${describeInput(hook)}.`);
  }
  return hook as HookFunction | undefined;
}

/**
 * The `run` and `task` methods of the interceptors given, each read once, here, as hooks are (see
 * resolveHooks): what the run calls, whatever the interceptor's members say later — a getter
 * behind a feature flag that switches it off mid-run must not make the next task call `undefined`.
 * `undefined` when no interceptors were given; each list `undefined` when it would be empty.
 */
function resolveInterceptors(
  interceptors: unknown,
  invalid: InvalidOption,
):
  | { run: readonly InterceptorLayer[] | undefined; task: readonly InterceptorLayer[] | undefined }
  | undefined {
  if (interceptors === undefined) return undefined;
  if (!Array.isArray(interceptors)) {
    throw invalid(
      'interceptors',
      `must be an array of interceptors, got ${describeInput(interceptors)}.` +
        awaitOptionsHint(interceptors),
    );
  }
  let runLayers: InterceptorLayer[] | undefined;
  let taskLayers: InterceptorLayer[] | undefined;
  // An index loop, not `forEach`: a hole (`[, logger]`) is checked as `undefined`, not skipped.
  for (let position = 0; position < interceptors.length; position++) {
    const interceptor: unknown = interceptors[position];
    // A function with the methods is an interceptor too, as its type allows: a class whose
    // methods are static.
    if (
      (typeof interceptor !== 'object' && typeof interceptor !== 'function') ||
      interceptor === null
    ) {
      throw notAnInterceptor(interceptor, position, invalid);
    }
    // `run`, then `task` (INTERCEPTOR_METHODS), each read by its own name: see resolveHooks.
    const members = interceptor as Partial<Record<InterceptorMethod, unknown>>;
    const run = members.run;
    checkInterceptorMethod(run, 'run', position, invalid);
    const task = members.task;
    checkInterceptorMethod(task, 'task', position, invalid);
    if (run === undefined && task === undefined) rejectMethodless(interceptor, position, invalid);
    const receiver = interceptor as WorkflowInterceptor;
    if (run !== undefined) {
      (runLayers ??= []).push({ interceptor: receiver, method: run as InterceptorLayer['method'] });
    }
    if (task !== undefined) {
      (taskLayers ??= []).push({
        interceptor: receiver,
        method: task as InterceptorLayer['method'],
      });
    }
  }
  return { run: runLayers, task: taskLayers };
}

/**
 * The error for interceptor `position`, which is not one: a value that is no object, or a function
 * without the methods — a class whose instances have them (NestJS lists interceptors by class)
 * is named, with the instance to pass instead.
 */
function notAnInterceptor(
  interceptor: unknown,
  position: number,
  invalid: InvalidOption,
): WorkflowOptionsError {
  let given = describeInput(interceptor);
  if (isClassConstructor(interceptor)) {
    const prototype: unknown = interceptor.prototype;
    const name = classNameOf(interceptor) || 'Interceptor';
    if (
      typeof prototype === 'object' &&
      prototype !== null &&
      prototypeChain(prototype).some((owner) =>
        INTERCEPTOR_METHODS.some((method) => isOwnMethod(owner, method)),
      )
    ) {
      given = `the class ${name}: pass an instance (new ${name}())`;
    }
  } else if (typeof interceptor === 'function') {
    given += functionInterceptorHint(interceptor);
  }
  return invalid(
    'interceptors',
    `interceptor ${position + 1} must be an object with run and/or task methods, got ${given}.` +
      awaitOptionsHint(interceptor),
  );
}

/**
 * For a function given as an interceptor: the object to wrap a middleware-style function in. One
 * whose `length` is 0 is first taken for a factory left uncalled (`openTelemetry` for
 * `openTelemetry()`), but may be a middleware all the same: `length` counts no rest parameter
 * (`(...args) => …`), nor any after the first with a default value (`(info = {}, next) => …`).
 */
function functionInterceptorHint(fn: Function): string {
  const wrap = 'give it as { task: fn }, around each task attempt, or { run: fn }, around the run';
  let length: unknown;
  try {
    length = Object.getOwnPropertyDescriptor(fn, 'length')?.value;
  } catch {
    // A Proxy whose trap throws: nothing to tell from it.
  }
  if (length !== 0) return `: ${wrap}`;
  const name = classNameOf(fn);
  const call = /^[A-Za-z_$][\w$]*$/.test(name) ? `call it: ${name}()` : 'call it';
  return `: if it makes the interceptor, ${call}; if it takes (info, next), ${wrap}`;
}

const INTERCEPTOR_METHODS = ['run', 'task'] as const;
type InterceptorMethod = (typeof INTERCEPTOR_METHODS)[number];

/** Throws unless `value`, the member `method` of interceptor `position`, is a function or `undefined`. */
function checkInterceptorMethod(
  value: unknown,
  method: InterceptorMethod,
  position: number,
  invalid: InvalidOption,
): void {
  if (value !== undefined && typeof value !== 'function') {
    throw invalid(
      'interceptors',
      `"${method}" of interceptor ${position + 1} must be a function, got ${describeInput(value)}.`,
    );
  }
}

/**
 * An interceptor with neither method is never called. An empty one (`{}`, what a conditional
 * spread leaves) is harmless, and so is one that names `run` or `task` but leaves it `undefined`
 * (`task: enabled ? trace : undefined`, switched off); one with other members is a mistake — a
 * misspelt `tsak`, or a NestJS interceptor's `intercept` — and is refused, with what to write
 * instead.
 */
function rejectMethodless(interceptor: object, position: number, invalid: InvalidOption): void {
  // A function is one only with the methods: a class whose instances have them is named. And the
  // promise of an interceptor, made asynchronously and not awaited, is said to be one.
  if (typeof interceptor === 'function' || awaitOptionsHint(interceptor) !== '') {
    throw notAnInterceptor(interceptor, position, invalid);
  }
  const names: Iterable<string> = isPlainObject(interceptor)
    ? Object.keys(interceptor)
    : memberNames(interceptor).all;
  let members = 0;
  let switchedOff = false;
  let misspelt: string | undefined;
  for (const name of names) {
    members++;
    if ((INTERCEPTOR_METHODS as readonly string[]).includes(name)) {
      switchedOff = true;
      continue;
    }
    const method = closestName(name, INTERCEPTOR_METHODS);
    if (method !== undefined) {
      misspelt = ` It has ${describeInput(name)}. Did you mean "${method}"?`;
      break;
    }
  }
  if (misspelt === undefined && (switchedOff || members === 0)) return;
  throw invalid(
    'interceptors',
    `interceptor ${position + 1} has neither a run nor a task method, so it would never be ` +
      `called.${misspelt ?? ' Give it run(info, next) and/or task(info, next).'}`,
  );
}

function resolveOverrides(
  plan: WorkflowPlan,
  overrides: unknown,
  invalid: InvalidOption,
): (Function | undefined)[] | undefined {
  if (overrides === undefined) return undefined;
  // A Map's or an array's own members (`get`, `0`) name no task: refused as a whole, not by member.
  if (!isNamedOptions(overrides)) {
    throw invalid(
      'overrides',
      `must be an object of functions, got ${describeInput(overrides)}.${awaitOptionsHint(overrides)}`,
    );
  }
  const names = isPlainObject(overrides)
    ? Object.keys(overrides)
    : instanceOverrides(plan, overrides);
  const byIndex: (Function | undefined)[] = new Array(plan.names.length);
  for (const name of names) {
    const index = taskIndex(plan, name, 'overrides', invalid);
    const override: unknown = (overrides as Record<string, unknown>)[name];
    if (override === undefined) continue;
    if (typeof override !== 'function') {
      throw invalid(
        'overrides',
        `${quotedName(name)} must be a function, got ${describeInput(override)}.`,
      );
    }
    byIndex[index] = override;
  }
  return byIndex;
}

/**
 * The names a class instance given as `overrides` overrides: its functions (each must name a task)
 * and its getters named after a task. Other getters are its own business (a label, a collaborator).
 */
function instanceOverrides(plan: WorkflowPlan, instance: object): string[] {
  const { methods, getters } = memberNames(instance);
  const names = [...methods];
  for (const name of getters) {
    if (!methods.has(name) && plan.indexByName.has(name)) names.push(name);
  }
  return names;
}

/** Whether `value` is an object literal (or has no prototype), rather than a class instance. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

/**
 * The names of a class instance's functions — its own properties that hold functions
 * (arrow-function fields, and those defined with `Object.defineProperty`, enumerable or not) and
 * the methods it inherits from its classes (not from `Object.prototype`) — and of its getters, own
 * or inherited; `all` has both, in the order met. Found from property descriptors, in one walk of
 * the chain: no getter is called.
 */
function memberNames(instance: object): {
  methods: Set<string>;
  getters: Set<string>;
  all: Set<string>;
} {
  const methods = new Set<string>();
  const getters = new Set<string>();
  const all = new Set<string>();
  const prototype = Object.getPrototypeOf(instance);
  const owners = prototype === null ? [instance] : [instance, ...prototypeChain(prototype)];
  for (const owner of owners) {
    for (const name of Object.getOwnPropertyNames(owner)) {
      if (owner !== instance && name === 'constructor') continue;
      if (isOwnMethod(owner, name)) methods.add(name);
      else if (isOwnGetter(owner, name)) getters.add(name);
      else continue;
      all.add(name);
    }
  }
  return { methods, getters, all };
}

function isOwnGetter(owner: object, name: string): boolean {
  return typeof Object.getOwnPropertyDescriptor(owner, name)?.get === 'function';
}

function taskIndex(plan: WorkflowPlan, name: unknown, option: string, invalid: InvalidOption) {
  const index = typeof name === 'string' ? plan.indexByName.get(name) : undefined;
  if (index === undefined) {
    // `PARAM`, `SIGNAL`, `CONTEXT` (a builder's `tm.parameterNode`): what tasks take, not a task.
    const token = shownToken(name);
    const what =
      token === undefined ? `${describeInput(name)} is not` : `${token} is an input of tasks, not`;
    // An object used as a computed key (`{ [node]: fn }`) is the string "[object Object]".
    const hint =
      name === '[object Object]'
        ? ' An object used as a key is "[object Object]": key by the name, as in { [node.name]: … }.'
        : taskNameHint(name, plan.names);
    throw invalid(option, `${what} a task of ${bareName(plan.workflow)}.${hint}`);
  }
  return index;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof signalProperty(value, 'aborted') === 'boolean' &&
    typeof signalProperty(value, 'addEventListener') === 'function' &&
    typeof signalProperty(value, 'removeEventListener') === 'function'
  );
}
