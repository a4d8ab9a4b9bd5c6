/**
 * Type-level tests of `@Task({ fallback })`, compiled by `npm run typecheck` in both decorator
 * modes: with `experimentalDecorators` (test/types/tsconfig.json) and with standard decorators
 * (test/types/standard/tsconfig.json includes this file). Never executed. The fallback's value
 * becomes the task's, so it must be of the method's type, as a builder node's is. Every
 * `@ts-expect-error` line must be a compile error in both modes.
 */
import {
  DependsOn,
  PARAM,
  skip,
  Task,
  Workflow,
  type TaskOptions,
  type WorkflowMethodDecorator,
} from '../../src';

declare function expectType<T>(_value: T): void;
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the assertion
declare function assertTrue<T extends true>(): void;

interface User {
  id: string;
  name: string;
}
type Tier = 'gold' | 'standard';
type Outcome = { ok: true; user: User } | { ok: false; error: unknown };

/** Declared apart and shared: `TaskOptions` leaves the fallback unchecked, as the user chose. */
const policy: TaskOptions = { retries: 1, fallback: (error: unknown) => error };
const zeroed: TaskOptions<number> = { retries: 1, fallback: () => 0 };
const retried: WorkflowMethodDecorator = Task({ retries: 2 });
const zeroFallback = Task({ fallback: () => 0 });

/** What keeps compiling: every fallback whose value the method's type takes. */
class Fallbacks {
  readonly prefix = '#';

  @Task() plain(): string {
    return '';
  }

  @Task({ retries: 1, timeout: 1_000 }) tuned(): string {
    return '';
  }

  @Task({
    fallback: () => {
      throw new Error('no fallback today');
    },
  })
  throwing(): string {
    return '';
  }

  @Task({ fallback: () => skip('unavailable') }) skipping(): User {
    return { id: '', name: '' };
  }

  // An async method falling back to a constant, and a sync one to a promise.
  @Task({ fallback: () => 0 }) async price(): Promise<number> {
    return 1;
  }

  @Task({ fallback: async () => 0 }) count(): number {
    return 1;
  }

  @Task({ fallback: (_error, signal) => Promise.resolve(signal.aborted ? 0 : 1) })
  signalled(): number {
    return 1;
  }

  // A literal stays a literal: 'standard' does not widen to string, nor false to boolean.
  @Task({ fallback: () => 'standard' }) tier(): 'gold' | 'standard' {
    return 'gold';
  }

  // An async fallback's literal widens, unless its return type says otherwise.
  @Task({ fallback: async (): Promise<Tier> => 'standard' }) async fetchTier(): Promise<Tier> {
    return 'gold';
  }

  @Task({ fallback: (error) => ({ ok: false, error }) }) async outcome(): Promise<Outcome> {
    return { ok: true, user: { id: '', name: '' } };
  }

  @Task({ fallback: () => ({ tier: 'standard', scores: [1] }) })
  card(): { tier: 'gold' | 'standard'; scores: number[] } {
    return { tier: 'gold', scores: [] };
  }

  @Task({ fallback: () => [] }) tags(): string[] {
    return [];
  }

  @Task({ fallback: () => 0 }) either(): number | string {
    return 1;
  }

  @Task({ fallback: () => null }) async maybe(): Promise<User | null> {
    return null;
  }

  @Task({ fallback: () => undefined }) async found(): Promise<User | undefined> {
    return undefined;
  }

  @Task({ fallback: () => undefined }) nothing(): undefined {
    return undefined;
  }

  @Task({ fallback: () => undefined }) cleanup(): void {}

  // A void method's value is not for use: any fallback fits it.
  @Task({ fallback: () => 'recovered' }) async notify(): Promise<void> {}

  @Task(policy) loose(): string {
    return '';
  }

  @Task(policy) alsoLoose(): number {
    return 1;
  }

  @Task(zeroed) async shared(): Promise<number> {
    return 1;
  }

  @retried retriedTask(): number {
    return 1;
  }

  @zeroFallback reused(): number {
    return 1;
  }

  @Task({ fallback: () => '' })
  @DependsOn<Fallbacks>('plain')
  typedThis(this: Fallbacks, plain: string): string {
    return this.prefix + plain;
  }

  @DependsOn<Fallbacks>('plain')
  @Task({ fallback: () => '' })
  dependsOnFirst(this: Fallbacks, plain: string): string {
    return this.prefix + plain;
  }

  @Task({ fallback: () => 0 }) @DependsOn(PARAM) generic<U>(value: U): U {
    return value;
  }

  // An array literal is a tuple where the method's value is one, at the top level or nested.
  @Task({ fallback: () => [0, ''] }) pair(): [number, string] {
    return [1, ''];
  }

  @Task({ fallback: () => ({ range: [0, 0], label: 'none' }) })
  bounds(): { range: [number, number]; label: string } {
    return { range: [1, 2], label: '' };
  }

  // A method returning `this`, a type parameter, takes a decorator with no fallback.
  @Task() self(): this {
    return this;
  }

  // A method that may return nothing takes a fallback returning nothing, or a value of its type.
  @Task({ fallback: (error) => console.error(error) }) async mayCount(): Promise<number | void> {
    return 1;
  }

  @Task({ fallback: () => 0 }) async mayCountToo(): Promise<number | void> {
    return 1;
  }
}

/** What no longer compiles: a fallback whose value the method's type does not take. */
export class Mismatches {
  // @ts-expect-error -- the fallback's 0 is no string
  @Task({ fallback: () => 0 }) name(): string {
    return '';
  }

  // @ts-expect-error -- nor a promise of one
  @Task({ fallback: async () => 0 }) async label(): Promise<string> {
    return '';
  }

  // @ts-expect-error -- 'silver' is not among the method's literals
  @Task({ fallback: () => 'silver' }) tier(): 'gold' | 'standard' {
    return 'gold';
  }

  // @ts-expect-error -- a User needs its name too
  @Task({ fallback: () => ({ id: 'guest' }) }) async user(): Promise<User> {
    return { id: '', name: '' };
  }

  // @ts-expect-error -- null is no User
  @Task({ fallback: () => null }) async required(): Promise<User> {
    return { id: '', name: '' };
  }

  // @ts-expect-error -- a fallback that only logs returns undefined, no number
  @Task({ fallback: (error) => console.error(error) }) total(): number {
    return 1;
  }

  // @ts-expect-error -- a shared TaskOptions<number> fits only methods whose value is a number
  @Task(zeroed) shared(): string {
    return '';
  }

  // @ts-expect-error -- a decorator kept in a variable keeps its fallback's type
  @zeroFallback reused(): string {
    return '';
  }

  // @ts-expect-error -- in either order with @DependsOn
  @DependsOn(PARAM) @Task({ fallback: () => 0 }) first(this: Mismatches, id: string): string {
    return id;
  }

  // @ts-expect-error -- in either order with @DependsOn
  @Task({ fallback: () => 0 }) @DependsOn(PARAM) second(this: Mismatches, id: string): string {
    return id;
  }

  // @ts-expect-error -- the tuple's elements in the wrong order
  @Task({ fallback: () => ['', 0] }) pair(): [number, string] {
    return [1, ''];
  }

  // @ts-expect-error -- a method that may return a number or nothing takes no string
  @Task({ fallback: () => 'none' }) async mayCount(): Promise<number | void> {
    return 1;
  }
}

/** A class with an index signature checks its fallbacks as well. */
export class Indexed {
  [key: string]: unknown;

  @Task({ fallback: () => 0 }) count(): number {
    return 1;
  }

  // @ts-expect-error -- the fallback's 0 is no string
  @Task({ fallback: () => 0 }) label(): string {
    return '';
  }
}

/** A mixin's methods, and a subclass overriding a task, take fallbacks alike. */
function Timestamped<B extends new (...args: any[]) => object>(Base: B) {
  class Mixed extends Base {
    @Task({ fallback: () => 0 }) stamp(): number {
      return Date.now();
    }
  }
  return Mixed;
}
export class Base {
  @Task({ fallback: () => 'none' }) label(): string {
    return 'base';
  }
}
export class Stamped extends Timestamped(Base) {
  @Task({ fallback: () => 'none' }) override label(): string {
    return 'stamped';
  }
}

/** The decorator types: loose without a type argument, checked with one. */
export function decoratorTypes(): void {
  const loose: WorkflowMethodDecorator = Task({ fallback: () => 0 });
  const numbered: WorkflowMethodDecorator<number> = Task({ fallback: () => 0 });
  const dependsOn: WorkflowMethodDecorator = DependsOn(PARAM);
  void [loose, numbered, dependsOn];
}

/** The results are typed by the methods, as before. */
export async function typedResults(): Promise<void> {
  const result = await Workflow.invoke(new Fallbacks());
  assertTrue<Equals<ReturnType<typeof result.get<'price'>>, number>>();
  assertTrue<Equals<ReturnType<typeof result.get<'tier'>>, 'gold' | 'standard'>>();
  assertTrue<Equals<ReturnType<typeof result.get<'outcome'>>, Outcome>>();
  assertTrue<Equals<ReturnType<typeof result.get<'found'>>, User | undefined>>();
  assertTrue<Equals<ReturnType<typeof result.get<'loose'>>, string>>();
  expectType<string>(result.get('typedThis'));
  // @ts-expect-error -- price is a number
  expectType<string>(result.get('price'));
  const stamped = await Workflow.invoke(new Stamped());
  expectType<number>(stamped.get('stamp'));
}
