/**
 * Type-level tests of API.md §6 with `experimentalDecorators` (legacy decorators), compiled by
 * `npm run typecheck` (never executed): the tokens in `@DependsOn<W>(…)`, `@Context()` and
 * `TaskContext`. Every `@ts-expect-error` line must be a compile error. The standard-decorator
 * counterpart is `standard/decorators.ts`.
 */
import {
  CONTEXT,
  Context,
  DependsOn,
  PARAM,
  SIGNAL,
  Task,
  Workflow,
  type InputToken,
  type TaskContext,
} from '../../src';

declare function expectType<T>(_value: T): void;

/** The example of API.md §6, as it is written there. */
class Example {
  @Task()
  @DependsOn(PARAM)
  async fastTaskA(n: number) {
    return n + 1;
  }

  @Task()
  @DependsOn<Example>('fastTaskA', PARAM, SIGNAL)
  async slowTaskB(a: number, n: number, _signal: AbortSignal) {
    return a + n;
  }

  @Task()
  @DependsOn<Example>('slowTaskB', CONTEXT)
  async report(b: number, ctx: TaskContext) {
    ctx.progress({ done: b });
    return b;
  }

  // @ts-expect-error -- 'slowTaskb' is not a task of Example, tokens or not
  @Task() @DependsOn<Example>('slowTaskb', CONTEXT) misspelt(b: number, _ctx: TaskContext) {
    return b;
  }

  // @ts-expect-error -- a string that names a token is no token: 'PARAM' is not a task
  @Task() @DependsOn<Example>('PARAM') quoted(n: number) {
    return n;
  }

  /** `@Context()` is the parameter-decorator form of `CONTEXT`. */
  @Task() marked(@Context() ctx: TaskContext) {
    return ctx.attempt;
  }
}

export async function example(): Promise<void> {
  const result = await Workflow.invoke(new Example(), 0);
  expectType<number>(result.get('slowTaskB'));
  expectType<number>(result.get('report'));
  expectType<number>(result.get('marked'));
  // @ts-expect-error -- report's value is a number
  expectType<string>(result.get('report'));
}

/** `TaskContext`'s fields, and the tokens as `InputToken`s. */
export function taskContext(ctx: TaskContext): void {
  expectType<string>(ctx.task);
  expectType<number>(ctx.attempt);
  expectType<AbortSignal>(ctx.signal);
  expectType<void>(ctx.progress({ any: 'data' }));
  // @ts-expect-error -- the context is read-only
  ctx.attempt = 2;
  const tokens: InputToken[] = [PARAM, SIGNAL, CONTEXT];
  expectType<readonly InputToken[]>(tokens);
  // @ts-expect-error -- a task name is no token
  const notTokens: InputToken[] = ['fastTaskA'];
  expectType<InputToken[]>(notTokens);
}
