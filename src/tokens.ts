/**
 * The input tokens: `PARAM`, `SIGNAL` and `CONTEXT` stand for the invocation parameter, the
 * attempt's abort signal and its `TaskContext` wherever a task's inputs are listed — in
 * `@DependsOn(…)` and as `addNode` arguments. In a compiled plan every input is an argument slot:
 * a task index (≥ 0), one of the token slots below, or a constant (slot ≤ {@link FIRST_CONSTANT_SLOT}).
 */
import { pointSeedNames } from './seed-names.js';
import { shared } from './shared.js';

declare const parameterType: unique symbol;
declare const inputTokenBrand: unique symbol;

/**
 * The type of the `PARAM` token, which stands for the invocation parameter. Its type parameter
 * says which parameter it stands for: a builder's `parameterNode` is `PARAM` typed as the
 * builder's `P`.
 *
 * @example
 * ```ts
 * const tm = buildDag<string>();
 * const id: ParamToken<string> = tm.parameterNode; // PARAM, typed as the builder's parameter
 * ```
 */
export interface ParamToken<P = unknown> {
  /** Always `'PARAM'`. */
  readonly token: 'PARAM';
  /** Type-level only: the parameter's type. */
  readonly [parameterType]?: P;
  /** Type-level only: marks an input token, which never passes as a constant `addNode` argument. */
  readonly [inputTokenBrand]?: 'token';
}

/**
 * The type of the `SIGNAL` token, which stands for the attempt's `AbortSignal`.
 *
 * @example
 * ```ts
 * tm.addNode((url: string, signal: AbortSignal) => fetch(url, { signal }), url, SIGNAL);
 * ```
 */
export interface SignalToken {
  /** Always `'SIGNAL'`. */
  readonly token: 'SIGNAL';
  /** Type-level only: marks an input token, which never passes as a constant `addNode` argument. */
  readonly [inputTokenBrand]?: 'token';
}

/**
 * The type of the `CONTEXT` token, which stands for the attempt's {@link TaskContext}.
 *
 * @example
 * ```ts
 * tm.addNode((ctx: TaskContext) => ctx.progress('started'), CONTEXT);
 * ```
 */
export interface ContextToken {
  /** Always `'CONTEXT'`. */
  readonly token: 'CONTEXT';
  /** Type-level only: marks an input token, which never passes as a constant `addNode` argument. */
  readonly [inputTokenBrand]?: 'token';
}

/**
 * Type-level only: what no input token fits. A builder's constant `addNode` argument must fit it,
 * so a token never passes as a constant of a type it fits by its shape (an `object` parameter).
 */
export interface NotAnInputToken {
  readonly [inputTokenBrand]?: never;
}

/**
 * The type of any of the three input tokens (`PARAM`, `SIGNAL`, `CONTEXT`): what `@DependsOn` takes
 * besides task names.
 *
 * @example
 * ```ts
 * const inputs: InputToken[] = [PARAM, SIGNAL, CONTEXT];
 * ```
 */
export type InputToken = ParamToken<any> | SignalToken | ContextToken;

/**
 * The `PARAM` token. The seed's `tm.parameter_node` is a node with an `extract_result`, so a port
 * writes `tm.parameterNode.extractResult(result)`, which was the engine's "… is not a function":
 * those two names are hidden getters (see seed-names.ts) that say where the param is.
 */
/** Where a run's parameter is, for whoever asks the `PARAM` token for a result. */
export const PARAM_IS_RESULT_PARAM = "A run's parameter is result.param.";

function paramToken(): object {
  const token = { token: 'PARAM', toString: () => 'PARAM' };
  pointSeedNames(
    token,
    ['extractResult', 'extract_result'],
    () =>
      'tm.parameterNode (PARAM) is an input token, not a node: it has no result of its own. ' +
      PARAM_IS_RESULT_PARAM,
  );
  return Object.freeze(token);
}

const tokens = shared('tokens', () => ({
  PARAM: paramToken(),
  SIGNAL: Object.freeze({ token: 'SIGNAL', toString: () => 'SIGNAL' }),
  CONTEXT: Object.freeze({ token: 'CONTEXT', toString: () => 'CONTEXT' }),
}));

/**
 * Stands for the value passed to `invoke`: list it in `@DependsOn` (or pass it to `addNode`) where
 * a task takes the invocation parameter. The same as marking the parameter `@Param()`.
 *
 * @example
 * ```ts
 * class Greeting {
 *   @Task() @DependsOn(PARAM) hello(name: string) { return `Hello, ${name}`; }
 * }
 * ```
 */
export const PARAM: ParamToken = tokens.PARAM as ParamToken;

/**
 * Stands for the attempt's `AbortSignal`: aborted when the run fails or is aborted, or when the
 * attempt times out. The same as marking the parameter `@Signal()`.
 *
 * @example
 * ```ts
 * class Prices {
 *   @Task({ timeout: 2_000 }) @DependsOn(PARAM, SIGNAL)
 *   quote(sku: string, signal: AbortSignal) { return fetch(`/prices/${sku}`, { signal }); }
 * }
 * ```
 */
export const SIGNAL: SignalToken = tokens.SIGNAL as SignalToken;

/**
 * Stands for the attempt's {@link TaskContext}: its task name, attempt number, signal and
 * `progress()`. The same as marking the parameter `@Context()`.
 *
 * @example
 * ```ts
 * class Import {
 *   @Task() @DependsOn(PARAM, CONTEXT)
 *   async rows(file: string, ctx: TaskContext) { ctx.progress({ file }); return load(file, ctx.signal); }
 * }
 * ```
 */
export const CONTEXT: ContextToken = tokens.CONTEXT as ContextToken;

/** Argument slot: the value passed to invoke. */
export const PARAM_SLOT = -1;
/** Argument slot: the attempt's (or run's) AbortSignal. */
export const SIGNAL_SLOT = -2;
/** Argument slot: the attempt's TaskContext. */
export const CONTEXT_SLOT = -3;
/** Constant `k` of a plan is argument slot `FIRST_CONSTANT_SLOT - k`. */
export const FIRST_CONSTANT_SLOT = -4;

/**
 * A token as messages show it — `the PARAM token` — or `undefined` when `value` is not one.
 *
 * @example
 * ```ts
 * shownToken(PARAM); // 'the PARAM token'
 * ```
 */
export function shownToken(value: unknown): string | undefined {
  return tokenSlot(value) === undefined ? undefined : `the ${String(value)} token`;
}

/** The argument slot of a token, or `undefined` when `value` is not one (compared by identity). */
export function tokenSlot(value: unknown): number | undefined {
  if (value === PARAM) return PARAM_SLOT;
  if (value === SIGNAL) return SIGNAL_SLOT;
  if (value === CONTEXT) return CONTEXT_SLOT;
  return undefined;
}
