/**
 * Declares tasks programmatically, for workflow shapes decorator syntax cannot write (thousands of
 * generated tasks, random DAGs, invalid options chosen at run time).
 */
import { DependsOn, Param, Signal, Task, type TaskOptions } from '../../src';

/** What `@Task`, `@DependsOn`, `@Param` and `@Signal` would say about one method. */
export interface TaskDeclaration {
  readonly dependsOn?: readonly string[];
  readonly options?: TaskOptions;
  readonly paramIndex?: number;
  readonly signalIndex?: number;
}

/**
 * Puts `body` on `prototype` as method `name` and decorates it exactly as tsc's `__decorate` does:
 * parameter decorators, then `Reflect.decorate` with the method decorators and the descriptor.
 */
export function declareTask(
  prototype: object,
  name: string,
  body: (...args: any[]) => unknown,
  { dependsOn = [], options, paramIndex, signalIndex }: TaskDeclaration = {},
): void {
  Object.defineProperty(prototype, name, {
    value: body,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  if (paramIndex !== undefined) Param()(prototype, name, paramIndex);
  if (signalIndex !== undefined) Signal()(prototype, name, signalIndex);
  const decorators = [Task(options)];
  if (dependsOn.length > 0) decorators.push(DependsOn(...dependsOn));
  Reflect.decorate(decorators, prototype, name, Object.getOwnPropertyDescriptor(prototype, name));
}
