/**
 * Type-level tests of generic code over any workflow — a library's run helpers — whose exported
 * functions have inferred types: compiled by `npm run typecheck` in both decorator modes (
 * test/types/standard/tsconfig.json includes this file), and by test/package.spec.ts against the
 * published `.d.ts` with `declaration: true`, where every type an inferred signature names must
 * be one the package exports: an internal one fails the consumer's build with TS2742 / TS2883
 * ("The inferred type of 'x' cannot be named without a reference to …/dist/cjs/types"), with no
 * name it could import to write the annotation that the error asks for. Never executed.
 */
import {
  DependsOn,
  PARAM,
  Task,
  Workflow,
  type ExecutionResult,
  type InvokeOptions,
  type TaskName,
  type TaskValues,
} from '../../src';

declare function expectType<T>(_value: T): void;
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the assertion
declare function assertTrue<T extends true>(): void;

/** A service that runs any workflow with its defaults, as a NestJS provider of a library would. */
export class WorkflowRunner {
  /** The caller's options over the defaults: the spread copies `overrides`' mapped type. */
  withDefaults<W>(options: InvokeOptions<W>) {
    return { concurrency: 4, failFast: false, ...options };
  }

  run<W extends object, P>(workflow: W, param: P, options: InvokeOptions<W> = {}) {
    return Workflow.invoke(workflow, param, this.withDefaults(options));
  }

  /** Every task's value: `toObject()` of a result of any workflow. */
  async values<W extends object, P>(workflow: W, param: P) {
    return (await this.run(workflow, param)).toObject();
  }
}

/** The same values, annotated with the exported name. */
export const valuesOf = <W extends object>(result: ExecutionResult<W>): TaskValues<W> =>
  result.toObject();

/**
 * The caller's targets and one more: the inferred type of `targets` is written into the helper's
 * declarations, as `TaskName<W>[]`.
 */
export const withTarget = <W>(options: InvokeOptions<W>, task: TaskName<W>) => ({
  ...options,
  targets: [...(options.targets ?? []), task],
});

/** The overrides a caller gave, as generic code reads them. */
export const overridesOf = <W>(options: InvokeOptions<W>) => options.overrides;

class Quote {
  @Task() @DependsOn(PARAM) price(sku: string) {
    return sku.length;
  }
  @Task() @DependsOn<Quote>('price') label(price: number) {
    return `${price} EUR`;
  }
}

export async function useRunner() {
  const runner = new WorkflowRunner();
  const values = await runner.values(new Quote(), 'pen');
  assertTrue<Equals<typeof values, TaskValues<Quote>>>();
  assertTrue<Equals<typeof values, { price?: number; label?: string }>>();
  expectType<number | undefined>(values.price);
  // @ts-expect-error -- not a task of Quote
  void values.total;
  expectType<string | undefined>(valuesOf(await runner.run(new Quote(), 'pen')).label);
  const defaults = runner.withDefaults<Quote>({ targets: ['label'] });
  expectType<number | undefined>(defaults.concurrency);
  expectType<readonly TaskName<Quote>[] | undefined>(defaults.targets);
  const targeted = withTarget<Quote>({ targets: ['price'] }, 'label');
  assertTrue<Equals<typeof targeted.targets, TaskName<Quote>[]>>();
  void Workflow.invoke(new Quote(), 'pen', targeted);
  const overrides = overridesOf<Quote>({ overrides: { price: (sku: string) => sku.length * 2 } });
  expectType<((this: Quote, sku: string) => number | PromiseLike<number>) | undefined>(
    overrides?.price,
  );
  // @ts-expect-error -- an override returns the task's type
  overridesOf<Quote>({ overrides: { price: () => 'free' } });
}
