/**
 * Run invariants on random builder DAGs (API.md §2, §6–§9), checked from what the task bodies, the
 * hooks and the stream record — a port of the randomized fuzzer of the review that found the
 * stream-order bug (4bfe9e1) and the fallback that swallowed a throwing hook (a3113a2).
 *
 * A case is a DAG of up to 30 nodes, each with a behaviour per attempt (a value, a throw or a
 * `skip()`, synchronously or after microtasks or a 0–3 ms timer; a body that ignores or honours
 * its signal past its timeout; a throw that aborts the caller's signal a few microtasks later),
 * `when` rules, retries with `retryDelay` (none, 0, 1 ms, or a function returning either) and
 * `retryIf` (either may throw), timeouts, fallbacks (sync or async; returning, throwing, skipping,
 * aborting the caller's signal, honouring or ignoring their signal), priorities and SIGNAL /
 * CONTEXT / `progress()` inputs; and one to three concurrent runs of it, each with its own options:
 * concurrency, `failFast`, targets (names or nodes), hooks that record, throw, abort the caller's
 * signal (at once or in the next microtask) or reject later, a caller abort (before the run, after
 * microtasks or a timer), task and run interceptors (pass-through, async, dropping or ignoring
 * `next()`, catching, throwing) and a stream read to its end or left with `break`.
 *
 * Checked on every run (each violation names its kind, as fuzz.js did):
 * - it settles (within {@link RUN_DEADLINE_MS}), with a result or a `WorkflowExecutionError` /
 *   `WorkflowAbortedError` carrying one, and leaves no unhandled rejection (and no hook warning
 *   unless a hook rejected asynchronously);
 * - the trace: one entry per covered task, `has`/`get`, skip reasons, attempts within retries, no
 *   body call of an uncovered task, nothing started after the run settled;
 * - at every body start the dependencies have settled as the task's `when` rule needs, with the
 *   right arguments (values, `undefined` or `Settled`s); after a stop (abort, first failure under
 *   `failFast`, a throwing hook, leaving the stream) only `allSettled` tasks start;
 * - the concurrency limit (running bodies, and tasks holding a slot), priority order under a limit;
 * - signals: `SIGNAL` is `ctx.signal`; an `allSettled` task's signal aborts only at its timeout; a
 *   body running at a stop sees its signal abort; a body hanging past its timeout fails the
 *   attempt with `TaskTimeoutError`; bodies and fallbacks run in their run's async context;
 * - retries: a retry announced is made unless the run stopped before it started (with or without
 *   a delay); then an `allSettled` task still makes it, any other fails with that attempt's error
 *   (or its fallback gets that error);
 * - fallbacks: called once, when the task failed for good, with the error and a signal (the run's;
 *   aborted at the call iff the run had stopped, in the end iff it stopped; never aborting for an
 *   `allSettled` task), never after the run settled, which waits for them; the task ends as the
 *   fallback says (recovered from that error, skipped, or failed with what it threw);
 * - the outcome and error: which error, `task`, `cause`, first failure; `failures` names exactly
 *   the failed tasks (unless hooks misbehaved), with the errors their `taskFailure` events carried;
 * - hook and stream events against the trace (one terminal event per task, last; statuses, values,
 *   reasons, times), hooks and stream in the same order, stream `time` never decreasing, the
 *   iteration ending with the run's error, and `return()` settling after every started body.
 *
 * A second property draws only streamed runs whose hooks re-enter the run (mostly by aborting the
 * caller's signal), where 4bfe9e1's bug lived. A third draws small DAGs whose tasks mostly fail
 * and retry (mostly without a delay) and have fallbacks, in runs mostly stopped at a random point,
 * also between a failure and its retry. Each property can fail: when the first two were written,
 * with 4bfe9e1 reverted the second failed after 9 cases ("[hook-vs-stream]" and "[stream-time]":
 * an `onTaskSuccess` that aborts lets an allSettled task's events reach the stream before its
 * own), and with a3113a2 reverted the first failed after 311 ("[outcome] resolved despite
 * onTaskStart throwing for n0", n0 with a fallback). The third fails within 22 cases when a stop
 * no longer ends a retry without a delay ("[start-after-stop]"), when it ends an `allSettled`
 * task's ("[retry-dropped]"), or when a fallback gets no signal, the run's signal for an
 * `allSettled` task, or one that never aborts ("[fallback-args]", "[fallback-signal]").
 *
 * A fourth runs each case on its builder DAG and then on the same DAG as a decorated class (the
 * other call path of the scheduler), with the same checks: methods declared with tokens or
 * parameter decorators, sometimes split into a base class and a subclass that overrides some
 * methods (undecorated, or redeclaring the task over decoy metadata), and some tasks replaced by
 * `overrides` or by instance properties over the class's method; a class method that should not
 * run is a decoy whose call fails the case ("[decoy-ran]"). In half of the cases, with every timer
 * made a microtask, the class runs must do exactly what the builder runs did: outcome, failures,
 * trace, values, and the order of body calls, hooks, stream events and fallbacks
 * ("[class-vs-builder]"). It fails within a few cases when `overrides` or an instance property is
 * ignored.
 *
 * No check reads a clock: "before" and "after" are positions in one sequence every recorder
 * draws from. Timers only vary the interleavings; a body whose attempt may have timed out unseen
 * (a timed task without a signal, or whose signal a stop aborted first) counts as possibly
 * abandoned. Runs use a fixed seed; set `ASYNC_DAG_FUZZ_RUNS=<n>` for more runs (the second and
 * third properties run half as many, the fourth a quarter), `ASYNC_DAG_FUZZ_SEED=<n>` for another seed, and
 * `ASYNC_DAG_FUZZ_STATS=1` to print how often the cases reached the retry and fallback situations.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { expect } from 'chai';
import fc from 'fast-check';
import { numberFromEnvironment } from '../support/fuzz';
import {
  buildDag,
  Context,
  CONTEXT,
  type DagNode,
  DependsOn,
  Param,
  type ExecutionResult,
  PARAM,
  Signal,
  SIGNAL,
  skip,
  Task,
  type TaskContext,
  TaskTimeoutError,
  type WorkflowEvent,
  type WorkflowHooks,
  type WorkflowInterceptor,
  WorkflowAbortedError,
  WorkflowExecutionError,
  type WorkflowStream,
  Workflow,
} from '../../src';

// --- The spec of a case ------------------------------------------------------------------------

/** When an attempt's body settles: at once, after `ticks` microtasks, or after a timer. */
type Delay =
  | { readonly kind: 'sync' }
  | { readonly kind: 'micro'; readonly ticks: number }
  | { readonly kind: 'timer'; readonly ms: number };

/**
 * What one attempt does. `hang` ignores its signal and outlives its timeout; `honour` waits past
 * its timeout unless its signal aborts (both only on timed nodes; elsewhere they are `value`).
 * `abortThrow` aborts the caller's signal after `abortTicks` microtasks, then throws: the abort
 * lands between the failure and its retry, or during the retry (a retry without a delay starts in
 * a promise reaction queued at the failure).
 */
type Outcome = 'value' | 'throw' | 'skip' | 'hang' | 'honour' | 'abortThrow';

interface AttemptSpec {
  readonly outcome: Outcome;
  readonly delay: Delay;
  /** Whether the body reports progress (when it has a context). */
  readonly progress: boolean;
  /** For `abortThrow`: microtasks between the throw and the abort (0: the next one). */
  readonly abortTicks: number;
}

type RetryDelaySpec =
  | { readonly kind: 'number'; readonly ms: number }
  /** A function returning `ms`, throwing when called for attempt `throwsOnAttempt` (0: never). */
  | { readonly kind: 'function'; readonly ms: number; readonly throwsOnAttempt: number }
  /** A function returning 0 after odd attempts and 1 after even ones: both kinds of retry. */
  | { readonly kind: 'alternating' };

/** `odd`: retries after odd attempts only. */
type RetryIfMode = 'odd' | 'never' | 'always' | 'throw';

/**
 * What a fallback does. Sync: `value`, `throw`, `skip`, `abort` (aborts the caller's signal, then
 * returns a value). Async: `async`, `asyncThrow`, `asyncSkip` (after two microtasks); `honour`
 * (waits 3 ms unless its signal aborts, then rejects with the signal's reason); `ignore` (waits
 * 2 ms whatever its signal does, then returns a value).
 */
type FallbackMode =
  'value' | 'throw' | 'skip' | 'abort' | 'async' | 'asyncThrow' | 'asyncSkip' | 'honour' | 'ignore';

type WhenRule = 'noneFailed' | 'allSettled';

interface NodeSpec {
  readonly name: string;
  /** Indices of earlier nodes; a dependency may be listed twice. */
  readonly deps: readonly number[];
  readonly when: WhenRule | undefined;
  readonly retries: number;
  readonly retryDelay: RetryDelaySpec | undefined;
  readonly retryIf: RetryIfMode | undefined;
  readonly timeout: number | undefined;
  readonly fallback: FallbackMode | undefined;
  readonly priority: number | undefined;
  readonly usesSignal: boolean;
  readonly usesContext: boolean;
  /** One per attempt (`retries + 1`). */
  readonly attempts: readonly AttemptSpec[];
}

const HOOK_NAMES = [
  'onTaskStart',
  'onTaskSuccess',
  'onTaskFailure',
  'onTaskSkip',
  'onTaskRetry',
] as const;
type HookName = (typeof HOOK_NAMES)[number];

/**
 * A hook that misbehaves, once, when called for `task`. `abortLater` aborts the caller's signal in
 * the next microtask: from `onTaskRetry`, before a retry without a delay has started.
 */
interface HookChaos {
  readonly hook: HookName;
  readonly task: string;
  readonly action: 'throw' | 'abort' | 'abortLater' | 'asyncReject';
}

type CallerAbort =
  | { readonly kind: 'before' }
  | { readonly kind: 'micro'; readonly ticks: number }
  | { readonly kind: 'timer'; readonly ms: number };

/**
 * An interceptor; all but `run` act on attempt `attempt` of `task` only and pass every other
 * attempt through. `drop`: never calls `next()`; `callDrop`: calls it and ignores its promise;
 * `catch`: turns a rejection (not a skip) into a value.
 */
interface InterceptorSpec {
  readonly kind: 'pass' | 'asyncPass' | 'drop' | 'catch' | 'throw' | 'callDrop' | 'run';
  readonly task: string;
  readonly attempt: number;
}

interface RunSpec {
  readonly concurrency: number;
  /** Whether `concurrency` is passed even when it is `Infinity` (the default). */
  readonly passConcurrency: boolean;
  readonly failFast: boolean | undefined;
  readonly targets: readonly number[] | undefined;
  readonly targetsAsNodes: boolean;
  readonly hooks: 'none' | 'record' | 'chaos';
  readonly hookChaos: readonly HookChaos[];
  readonly abort: CallerAbort | undefined;
  readonly interceptors: readonly InterceptorSpec[];
  readonly stream: boolean;
  /** For a stream: leave the loop after this many events (+1). */
  readonly breakAfter: number | undefined;
}

/** A DAG and the runs made of it at once. */
interface CaseSpec {
  readonly nodes: readonly NodeSpec[];
  readonly runs: readonly RunSpec[];
}

// --- Readable counterexamples ------------------------------------------------------------------

function describeDelay(delay: Delay): string {
  if (delay.kind === 'sync') return 'sync';
  return delay.kind === 'micro' ? `${delay.ticks} ticks` : `${delay.ms} ms timer`;
}

function describeNode(node: NodeSpec, nodes: readonly NodeSpec[]): string {
  const parts = [`${node.name} <- [${node.deps.map((d) => nodes[d].name).join(', ')}]`];
  if (node.when !== undefined) parts.push(`when ${node.when}`);
  if (node.retries > 0) parts.push(`retries ${node.retries}`);
  const delay = node.retryDelay;
  if (delay?.kind === 'number') parts.push(`retryDelay ${delay.ms}`);
  if (delay?.kind === 'function') {
    const throws = delay.throwsOnAttempt > 0 ? `, throws on ${delay.throwsOnAttempt}` : '';
    parts.push(`retryDelay () => ${delay.ms}${throws}`);
  }
  if (delay?.kind === 'alternating') parts.push('retryDelay (a) => (a % 2 === 1 ? 0 : 1)');
  if (node.retryIf !== undefined) parts.push(`retryIf ${node.retryIf}`);
  if (node.timeout !== undefined) parts.push(`timeout ${node.timeout}`);
  if (node.fallback !== undefined) parts.push(`fallback ${node.fallback}`);
  if (node.priority !== undefined) parts.push(`priority ${node.priority}`);
  if (node.usesSignal) parts.push('SIGNAL');
  if (node.usesContext) parts.push('CONTEXT');
  const attempts = node.attempts.map(
    (a) =>
      `${a.outcome}${a.outcome === 'abortThrow' ? `(+${a.abortTicks})` : ''}/` +
      `${describeDelay(a.delay)}${a.progress ? '+progress' : ''}`,
  );
  return `${parts.join(' ')} : ${attempts.join(' | ')}`;
}

function describeRun(run: RunSpec, nodes: readonly NodeSpec[]): string {
  const parts = [
    run.stream ? 'stream' : 'invoke',
    `concurrency ${run.concurrency}${run.passConcurrency ? ' (passed)' : ''}`,
    `failFast ${run.failFast ?? 'default'}`,
  ];
  if (run.targets !== undefined) {
    const names = run.targets.map((i) => nodes[i].name).join(', ');
    parts.push(`targets [${names}]${run.targetsAsNodes ? ' as nodes' : ''}`);
  }
  if (run.hooks !== 'none') parts.push(`hooks ${run.hooks}`);
  for (const chaos of run.hookChaos) parts.push(`${chaos.hook}(${chaos.task}) ${chaos.action}s`);
  if (run.abort?.kind === 'before') parts.push('aborted before the run');
  if (run.abort?.kind === 'micro') parts.push(`abort after ${run.abort.ticks} ticks`);
  if (run.abort?.kind === 'timer') parts.push(`abort after a ${run.abort.ms} ms timer`);
  for (const ic of run.interceptors) {
    parts.push(
      ic.kind === 'run' ? 'run interceptor' : `interceptor ${ic.kind} ${ic.task}#${ic.attempt}`,
    );
  }
  if (run.breakAfter !== undefined) parts.push(`break after ${run.breakAfter + 1} events`);
  return parts.join(', ');
}

function describeCase(spec: CaseSpec): string {
  const nodes = spec.nodes.map((node) => `  ${describeNode(node, spec.nodes)}`);
  const runs = spec.runs.map((run, i) => `  run ${i + 1}: ${describeRun(run, spec.nodes)}`);
  return `buildDag {\n${nodes.join('\n')}\n}\n${runs.join('\n')}`;
}

// --- Arbitraries -------------------------------------------------------------------------------

/** Lets a `oneof` shrink to its first choice (the plain one), for short counterexamples. */
const CROSS_SHRINK = { withCrossShrink: true };

/** `arbitrary` in about `percent`% of the cases, else `undefined` (what it shrinks to). */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    CROSS_SHRINK,
    { arbitrary: fc.constant(undefined), weight: 100 - percent },
    { arbitrary, weight: percent },
  );
}

/** One of `choices`, each `[value, weight]`; shrinks towards the first. */
function weighted<T>(...choices: readonly (readonly [T, number])[]): fc.Arbitrary<T> {
  return fc.oneof(
    CROSS_SHRINK,
    ...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })),
  );
}

const delayArbitrary: fc.Arbitrary<Delay> = fc.oneof(
  CROSS_SHRINK,
  { arbitrary: fc.constant<Delay>({ kind: 'sync' }), weight: 30 },
  {
    arbitrary: fc.integer({ min: 1, max: 6 }).map((ticks): Delay => ({ kind: 'micro', ticks })),
    weight: 63,
  },
  {
    arbitrary: fc.integer({ min: 0, max: 3 }).map((ms): Delay => ({ kind: 'timer', ms })),
    weight: 7,
  },
);

/**
 * What a property draws: `all` (everything), `reentrant` (streamed runs whose hooks re-enter the
 * run, see {@link rawRunArbitrary}) or `retries` (small DAGs whose tasks mostly fail and retry,
 * without a delay more often than with one, with fallbacks of every kind, in runs mostly stopped
 * at a random point: by the caller, by a hook, by a body or fallback that aborts, or by a failure).
 */
type Focus = 'all' | 'reentrant' | 'retries';

const attemptArbitrary = (focus: Focus): fc.Arbitrary<AttemptSpec> =>
  fc.record({
    outcome:
      focus === 'retries'
        ? weighted<Outcome>(
            ['value', 35],
            ['throw', 40],
            ['skip', 4],
            ['hang', 5],
            ['honour', 6],
            ['abortThrow', 10],
          )
        : weighted<Outcome>(
            ['value', 60],
            ['throw', 20],
            ['skip', 10],
            ['hang', 5],
            ['honour', 5],
            ['abortThrow', 2],
          ),
    delay: delayArbitrary,
    progress: weighted([false, 8], [true, 2]),
    abortTicks: fc.integer({ min: 0, max: 3 }),
  });

const retryDelayArbitrary: fc.Arbitrary<RetryDelaySpec> = fc.oneof(
  fc.integer({ min: 0, max: 1 }).map((ms): RetryDelaySpec => ({ kind: 'number', ms })),
  fc
    .record({
      ms: fc.integer({ min: 0, max: 1 }),
      throwsOnAttempt: weighted([0, 9], [1, 1], [2, 1]),
    })
    .map((raw): RetryDelaySpec => ({ kind: 'function', ...raw })),
  fc.constant<RetryDelaySpec>({ kind: 'alternating' }),
);

const fallbackArbitrary = weighted<FallbackMode>(
  ['value', 4],
  ['throw', 3],
  ['skip', 2],
  ['abort', 1],
  ['async', 3],
  ['asyncThrow', 2],
  ['asyncSkip', 2],
  ['honour', 3],
  ['ignore', 2],
);

const rawNodeArbitrary = (focus: Focus) => {
  const retries = focus === 'retries';
  return fc.record({
    // Picks of earlier nodes, taken modulo the node's index.
    dependencyPicks: fc.oneof(
      CROSS_SHRINK,
      { arbitrary: fc.constant<number[]>([]), weight: 1 },
      { arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), weight: 4 },
    ),
    duplicateDependency: weighted([false, 19], [true, 1]),
    when: retries
      ? weighted<WhenRule | undefined>([undefined, 60], ['noneFailed', 10], ['allSettled', 30])
      : weighted<WhenRule | undefined>([undefined, 70], ['noneFailed', 15], ['allSettled', 15]),
    retries: fc.oneof(
      CROSS_SHRINK,
      { arbitrary: fc.constant(0), weight: retries ? 2 : 6 },
      { arbitrary: fc.integer({ min: 1, max: 3 }), weight: retries ? 8 : 4 },
    ),
    retryDelay: sometimes(retryDelayArbitrary, 50),
    retryIf: sometimes(
      fc.constantFrom<RetryIfMode>('odd', 'never', 'always', 'throw'),
      retries ? 10 : 20,
    ),
    timeout: sometimes(fc.integer({ min: 2, max: 8 }), 15),
    fallback: sometimes(fallbackArbitrary, retries ? 50 : 20),
    priority: sometimes(fc.integer({ min: -3, max: 3 }), 20),
    usesSignal: weighted([false, 8], [true, 2]),
    usesContext: weighted([false, 7], [true, 3]),
    attempts: fc.array(attemptArbitrary(focus), { minLength: 4, maxLength: 4 }),
  });
};

type RawNode = ReturnType<typeof rawNodeArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function toNodeSpec(raw: RawNode, index: number): NodeSpec {
  const deps = index === 0 ? [] : [...new Set(raw.dependencyPicks.map((pick) => pick % index))];
  if (deps.length > 0 && raw.duplicateDependency) deps.push(deps[0]);
  const timed = raw.timeout !== undefined;
  return {
    name: `n${index}`,
    deps,
    when: raw.when,
    retries: raw.retries,
    retryDelay: raw.retries > 0 ? raw.retryDelay : undefined,
    retryIf: raw.retryIf,
    timeout: raw.timeout,
    fallback: raw.fallback,
    priority: raw.priority,
    usesSignal: raw.usesSignal,
    usesContext: raw.usesContext,
    attempts: raw.attempts.slice(0, raw.retries + 1).map((attempt) => {
      const slow = attempt.outcome === 'hang' || attempt.outcome === 'honour';
      return slow && !timed ? { ...attempt, outcome: 'value' } : attempt;
    }),
  };
}

/**
 * The options of one run. `reentrant` draws only streamed runs whose hooks misbehave, mostly by
 * aborting the caller's signal: a hook that makes other events happen while it runs (4bfe9e1).
 * `retries` draws runs with hooks (whose events place the stop), mostly aborted mid-run.
 */
const rawRunArbitrary = (focus: Focus) => {
  const reentrant = focus === 'reentrant';
  const retries = focus === 'retries';
  return fc.record({
    concurrency: fc.oneof(
      CROSS_SHRINK,
      fc.constant(Number.POSITIVE_INFINITY),
      fc.integer({ min: 1, max: 4 }),
    ),
    passConcurrency: weighted([false, 9], [true, 1]),
    failFast: weighted<boolean | undefined>([true, 63], [false, 27], [undefined, 10]),
    targetPicks: sometimes(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), 15),
    targetsAsNodes: fc.boolean(),
    hooks: reentrant
      ? fc.constant<RunSpec['hooks']>('chaos')
      : retries
        ? weighted<RunSpec['hooks']>(['none', 10], ['record', 45], ['chaos', 45])
        : weighted<RunSpec['hooks']>(['none', 25], ['record', 35], ['chaos', 40]),
    hookChaos: fc.array(
      fc.record({
        hook: retries
          ? weighted<HookName>(
              ['onTaskRetry', 5],
              ['onTaskFailure', 2],
              ['onTaskStart', 1],
              ['onTaskSuccess', 1],
              ['onTaskSkip', 1],
            )
          : fc.constantFrom(...HOOK_NAMES),
        // Mostly an early node: those run in most cases.
        taskPick: fc.oneof(fc.nat(3), fc.nat()),
        action: reentrant
          ? weighted<HookChaos['action']>(['abort', 80], ['throw', 10], ['asyncReject', 10])
          : retries
            ? weighted<HookChaos['action']>(
                ['abortLater', 50],
                ['abort', 30],
                ['throw', 15],
                ['asyncReject', 5],
              )
            : weighted<HookChaos['action']>(
                ['abort', 35],
                ['abortLater', 10],
                ['throw', 45],
                ['asyncReject', 10],
              ),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    abort: retries
      ? weighted<'none' | 'before' | 'micro' | 'timer'>(
          ['none', 40],
          ['before', 2],
          ['micro', 43],
          ['timer', 15],
        )
      : weighted<'none' | 'before' | 'micro' | 'timer'>(
          ['none', 70],
          ['before', 3],
          ['micro', 17],
          ['timer', 10],
        ),
    abortTicks: fc.integer({ min: 0, max: 40 }),
    abortMs: fc.integer({ min: 0, max: 4 }),
    interceptors: sometimes(
      fc.array(
        fc.record({
          kind: fc.constantFrom<InterceptorSpec['kind']>(
            'pass',
            'asyncPass',
            'drop',
            'catch',
            'throw',
            'callDrop',
            'run',
          ),
          taskPick: fc.oneof(fc.nat(3), fc.nat()),
          attempt: fc.integer({ min: 1, max: 2 }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      retries ? 35 : 25,
    ),
    stream: reentrant ? fc.constant(true) : weighted([false, 6], [true, 4]),
    breakAfter: sometimes(fc.integer({ min: 0, max: 12 }), reentrant ? 10 : 30),
  });
};

type RawRun = ReturnType<typeof rawRunArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function toRunSpec(raw: RawRun, nodeCount: number): RunSpec {
  const nodeName = (pick: number) => `n${pick % nodeCount}`;
  const abort: CallerAbort | undefined =
    raw.abort === 'none'
      ? undefined
      : raw.abort === 'before'
        ? { kind: 'before' }
        : raw.abort === 'micro'
          ? { kind: 'micro', ticks: raw.abortTicks }
          : { kind: 'timer', ms: raw.abortMs };
  return {
    concurrency: raw.concurrency,
    passConcurrency: raw.passConcurrency,
    failFast: raw.failFast,
    targets:
      raw.targetPicks === undefined
        ? undefined
        : [...new Set(raw.targetPicks.map((pick) => pick % nodeCount))],
    targetsAsNodes: raw.targetsAsNodes,
    hooks: raw.hooks,
    hookChaos:
      raw.hooks === 'chaos'
        ? raw.hookChaos.map((c) => ({ hook: c.hook, task: nodeName(c.taskPick), action: c.action }))
        : [],
    abort,
    interceptors: (raw.interceptors ?? []).map((ic) => ({
      kind: ic.kind,
      task: nodeName(ic.taskPick),
      attempt: ic.attempt,
    })),
    stream: raw.stream,
    breakAfter: raw.stream ? raw.breakAfter : undefined,
  };
}

/**
 * DAGs of 1–5, 1–12 or 1–30 nodes (1–8 for `retries`); mostly one run, sometimes two or three at
 * once. See {@link Focus}.
 */
function caseArbitrary(focus: Focus = 'all'): fc.Arbitrary<CaseSpec> {
  const runArbitrary = rawRunArbitrary(focus);
  const nodeArbitrary = rawNodeArbitrary(focus);
  return fc
    .record({
      rawNodes:
        focus === 'retries'
          ? fc.array(nodeArbitrary, { minLength: 1, maxLength: 8 })
          : fc.oneof(
              fc.array(nodeArbitrary, { minLength: 1, maxLength: 5 }),
              fc.array(nodeArbitrary, { minLength: 1, maxLength: 12 }),
              fc.array(nodeArbitrary, { minLength: 1, maxLength: 30 }),
            ),
      rawRuns: fc.oneof(
        CROSS_SHRINK,
        { arbitrary: fc.array(runArbitrary, { minLength: 1, maxLength: 1 }), weight: 85 },
        { arbitrary: fc.array(runArbitrary, { minLength: 2, maxLength: 3 }), weight: 15 },
      ),
    })
    .map(({ rawNodes, rawRuns }) => {
      const nodes = rawNodes.map(toNodeSpec);
      const spec: CaseSpec = { nodes, runs: rawRuns.map((raw) => toRunSpec(raw, nodes.length)) };
      return Object.assign(spec, { [fc.toStringMethod]: () => describeCase(spec) });
    });
}

// --- Recording a run ---------------------------------------------------------------------------

/**
 * The log of the run whose async context code runs in, set around each run's start: a run calls
 * its tasks, and what a stop makes it do (fallbacks included), in the context it was started in.
 */
const runContext = new AsyncLocalStorage<RunLog>();
/** Fallbacks that ran outside any run's async context (so their calls went unrecorded). */
const outsideContext: string[] = [];

let lastSeq = 0;
/** The next position in the one sequence every recorder of every run draws from. */
function nextSeq(): number {
  return ++lastSeq;
}

/** An interceptor's call of `next()` whose promise it then ignores. */
interface DroppedCall {
  dropped: boolean;
}

/** One call of a task body. */
interface BodyRecord {
  readonly task: string;
  /** `ctx.attempt`, or the body's call count without a context. */
  readonly attempt: number;
  readonly contextAttempt: number | undefined;
  readonly count: number;
  readonly seq: number;
  end: number | null;
  readonly depArgs: readonly unknown[];
  readonly signal: AbortSignal | undefined;
  readonly droppedCall: DroppedCall | undefined;
  readonly afterSettle: boolean;
  readonly thisValue: unknown;
  /** Where the signal aborted with a `TaskTimeoutError`, if it did. */
  timedOutSeq: number | undefined;
  signalAbortedAtEnd: boolean | undefined;
}

/** What a fallback record holds in `thrown` when the fallback did not throw (or skipped). */
const NOTHING = Symbol('nothing thrown');

/** One call of a fallback. */
interface FallbackRecord {
  readonly task: string;
  readonly seq: number;
  end: number | null;
  /** Its first argument: the error it recovers from. */
  readonly error: unknown;
  readonly argCount: number;
  /** Its second argument: the task's signal. */
  readonly signal: AbortSignal | undefined;
  readonly abortedAtCall: boolean;
  abortedAtEnd: boolean | undefined;
  /** For `abort`: whether its signal had aborted once it aborted the caller's signal. */
  abortedAfterAbort: boolean | undefined;
  /** What it threw or rejected with (a skip aside), else {@link NOTHING}. */
  thrown: unknown;
  readonly afterSettle: boolean;
  readonly thisValue: unknown;
}

/** A hook call or stream event, as recorded. */
interface EventRecord {
  type: string;
  readonly task: string;
  readonly attempt: number | undefined;
  readonly willRetry?: boolean;
  readonly value?: unknown;
  readonly error?: unknown;
  readonly reason?: string;
  readonly recoveredFrom?: unknown;
  /** `onTaskRetry`'s delay. */
  readonly delayMs?: number;
  readonly time?: number;
  readonly seq: number;
  /** Success, skip, or a failure without retry. */
  terminal: boolean;
  /** A hook call whose throw cancelled its event (the stream never gets it). */
  voided: boolean;
  readonly settledRun: boolean;
}

interface HookThrow {
  readonly seq: number;
  readonly hook: HookName;
  readonly task: string;
  readonly error: Error;
  readonly settledRun: boolean;
}

/** Everything recorded about one run; the param of the run (every node's last input). */
class RunLog {
  readonly bodies: BodyRecord[] = [];
  readonly bodyCount = new Map<string, number>();
  /** Hook calls (synchronous, so in the order things happened). */
  readonly events: EventRecord[] = [];
  readonly streamEvents: EventRecord[] = [];
  readonly hookEventsByTask = new Map<string, EventRecord[]>();
  readonly hookThrows: HookThrow[] = [];
  readonly violations: string[] = [];
  readonly nodeByName: Map<string, NodeSpec>;
  settled = false;
  settleSeq = Number.POSITIVE_INFINITY;
  abortSeq: number | undefined;
  /** An abort made by `onTaskStart` (its own task's body may still start). */
  abortFromStart: { task: string; attempt: number } | undefined;
  breakSeq: number | undefined;
  brokeAfterSettle = false;
  hookRejectedAsync = false;
  droppedCall: DroppedCall | undefined;
  readonly droppedTasks = new Set<string>();
  readonly fallbacks: FallbackRecord[] = [];
  /** `this` of the task bodies: `undefined` for a builder, the instance for a class. */
  expectedThis: unknown = undefined;
  /** How the run ended, once it has (for comparing the class and builder runs of a case). */
  end: RunEnd | undefined;
  /** Aborts the caller's signal now (when the run has one). */
  abortNow: (why: string) => void = () => undefined;
  /** Aborts the caller's signal after `count` microtasks past the next one. */
  abortSoon(count: number, why: string): void {
    void ticks(count).then(() => this.abortNow(why));
  }

  constructor(
    readonly nodes: readonly NodeSpec[],
    readonly run: RunSpec,
  ) {
    this.nodeByName = new Map(nodes.map((node) => [node.name, node]));
  }

  violate(kind: string, message: string): void {
    this.violations.push(`[${kind}] ${message}`);
  }

  node(name: string): NodeSpec {
    return this.nodeByName.get(name)!;
  }

  recordEvent(
    source: 'hook' | 'stream',
    event: Omit<EventRecord, 'seq' | 'terminal' | 'voided' | 'settledRun'>,
  ): EventRecord {
    const terminal =
      event.type === 'taskSuccess' ||
      event.type === 'taskSkip' ||
      (event.type === 'taskFailure' && event.willRetry !== true);
    const record: EventRecord = {
      ...event,
      seq: nextSeq(),
      terminal,
      voided: false,
      settledRun: this.settled,
    };
    if (source === 'stream') {
      this.streamEvents.push(record);
    } else {
      this.events.push(record);
      let ofTask = this.hookEventsByTask.get(event.task);
      if (ofTask === undefined) this.hookEventsByTask.set(event.task, (ofTask = []));
      ofTask.push(record);
    }
    return record;
  }
}

/**
 * Whether body call `body` no longer counts as running at position `seq`: an interceptor dropped
 * its promise, its attempt timed out, its task moved on (a failure, a later attempt or a terminal
 * hook), or it may have timed out unseen (a timed task without a signal, or whose signal a stop
 * aborted first).
 */
function isAbandonedAt(log: RunLog, body: BodyRecord, seq: number): boolean {
  if (body.droppedCall?.dropped === true || log.droppedTasks.has(body.task)) return true;
  if (body.timedOutSeq !== undefined && body.timedOutSeq < seq) return true;
  const events = log.hookEventsByTask.get(body.task) ?? [];
  const movedOn = events.some(
    (e) =>
      e.seq > body.seq &&
      e.seq < seq &&
      (e.terminal ||
        e.type.endsWith('taskFailure') ||
        (e.type === 'taskStart' && e.attempt! > body.attempt)),
  );
  if (movedOn) return true;
  // A timeout shows on the signal only if nothing aborted it first; else it may pass unseen.
  const { signal } = body;
  const timeoutUnseen =
    signal === undefined || (signal.aborted && !(signal.reason instanceof TaskTimeoutError));
  return log.node(body.task).timeout !== undefined && timeoutUnseen;
}

function ticks(count: number): Promise<void> {
  let chain = Promise.resolve();
  for (let i = 0; i < count; i++) chain = chain.then(() => undefined);
  return chain;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `signal` aborts (rejecting with its reason) or `ms` have passed. */
function waitUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function settleAfter(delay: Delay): Promise<void> {
  if (delay.kind === 'micro') return ticks(delay.ticks);
  if (delay.kind === 'timer') return sleep(delay.ms);
  return Promise.resolve();
}

/** The body of `node`: records its call and end, and does what the attempt's spec says. */
function makeBody(node: NodeSpec): (...args: unknown[]) => unknown {
  const depCount = node.deps.length;
  return function body(this: unknown, ...args: unknown[]): unknown {
    const log = args[args.length - 1] as RunLog;
    const signal = node.usesSignal ? (args[depCount] as AbortSignal) : undefined;
    const ctx = node.usesContext
      ? (args[depCount + (node.usesSignal ? 1 : 0)] as TaskContext)
      : undefined;
    const count = (log.bodyCount.get(node.name) ?? 0) + 1;
    log.bodyCount.set(node.name, count);
    const attempt = ctx?.attempt ?? count;
    const attemptSignal = signal ?? ctx?.signal;
    const record: BodyRecord = {
      task: node.name,
      attempt,
      contextAttempt: ctx?.attempt,
      count,
      seq: nextSeq(),
      end: null,
      depArgs: args.slice(0, depCount),
      signal: attemptSignal,
      droppedCall: log.droppedCall,
      afterSettle: log.settled,
      thisValue: this,
      timedOutSeq: undefined,
      signalAbortedAtEnd: undefined,
    };
    log.bodies.push(record);
    if (runContext.getStore() !== log)
      log.violate('async-context', `${node.name}#${attempt} ran outside its run's async context`);
    watchForTimeout(record, attemptSignal);
    checkRunningBodies(log, record);
    if (signal !== undefined && ctx !== undefined && signal !== ctx.signal) {
      log.violate('signal-identity', `${node.name}: SIGNAL is not ctx.signal`);
    }
    const spec = node.attempts[Math.min(attempt - 1, node.attempts.length - 1)];
    const finish = () => {
      record.end = nextSeq();
      record.signalAbortedAtEnd = attemptSignal?.aborted;
    };
    const value = { v: `${node.name}#${attempt}` };
    const error = new Error(`${node.name}#${attempt} failed`);
    const throwing = spec.outcome === 'throw' || spec.outcome === 'abortThrow';
    const quick = spec.outcome === 'value' || spec.outcome === 'skip' || throwing;
    const abortSoon = () => {
      if (spec.outcome === 'abortThrow')
        log.abortSoon(spec.abortTicks, `body ${node.name}#${attempt}`);
    };
    if (spec.delay.kind === 'sync' && quick) {
      if (spec.progress) ctx?.progress({ p: 1 });
      finish();
      if (spec.outcome === 'value') return value;
      abortSoon();
      if (throwing) throw error;
      skip(`self ${node.name}#${attempt}`);
    }
    return (async () => {
      try {
        if (spec.outcome === 'hang') {
          await sleep(node.timeout! + 6 + (attempt % 3) * 3);
          if (attempt % 2 === 1) return value;
          throw error;
        }
        if (spec.outcome === 'honour') {
          await waitUnlessAborted(node.timeout! + 10, attemptSignal);
          return value;
        }
        await settleAfter(spec.delay);
        if (spec.progress) ctx?.progress({ p: 2 });
        if (spec.outcome === 'value') return value;
        abortSoon();
        if (throwing) throw error;
        return skip(`self ${node.name}#${attempt}`);
      } finally {
        finish();
      }
    })();
  };
}

/** Notes where the attempt's signal aborts with a `TaskTimeoutError`. */
function watchForTimeout(record: BodyRecord, signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  const note = () => {
    if (signal.reason instanceof TaskTimeoutError) record.timedOutSeq ??= nextSeq();
  };
  if (signal.aborted) note();
  else signal.addEventListener('abort', note, { once: true });
}

/** At a body start: no more bodies running than the concurrency limit allows. */
function checkRunningBodies(log: RunLog, started: BodyRecord): void {
  const limit = log.run.concurrency;
  if (limit === Number.POSITIVE_INFINITY) return;
  const running = log.bodies.filter((b) => b.end === null && !isAbandonedAt(log, b, started.seq));
  if (running.length > limit) {
    log.violate(
      'body-concurrency',
      `${running.length} bodies running > ${limit} at the start of ${started.task}#${started.attempt}`,
    );
  }
}

function nodeOptions(node: NodeSpec): Record<string, unknown> {
  const options: Record<string, unknown> = { name: node.name };
  if (node.when !== undefined) options.when = node.when;
  if (node.retries > 0) options.retries = node.retries;
  const delay = node.retryDelay;
  if (delay !== undefined) {
    options.retryDelay =
      delay.kind === 'number'
        ? delay.ms
        : delay.kind === 'alternating'
          ? (attempt: number) => (attempt % 2 === 1 ? 0 : 1)
          : (attempt: number) => {
              if (delay.throwsOnAttempt === attempt) throw new Error(`retryDelay ${node.name}`);
              return delay.ms;
            };
  }
  const mode = node.retryIf;
  if (mode !== undefined) {
    options.retryIf = (_error: unknown, attempt: number) => {
      if (mode === 'throw') throw new Error(`retryIf ${node.name}`);
      return mode === 'always' || (mode === 'odd' && attempt % 2 === 1);
    };
  }
  if (node.timeout !== undefined) options.timeout = node.timeout;
  if (node.priority !== undefined) options.priority = node.priority;
  if (node.fallback !== undefined) options.fallback = makeFallback(node.name, node.fallback);
  return options;
}

/**
 * The fallback of `name`: records its call (in the log of the run whose async context it runs in:
 * a run does what a stop makes it do, fallbacks included, in its own context) and does what `mode`
 * says.
 */
function makeFallback(
  name: string,
  mode: FallbackMode,
): (error: unknown, signal?: AbortSignal) => unknown {
  return function fallback(this: unknown, ...args: unknown[]): unknown {
    const [error, signal] = args as [unknown, AbortSignal | undefined];
    const log = runContext.getStore();
    const record: FallbackRecord = {
      task: name,
      seq: nextSeq(),
      end: null,
      error,
      argCount: args.length,
      signal,
      abortedAtCall: signal?.aborted === true,
      abortedAtEnd: undefined,
      abortedAfterAbort: undefined,
      thrown: NOTHING,
      afterSettle: log?.settled === true,
      thisValue: this,
    };
    if (log === undefined) outsideContext.push(`the fallback of ${name}`);
    else log.fallbacks.push(record);
    const finish = () => {
      record.end = nextSeq();
      record.abortedAtEnd = signal?.aborted;
    };
    const fail = (thrown: unknown): never => {
      record.thrown = thrown;
      finish();
      throw thrown;
    };
    const value = () => {
      finish();
      return { fb: name };
    };
    switch (mode) {
      case 'value':
        return value();
      case 'throw':
        return fail(new Error(`fallback ${name}`));
      case 'skip':
        finish();
        return skip(`fallback-skip ${name}`);
      case 'abort':
        log?.abortNow(`fallback ${name}`);
        record.abortedAfterAbort = signal?.aborted === true;
        return value();
      case 'async':
        return ticks(2).then(value);
      case 'asyncThrow':
        return ticks(2).then(() => fail(new Error(`fallback ${name}`)));
      case 'asyncSkip':
        return ticks(2).then(() => {
          finish();
          return skip(`fallback-skip ${name}`);
        });
      case 'honour':
        return waitUnlessAborted(3, signal).then(value, fail);
      case 'ignore':
        return sleep(2).then(value);
    }
  };
}

/** What the runs of a case run: the case's DAG, or the same DAG as a decorated class. */
interface Subject {
  /** `this` of the task bodies. */
  readonly self: unknown;
  /** What `targets` names node `index` with. */
  target(index: number, asNode: boolean): unknown;
  invoke(param: RunLog, options: Record<string, unknown>): Promise<ExecutionResult<any, any>>;
  stream(param: RunLog, options: Record<string, unknown>): WorkflowStream<any, RunLog>;
}

/** The case's DAG: every node takes its dependencies, its tokens, and the run's log (PARAM). */
function buildCase(spec: CaseSpec): Subject {
  const dag = buildDag<RunLog>({ name: 'fz' });
  const handles: DagNode<unknown>[] = [];
  for (const node of spec.nodes) {
    const args: unknown[] = node.deps.map((d) => handles[d]);
    if (node.usesSignal) args.push(SIGNAL);
    if (node.usesContext) args.push(CONTEXT);
    args.push(PARAM);
    const add = dag.addNode as (...all: unknown[]) => DagNode<unknown>;
    handles.push(add.call(dag, nodeOptions(node), makeBody(node), ...args));
  }
  return {
    self: undefined,
    target: (index, asNode) => (asNode ? handles[index] : handles[index].name),
    invoke: (param, options) => dag.invoke(param, options),
    stream: (param, options) => dag.stream(param, options),
  };
}

/** Recording hooks, with the misbehaviour the run's chaos asks for. */
function makeHooks(
  log: RunLog,
  abort: (why: string) => void,
  controller: AbortController | undefined,
): WorkflowHooks {
  const chaosLeft = [...log.run.hookChaos];
  const hook =
    (name: HookName, type: string) =>
    (info: {
      task: string;
      attempt?: number;
      value?: unknown;
      error?: unknown;
      reason?: string;
      recoveredFrom?: unknown;
      delayMs?: number;
    }): any => {
      const event: Omit<EventRecord, 'seq' | 'terminal' | 'voided' | 'settledRun'> = {
        type,
        task: info.task,
        attempt: info.attempt,
        ...(name === 'onTaskFailure' ? { willRetry: false } : {}),
        ...(name === 'onTaskRetry' ? { willRetry: true } : {}),
        ...('value' in info ? { value: info.value } : {}),
        ...('error' in info ? { error: info.error } : {}),
        ...('reason' in info ? { reason: info.reason } : {}),
        ...('recoveredFrom' in info ? { recoveredFrom: info.recoveredFrom } : {}),
        ...('delayMs' in info ? { delayMs: info.delayMs } : {}),
      };
      const record = log.recordEvent('hook', event);
      const index = chaosLeft.findIndex((c) => c.hook === name && c.task === info.task);
      if (index < 0) return undefined;
      const [chaos] = chaosLeft.splice(index, 1);
      if (chaos.action === 'throw') {
        const error = new Error(`hook ${name} ${info.task}`);
        log.hookThrows.push({
          seq: nextSeq(),
          hook: name,
          task: info.task,
          error,
          settledRun: log.settled,
        });
        // These hooks run before the stream gets their event: a throw cancels it (and a cancelled
        // success or retry is no event of the task at all; a cancelled start is still an attempt).
        if (name === 'onTaskStart' || name === 'onTaskSuccess' || name === 'onTaskRetry') {
          record.voided = true;
        }
        if (name === 'onTaskSuccess' || name === 'onTaskRetry') {
          record.terminal = false;
          record.type = `voided-${record.type}`;
        }
        throw error;
      }
      if (chaos.action === 'abortLater') {
        log.abortSoon(0, `hook ${name} ${info.task} (later)`);
        return undefined;
      }
      if (chaos.action === 'abort') {
        if (name === 'onTaskStart' && !controller!.signal.aborted && !log.settled) {
          log.abortFromStart = { task: info.task, attempt: info.attempt! };
        }
        abort(`hook ${name} ${info.task}`);
        return undefined;
      }
      log.hookRejectedAsync = true;
      return Promise.reject(new Error(`async hook ${name} ${info.task}`));
    };
  return {
    onTaskStart: hook('onTaskStart', 'taskStart'),
    onTaskSuccess: hook('onTaskSuccess', 'taskSuccess'),
    onTaskFailure: hook('onTaskFailure', 'taskFailure'),
    onTaskSkip: hook('onTaskSkip', 'taskSkip'),
    onTaskRetry: hook('onTaskRetry', 'taskFailure'),
  };
}

function makeInterceptor(log: RunLog, spec: InterceptorSpec): WorkflowInterceptor {
  if (spec.kind === 'run') return { run: (_info, next) => next() };
  return {
    async task(info, next) {
      const mine = info.task === spec.task && info.attempt === spec.attempt;
      if (spec.kind === 'pass' || !mine) {
        if (spec.kind === 'asyncPass') await undefined;
        return next();
      }
      switch (spec.kind) {
        case 'asyncPass': {
          await ticks(2);
          const value = await next();
          await undefined;
          return value;
        }
        case 'drop':
          return { icpt: info.task };
        case 'throw':
          throw new Error(`interceptor ${info.task}`);
        case 'catch':
          try {
            return await next();
          } catch (error) {
            if ((error as Error | undefined)?.name === 'TaskSkipped') throw error;
            return { caught: info.task };
          }
        case 'callDrop': {
          const call: DroppedCall = { dropped: false };
          const outer = log.droppedCall;
          log.droppedCall = call;
          try {
            void next();
          } finally {
            log.droppedCall = outer;
          }
          call.dropped = true;
          log.droppedTasks.add(info.task);
          return { icpt: info.task };
        }
      }
      return next();
    },
  };
}

/** How a run ended: its promise, and for a stream, its iteration. */
interface RunEnd {
  readonly outcome: { ok: true; value: ExecutionResult<any, any> } | { ok: false; error: unknown };
  readonly iterationError: unknown;
  readonly broke: boolean;
  readonly stopSeq: number;
}

/** Turns a run that never settles into a failure; far above what any run takes. */
const RUN_DEADLINE_MS = 3_000;

/** Runs one of the case's runs and checks it; returns its log (with its violations). */
function observeRun(spec: CaseSpec, run: RunSpec, subject: Subject): Promise<RunLog> {
  const log = new RunLog(spec.nodes, run);
  log.expectedThis = subject.self;
  return runContext.run(log, () => observeRunInContext(log, spec, run, subject));
}

async function observeRunInContext(
  log: RunLog,
  spec: CaseSpec,
  run: RunSpec,
  subject: Subject,
): Promise<RunLog> {
  const options: Record<string, unknown> = {};
  if (run.concurrency !== Number.POSITIVE_INFINITY || run.passConcurrency)
    options.concurrency = run.concurrency;
  if (run.failFast !== undefined) options.failFast = run.failFast;
  if (run.targets !== undefined) {
    options.targets = run.targets.map((i) => subject.target(i, run.targetsAsNodes));
  }
  const needsController =
    run.abort !== undefined ||
    run.hookChaos.some((c) => c.action === 'abort' || c.action === 'abortLater') ||
    spec.nodes.some(
      (node) => node.fallback === 'abort' || node.attempts.some((a) => a.outcome === 'abortThrow'),
    );
  const controller = needsController ? new AbortController() : undefined;
  if (controller !== undefined) options.signal = controller.signal;
  const abort = (why: string) => {
    if (controller!.signal.aborted) return;
    if (log.abortSeq === undefined && !log.settled) log.abortSeq = nextSeq();
    controller!.abort(new Error(`caller abort: ${why}`));
  };
  if (controller !== undefined) log.abortNow = abort;
  if (run.abort?.kind === 'before') abort('before the run');
  if (run.hooks !== 'none') options.hooks = makeHooks(log, abort, controller);
  if (run.interceptors.length > 0)
    options.interceptors = run.interceptors.map((ic) => makeInterceptor(log, ic));
  if (run.abort?.kind === 'micro') void ticks(run.abort.ticks).then(() => abort('after ticks'));
  const abortTimer =
    run.abort?.kind === 'timer' ? setTimeout(() => abort('timer'), run.abort.ms) : undefined;

  let stream: WorkflowStream<any, RunLog> | undefined;
  let settledPromise: Promise<ExecutionResult<any, any>>;
  try {
    if (run.stream) {
      stream = subject.stream(log, options);
      settledPromise = stream.result;
    } else {
      settledPromise = subject.invoke(log, options);
    }
  } catch (error) {
    clearTimeout(abortTimer);
    log.violate('throw-at-start', String(error));
    return log;
  }
  const onSettled = () => {
    log.settled = true;
    log.settleSeq = nextSeq();
  };
  settledPromise.then(onSettled, onSettled);
  let outcome: RunEnd['outcome'] | undefined;
  let iterationError: unknown;
  let broke = false;
  const consume = async () => {
    if (stream === undefined) return;
    let read = 0;
    try {
      for await (const event of stream as AsyncIterable<WorkflowEvent<any>>) {
        log.recordEvent('stream', event as any);
        if (run.breakAfter !== undefined && read++ >= run.breakAfter) {
          broke = true;
          log.breakSeq = nextSeq();
          log.brokeAfterSettle = log.settled;
          break;
        }
      }
      if (broke) checkReturnSettled(log);
    } catch (error) {
      iterationError = error;
    }
  };
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    deadlineTimer = setTimeout(() => resolve('deadline'), RUN_DEADLINE_MS);
  });
  const both = Promise.all([
    settledPromise.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    ),
    consume(),
  ]);
  const raced = await Promise.race([both, deadline]);
  clearTimeout(deadlineTimer);
  clearTimeout(abortTimer);
  if (raced === 'deadline') {
    log.violate(
      'deadline',
      `the run did not settle within ${RUN_DEADLINE_MS} ms (${outcome === undefined ? 'pending' : 'its stream did not end'})`,
    );
    return log;
  }
  checkBodiesAtSettle(log);
  // Let abandoned bodies end (each on its own short timer), so their rejections surface now.
  for (let turn = 0; turn < 1_000 && log.bodies.some((b) => b.end === null); turn++) await sleep(2);
  await sleep(1);
  await new Promise((resolve) => setImmediate(resolve));
  for (const b of log.bodies) {
    if (b.afterSettle && !log.droppedTasks.has(b.task)) {
      log.violate('body-after-settle', `${b.task}#${b.attempt} started after the run settled`);
    }
  }
  log.end = { outcome: outcome!, iterationError, broke, stopSeq: Number.POSITIVE_INFINITY };
  checkRun(log, log.end);
  return log;
}

/** After leaving the stream's loop: `return()` has settled, so every started body has ended. */
function checkReturnSettled(log: RunLog): void {
  const now = nextSeq();
  for (const b of log.bodies) {
    if (b.end === null && !isAbandonedAt(log, b, now)) {
      log.violate(
        'return-before-settle',
        `the stream's return() settled while ${b.task}#${b.attempt} was running`,
      );
    }
  }
}

/** When the run settled, every body still running was abandoned. */
function checkBodiesAtSettle(log: RunLog): void {
  for (const b of log.bodies) {
    const running = b.end === null || b.end > log.settleSeq;
    if (running && !isAbandonedAt(log, b, log.settleSeq)) {
      log.violate(
        'body-outlives-run',
        `${b.task}#${b.attempt} (started at ${b.seq}) still ran when the run settled (${log.settleSeq})`,
      );
    }
  }
}

// --- The invariants ----------------------------------------------------------------------------

/** What every check of one run reads. */
interface RunFacts {
  readonly log: RunLog;
  readonly end: RunEnd;
  readonly result: ExecutionResult<any, any>;
  readonly error: WorkflowExecutionError | WorkflowAbortedError | undefined;
  readonly failFast: boolean;
  /** Tasks the run covers: targets and their dependencies, or all. */
  readonly covered: ReadonlySet<string>;
  readonly entries: ReadonlyMap<string, ExecutionResult<any, any>['trace'][number]>;
  readonly firstFailure: EventRecord | undefined;
  /** The first hook throw that stops the run (one a fallback cannot swallow). */
  readonly firstHookThrow: HookThrow | undefined;
}

function checkRun(log: RunLog, end: RunEnd): void {
  const { outcome } = end;
  const error = outcome.ok ? undefined : outcome.error;
  if (
    !outcome.ok &&
    !(error instanceof WorkflowExecutionError) &&
    !(error instanceof WorkflowAbortedError)
  ) {
    log.violate('error-type', `the run rejected with ${String((error as Error)?.stack ?? error)}`);
    return;
  }
  const result = outcome.ok ? outcome.value : (error as WorkflowExecutionError).result;
  if (result === undefined) return log.violate('no-result', 'the run error carries no result');
  const facts: RunFacts = {
    log,
    end: { ...end, stopSeq: stopSeqOf(log, end) },
    result,
    error: error as RunFacts['error'],
    failFast: log.run.failFast !== false,
    covered: coveredTasks(log),
    entries: new Map(result.trace.map((entry) => [entry.task, entry])),
    firstFailure: log.events.find((e) => e.type === 'taskFailure' && e.willRetry === false),
    firstHookThrow: firstStoppingHookThrow(log),
  };
  checkTrace(facts);
  checkBodies(facts);
  checkDependencyRules(facts);
  checkStartsAfterStop(facts);
  checkOutcome(facts);
  checkEvents(facts, 'hook', log.events);
  if (log.run.stream) checkEvents(facts, 'stream', log.streamEvents);
  checkHooksMatchStream(facts);
  checkStreamEnd(facts);
  checkSlots(facts);
  checkSignals(facts);
  checkFallbacks(facts);
  checkRetriesAroundStops(facts);
  checkFailures(facts);
  countScenarios(facts);
  checkTimeouts(facts);
  checkPriority(facts);
}

function coveredTasks(log: RunLog): Set<string> {
  const { targets } = log.run;
  if (targets === undefined) return new Set(log.nodes.map((n) => n.name));
  const covered = new Set<string>();
  const pending = targets.map((i) => log.nodes[i]);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (covered.has(node.name)) continue;
    covered.add(node.name);
    pending.push(...node.deps.map((d) => log.nodes[d]));
  }
  return covered;
}

/**
 * The first hook throw of the running run. Every one fails its task (a throwing onTaskStart or
 * onTaskRetry too: the task's fallback does not recover it, a3113a2), so it stops the run.
 */
function firstStoppingHookThrow(log: RunLog): HookThrow | undefined {
  return log.hookThrows.find((h) => !h.settledRun);
}

/** Where the run stopped: the caller's abort, the first failure or hook throw (failFast), a break. */
function stopSeqOf(log: RunLog, end: RunEnd): number {
  let stop = log.abortSeq ?? Number.POSITIVE_INFINITY;
  if (log.run.failFast !== false) {
    const failure = log.events.find((e) => e.type === 'taskFailure' && e.willRetry === false);
    stop = Math.min(
      stop,
      failure?.seq ?? Number.POSITIVE_INFINITY,
      firstStoppingHookThrow(log)?.seq ?? Number.POSITIVE_INFINITY,
    );
  }
  if (end.broke && log.breakSeq !== undefined && !log.brokeAfterSettle)
    stop = Math.min(stop, log.breakSeq);
  return stop;
}

/** One entry per covered task; times, attempts, has/get, skip reasons. */
function checkTrace({ log, result, covered, entries }: RunFacts): void {
  if (entries.size !== result.trace.length)
    log.violate('trace-dup', 'a task is in the trace twice');
  for (const e of result.trace) {
    const node = log.node(e.task);
    if (!covered.has(e.task))
      log.violate('trace-not-covered', `${e.task} is in the trace but not covered`);
    if (!(e.start <= e.end) || e.start < 0 || e.end > result.durationMs + 1e-9) {
      log.violate(
        'trace-time',
        `${e.task}: start ${e.start}, end ${e.end}, run ${result.durationMs}`,
      );
    }
    if (e.attempts > 1 + node.retries)
      log.violate('attempts', `${e.task}: ${e.attempts} attempts > 1 + ${node.retries}`);
    if ((e.status === 'succeeded') !== result.has(e.task))
      log.violate('has', `${e.task} is ${e.status} but has() is ${result.has(e.task)}`);
    if (e.status !== 'succeeded' && !throws(() => result.get(e.task)))
      log.violate('get', `${e.task} is ${e.status} but get() returned`);
    if (e.status === 'skipped') checkSkipReason(log, entries, e);
  }
  for (const name of covered)
    if (!entries.has(name) && result.has(name))
      log.violate('has', `${name} is not in the trace but has() is true`);
}

function throws(action: () => unknown): boolean {
  try {
    action();
    return false;
  } catch {
    return true;
  }
}

function checkSkipReason(
  log: RunLog,
  entries: RunFacts['entries'],
  e: RunFacts['result']['trace'][number],
): void {
  const node = log.node(e.task);
  const reason = 'reason' in e ? (e.reason as string) : undefined;
  if (typeof reason !== 'string')
    return log.violate('reason', `${e.task} was skipped without a reason`);
  if (e.attempts > 0) {
    if (!/^(self n\d+#\d+|fallback-skip n\d+)$/.test(reason))
      log.violate('skip-reason', `${e.task} skipped itself with ${JSON.stringify(reason)}`);
    return;
  }
  const named = /^dependency "(n\d+)" (failed|was skipped)$/.exec(reason);
  if (named === null)
    return log.violate(
      'skip-reason',
      `${e.task} skipped by its rule with ${JSON.stringify(reason)}`,
    );
  const [, dep, how] = named;
  const depEntry = entries.get(dep);
  const wanted = how === 'failed' ? 'failed' : 'skipped';
  if (!node.deps.some((d) => log.nodes[d].name === dep))
    log.violate('skip-reason', `${e.task}'s reason names ${dep}, not a dependency`);
  if (depEntry?.status !== wanted)
    log.violate(
      'skip-reason',
      `${e.task}: "${reason}", but ${dep} is ${depEntry?.status ?? 'absent'}`,
    );
  if (node.when === 'allSettled')
    log.violate('skip-rule', `allSettled ${e.task} was skipped by its rule`);
  if (node.when === 'noneFailed' && wanted === 'skipped')
    log.violate('skip-rule', `noneFailed ${e.task} was skipped for a skipped dependency`);
  if (depEntry !== undefined && depEntry.end > e.end)
    log.violate(
      'skip-order',
      `${e.task} was skipped (${e.end}) before ${dep} ended (${depEntry.end})`,
    );
}

function bodiesByTask(log: RunLog): Map<string, BodyRecord[]> {
  const byTask = new Map<string, BodyRecord[]>();
  for (const b of log.bodies) byTask.set(b.task, [...(byTask.get(b.task) ?? []), b]);
  return byTask;
}

/** Bodies only of covered tasks, with the right `this`, as many as the trace's attempts. */
function checkBodies({ log, covered, entries }: RunFacts): void {
  for (const b of log.bodies) {
    if (!covered.has(b.task)) log.violate('body-not-covered', `${b.task} ran but is not covered`);
    if (b.thisValue !== log.expectedThis)
      log.violate('this', `${b.task} was called with the wrong this`);
  }
  for (const [name, calls] of bodiesByTask(log)) {
    const e = entries.get(name);
    if (e === undefined || e.attempts === 0) {
      log.violate(
        'started-not-in-trace',
        `${name} ran but its trace entry is ${e === undefined ? 'missing' : 'at 0 attempts'}`,
      );
      continue;
    }
    if (calls.length > e.attempts)
      log.violate('attempts', `${name}: ${calls.length} body calls > ${e.attempts} attempts`);
    for (const b of calls) {
      if (b.contextAttempt !== undefined && b.contextAttempt > e.attempts)
        log.violate('attempts', `${name}: ctx.attempt ${b.contextAttempt} > ${e.attempts}`);
    }
  }
}

/** At each body start, its dependencies settled as its `when` rule needs, with the right arguments. */
function checkDependencyRules({ log, result, error, entries }: RunFacts): void {
  const calls = bodiesByTask(log);
  for (const b of log.bodies) {
    const node = log.node(b.task);
    const own = entries.get(b.task);
    node.deps.forEach((d, position) => {
      const dep = log.nodes[d].name;
      const depEntry = entries.get(dep);
      const arg = b.depArgs[position];
      checkArgument(log, b, node, dep, depEntry, arg, result, error);
      if (depEntry !== undefined && own !== undefined && depEntry.end > own.start) {
        log.violate(
          'dep-time',
          `${b.task} started at ${own.start}, before ${dep} ended at ${depEntry.end}`,
        );
      }
      const terminal = log.hookEventsByTask.get(dep)?.find((e) => e.terminal);
      if (terminal !== undefined && terminal.seq > b.seq) {
        log.violate(
          'dep-order',
          `${b.task}#${b.attempt} started (${b.seq}) before ${dep}'s terminal hook (${terminal.seq})`,
        );
      }
      for (const depBody of calls.get(dep) ?? []) {
        const running = depBody.end === null || depBody.end > b.seq;
        if (running && !isAbandonedAt(log, depBody, b.seq)) {
          log.violate(
            'dep-order',
            `${b.task}#${b.attempt} started while ${dep}#${depBody.attempt} was running`,
          );
        }
      }
    });
  }
}

function checkArgument(
  log: RunLog,
  b: BodyRecord,
  node: NodeSpec,
  dep: string,
  depEntry: RunFacts['result']['trace'][number] | undefined,
  arg: unknown,
  result: ExecutionResult<any, any>,
  error: RunFacts['error'],
): void {
  const label = `${b.task}#${b.attempt}`;
  if (node.when === undefined) {
    if (depEntry?.status !== 'succeeded')
      log.violate('dep-rule', `${label} started, but ${dep} is ${depEntry?.status ?? 'absent'}`);
    else if (arg !== result.get(dep))
      log.violate('dep-arg', `${label} got another value for ${dep}`);
    return;
  }
  if (node.when === 'noneFailed') {
    if (depEntry === undefined || depEntry.status === 'failed') {
      log.violate(
        'dep-rule',
        `noneFailed ${label} started, but ${dep} is ${depEntry?.status ?? 'absent'}`,
      );
    } else if (depEntry.status === 'succeeded' ? arg !== result.get(dep) : arg !== undefined) {
      log.violate('dep-arg', `noneFailed ${label} got a wrong argument for ${dep}`);
    }
    return;
  }
  const settled = arg as
    { status?: string; value?: unknown; error?: unknown; reason?: string } | undefined;
  if (typeof settled !== 'object' || settled === null)
    return log.violate('dep-arg', `allSettled ${label}: ${dep}'s argument is not a Settled`);
  if (depEntry === undefined) {
    if (settled.status !== 'skipped' || !/did not run/.test(settled.reason ?? '')) {
      log.violate(
        'dep-arg',
        `allSettled ${label}: unrun ${dep} reached it as ${JSON.stringify(settled)}`,
      );
    }
    return;
  }
  if (settled.status !== depEntry.status)
    log.violate(
      'dep-arg',
      `allSettled ${label}: ${dep} is ${settled.status}, the trace says ${depEntry.status}`,
    );
  if (depEntry.status === 'succeeded' && settled.value !== result.get(dep))
    log.violate('dep-arg', `allSettled ${label}: another value for ${dep}`);
  if (depEntry.status === 'skipped' && settled.reason !== (depEntry as { reason?: string }).reason)
    log.violate('dep-arg', `allSettled ${label}: another reason for ${dep}`);
  if (
    depEntry.status === 'failed' &&
    error !== undefined &&
    !error.failures.some((f) => f.task === dep && f.error === settled.error)
  ) {
    log.violate('dep-arg', `allSettled ${label}: ${dep}'s error is not the one in failures`);
  }
}

/** After the stop, only allSettled tasks start (bodies and onTaskStart alike). */
function checkStartsAfterStop({ log, end }: RunFacts): void {
  if (log.hookRejectedAsync) return; // such a stop happens at no recorded position
  const stop = end.stopSeq;
  for (const b of log.bodies) {
    if (b.seq < stop || log.node(b.task).when === 'allSettled') continue;
    const own = log.abortFromStart;
    // onTaskStart aborted the run: the task it was called for still starts.
    if (
      own !== undefined &&
      own.task === b.task &&
      own.attempt === b.count &&
      b.seq > log.abortSeq!
    )
      continue;
    log.violate(
      'start-after-stop',
      `${b.task}#${b.attempt} started (${b.seq}) after the stop (${stop})`,
    );
  }
  for (const e of log.events) {
    if (e.type === 'taskStart' && e.seq > stop && log.node(e.task).when !== 'allSettled') {
      log.violate(
        'start-after-stop',
        `onTaskStart ${e.task}#${e.attempt} (${e.seq}) after the stop (${stop})`,
      );
    }
  }
}

/** The run resolves or rejects as its events say, with the right error. */
function checkOutcome(facts: RunFacts): void {
  const { log, result, error, failFast, firstFailure, firstHookThrow } = facts;
  const failed = result.trace.filter((e) => e.status === 'failed');
  const abortSeq = log.abortSeq;
  if (error === undefined) {
    if (failed.length > 0)
      log.violate('outcome', `resolved with failed tasks ${failed.map((e) => e.task).join(', ')}`);
    if (firstFailure !== undefined)
      log.violate('outcome', `resolved despite the failure of ${firstFailure.task}`);
    if (firstHookThrow !== undefined && !log.hookRejectedAsync)
      log.violate(
        'outcome',
        `resolved despite ${firstHookThrow.hook} throwing for ${firstHookThrow.task}`,
      );
    if (log.run.abort?.kind === 'before')
      log.violate('outcome', 'resolved despite a signal aborted before the run');
    if (abortSeq !== undefined && log.events.some((e) => e.terminal && e.seq > abortSeq)) {
      log.violate(
        'outcome',
        `resolved although aborted (${abortSeq}) before its last terminal event`,
      );
    }
    return;
  }
  const beforeBreak = (seq: number) => log.breakSeq === undefined || seq < log.breakSeq;
  if (error instanceof WorkflowAbortedError) {
    if (abortSeq === undefined && !facts.end.broke)
      log.violate('outcome', `WorkflowAbortedError without an abort: ${error.message}`);
    if (
      failFast &&
      abortSeq !== undefined &&
      firstFailure !== undefined &&
      firstFailure.seq < abortSeq &&
      beforeBreak(firstFailure.seq)
    ) {
      log.violate(
        'outcome',
        `WorkflowAbortedError, but ${firstFailure.task} failed (${firstFailure.seq}) before the abort (${abortSeq})`,
      );
    }
    if (
      failFast &&
      !log.hookRejectedAsync &&
      abortSeq !== undefined &&
      firstHookThrow !== undefined &&
      firstHookThrow.seq < abortSeq &&
      beforeBreak(firstHookThrow.seq)
    ) {
      log.violate(
        'outcome',
        `WorkflowAbortedError, but ${firstHookThrow.hook} threw for ${firstHookThrow.task} first`,
      );
    }
    return;
  }
  if (error.failures.length === 0)
    return log.violate('outcome', 'WorkflowExecutionError without failures');
  if (error.task !== error.failures[0].task)
    log.violate(
      'failures',
      `error.task ${error.task} is not failures[0] ${error.failures[0].task}`,
    );
  if (error.cause !== error.failures[0].error)
    log.violate('failures', 'error.cause is not failures[0].error');
  if (log.events.length === 0 || log.hookRejectedAsync) return;
  const candidates = [firstFailure, firstHookThrow]
    .filter((c) => c !== undefined)
    .sort((a, b) => a.seq - b.seq);
  if (
    failFast &&
    abortSeq !== undefined &&
    abortSeq < (candidates[0]?.seq ?? Number.POSITIVE_INFINITY)
  ) {
    log.violate(
      'outcome',
      `WorkflowExecutionError, but the abort (${abortSeq}) came before the first failure`,
    );
  }
  if (candidates.length > 0 && candidates[0].task !== error.task) {
    log.violate(
      'first-failure',
      `error.task is ${error.task}, but ${candidates[0].task} failed first`,
    );
  }
}

/** Hook or stream events against the trace: one terminal event per task, last, matching it. */
function checkEvents(
  facts: RunFacts,
  source: 'hook' | 'stream',
  events: readonly EventRecord[],
): void {
  const { log, result, entries, end } = facts;
  if (source === 'hook' && log.run.hooks === 'none') return;
  const partial = source === 'stream' && end.broke;
  if (source === 'stream') {
    for (let i = 1; i < events.length; i++) {
      if (events[i].time! < events[i - 1].time!) {
        log.violate(
          'stream-time',
          `event ${i} (${events[i].type} ${events[i].task}) at ${events[i].time} < ${events[i - 1].time}`,
        );
      }
    }
  }
  const byTask = new Map<string, EventRecord[]>();
  for (const e of events) byTask.set(e.task, [...(byTask.get(e.task) ?? []), e]);
  for (const [name, ofTask] of byTask) {
    const entry = entries.get(name);
    const types = ofTask.map((e) => e.type).join(', ');
    if (entry === undefined) {
      log.violate(
        `${source}-event-no-trace`,
        `${name} has ${source} events (${types}) but no trace entry`,
      );
      continue;
    }
    const terminals = ofTask.filter((e) => e.terminal);
    if (terminals.length > 1)
      log.violate(`${source}-terminal`, `${name} has ${terminals.length} terminal events`);
    if (terminals.length === 0 && !partial)
      log.violate(`${source}-terminal`, `${name} has no terminal event (${types})`);
    const terminal = terminals[0];
    if (terminal !== undefined) checkTerminalEvent(facts, source, terminal, ofTask, entry);
    const starts = ofTask.filter((e) => e.type === 'taskStart');
    if (source === 'hook') {
      starts.forEach(
        (s, i) =>
          s.attempt !== i + 1 &&
          log.violate('hook-attempt', `${name}: start ${i + 1} has attempt ${s.attempt}`),
      );
      if (starts.length !== entry.attempts)
        log.violate(
          'hook-attempts',
          `${name}: onTaskStart ${starts.length} times, ${entry.attempts} attempts`,
        );
    } else {
      if (starts.length > entry.attempts)
        log.violate(
          'stream-attempts',
          `${name}: ${starts.length} taskStart events > ${entry.attempts} attempts`,
        );
      if (starts[0]?.attempt === 1 && starts[0].time !== entry.start)
        log.violate(
          'stream-trace-time',
          `${name}: first start at ${starts[0].time}, trace start ${entry.start}`,
        );
    }
    const retries = ofTask.filter((e) => e.type === 'taskFailure' && e.willRetry === true);
    const node = log.node(name);
    if (retries.length > node.retries)
      log.violate(
        `${source}-retries`,
        `${name}: ${retries.length} retry events > ${node.retries} retries`,
      );
    if (source === 'hook' && log.hookThrows.length === 0 && entry.attempts > 0) {
      const extra = retries.length - (entry.attempts - 1);
      if (extra !== 0 && extra !== 1)
        log.violate(
          'hook-retries',
          `${name}: ${retries.length} retry events, ${entry.attempts} attempts`,
        );
      // A retry announced but not made: only when the run stopped while it waited.
      if (
        extra === 1 &&
        terminal !== undefined &&
        !log.hookRejectedAsync &&
        !(end.stopSeq < terminal.seq)
      ) {
        log.violate(
          'hook-retries',
          `${name}: a retry announced after attempt ${entry.attempts} was not made, and the run had not stopped`,
        );
      }
    }
    if (source === 'hook' && ofTask.some((e) => e.settledRun))
      log.violate('hook-after-settle', `${name}: a hook was called after the run settled`);
  }
  if (!partial) {
    for (const e of result.trace)
      if (!byTask.has(e.task))
        log.violate(
          `${source}-missing`,
          `${e.task} is in the trace (${e.status}) but has no ${source} events`,
        );
  }
}

function checkTerminalEvent(
  { log, result }: RunFacts,
  source: 'hook' | 'stream',
  terminal: EventRecord,
  ofTask: readonly EventRecord[],
  entry: RunFacts['result']['trace'][number],
): void {
  const name = terminal.task;
  if (ofTask.indexOf(terminal) !== ofTask.length - 1)
    log.violate(
      `${source}-after-terminal`,
      `${name}: events after the terminal one: ${ofTask.map((e) => e.type).join(', ')}`,
    );
  const status = (
    { taskSuccess: 'succeeded', taskFailure: 'failed', taskSkip: 'skipped' } as Record<
      string,
      string
    >
  )[terminal.type];
  if (status !== entry.status)
    log.violate(`${source}-status`, `${name}: terminal ${terminal.type}, trace ${entry.status}`);
  if (
    terminal.type === 'taskSuccess' &&
    entry.status === 'succeeded' &&
    terminal.value !== result.get(name)
  )
    log.violate(`${source}-value`, `${name}: another value than the result's`);
  if (terminal.type === 'taskSkip' && terminal.reason !== (entry as { reason?: string }).reason)
    log.violate(
      `${source}-reason`,
      `${name}: skip reason ${terminal.reason}, trace ${(entry as { reason?: string }).reason}`,
    );
  if (terminal.type === 'taskSuccess' && 'recoveredFrom' in terminal !== 'recoveredFrom' in entry)
    log.violate(`${source}-recovered`, `${name}: recoveredFrom differs from the trace`);
  if (source === 'stream' && terminal.time !== entry.end)
    log.violate(
      'stream-trace-time',
      `${name}: terminal at ${terminal.time}, trace end ${entry.end}`,
    );
  if (
    terminal.type === 'taskFailure' &&
    terminal.attempt !== entry.attempts &&
    log.hookThrows.length === 0
  ) {
    log.violate(
      `${source}-attempt`,
      `${name}: failure at attempt ${terminal.attempt}, trace ${entry.attempts}`,
    );
  }
}

/**
 * The stream gets the events the hooks see, in the same order: all of them (progress aside), but
 * for those a throwing onTaskStart, onTaskSuccess or onTaskRetry cancelled.
 */
function checkHooksMatchStream({ log, end }: RunFacts): void {
  if (!log.run.stream || log.run.hooks === 'none' || end.broke) return;
  const show = (e: EventRecord) =>
    `${e.type} ${e.task}#${e.attempt ?? ''}${e.willRetry === true ? ' (retry)' : ''}`;
  const hooks = log.events.filter((e) => !e.voided).map(show);
  const stream = log.streamEvents.filter((e) => e.type !== 'taskProgress').map(show);
  const at = hooks.findIndex((h, i) => h !== stream[i]);
  if (at >= 0 || hooks.length !== stream.length) {
    const from = Math.max(0, (at < 0 ? Math.min(hooks.length, stream.length) : at) - 2);
    log.violate(
      'hook-vs-stream',
      `hooks and stream differ from event ${at < 0 ? Math.min(hooks.length, stream.length) : at}: ` +
        `hooks [${hooks.slice(from, from + 6).join(', ')}], stream [${stream.slice(from, from + 6).join(', ')}]`,
    );
  }
}

/** A stream read to its end ends with the run's error, or without one for a resolved run. */
function checkStreamEnd({ log, end, error }: RunFacts): void {
  if (!log.run.stream || end.broke) return;
  if (error === undefined && end.iterationError !== undefined)
    log.violate(
      'stream-end',
      `the iteration threw ${String(end.iterationError)}, the run resolved`,
    );
  if (error !== undefined && end.iterationError !== error)
    log.violate(
      'stream-end',
      `the iteration ended with ${String(end.iterationError)}, not the run's error`,
    );
}

/** Tasks holding a slot (first start to terminal hook) never exceed the concurrency limit. */
function checkSlots({ log }: RunFacts): void {
  const limit = log.run.concurrency;
  if (limit === Number.POSITIVE_INFINITY) return;
  const active = new Set<string>();
  for (const e of log.events) {
    if (e.type === 'taskStart' && e.attempt === 1) {
      active.add(e.task);
      if (active.size > limit)
        log.violate(
          'event-concurrency',
          `${active.size} tasks hold slots > ${limit} at the start of ${e.task}`,
        );
    }
    if (e.terminal) active.delete(e.task);
  }
}

/** Whether the run stopped (and so aborted its signal): an abort, a break, a failFast failure. */
function runStopped({ error, failFast }: RunFacts): boolean {
  return (
    error instanceof WorkflowAbortedError || (failFast && error instanceof WorkflowExecutionError)
  );
}

/**
 * Fallbacks: called once per task, when it failed for good, never after the run settled (which
 * waits for them), with the error and the task's signal — the run's (the very signal an untimed
 * body gets), aborted at the call iff the run had stopped and in the end iff the run stopped; for
 * an `allSettled` task one that never aborts — and the task ends as the fallback says.
 */
function checkFallbacks(facts: RunFacts): void {
  const { log, end, result } = facts;
  const stopped = runStopped(facts);
  // The stop's position is known from the hooks' events (a failure under failFast).
  const exactStop = log.run.hooks !== 'none' && !log.hookRejectedAsync;
  const untimedBody = log.bodies.find((b) => {
    const node = log.node(b.task);
    return b.signal !== undefined && node.timeout === undefined && node.when !== 'allSettled';
  });
  let runSignal = untimedBody?.signal;
  const calls = new Map<string, number>();
  for (const f of log.fallbacks) {
    const node = log.node(f.task);
    const label = `the fallback of ${f.task} (called at ${f.seq})`;
    calls.set(f.task, (calls.get(f.task) ?? 0) + 1);
    if (f.afterSettle)
      log.violate('fallback-after-settle', `${label} was called after the run settled`);
    if (f.end === null || f.end > log.settleSeq) {
      log.violate(
        'fallback-outlives-run',
        `${label} ended at ${f.end ?? 'never'}, after the run settled (${log.settleSeq})`,
      );
    }
    if (f.thisValue !== undefined) log.violate('this', `${label} was called with a this`);
    checkFallbackOutcome(facts, f);
    if (f.argCount !== 2 || !(f.signal instanceof AbortSignal)) {
      log.violate(
        'fallback-args',
        `${label} got ${f.argCount} arguments, signal ${String(f.signal)}`,
      );
      continue;
    }
    const { signal } = f;
    if (node.when === 'allSettled') {
      if (f.abortedAtCall || f.abortedAtEnd === true || signal.aborted || f.abortedAfterAbort) {
        log.violate(
          'fallback-signal',
          `allSettled ${label}: its signal aborted (at the call ${f.abortedAtCall}, at its end ${f.abortedAtEnd}, now ${signal.aborted})`,
        );
      }
      continue;
    }
    runSignal ??= signal;
    if (signal !== runSignal)
      log.violate('fallback-signal', `${label} got another signal than the run's`);
    if (signal.aborted !== stopped) {
      log.violate(
        'fallback-signal',
        `${label}: its signal ${signal.aborted ? 'aborted' : 'never aborted'}, but the run ${stopped ? 'stopped' : 'did not stop'}`,
      );
    }
    const stoppedBefore = exactStop
      ? end.stopSeq < f.seq
      : log.abortSeq !== undefined && log.abortSeq < f.seq;
    if (f.abortedAtCall !== stoppedBefore && (exactStop || stoppedBefore)) {
      log.violate(
        'fallback-signal',
        `${label}: its signal ${f.abortedAtCall ? 'had' : 'had not'} aborted at the call, the stop was at ${end.stopSeq}`,
      );
    }
    if (f.abortedAfterAbort === false)
      log.violate('fallback-signal', `${label} aborted the run, but its signal did not abort`);
  }
  for (const [task, count] of calls)
    if (count > 1) log.violate('fallback-calls', `${task}'s fallback was called ${count} times`);
  for (const entry of result.trace) {
    if (log.node(entry.task).fallback === undefined || calls.has(entry.task)) continue;
    const reason = (entry as { reason?: string }).reason ?? '';
    const hookThrew = log.hookThrows.some((h) => h.task === entry.task);
    if (
      'recoveredFrom' in entry ||
      (entry.status === 'skipped' && reason.startsWith('fallback-skip')) ||
      (entry.status === 'failed' && !hookThrew)
    ) {
      log.violate(
        'fallback-calls',
        `${entry.task} ${entry.status}${'recoveredFrom' in entry ? ' (recovered)' : ''}, but its fallback was never called`,
      );
    }
  }
}

/** The task ends as its fallback said: failed with what it threw, skipped, or recovered. */
function checkFallbackOutcome({ log, entries, error }: RunFacts, f: FallbackRecord): void {
  const entry = entries.get(f.task);
  const label = `the fallback of ${f.task}`;
  if (entry === undefined) {
    log.violate('fallback-outcome', `${label} was called, but ${f.task} is not in the trace`);
    return;
  }
  const mode = log.node(f.task).fallback;
  if (f.thrown !== NOTHING) {
    if (entry.status !== 'failed') {
      log.violate('fallback-outcome', `${label} threw, but ${f.task} ${entry.status}`);
      return;
    }
    // (A hook's rejection may have added a failure of the task before this one.)
    const failure = error?.failures.find((x) => x.task === f.task && x.error === f.thrown);
    if (failure === undefined || failure.error !== f.thrown) {
      log.violate('failures', `${f.task}: its failure is not what its fallback threw`);
    } else if (
      !/^(retryIf|retryDelay)/.test((f.error as Error | undefined)?.message ?? '') &&
      failure.attemptError !== f.error
    ) {
      log.violate(
        'failures',
        `${f.task}: attemptError is not the error its fallback recovered from`,
      );
    }
    return;
  }
  if (mode === 'skip' || mode === 'asyncSkip') {
    const reason = (entry as { reason?: string }).reason;
    if (entry.status !== 'skipped' || reason !== `fallback-skip ${f.task}`)
      log.violate(
        'fallback-outcome',
        `${label} skipped, but ${f.task} ${entry.status} (${reason})`,
      );
    return;
  }
  const successHookThrew = log.hookThrows.some(
    (h) => h.task === f.task && h.hook === 'onTaskSuccess',
  );
  if (entry.status === 'succeeded') {
    if ((entry as { recoveredFrom?: unknown }).recoveredFrom !== f.error)
      log.violate('fallback-outcome', `${f.task}: recoveredFrom is not the error its fallback got`);
  } else if (!(entry.status === 'failed' && successHookThrew)) {
    log.violate('fallback-outcome', `${label} returned a value, but ${f.task} ${entry.status}`);
  }
}

/**
 * A retry announced by `onTaskRetry` is made unless the run stopped after the announcement (with
 * or without a delay: a retry without one waits for a promise reaction, and a stop may come
 * first). Then an `allSettled` task still makes it; another makes no further attempt and fails
 * with the error the retry was for (its fallback gets that error).
 */
function checkRetriesAroundStops({ log, end, error }: RunFacts): void {
  if (log.run.hooks === 'none' || log.hookRejectedAsync) return;
  for (const [task, events] of log.hookEventsByTask) {
    if (log.hookThrows.some((h) => h.task === task)) continue;
    const node = log.node(task);
    for (const r of events) {
      if (r.type !== 'taskFailure' || r.willRetry !== true) continue;
      const made = events.some((e) => e.type === 'taskStart' && e.attempt === r.attempt! + 1);
      if (made) continue;
      const label = `${task}: the retry announced after attempt ${r.attempt} (delay ${r.delayMs})`;
      if (node.when === 'allSettled') {
        log.violate('retry-dropped', `allSettled ${label} was not made`);
        continue;
      }
      const terminal = events.find((e) => e.terminal && e.seq > r.seq);
      if (terminal === undefined) continue; // checked with the events
      if (!(r.seq < end.stopSeq && end.stopSeq < terminal.seq)) {
        log.violate('retry-dropped', `${label} was not made, and no stop came before its end`);
        continue;
      }
      const fallback = log.fallbacks.find((f) => f.task === task);
      if (node.fallback !== undefined) {
        if (fallback !== undefined && fallback.error !== r.error)
          log.violate(
            'retry-stopped',
            `${label}: its fallback got another error than the attempt's`,
          );
      } else if (terminal.type !== 'taskFailure' || terminal.error !== r.error) {
        log.violate(
          'retry-stopped',
          `${label}: ${task} ended with ${terminal.type}, not the attempt's error`,
        );
      } else if (error !== undefined) {
        const failure = error.failures.find((x) => x.task === task);
        if (failure?.error !== r.error)
          log.violate('failures', `${label}: its entry in failures is not the attempt's error`);
      }
    }
  }
}

/**
 * `failures` against the trace and the events: every failed task is in it, with the error its
 * `onTaskFailure` (and the stream's `taskFailure`) carried; without misbehaving hooks (which add
 * failures of their own), exactly the failed tasks, once each.
 */
function checkFailures({ log, error, result, entries }: RunFacts): void {
  if (error === undefined) return;
  const failed = result.trace.filter((e) => e.status === 'failed').map((e) => e.task);
  for (const task of failed)
    if (!error.failures.some((f) => f.task === task))
      log.violate('failures', `${task} failed but is not in failures`);
  for (const f of error.failures)
    if (!entries.has(f.task))
      log.violate('failures', `${f.task} is in failures but not in the trace`);
  if (log.hookRejectedAsync) return;
  const first = (task: string) => error.failures.find((f) => f.task === task);
  const sources = [
    ...(log.run.hooks === 'none' ? [] : [log.events]),
    ...(log.run.stream ? [log.streamEvents] : []),
  ];
  for (const events of sources) {
    for (const e of events) {
      if (e.type !== 'taskFailure' || e.willRetry === true || e.voided) continue;
      if (first(e.task)?.error !== e.error)
        log.violate(
          'failures',
          `${e.task}: its taskFailure event's error is not its entry in failures`,
        );
    }
  }
  if (log.hookThrows.length > 0) return;
  const tasks = error.failures.map((f) => f.task);
  if (tasks.length !== failed.length || !tasks.every((t) => failed.includes(t))) {
    log.violate(
      'failures',
      `failures name [${tasks.join(', ')}], the trace's failed tasks are [${failed.join(', ')}]`,
    );
  }
}

/**
 * An allSettled task's signal aborts only at its timeout; in a resolved run only timeouts abort
 * signals; a (non-allSettled) body running at the stop sees its signal abort before it ends.
 */
function checkSignals({ log, end, error }: RunFacts): void {
  for (const b of log.bodies) {
    if (b.signal === undefined) continue;
    const node = log.node(b.task);
    const reason: unknown = b.signal.aborted ? b.signal.reason : undefined;
    const byTimeout = reason instanceof TaskTimeoutError;
    if (node.when === 'allSettled' && b.signal.aborted && !byTimeout)
      log.violate(
        'allSettled-signal',
        `${b.task}#${b.attempt}'s signal aborted: ${(reason as Error)?.message}`,
      );
    if (error === undefined && b.signal.aborted && !byTimeout && b.seq < log.settleSeq)
      log.violate(
        'signal-ok-run',
        `${b.task}#${b.attempt}'s signal aborted in a resolved run: ${(reason as Error)?.message}`,
      );
    const stop = end.stopSeq;
    const runningAtStop = b.seq < stop && b.end !== null && b.end > stop;
    if (
      node.when !== 'allSettled' &&
      !log.hookRejectedAsync &&
      runningAtStop &&
      !isAbandonedAt(log, b, stop) &&
      b.signalAbortedAtEnd !== true &&
      !log.droppedTasks.has(b.task)
    ) {
      log.violate(
        'stop-signal',
        `${b.task}#${b.attempt} ran at the stop (${stop}) but its signal had not aborted when it ended (${b.end})`,
      );
    }
  }
}

/** A body that ignores its signal and was still running when its attempt failed timed out. */
function checkTimeouts({ log }: RunFacts): void {
  if (log.run.interceptors.length > 0) return;
  for (const e of log.events) {
    const node = log.node(e.task);
    if (e.type !== 'taskFailure' || node.timeout === undefined) continue;
    const b = log.bodies.find((x) => x.task === e.task && x.contextAttempt === e.attempt);
    if (b === undefined) continue;
    const spec = node.attempts[Math.min(e.attempt! - 1, node.attempts.length - 1)];
    const message = (e.error as Error | undefined)?.message ?? '';
    const stillRunning = b.end === null || b.end > e.seq;
    // A fallback may fail the task with anything: an honouring one with its signal's reason.
    const fromFallback = log.fallbacks.some((f) => f.task === e.task && f.thrown === e.error);
    if (
      spec.outcome === 'hang' &&
      stillRunning &&
      !(e.error instanceof TaskTimeoutError) &&
      !fromFallback &&
      !/^(retryIf|retryDelay|hook|interceptor|fallback)/.test(message)
    ) {
      log.violate(
        'timeout-error',
        `${e.task}#${e.attempt} hung past its timeout but failed with ${message}`,
      );
    }
  }
}

/**
 * Under a concurrency limit, in runs that never stop, the order of first attempts (API.md §2, §8):
 * while the ready tasks fit in the free slots, in the order they became ready, as without a limit
 * (those released by one event — nothing starts inside one — in declaration order); once more are
 * ready than there are free slots, by rank (cumulative priority, then remaining path, then
 * declaration order), until none is left waiting. A task holds its slot from its first start to
 * its terminal hook.
 */
function checkPriority({ log, covered, error, failFast, result }: RunFacts): void {
  const { run } = log;
  const stops =
    run.abort !== undefined || run.interceptors.length > 0 || error instanceof WorkflowAbortedError;
  const failedUnderFailFast = failFast && result.trace.some((e) => e.status === 'failed');
  if (
    run.concurrency === Number.POSITIVE_INFINITY ||
    run.hooks !== 'record' ||
    stops ||
    failedUnderFailFast
  )
    return;
  const rank = readyOrder(log.nodes, covered);
  const declared = new Map(log.nodes.map((node, index) => [node.name, index]));
  const started = new Set<string>();
  const terminal = new Map<string, string>();
  /** Per task, how many tasks had started when it became ready: one event releases at one count. */
  const readyAt = new Map<string, number>();
  let starts = 0;
  let ranking = false;
  for (const e of log.events) {
    if (e.type === 'taskStart' && e.attempt === 1) {
      const ready = [...covered].filter(
        (name) =>
          !started.has(name) && !terminal.has(name) && isReady(log.node(name), log.nodes, terminal),
      );
      for (const name of ready) if (!readyAt.has(name)) readyAt.set(name, starts);
      const free = run.concurrency - (started.size - countTerminal(started, terminal));
      if (ready.length > free) ranking = true;
      count(ranking ? SCENARIOS.rankedStarts : SCENARIOS.fittingStarts);
      const best = ready.sort(
        ranking
          ? (a, b) => rank.get(a)! - rank.get(b)!
          : (a, b) => readyAt.get(a)! - readyAt.get(b)! || declared.get(a)! - declared.get(b)!,
      )[0];
      if (best !== undefined && best !== e.task) {
        log.violate(
          'priority',
          ranking
            ? `started ${e.task} (rank ${rank.get(e.task)}) while ${best} (rank ${rank.get(best)}) was ready, with ${ready.length} ready for ${free} free slots`
            : `started ${e.task} before ${best}, which became ready first or with it and is declared first, with all ${ready.length} ready fitting in ${free} free slots`,
        );
      }
      started.add(e.task);
      starts++;
      if (ready.length === 1) ranking = false;
    }
    if (e.terminal) terminal.set(e.task, e.type);
  }
}

/** How many of `tasks` have had their terminal hook. */
function countTerminal(tasks: ReadonlySet<string>, terminal: ReadonlyMap<string, string>): number {
  let count = 0;
  for (const task of tasks) if (terminal.has(task)) count++;
  return count;
}

function isReady(
  node: NodeSpec,
  nodes: readonly NodeSpec[],
  terminal: ReadonlyMap<string, string>,
): boolean {
  const outcomes = node.deps.map((d) => terminal.get(nodes[d].name));
  if (outcomes.some((o) => o === undefined)) return false;
  if (node.when === undefined) return outcomes.every((o) => o === 'taskSuccess');
  if (node.when === 'noneFailed') return !outcomes.includes('taskFailure');
  return true;
}

/**
 * Each node's place in the ready order: cumulative priority, remaining path, declaration — over
 * the nodes the run covers (a dependent that `targets` leave out counts for nothing).
 */
function readyOrder(nodes: readonly NodeSpec[], covered: ReadonlySet<string>): Map<string, number> {
  const dependents = nodes.map(() => [] as number[]);
  nodes.forEach((node, i) => {
    if (covered.has(node.name)) new Set(node.deps).forEach((d) => dependents[d].push(i));
  });
  const path = nodes.map(() => 0);
  const cumulative = nodes.map(() => 0);
  for (let i = nodes.length - 1; i >= 0; i--) {
    path[i] = 1 + Math.max(0, ...dependents[i].map((j) => path[j]));
    cumulative[i] =
      (nodes[i].priority ?? 0) + Math.max(0, ...dependents[i].map((j) => cumulative[j]));
  }
  const order = nodes
    .map((_, i) => i)
    .sort((a, b) => cumulative[b] - cumulative[a] || path[b] - path[a] || a - b);
  return new Map(order.map((i, place) => [nodes[i].name, place]));
}

// --- The same case as a decorated class --------------------------------------------------------

/**
 * Where the body a class runs for a node comes from (API.md §1, §2), each on its own call path:
 * - `method`: the class's decorated method;
 * - `subclass`: the base class declares the task (with a decoy body), the subclass overrides the
 *   method without decorators (so the base's metadata stays);
 * - `redecorated`: the base class declares it with decoy metadata (no inputs, other options) and a
 *   decoy body, the subclass redeclares it with `@Task`/`@DependsOn` (which replaces them);
 * - `override`: the class's method is a decoy; `overrides` in the invoke options has the body;
 * - `instance`: the class's method is a decoy; an instance property of that name has the body;
 * - `overrideOverInstance`: the method and an instance property are decoys; `overrides` has it.
 */
type TaskSource =
  'method' | 'subclass' | 'redecorated' | 'override' | 'instance' | 'overrideOverInstance';

/** How a node's SIGNAL, CONTEXT and PARAM inputs are declared: a token, or a parameter decorator. */
type InputStyle = 'token' | 'decorator';

interface ClassShape {
  /** The first node the subclass declares; `undefined`: one class, no subclass. */
  readonly split: number | undefined;
  readonly sources: readonly TaskSource[];
  /** Per node: how its SIGNAL, CONTEXT and PARAM inputs are declared. */
  readonly inputs: readonly (readonly [InputStyle, InputStyle, InputStyle])[];
}

/** A case whose runs are made by the builder DAG and then by the same DAG as a class. */
interface ClassCaseSpec {
  readonly spec: CaseSpec;
  readonly shape: ClassShape;
}

function describeClassCase({ spec, shape }: ClassCaseSpec): string {
  const split = shape.split === undefined ? 'one class' : `subclass from n${shape.split}`;
  const nodes = spec.nodes.map((node, i) => {
    const styles = shape.inputs[i].map((style) => (style === 'token' ? 't' : 'd')).join('');
    return `${node.name}: ${shape.sources[i]} (signal/context/param ${styles})`;
  });
  return `${describeCase(spec)}\nclass (${split}): ${nodes.join(', ')}`;
}

const inputStyleArbitrary = weighted<InputStyle>(['token', 1], ['decorator', 1]);

/**
 * A class shape for `spec`: mostly plain methods; `subclass` and `redecorated` only for nodes of
 * the base class (before the split), so they fall back to `method` without a subclass.
 */
function classShapeArbitrary(spec: CaseSpec): fc.Arbitrary<ClassShape> {
  const count = spec.nodes.length;
  return fc
    .record({
      split:
        count > 1 ? sometimes(fc.integer({ min: 1, max: count - 1 }), 50) : fc.constant(undefined),
      sources: fc.array(
        weighted<TaskSource>(
          ['method', 6],
          ['subclass', 2],
          ['redecorated', 2],
          ['override', 2],
          ['instance', 2],
          ['overrideOverInstance', 1],
        ),
        { minLength: count, maxLength: count },
      ),
      inputs: fc.array(fc.tuple(inputStyleArbitrary, inputStyleArbitrary, inputStyleArbitrary), {
        minLength: count,
        maxLength: count,
      }),
    })
    .map(({ split, sources, inputs }) => ({
      split,
      sources: sources.map((source, i) =>
        (source === 'subclass' || source === 'redecorated') && (split === undefined || i >= split)
          ? 'method'
          : source,
      ),
      inputs,
    }));
}

/** Calls of a decoy: a method that must not run (its override, instance property or subclass does). */
const decoyCalls: string[] = [];

function makeDecoy(name: string, source: TaskSource): (...args: unknown[]) => unknown {
  return function decoy(): unknown {
    decoyCalls.push(`${name} (${source}): the class's own method ran`);
    return { decoy: name };
  };
}

/**
 * Declares node `node` on `prototype` as tsc would: its dependencies, then its inputs at the
 * positions the builder passes them (SIGNAL, CONTEXT, the run's log as PARAM) — each a token
 * listed in `@DependsOn` or a parameter decorator at that index — and its options.
 */
function declareNode(
  prototype: object,
  node: NodeSpec,
  nodes: readonly NodeSpec[],
  styles: readonly [InputStyle, InputStyle, InputStyle],
  body: (...args: unknown[]) => unknown,
): void {
  Object.defineProperty(prototype, node.name, {
    value: body,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  const inputs: unknown[] = node.deps.map((d) => nodes[d].name);
  const used = [
    [node.usesSignal, SIGNAL, Signal] as const,
    [node.usesContext, CONTEXT, Context] as const,
    [true, PARAM, Param] as const,
  ];
  let index = node.deps.length;
  used.forEach(([uses, token, decorator], which) => {
    if (!uses) return;
    if (styles[which] === 'token') inputs.push(token);
    else decorator()(prototype, node.name, index);
    index += 1;
  });
  const { name: _name, ...options } = nodeOptions(node);
  const decorators = [Task(options)];
  if (inputs.length > 0) decorators.push(DependsOn(...(inputs as string[])));
  const descriptor = Object.getOwnPropertyDescriptor(prototype, node.name);
  Reflect.decorate(decorators, prototype, node.name, descriptor);
}

/**
 * The case's DAG as a workflow class `fz` (with a base class `FzBase` when split), one instance
 * shared by the case's runs, each node's body placed as its {@link TaskSource} says.
 */
function buildClassCase({ spec, shape }: ClassCaseSpec): Subject {
  const Base = { FzBase: class {} }.FzBase;
  const Derived = shape.split === undefined ? Base : { fz: class extends Base {} }.fz;
  if (shape.split === undefined) Object.defineProperty(Base, 'name', { value: 'fz' });
  const overrides: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  spec.nodes.forEach((node, i) => {
    const source = shape.sources[i];
    const body = makeBody(node);
    const home = (shape.split === undefined || i < shape.split ? Base : Derived).prototype;
    const decoy = makeDecoy(node.name, source);
    if (source === 'method') declareNode(home, node, spec.nodes, shape.inputs[i], body);
    else if (source === 'redecorated') {
      declareTaskDecoy(home, node.name, decoy);
      declareNode(Derived.prototype, node, spec.nodes, shape.inputs[i], body);
    } else {
      declareNode(home, node, spec.nodes, shape.inputs[i], decoy);
      if (source === 'subclass') {
        Object.defineProperty(Derived.prototype, node.name, {
          value: body,
          writable: true,
          enumerable: false,
          configurable: true,
        });
      }
      if (source === 'override' || source === 'overrideOverInstance') overrides[node.name] = body;
      if (source === 'instance') own[node.name] = body;
      if (source === 'overrideOverInstance') own[node.name] = makeDecoy(node.name, source);
    }
  });
  const instance = Object.assign(new Derived(), own);
  const withOverrides = (options: Record<string, unknown>) =>
    Object.keys(overrides).length === 0 ? options : { ...options, overrides };
  return {
    self: instance,
    target: (index) => spec.nodes[index].name,
    invoke: (param, options) => Workflow.invoke(instance, param, withOverrides(options)),
    stream: (param, options) => Workflow.stream(instance, param, withOverrides(options)),
  };
}

/** A base-class task the subclass redeclares: other inputs and options, which must not apply. */
function declareTaskDecoy(prototype: object, name: string, decoy: (...args: unknown[]) => unknown) {
  Object.defineProperty(prototype, name, {
    value: decoy,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
  Reflect.decorate(
    [Task({ retries: 3, when: 'allSettled', priority: 9 })],
    prototype,
    name,
    descriptor,
  );
}

/**
 * The case without timers (delays become microtasks, timeouts and the bodies that outlive them go,
 * retry delays become 0, timed fallbacks and aborts become microtask ones), so its runs are
 * deterministic and a class run must do exactly what the builder run did.
 */
function withoutTimers(spec: CaseSpec): CaseSpec {
  const untimed = (delay: Delay): Delay =>
    delay.kind === 'timer' ? { kind: 'micro', ticks: delay.ms + 1 } : delay;
  const nodes = spec.nodes.map((node): NodeSpec => ({
    ...node,
    timeout: undefined,
    retryDelay:
      node.retryDelay === undefined
        ? undefined
        : node.retryDelay.kind === 'function'
          ? { ...node.retryDelay, ms: 0 }
          : { kind: 'number', ms: 0 },
    fallback: node.fallback === 'honour' || node.fallback === 'ignore' ? 'async' : node.fallback,
    attempts: node.attempts.map((a) => ({
      ...a,
      outcome: a.outcome === 'hang' || a.outcome === 'honour' ? 'value' : a.outcome,
      delay: untimed(a.delay),
    })),
  }));
  const runs = spec.runs.map((run): RunSpec => ({
    ...run,
    abort: run.abort?.kind === 'timer' ? { kind: 'micro', ticks: run.abort.ms + 1 } : run.abort,
  }));
  const untimedSpec: CaseSpec = { nodes, runs };
  return Object.assign(untimedSpec, { [fc.toStringMethod]: () => describeCase(untimedSpec) });
}

/**
 * Class cases: the cases of the other properties (half of them `all`, the others `reentrant` or
 * `retries`; half of them without timers), with a class shape each. The shape is drawn after the
 * case, so it shrinks after it.
 */
function classCaseArbitrary(): fc.Arbitrary<ClassCaseSpec & { deterministic: boolean }> {
  const cases = fc.oneof(
    CROSS_SHRINK,
    { arbitrary: caseArbitrary('all'), weight: 2 },
    { arbitrary: caseArbitrary('reentrant'), weight: 1 },
    { arbitrary: caseArbitrary('retries'), weight: 1 },
  );
  return fc.tuple(cases, fc.boolean()).chain(([drawn, deterministic]) => {
    const spec = deterministic ? withoutTimers(drawn) : drawn;
    return classShapeArbitrary(spec).map((shape) => {
      const classCase = { spec, shape, deterministic };
      return Object.assign(classCase, {
        [fc.toStringMethod]: () =>
          `${deterministic ? 'without timers: ' : ''}${describeClassCase(classCase)}`,
      });
    });
  });
}

/**
 * What a run did, as comparable lines: its outcome and failures, its trace and values, and the
 * order of its body calls, hook calls, stream events and fallback calls. Errors are compared by
 * text (each attempt throws a new one); `start`/`end` times are not compared.
 */
function runSummary(log: RunLog): string[] {
  const end = log.end;
  if (end === undefined) return ['did not settle'];
  const text = (value: unknown) =>
    value instanceof Error
      ? `${value.name}: ${value.message}`
      : (JSON.stringify(value) ?? 'undefined');
  const lines: string[] = [];
  const { outcome } = end;
  const error = outcome.ok ? undefined : (outcome.error as WorkflowExecutionError);
  lines.push(`outcome ${outcome.ok ? 'resolved' : `${error?.name} task=${error?.task}`}`);
  if (error instanceof WorkflowExecutionError) {
    lines.push(`cause ${text(error.cause)}`);
    for (const f of error.failures) lines.push(`failure ${f.task}: ${text(f.error)}`);
  }
  const result = outcome.ok ? outcome.value : error?.result;
  for (const e of result?.trace ?? []) {
    const recovered =
      e.recoveredFrom === undefined ? '' : ` recovered from ${text(e.recoveredFrom)}`;
    lines.push(`trace ${e.task} ${e.status} x${e.attempts} ${e.reason ?? ''}${recovered}`);
  }
  for (const node of log.nodes) {
    if (result?.has(node.name)) lines.push(`value ${node.name} ${text(result.get(node.name))}`);
  }
  lines.push(`iteration ${text(end.iterationError)} broke=${end.broke}`);
  for (const b of log.bodies) lines.push(`body ${b.task}#${b.attempt} args ${text(b.depArgs)}`);
  for (const e of log.events) lines.push(`hook ${e.type} ${e.task}#${e.attempt ?? ''}`);
  for (const e of log.streamEvents) lines.push(`stream ${e.type} ${e.task}#${e.attempt ?? ''}`);
  for (const f of log.fallbacks) lines.push(`fallback ${f.task} ${text(f.error)}`);
  return lines;
}

/** Where the class runs did something else than the builder runs of the same case. */
function compareRuns(builderLogs: readonly RunLog[], classLogs: readonly RunLog[]): string[] {
  const problems: string[] = [];
  builderLogs.forEach((builderLog, i) => {
    const expected = runSummary(builderLog);
    const actual = runSummary(classLogs[i]);
    const at = expected.findIndex((line, k) => actual[k] !== line);
    if (at >= 0 || actual.length !== expected.length) {
      const k = at >= 0 ? at : expected.length;
      problems.push(
        `[class-vs-builder] run ${i + 1}, line ${k}: builder "${expected[k] ?? '(end)'}", class "${actual[k] ?? '(end)'}"`,
      );
    }
  });
  return problems;
}

// --- What the cases covered ---------------------------------------------------------------------

/**
 * How often the cases reached the situations the retry and fallback checks are about, counted
 * from what the runs recorded; printed after each property when `ASYNC_DAG_FUZZ_STATS` is set.
 */
const SCENARIOS = {
  cases: 'cases checked (shrinking included)',
  aborted: 'runs aborted by the caller mid-run',
  retries: 'retries announced (onTaskRetry)',
  zeroDelay: '  without a delay',
  cutZero: '  stopped before a retry without a delay started: cut',
  keptZero: '  stopped before a retry without a delay started: allSettled, made',
  cutDelay: '  stopped during a retry delay: cut',
  keptDelay: '  stopped during a retry delay: allSettled, made',
  intercepted: 'runs with task interceptors and a retry without a delay',
  fallbacks: 'fallback calls',
  abortedAtCall: '  with a signal aborted at the call',
  pendingAtStop: '  pending at the stop (the signal aborted while it ran)',
  honoured: '  honouring the signal: rejected with its reason',
  allSettledAfterStop: '  of an allSettled task after the stop (signal not aborted)',
  rankedStarts: 'first starts under a limit, checked in rank order (more ready than free slots)',
  fittingStarts: 'first starts under a limit, checked in the order they became ready (all fit)',
} as const;
const scenarios = new Map<string, number>(Object.values(SCENARIOS).map((what) => [what, 0]));

function count(what: string, by = 1): void {
  scenarios.set(what, scenarios.get(what)! + by);
}

function countScenarios({ log, end }: RunFacts): void {
  const stop = end.stopSeq;
  const retries = log.events.filter((e) => e.type === 'taskFailure' && e.willRetry === true);
  count(SCENARIOS.retries, retries.length);
  count(SCENARIOS.zeroDelay, retries.filter((r) => r.delayMs === 0).length);
  for (const r of retries) {
    const next = log.events.find(
      (e) => e.task === r.task && e.type === 'taskStart' && e.attempt === r.attempt! + 1,
    );
    if (!(r.seq < stop && (next === undefined || stop < next.seq))) continue;
    const kept = log.node(r.task).when === 'allSettled';
    if (r.delayMs === 0) count(kept ? SCENARIOS.keptZero : SCENARIOS.cutZero);
    else count(kept ? SCENARIOS.keptDelay : SCENARIOS.cutDelay);
  }
  if (log.run.interceptors.some((i) => i.kind !== 'run') && retries.some((r) => r.delayMs === 0))
    count(SCENARIOS.intercepted);
  count(SCENARIOS.fallbacks, log.fallbacks.length);
  for (const f of log.fallbacks) {
    const allSettled = log.node(f.task).when === 'allSettled';
    if (f.abortedAtCall) count(SCENARIOS.abortedAtCall);
    if (!allSettled && f.seq < stop && f.end !== null && stop < f.end)
      count(SCENARIOS.pendingAtStop);
    if (allSettled && f.seq > stop) count(SCENARIOS.allSettledAfterStop);
    if (log.node(f.task).fallback === 'honour' && f.thrown !== NOTHING) count(SCENARIOS.honoured);
  }
  if (log.abortSeq !== undefined) count(SCENARIOS.aborted);
}

// --- The property ------------------------------------------------------------------------------

/**
 * Cases of the first property (the second and third run half as many each, the fourth a quarter):
 * about 6 s in all on a 2-core machine. `ASYNC_DAG_FUZZ_RUNS` sets it.
 */
const DEFAULT_RUNS = 600;
const DEFAULT_SEED = 20261126;

const unhandledRejections: unknown[] = [];
const onUnhandledRejection = (reason: unknown): void => {
  unhandledRejections.push(reason);
};

/** The library's hook warnings (a hook rejecting after its run settled), kept off the console. */
const hookWarnings: string[] = [];

/** Runs every run of the case (at once) and fails with every violation, readably. */
async function checkCase(spec: CaseSpec): Promise<void> {
  const { logs, problems } = await runCase(spec, buildCase(spec));
  failWith(problems, logs);
}

/** Runs every run of the case on `subject` (at once); returns their logs and every violation. */
async function runCase(
  spec: CaseSpec,
  subject: Subject,
): Promise<{ logs: RunLog[]; problems: string[] }> {
  unhandledRejections.length = 0;
  hookWarnings.length = 0;
  outsideContext.length = 0;
  decoyCalls.length = 0;
  count(SCENARIOS.cases);
  const logs = await Promise.all(spec.runs.map((run) => observeRun(spec, run, subject)));
  const problems = logs.flatMap((log, i) =>
    log.violations.map((v) => (spec.runs.length > 1 ? `run ${i + 1}: ${v}` : v)),
  );
  for (const reason of unhandledRejections)
    problems.push(`[unhandled] ${String((reason as Error)?.stack ?? reason)}`);
  for (const what of outsideContext)
    problems.push(`[async-context] ${what} ran outside its run's async context`);
  for (const what of decoyCalls) problems.push(`[decoy-ran] ${what}`);
  if (hookWarnings.length > 0 && !logs.some((log) => log.hookRejectedAsync)) {
    problems.push(`[warning] without a rejecting hook: ${hookWarnings.join('; ')}`);
  }
  return { logs, problems };
}

function failWith(problems: readonly string[], logs: readonly RunLog[]): void {
  if (problems.length > 0)
    expect.fail(
      `${problems.length} violations:\n  ${problems.slice(0, 12).join('\n  ')}\n${logs.map(describeLog).join('\n')}`,
    );
}

/**
 * Runs the case's runs on its builder DAG, then on its class: both keep every invariant, and
 * without timers the class runs do exactly what the builder runs did (same body calls in the same
 * order, so the overrides, instance properties and subclass methods ran, and never a decoy).
 */
async function checkClassCase(
  classCase: ClassCaseSpec & { deterministic: boolean },
): Promise<void> {
  const { spec } = classCase;
  const builder = await runCase(spec, buildCase(spec));
  failWith(builder.problems, builder.logs);
  const asClass = await runCase(spec, buildClassCase(classCase));
  const problems = asClass.problems.map((p) => `class: ${p}`);
  if (classCase.deterministic) problems.push(...compareRuns(builder.logs, asClass.logs));
  failWith(problems, asClass.logs);
}

/** The run's bodies and events in order, for a failure message. */
function describeLog(log: RunLog): string {
  const bodies = log.bodies.map((b) => `${b.task}#${b.attempt}@${b.seq}-${b.end ?? '…'}`);
  const hooks = log.events.map(
    (e) => `${e.seq}:${e.type} ${e.task}#${e.attempt ?? ''}${e.willRetry === true ? 'R' : ''}`,
  );
  const stream = log.streamEvents.map(
    (e) =>
      `${e.seq}:${e.type} ${e.task}#${e.attempt ?? ''}${e.willRetry === true ? 'R' : ''}@${e.time?.toFixed(3)}`,
  );
  return [
    `bodies: ${bodies.join(' ')}`,
    `hooks:  ${hooks.join(' ')}`,
    ...(log.run.stream ? [`stream: ${stream.join(' ')}`] : []),
    `abort at ${log.abortSeq ?? '-'}, settled at ${log.settleSeq}`,
  ].join('\n');
}

/**
 * Checks `arbitrary`'s cases with the suite's seed; a failure says how to run it again (and, with
 * `ASYNC_DAG_FUZZ_PATH` set to the path fast-check printed, how to replay just the counterexample).
 */
async function assertRunsKeepInvariants<T>(
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  seed: number,
  title: string,
  check: (value: T) => Promise<void> = checkCase as (value: T) => Promise<void>,
): Promise<void> {
  const path = process.env.ASYNC_DAG_FUZZ_PATH;
  const replay = path === undefined || path === '' ? {} : { path, endOnFailure: true };
  try {
    await fc.assert(fc.asyncProperty(arbitrary, check), { numRuns, seed, ...replay });
  } catch (error) {
    const rerun =
      `Run it again: ASYNC_DAG_FUZZ_SEED=${seed} ASYNC_DAG_FUZZ_RUNS=${numberFromEnvironment('ASYNC_DAG_FUZZ_RUNS', DEFAULT_RUNS)} ` +
      `npm run test:file -- test/property/run-invariants.spec.ts --grep ${JSON.stringify(title)}` +
      ` (add ASYNC_DAG_FUZZ_PATH=<path> to replay only the counterexample)`;
    (error as Error).message = `${(error as Error).message}\n${rerun}`;
    throw error;
  }
}

describe('runs of random builder DAGs keep their invariants (property-based)', function () {
  const numRuns = numberFromEnvironment('ASYNC_DAG_FUZZ_RUNS', DEFAULT_RUNS);
  // Generous: shrinking a counterexample takes a while on a busy machine (and a long run, longer).
  this.timeout(300_000 + 20 * numRuns);
  const seed = numberFromEnvironment('ASYNC_DAG_FUZZ_SEED', DEFAULT_SEED);
  let emitWarning: typeof process.emitWarning;

  before(function () {
    process.on('unhandledRejection', onUnhandledRejection);
    emitWarning = process.emitWarning;
    process.emitWarning = function (this: unknown, warning: string | Error, ...rest: any[]) {
      // The type comes alone or in an options object (with the hook's error as its detail).
      const type: unknown = typeof rest[0] === 'object' ? rest[0]?.type : rest[0];
      if (type === 'AsyncDagHookWarning') hookWarnings.push(String(warning));
      else emitWarning.call(process, warning, ...rest);
    } as typeof process.emitWarning;
  });

  after(function () {
    process.off('unhandledRejection', onUnhandledRejection);
    process.emitWarning = emitWarning;
  });

  afterEach(function () {
    if (process.env.ASYNC_DAG_FUZZ_STATS === undefined) return;
    const lines = [...scenarios].map(([what, n]) => `      ${what}: ${n}`);
    console.log(`    seed ${seed}:\n${lines.join('\n')}`);
    for (const what of scenarios.keys()) scenarios.set(what, 0);
  });

  it('settles every run with a consistent trace, outcome, hooks, stream, signals and limits', async function () {
    const ranked = scenarios.get(SCENARIOS.rankedStarts)!;
    const fitting = scenarios.get(SCENARIOS.fittingStarts)!;
    await assertRunsKeepInvariants(caseArbitrary(), numRuns, seed, this.test!.title);
    // The start order under a limit was checked both ways: the cases do reach binding limits.
    if (numRuns >= 100) {
      expect(scenarios.get(SCENARIOS.rankedStarts)! - ranked, 'ranked starts').to.be.above(0);
      expect(scenarios.get(SCENARIOS.fittingStarts)! - fitting, 'fitting starts').to.be.above(0);
    }
  });

  it('streams events in order when a hook makes others happen while it runs', async function () {
    const focused = Math.ceil(numRuns / 2);
    await assertRunsKeepInvariants(caseArbitrary('reentrant'), focused, seed, this.test!.title);
  });

  it('fails, keeps or makes retries and calls fallbacks with the right signal around stops', async function () {
    const focused = Math.ceil(numRuns / 2);
    await assertRunsKeepInvariants(caseArbitrary('retries'), focused, seed, this.test!.title);
  });

  it('runs each case as a decorated class as it runs the builder DAG (overrides, subclasses, instance properties)', async function () {
    const focused = Math.ceil(numRuns / 4);
    const arbitrary = classCaseArbitrary();
    await assertRunsKeepInvariants(arbitrary, focused, seed, this.test!.title, checkClassCase);
  });
});
