/**
 * The one place that turns user values into text for messages. Anything can be thrown, given as
 * an abort reason or passed as an option — a revoked Proxy, an object without a prototype that
 * refers to itself, an `Error` whose `message` getter throws — so nothing here may throw: every
 * reading of a user value is guarded, and the worst case is a description of the value's type.
 */

import { UNPRINTABLE } from './display-text.js';
import { isSharedClassPrototype } from './shared.js';

/** Messages never embed more than this many characters of one described value. */
const MAX_DESCRIPTION_LENGTH = 300;

/**
 * A readable one-liner for anything that was thrown (or given as an abort reason): an error's
 * message, a string as is, other values as JSON or `String(value)`. Never throws.
 *
 * @example
 * ```ts
 * describeThrown(new Error('boom')); // 'boom'
 * describeThrown({ code: 42 }); // '{"code":42}'
 * const { proxy, revoke } = Proxy.revocable({}, {});
 * revoke();
 * describeThrown(proxy); // 'an object': a revoked proxy cannot be read
 * ```
 */
export function describeThrown(value: unknown): string {
  try {
    return shorten(readableText(value));
  } catch {
    return kindOf(value);
  }
}

/**
 * `error`, with `cause` as its standard `cause` (own and not enumerable, as `new Error(message,
 * { cause })` makes it): for an error that reports, in its message, what user code threw.
 *
 * @example
 * ```ts
 * throw causedBy(new TypeError(`options could not be read: ${describeThrown(error)}`), error);
 * ```
 */
export function causedBy<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
  return error;
}

/**
 * The `TypeError` of a function whose options could not be read (their getter or Proxy trap threw
 * `error`, kept as its `cause`), for `caller` (`'buildDag'`, `'formatTimeline'`).
 *
 * @example
 * ```ts
 * throw unreadableOptions('buildDag', error); // buildDag: options could not be read: boom
 * ```
 */
export function unreadableOptions(caller: string, error: unknown): TypeError {
  return causedBy(
    new TypeError(`${caller}: options could not be read: ${describeThrown(error)}`),
    error,
  );
}

/**
 * An error of this package as JSON holds it — what a structured logger writes: its `name` and
 * `message` (which `JSON.stringify` leaves out of an `Error`: they are not own enumerable
 * properties), then `own`, the fields only its kind has.
 *
 * @example
 * ```ts
 * class OptionError extends Error {
 *   readonly option = 'timeout';
 *   toJSON() { return errorAsJson(this, { option: this.option }); }
 * }
 * ```
 */
export function errorAsJson(error: Error, own: object): object {
  return { name: error.name, message: error.message, ...own };
}

/**
 * What a task threw, as JSON can hold it (an `Error` is `{}` to `JSON.stringify`, and a value may
 * refer to itself or be a `BigInt`): an error's `{ name, message }`, a thrown string as it is,
 * anything else described (cut short). The message is the error's own, whole (a log is where a
 * long one gets read) and empty when it is empty, as is a thrown string; only a message that is
 * not a string, or whose getter throws, is described instead.
 */
export function thrownAsJson(thrown: unknown): { name: string; message: string } | string {
  if (typeof thrown === 'string') return thrown;
  if (!isError(thrown)) return describeThrown(thrown);
  let name = 'Error';
  let message: unknown;
  try {
    if (typeof thrown.name === 'string') name = thrown.name;
  } catch {
    // A getter that throws: the default name.
  }
  try {
    message = thrown.message;
  } catch {
    // A getter that throws: described below.
  }
  return { name, message: typeof message === 'string' ? message : describeThrown(thrown) };
}

/**
 * `text` as the end of a message, after a colon, or nothing when it is blank: `skip('')` gives a
 * task the reason `''`, and `task "a" was skipped` reads better than `task "a" was skipped: `.
 */
export function colonThen(text: string): string {
  return text.trim() === '' ? '' : `: ${text}`;
}

/**
 * A name — of a task, a node, a member — quoted for a message, as JSON writes a string: a plain
 * name reads as `"fetchUser"`, and one with a line break, a quote, a backslash or a control
 * character stays on one line, unambiguous, and reads back with `JSON.parse`. What JSON leaves as
 * it is but a log or a terminal would still break or reorder the line at — DEL and the C1
 * controls, U+2028 and U+2029, the bidirectional overrides — is escaped as `\uXXXX` too.
 * Never cut short: the name is whole.
 *
 * @example
 * ```ts
 * `task ${quotedName('fetchUser')} failed`; // 'task "fetchUser" failed'
 * quotedName('g\nh'); // '"g\\nh"'
 * quotedName('say "hi"'); // '"say \\"hi\\""'
 * ```
 */
export function quotedName(name: string): string {
  // Most names have nothing to escape: they skip JSON.stringify (a skip's reason quotes one).
  if (!NEEDS_ESCAPE.test(name)) return `"${name}"`;
  return JSON.stringify(name).replace(UNPRINTABLE, unicodeEscape);
}

/**
 * `name` as it is where a message writes it unquoted — a workflow name before the colon, the
 * tasks of a cycle (`a -> b -> a`) or of a list — unless it holds a character that
 * {@link quotedName} escapes, so that it cannot split the line, or the `: ` that separates the
 * parts of a message (a builder named `Orders: nightly`), so that it reads as one name: then it
 * is quoted.
 *
 * @example
 * ```ts
 * `${bareName('Checkout')}: …`; // 'Checkout: …'
 * `${bareName('nightly\nimport')}: …`; // '"nightly\\nimport": …'
 * `${bareName('Orders: nightly')}: …`; // '"Orders: nightly": …'
 * ```
 */
export function bareName(name: string): string {
  return NEEDS_ESCAPE.test(name) || name.includes(': ') ? quotedName(name) : name;
}

/**
 * `names` joined with `separator`, each as {@link bareName} writes it — or quoted when it holds
 * the separator itself (`->`, `,`), so that it reads as one name.
 *
 * @example
 * ```ts
 * joinedNames(['a b', 'c -> d', 'a b'], ' -> '); // 'a b -> "c -> d" -> a b'
 * joinedNames(['load, parse', 'render'], ', '); // '"load, parse", render'
 * ```
 */
export function joinedNames(names: readonly string[], separator: ' -> ' | ', '): string {
  const mark = separator.trim();
  return names
    .map((name) => (name.includes(mark) ? quotedName(name) : bareName(name)))
    .join(separator);
}

/**
 * What {@link quotedName} escapes: what `JSON.stringify` does (a quote, a backslash, C0 control
 * characters, lone surrogates) and what pictures show as a substitute.
 */
const NEEDS_ESCAPE = new RegExp(`["\\\\]|${UNPRINTABLE.source}`, 'u');

function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * What kind of value `value` is, for "expected …, got …" messages: strings quoted, numbers and
 * other primitives as written, objects by kind. Never throws.
 *
 * @example
 * ```ts
 * describeInput('x'); // '"x"'
 * describeInput([1]); // 'an array'
 * describeInput(NaN); // 'NaN'
 * describeInput(80n); // '80n'
 * describeInput(Promise.resolve()); // 'a promise'
 * ```
 */
export function describeInput(value: unknown): string {
  try {
    if (typeof value === 'string') return shorten(quotedName(value));
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'function') return 'a function';
    if (value === null || typeof value !== 'object') return shorten(String(value));
    return collectionKind(value) ?? 'an object';
  } catch {
    // Only a string too long to quote (its escapes past the engine's string length limit).
    return kindOf(value);
  }
}

/**
 * For a function that wants a run's result and got `value`: the hint to await it when it is a
 * promise — a run not awaited, the slip of JavaScript code, which no type check catches — or to
 * await its `result` when it is a `WorkflowStream`, else `''`. Never throws.
 *
 * @example
 * ```ts
 * const run = Workflow.invoke(flow, input);
 * `got ${describeInput(run)}.${awaitHint(run)}`; // 'got a promise. Await it first: …'
 * ```
 */
export function awaitHint(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  // A promise as messages name it (see collectionKind): the language's, also when the global
  // `Promise` is another implementation, and that implementation's — what zone.js's patched `then`
  // gives, and an Angular app's lowered `async` functions return.
  if (collectionKind(value) === 'a promise') {
    return ' Await it first: the promise of a run resolves with its result.';
  }
  try {
    // The stream of a run, for its result: read by brand, so a stream of any loaded copy counts.
    return isSharedClassPrototype(Object.getPrototypeOf(value) as object, 'WorkflowStream')
      ? " That is a WorkflowStream: its run's result is await stream.result."
      : '';
  } catch {
    return ''; // a Proxy whose getPrototypeOf trap throws: no promise, no stream
  }
}

/**
 * For a function that wants an object of named options (or hooks, interceptors, overrides), or one
 * option's value, and got `value`: the hint to await it when it is a promise — options loaded
 * asynchronously and passed without `await` — else `''`. Never throws.
 *
 * @example
 * ```ts
 * const options = Promise.resolve({ retries: 2 });
 * `got ${describeInput(options)}.${awaitOptionsHint(options)}`; // 'got a promise. Await it first.'
 * ```
 */
export function awaitOptionsHint(value: unknown): string {
  return typeof value === 'object' && value !== null && collectionKind(value) === 'a promise'
    ? ' Await it first.'
    : '';
}

/**
 * Whether `value` can be an object of named options (or of named hooks, overrides…): an object,
 * but none of the kinds {@link collectionKind} names, whose contents are not properties — a `Map`
 * of options, or the promise of options not awaited, would be read as no options at all.
 *
 * @example
 * ```ts
 * isNamedOptions({ retries: 2 }); // true
 * isNamedOptions(new Map([['retries', 2]])); // false
 * isNamedOptions(Promise.resolve({ retries: 2 })); // false
 * ```
 */
export function isNamedOptions(value: unknown): value is object {
  return typeof value === 'object' && value !== null && collectionKind(value) === undefined;
}

/**
 * `'an array'`, `'a Map'` or `'a Set'` when `value` is one of these collections, `'a promise'` for
 * a native promise (each also one made in another realm: under jest, Node's own APIs give promises
 * of the outer realm), else `undefined` — also for a value that cannot be inspected (a revoked
 * Proxy): how messages name it, and how every reader of named options, hooks or overrides (through
 * {@link isNamedOptions}) tells what a caller gave instead. Never throws.
 */
export function collectionKind(
  value: object,
): 'an array' | 'a Map' | 'a Set' | 'a promise' | undefined {
  try {
    if (Array.isArray(value)) return 'an array';
    // An object literal, the usual option object, is none of them: no tag to read (per invoke).
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return undefined;
    if (value instanceof Promise) return 'a promise';
    if (value instanceof Map) return 'a Map';
    if (value instanceof Set) return 'a Set';
    return KIND_BY_TAG.get(Object.prototype.toString.call(value));
  } catch {
    return undefined;
  }
}

/** The kinds {@link collectionKind} names, by the tag of one made in another realm. */
const KIND_BY_TAG: ReadonlyMap<string, 'a Map' | 'a Set' | 'a promise'> = new Map([
  ['[object Map]', 'a Map'],
  ['[object Set]', 'a Set'],
  ['[object Promise]', 'a promise'],
]);

function readableText(value: unknown): string {
  // A blank string quoted: "task "a" failed: " would read as a message cut off.
  if (typeof value === 'string') return value.trim() === '' ? JSON.stringify(value) : value;
  if (value === undefined) return 'undefined was thrown';
  if (isError(value)) {
    const message = value.message;
    if (typeof message === 'string' && message.trim() !== '') return message;
    return typeof value.name === 'string' && value.name !== '' ? value.name : 'Error';
  }
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      if (typeof json === 'string') return json;
    } catch {
      // Cyclic, a BigInt inside, or a toJSON that throws: fall back to String().
    }
  }
  return String(value);
}

/**
 * Whether `value` is an error, also one made in another realm (a `vm` context, as under jest, or
 * an iframe), which `instanceof Error` does not see: its `message` is not enumerable, so JSON would
 * turn it into `{}`. Never throws: a revoked Proxy, or one whose `getPrototypeOf` trap throws, makes
 * both checks throw, and is no error.
 */
export function isError(value: unknown): value is Error {
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    return false;
  }
}

/**
 * The stack of `thrown`, when it is an error (of any realm, see {@link isError}) whose stack can be
 * read; else `undefined`. Never throws.
 *
 * @example
 * ```ts
 * process.emitWarning('a hook threw', { detail: stackOf(error) }); // its stack, if it has one
 * ```
 */
export function stackOf(thrown: unknown): string | undefined {
  try {
    const stack = isError(thrown) ? thrown.stack : undefined;
    return typeof stack === 'string' ? stack : undefined;
  } catch {
    return undefined; // a stack getter that throws
  }
}

/** Cuts `text` at a code point boundary, so no surrogate pair is split. */
function shorten(text: string): string {
  if (text.length <= MAX_DESCRIPTION_LENGTH) return text;
  let end = MAX_DESCRIPTION_LENGTH;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** `typeof` never throws, not even on a revoked Proxy. */
function kindOf(value: unknown): string {
  const type = typeof value;
  if (type === 'object') return value === null ? 'null' : 'an object';
  if (type === 'function') return 'a function';
  return `a ${type}`;
}
