/**
 * Type-level tests for standard (TC39) decorators, compiled by `npm run typecheck` with
 * `experimentalDecorators` off (never executed). Every `@ts-expect-error` line must be a compile
 * error.
 */
import {
  CONTEXT,
  DependsOn,
  PARAM,
  SIGNAL,
  Task,
  Workflow,
  type TaskContext,
  type WorkflowMethodDecorator,
} from '../../../src';

class Report {
  @Task({ timeout: 1_000 })
  @DependsOn(PARAM, SIGNAL)
  rows(query: string, signal: AbortSignal): Promise<string[]> {
    return Promise.resolve(signal.aborted ? [] : [query]);
  }

  @Task()
  @DependsOn<Report>('rows', CONTEXT)
  total(rows: string[], ctx: TaskContext): number {
    ctx.progress(rows.length);
    return rows.length;
  }

  // @ts-expect-error -- 'row' is not a task of Report
  @Task() @DependsOn<Report>('row') misspelt(rows: string[]) {
    return rows;
  }

  // @ts-expect-error -- 'row' is not a task of Report, beside a token too
  @Task() @DependsOn<Report>('row', SIGNAL) misspeltWithToken(
    rows: string[],
    _signal: AbortSignal,
  ) {
    return rows;
  }

  // @ts-expect-error -- a string that names a token is no token: 'CONTEXT' is not a task
  @Task() @DependsOn<Report>('CONTEXT') quotedToken(ctx: TaskContext) {
    return ctx.task;
  }

  // @ts-expect-error -- @Task() decorates methods, not getters
  @Task() get size() {
    return 0;
  }

  // @ts-expect-error -- @Task() decorates methods, not fields
  @Task() handler = () => 1;
}

/** A method that declares its `this` type takes the decorators, as it does in legacy mode. */
class TypedThis {
  prefix = '#';

  @Task() @DependsOn(PARAM) label(this: TypedThis, n: number) {
    return `${this.prefix}${n}`;
  }

  @Task() @DependsOn<TypedThis>('label') shout(this: TypedThis, label: string) {
    return label.toUpperCase();
  }
}

export async function typedThis(): Promise<string> {
  return (await Workflow.invoke(new TypedThis(), 1)).get('shout');
}

export async function typedResults(): Promise<number> {
  const result = await Workflow.invoke(new Report(), 'q');
  const rows: string[] = result.get('rows');
  // @ts-expect-error -- total is a number
  const wrong: string = result.get('total');
  return rows.length + wrong.length;
}

/** A class with an index signature names its tasks by its methods, in this mode too. */
class Indexed {
  [key: string]: unknown;

  @Task() @DependsOn(PARAM) rows(query: string) {
    return [query];
  }

  @Task() @DependsOn<Indexed>('rows') count(rows: string[]) {
    return rows.length;
  }

  // @ts-expect-error -- 'row' is not a task of Indexed
  @Task() @DependsOn<Indexed>('row') misspelt(rows: string[]) {
    return rows;
  }
}

export async function indexedResults(): Promise<number> {
  return (await Workflow.invoke(new Indexed(), 'q', { targets: ['count'] })).get('count');
}

/** The exported decorator type takes both call forms. */
export function bothModes(
  decorator: WorkflowMethodDecorator,
  context: ClassMethodDecoratorContext,
) {
  decorator(function method() {}, context);
  decorator({}, 'method', { value: () => 1 });
  // @ts-expect-error -- a legacy call needs the descriptor
  decorator({}, 'method');
}

/** Tasks named like `Object.prototype` methods, beside others, in this mode too. */
class ObjectMemberNames {
  @Task() @DependsOn(PARAM) toString(query: string) {
    return query;
  }

  @Task() valueOf() {
    return 1;
  }

  @Task() @DependsOn('toString', 'valueOf') untyped(text: string, n: number) {
    return text.repeat(n);
  }

  @Task() @DependsOn<ObjectMemberNames>('toString', 'untyped') typed(text: string, more: string) {
    return text + more;
  }
}

export async function objectMemberResults(): Promise<string> {
  const result = await Workflow.invoke(new ObjectMemberNames(), 'q', {
    targets: ['typed'],
    overrides: { valueOf: () => 2 },
  });
  return result.get('toString') + result.get('valueOf').toFixed() + result.get('typed');
}
